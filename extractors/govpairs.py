"""Reading 信息公开 label/value pairs: the vocabulary of disclosure labels, an element flattened into lines (block
elements and table cells break lines, inline elements join), and the lines read as "label：value", "label：" + next
line, or a known label alone on its line + next line, with several pairs on one line split apart. Finding the
blocks that hold them: gov.py."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Normalised key -> labels pages use for it (whitespace and colon removed before matching).
# Only the vocabulary of disclosure blocks in general: no label here comes from one site's page.
VOCABULARY: dict[str, tuple[str, ...]] = {
    "index_no": ("索引号", "信息索引号", "索取号"),
    "doc_no": ("发文字号", "文号", "发文文号", "文件编号", "文件字号", "發文字號"),
    "issuer": ("发文机关", "发文机构", "发布机构", "发文单位", "发布机关", "发布单位", "成文单位", "制发机关", "發文機關",
               "發布機構", "公开主体", "信息公开主体"),
    "written_date": ("成文日期", "成文时间", "印发日期", "签发日期"),
    "published_date": ("发布日期", "发布时间", "公开日期", "公开时间", "发文日期", "信息提供日期", "生成日期", "公布日期",
                       "發布日期", "公开日期"),
    "effective_date": ("实施日期", "施行日期", "生效日期", "生效时间", "实施时间"),
    "expiry_date": ("废止日期", "失效日期", "有效期至"),
    "title": ("标题", "名称", "文件名称", "信息名称", "文件标题"),
    "topic": ("主题分类", "主题", "政策主题", "信息主题"),
    "category": ("分类", "组配分类", "信息分类", "信息类别", "类别", "所属分类", "公开类别"),
    "genre": ("体裁分类", "文种", "公文种类", "体裁"),
    "subject_words": ("主题词", "关键词", "关键字"),
    "validity": ("有效性", "效力状态", "时效性", "是否有效", "效力"),
    "language": ("语种",),
    "format": ("信息格式", "载体类型"),
    "scope": ("公开范围", "公开方式", "公开形式"),
    "audience": ("适用对象", "服务对象"),
    "industry": ("所属行业", "适用行业"),
    "enterprise_size": ("企业规模",),
    "summary": ("内容概述", "摘要", "内容摘要"),
    "source": ("来源", "信息来源", "文章来源"),
}
LABEL_TO_KEY = {label: key for key, labels in VOCABULARY.items() for label in labels}
# Keys that make a block a disclosure block: a byline with 来源 and 发布时间 is not one.
CORE_KEYS = {"index_no", "doc_no", "issuer", "written_date", "effective_date", "expiry_date", "topic", "category",
             "genre", "subject_words", "validity", "language", "format", "scope", "audience", "industry",
             "enterprise_size"}
DATE_KEYS = ("written_date", "published_date", "effective_date", "expiry_date")

# Padding inside labels: ASCII and ideographic spaces, nbsp, en/em spaces ("索&ensp;引&ensp;号").
PAD = re.compile(r"[\s\u00a0\u2000-\u200b\u3000]+")
COLON = "[:：]"
# "label：value" at the start of a line; a label is short and has no digits.
_PAIR = re.compile(rf"^(?P<label>[^\d:：()（）【】\[\]<>《》,，。;；!?！？]{{1,16}}?)\s*{COLON}\s*(?P<value>.*)$", re.S)
MAX_LABEL = 8  # characters, padding removed
_MAX_VALUE = 300
# A 文号 shown without a label: "国科发火〔2016〕32号", "粤府办〔2024〕24号", "京政发[2023]5号".
DOC_NO = re.compile(r"^[\u4e00-\u9fff]{1,16}\s*[〔［\[【(（]\s*(?:19|20)\d{2}\s*[〕］\]】)）]\s*第?\s*\d{1,5}\s*号$")

_BLOCK_TAGS = {"div", "p", "li", "ul", "ol", "tr", "table", "tbody", "thead", "dl", "dt", "dd", "h1", "h2", "h3", "h4",
               "h5", "h6", "section", "article", "header", "footer", "form", "br", "hr", "td", "th", "blockquote",
               "center", "aside", "nav", "main"}
_CELL_TAGS = {"td", "th", "dd", "dt"}
SKIP_TAGS = {"script", "style", "noscript", "template", "head", "title", "select", "option", "button", "iframe"}


def label_key(label: str) -> str:
    """A label as the page prints it, padding and colon removed: "索&ensp;引&ensp;号：" -> "索引号"."""
    return PAD.sub("", label).strip(":：")


@dataclass
class Pair:
    label: str  # the page's label, padding removed
    value: str  # as shown, whitespace collapsed

    @property
    def key(self) -> str | None:
        return LABEL_TO_KEY.get(self.label)


def flatten(el) -> list[str | None]:
    """The element's visible text as lines. A cell that is empty gives None (the value of the label before it
    is empty, not the next cell's label); comments and scripts give nothing."""
    out: list[str | None] = []
    buf: list[str] = []

    def flush(empty_cell: bool = False):
        text = PAD.sub(" ", "".join(buf)).strip()
        buf.clear()
        if text:
            out.append(text)
        elif empty_cell:
            out.append(None)

    def walk(node):
        tag = node.tag if isinstance(node.tag, str) else None
        if tag is None:  # comment / processing instruction: skip, keep its tail
            if node.tail:
                buf.append(node.tail)
            return
        tag = tag.lower()
        if tag in SKIP_TAGS:
            if node.tail:
                buf.append(node.tail)
            return
        block = tag in _BLOCK_TAGS
        if block:
            flush()
        elif node.text and buf and not buf[-1][-1:].isspace() and _LABEL_START.match(node.text):
            # <span>索引号：</span><span>X</span><span>分类：</span>…: an inline element opening with a known label
            # starts another pair, which a browser shows apart (CSS columns) although no space is in the text.
            buf.append(" ")
        start = len(out)
        if node.text:
            buf.append(node.text)
        for child in node:
            walk(child)
        if block:
            flush(empty_cell=tag in _CELL_TAGS and len(out) == start)
        if node.tail:
            buf.append(node.tail)

    walk(el)
    flush()
    return out


def _split_inline(label: str, value: str) -> list[tuple[str, str]]:
    """One line holding several pairs ("索引号：X 发布日期：Y"): split before every further known label."""
    out = []
    while True:
        m = _NEXT_LABEL.search(value)
        if not m:
            out.append((label, value.strip()))
            return out
        out.append((label, value[: m.start()].strip()))
        label, value = label_key(m.group("label")), value[m.end():]


_NEXT_LABEL = re.compile(
    r"(?:^|(?<=\s)|(?<=[|｜]))(?P<label>" + "|".join(
        "\\s*".join(re.escape(ch) for ch in lab) for lab in sorted(LABEL_TO_KEY, key=len, reverse=True)
    ) + rf")\s*{COLON}"
)


_LABEL_START = re.compile(r"\s*(?:" + "|".join(
    "\\s*".join(re.escape(ch) for ch in lab) for lab in sorted(LABEL_TO_KEY, key=len, reverse=True)
) + rf")\s*{COLON}")


def read_pairs(lines: list[str | None]) -> list[Pair]:
    """Label/value pairs from flattened lines: "label：value", "label：" + next line, or a known label alone on its
    line (a table cell without colon) + next line."""
    pairs: list[Pair] = []
    i = 0
    n = len(lines)
    while i < n:
        line = lines[i]
        i += 1
        if not line:
            continue
        m = _PAIR.match(line)
        label = value = None
        if m and 1 <= len(label_key(m.group("label"))) <= MAX_LABEL:
            label, value = label_key(m.group("label")), m.group("value").strip()
        elif label_key(line) in LABEL_TO_KEY:
            label, value = label_key(line), ""
        if label is None:
            continue
        if not value:
            nxt = lines[i] if i < n else None
            if nxt is None:
                i += 1  # an empty cell: the field is shown empty
                continue
            if _is_label_line(nxt):
                continue
            value = nxt
            i += 1
        for lab, val in _split_inline(label, value):
            if val and len(val) <= _MAX_VALUE:
                pairs.append(Pair(lab, val))
    return pairs


def _is_label_line(line: str) -> bool:
    if label_key(line) in LABEL_TO_KEY:
        return True
    m = _PAIR.match(line)
    return bool(m and label_key(m.group("label")) in LABEL_TO_KEY)
