"""trafilatura on a tree: the one place the extractor calls it. Precision mode first; on short results the default
mode too, keeping the longer result unless what it adds is a list, or the precision result is only a header block
(headline, dateline, outlet) and the default one has clearly more prose."""

from __future__ import annotations

import copy
import re

from extractors import boundaries, text

# Below this many characters the precision-mode text is double-checked with trafilatura's default mode.
SHORT_TEXT = 300


def best_text(container, url: str, anchors: set[str] = frozenset()) -> str:
    """trafilatura in precision mode; on short pages, where that mode can throw the whole body away,
    the default mode too, keeping the longer result (the line cleaning removes what it adds of chrome)."""
    text = run(copy.deepcopy(container), url, precision=True)
    if len(text) < SHORT_TEXT:
        fallback = run(container, url, precision=False)
        # the fallback is there to recover prose precision mode threw away, never to add a list
        listed = boundaries.list_lines(fallback, text, anchors)
        if listed:
            fallback = "\n".join(line for line in fallback.splitlines() if line not in listed)
        if len(fallback) > 2 * len(text) + 50:
            return fallback
        # Precision mode may pick the article's header block (headline, dateline, outlet), whose raw length is
        # close to a short article's: then the candidates are compared on prose, lines that read as sentences.
        if is_header_block(text) and sentence_chars(fallback) > 2 * sentence_chars(text) + _PROSE_MARGIN:
            return fallback
    return text


# A paragraph's worth of sentences: a few lines of terms or notices under a short post do not outweigh it.
_PROSE_MARGIN = 80
_DATE_IN_LINE = re.compile(r"(?:19|20)\d{2}[-/.年]\d{1,2}[-/.月]\d{1,2}")


def is_header_block(raw: str) -> bool:
    """Only short lines (headline, dateline, byline, outlet) and a date among them: a header, not a body."""
    lines = [line.strip() for line in raw.splitlines() if line.strip()]
    return bool(lines) and all(len(text._key(line)) <= 40 for line in lines) and any(
        _DATE_IN_LINE.search(line) for line in lines
    )


def sentence_chars(raw: str) -> int:
    """Characters in lines that read as sentences (end like one) and are not chrome."""
    n = 0
    for line in raw.splitlines():
        k = text._key(line)
        if len(k) >= 8 and text.SENTENCE_END.search(line.strip()) and not text.is_chrome(line.strip()):
            n += len(k)
    return n


def run(container, url: str, *, precision: bool, comments: bool = False) -> str:
    import trafilatura

    doc = trafilatura.bare_extraction(
        container,
        url=url or None,
        with_metadata=False,
        favor_precision=precision,  # measured: precision mode +0.004 F1 on zh_news; chrome is our main risk
        include_comments=comments,
        include_tables=True,
        include_images=False,
        deduplicate=False,
    )
    if doc is None:
        return ""
    return doc.text or ""
