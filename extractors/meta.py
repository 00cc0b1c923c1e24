"""Article metadata from the page tree: meta tags, title, byline (author, 来源, editor), attachments.
(The 信息公开 block is extractors/gov.py.)"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from urllib.parse import urljoin, urlsplit

from extractors.record import Attachment

_WS = re.compile(r"\s+")
_KEY = re.compile(r"[\W_]+")


def _clean(s: str | None) -> str:
    return _WS.sub(" ", s or "").strip()


def _key(s: str) -> str:
    return _KEY.sub("", s).lower()


_INLINE_PUBTIME = re.compile(
    r"""["']?(?:pubtime|pub_time|pubTime|publish_time|publishTime|publishtime|publishDate|publish_date|pubDate|"""
    r"""datePublished|firstPublishTime|ptime)["']?\s*[:=]\s*["'](?P<v>(?:19|20)\d{2}[-/.]\d{1,2}[-/.]\d{1,2}[^"']{0,20})["']"""
)


# Unix seconds under a key that names the publish time and nothing else (anchored: a whole key, not the end of
# "xpublish_time"); keys a site uses for it under another name ("var ct" on WeChat) are declared for that site
# (ExtractionHints.script_epoch_keys, extractors/data/publishers/). "create_time" is not one: it is any object's.
_EPOCH_KEYS = ("publish_time", "publishTime", "pubtime", "pub_time", "publishtime")


def _epoch_pattern(keys: tuple[str, ...]) -> re.Pattern:
    names = "|".join(re.escape(k) for k in keys)
    return re.compile(
        rf"""(?:\bvar\s+|\blet\s+|\bconst\s+|(?<![\w$.])["']?)(?:{names})["']?\s*[:=]\s*["']?(?P<v>1[0-9]{{9}})(?![0-9])"""
    )


_INLINE_EPOCH = _epoch_pattern(_EPOCH_KEYS)
_CHINA = timezone(timedelta(hours=8))


def _epoch_pubtime(script: str, site_keys: tuple[str, ...] = ()) -> str | None:
    m = _INLINE_EPOCH.search(script) or (_epoch_pattern(site_keys).search(script) if site_keys else None)
    if not m:
        return None
    # Ten digits starting with 1: 2001-09 .. 2033-05. No comparison with the clock: extraction stays a pure
    # function of the page, so re-extracting an old WARC gives the same record.
    return datetime.fromtimestamp(int(m.group("v")), _CHINA).strftime("%Y-%m-%d %H:%M:%S")


def meta_tags(root, epoch_keys: tuple[str, ...] = ()) -> dict[str, str]:
    """<meta name|property|itemprop=… content=…> lower-cased, first wins; JSON-LD datePublished/headline too."""
    out: dict[str, str] = {}
    prefixed: dict[str, str] = {}
    for el in root.iter("meta"):
        key = (el.get("name") or el.get("property") or el.get("itemprop") or el.get("http-equiv") or "").strip().lower()
        value = el.get("content")
        if key and value and key not in out:
            out[key] = value.strip()
            # Government CMSs write the same tag as "PubDate", "pubdate" or "meta-PubDate" (NFCMS on some portals):
            # the prefixed name also answers for the bare one, unless the page has that one too.
            if key.startswith("meta-") and len(key) > 5:
                prefixed.setdefault(key[5:], value.strip())
    for key, value in prefixed.items():
        out.setdefault(key, value)
    for el in root.iter("script"):
        if not el.text:
            continue
        if (el.get("type") or "").lower() != "application/ld+json":
            # Inline page-config JSON ("pubtime": "2019-09-07 19:02:26"): the CMS's own publish time.
            if "json:pubtime" not in out:
                m = _INLINE_PUBTIME.search(el.text)
                if m:
                    out["json:pubtime"] = m.group("v")
                else:
                    stamp = _epoch_pubtime(el.text, epoch_keys)
                    if stamp:
                        out["json:pubtime"] = stamp
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

# The last alternative: "…GPU-EDN 电子技术设计", a short site name (one space allowed) after a bare hyphen.
_SEPARATORS = re.compile(r"\s*(?:_|\||｜|丨|–|—{1,2}|--|\s-\s|-(?=[^\s-]{2,12}(?:\s[^\s-]{2,8})?$))\s*")
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


def find_title(root, meta: dict[str, str], suffixes: tuple[str, ...] = (), prefixes: tuple[str, ...] = (),
               separators: tuple[str, ...] = ()):
    """(title, heading element or None). A heading whose text the <title>/og:title contains wins (longest);
    otherwise <title> without the site suffix."""
    doc_title = ""
    t = root.find(".//title")
    if t is not None:
        doc_title = _clean(t.text_content())
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
    # It must share words with the <title>/og:title when the page has one: a "您可能感兴趣的文章" box title, an
    # app-download link "IOS客户端", a breadcrumb "首页 - 新闻动态" are the first class*=title element on some pages.
    # Only a <title> that carries a headline counts: "科普中国-辟谣文章", "-铜雀历史网" are just site and section.
    ref_grams = set()
    for rk in (_key(r) for r in refs if len(_key(strip_site_suffix(r))) >= 8):
        ref_grams.update(rk[i : i + 2] for i in range(len(rk) - 1))
    for tag, el in _heading_candidates(root):
        if tag not in ("h1", "class") or el.find(".//a") is not None or el.find(".//img") is not None:
            continue
        if tag == "class" and el.tag not in ("div", "h1", "h2", "h3", "p", "span", "strong"):
            continue
        text = _strip_badge(el, _element_title(el))
        if not (6 <= len(_key(text)) <= 80 and len(el) <= 3) or _BREADCRUMB.match(text) or _BOX_TITLE.match(text):
            continue
        if ref_grams:
            k = _key(text)
            grams = [k[i : i + 2] for i in range(len(k) - 1)]
            if sum(g in ref_grams for g in grams) < 0.5 * len(grams):
                continue
        return text, el
    # og:title / ld:headline inside the <title> is the headline without the site and keyword suffixes.
    if doc_title:
        inner = [r for r in refs[1:] if 4 <= len(_key(r)) < len(_key(doc_title)) and _key(r) in _key(doc_title)]
        if inner:
            return max(inner, key=len), None
    for ref in refs:
        stripped = strip_site_suffix(ref)
        if len(_key(stripped)) >= 2:
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
        badge = _clean(child.text_content())
        if badge in _BADGES and text.startswith(badge) and len(_key(text)) > len(badge) + 4:
            return text[len(badge):].strip()
        break
    return text


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
# A two-character name typeset with a space between its characters ("方 敏", "方　敏") to line up with
# three-character names; collapsed before splitting.
_SPACED_NAME = r"[\u4e00-\u9fff][ \t\u3000\xa0]{1,2}[\u4e00-\u9fff](?![\u4e00-\u9fff])"
_NAMES = rf"{_NAME}(?:\s*[、，,和及 ]\s*{_NAME})*"
_END_NAME = r"(?=[\s）)】\]、，,。\d]|$|报道|報道|摄|攝)"
_JOB_WORDS = (
    r"(?:研究员|研究員|教授|讲师|講師|部长|部長|主任|院长|院長|所长|所長|处长|處長|局长|局長|博士|硕士|碩士|"
    r"总裁|總裁|总监|總監|总经理|總經理|董事长|董事長|主编|主編|分析师|分析師|经济学家|經濟學家|学者|學者|专家|專家|"
    r"律师|律師|医生|醫生|顾问|顧問|委员|委員|会长|會長|秘书长|秘書長|评论员|評論員|特约作者|学生|學生)"
)
_JOB_TITLE = re.compile(rf"^.*{_JOB_WORDS}[ \t]*(?P<n>[\u4e00-\u9fff·]{{2,4}})$")
# "作者：中国国际经济交流中心世界经济研究部部长，……研究员徐占忱）": the name after the last job title.
_AUTHOR_WITH_TITLE = re.compile(
    rf"作者[ \t]*[:：︱|丨][ \t]*[^\n（()）]{{0,80}}?{_JOB_WORDS}[ \t]*(?P<n>[\u4e00-\u9fff·]{{2,4}})(?=[）)\s。]|$)"
)

_AUTHOR_PATTERNS = [
    _AUTHOR_WITH_TITLE,
    re.compile(r"作者[ \t]*[:：︱|丨][ \t]*(?P<n>[^\s|｜丨:：]{2,12}(?:[ \t]*[、，,][ \t]*[^\s|｜丨:：]{2,12})*)"),
    re.compile(rf"[（(][ \t]*(?:[^（()）\n]{{0,20}}(?:电|訊|讯))?[ \t]*(?:本报|本報)?(?:记者|記者)[ \t]*(?P<n>{_NAMES})[ \t]*[)）]"),
    # "本报记者 张三 李四 王五": three or more reporters, separated by 、 or by spaces
    re.compile(rf"(?:^|[\s（(]|[报報社网網台闻聞]|特约|实习)(?:记者|記者)[ \t]*[:：|｜丨]?[ \t]*(?P<n>{_NAME}(?:[ \t]*[、，,][ \t]*{_NAME}|[ \t]+(?:{_SPACED_NAME}|{_NAME}))*){_END_NAME}"),
    re.compile(rf"(?:^|\n|\s)文[ \t]*[/|｜丨][ \t]*(?P<n>{_NAMES}){_END_NAME}"),
    # A dateline naming its reporters without the word 记者: "新华社北京5月19日电（刘艺、杨吉）".
    re.compile(rf"(?:电|電|讯|訊)[ \t]*[（(][ \t]*(?P<n>{_NAME}(?:[ \t]*[、，, ][ \t]*{_NAME}){{0,5}})[ \t]*[)）]"),
    # A credit in brackets: "（编译/林靖东）", "（文/张三）", "（作者：张三）".
    re.compile(rf"[（(][ \t]*(?:文|撰文|编译|編譯|作者)[ \t]*[/|｜丨:：][ \t]*(?P<n>{_NAMES})[ \t]*[)）]"),
]
# A signature closing the article: "……推动高质量发展。（钟才文）", "（张三 李四）".
_END_SIGNATURE = re.compile(rf"[。！？!?”\"」』）)][ \t]*[（(][ \t]*(?P<n>{_NAME}(?:[ \t]*[、，, ][ \t]*{_NAME}){{0,4}})[ \t]*[)）][ \t]*$")
_NOT_SIGNATURE = re.compile(r"完|待续|續|图|圖|摄|攝|社|报|報|网|網|台|部|局|委|院|会|會|办|辦|省|市|县|縣|区|區|镇|鎮|村|站|中心|公司|集团|供图|来源|编辑|编译|整理|综合|译")
# Not a photo or video credit ("图片来源：视觉中国" under a picture): that names who took the picture, not the 来源.
_SOURCE = re.compile(r"(?<![图圖片频頻面])(?:来源|來源|稿件来源|信息来源|文章来源)[ \t]*[:：]\s{0,4}(?P<s>[^\s|｜丨:：]{2,30})")
_NOT_A_NAME = {"记者", "编辑", "通讯员", "摄影", "图片", "视频", "来源", "新华社", "人民日报", "发布", "时间"}
# "记者梳理发现", "记者注意到，目前", "记者 陈智 整合": what follows 记者 is often the reporter's action, not a
# name. Reporting verbs and function words are stripped from the end of a token (repeatedly:
# "梳理发现" → "梳理" → ""), and a token that is nothing else is not a name.
_REPORT_WORDS = (
    "梳理", "发现", "發現", "注意到", "注意", "看到", "了解到", "了解", "获悉", "獲悉", "得知", "获知", "表示", "透露",
    "分析", "指出", "认为", "認為", "介绍", "介紹", "证实", "證實", "采访", "採訪", "调查", "調查", "走访", "走訪",
    "观察", "觀察", "统计", "統計", "查询", "查詢", "询问", "詢問", "致电", "致電", "联系", "聯繫", "整合", "整理",
    "综合", "綜合", "获得", "从", "從", "向", "在", "对", "對", "就", "随", "隨", "近日", "日前",
    "昨日", "昨天", "今天", "今日", "目前", "此前", "当时", "當時", "同时", "同時", "随后", "隨後", "实地", "實地",
    "说", "說", "称", "稱", "问", "問", "时", "時",
)
_REPORT_WORDS_RE = re.compile("(?:" + "|".join(sorted(_REPORT_WORDS, key=len, reverse=True)) + ")$")
# Values that say "no author": "作者：未知", a CMS default user.
_PLACEHOLDERS = {"未知", "佚名", "匿名", "不详", "不詳", "无", "無", "暂无", "暫無", "admin", "administrator", "管理员",
                 "管理員", "小编", "小編", "本站", "网友", "網友", "编辑部", "編輯部", "unknown", "anonymous", "none",
                 "null", "作者", "system", "root", "webmaster", "guest", "网络", "網絡", "網路", "互联网", "互聯網",
                 "网络转载", "网络整理", "转载", "轉載"}
# An organisation, not a person: outlets, sites, apps, channels. These go to original_source (来源).
_ORG = re.compile(
    r"(?:网|網|报|報|社|台|客户端|客戶端|新闻|新聞|财经|財經|资讯|資訊|频道|頻道|在线|在線|周刊|週刊|杂志|雜誌|"
    r"日报|晚报|时报|消息|传媒|傳媒|媒体|媒體|集团|集團|公司|中心|研究院|协会|協會|官网|官網|门户|門戶|综合|綜合|"
    r"自媒体|编辑部|工作室)$"
    r"|\.(?:com|net|cn|org|gov)(?:\.cn)?$|^(?:www\.)|[-_·]自媒体",
    re.I,
)


def _strip_report_words(name: str) -> str:
    while name:
        m = _REPORT_WORDS_RE.search(name)
        if not m:
            break
        rest = name[: m.start()]
        # A one-character word (说, 向, 在…) is also a given name ("刘向"): strip it only from a longer token.
        if len(m.group()) == 1 and len(rest) < 2:
            break
        name = rest
    return name


def _split_names(raw: str) -> list[str]:
    raw = re.sub(rf"(?<![\u4e00-\u9fff]){_SPACED_NAME}", lambda m: re.sub(r"\s+", "", m.group()), raw)
    names = []
    for n in re.split(r"[、，,和及\s]+", raw):
        n = n.strip(" ·")
        if not n:
            continue
        m = _JOB_TITLE.match(n)
        if m:
            n = m.group("n")
        if re.fullmatch(r"[\u4e00-\u9fff·]+", n):
            n = _strip_report_words(n)
            if len(n) < 2:
                break  # after a verb comes the sentence ("记者 表示 这是"), not more names
        names.append(n)
    # A name has letters (Han or Latin); ids, counts and dates that follow "作者：" on some pages do not.
    return [n for n in names if n not in _NOT_A_NAME and re.search(r"[^\W\d_]", n) and len(n) <= 20
            and n.lower() not in _PLACEHOLDERS and "@" not in n and not _ORG.search(n)
            and not re.search(r"编辑|編輯|责编|責編|来源|來源|通讯员|通訊員|实习生|實習生|(报道|報道|报导|摄|攝|电|電)$", n)]


def site_names(root, meta: dict[str, str], doc_title: str | None = None) -> list[str]:
    """Names the page gives its site: og:site_name, application-name, the non-headline parts of the <title>
    ("…_网易新闻", "…-CSDN博客"), the Copyright line. A meta author equal to one of them is the site."""
    names = [meta.get(k) for k in ("og:site_name", "application-name", "apple-mobile-web-app-title", "twitter:site")]
    if doc_title is None:
        t = root.find(".//title") if root is not None else None
        doc_title = _clean(t.text_content()) if t is not None else ""
    parts = [p for p in _SEPARATORS.split(doc_title or "") if p and p.strip()]
    names += parts[1:]
    if meta.get("copyright"):
        names.append(meta["copyright"])
    return [k for k in (_key(n or "") for n in names) if len(k) >= 2]


_META_REPORTER = re.compile(r"^(?:[\u4e00-\u9fff]{0,12}?[报報社网網台站]|本[报報刊台网網站])?(?:特约|实习|首席)?(?:记者|記者)[ \t:：]*")


def _meta_author(meta: dict[str, str], editor: str | None, sites: list[str]) -> str | None:
    value = _clean(meta.get("author") or meta.get("article:author"))
    if not value or value.startswith("http") or len(value) > 40:
        return None
    if re.search(r"编辑|編輯|责编|責編", value) or (editor and (editor in value or value in editor)):
        return None
    k = _key(value)
    # The site's own name ("网易" on a "…_网易新闻" page, "CSDN.NET") is a CMS default, not the writer. Checked on
    # the whole value: a blog's display name with its login ("史蒂文的家_藍天 (stevenhgm)") is an account.
    if any(k in s for s in sites):
        return None
    # "深圳特区报记者 彭锐", "本报记者：林嘉豪": the byline's role words are not part of the name (the text's own
    # byline patterns drop them too, so the same reporter comes out the same either way).
    value = _META_REPORTER.sub("", value).strip() or value
    # "名字 (login)": keep the display name.
    value = re.sub(r"\s*[（(][A-Za-z0-9_.\-]{2,30}[)）]$", "", value)
    names = _split_names(value) if re.search(r"[\u4e00-\u9fff]", value) else [
        n for n in (x.strip() for x in re.split(r"[,;，；]", value)) if n]
    if not names:
        return None
    for n in names:
        # Ids ("104363"), e-mails, placeholders ("name", "未知"), organisations: the whole value is not a byline.
        if (not re.search(r"[^\W\d_]", n) or "@" in n or n.lower() in _PLACEHOLDERS or n.lower() == "name"
                or _ORG.search(n) or "://" in n):
            return None
    if len(names) == 1 and names[0] == value.strip():
        return value.strip()
    return ", ".join(names)


def meta_organisation(meta: dict[str, str]) -> str | None:
    """A meta author that names an outlet ("环球网", "参考消息"): the 来源 when the page shows none."""
    value = _clean(meta.get("author") or meta.get("article:author"))
    if value and len(value) <= 30 and _ORG.search(value) and "@" not in value and not value.startswith("http"):
        return value
    return None


def find_author(header_text: str, lead_text: str, meta: dict[str, str], editor: str | None,
                tail_text: str = "", after_text: str = "", sites: list[str] | None = None) -> str | None:
    for text in (header_text, lead_text, tail_text, after_text):
        if not text:
            continue
        for pat in _AUTHOR_PATTERNS:
            for m in pat.finditer(text):
                names = _split_names(m.group("n"))
                if names:
                    return ", ".join(names)
    m = _END_SIGNATURE.search(tail_text.rstrip())
    if m and not _NOT_SIGNATURE.search(m.group("n")) and not _is_place(m.group("n")):
        names = _split_names(m.group("n"))
        if names:
            return ", ".join(names)
    return _meta_author(meta, editor, sites or [])


def _is_place(text: str) -> bool:
    from extractors.regions import mentioned

    return bool(mentioned(text))


def find_source(header_text: str) -> str | None:
    m = _SOURCE.search(header_text)
    if not m:
        return None
    return m.group("s").strip("　 ")


# ---------------------------------------------------------------- attachments

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
