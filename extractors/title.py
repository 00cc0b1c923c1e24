"""The article's headline: the heading the <title>/og:title repeats, else the page's own non-link headline element,
else the <title> without its site suffix (and a site's declared prefixes/suffixes/separators)."""

from __future__ import annotations

import re

_WS = re.compile(r"\s+")
_KEY = re.compile(r"[\W_]+")


def squash_space(s: str | None) -> str:
    """Runs of whitespace as one space, trimmed (titles and bylines as shown)."""
    return _WS.sub(" ", s or "").strip()


def compare_key(s: str) -> str:
    """What two titles or names are compared by: no punctuation, spaces or case."""
    return _KEY.sub("", s).lower()


# The last alternative: "…GPU-EDN 电子技术设计", a short site name (one space allowed) after a bare hyphen.
SITE_SEPARATORS = re.compile(r"\s*(?:_|\||｜|丨|–|—{1,2}|--|\s-\s|-(?=[^\s-]{2,12}(?:\s[^\s-]{2,8})?$))\s*")
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
    text = squash_space(el.text_content())
    text = re.sub(r"\[\s*(编辑|編輯|edit)\s*\]$", "", text).strip()
    return text


def find_title(root, meta: dict[str, str], suffixes: tuple[str, ...] = (), prefixes: tuple[str, ...] = (),
               separators: tuple[str, ...] = ()):
    """(title, heading element or None). A heading whose text the <title>/og:title contains wins (longest);
    otherwise <title> without the site suffix."""
    doc_title = ""
    t = root.find(".//title")
    if t is not None:
        doc_title = squash_space(t.text_content())
    for suffix in suffixes:
        if suffix and doc_title.endswith(suffix):
            doc_title = doc_title[: -len(suffix)].strip()
    for prefix in prefixes:
        if prefix and doc_title.startswith(prefix):
            doc_title = doc_title[len(prefix):].strip()
    for sep in separators:
        if sep and sep in doc_title:
            doc_title = doc_title[: doc_title.rindex(sep)].strip()
    # "articletitle": the headline government CMSs (TRS, Hanweb, NFCMS) put in <meta name="ArticleTitle">.
    refs = [x for x in (doc_title, meta.get("og:title"), meta.get("ld:headline"), meta.get("title"),
                        meta.get("articletitle")) if x]
    ref_keys = [compare_key(r) for r in refs]
    best = None
    for rank, (tag, el) in enumerate(_heading_candidates(root)):
        text = _element_title(el)
        k = compare_key(text)
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
    # It must share words with the <title>/og:title when the page has one: a "您可能感兴趣的文章" box title, an
    # app-download link "IOS客户端", a breadcrumb "首页 - 新闻动态" are the first class*=title element on some pages.
    # Only a <title> that carries a headline counts: "科普中国-辟谣文章", "-铜雀历史网" are just site and section.
    ref_grams = set()
    for rk in (compare_key(r) for r in refs if len(compare_key(strip_site_suffix(r))) >= 8):
        ref_grams.update(rk[i : i + 2] for i in range(len(rk) - 1))
    for tag, el in _heading_candidates(root):
        if tag not in ("h1", "class") or el.find(".//a") is not None or el.find(".//img") is not None:
            continue
        if tag == "class" and el.tag not in ("div", "h1", "h2", "h3", "p", "span", "strong"):
            continue
        text = _strip_badge(el, _element_title(el))
        if not (6 <= len(compare_key(text)) <= 80 and len(el) <= 3) or _BREADCRUMB.match(text) or _BOX_TITLE.match(text):
            continue
        if ref_grams:
            k = compare_key(text)
            grams = [k[i : i + 2] for i in range(len(k) - 1)]
            if sum(g in ref_grams for g in grams) < 0.5 * len(grams):
                continue
        return text, el
    # og:title / ld:headline inside the <title> is the headline without the site and keyword suffixes.
    if doc_title:
        inner = [r for r in refs[1:] if 4 <= len(compare_key(r)) < len(compare_key(doc_title)) and compare_key(r) in compare_key(doc_title)]
        if inner:
            return max(inner, key=len), None
    for ref in refs:
        stripped = strip_site_suffix(ref)
        if len(compare_key(stripped)) >= 2:
            return stripped, None
    return (doc_title or None), None


_BREADCRUMB = re.compile(r"\s*(?:首页|首頁|主页|主頁|当前位置|當前位置|您的位置|您现在的位置|你的位置|位置)\s*[:：>»/\-–]")
# Titles of link boxes and sidebars, never an article's headline.
_BOX_TITLE = re.compile(r"\s*(?:友情链接|友情鏈接|相关|相關|热门|熱門|推荐|推薦|精彩推荐|猜你喜欢|猜你喜歡|您可能感兴趣|你可能感兴趣|"
                        r"您可能也喜欢|最新文章|最新资讯|热点|熱點|更多|排行|阅读排行|點擊排行|点击排行|延伸阅读|延伸閱讀)")
# Badges printed as their own element before the headline: "原创", "置顶", "独家", "热", "推荐".
_BADGES = ("原创", "原創", "转载", "轉載", "翻译", "翻譯", "置顶", "置頂", "独家", "獨家", "精华", "精華", "推荐", "推薦", "热", "熱", "荐", "薦", "新", "顶", "頂", "图", "圖")


def _strip_badge(el, text: str) -> str:
    """The headline without a leading badge that the page prints as a separate child element (<span>原创</span>)."""
    for child in el:
        if not isinstance(child.tag, str):
            continue
        if (el.text or "").strip():
            break  # the headline starts with the parent's own text: no leading badge element
        badge = squash_space(child.text_content())
        if badge in _BADGES and text.startswith(badge) and len(compare_key(text)) > len(badge) + 4:
            return text[len(badge):].strip()
        break
    return text


def strip_site_suffix(title: str) -> str:
    raw_parts = SITE_SEPARATORS.split(title.strip())
    if raw_parts and not raw_parts[0].strip():
        return ""  # "-铜雀历史网": the headline part is empty, only the site name is left
    parts = [p for p in raw_parts if p.strip()]
    if not parts:
        return ""
    if len(compare_key(parts[0])) >= 4 or len(parts) == 1:
        return parts[0].strip()
    return max(parts, key=lambda p: len(compare_key(p))).strip()
