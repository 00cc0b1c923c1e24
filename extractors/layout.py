"""Reshaping an article page's tree so that trafilatura reads it as text: layout tables and list items used as page
columns become plain containers, image-only links inside captioned paragraphs are unwrapped. Not on discussion
pages, whose posts are often laid out in tables that trafilatura and the post extraction read as they are."""

from __future__ import annotations

from extractors.dom import text_len

def unwrap_image_links(body) -> None:
    """Unwrap a link that holds only an image inside a paragraph that has text of its own (a caption):
    trafilatura's precision mode drops a paragraph that opens with such a link, caption and all (images
    themselves are not extracted). A thumbnail alone in its box (a sidebar gallery) is left as it is."""
    for a in list(body.iter("a")):
        parent = a.getparent()
        if parent is None or a.find(".//img") is None or (a.text_content() or "").strip():
            continue
        if (parent.text_content() or "").strip():
            a.drop_tag()


_CELL_BLOCKS = ("table", "div", "ul", "ol", "dl", "h1", "h2", "h3", "h4", "h5", "h6", "form", "section", "article",
                "blockquote", "iframe")
_TABLE_PARTS = {"thead", "tbody", "tfoot", "tr", "td", "th", "caption", "colgroup", "col"}


def _own(table, tag: str) -> list:
    """Descendants of a table with this tag that belong to it, not to a table nested in one of its cells."""
    return [el for el in table.iter(tag) if next(el.iterancestors("table"), None) is table]


def is_layout_table(table) -> bool:
    """A table used to place boxes on the page, not to hold data: a single row (side-by-side boxes), or cells
    holding nested tables, lists, headings or divs. trafilatura prints tables as "| a | b |" rows, which turns a
    layout table's chrome (breadcrumbs, app promos, print/close links) into one line no phrase model matches."""
    rows = _own(table, "tr")
    if len(rows) <= 1:
        return True
    return any(next(cell.iterdescendants(*_CELL_BLOCKS), None) is not None
               for cell in _own(table, "td") + _own(table, "th"))


def unwrap_layout_tables(body) -> int:
    """Turn layout tables into plain containers (table, rows and cells become <div>), outermost first; data
    tables (several rows of plain cells) stay tables."""
    n = 0
    for table in list(body.iter("table")):
        if table.tag != "table" or not is_layout_table(table):
            continue
        parts = [el for el in table.iterdescendants() if isinstance(el.tag, str) and el.tag in _TABLE_PARTS
                 and next(el.iterancestors("table"), None) is table]
        for el in parts:
            el.tag = "div"
        table.tag = "div"
        n += 1
    return n


# A list item holding this share of the page's text in blocks (divs, headings, paragraphs) is a page column.
_LAYOUT_ITEM_SHARE = 0.3


def unwrap_layout_lists(body) -> int:
    """Turn lists used as page columns (<ul><li class="left-main">headline, byline, article…</li><li>sidebar</li>)
    into plain containers: trafilatura prints a list item as one "- " line, which glued a whole article (its
    headline, byline and every paragraph) into a single line. A list item is a column when it holds blocks
    (divs, headings, paragraphs) and 30 %+ of the page's text; the list and all its items become <div>s."""
    total = text_len(body) or 1
    n = 0
    for item in list(body.iter("li")):
        lst = item.getparent()
        if item.tag != "li" or lst is None or lst.tag not in ("ul", "ol"):
            continue
        if text_len(item) < _LAYOUT_ITEM_SHARE * total:
            continue
        if next(item.iterdescendants(*_CELL_BLOCKS, "p"), None) is None:
            continue
        for el in lst:
            if isinstance(el.tag, str) and el.tag == "li":
                el.tag = "div"
        lst.tag = "div"
        n += 1
    return n
