"""The 信息公开 (government information disclosure) block: its fields from whatever markup the page uses.

The same 索引号 / 发文字号 / 发文机关 / 成文日期 … block comes as table cells (with or without colons), as div/span or
li rows, as `<p>` "label：value" lines, as a `<dl>`, with label and value on separate lines, or only inside an HTML
comment. All of them are read the same way: the candidate element is flattened into lines (block elements and table
cells break lines, inline elements join), and the lines are read as label/value pairs. A block counts when it holds
labels of the vocabulary below and is made mostly of such pairs; every pair in it is kept under the page's own label
(so 分类, 主题词, 语种 … are never dropped), and the known ones also under a normalised key. The vocabulary and the pair reading: govpairs.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree, html

from extractors.govpairs import (COLON, CORE_KEYS, DATE_KEYS, DOC_NO, LABEL_TO_KEY, MAX_LABEL, PAD, SKIP_TAGS, Pair,
                                 flatten, label_key, read_pairs)
from extractors.record import GovField, GovInfo

# A block is small (a card, not the page) and mostly pairs.
_MAX_BLOCK_CHARS = 1500
_MIN_PAIR_SHARE = 0.6


@dataclass
class GovBlock:
    """Pairs found, and the elements that held them (to keep them out of the body text)."""

    pairs: list[Pair] = field(default_factory=list)
    elements: list = field(default_factory=list)
    layout: str = ""

    def info(self) -> GovInfo | None:
        if not self.pairs:
            return None
        return make_info([(p.label, p.value) for p in self.pairs], self.layout)


def make_info(pairs: list[tuple[str, str]], layout: str = "") -> GovInfo | None:
    from extractors.dates import parse_date

    labels: dict[str, str] = {}
    values: dict[str, str] = {}
    for label, value in pairs:
        if label in labels or not value:
            continue
        labels[label] = value
        key = LABEL_TO_KEY.get(label)
        if key and key not in values:
            values[key] = value
    if not labels:
        return None
    for key in DATE_KEYS:
        if key in values:
            parsed = parse_date(values[key])
            if parsed:
                values[key] = parsed[0][:10]
            else:
                del values[key]  # "长期有效" under 有效期至 is not a date; the label keeps it
    known = {k: v for k, v in values.items() if k in GovInfo.__dataclass_fields__}
    fields = tuple(GovField(label, value, LABEL_TO_KEY.get(label)) for label, value in labels.items())
    return GovInfo(**known, fields=fields, layout=layout or None)


# ---------------------------------------------------------------- finding blocks

def _own_texts(el):
    if el.text:
        yield el.text
    for child in el:
        if child.tail:
            yield child.tail


def _hits(root) -> list:
    """Elements whose own text starts with a known label (a label cell, a label span, a "label：value" line)."""
    out = []
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag.lower() in SKIP_TAGS:
            continue
        for text in _own_texts(el):
            t = label_key(text[:40])
            if not t:
                continue
            for n in range(min(len(t), MAX_LABEL), 1, -1):
                if t[:n] in LABEL_TO_KEY and (len(t) == n or text.strip()[-1:] in ":：" or re.search(
                        r"^[\s\u00a0\u2000-\u200b\u3000]*" + r"\s*".join(re.escape(c) for c in t[:n]) + rf"\s*{COLON}", text)):
                    if not _hidden(el):
                        out.append(el)
                    break
            else:
                continue
            break
    return out


_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_HIDDEN_CLASSES = {"hidden", "hide", "ng-hide", "d-none", "none"}


def _hidden(el) -> bool:
    """The element or an ancestor is hidden from the reader (a template's switched-off metadata row, a print copy)."""
    for x in (el, *el.iterancestors()):
        if x.get("hidden") is not None or x.get("aria-hidden") == "true" or _HIDDEN_STYLE.search(x.get("style") or ""):
            return True
        if _HIDDEN_CLASSES & set((x.get("class") or "").lower().split()):
            return True
    return False


def _text_len(lines: list[str | None]) -> int:
    return sum(len(PAD.sub("", x)) for x in lines if x)


def _is_block(pairs: list[Pair], lines: list[str | None]) -> bool:
    keys = {p.key for p in pairs if p.key}
    if len(pairs) < 2 or not keys & CORE_KEYS:
        return False
    total = _text_len(lines)
    covered = sum(len(PAD.sub("", p.label)) + len(PAD.sub("", p.value)) for p in pairs)
    return total <= _MAX_BLOCK_CHARS and covered >= _MIN_PAIR_SHARE * total


def find_blocks(root) -> list[GovBlock]:
    """Disclosure blocks of the page tree, largest first: for every element holding label text, the highest
    ancestor that is still a block (small, mostly pairs)."""
    chosen: list = []
    for hit in _hits(root):
        if any(hit is c or c in hit.iterancestors() for c in chosen):
            continue
        best = None
        for anc in [hit, *hit.iterancestors()]:
            if not isinstance(anc.tag, str) or anc.tag in ("body", "html"):
                break
            lines = flatten(anc)
            if _text_len(lines) > _MAX_BLOCK_CHARS:
                break
            pairs = read_pairs(lines)
            if _is_block(pairs, lines):
                best = (anc, pairs)
        if best is not None:
            el, _ = best
            chosen = [c for c in chosen if el not in c.iterancestors()] + [el]
    blocks = []
    for el in chosen:
        pairs = read_pairs(flatten(el))
        blocks.append(GovBlock(pairs, [el], _layout(el)))
    blocks.sort(key=lambda b: -len(b.pairs))
    return blocks


def _layout(el) -> str:
    tags = {x.tag for x in el.iter() if isinstance(x.tag, str)}
    if "td" in tags or "th" in tags:
        return "table"
    if "dt" in tags or "dd" in tags:
        return "dl"
    if el.tag == "p" or (tags & {"p"} and not tags & {"li", "span", "font"}):
        return "lines"
    return "rows"


_COMMENT = re.compile(r"<!--(.*?)-->", re.S)


def from_comments(html_text: str) -> list[GovBlock]:
    """Blocks that the page only has inside an HTML comment (a template that switched the block off but still
    renders it). The parser drops comments, so they are read from the decoded HTML: parsed as HTML and read like
    a visible block."""
    out = []
    for m in _COMMENT.finditer(html_text or ""):
        text = m.group(1)
        if len(text) < 10:
            continue
        flat = PAD.sub("", text)
        if sum(1 for lab in LABEL_TO_KEY if lab in flat) < 2:
            continue
        try:
            frag = html.fragment_fromstring(text, create_parent="div")
        except (etree.ParserError, ValueError):
            continue
        for block in find_blocks(frag):
            block.elements = []  # nothing visible to remove
            block.layout = "comment"
            out.append(block)
    return out


@dataclass
class Found:
    """What the page's disclosure blocks hold, before the article text is known."""

    pairs: list[tuple[str, str]] = field(default_factory=list)
    layout: str = ""
    elements: list = field(default_factory=list)  # visible block elements, to keep out of the body text
    bare_doc_nos: list[str] = field(default_factory=list)  # 文号 printed without a label

    def value(self, key: str) -> str | None:
        for label, value in self.pairs:
            if LABEL_TO_KEY.get(label) == key and value:
                return value
        return None

    def publish_date(self) -> tuple[str, str] | None:
        """(ISO day, text) of the block's labelled publish date."""
        from extractors.dates import parse_date

        raw = self.value("published_date")
        parsed = parse_date(raw) if raw else None
        return (parsed[0], parsed[1]) if parsed else None

    def info(self, header: str = "", body_text: str = "") -> GovInfo | None:
        """The record's gov: the blocks' pairs, plus known pairs on the byline row and a bare 文号 outside the
        article text when the blocks lack them. A byline alone (来源, 发布时间) makes no gov."""
        pairs = list(self.pairs)
        have = {LABEL_TO_KEY.get(lab) for lab, _ in pairs}
        if "doc_no" not in have:
            body = PAD.sub("", body_text)
            for doc_no in self.bare_doc_nos:
                if PAD.sub("", doc_no) not in body:
                    pairs.append(("文号", doc_no))
                    break
        if not pairs:
            return None
        if header:
            labels = {lab for lab, _ in pairs}
            pairs += [(lab, val) for lab, val in header_pairs(header) if lab not in labels]
        return make_info(pairs, self.layout or "header")


def find(root, html_text: str = "") -> Found:
    """Visible blocks first, then a commented-out one; pairs of later blocks add labels the first one lacks (a
    card of 索引号… plus a row of 主题词). Call before the tree is pruned."""
    blocks = find_blocks(root) or from_comments(html_text)
    out = Found(bare_doc_nos=bare_doc_nos(root))
    for b in blocks:
        out.pairs += [(p.label, p.value) for p in b.pairs]
        out.elements += b.elements
    if blocks:
        out.layout = blocks[0].layout
    return out


def header_pairs(header: str) -> list[tuple[str, str]]:
    """Known pairs on the lines right after the headline ("发布日期：2016-02-01" in a byline row)."""
    lines = [x.strip() for x in header.splitlines() if x.strip()][:12]
    return [(p.label, p.value) for p in read_pairs(lines) if p.key]


def bare_doc_nos(root) -> list[str]:
    """文号 printed alone in an element ("国科发火〔2016〕32号" in a subtitle or metadata slot), in page order. Whether
    one is metadata or the first line of the document's text is decided once the text is known (Found.info)."""
    out = []
    for el in root.iter("span", "div", "p", "font", "td", "em", "strong", "h2", "h3", "h4", "li"):
        if len(el) > 2:
            continue
        text = PAD.sub(" ", el.text_content()).strip()
        if len(text) <= 40 and DOC_NO.match(text) and text not in out and not _hidden(el):
            out.append(text)
    return out
