"""Discussion pages (forum threads, Q&A, comment pages): the post group, each post's message (the block with the most
own text, bylines skipped), the replies nested in posts (楼中楼), and the post furniture (bylines, user names,
stamps, counts) that trafilatura's comment mode keeps as lines. Whether a page is a discussion: pagetype.py.
"""

from __future__ import annotations

import copy
import re

from extractors import prune, trafilatura_runs
from extractors.dom import INLINE_TEXT, block_text, class_tokens, link_text_len, signature, text_len
from extractors.metatags import declared_article
from extractors.text import _key

_POST_TOKENS = {"post", "posts", "reply", "replies", "comment", "comments", "cmt", "answer", "answers", "floor",
                "thread", "topic", "message", "msg", "postlist"}
# Tokens pruned as chrome on article pages that hold the content itself on a discussion page.
# Words that discussion pages print around every post: floors, "posted at", reply/answer counters, votes.
THREAD_MARKS = re.compile(r"楼主|\d+\s*楼|沙发|板凳|发表于|發表於|回复|回覆|个回答|條回答|条回答|采纳|赞同|有用|只看")


_FLOOR = re.compile(r"\d+\s*楼|楼主|沙发|板凳|发表于|發表於")


_DATE_OR_TIME = re.compile(r"(?:19|20)\d{2}[-/.年]\d{1,2}[-/.月]\d{1,2}|\d{1,2}[:：]\d{2}|\d+\s*(?:秒|分钟|小时|天|周|个月|年)前")
# A post's own timestamp: a date with its time of day, or a relative age ("6天前", "1周前"). Day-only dates
# are too common in article furniture (related lists, archives) to mark a post.
POST_STAMP = re.compile(
    r"(?:19|20)?\d{2}[-/.年]\d{1,2}[-/.月]\d{1,2}日?\s*(?:星期.|周.)?\s*\d{1,2}(?:[:：]\d{2}|点\d{1,2}分?)"
    r"|\d+\s*(?:秒|分钟|小时|天|周|个月|年)前|刚刚"
)


def without_stamps(line: str) -> str | None:
    """The line with its post time stamps removed, None when it has none."""
    rest, n = POST_STAMP.subn(" ", line)
    rest, m = _DATE_OR_TIME.subn(" ", rest)
    return rest if n + m else None


def is_post_byline(line: str) -> bool:
    """A post's byline on a discussion page: "2楼 发表于 2024-4-6 11:52 | 只看该作者", "1楼 2022-10-02 23:02 回复"."""
    return len(line) <= 80 and bool(THREAD_MARKS.search(line)) and bool(_DATE_OR_TIME.search(line))


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
        if not (class_tokens(el) & _POST_TOKENS):
            continue
        sig = signature(el)
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


def post_group(root) -> list:
    return _post_groups(root)[0]


def _own_text_len(el) -> int:
    n = len((el.text or "").strip())
    for child in el:
        if isinstance(child.tag, str) and child.tag in INLINE_TEXT:
            n += len((child.text_content() or "").strip())
        n += len((child.tail or "").strip())
    return n


def post_parts(root) -> tuple[list[str], set[str]]:
    """(messages, furniture): messages: the message of every post of the page's post group, each followed by
    the replies nested in it, in page order: in each post, the block whose own text (with its paragraphs') is
    largest, so user names, floors, "发表于" lines and vote buttons around it stay out. furniture: the short texts of the posts outside their messages (user names,
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
    rest = _DATE_OR_TIME.sub("", POST_STAMP.sub("", piece))
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
    return len(re.sub(r"\s+", "", text)) <= _MARKS_ONLY_MAX and bool(THREAD_MARKS.search(text))


def thread_text(thread_root, article: str, url: str, tags: dict[str, str], drop_selectors: tuple[str, ...] = ()) -> str:
    """The text of a discussion page. thread_root: the tree before article pruning; article: the article-mode
    text. The thread is pruned keeping comment/reply blocks and read by trafilatura's default mode with comments
    (the longer of the two texts wins), then each post's message trafilatura lost is added and the post
    furniture dropped."""
    raw = article
    prune.prune(thread_root, drop_selectors, discussion=True)
    thread = trafilatura_runs.run(copy.deepcopy(thread_root), url, precision=False, comments=True)
    if len(thread) > len(raw):
        raw = thread
    # trafilatura loses posts laid out in tables (Discuz) or in app markup: add each post's message it missed.
    # Not on pages that declare themselves an article (og:type, article:published_time) unless the article is
    # itself one of the posts (forum software declares threads as articles): otherwise posts there are
    # readers' comments under a blog or news story.
    have = _key(raw)
    messages, furniture = post_parts(thread_root)
    missing = [] if declared_article(tags) and not _opens_thread(article, messages) else [
        line for post in messages for line in post.splitlines()
        if len(_key(line)) >= 2 and _key(line) not in have
    ]
    if missing:
        raw = raw + "\n" + "\n".join(missing)
    return drop_post_furniture(raw, messages, furniture)


_SEPARATOR_LINE = re.compile(r"[|｜·•/\-—:：\s]+")


def drop_post_furniture(raw: str, messages: list[str], furniture: set[str]) -> str:
    """Lines that are a post's byline ("2楼 发表于 … | 只看该作者"), a piece of the posts outside their messages
    (user name, "6天前", "回复") or a bare separator: trafilatura's comment mode keeps them between the replies.
    A line that is also a message line stays ("顶" as a reply, not a button)."""
    said = {_key(line) for m in messages for line in m.splitlines()}
    chrome = {_key(f) for f in furniture} - said
    chrome.discard("")
    return "\n".join(
        line for line in raw.splitlines()
        if not is_post_byline(line) and not _SEPARATOR_LINE.fullmatch(line) and not _assembled(line, chrome, said)
    )


def _assembled(line: str, chrome: set[str], said: set[str]) -> bool:
    """The line is furniture, or a time stamp with only furniture and counts around it: trafilatura joins a
    byline's spans into one line ("6765 小倪儿 看过 2024-04-07 13:19:20")."""
    key = _key(line)
    if key in chrome:
        return True
    rest = without_stamps(line) if len(line) <= 80 and key not in said else None
    if rest is None:
        return False
    parts = [_key(p) for p in re.split(r"[\s|｜·•/]+", rest)]
    return all(p in chrome or p.isdigit() for p in parts if p)


def _opens_thread(article: str, messages: list[str]) -> bool:
    """Most of the article text (by characters) is the posts' own: the page is a thread that calls itself one."""
    said = _key("".join(messages))
    keys = [_key(line) for line in article.splitlines()]
    total = sum(len(k) for k in keys)
    return total > 0 and sum(len(k) for k in keys if k and k in said) >= 0.5 * total
