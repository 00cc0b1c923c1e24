"""Traditional-script rendering of Simplified prose, with pinyin ruby the way the jiemian/tuituisoft seeds carry it."""

from __future__ import annotations

import functools
import html

import opencc
from pypinyin import Style, pinyin


@functools.lru_cache(maxsize=None)
def _s2t() -> opencc.OpenCC:
    return opencc.OpenCC("s2t")


@functools.lru_cache(maxsize=None)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_hant(text: str) -> str:
    return _s2t().convert(text)


def to_hans(text: str) -> str:
    return _t2s().convert(text)


def _annotated(text: str) -> list[tuple[str, str | None]]:
    """(Traditional char, pinyin or None) pairs; pinyin only where the Traditional char differs from the Simplified one."""
    hant = to_hant(text)
    if len(hant) != len(text):
        # OpenCC maps Chinese 1:1 in practice; a phrase rule that changed the length would misalign the ruby.
        raise ValueError(f"s2t changed length of {text!r}")
    # Pinyin from the Simplified sentence so polyphones are read in context; one reading per character.
    readings = pinyin(text, style=Style.TONE, errors=lambda s: [""] * len(s))
    flat = [r[0] if r else "" for r in readings]
    if len(flat) != len(text):
        flat = [(pinyin(c, style=Style.TONE, errors=lambda s: [""])[0] or [""])[0] for c in text]
    return [(t, p if t != s and p else None) for s, t, p in zip(text, hant, flat)]


def ruby_html(text: str) -> str:
    """Traditional HTML with <ruby> on every character whose form changed, e.g. 質(zhì) as ruby markup."""
    out = []
    for char, reading in _annotated(text):
        if reading:
            out.append(f"<ruby>{char}<rp>(</rp><rt>{reading}</rt><rp>)</rp></ruby>")
        else:
            out.append(html.escape(char, quote=False))
    return "".join(out)


def flattened(text: str) -> str:
    """The same annotations already flattened to plain text (質(zhì)), as copy-pasted pages show them."""
    return "".join(f"{c}({r})" if r else c for c, r in _annotated(text))
