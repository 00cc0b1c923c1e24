"""The attachments an article page links (PDF, DOC, XLS, OFD…): file type from the link, the 附件 block wherever the
page puts it, and the attachment-naming lines trafilatura drops from the text. (Their downloaded text and
records: documents.py, attachment.py.)"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from extractors.record import Attachment
from extractors.text import _key as _text_key

_WS = re.compile(r"\s+")


def _clean(s: str | None) -> str:
    return _WS.sub(" ", s or "").strip()


ATTACHMENT_TYPES = ("pdf", "doc", "docx", "xls", "xlsx", "wps", "zip", "rar", "ofd", "ppt", "pptx", "et", "7z")


_QUERY_FILE = re.compile(r"[^/=&?]+\.([A-Za-z0-9]{1,5})$")


def attachment_type(href: str) -> str:
    """The attachment's file type from its link: the path's extension, or that of a file name passed to a download
    script ("/module/download/downfile.jsp?classid=0&filename=….doc"); "" when the link is not to a file."""
    parts = urlsplit(href)
    path = parts.path.lower()
    ext = path.rsplit(".", 1)[-1] if "." in path.rsplit("/", 1)[-1] else ""
    if ext in ATTACHMENT_TYPES:
        return ext
    for value in (v for kv in parts.query.split("&") for v in kv.split("=", 1)[1:]):
        m = _QUERY_FILE.search(value)
        if m and m.group(1).lower() in ATTACHMENT_TYPES:
            return m.group(1).lower()
    return ""


def base_url(root, url: str) -> str:
    base = root.find(".//base")
    if base is not None and base.get("href"):
        return urljoin(url, base.get("href").strip())
    return url


def find_attachments(root, url: str) -> tuple[Attachment, ...]:
    return tuple(att for att, _ in _attachment_links(root, url))


def _attachment_links(root, url: str):
    base = base_url(root, url)
    out = []
    seen: set[str] = set()
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        ext = attachment_type(href)
        if not ext:
            continue
        absolute = urljoin(base, href)
        if absolute in seen:
            continue
        seen.add(absolute)
        name = _clean(a.text_content()) or urlsplit(href).path.rsplit("/", 1)[-1]
        out.append((Attachment(url=absolute, name=name, type=ext), a))
    return out


_ATTACHMENT_LABEL = re.compile(r"^\s*(?:相关附件|附件下载|附件|附 件)\s*(?:\d+|[一二三四五六七八九十]+)?\s*[:：.、]?")


def attachment_block(root, url: str) -> tuple[Attachment, ...]:
    """Attachment links of the page's 附件 block, wherever the page puts it (often after the text, outside the
    article container): links whose text is labelled 附件 / 附件1, that sit in a small element whose text
    opens with that label, or in a list right after a short heading saying 附件 / 相关附件. Call before pruning: link lists are chrome to the pruner."""
    found = []
    for att, a in _attachment_links(root, url):
        if _ATTACHMENT_LABEL.match(a.text_content() or ""):
            found.append(att)
            continue
        el = a.getparent()
        for _ in range(3):
            if el is None:
                break
            own = el.text_content() or ""
            if len(own) > 2000:
                break
            if _ATTACHMENT_LABEL.match(own):
                found.append(att)
                break
            # a heading of its own just before the list: <p>相关附件</p><ul><li><a …>
            prev = el.getprevious()
            label = (prev.text_content() or "").strip() if prev is not None and isinstance(prev.tag, str) else ""
            if label and len(label) <= 12 and _ATTACHMENT_LABEL.match(label):
                found.append(att)
                break
            el = el.getparent()
    return tuple(found)


def merge_attachments(*lists: tuple[Attachment, ...]) -> tuple[Attachment, ...]:
    seen: set[str] = set()
    out = []
    for items in lists:
        for att in items:
            if att.url not in seen:
                seen.add(att.url)
                out.append(att)
    return tuple(out)


_ATTACHMENT_BLOCKS = ("p", "li", "div", "td", "dd")


def with_attachment_lines(container, raw: str) -> str:
    """Paragraphs that name an attachment with a link ("附件：1.<a>…办法</a>") right after the text's last
    paragraphs: trafilatura drops them as link-heavy, yet they are the document's own lines."""
    have = _text_key(raw)
    added = []
    for a in container.iter("a"):
        if not attachment_type((a.get("href") or "").strip()):
            continue
        block = next((x for x in a.iterancestors() if x.tag in _ATTACHMENT_BLOCKS), None)
        if block is None:
            continue
        line = re.sub(r"\s+", " ", block.text_content()).strip()
        key = _text_key(line)
        if not key or len(line) > 200 or key in have:
            continue
        # only right after the article's own lines: a sibling among the three before it is in the text
        near = [_text_key(x.text_content()) for x in list(block.itersiblings(preceding=True))[:3]]
        if not any(len(k) >= 4 and k in have for k in near):
            continue
        added.append(line)
        have += key
    return raw + "\n" + "\n".join(added) if added else raw
