"""Line-level cleaning of extracted text: flattened pinyin, generic Chinese boilerplate, editor credits, repeats.

The boilerplate model is a list of phrases that are chrome on any Chinese news or government site (not on one
site): reading prompts, app/QR prompts, comment widgets, share bars, reprint/copyright notices, platform
disclaimers, prev/next links, browser warnings, ICP/公网安备 footers. A line is dropped when it is short and
matches one; an "end of article" marker (copyright notice, prev/next link, related list heading…) that comes
after most of the text cuts everything after it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_TONE = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜǹńňḿ"
_SYL = rf"[a-zü{_TONE}]*[{_TONE}][a-zü{_TONE}]*"
# 質(zhì) / 質（zhì） / multi-syllable (zhì liàng): a Han character followed by a bracketed tone-marked syllable.
_PINYIN_BRACKETED = re.compile(rf"(?<=[\u3400-\u9fff])\s?[(（]{_SYL}(?:\s+{_SYL})*[)）]")
# 新xīn: ruby flattened without brackets; only removed when a page shows several (a pinyin lesson would too).
_PINYIN_INLINE = re.compile(rf"(?<=[\u3400-\u9fff]){_SYL}(?=[\u3400-\u9fff\s，。、；：！？”“,.;:!?]|$)")

_HAN = re.compile(r"[\u3400-\u9fff]")
# A line or block that closes like a sentence (。！？, then perhaps a closing quote or bracket).
SENTENCE_END = re.compile(r"[。！？!?][”」』\"'）)]?$")
_WS = re.compile(r"[ \t\u00a0\u3000\u200b\ufeff]+")
_PUNCT_WS = re.compile(r"[\W_]+")


# Neutral-tone syllables carry no mark (們(men), 的(de)); removed only on pages that show marked annotations.
_PLAIN_SYL = r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?(?:iang|iong|uang|ang|eng|ing|ong|ian|iao|uai|uan|üan|ai|ei|ao|ou|an|en|in|un|ün|ia|ie|iu|ua|uo|ui|üe|er|a|o|e|i|u|ü)"
_PINYIN_PLAIN = re.compile(rf"(?<=[\u3400-\u9fff])\s?[(（]{_PLAIN_SYL}[)）]")


def strip_pinyin(text: str) -> str:
    text, marked = _PINYIN_BRACKETED.subn("", text)
    if marked >= 2:
        text = _PINYIN_PLAIN.sub("", text)
    if len(_PINYIN_INLINE.findall(text)) >= 3:
        text = _PINYIN_INLINE.sub("", text)
    return text


# -------------------------------------------------------------- the boilerplate phrase model

_SOURCE_LINE = (
    r"^(本文|文章|信息|稿件|新闻|新聞|消息)?(来源|來源)\s*[:：|丨]\s*(?P<src>[^\s，。！？；,;!?]{1,30})"
    r"(\s*(作者|编辑|編輯|责编|責編|记者|記者)\s*[:：]\s*[^\s，。！？；,;!?]{1,20})*$"
)
_SOURCE_LINE_RE = re.compile(_SOURCE_LINE)

# Lines that are chrome wherever they appear (anchored or short-line matches).
_CHROME_LINE = [
    r"^正在(阅读|閱讀)[:：]?",
    r"(扫一扫|掃一掃|扫码|掃碼|扫描二维码|二维码|二維碼|长按识别|長按識別)",
    r"下(载|載).{0,12}(app|APP|App|客户端|客戶端)",
    r"(app|APP|App|客户端)(下载|下載|内打开|內打開)",
    r"^(下载|下載)\S{1,10}$",
    r"^(点击|點擊).{0,16}(分享|微信好友|朋友圈|右上角)",
    r"分享(到|至|给)?.{0,8}(微信好友|朋友圈|微信)$",
    r"^(评论|評論|网友评论|我要评论|发表评论|热门评论|最新评论|条评论|全部评论|跟贴|跟帖|网友跟贴|网友跟帖|我要跟贴|我要跟帖|发表跟贴|发表跟帖|热门跟贴|最新跟贴)\s*(\(\d+\)|（\d+）|\d*)$",
    # comment-box prompts and counters ("跟贴" and "跟帖" are the comment words of many portals)
    r"(跟贴热词|跟帖热词|已输入\s*\d+\s*字|还(可以|能)输入\s*\d+\s*字|网友评论仅供|\d+\s*人(跟贴|跟帖|参与)\s*$|^(手机)?发跟(贴|帖)$)",
    r"(暂无评论|暫無評論|快来评价|快來評價|抢沙发|搶沙發|文明上网|理性发言|登录后参与评论|发表你的评论)",
    r"^(分享|分享至|分享到|分享本文|收藏|点赞|點讚|打印|打印本页|关闭窗口|關閉窗口|纠错|我要纠错|字号|字體|字号[:：].*)[:：]?$",
    r"^(微信|微博|新浪微博|腾讯微博|QQ空间|QQ|朋友圈|微信公众号|微信好友|抖音|小程序|人民号|今日头条)$",
    r"^(相关|相關|热点|熱點|热门|熱門|推荐|推薦|延伸|更多|精彩|最新|猜你|为你)(阅读|閱讀|推荐|推薦|新闻|新聞|文章|专题|專題|链接|鏈接|视频|視頻|喜欢|喜歡)",
    r"^(您可能感兴趣|你可能感兴趣|猜你喜欢|大家都在看|看了本文的人还看了|相关文章|相关新闻|阅读下一篇|推荐阅读)",
    r"^更多\s*(>>|》|>)?$",
    r"^(上一篇|下一篇|上一條|下一條|上一条|下一条|上一页|下一页|上篇|下篇)\s*[:：]?",
    r"(未经|未經).{0,10}(授权|授權|许可|許可|同意).{0,12}(转载|轉載|使用|复制|複製)",
    r"(谢绝转载|謝絕轉載|严禁转载|嚴禁轉載|禁止转载|转载请注明|轉載請註明|侵权必究|侵權必究|违者必究|違者必究)",
    r"^(本文|本站|本网|本網)?(版权|版權)(归|歸|所有|声明|聲明)",
    r"(版权所有|版權所有|Copyright|copyright|COPYRIGHT|All [Rr]ights [Rr]eserved|©)",
    r"^(网站|網站)?(版权|版權)?(声明|聲明)[:：]",
    r"(特别声明|特別聲明)[:：]",
    r"(仅提供信息存储服务|僅提供信息存儲服務|不代表本(站|网|平台)(观点|立场)|不(代表|表明|代表着).{0,6}(观点|立场)|文章内容仅供参考)",
    r"^Notice:.{0,40}(uploaded|posted).{0,80}platform",
    r"(ICP备|ICP證|ICP证|公网安备|公網安備|网安备|京公网|互联网新闻信息服务许可证|增值电信业务经营许可证)",
    r"^(返回顶部|回到顶部|返回頂部|回到頂部|返回首页|返回首頁|TOP|Top)$",
    r"(您正在使用|Internet Explorer|IE浏览器|更换为.{0,20}浏览器|浏览器版本过低|升级浏览器)",
    r"^(欢迎您来到|欢迎来到|歡迎來到|欢迎访问|歡迎訪問)",
    r"^(当前位置|當前位置|您的位置|你的位置|您现在的位置|所在位置)[:：]",
    r"^(您|你)?(现在|当前|當前|所在)的?位置[:：]",  # 您所在的位置：/ 现在位置：
    r"^位置[:：]\s*($|(首页|首頁)|.*[>›»])",
    r"^(首页|首頁)$",
    r"^[>›»]+\s*\S{1,12}$",  # the last crumb of a breadcrumb ("> 科技")
    r"(公众号|公眾號|微信号|微信號).{0,8}(查看|阅读|閱讀)(全文|原文)",
    r"^(首页|首頁)\s*[>›»/]",
    r"^(友情链接|友情鏈接)[:：]?",
    r"^(举报|舉報|投诉|反馈)$",
    r"^(关注|關注|\+?关注|已关注)$",
    r"^\d+(\.\d+)?\s*[kKwW万萬]?\s*(阅读|閱讀|浏览|瀏覽|粉丝|粉絲|赞|讚|次播放|人已读)?$",
    # a row of counters under a post or a listed thread: "1 点赞 · 0 评论", "12 回复 | 3.4k 浏览"
    r"^(\d+(\.\d+)?\s*[kKwW万萬]?\s*(点赞|點讚|赞|讚|评论|評論|回复|回覆|浏览|瀏覽|阅读|閱讀|收藏|转发|轉發)\s*[·•|｜/]?\s*){2,}$",
    r"^(往期回顾|往期回顧|全部|头条要闻|娱乐要闻|体育要闻|财经要闻|科技要闻|汽车要闻|房产要闻)$",
    r"^(无障碍浏览|無障礙瀏覽|进入关怀版|進入關懷版|关怀版|長者模式|长者模式)",
    r"^(查看更多|阅读全文|閱讀全文|展开全文|展開全文|点击查看|點擊查看)",
    r"^(登录|登錄|注册|註冊|退出)$",
    r"有\s*\d+\s*(条|條)(新)?(更新|内容|內容|消息|动态|動態)$",  # feed counters on any portal: "…有 8 条更新"
    r"(转载|轉載|转发|轉發)[^，。,]{0,6}(注明|註明)(出处|出處|来源|來源|本文链接|本文鏈接|原文链接|原文鏈接|链接|鏈接)",  # "转载时务请注明出处"
    # the opinion disclaimer: "本文仅代表作者个人观点", "文章仅代表作者本人观点，与本网站无关"
    r"^(本文|文章|此文|以上内容)?(仅|僅|只)代表(作者|原作者)(个人|個人|本人)?(观点|觀點|看法|立场|立場)",
    r"^更多.{0,40}(请关注|請關注|请访问|請訪問|尽在|盡在)",  # "更多…资讯请关注 www…"
    r"^(相关|相關)(资讯|資訊|信息|内容|內容|新闻|新聞|报道|報道|攻略)\S{0,6}(请关注|請關注|请访问|請訪問|尽在|盡在)",
    # a source credit on its own line: metadata (Record.original_source), not body
    _SOURCE_LINE,
    # a dateline left in the body: "时间：2022-11-24 05:30:58编辑：", "发布时间：… 来源：…", and an unlabelled date
    # with its metadata fields and no sentence: "2024-05-06 12:11来源：某某网作者：某某"
    r"^(发布时间|發布時間|发布日期|时间|時間|日期)[:：]\s*(19|20)\d{2}[-/.年]\d{1,2}[-/.月]\d{1,2}日?[\d:： ]*"
    r"((编辑|編輯|来源|來源|作者|责编|浏览|阅读)[:：]?\S{0,20}\s*)*$",
    r"^(19|20)\d{2}[-/.年]\d{1,2}[-/.月]\d{1,2}日?\s*[\d:： ]*"
    r"((编辑|編輯|来源|來源|作者|责编|責編|记者|記者|浏览|瀏覽|阅读|閱讀|点击|點擊)\s*[:：]\s*[^\s，。！？；,;!?]{0,24}\s*)+$",
]
_CHROME_LINE_RE = re.compile("|".join(f"(?:{p})" for p in _CHROME_LINE))
# Disclaimers are long but unmistakable: matched up to _DISCLAIMER_MAX characters.
_DISCLAIMER = re.compile(
    "|".join(
        [
            r"^Notice:.{0,80}(uploaded|posted).{0,120}(platform|information storage)",
            r"(特别声明|特別聲明)[:：].{0,80}(仅提供信息存储|僅提供信息存儲|不代表)",
            r"(凡本网|凡本站|凡注明).{0,40}(版权|版權).{0,80}(转载|轉載)",
            r"(本网|本站)转载.{0,40}(目的|不意味着|并不意味着)",
            r"(如本网|如本站|如涉及)(转载|作品).{0,30}(版权|版權)",
            r"(免责声明|免責聲明|版权声明|版權聲明)[:：]",
            # long English legal footers: "Copyright © 2024 X & Y, Licensed to Z…", "X and Y are trademarks … of Z"
            r"^(Copyright|COPYRIGHT)\s*(©|\([cC]\))",
            r"\bare (registered )?trademarks( and ?/ ?or registered trademarks)? of\b",
        ]
    )
)
_DISCLAIMER_MAX = 400
# Chrome phrases matched on the line's key (punctuation, spaces, pipes and dashes removed): "延伸 · 推荐",
# "- THE END -", "【打印本页】【关闭窗口】", "| 添加收藏夹 | 设为首页 |" all reduce to a run of these words.
_CHROME_KEY = re.compile(
    r"(theend|end|延伸推荐|延伸阅读|关注我们|關注我們|打印本页|打印此页|关闭窗口|關閉窗口|打印|关闭|返回顶部|返回首页|首页|首頁|"
    r"加入收藏|收藏本页|收藏本站|添加收藏夹|设为首页|設為首頁|关于我们|關於我們|联系我们|聯繫我們|网站地图|網站地圖)+"
)
# Chrome glued to the end of the last paragraph: "…仍将持续。返回某某网首页>>", "…【打印】【关闭】".
_CHROME_TAIL = re.compile(
    r"\s*(返回\S{0,10}?(首页|首頁|频道|頻道|列表)\s*(>>|》|»|→|>)+|返回\S{1,8}[，,]\s*查看更多"
    r"|(【(打印本页|打印|关闭窗口|关闭|返回顶部)】)+)\s*$"
)
# Table cells as trafilatura prints them: "| a | b |" (a pipe inside a cell is escaped as "\|").
_CELL_SPLIT = re.compile(r"\s*\\?[|｜]\s*")
_EDGES = re.compile(r"^[\s|｜\-–—•·*]+|[\s|｜\-–—•·*]+$")
_CHROME_MAX = 90  # longer lines are prose that may quote such a phrase, never chrome

# Markers after which the article is over: everything after them is chrome (if they come late in the text).
_END_MARKER = re.compile(
    "|".join(
        [
            r"^(相关|相關|热点|熱點|热门|熱門|推荐|推薦|延伸|更多|精彩)(阅读|閱讀|推荐|推薦|新闻|新聞|文章|专题|專題)",
            r"^(您可能感兴趣|你可能感兴趣|猜你喜欢|大家都在看|看了本文的人还看了|相关文章|相关新闻)",
            r"^(上一篇|下一篇|上一條|下一條|上一条|下一条|上篇|下篇)\s*[:：]?",
            r"(特别声明|特別聲明)[:：]",
            r"^(网站|網站)?(版权|版權)?(声明|聲明)[:：]",
            r"(仅提供信息存储服务|僅提供信息存儲服務)",
            r"^(评论|評論|网友评论|我要评论|发表评论|热门评论|最新评论|全部评论)\s*(\(\d+\)|\d*)$",
            r"(暂无评论|暫無評論)",
            r"^(友情链接|友情鏈接)",
        ]
    )
)

# Editor credits: 责任编辑：X / 责编：X、Y / (编辑：X) / 编辑 X 审读 Y 二审 Z 三审 W
_EDITOR_LINE = re.compile(
    r"^[\[\(（【]?\s*(责任编辑|責任編輯|责编|責編|编辑|編輯|值班编辑|网络编辑|本文编辑|主编|审核|審核|校对|校對|监制|監製|出品人|一审|初审|二审|三审|终审|审读|審讀|作者|记者|記者)"
    r"\s*[:：︱|丨]?\s*(?P<names>[^\]\)）】]{0,60})[\]\)）】]?$"
)
# A photo caption ends with its credit: "…新华社记者 李梦馨 摄", "（受访者供图）". Agencies caption every photo of one
# event with the same sentence, so identical captions are separate photos, not a repeated body.
_PHOTO_CAPTION = re.compile(r"(?:摄|攝|供图|供圖)\s*[)）]?\s*$")
_EDITOR_ROLE = re.compile(r"(责任编辑|責任編輯|责编|責編|编辑|編輯|值班编辑|网络编辑|本文编辑)\s*[:：︱|丨]?\s*([^\s,，、;；\]\)）】:：]{1,12}(?:[、,， ]+[^\s,，、;；\]\)）】:：审校监]{2,4})*)")
_ROLE_WORD = re.compile(r"(责任编辑|責任編輯|责编|責編|编辑|編輯|审读|審讀|一审|二审|三审|初审|终审|审核|校对|监制)")


@dataclass
class CleanResult:
    text: str
    editor: str | None = None
    dropped: int = 0
    source: str | None = None  # the outlet of a source credit line removed from the body


def normalize_line(line: str) -> str:
    """Collapse whitespace only: full-width punctuation is part of Chinese text and stays."""
    return _WS.sub(" ", line).strip()


def _key(line: str) -> str:
    return _PUNCT_WS.sub("", unicodedata.normalize("NFKC", line)).lower()


def is_chrome(line: str, extra: tuple[str, ...] = (), simplify=None) -> bool:
    """Whether a line is boilerplate; simplify (t2s) lets the Simplified phrase model judge Traditional pages.
    A table row ("| a | b |") is chrome when it has no text or every cell with Han text is chrome; the phrase
    model also sees the line without the pipes, dashes and bullets around it, and its bare key."""
    if extra and normalize_line(line) in extra:
        return True
    norm = unicodedata.normalize("NFKC", line)
    if simplify is not None and len(line) <= _DISCLAIMER_MAX:
        norm = simplify(norm)
    if _phrase_chrome(norm):
        return True
    if "|" in norm or "｜" in norm:
        cells = [c for c in _CELL_SPLIT.split(norm) if _key(c)]
        if not cells:
            return True  # "| | |": an empty layout row
        if len(cells) > 1 and all(_HAN.search(c) and _phrase_chrome(c) for c in cells):
            return True
    bare = _EDGES.sub("", norm)
    if bare != norm and bare and _phrase_chrome(bare):
        return True
    return len(line) <= _CHROME_MAX and bool(_CHROME_KEY.fullmatch(_key(norm)))


def _phrase_chrome(norm: str) -> bool:
    if len(norm) <= _CHROME_MAX and _CHROME_LINE_RE.search(norm):
        return True
    return len(norm) <= _DISCLAIMER_MAX and bool(_DISCLAIMER.search(norm))


def source_of(line: str) -> str | None:
    """The outlet named by a source credit line ("本文来源：某某报" → "某某报"), else None."""
    m = _SOURCE_LINE_RE.search(normalize_line(line))
    return m.group("src") if m else None


def editor_of(line: str) -> str | None:
    """The editor named in a credit line ("责编：郝帅、杨迪" → "郝帅、杨迪"), or None if the line is not a credit."""
    if len(line) > 80 or not _ROLE_WORD.search(line):
        return None
    # a credit printed as a list item ("- 责任编辑: 刘响": trafilatura's bullet) is still a credit; only with its
    # colon: a bulleted "- 编辑器设置" is an item of a list
    stripped = re.sub(r"^\s*[-•·*]\s+(?=\S{2,6}\s*[:：︱|丨])", "", line).strip("[]()（）【】 ")
    if len(stripped) > 60 or re.search(r"[，。！？；!?;]", stripped):
        return None  # a sentence that merely starts with 编辑…, not a credit
    # Multi-role credits ("编辑 X 审读 Y 二审 Z 三审 W") and single ones ("责编：X").
    if not re.fullmatch(
        r"((责任编辑|責任編輯|责编|責編|编辑|編輯|审读|審讀|一审|二审|三审|初审|终审|审核|校对|监制|值班编辑|网络编辑|本文编辑)"
        r"\s*[:：︱|丨]?\s*[^\s:：]{0,20}(\s*[、,，]\s*[^\s:：]{1,12})*\s*)+",
        stripped,
    ):
        return None
    m = _EDITOR_ROLE.search(stripped)
    return m.group(2).strip() if m else ""  # "责任编辑：" with the name left empty is still a credit line


# A byline label with no value: the page's template printed the slot and nothing in it.
_EMPTY_LABEL = re.compile(r"(?:来源|來源|作者|编辑|編輯|责任编辑|責任編輯|发布时间|發布時間|发布日期|时间|時間|日期|字号|字號|"
                          r"浏览次数|瀏覽次數|点击数|阅读|閱讀)\s*[:：]\s*")


def clean_lines(
    text: str,
    *,
    title: str | None = None,
    drop_lines: tuple[str, ...] = (),
    drop_patterns: tuple[str, ...] = (),
    simplify=None,
    thread: bool = False,
) -> CleanResult:
    """Apply the phrase model, editor extraction, de-duplication and the end-marker cut to extracted text.
    thread: a discussion page, where the replies follow the opening post's reprint notice: no end-marker cut."""
    lines = [_CHROME_TAIL.sub("", normalize_line(strip_pinyin(line))) for line in text.splitlines()]
    lines = [line for line in lines if line]
    drop = tuple(normalize_line(x) for x in drop_lines)
    site_chrome = [re.compile(p) for p in drop_patterns]  # a site's or publisher's own chrome lines (declared)
    title_key = _key(title) if title else None

    total = sum(len(_key(line)) for line in lines) or 1
    kept: list[str] = []
    editor = None
    source = None
    dropped = 0
    seen: set[str] = set()
    seen_chars = 0
    previous_was_repeat = False
    for i, line in enumerate(lines):
        k = _key(line)
        probe = simplify(line) if simplify is not None and len(line) <= _CHROME_MAX else line
        if (not thread and _END_MARKER.search(probe) and len(line) <= _CHROME_MAX and seen_chars >= 0.4 * total
                and seen_chars >= 150):
            dropped += len(lines) - i
            break
        seen_chars += len(k)
        ed = editor_of(probe)
        if ed is not None:
            editor = editor or ed or None
            dropped += 1
            continue
        if is_chrome(line, drop, simplify) or any(p.search(line) for p in site_chrome):
            source = source or source_of(probe)
            dropped += 1
            continue
        if _EMPTY_LABEL.fullmatch(line.strip()):
            dropped += 1  # "来源：" with nothing after it: a byline slot the page left empty
            continue
        if title_key and k == title_key:
            dropped += 1  # the headline is metadata, not body
            continue
        if len(k) >= 8:
            if k in seen:
                # Inside a second copy of the body every line repeats, captions included: drop those.
                if previous_was_repeat or not _PHOTO_CAPTION.search(line):
                    previous_was_repeat = True
                    dropped += 1
                    continue
            seen.add(k)
        previous_was_repeat = False
        kept.append(line)
    kept = _drop_repeated_run(kept)
    return CleanResult("\n".join(kept), editor, dropped, source)


def _drop_repeated_run(lines: list[str]) -> list[str]:
    """Remove the second copy when the whole body (or its lead) appears twice with small edits."""
    if len(lines) < 4:
        return lines
    keys = [_key(line) for line in lines]
    # exact-duplicate lines were already removed; here catch near-duplicates (a trailing 。 added, one word changed)
    out: list[str] = []
    prefixes: dict[str, str] = {}
    previous_was_repeat = False
    for line, k in zip(lines, keys):
        if len(k) >= 30:
            head = k[:24]
            if head in prefixes and _similar(prefixes[head], k):
                if previous_was_repeat or not _PHOTO_CAPTION.search(line):
                    previous_was_repeat = True
                    continue
            prefixes.setdefault(head, k)
        previous_was_repeat = False
        out.append(line)
    return out


def _similar(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > max(3, 0.1 * max(len(a), len(b))):
        return False
    n = min(len(a), len(b))
    same = sum(1 for x, y in zip(a, b) if x == y)
    return same >= 0.9 * n
