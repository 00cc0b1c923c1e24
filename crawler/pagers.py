"""Next listing page of a static listing whose pager is drawn by a script.

TRS- and NFCMS-generated listings are static files `index.html`, `index_2.html` … whose pager is written at
view time by `createPageHTML(total, current, "index", "html")`; the page count is in the HTML as a literal or as
`var totalPage = Math.ceil(<items>/<per page>)`, sometimes capped (`var pages_limit=100;
if(totalPage>pages_limit){totalPage=pages_limit}` on www.gz.gov.cn). Without running the script there may be
no link to follow, so the next page's address is built from those numbers and from the current page's file
name. Page 1 is `index.html` or the bare column URL; the second page is `index_2` on NFCMS and `index_1` on
TRS (`second`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

_CALL = re.compile(
    r"""createPageHTML\(\s*([\w.]+)\s*,\s*([\w.]*)\s*,\s*["']([\w-]+)["']\s*,\s*["'](\w+)["']\s*\)"""
)
# var countPage = 12 / totalPage = 12
_ASSIGN_INT = r"\b{name}\s*=\s*(\d+)\s*[;,\n/]"
# var totalPage = Math.ceil(2380/20)
_ASSIGN_CEIL = r"\b{name}\s*=\s*Math\.ceil\(\s*(\d+)\s*/\s*(\d+)\s*\)"
# if(totalPage>pages_limit){ totalPage=pages_limit } / if (totalPage > 100) totalPage = 100
_CAP = r"if\s*\(\s*{name}\s*>\s*([\w.]+)\s*\)\s*\{{?\s*{name}\s*=\s*\1\b"
# Scripts that draw the pager without createPageHTML still name the count.
_COUNT_NAMES = ("totalPage", "countPage", "pageCount", "totalPages")


@dataclass(frozen=True)
class ScriptPager:
    total: int  # pages the listing has, as the script is told (after its own cap)
    current: int  # 1-based number of the page at hand
    name: str  # file name stem, "index"
    ext: str  # "html", "htm", "shtml"

    def url(self, page_url: str, page: int, second: int = 2) -> str:
        """Address of page `page` (1-based) of the listing `page_url` belongs to."""
        base = urljoin(page_url, "./")
        if page <= 1:
            return urljoin(base, f"{self.name}.{self.ext}")
        return urljoin(base, f"{self.name}_{page - 2 + second}.{self.ext}")


def _number(text: str, expr: str) -> int | None:
    if expr.isdigit():
        return int(expr)
    name = re.escape(expr)
    ceil = re.search(_ASSIGN_CEIL.format(name=name), text)
    if ceil:
        items, per_page = int(ceil.group(1)), int(ceil.group(2))
        return -(-items // per_page) if per_page else None
    plain = re.search(_ASSIGN_INT.format(name=name), text)
    return int(plain.group(1)) if plain else None


def find(text: str, page_url: str, *, second: int = 2) -> ScriptPager | None:
    """The script pager of a listing page, or None when the page has none (or its count is not readable)."""
    call = _CALL.search(text)
    if call:
        count_expr, name, ext = call.group(1), call.group(3), call.group(4)
    else:
        count_expr = next((n for n in _COUNT_NAMES if re.search(rf"\bvar\s+{n}\s*=", text)), None)
        if count_expr is None:
            return None
        path = urlsplit(page_url).path.rsplit("/", 1)[-1]
        m = re.fullmatch(r"([\w-]+?)(?:_\d+)?\.(\w+)", path)
        name, ext = (m.group(1), m.group(2)) if m else ("index", "html")
    total = _number(text, count_expr)
    if total is None:
        return None
    if not count_expr.isdigit():
        cap = re.search(_CAP.format(name=re.escape(count_expr)), text)
        if cap:
            limit = _number(text, cap.group(1))
            if limit is not None:
                total = min(total, limit)
    return ScriptPager(total=total, current=_current(page_url, name, ext, second), name=name, ext=ext)


def _current(page_url: str, name: str, ext: str, second: int) -> int:
    leaf = urlsplit(page_url).path.rsplit("/", 1)[-1]
    m = re.fullmatch(rf"{re.escape(name)}_(\d+)\.{re.escape(ext)}", leaf)
    if not m:
        return 1  # index.html or the bare column URL
    return int(m.group(1)) + 2 - second


def next_page(text: str, page_url: str, *, second: int = 2, limit: int | None = None) -> tuple[bool, str | None]:
    """(the page has a script pager, the next page's URL or None at the end)."""
    pager = find(text, page_url, second=second)
    if pager is None:
        return False, None
    total = min(pager.total, limit) if limit else pager.total
    if pager.current >= total:
        return True, None
    return True, pager.url(page_url, pager.current + 1, second)
