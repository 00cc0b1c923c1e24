"""Cheap language guess from the script of the extracted text, with <html lang> to break ties."""

from __future__ import annotations

import re

_SCRIPTS = (
    ("ja", re.compile(r"[\u3040-\u30ff]")),
    ("ko", re.compile(r"[\uac00-\ud7af]")),
    ("zh", re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")),
    ("ru", re.compile(r"[\u0400-\u04ff]")),
    ("ar", re.compile(r"[\u0600-\u06ff]")),
)
_EN_WORDS = re.compile(r"\b(the|and|of|to|in|is|that|for|with|was|on|as|by|it)\b", re.I)
_FR_WORDS = re.compile(r"\b(le|la|les|des|est|une|dans|pour|que|qui|du)\b", re.I)
_DE_WORDS = re.compile(r"\b(der|die|das|und|ist|nicht|mit|ein|eine|auf|für)\b", re.I)
_ES_WORDS = re.compile(r"\b(el|los|las|del|una|por|con|para|como|pero)\b", re.I)


def detect(text: str, html_lang: str | None = None) -> str | None:
    sample = text[:5000]
    letters = sum(1 for ch in sample if ch.isalpha())
    if not letters:
        return (html_lang or "").split("-")[0].lower() or None
    counts = {code: len(pat.findall(sample)) for code, pat in _SCRIPTS}
    if counts["ja"] > 0.05 * letters:
        return "ja"
    if counts["ko"] > 0.2 * letters:
        return "ko"
    if counts["zh"] > 0.2 * letters:
        return "zh"
    for code in ("ru", "ar"):
        if counts[code] > 0.3 * letters:
            return code
    words = {
        "en": len(_EN_WORDS.findall(sample)),
        "fr": len(_FR_WORDS.findall(sample)),
        "de": len(_DE_WORDS.findall(sample)),
        "es": len(_ES_WORDS.findall(sample)),
    }
    best = max(words, key=words.get)
    if words[best] >= 3:
        return best
    return (html_lang or "").split("-")[0].lower() or None
