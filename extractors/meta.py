"""Article metadata from the page tree: title, byline (author, 来源, editor), 信息公开 table, attachments."""

from __future__ import annotations

import json
import re
from urllib.parse import urljoin, urlsplit

from extractors.record import Attachment, GovInfo

_WS = re.compile(r"\s+")
_KEY = re.compile(r"[\W_]+")


def _clean(s: str | None) -> str:
    return _WS.sub(" ", s or "").strip()


def _key(s: str) -> str:
    return _KEY.sub("", s).lower()


def meta_tags(root) -> dict[str, str]:
    """<meta name|property|itemprop=… content=…> lower-cased, first wins; JSON-LD datePublished/headline too."""
    out: dict[str, str] = {}
    for el in root.iter("meta"):
        key = (el.get("name") or el.get("property") or el.get("itemprop") or el.get("http-equiv") or "").strip().lower()
        value = el.get("content")
        if key and value and key not in out:
            out[key] = value.strip()
    for el in root.iter("script"):
        if (el.get("type") or "").lower() != "application/ld+json" or not el.text:
            continue
        try:
            data = json.loads(el.text)
        except ValueError:
            continue
        for item in data if isinstance(data, list) else [data]:
            if not isinstance(item, dict):
                continue
            for src, dst in (("datePublished", "datepublished"), ("headline", "ld:headline")):
                if isinstance(item.get(src), str) and dst not in out:
                    out[dst] = item[src]
    return out


# ---------------------------------------------------------------- title

_SEPARATORS = re.compile(r"\s*(?:_|\||｜|丨|–|—{1,2}|--|\s-\s|-(?=[^\s-]{2,12}$))\s*")
_HEADING_TAGS = ("h1", "h2", "h3")


def _heading_candidates(root):
    for tag in _HEADING_TAGS:
        for el in root.iter(tag):
            yield tag, el
    for el in root.xpath("//*[contains(translate(@class,'TITLE','title'),'title') or contains(translate(@id,'TITLE','title'),'title')]"):
        if el.tag not in ("html", "head", "title", "body", "meta", "a", "script", "style"):
            yield "class", el


def _element_title(el) -> str:
    # Drop "[编辑]" edit links and similar bracketed controls inside headings.
    text = _clean(el.text_content())
    text = re.sub(r"\[\s*(编辑|編輯|edit)\s*\]$", "", text).strip()
    return text


def find_title(root, meta: dict[str, str], suffixes: tuple[str, ...] = ()):
    """(title, heading element or None). A heading whose text the <title>/og:title contains wins (longest);
    otherwise <title> without the site suffix."""
    doc_title = ""
    t = root.find(".//title")
    if t is not None:
        doc_title = _clean(t.text_content())
    for suffix in suffixes:
        if suffix and doc_title.endswith(suffix):
            doc_title = doc_title[: -len(suffix)].strip()
    refs = [x for x in (doc_title, meta.get("og:title"), meta.get("ld:headline"), meta.get("title")) if x]
    ref_keys = [_key(r) for r in refs]
    best = None
    for rank, (tag, el) in enumerate(_heading_candidates(root)):
        text = _element_title(el)
        k = _key(text)
        if not (2 <= len(k) <= 150) or len(el) > 8:
            continue
        if any(k and k in rk for rk in ref_keys):
            score = (len(k), tag == "h1", -rank)
            if best is None or score > best[0]:
                best = (score, text, el)
    if best is not None and best[0][0] >= 4:
        return best[1], best[2]
    # No heading repeats the <title>: the page's own headline element, if it has one, beats the <title>
    # (which is then often just "site - section"). A headline is never a link (list items are).
    for tag, el in _heading_candidates(root):
        if tag not in ("h1", "class") or el.find(".//a") is not None or el.find(".//img") is not None:
            continue
        if tag == "class" and el.tag not in ("div", "h1", "h2", "h3", "p", "span", "strong"):
            continue
        text = _element_title(el)
        if 6 <= len(_key(text)) <= 80 and len(el) <= 3:
            return text, el
    for ref in refs:
        stripped = strip_site_suffix(ref)
        if len(_key(stripped)) >= 2:
            return stripped, None
    return (doc_title or None), None


def strip_site_suffix(title: str) -> str:
    raw_parts = _SEPARATORS.split(title.strip())
    if raw_parts and not raw_parts[0].strip():
        return ""  # "-铜雀历史网": the headline part is empty, only the site name is left
    parts = [p for p in raw_parts if p.strip()]
    if not parts:
        return ""
    if len(_key(parts[0])) >= 4 or len(parts) == 1:
        return parts[0].strip()
    return max(parts, key=lambda p: len(_key(p))).strip()


# ---------------------------------------------------------------- byline

_NAME = r"[\u4e00-\u9fff·]{2,5}"
_NAMES = rf"{_NAME}(?:\s*[、，,和及 ]\s*{_NAME})*"
_END_NAME = r"(?=[\s）)】\]、，,。\d]|$|报道|報道|摄|攝)"
_AUTHOR_PATTERNS = [
    re.compile(r"作者[ \t]*[:：︱|丨][ \t]*(?P<n>[^\s|｜丨:：]{2,12}(?:[ \t]*[、，,][ \t]*[^\s|｜丨:：]{2,12})*)"),
    re.compile(rf"[（(][ \t]*(?:[^（()）\n]{{0,20}}(?:电|訊|讯))?[ \t]*(?:本报|本報)?(?:记者|記者)[ \t]*(?P<n>{_NAMES})[ \t]*[)）]"),
    # "本报记者 张三 李四 王五": three or more reporters, separated by 、 or by spaces
    re.compile(rf"(?:^|[\s（(]|[报報社网網台闻聞]|特约|实习)(?:记者|記者)[ \t]*[:：|｜丨]?[ \t]*(?P<n>{_NAME}(?:[ \t]*[、，,][ \t]*{_NAME}|[ \t]+{_NAME})*){_END_NAME}"),
    re.compile(rf"(?:^|\n|\s)文[ \t]*[/|｜丨][ \t]*(?P<n>{_NAMES}){_END_NAME}"),
]
# A signature closing the article: "……推动高质量发展。（钟才文）", "（张三 李四）".
_END_SIGNATURE = re.compile(rf"[。！？!?”\"」』）)][ \t]*[（(][ \t]*(?P<n>{_NAME}(?:[ \t]*[、，, ][ \t]*{_NAME}){{0,4}})[ \t]*[)）][ \t]*$")
_NOT_SIGNATURE = re.compile(r"完|待续|續|图|圖|摄|攝|社|报|報|网|網|台|部|局|委|院|会|會|办|辦|省|市|县|縣|区|區|镇|鎮|村|站|中心|公司|集团|供图|来源|编辑|编译|整理|综合|译")
_SOURCE = re.compile(r"(?:来源|來源|稿件来源|信息来源|文章来源)[ \t]*[:：]\s{0,4}(?P<s>[^\s|｜丨:：]{2,30})")
_NOT_A_NAME = {"记者", "编辑", "通讯员", "摄影", "图片", "视频", "来源", "新华社", "人民日报", "发布", "时间"}


def _split_names(raw: str) -> list[str]:
    names = [n.strip(" ·") for n in re.split(r"[、，,和及\s]+", raw) if n.strip(" ·")]
    # A name has letters (Han or Latin); ids, counts and dates that follow "作者：" on some pages do not.
    return [n for n in names if n not in _NOT_A_NAME and re.search(r"[^\W\d_]", n) and len(n) <= 20
            and not re.search(r"编辑|編輯|责编|責編|来源|來源|通讯员|通訊員|实习生|實習生|(报道|報道|报导|摄|攝|电|電)$", n)]


def find_author(header_text: str, lead_text: str, meta: dict[str, str], editor: str | None,
                tail_text: str = "") -> str | None:
    for text in (header_text, lead_text, tail_text):
        for pat in _AUTHOR_PATTERNS:
            m = pat.search(text)
            if m:
                names = _split_names(m.group("n"))
                if names:
                    return ", ".join(names)
    m = _END_SIGNATURE.search(tail_text.rstrip())
    if m and not _NOT_SIGNATURE.search(m.group("n")) and not _is_place(m.group("n")):
        names = _split_names(m.group("n"))
        if names:
            return ", ".join(names)
    value = _clean(meta.get("author") or meta.get("article:author"))
    if value and re.search(r"编辑|編輯|责编|責編", value):
        value = ""
    if value and not value.startswith("http") and not (editor and (editor in value or value in editor)) and len(value) <= 40:
        return value
    return None


def _is_place(text: str) -> bool:
    from extractors.regions import mentioned

    return bool(mentioned(text))


def find_source(header_text: str) -> str | None:
    m = _SOURCE.search(header_text)
    if not m:
        return None
    return m.group("s").strip("　 ")


# ---------------------------------------------------------------- 信息公开 table

_GOV_LABELS = {
    "index_no": r"索\s*引\s*号",
    "doc_no": r"(?:发文字号|發文字號|文\s*号)",
    "issuer": r"(?:发文机关|發文機關|发布机构|發布機構|发文单位)",
    "written_date": r"(?:成文日期|成文时间)",
    "published_date": r"(?:发布日期|發布日期|公开日期|发布时间)",
}
_GOV_RE = {k: re.compile(rf"^\s*{v}\s*[:：]?\s*(?P<v>.*)$", re.S) for k, v in _GOV_LABELS.items()}


def find_gov(root) -> GovInfo | None:
    info, _ = find_gov_table(root)
    return info


def find_gov_table(root):
    """(GovInfo, the element holding the table) or (None, None). The table is metadata, not article text."""
    from extractors.dates import parse_date

    found: dict[str, str] = {}
    label_els = []
    for el in root.iter("td", "th", "span", "li", "p", "div", "b", "strong", "label", "dt", "dd"):
        own = _clean(el.text)
        if not own or len(own) > 80:
            continue
        for key, pat in _GOV_RE.items():
            if key in found:
                continue
            m = pat.match(own)
            if not m:
                continue
            value = _clean(m.group("v"))
            if not value:
                # value in the element's children, or in the next cell / sibling
                rest = _clean(el.text_content())[len(own):].strip(" :：")
                value = rest
            if not value:
                nxt = el.getnext()
                if nxt is not None:
                    value = _clean(nxt.text_content())
            if value and len(value) <= 80:
                found[key] = value
                label_els.append(el)
    if "index_no" not in found and "doc_no" not in found:
        return None, None  # publish dates alone do not make a 信息公开 table
    for key in ("written_date", "published_date"):
        if key in found:
            parsed = parse_date(found[key])
            found[key] = parsed[0][:10] if parsed else None
    return GovInfo(**found), _common_block(label_els)


def _common_block(els):
    """The smallest table/div/ul holding at least two of the label elements, if it is small (a table, not the page)."""
    if len(els) < 2:
        return None
    first = els[0]
    for anc in first.iterancestors():
        if anc.tag in ("body", "html"):
            return None
        if anc.tag in ("table", "div", "ul", "dl", "section") and sum(1 for e in els[1:] if anc in e.iterancestors()) >= 1:
            text = _clean(anc.text_content())
            return anc if len(text) <= 600 else None
    return None


# ---------------------------------------------------------------- attachments

ATTACHMENT_TYPES = ("pdf", "doc", "docx", "xls", "xlsx", "wps", "zip", "rar", "ofd", "ppt", "pptx", "et", "7z")


def base_url(root, url: str) -> str:
    base = root.find(".//base")
    if base is not None and base.get("href"):
        return urljoin(url, base.get("href").strip())
    return url


def find_attachments(root, url: str) -> tuple[Attachment, ...]:
    base = base_url(root, url)
    out: list[Attachment] = []
    seen: set[str] = set()
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        path = urlsplit(href).path.lower()
        ext = path.rsplit(".", 1)[-1] if "." in path.rsplit("/", 1)[-1] else ""
        if ext not in ATTACHMENT_TYPES:
            continue
        absolute = urljoin(base, href)
        if absolute in seen:
            continue
        seen.add(absolute)
        out.append(Attachment(url=absolute, name=_clean(a.text_content()) or path.rsplit("/", 1)[-1], type=ext))
    return tuple(out)
