"""Bytes → text: pick the charset from BOM, HTTP header, <meta>, site hint or detection, and say which one won.

Order of trust: BOM, then the declarations (HTTP charset, <meta charset>, the site's hint) in that order, each
accepted only if its decoding looks right; otherwise detection among UTF-8, GB18030, Big5-HKSCS and
charset-normalizer's guess. "Looks right" means few U+FFFD and no mojibake: a single-byte declaration over
bytes that are valid UTF-8 or GB text, or a legacy CJK declaration over bytes that are strictly valid UTF-8
(people.com.cn and 39.net declare gb2312 on UTF-8 pages), is overruled. Labels are widened the way
browsers do: GB2312/GBK → GB18030, Big5 → Big5-HKSCS, ISO-8859-1/ASCII → windows-1252.

Mixed pages: UTF-8 with stretches in GB18030 (a GBK byline pasted into a UTF-8 page) are decoded stretch by
stretch (`_mixed_utf8_gb`) rather than rejected, or garbled whole by one charset.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from extractors.record import Encoding

_WIDER = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "cp936": "gb18030",
    "gb18030": "gb18030",
    "big5": "big5hkscs",
    "cp950": "big5hkscs",
    "big5hkscs": "big5hkscs",
    "latin_1": "cp1252",
    "iso8859_1": "cp1252",
    "ascii": "cp1252",
    "cp1252": "cp1252",
    "utf_8": "utf-8",
    "utf_16": "utf-16",
}
_SINGLE_BYTE_PREFIXES = ("cp125", "iso8859", "latin", "mac", "koi8", "cp8", "cp4", "tis")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_META_SCAN = 32 * 1024  # real pages put <meta charset> after long inline scripts; browsers scan 1 KiB.


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: Encoding
    # Share of U+FFFD in the result: high means the bytes are not text in any charset we know.
    bad_ratio: float = 0.0


def normalize_label(label: str | None) -> str | None:
    """Python codec name for a charset label, widened to its superset; None when unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in ("x-gbk", "gb_2312-80", "euc-cn", "x-euc-cn", "csgb2312", "gb_2312"):
        label = "gbk"
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    name = name.replace("-", "_")
    return _WIDER.get(name, name.replace("_", "-"))


def header_value(headers, name: str) -> str | None:
    """Last value of a header from (name, value) pairs or a mapping, case-insensitively."""
    items = headers.items() if hasattr(headers, "items") else headers
    found = None
    for key, value in items or ():
        if isinstance(key, bytes):
            key = key.decode("latin-1")
        if isinstance(value, (list, tuple)):
            value = value[-1] if value else ""
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        if str(key).lower() == name:
            found = str(value)
    return found


def declared_charsets(body: bytes, headers, hint: str | None = None) -> list[tuple[str, str]]:
    """(label, where) for every charset the response declares, most trusted first."""
    out: list[tuple[str, str]] = []
    ctype = header_value(headers, "content-type")
    if ctype:
        m = _HEADER_CHARSET.search(ctype)
        if m:
            out.append((m.group(1), "http"))
    head = body[:_META_SCAN]
    m = _XML_DECL.match(head) or _META_CHARSET.search(head)
    if m:
        out.append((m.group(1).decode("ascii", "replace"), "meta"))
    if hint:
        out.append((hint, "hint"))
    return out


@cache
def _common_cjk() -> frozenset[str]:
    """The frequent Han characters: GB2312 level 1 and Big5's 常用字 area (both ordered by frequency)."""
    chars: set[str] = set()
    for lead in range(0xB0, 0xD8):
        for trail in range(0xA1, 0xFF):
            try:
                chars.add(bytes((lead, trail)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    for code in range(0xA440, 0xC67F):
        lead, trail = divmod(code, 256)
        if 0x40 <= trail <= 0x7E or 0xA1 <= trail <= 0xFE:
            try:
                chars.add(bytes((lead, trail)).decode("big5"))
            except UnicodeDecodeError:
                pass
    return frozenset(chars)


def _quality(text: str) -> tuple[float, int]:
    """(score, number of Han characters): penalises U+FFFD, rewards Han text made of frequent characters."""
    sample = text if len(text) < 400_000 else text[:200_000] + text[-200_000:]
    bad = sample.count("\ufffd")
    han = _CJK.findall(sample)
    common = _common_cjk()
    frequent = sum(1 for ch in han if ch in common) / len(han) if han else 0.0
    return frequent - 20 * bad / max(len(han), 1), len(han)


def _is_strict_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _try(body: bytes, name: str) -> tuple[str, float]:
    text = body.decode(name, errors="replace")
    return text, text.count("\ufffd") / max(len(text), 1)


def _single_byte(name: str) -> bool:
    return name.startswith(_SINGLE_BYTE_PREFIXES)


def _detect(body: bytes, extra: Iterable[str] = ()) -> tuple[str, str] | None:
    """Best of UTF-8, GB18030, Big5-HKSCS and charset-normalizer's guess; None when nothing fits."""
    if _is_strict_utf8(body):
        return "utf-8", body.decode("utf-8")
    candidates = ["gb18030", "big5hkscs", *extra]
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(body[:65536], cp_isolation=None).best()
        if best is not None:
            guessed = normalize_label(best.encoding)
            if guessed and guessed not in candidates:
                candidates.append(guessed)
    except Exception:  # detection is a best effort; a failure must not fail the page
        pass
    scored = []
    for name in candidates:
        try:
            text, bad = _try(body, name)
        except LookupError:
            continue
        score, han = _quality(text)
        if han < 20:
            score = 0.5 - 20 * bad  # not Han text: judge by decoding errors alone
        scored.append((score, -candidates.index(name), name, text))
    if not scored:
        return None
    scored.sort(reverse=True)
    _, _, name, text = scored[0]
    return name, text


def _plausible(body: bytes, name: str, text: str, bad: float) -> bool:
    if bad > 0.001 and text.count("\ufffd") > 3:
        return False
    has_high = any(b >= 0x80 for b in body[:200_000]) if len(body) else False
    if not has_high:
        return True
    if name != "utf-8" and _is_strict_utf8(body):
        return False  # UTF-8 bytes under a legacy label (valid multi-byte UTF-8 by accident is vanishingly rare)
    if _single_byte(name):
        # A Western label over CJK bytes decodes without a single U+FFFD: check whether GB/Big5 read better.
        for other in ("gb18030", "big5hkscs"):
            other_text, other_bad = _try(body, other)
            score, han = _quality(other_text)
            if han >= 20 and score > 0.8 and other_bad < 0.001:
                return False
        return True
    if name in ("gb18030", "big5hkscs"):
        score, han = _quality(text)
        return han < 20 or score > 0.6
    return True


_HIGH_RUN = re.compile(rb"[\x80-\xff]+")


def _mixed_utf8_gb(body: bytes) -> tuple[str, int, int] | None:
    """UTF-8 with stretches in GB18030 (a UTF-8 page with one GBK byline, a page pasted together from two).

    Each run of non-ASCII bytes is decoded on its own: as UTF-8 when it is valid UTF-8, else as GB18030 when it
    is valid GB18030, else as UTF-8 with U+FFFD marking what decodes in neither. Returns (text, Han characters
    from UTF-8 runs, Han characters from GB runs), or None when there is nothing to mix.
    """
    parts: list[str] = []
    utf8_han = gb_han = 0
    pos = 0
    for m in _HIGH_RUN.finditer(body):
        parts.append(body[pos:m.start()].decode("ascii"))
        run = m.group()
        try:
            piece = run.decode("utf-8")
            utf8_han += len(_CJK.findall(piece))
        except UnicodeDecodeError:
            try:
                piece = run.decode("gb18030")
                gb_han += len(_CJK.findall(piece))
            except UnicodeDecodeError:
                piece = run.decode("utf-8", errors="replace")
        parts.append(piece)
        pos = m.end()
    parts.append(body[pos:].decode("ascii"))
    if not (utf8_han and gb_han):
        return None
    return "".join(parts), utf8_han, gb_han


def _mixed(body: bytes) -> str | None:
    """The mixed reading of `body` when it is clearly UTF-8 with GB18030 stretches, else None."""
    if _is_strict_utf8(body):
        return None
    mixed = _mixed_utf8_gb(body)
    if mixed is None:
        return None
    text, utf8_han, gb_han = mixed
    # Accidental valid UTF-8 inside GBK text is rare and short: demand a real share of UTF-8 Han text, and GB
    # stretches that read as common Chinese.
    if utf8_han < 20 or utf8_han < 0.2 * (utf8_han + gb_han):
        return None
    score, _ = _quality(text)
    return text if score > 0.6 else None


def decode_html(body: bytes, headers=(), hint: str | None = None) -> Decoded:
    """Decode an HTML response and record where the charset came from (see the module docstring)."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            text = body[len(bom):].decode(name, errors="replace")
            return Decoded(text, Encoding(name, "bom"), text.count("\ufffd") / max(len(text), 1))
    mixed = _mixed(body)
    if mixed is not None:
        # Decode what decodes (each stretch in its own charset); what decodes in neither stays U+FFFD.
        declared = [where for label, where in declared_charsets(body, headers, hint) if normalize_label(label) == "utf-8"]
        return Decoded(mixed, Encoding("utf-8", declared[0] if declared else "detected"),
                       mixed.count("\ufffd") / max(len(mixed), 1))
    tried: list[str] = []
    for label, where in declared_charsets(body, headers, hint):
        name = normalize_label(label)
        if not name or name in tried:
            continue
        if name.startswith(("utf-16", "utf-32")):
            name = "utf-8"  # a page that reached us as 8-bit text cannot really be UTF-16; browsers do the same
        tried.append(name)
        try:
            text, bad = _try(body, name)
        except LookupError:
            continue
        if _plausible(body, name, text, bad):
            return Decoded(text, Encoding(name, where), bad)
    found = _detect(body)
    if found is not None:
        name, text = found
        bad = text.count("\ufffd") / max(len(text), 1)
        return Decoded(text, Encoding(name, "detected"), bad)
    text, bad = _try(body, "utf-8")
    return Decoded(text, Encoding("utf-8", "fallback"), bad)
