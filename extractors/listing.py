"""Listing pages (a column of a portal): the article entries with their dates, and the next page.

Generic, no site knowledge: a listing is a run of same-shaped sibling elements (li, tr, dd, div of one class) that
each hold one link with a title-length text, most of them with a date beside it. The best such run is the column
list; other runs of the same shape on the page (a landing page's sister blocks) join it. The next page comes from a
link that says so (下一页 / next / a "next" class), or is computed from the paging script that static portals use
(`createPageHTML(total, current, "index", "html")`, `var totalPage = Math.ceil(2380/20)`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from extractors import dates

Headers = Sequence[tuple[str, str]] | Mapping[str, str]


@dataclass(frozen=True)
class ListingItem:
    title: str
    url: str
    date: str | None = None  # ISO day as shown, None when the entry shows none


@dataclass(frozen=True)
class Listing:
    items: list[ListingItem] = field(default_factory=list)
    next_page: str | None = None


_WS = re.compile(r"[\s\u00a0\u2000-\u200b\u3000]+")
# Not <p>: an article's own paragraphs may each link and carry a date.
_ITEM_TAGS = {"li", "tr", "dd", "div", "article", "section", "h3", "h4", "h5", "span", "td", "dt"}
_MIN_ITEMS = 3
_MIN_TITLE = 6  # characters: navigation links ("首页", "政务公开") are shorter
_NEXT_TEXT = re.compile(r"^(?:下一页|下页|后一页|下一頁|next(?:\s*page)?|›|»|>|>>|＞)$", re.I)
_NEXT_CLASS = re.compile(r"(?:^|[\s_-])next(?:$|[\s_-])|pb_next|nextpage|page-next", re.I)
_DATE = re.compile(r"((?:19|20)\d{2})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})")


def _clean(text: str | None) -> str:
    return _WS.sub(" ", text or "").strip()


def _date_of(text: str) -> str | None:
    m = _DATE.search(text)
    if not m:
        return None
    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    parsed = dates.parse_date(f"{y}-{mo:02d}-{d:02d}")
    return parsed[0][:10] if parsed else None


def _title_link(el):
    """The entry's link: the one with the longest text (an image link and its caption share a URL)."""
    best = None
    for a in el.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "#", "mailto:")):
            continue
        text = _clean(a.text_content()) or _clean(a.get("title"))
        if best is None or len(text) > len(best[1]):
            best = (a, text)
    return best


def _signature(el) -> tuple:
    return (el.tag, " ".join(sorted((el.get("class") or "").split())))


@dataclass
class _Run:
    parent: object
    sig: tuple
    entries: list  # (element, link, title)

    @property
    def dated(self) -> int:
        return sum(1 for el, _, _ in self.entries if _entry_date(el))

    def shape(self) -> tuple:
        return (self.parent.tag, self.sig)


def _entry_date(el) -> str | None:
    # the date beside the link first (span.time, td), then the entry's whole text
    link_text = "".join(_clean(a.text_content()) for a in el.iter("a"))
    own = _clean(el.text_content())
    rest = own.replace(link_text, " ") if link_text else own
    return _date_of(rest) or _date_of(own)


def _runs(root) -> list[_Run]:
    out = []
    for parent in root.iter():
        if not isinstance(parent.tag, str):
            continue
        groups: dict[tuple, list] = {}
        for child in parent:
            if not isinstance(child.tag, str) or child.tag not in _ITEM_TAGS:
                continue
            found = _title_link(child)
            if found is None or len(found[1]) < _MIN_TITLE:
                continue
            if len(_clean(child.text_content())) > 4 * len(found[1]) + 40:
                continue  # a paragraph with a link in it, not an entry
            groups.setdefault(_signature(child), []).append((child, found[0], found[1]))
        for sig, entries in groups.items():
            if len(entries) >= _MIN_ITEMS:
                out.append(_Run(parent, sig, entries))
    return out


def extract_listing(body: bytes, url: str, headers: Headers = ()) -> Listing:
    """Entries and next page of a listing page; an empty Listing when the page has no list of entries."""
    from extractors import dom
    from extractors.decode import decode_html

    decoded = decode_html(bytes(body or b""), headers)
    parsed = dom.parse(decoded.text)
    root = parsed.root
    if root is None:
        return Listing()
    return Listing(items=find_items(root, url), next_page=find_next_page(root, decoded.text, url))


def find_items(root, url: str) -> list[ListingItem]:
    runs = [r for r in _runs(root) if not _is_navigation(r)]
    if not runs:
        return []
    # The column list: the run with most dated entries, then most entries, then longest titles.
    best = max(runs, key=lambda r: (r.dated, len(r.entries), sum(len(t) for _, _, t in r.entries)))
    chosen = [r for r in runs if r is best or (r.shape() == best.shape() and _dated_like(r, best))]
    base = _base(root, url)
    items: list[ListingItem] = []
    seen: set[str] = set()
    for run in sorted(chosen, key=lambda r: _position(root, r.parent)):
        for el, a, title in run.entries:
            href = urljoin(base, a.get("href").strip()) if base else a.get("href").strip()
            if href in seen:
                continue
            seen.add(href)
            items.append(ListingItem(title=title, url=href, date=_entry_date(el)))
    return items


def _dated_like(run: _Run, best: _Run) -> bool:
    """A sister block is dated when the column list is (or undated when it is not)."""
    return (run.dated > 0) == (best.dated > 0)


def _is_navigation(run: _Run) -> bool:
    """Menus and pagers: entries of short link text, none dated."""
    if run.dated:
        return False
    mean = sum(len(t) for _, _, t in run.entries) / len(run.entries)
    return mean < 8


def _position(root, el) -> int:
    for i, x in enumerate(root.iter()):
        if x is el:
            return i
    return 0


def _base(root, url: str) -> str:
    b = root.find(".//base")
    if b is not None and b.get("href"):
        return urljoin(url, b.get("href").strip())
    return url


# ---------------------------------------------------------------- next page

_CREATE_PAGE = re.compile(
    r"createPageHTML\(\s*([\w.$]+)\s*,\s*([\w.$]+)\s*,\s*[\"']([\w-]+)[\"']\s*,\s*[\"'](\w+)[\"']")
_VAR = r"(?:var|let|const)?\s*{name}\s*=\s*(?:Math\.ceil\(\s*(\d+)\s*/\s*(\d+)\s*\)|(\d+))"


def _value(script: str, token: str) -> int | None:
    if token.isdigit():
        return int(token)
    m = re.search(_VAR.format(name=re.escape(token)), script)
    if not m:
        return None
    if m.group(3):
        return int(m.group(3))
    return -(-int(m.group(1)) // int(m.group(2)))


def find_next_page(root, html_text: str, url: str) -> str | None:
    base = _base(root, url)
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "#", "mailto:")):
            continue
        text = _clean(a.text_content())
        if _NEXT_TEXT.match(text) or (not text or len(text) <= 4) and _NEXT_CLASS.search(
                f"{a.get('class', '')} {a.get('id', '')}"):
            target = urljoin(base, href)
            if target.split("#")[0] != url.split("#")[0]:
                return target
    return _scripted_next(html_text, base or url, root)


def _scripted_next(html_text: str, url: str, root) -> str | None:
    """The next page of a pager that a script draws: createPageHTML(total, current, prefix, ext)."""
    m = _CREATE_PAGE.search(html_text or "")
    if not m:
        return None
    total = _value(html_text, m.group(1))
    prefix, ext = m.group(3), m.group(4)
    if total is None:
        return None
    limit = re.search(r"pages_limit\s*=\s*(\d+)", html_text)
    if limit:
        total = min(total, int(limit.group(1)))
    # The current page from the URL ("index_3.html" is page 3 in either numbering); the first page is the bare
    # column URL or index.html.
    path = urlsplit(url).path
    cur = re.search(rf"{re.escape(prefix)}_(\d+)\.{ext}$", path)
    if cur:
        nxt = int(cur.group(1)) + 1
    else:
        # Second page: "index_1" (TRS numbering, current 0-based) unless the page links index_2 and no index_1
        # (NFCMS skips index_1).
        hrefs = {a.get("href") or "" for a in root.iter("a")}
        has1 = any(re.search(rf"{prefix}_1\.{ext}$", h) for h in hrefs)
        has2 = any(re.search(rf"{prefix}_2\.{ext}$", h) for h in hrefs)
        nxt = 2 if has2 and not has1 else 1
    last = total if not cur else total  # page numbers run to total (NFCMS) or total-1 (TRS): stop at total
    if nxt > last or total <= 1:
        return None
    return urljoin(url, f"{prefix}_{nxt}.{ext}")


def dated_titles(root) -> list[str]:
    """Titles of the entries of every run of dated entries (at least three dated): what a listing's text is made of.
    Call on the unpruned tree."""
    out = []
    for run in _runs(root):
        if run.dated >= _MIN_ITEMS:
            out += [t for _, _, t in run.entries]
    return out


_SHORT_REMAINDER = 40


def text_is_entries(text: str, titles: list[str]) -> bool:
    """Most of the extracted text is entry titles: the page is a listing, not an article."""
    keys = {_WS.sub("", t) for t in titles}
    lines = [_WS.sub("", ln) for ln in text.splitlines()]
    total = sum(len(k) for k in lines)
    if not total:
        return bool(keys)
    if len(keys) >= 5 and total < _SHORT_REMAINDER and "。" not in text:
        return True  # a column heading or a "更多>" left beside a list of dated entries: no article
    # a line is an entry when it is (mostly) a title: the title plus its date, not a sentence quoting a link
    listed = sum(len(k) for k in lines if k and any(
        (k in t or t in k) and len(t) >= 0.6 * len(k) for t in keys if len(t) >= _MIN_TITLE))
    return listed >= 0.5 * total
