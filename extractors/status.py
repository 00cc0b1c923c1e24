"""The page's outcome once its text is known: a listing of dated entries, a page of links (not an article), no
text (empty), or an article (ok)."""

from __future__ import annotations

import re

from extractors import listing
from extractors.metatags import declared_article

# A page whose article text is shorter than this while it has many links is an index/listing page.
_LISTING_MIN_LINKS = 30
_LISTING_MAX_TEXT = 120


def page_status(body_text: str, *, title: str | None, title_el, tags: dict[str, str], entry_titles: list[str],
                n_links: int, anchors: set[str]) -> tuple[str, str | None, bool] | None:
    """(status, detail, keep the text) when the page is not an article with text; None when it is one."""
    chars = len(re.sub(r"\s+", "", body_text))
    if entry_titles and listing.text_is_entries(body_text, entry_titles):
        return "not-an-article", f"listing of {len(entry_titles)} dated entries", True
    if chars == 0:
        if n_links >= _LISTING_MIN_LINKS and not _article_signal(title_el, title, tags):
            return "not-an-article", f"{n_links} links, no article text", False
        return "empty", "no article text found", False
    is_article = _article_signal(title_el, title, tags)
    linked_lines = _linked_line_share(body_text, anchors)
    if not is_article and n_links >= _LISTING_MIN_LINKS and (
        (chars < _LISTING_MAX_TEXT and _looks_like_listing(body_text)) or linked_lines >= 0.6
    ):
        return "not-an-article", f"{n_links} links, {chars} characters of text", True
    return None


def _article_signal(title_el, title: str | None, tags: dict[str, str]) -> bool:
    """The page says it is one article: og:type article, a published-time meta, or a long headline element."""
    if declared_article(tags):
        return True
    return title_el is not None and title is not None and len(re.sub(r"\W+", "", title)) >= 8


def _linked_line_share(body_text: str, anchors: set[str]) -> float:
    """Share of the text's lines (6+ characters) that are the text of some link on the page."""
    keys = [re.sub(r"\W+", "", line) for line in body_text.splitlines()]
    keys = [k for k in keys if len(k) >= 6]
    if len(keys) < 5:
        return 0.0
    return sum(1 for k in keys if k in anchors) / len(keys)


def _looks_like_listing(body_text: str) -> bool:
    lines = [line for line in body_text.splitlines() if line.strip()]
    return len(lines) >= 3 or len(body_text) < 60
