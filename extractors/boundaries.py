"""Where the article ends, decided from the page's structure, not from phrases.

Three structural facts, each independent of what the text says:

- **Repeated same-shaped items are a list.** Three or more sibling elements with the same shape (tag, classes, the
  tags of their children) where each item is a teaser — a link to another page together with a timestamp, a
  truncated text ending in an ellipsis, a heading or a thumbnail — are a feed, a card grid or a stream of other
  stories, however long each item's text is. They are removed before the text extractor runs. The article's own
  paragraphs never qualify: a paragraph is not a link-plus-timestamp teaser, and a group holding the headline is
  never a list.
- **A second headline starts another story.** An element shaped like the article's headline (same tag and classes)
  that comes after it and is followed by text starts the next story of an endless "more stories" stream: it and
  everything after it in the container the two headlines share are removed. A heading standing alone among the
  paragraphs (not in a block with its own story) counts only when the headline is the page's <h1>: otherwise it is the article's next section.
- **A fallback never adds a list.** When the short-page fallback (trafilatura's default mode) finds more than the
  precision mode, only its prose is taken: list items and teaser lines it adds are dropped (list_lines).
"""

from __future__ import annotations

import re

# A timestamp as feeds print it: a date (with or without time of day) or a time of day or a relative age.
_STAMP = re.compile(
    r"(?:19|20)\d{2}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:\s*\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?"
    r"|\b\d{1,2}[-/月]\d{1,2}日?\s+\d{1,2}[:：]\d{2}"
    r"|\d+\s*(?:秒|分钟|小时|天|周|个月)前"
    r"|\b(?:\d+\s+(?:minutes?|hours?|days?)\s+ago)\b",
)
_ELLIPSIS = re.compile(r"(?:\.{3}|…|……|。。。)\s*$")
_HEADING = ("h1", "h2", "h3", "h4", "h5", "h6")
# A group of siblings is a list from this many items on.
MIN_ITEMS = 3
# Share of a group's items that must be teasers (so a stray item of another shape does not save the list).
TEASER_SHARE = 0.66
# Text (characters without spaces) after a second headline that makes it a story, not a lone heading.
STORY_MIN_CHARS = 60
# Text allowed in a story's block before its headline (a kicker, a section label, a date).
LEAD_MAX_CHARS = 40


def _text(el) -> str:
    return re.sub(r"\s+", " ", el.text_content() or "").strip()


def _shape(el) -> tuple:
    """Tag, class set and the tag sequence of the element's children (runs collapsed): what repeats in a list."""
    classes = tuple(sorted(c for c in (el.get("class") or "").split() if not re.search(r"\d", c)))
    kids: list[str] = []
    for child in el:
        if isinstance(child.tag, str) and (not kids or kids[-1] != child.tag):
            kids.append(child.tag)
    return el.tag, classes, tuple(kids)


def _headline_link(a) -> bool:
    """A link whose text reads as a headline (6+ Han characters or 3+ words), not a user name or a button."""
    text = a.text_content() or ""
    return len(_HAN.findall(text)) >= 6 or len(re.findall(r"[^\W\d_]{2,}", text)) >= 3


_HAN = re.compile(r"[\u3400-\u9fff]")


def _is_teaser(el) -> bool:
    """An item that leads to another story: a headline link, plus one teaser mark (timestamp, text truncated with an
    ellipsis, a heading, a thumbnail). A post in a thread has a user-name link and a timestamp, but no headline link."""
    links = [a for a in el.iter("a") if _headline_link(a)]
    if not links:
        return False
    text = _text(el)
    if _STAMP.search(text):
        return True
    if any(_ELLIPSIS.search(_text(p)) for p in el.iter("p", "span", "div", "a")) or _ELLIPSIS.search(text):
        return True
    if next(el.iterdescendants(*_HEADING), None) is not None:
        return True
    return el.find(".//img") is not None


def _contains(el, target) -> bool:
    return target is not None and (el is target or any(a is el for a in target.iterancestors()))


def drop_teaser_lists(body, headline=None) -> int:
    """Remove sibling groups of 3+ same-shaped teaser items (see the module docstring); returns items removed.
    headline: the article's headline element; a group holding it is the page's main column, never a list."""
    removed = 0
    for parent in list(body.iter()):
        if not isinstance(parent.tag, str) or not _attached(parent, body):
            continue
        groups: dict[tuple, list] = {}
        for child in parent:
            if isinstance(child.tag, str) and child.tag not in ("script", "style", "br", "hr", "p"):
                groups.setdefault(_shape(child), []).append(child)
        for items in groups.values():
            if len(items) < MIN_ITEMS or any(_contains(it, headline) for it in items):
                continue
            if sum(1 for it in items if _is_teaser(it)) < TEASER_SHARE * len(items):
                continue
            for it in items:
                if it.getparent() is not None:
                    it.drop_tree()
                    removed += 1
    return removed


def cut_second_story(root, headline) -> bool:
    """Remove a following story: from the first later element shaped like the headline (same tag and classes,
    another text, followed by text) to the end of the container the two headlines share."""
    if headline is None or not _attached(headline, root):
        return False
    shape = (headline.tag, headline.get("class") or "")
    title_key = re.sub(r"\W+", "", headline.text_content() or "")
    after = False
    for el in root.iter(headline.tag):
        if el is headline:
            after = True
            continue
        if not after or (el.get("class") or "") != shape[1] or _contains(el, headline) or _contains(headline, el):
            continue
        key = re.sub(r"\W+", "", el.text_content() or "")
        if len(key) < 6 or key == title_key:
            continue
        common = _common_ancestor(headline, el)
        if common is None:
            continue
        top = el
        while top.getparent() is not common:
            top = top.getparent()
        if top is el:
            if headline.tag != "h1":
                # a bare heading among the paragraphs, shaped like a headline that is not the page's <h1>: the
                # article's next section (encyclopedias title a page with one section heading's shape)
                continue
        elif _chars_before(top, el) > LEAD_MAX_CHARS or _chars(top) - len(key) < STORY_MIN_CHARS:
            # not a block that opens with the headline and holds its story, but a block holding (the rest of) this
            # article with a heading somewhere inside it
            continue
        following = [top, *top.itersiblings()]
        if sum(_chars(f) for f in following) - len(key) < STORY_MIN_CHARS:
            continue
        for f in following:
            if f.getparent() is not None:
                f.drop_tree()
        return True
    return False


def _chars_before(block, el) -> int:
    """Characters of block's text that come before el (a headline opening its block has next to none)."""
    n = 0
    for node in block.iter():
        if node is el:
            return n
        if isinstance(node.tag, str) and node.text:
            n += len(re.sub(r"\s+", "", node.text))
        if node is not block and node.tail and not any(a is el for a in node.iterancestors()):
            n += len(re.sub(r"\s+", "", node.tail))
        if n > LEAD_MAX_CHARS:
            return n
    return n


def _chars(el) -> int:
    return len(re.sub(r"\s+", "", el.text_content() or ""))


def _attached(el, root) -> bool:
    return el is root or any(a is root for a in el.iterancestors())


def _common_ancestor(a, b):
    # the list keeps the proxies alive: lxml then hands out the same object per node, so `in` finds it
    mine = list(a.iterancestors())
    for x in b.iterancestors():
        if any(x is m for m in mine):
            return x
    return None


def list_lines(text: str, have: str, anchors: set[str] = frozenset()) -> set[str]:
    """Lines of a fallback extraction that belong to a list, unless the precision text has them too: teasers (text
    truncated with an ellipsis, a bare label plus timestamp) and list items that are the text of a link on the page
    (anchors: dom.anchor_texts). A list item of unlinked prose (a post, a step of a how-to) is content."""
    from extractors.text import _key

    own = {_key(line) for line in have.splitlines()}
    out = set()
    for line in text.splitlines():
        s = line.strip()
        if not s or _key(s) in own:
            continue
        item = re.sub(r"^[-*•]\s+", "", s)
        if _ELLIPSIS.search(s) or (item != s and re.sub(r"\W+", "", item) in anchors):
            out.add(line)
        elif _STAMP.search(s) and len(_key(_STAMP.sub("", s))) <= 12:
            out.add(line)
    return out
