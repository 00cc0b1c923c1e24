"""Page type: is the page a discussion (forum thread, Q&A, comment page), an article followed by its readers'
comments, or an article. Decided on the parsed tree after drop_unseen (script text is not text)."""

from __future__ import annotations

import copy

from extractors import forum
from extractors.dom import INLINE_TEXT, text_len, visible_text
from extractors.forum import POST_STAMP, THREAD_MARKS
from extractors.prune import prune

def page_type(root, page_text: str | None = None) -> tuple[bool, list]:
    """(discussion, readers' comments). discussion: a forum thread, Q&A or comment page: a group of posts holds 30 %+
    of the page's text and the page prints thread words (楼主, 发表于, 回复, 个回答, 赞同…) at least twice, or, printing
    none, dates most of 3+ posts with a time of day or an age; not an article followed by its readers' comments.
    comments: on an article page the post group that is its readers'
    comment section (an article block before it, see _article_before), for the caller to remove: the section can
    hold more text than the article (a page of long comments under a short story), which the share guards of
    prune protect as "most of the page"."""
    page_text = page_text if page_text is not None else visible_text(root)
    marked = len(THREAD_MARKS.findall(page_text)) >= 2
    if not marked and len(POST_STAMP.findall(page_text)) < 3:
        return False, []  # cheap check first: most article pages stop here
    posts = forum.post_group(root)
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
    return _posts_share(pruned, forum.post_group(pruned)) >= 0.3, []


# An article under its headline: several paragraphs of prose, longer than a comment, before its comment section.
_ARTICLE_MIN = 400
_ARTICLE_PARAGRAPHS = 3
_PARAGRAPH_MIN = 20


def _prose_len(el) -> int:
    """Unlinked text of the element itself: its text, its inline children's but links', and its children's tails."""
    n = len((el.text or "").strip())
    for child in el:
        if isinstance(child.tag, str) and child.tag in INLINE_TEXT and child.tag != "a":
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
    dated = sum(1 for e in posts if POST_STAMP.search(e.text_content() or ""))
    return dated * 3 >= 2 * len(posts)
