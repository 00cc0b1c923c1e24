"""Credits: author (bylines with any number of reporters, datelines, closing signatures, a checked meta author), 来源
(original_source) and editor. credits() decides all three, in one place: from the header window after the
headline, the body's lead and tail, the credit lines the line cleaning moved out of the body (text.py reports
them), the page text, the meta tags and a site's author selector."""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.dom import first_text
from extractors.title import SITE_SEPARATORS, compare_key, squash_space


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
        doc_title = squash_space(t.text_content()) if t is not None else ""
    parts = [p for p in SITE_SEPARATORS.split(doc_title or "") if p and p.strip()]
    names += parts[1:]
    if meta.get("copyright"):
        names.append(meta["copyright"])
    return [k for k in (compare_key(n or "") for n in names) if len(k) >= 2]


_META_REPORTER = re.compile(r"^(?:[\u4e00-\u9fff]{0,12}?[报報社网網台站]|本[报報刊台网網站])?(?:特约|实习|首席)?(?:记者|記者)[ \t:：]*")


def _meta_author(meta: dict[str, str], editor: str | None, sites: list[str]) -> str | None:
    value = squash_space(meta.get("author") or meta.get("article:author"))
    if not value or value.startswith("http") or len(value) > 40:
        return None
    if re.search(r"编辑|編輯|责编|責編", value) or (editor and (editor in value or value in editor)):
        return None
    k = compare_key(value)
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
    value = squash_space(meta.get("author") or meta.get("article:author"))
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


_EDITOR_IN_PAGE = re.compile(r"(?:责任编辑|責任編輯|责编|責編)[ \t]*[:：︱|丨][ \t]*([^\s\]）)】<]{2,20}(?:[、,， ][^\s\]）)】<]{2,6})*)")



@dataclass(frozen=True)
class Credits:
    author: str | None
    editor: str | None
    original_source: str | None


def credits(root, tags: dict[str, str], page_text: str, header: str, raw: str, cleaned,
            author_selector: str | None = None) -> Credits:
    """Author, editor and 来源 of the article. header: header_window(); raw: trafilatura's text before line
    cleaning; cleaned: text.clean_lines()'s result (the text, and the editor / 来源 credit lines it moved out of
    the body); author_selector: the site's declared author element, which wins when it has text."""
    body_text = cleaned.text
    # 来源 after the headline, else a "本文来源：X" line the cleaning dropped from the body
    original_source = find_source(header) or cleaned.source
    editor = cleaned.editor
    if editor is None:
        m = _EDITOR_IN_PAGE.search(page_text)
        if m:
            editor = m.group(1).strip()
    # The lead before line cleaning too: the dateline "新华社北京5月19日电（刘艺、杨吉）" names the reporters and is
    # then dropped from the body. After the body: credits the cleaning moved out of it ("作者︱春春").
    author = find_author(
        header,
        body_text[:200] + "\n" + raw[:200],
        tags,
        editor,
        body_text[-120:],
        _after_body(page_text, body_text),
        site_names(root, tags),
    )
    if original_source is None and author is None:
        original_source = meta_organisation(tags)
    if author_selector:
        author = first_text(root, author_selector) or author
    return Credits(author, editor, original_source)


def header_window(page_text: str, title: str | None) -> str:
    """The text just after the headline (the first 1500 characters without one): where bylines and dates live."""
    if title:
        key = title[: min(len(title), 12)]
        # the first occurrence in the body text: the headline (the <title> is not part of the body)
        pos = -1
        for m in re.finditer(re.escape(key), page_text):
            pos = m.start()
            break
        if pos >= 0:
            start = pos + len(title)
            return page_text[start : start + 700]
    return page_text[:1500]


def _after_body(page_text: str, body_text: str) -> str:
    """The page text right after the article's last line: where "作者︱X" or "（编译/X）" credits sit."""
    lines = [line.strip() for line in body_text.splitlines() if len(line.strip()) >= 6]
    if not lines:
        return ""
    snippet = lines[-1][-16:]
    pos = page_text.find(snippet)
    if pos < 0:
        return ""
    start = pos + len(snippet)
    return page_text[start : start + 200]
