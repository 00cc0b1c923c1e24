"""The page tree: one lxml parse shared by every step, nesting-depth check, ruby removal and chrome pruning.

Chrome is pruned by general signals, never by site: class/id tokens that name page furniture (share, comment,
related, footer, breadcrumb, qrcode…), hidden elements, and link lists (blocks whose text is mostly links).
A block holding most of the page's text is never pruned, whatever its class says.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass

import lxml.etree as etree
import lxml.html

from extractors.text import SENTENCE_END

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

_ALWAYS_DROP = ("script", "style", "noscript", "template", "iframe", "svg", "canvas", "object", "embed",
                "button", "select", "textarea", "input")
# Furniture by tag, dropped under the same guard as class tokens: ASP.NET government sites wrap the whole page
# in one <form>, and some CMSs put the article inside <aside>.
_FURNITURE_TAGS = {"form", "nav", "footer", "aside", "dialog"}

_CHROME_TOKENS = {
    "share", "sharebar", "bdshare", "social", "sns", "comment", "comments", "cmt", "reply", "replies", "discuss",
    "related", "relate", "relevant", "recommend", "recommends", "recom", "tuijian", "xgxw", "xgyd", "hot", "hotnews",
    "rank", "ranking", "paihang", "footer", "foot", "copyright", "banquan", "breadcrumb", "breadcrumbs", "crumb",
    "crumbs", "location", "weizhi", "nav", "navbar", "navigation", "menu", "sidebar", "aside", "side",
    "ad", "ads", "advert", "advertisement", "banner", "gg", "qrcode", "qr", "ewm", "erweima", "download", "appdown",
    "login", "toolbar", "tools", "gotop", "backtop", "totop", "popup", "modal", "mask", "subscribe",
    "follow", "fans", "zan", "like", "likes", "dianzan", "prevnext", "prev", "next", "pre", "statement",
    "disclaimer", "shengming", "reprint", "tags", "keywords", "more", "header", "topbar", "author-box",
    "authorbox", "userinfo", "user-info", "hidden", "hide", "fontsize", "font-size", "report", "jubao",
    "feedback", "weixin", "wechat", "weibo", "slogan", "friendlink", "links", "youqing",
    # MediaWiki and similar: infoboxes, navigation boxes, [编辑] links
    "infobox", "navbox", "editsection", "catlinks", "toc", "reflist", "references",
}
_TOKEN_SPLIT = re.compile(r"[\s_\-]+|(?<=[a-z])(?=[A-Z])")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_KEEP_TOKENS = {"article", "content", "main", "body", "text", "post", "entry", "detail", "story", "zhengwen"}


def strip_ruby(root) -> int:
    """Drop <rt>/<rp> (pinyin and the brackets around it), keeping the base characters and any tail text."""
    n = 0
    for el in list(root.iter("rt", "rp")):
        el.drop_tree()
        n += 1
    return n


def _tokens(el) -> set[str]:
    raw = f"{el.get('class', '')} {el.get('id', '')}"
    if not raw.strip():
        return set()
    out = set()
    for tok in _TOKEN_SPLIT.split(raw):
        if tok:
            out.add(tok.lower())
    return out


def _names_comments(el) -> bool:
    """A class word or id that ends in a comment word names a comment section whatever qualifies it: the
    post's/article's comments ("post_comment", "article-comments"), not a post or an article."""
    for name in (el.get("class") or "").split() + [el.get("id") or ""]:
        toks = [t for t in _TOKEN_SPLIT.split(name) if t]
        if toks and toks[-1].lower() in _DISCUSSION_TOKENS:
            return True
    return False


def text_len(el) -> int:
    return len(re.sub(r"\s+", "", el.text_content() or ""))


def link_text_len(el) -> int:
    return sum(len(re.sub(r"\s+", "", a.text_content() or "")) for a in el.iter("a"))


def drop_unseen(root) -> None:
    """Remove what is never page text (script, style, form controls…); prune() does it too, idempotently.
    A box around a text control (comment box, search box, login) goes as a unit first: dropping only the
    controls leaves their labels and prompts ("跟贴热词：", "已输入0字", "我要跟帖") behind as text."""
    for el in list(root.iter(*_NEVER_TEXT)):
        if el.getparent() is not None:
            el.drop_tree()
    _drop_input_boxes(root)
    for el in list(root.iter(*_ALWAYS_DROP)):
        if el.getparent() is not None:
            el.drop_tree()
    _unwrap_empty_inline(root)


_NEVER_TEXT = ("script", "style", "noscript", "template")
# Controls a reader types into or submits with; hidden inputs, checkboxes and radios carry no box around them.
_TEXT_INPUT_TYPES = {"", "text", "search", "password", "email", "tel", "submit", "image"}
# A box around a control holds only labels, counters and prompts; more text than this is content around it.
_INPUT_BOX_MAX = 200


def _is_entry_control(el) -> bool:
    """A place where a reader writes: a textarea or a password field anywhere, a text/search/submit input only
    inside a form. Read-only inputs (a post's permalink, a "go to floor" box outside any form on forum pages)
    are display, not entry."""
    if el.get("readonly") is not None or el.get("disabled") is not None:
        return False
    if el.tag == "textarea":
        return True
    kind = (el.get("type") or "").strip().lower()
    if kind == "password":
        return True
    return kind in _TEXT_INPUT_TYPES and any(a.tag == "form" for a in el.iterancestors())


def _has_twin(el) -> bool:
    sig = _signature(el)
    if sig is None:
        return False
    parent = el.getparent()
    return parent is not None and any(sib is not el and _signature(sib) == sig for sib in parent)


def _drop_input_boxes(root) -> None:
    """Drop, for each text control, its largest ancestor that still holds little text and no real paragraph
    (never more than a third of the page)."""
    body = root.find("body")
    if body is None:
        return
    controls = [el for el in body.iter("textarea", "input") if _is_entry_control(el)]
    if not controls:
        return
    total = None  # the page's text length, needed only when a small box is found
    sizes: dict = {}
    for ctl in controls:
        top = ctl
        for top in ctl.iterancestors():
            pass
        if top is not root:
            continue  # inside a box already dropped for another control
        box = None
        for anc in ctl.iterancestors():
            if anc is body or anc.tag in ("body", "html"):
                break
            n = sizes.get(anc)
            if n is None:
                n = sizes[anc] = text_len(anc)
            if n > _INPUT_BOX_MAX:
                break
            if total is None:
                total = text_len(body) or 1
            if n >= 0.3 * total or _longest_unlinked_run(anc) >= 50:
                break
            if _has_twin(anc):
                # One of a run of look-alike blocks: a short reply carrying its own reply form. Only the form goes.
                box = None
                for below in ctl.iterancestors():
                    if below is anc:
                        break
                    if below.tag == "form":
                        box = below
                break
            box = anc
        if box is not None and box.getparent() is not None:
            box.drop_tree()


_EMPTY_INLINE = ("span", "a", "font", "i", "b", "em", "strong", "u", "small", "label", "sup", "sub")


def _unwrap_empty_inline(root) -> None:
    """Unwrap empty inline elements (<span id="quote_X"></span> placeholders filled by scripts): trafilatura's
    precision mode drops such an element with its tail, cutting the sentence that continues after it."""
    for el in list(root.iter(*_EMPTY_INLINE)):
        if len(el) == 0 and not (el.text or "").strip() and el.tail and el.tail.strip() and el.getparent() is not None:
            el.drop_tag()


# Tokens of the blocks that hold one post, reply, answer or comment each.
_POST_TOKENS = {"post", "posts", "reply", "replies", "comment", "comments", "cmt", "answer", "answers", "floor",
                "thread", "topic", "message", "msg", "postlist"}
# Tokens pruned as chrome on article pages that hold the content itself on a discussion page.
_DISCUSSION_TOKENS = {"comment", "comments", "cmt", "reply", "replies", "discuss"}
# Words that discussion pages print around every post: floors, "posted at", reply/answer counters, votes.
_THREAD_MARKS = re.compile(r"楼主|\d+\s*楼|沙发|板凳|发表于|發表於|回复|回覆|个回答|條回答|条回答|采纳|赞同|有用|只看")


_FLOOR = re.compile(r"\d+\s*楼|楼主|沙发|板凳|发表于|發表於")


_DATE_OR_TIME = re.compile(r"(?:19|20)\d{2}[-/.年]\d{1,2}[-/.月]\d{1,2}|\d{1,2}[:：]\d{2}|\d+\s*(?:秒|分钟|小时|天|周|个月|年)前")
# A post's own timestamp: a date with its time of day, or a relative age ("6天前", "1周前"). Day-only dates
# are too common in article furniture (related lists, archives) to mark a post.
_POST_STAMP = re.compile(
    r"(?:19|20)?\d{2}[-/.年]\d{1,2}[-/.月]\d{1,2}日?\s*(?:星期.|周.)?\s*\d{1,2}(?:[:：]\d{2}|点\d{1,2}分?)"
    r"|\d+\s*(?:秒|分钟|小时|天|周|个月|年)前|刚刚"
)


def without_stamps(line: str) -> str | None:
    """The line with its post time stamps removed, None when it has none."""
    rest, n = _POST_STAMP.subn(" ", line)
    rest, m = _DATE_OR_TIME.subn(" ", rest)
    return rest if n + m else None


def is_post_byline(line: str) -> bool:
    """A post's byline on a discussion page: "2楼 发表于 2024-4-6 11:52 | 只看该作者", "1楼 2022-10-02 23:02 回复"."""
    return len(line) <= 80 and bool(_THREAD_MARKS.search(line)) and bool(_DATE_OR_TIME.search(line))


def _signature(el) -> tuple[str, str] | None:
    cls = (el.get("class") or "").split()
    if cls:
        return el.tag, "c:" + " ".join(sorted(re.sub(r"\d+", "#", t) for t in cls))
    ident = el.get("id") or ""
    if ident:
        return el.tag, "i:" + re.sub(r"\d+", "#", ident)
    return None


def _post_groups(root) -> tuple[list, list[list]]:
    """(posts, other groups): the largest group (by text) of same-looking post/reply/answer/comment blocks (same
    tag and class, or the same id up to digits: post_123, post_124…), outermost members only, and the other
    such groups of the page; ([], []) when there is none."""
    body = root.find("body")
    if body is None:
        return [], []
    groups: dict[tuple[str, str], list] = {}
    for el in body.iter():
        if not isinstance(el.tag, str):
            continue
        if not (_tokens(el) & _POST_TOKENS):
            continue
        sig = _signature(el)
        if sig is not None:
            groups.setdefault(sig, []).append(el)
    scored = [g for g in (_scored_group(els) for els in groups.values()) if g is not None]
    if not scored:
        return [], []
    best = max(scored, key=lambda g: g[0])[1]
    return best, [g[1] for g in scored if g[1] is not best]


def _scored_group(els: list) -> tuple[int, list] | None:
    if len(els) < 2:
        return None
    members = set(els)
    outer = [e for e in els if not any(a in members for a in e.iterancestors())]
    lens = [text_len(e) for e in outer]
    if sum(1 for n in lens if n >= 10) < 2:
        return None
    # Related-thread and topic lists repeat like posts, but each item is one link (a title), not a message.
    linked = sum(1 for e, n in zip(outer, lens) if link_text_len(e) >= 0.6 * max(n, 1))
    if linked * 2 > len(outer):
        return None
    return sum(lens), outer


def _replies_in(posts: list, others: list[list]) -> list:
    """Members of other groups nested in the posts that are replies (楼中楼). A part of a post (its message or user
    block, or a reply's) appears in most posts; replies appear under a few posts only."""
    units = {e: 0 for e in posts}  # element → the group it belongs to (0: the posts)
    sizes = [len(posts)]
    replies = []
    for group in _containers_first(others):
        owners = [next((a for a in el.iterancestors() if a in units), None) for el in group]
        if any(o is None for o in owners):
            continue  # not inside the posts
        available = sum(sizes[k] for k in {units[o] for o in owners})
        if 2 * len(set(owners)) >= available:
            continue  # in most posts (or replies): a part of them (the message, a quote of another post)
        sizes.append(len(group))
        units.update((el, len(sizes) - 1) for el in group)
        replies.extend(group)
    return replies


def _containers_first(groups: list[list]) -> list[list]:
    """Groups whose members hold members of other groups come first: a reply is judged before its parts."""
    owner = {el: i for i, g in enumerate(groups) for el in g}

    def holds_others(i: int) -> bool:
        return any(owner.get(d, i) != i for el in groups[i] for d in el.iterdescendants())

    order = sorted(range(len(groups)), key=lambda i: (not holds_others(i), min(_depth(e) for e in groups[i])))
    return [groups[i] for i in order]


def _depth(el) -> int:
    return sum(1 for _ in el.iterancestors())


def _post_group(root) -> list:
    return _post_groups(root)[0]


_INLINE_TEXT = {"br", "a", "span", "em", "strong", "b", "i", "font", "img", "code", "u", "small", "sup", "sub", "label"}


def _own_text_len(el) -> int:
    n = len((el.text or "").strip())
    for child in el:
        if isinstance(child.tag, str) and child.tag in _INLINE_TEXT:
            n += len((child.text_content() or "").strip())
        n += len((child.tail or "").strip())
    return n


def post_texts(root) -> list[str]:
    """The message of every post of the page's post group, each followed by the replies nested in it, in page
    order: in each post, the block whose own text (with its paragraphs') is largest, so user names, floors,
    "发表于" lines and vote buttons around it stay out."""
    return post_parts(root)[0]


def post_parts(root) -> tuple[list[str], set[str]]:
    """(messages as in post_texts, furniture): the short texts of the posts outside their messages (user names,
    ranks, "6天前", vote counts, "回复"), which trafilatura's comment mode keeps as lines of their own."""
    posts, others = _post_groups(root)
    reply_set = set(_replies_in(posts, others))
    out: list[str] = []
    cells: list = []
    bylines: list = []
    for post in posts:
        nested = [e for e in post.iter() if e in reply_set]
        for el in [post, *nested]:
            inner = nested if el is post else [e for e in nested if e is not el and el in e.iterancestors()]
            cell = _message_cell(el, inner, bylines)
            if cell is not None:
                cells.append(cell)
                text = block_text(cell).strip()
                if text:
                    out.append(text)
    inside = {d for c in cells for d in c.iter()}
    seen: dict[str, int] = {}
    for post in posts:
        pieces = set()
        for node in post.iter():
            if node in inside or not isinstance(node.tag, str):
                continue
            for piece in (node.text, node.tail if node.getparent() not in inside else None):
                piece = (piece or "").strip()
                if 0 < len(piece) <= _FURNITURE_MAX:
                    pieces.add(piece)
        for piece in pieces:
            seen[piece] = seen.get(piece, 0) + 1
    # Outside the message cell a post may still hold replies we did not recognise as such: only what repeats
    # across posts (buttons, a regular's name, a rank), a time stamp or a count, or a piece of a byline
    # ("歪哦釉", "[作者]" of "歪哦釉 [作者] | 5天前") is furniture.
    furniture = {p for p, n in seen.items() if n >= 2 or _is_stamp_or_count(p)}
    for block in bylines:
        for node in block.iter():
            piece = (node.text or "").strip() if isinstance(node.tag, str) else ""
            if 0 < len(piece) <= _FURNITURE_MAX:
                furniture.add(piece)
    return out, furniture


_FURNITURE_MAX = 30


def _is_stamp_or_count(piece: str) -> bool:
    rest = _DATE_OR_TIME.sub("", _POST_STAMP.sub("", piece))
    return len(re.sub(r"[\W\d_]+", "", rest)) <= 2 and (rest != piece or piece.strip("#+ ").isdigit())


def _message_cell(post, replies: list, bylines: list):
    """The post's message block; the replies nested in it (and the blocks wrapping them) are not its message.
    The post's byline blocks are appended to bylines."""
    hidden = {d for r in replies for d in r.iter()}
    wrappers = {a for r in replies for a in r.iterancestors()}
    score: dict = {}
    byline: dict = {}
    in_byline: set = set()
    for el in post.iter("div", "td", "p", "li", "span", "section", "article", "blockquote", "pre", "dd"):
        if el in hidden:
            continue
        n = _own_text_len(el)
        if el.getparent() in in_byline and n < _NAME_MAX:
            in_byline.add(el)  # a user name longer than a short reply is still the byline's
            continue
        if n < 2:
            continue
        if _is_byline(el, n, byline):
            in_byline.add(el)  # "1楼 2022-10-02 23:02 回复", "发表于 … | 只看该作者": the post's byline, not its message
            continue
        score[el] = score.get(el, 0) + n
        parent = el.getparent()
        if parent is not None and parent is not post.getparent() and not _is_byline(parent, None, byline):
            score[parent] = score.get(parent, 0) + n
    score = {e: n for e, n in score.items() if e not in wrappers}
    bylines.extend(e for e in in_byline if e.getparent() not in in_byline)
    if not score:
        return None
    return max(score, key=lambda e: score[e])


# A reply printed inside its own byline row (贴吧 楼中楼: "name: text 2022-11-26 15:19 回复") is longer than names.
_NAME_MAX = 20


def _is_byline(el, n: int | None, cache: dict) -> bool:
    """A short block naming a floor, a thread word or a time: "客栈小K | 扫地 | 6天前" is a byline however its
    pieces are spread over spans."""
    if el not in cache:
        if n is None:
            n = text_len(el)
        cache[el] = n < 80 and _looks_like_byline(el.text_content() or "")
    return cache[el]


# Thread words alone mark a byline only in a short block: "谢谢回复，已经解决了" and "调了也没有用" are replies.
_MARKS_ONLY_MAX = 12


def _looks_like_byline(text: str) -> bool:
    if _DATE_OR_TIME.search(text) or _FLOOR.search(text):
        return True
    return len(re.sub(r"\s+", "", text)) <= _MARKS_ONLY_MAX and bool(_THREAD_MARKS.search(text))


def is_discussion(root, page_text: str | None = None) -> bool:
    """A forum thread, Q&A or comment page: a group of posts holds 30 %+ of the page's text and the page prints
    thread words (楼主, 发表于, 回复, 个回答, 赞同…) at least twice, or, printing none, dates most of 3+ posts
    with a time of day or an age; not an article followed by its readers' comments (see page_type). Call after
    drop_unseen (script text is not text)."""
    return page_type(root, page_text)[0]


def page_type(root, page_text: str | None = None) -> tuple[bool, list]:
    """(discussion, readers' comments): is_discussion, and on an article page the post group that is its readers'
    comment section (an article block before it, see _article_before), for the caller to remove: the section can
    hold more text than the article (a page of long comments under a short story), which the share guards of
    prune protect as "most of the page"."""
    page_text = page_text if page_text is not None else visible_text(root)
    marked = len(_THREAD_MARKS.findall(page_text)) >= 2
    if not marked and len(_POST_STAMP.findall(page_text)) < 3:
        return False, []  # cheap check first: most article pages stop here
    posts = _post_group(root)
    if len(posts) < 2 or not (marked or _stamped(posts)):
        return False, []
    share = _posts_share(root, posts)
    if share < 0.1:
        return False, []  # a comment box under an article: prune drops it as chrome
    if _article_before(root, posts):
        return False, posts
    if share >= 0.3:
        return True, []
    # Menus, sidebars and footers can outweigh a short thread: judge it again on the page they are pruned from.
    pruned = copy.deepcopy(root)
    prune(pruned, discussion=True)
    return _posts_share(pruned, _post_group(pruned)) >= 0.3, []


# An article under its headline: several paragraphs of prose, longer than a comment, before its comment section.
_ARTICLE_MIN = 400
_ARTICLE_PARAGRAPHS = 3
_PARAGRAPH_MIN = 20


def _prose_len(el) -> int:
    """Unlinked text of the element itself: its text, its inline children's but links', and its children's tails."""
    n = len((el.text or "").strip())
    for child in el:
        if isinstance(child.tag, str) and child.tag in _INLINE_TEXT and child.tag != "a":
            n += len((child.text_content() or "").strip())
        n += len((child.tail or "").strip())
    return n


def _article_before(root, posts: list) -> bool:
    """An article followed by its readers' comments, not a thread: the page's largest block of prose outside the
    post group comes before the group, has 3+ paragraphs and 400+ characters, and is longer than any post's
    message. A thread's opening post is one of the posts (the same markup), or, printed on its own before the
    replies, is a question or a one-paragraph topic (a forum topic of one long paragraph stays a thread); a Q&A
    question is shorter than its best answer. A block's prose is its own unlinked text plus its children's, so
    the article body (a div of <p>) scores, not the menus (links) or the wrapper of the whole page."""
    body = root.find("body")
    if body is None:
        return False
    inside = {d for p in posts for d in p.iter()}
    first = None
    outside: dict = {}
    paragraphs: dict = {}
    within: dict = {}
    last: dict = {}  # where the block's prose ends: all of an article comes before its comments
    for i, el in enumerate(body.iter()):
        if not isinstance(el.tag, str):
            continue
        if first is None and el in inside:
            first = i
        n = _prose_len(el)
        if n < 2:
            continue
        parent = el.getparent()
        if el in inside:
            within[el] = within.get(el, 0) + n
            if parent in inside:
                within[parent] = within.get(parent, 0) + n
            continue
        outside[el] = outside.get(el, 0) + n
        last[el] = i
        if parent is not None:
            outside[parent] = outside.get(parent, 0) + n
            last[parent] = i
            if n >= _PARAGRAPH_MIN:
                paragraphs[parent] = paragraphs.get(parent, 0) + 1
    if not outside or first is None:
        return False
    best = max(outside, key=lambda e: outside[e])
    n = outside[best]
    return (
        last[best] < first
        and n >= _ARTICLE_MIN
        and paragraphs.get(best, 0) >= _ARTICLE_PARAGRAPHS
        and n > max(within.values(), default=0)
    )


def _posts_share(root, posts: list) -> float:
    if len(posts) < 2:
        return 0.0
    body = root.find("body")
    return sum(text_len(e) for e in posts) / (text_len(body if body is not None else root) or 1)


def _stamped(posts: list) -> bool:
    """Threads that print no thread words still date every post ("6天前", "2021-01-01 10:34")."""
    if len(posts) < 3:
        return False
    dated = sum(1 for e in posts if _POST_STAMP.search(e.text_content() or ""))
    return dated * 3 >= 2 * len(posts)


def prune(root, drop_selectors: tuple[str, ...] = (), *, discussion: bool = False, reshape: bool = True) -> None:
    """Remove page furniture in place (see the module docstring). On a discussion page (is_discussion) the
    comment/reply blocks are the content and are kept. reshape: layout tables become containers and image-only
    links are unwrapped, so trafilatura reads an article page as text (not on discussion pages, whose posts are
    often laid out in tables that trafilatura and the post extraction read as they are)."""
    for sel in drop_selectors:
        try:
            for el in root.cssselect(sel):
                el.drop_tree()
        except Exception:  # a bad selector in a site declaration must not fail the page
            continue
    drop_unseen(root)
    chrome_tokens = _CHROME_TOKENS - _DISCUSSION_TOKENS if discussion else _CHROME_TOKENS
    body = root.find("body")
    if body is None:
        body = root
    reshape = reshape and not discussion
    if reshape:
        unwrap_layout_tables(body)
        unwrap_layout_lists(body)
    total = text_len(body) or 1
    for el in list(body.iter()):
        if not isinstance(el.tag, str) or el.getparent() is None or el is body:
            continue
        if el.get("hidden") is not None or el.get("aria-hidden") == "true" or _HIDDEN_STYLE.search(el.get("style", "")):
            if text_len(el) < 0.3 * total:
                el.drop_tree()
            continue
        if el.tag in _FURNITURE_TAGS:
            if text_len(el) < 0.35 * total:
                el.drop_tree()
            continue
        toks = _tokens(el)
        if not toks or not (toks & chrome_tokens):
            continue
        if _in_code(el):
            continue  # highlighters class code tokens "token comment", "hljs-comment": the code's own text
        if toks & _KEEP_TOKENS and text_len(el) > 200 and not (toks & _DISCUSSION_TOKENS and _names_comments(el)):
            continue
        if text_len(el) >= 0.35 * total:
            continue  # most of the page's text: a wrapper with an unlucky class, never chrome
        el.drop_tree()
    _prune_link_lists(body)
    if reshape:
        _unwrap_image_links(body)  # after the link lists: thumbnail links still count there as links


def _unwrap_image_links(body) -> None:
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


def _in_code(el) -> bool:
    return any(a.tag in ("pre", "code") for a in el.iterancestors())


def _prune_link_lists(body) -> None:
    """Drop blocks that are mostly links, innermost first, so a wrapper is judged without its link lists."""
    for el in reversed(list(body.iter("ul", "ol", "dl", "div", "section", "table", "p", "span", "td"))):
        if el.getparent() is None:
            continue
        links = el.findall(".//a")
        if len(links) < 3:
            continue
        total = text_len(el)
        if total == 0:
            continue
        linked = link_text_len(el)
        if total - linked >= 150 and _longest_unlinked_run(el) >= 50:
            continue  # a real paragraph of unlinked text (not just dates and counts): not a link list
        if el.tag == "p" and _is_sentence(el):
            continue  # prose that links many of its nouns (encyclopedias, gov explainers) is still prose
        ratio = linked / total
        if ratio > 0.7 or (len(links) >= 6 and ratio > 0.5 and total / len(links) < 40):
            el.drop_tree()


_LEAD_TOKENS = {"summary", "abstract", "zhaiyao", "digest", "daodu", "tiyao", "lead", "intro", "introduction"}
# "intro" also names a person's or a product's blurb: not a lead when the box says whose.
_NOT_LEAD_TOKENS = {"profile", "author", "user", "userinfo", "footer", "icon", "app", "service", "card", "avatar"}
_LEAD_TEXT = re.compile(r"^(核心提示|内容提要|内容摘要|摘要|导读|導讀|提要|编者按|編者按)\s*[:：]?")


def lead_summary(root) -> str | None:
    """The lead/summary box above an article (class "summary", or text starting 核心提示/摘要/导读/编者按)."""
    for el in root.iter("div", "p", "section", "blockquote"):
        toks = _tokens(el)
        own = re.sub(r"\s+", " ", el.text_content() or "").strip()
        if not (20 <= len(own) <= 600):
            continue
        if len(re.findall(r"[\u4e00-\u9fff]", own)) < 0.5 * len(own):
            continue  # Chinese leads only: English pages' "summary" boxes are teasers as often as leads
        if (toks & _LEAD_TOKENS and not toks & _NOT_LEAD_TOKENS) or _LEAD_TEXT.match(own):
            if el.find(".//a") is None or link_text_len(el) < 0.2 * len(own):
                return own
    return None


_HAN_RUN = re.compile(r"[\u4e00-\u9fff]")


def _is_sentence(el) -> bool:
    """Opens with unlinked words and closes like a sentence: a link list does neither."""
    lead = el.text or ""
    if len(_HAN_RUN.findall(lead)) < 6 and len(lead.split()) < 6:
        return False
    return bool(SENTENCE_END.search((el.text_content() or "").strip()))


def _longest_unlinked_run(el) -> int:
    """Longest text run (an element's text or tail) outside any link, el's own tail included; stops at 50.
    One walk with a count of open links (checking each node's ancestors was quadratic on deep pages)."""
    links = 1 if any(a.tag == "a" for a in el.iterancestors()) else 0
    best = 0
    for ev, node in etree.iterwalk(el, events=("start", "end")):
        if not isinstance(node.tag, str):
            continue
        if ev == "start":
            if node.tag == "a":
                links += 1
            if node.text and not links:
                best = max(best, len(node.text.strip()))
        else:
            if node.tag == "a":
                links -= 1
            if node.tail and not links:  # the tail lies in node's parent: outside node's own link
                best = max(best, len(node.tail.strip()))
        if best >= 50:
            break
    return best


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
