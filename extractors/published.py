"""Which date on a page is its publication date, and how far to trust it (Record.published_from).

A policy page shows several dates: 发布日期 / 发文日期 / 生成日期 (published), 成文日期 (signed), 实施日期, the signature
date at the end of the text, dates the text talks about, a meta PubDate that can be the page's regeneration time and
a URL date that can be a migration date. The cascade, most trusted first:

    selector  a date element the site's profile declares
    label     the labelled publish field of the 信息公开 block (发布日期 / 公开日期 / 发文日期 / 生成日期 …)
    header    a date between the headline and the article text (a byline "时间：…", "信息提供日期：…")
    label     a date labelled as the publish date elsewhere outside the article text
    meta      a publish-time meta tag (PubDate, article:published_time …)
    url       a date in the URL (TRS t20240512_…, /2024-05/13/)
    htmldate  htmldate, when the page shows its day
    text      a month-only date after the headline or a label

Dates inside the article text (the signature at the end, dates the text mentions) are never used: the windows
searched end where the article's first line begins and start after its last line.
"""

from __future__ import annotations

import re

from extractors import dates
from extractors.dates import FoundDate


def _key(s: str) -> str:
    return re.sub(r"\s+", "", s)


_SEGMENT = re.compile(r"\s*\|\s*|\s{2,}")


def body_span(page_text: str, body_text: str, after: int = 0) -> tuple[int, int] | None:
    """(start, end) of the article text inside the page text: from its first line to the end of its last line."""
    # Table rows come out as "| cell | cell |": the page text has the cells, not the pipes.
    lines = [seg for ln in body_text.splitlines() for seg in _SEGMENT.split(ln) if len(seg.strip()) >= 6]
    if not lines:
        return None
    lines = [ln.strip() for ln in lines]
    start = page_text.find(lines[0][:30], after)
    if start < 0:
        start = page_text.find(lines[0][:30])
    if start < 0:
        return None
    tail = lines[-1][-30:]
    end = page_text.find(tail, start)
    if end < 0:
        end = start + len(lines[0])
    else:
        end += len(tail)
    return start, end


def header_window(page_text: str, title: str | None, body_text: str = "") -> tuple[str, str, int]:
    """(text after the headline up to the article text, text just before the headline, where the window starts)."""
    pos = _headline_pos(page_text, title, body_text) if title else -1
    if pos >= 0:
        start = pos + len(title)
        window, before = page_text[start: start + 700], page_text[max(0, pos - 300): pos]
    else:
        start = 0
        window, before = page_text[:1500], ""
    span = body_span(page_text, body_text, start) if body_text else None
    if span is not None and start <= span[0] < start + len(window):
        # The window ends where the article text begins; its first line stays in only when it is a short dateline
        # that the body kept ("2024-05-06 来源：…").
        first = body_text.strip().splitlines()[0].strip() if body_text.strip() else ""
        cut = span[0] - start
        if first and len(first) <= 60 and dates.parse_date(first):
            cut += len(first)
        window = window[:cut]
    return window, before, start


def _headline_pos(page_text: str, title: str, body_text: str) -> int:
    """Where the headline is in the page text: the last occurrence standing alone on its line before the article
    text starts (lists of similar titles in sidebars come first on many portals), else the first occurrence."""
    key = title[: min(len(title), 12)]
    first = page_text.find(key)
    if first < 0:
        return -1
    span = body_span(page_text, body_text) if body_text else None
    alone = []
    for m in re.finditer(re.escape(title), page_text):
        line_start = page_text.rfind("\n", 0, m.start()) + 1
        line_end = page_text.find("\n", m.end())
        line_end = len(page_text) if line_end < 0 else line_end
        if not page_text[line_start: m.start()].strip() and not page_text[m.end(): line_end].strip():
            alone.append(m.start())
    if span is not None:
        before_body = [p for p in alone if p < span[0]]
        if before_body:
            return before_body[-1]
    return alone[0] if alone else first


def find(page_text: str, title: str | None, body_text: str, tags: dict[str, str], url: str,
         gov_date: tuple[str, str] | None = None, htmldate: FoundDate | None = None,
         selector_text: str | None = None) -> FoundDate | None:
    """The publish date. `htmldate` is htmldate's answer on the unpruned tree (or None); `selector_text` the text of
    the element the site's profile declares as its date."""
    if selector_text:
        parsed = dates.parse_date(selector_text)
        if parsed:
            return FoundDate(parsed[0], parsed[1], "selector")
    header, before, start = header_window(page_text, title, body_text)
    found = dates.from_text(header)
    if gov_date is not None:
        iso, raw = gov_date
        # The block's 发布日期 shows the day; the byline often shows the same day with the time.
        if found is not None and found.iso[:10] == iso[:10] and len(found.iso) > len(iso):
            return FoundDate(found.iso, found.raw, "label")
        return FoundDate(iso, raw, "label")
    if found is not None and found.where == "text" and "T" not in found.iso and dates.in_prose(header, found.raw):
        # An unlabelled day inside a sentence is a date the text mentions; the page's own meta or structured
        # publish time, when there is one, is the publish date.
        found = _meta(tags) or found
    if found is not None and found.where != "meta":
        return FoundDate(found.iso, found.raw, "header")
    if found is not None:
        return found
    if before:
        found = dates.from_text(before)
        if found is not None and (found.where == "label" or "T" in found.iso):
            # a bare day above the headline is as likely a nav calendar as the article's
            return FoundDate(found.iso, found.raw, "header")
    span = body_span(page_text, body_text, start) if body_text else None
    labelled = [d for d in dates.iter_dates(page_text) if d[3] and not d[4]
                and not (span and span[0] <= d[0] < span[1])]
    if labelled:
        _, iso, raw, _, _ = min(labelled)
        return FoundDate(iso, raw, "label")
    # "发布时间：10-08 12:00": the year from a meta/URL date on the same month and day.
    found = dates.yearless_with_year(
        header, (_meta(tags), _meta(tags, dates.META_UPDATE_NAMES), dates.from_url(url))
    )
    if found is not None:
        return FoundDate(found.iso, found.raw, "header")
    found = _meta(tags) or dates.from_url(url) or htmldate
    if found is not None:
        return found
    found = dates.month_from_text(header[:200]) or dates.month_from_text(page_text, labelled_only=True)
    return FoundDate(found.iso, found.raw, "text") if found is not None else None


def _meta(tags, names=None) -> FoundDate | None:
    return dates.from_meta(tags) if names is None else dates.from_meta(tags, names)
