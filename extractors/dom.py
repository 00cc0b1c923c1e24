"""The page tree: one lxml parse shared by every step (nesting-depth check, early end tags), and the small
measures every step takes of it (text length, link text, class/id tokens, block text, look-alike signature)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import lxml.etree as etree
import lxml.html

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_PARSER = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, default_doctype=False)
_HUGE_PARSER = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, default_doctype=False, huge_tree=True)

# libxml2 stops at depth 256 (2048 with huge_tree) and silently drops the rest.
MAX_DEPTH_NOTE = "HTML nested deeper than libxml2's limit (256 levels, 2048 with huge_tree)"


@dataclass
class Parsed:
    root: lxml.html.HtmlElement | None
    too_deep: bool = False
    detail: str | None = None


def _depth_error(parser) -> str | None:
    for entry in parser.error_log:
        if "depth" in entry.message.lower():
            return entry.message
    return None


_EARLY_END = re.compile(r"</(?:html|body)\s*>", re.I)
_MARKUP_AFTER = re.compile(r"<(?:div|p|table|span|h[1-6]|ul|section|article|td|a)\b", re.I)


def _drop_early_end_tags(text: str) -> str:
    """Remove </html> and </body> that content still follows: a server-side include (a shared header) often
    ends with its own </html>, and libxml2 drops everything after it, the article included."""
    if len(_EARLY_END.findall(text)) < 2 and not _EARLY_END.search(text[: max(0, len(text) - 2000)]):
        return text  # the usual page: one closing tag at the very end
    out, last = [], 0
    for m in _EARLY_END.finditer(text):
        if _MARKUP_AFTER.search(text, m.end()):
            out.append(text[last : m.start()])
            last = m.end()
    out.append(text[last:])
    return "".join(out)


def parse(text: str) -> Parsed:
    """Parse once; reparse with huge_tree only when the page is deeper than 256 levels."""
    text = _XML_DECL.sub("", text, count=1)
    text = _drop_early_end_tags(text)
    if not text.strip():
        return Parsed(None)
    try:
        root = lxml.html.document_fromstring(text, parser=_PARSER)
    except (etree.ParserError, ValueError) as exc:
        return Parsed(None, detail=f"unparseable HTML: {exc}")
    if _depth_error(_PARSER) is None:
        return Parsed(root)
    try:
        root = lxml.html.document_fromstring(text, parser=_HUGE_PARSER)
    except (etree.ParserError, ValueError) as exc:
        return Parsed(None, detail=f"unparseable HTML: {exc}")
    err = _depth_error(_HUGE_PARSER)
    if err is not None:
        return Parsed(root, too_deep=True, detail=f"{MAX_DEPTH_NOTE}: {err.strip()}")
    return Parsed(root)


# ---------------------------------------------------------------- pruning


TOKEN_SPLIT = re.compile(r"[\s_\-]+|(?<=[a-z])(?=[A-Z])")


def class_tokens(el) -> set[str]:
    raw = f"{el.get('class', '')} {el.get('id', '')}"
    if not raw.strip():
        return set()
    out = set()
    for tok in TOKEN_SPLIT.split(raw):
        if tok:
            out.add(tok.lower())
    return out


def text_len(el) -> int:
    return len(re.sub(r"\s+", "", el.text_content() or ""))


def link_text_len(el) -> int:
    return sum(len(re.sub(r"\s+", "", a.text_content() or "")) for a in el.iter("a"))


def signature(el) -> tuple[str, str] | None:
    """What look-alike blocks share: tag + class words with digits masked, else tag + id with digits masked."""
    cls = (el.get("class") or "").split()
    if cls:
        return el.tag, "c:" + " ".join(sorted(re.sub(r"\d+", "#", t) for t in cls))
    ident = el.get("id") or ""
    if ident:
        return el.tag, "i:" + re.sub(r"\d+", "#", ident)
    return None


# Inline elements whose text counts as their parent's own (a paragraph's links, emphasis, line breaks).
INLINE_TEXT = {"br", "a", "span", "em", "strong", "b", "i", "font", "img", "code", "u", "small", "sup", "sub", "label"}


def anchor_texts(root) -> set[str]:
    """Normalised texts of the page's links (6+ characters): lines of 'article' made of these are a listing."""
    out = set()
    for a in root.iter("a"):
        t = re.sub(r"\W+", "", a.text_content() or "")
        if len(t) >= 6:
            out.add(t)
    return out


def visible_text(root) -> str:
    """Text of the document with a newline between blocks, for date/author/label scans."""
    body = root.find("body")
    if body is None:
        body = root
    return block_text(body)


def block_text(body) -> str:
    """Text of an element with a newline between blocks (and at <br>)."""
    parts: list[str] = []
    for ev, el in etree.iterwalk(body, events=("start", "end")):
        if not isinstance(el.tag, str):
            continue
        if ev == "start":
            if el.tag in ("script", "style", "noscript", "template"):
                continue
            if el.tag in _BLOCK:
                parts.append("\n")
            if el.text and el.tag not in ("script", "style", "noscript", "template"):
                parts.append(el.text)
        else:
            if el.tag in _BLOCK:
                parts.append("\n")
            elif el.tag in _INLINE_GAP:
                parts.append(" ")  # "<span>记者 王小明</span><span>2024年…" must not read as one word
            if el.tail:
                parts.append(el.tail)
    return re.sub(r"[ \t\u00a0\u3000]+", " ", "".join(parts))


_INLINE_GAP = {"span", "time", "label", "font", "em", "i", "b", "strong", "a", "small", "cite"}
_BLOCK = {"p", "div", "br", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
          "header", "footer", "ul", "ol", "dl", "dt", "dd", "table", "blockquote", "pre", "figure", "figcaption"}


def first_text(root, selector: str) -> str | None:
    """Text of the first element a site-declared selector picks that has any; None for a bad selector."""
    try:
        hits = root.cssselect(selector)
    except Exception:  # a bad selector in a site declaration must not fail the page
        return None
    for el in hits:
        value = re.sub(r"\s+", " ", el.text_content()).strip()
        if value:
            return value
    return None
