"""The article text: trafilatura on the pruned tree, with the lead/summary box it drops restored."""

from __future__ import annotations

import re

from extractors.dom import class_tokens, link_text_len

_LEAD_TOKENS = {"summary", "abstract", "zhaiyao", "digest", "daodu", "tiyao", "lead", "intro", "introduction"}
# "intro" also names a person's or a product's blurb: not a lead when the box says whose.
_NOT_LEAD_TOKENS = {"profile", "author", "user", "userinfo", "footer", "icon", "app", "service", "card", "avatar"}
_LEAD_TEXT = re.compile(r"^(核心提示|内容提要|内容摘要|摘要|导读|導讀|提要|编者按|編者按)\s*[:：]?")


def lead_summary(root) -> str | None:
    """The lead/summary box above an article (class "summary", or text starting 核心提示/摘要/导读/编者按)."""
    for el in root.iter("div", "p", "section", "blockquote"):
        toks = class_tokens(el)
        own = re.sub(r"\s+", " ", el.text_content() or "").strip()
        if not (20 <= len(own) <= 600):
            continue
        if len(re.findall(r"[\u4e00-\u9fff]", own)) < 0.5 * len(own):
            continue  # Chinese leads only: English pages' "summary" boxes are teasers as often as leads
        if (toks & _LEAD_TOKENS and not toks & _NOT_LEAD_TOKENS) or _LEAD_TEXT.match(own):
            if el.find(".//a") is None or link_text_len(el) < 0.2 * len(own):
                return own
    return None
