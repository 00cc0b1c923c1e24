"""Chrome pruning on the parsed tree, by general signals, never by site: class/id tokens that name page furniture
(share, comment, related, footer, breadcrumb, qrcode…), hidden elements, boxes around text controls, and link
lists (blocks whose text is mostly links). A block holding most of the page's text is never pruned, whatever its
class says. Ruby annotations (<rt>/<rp>) go too.
"""

from __future__ import annotations

import re

import lxml.etree as etree

from extractors import layout
from extractors.dom import TOKEN_SPLIT, class_tokens, link_text_len, signature, text_len
from extractors.text import SENTENCE_END

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
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_KEEP_TOKENS = {"article", "content", "main", "body", "text", "post", "entry", "detail", "story", "zhengwen"}


def strip_ruby(root) -> int:
    """Drop <rt>/<rp> (pinyin and the brackets around it), keeping the base characters and any tail text."""
    n = 0
    for el in list(root.iter("rt", "rp")):
        el.drop_tree()
        n += 1
    return n


# Tokens pruned as chrome on article pages that hold the content itself on a discussion page.
_DISCUSSION_TOKENS = {"comment", "comments", "cmt", "reply", "replies", "discuss"}


def _names_comments(el) -> bool:
    """A class word or id that ends in a comment word names a comment section whatever qualifies it: the
    post's/article's comments ("post_comment", "article-comments"), not a post or an article."""
    for name in (el.get("class") or "").split() + [el.get("id") or ""]:
        toks = [t for t in TOKEN_SPLIT.split(name) if t]
        if toks and toks[-1].lower() in _DISCUSSION_TOKENS:
            return True
    return False


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
    sig = signature(el)
    if sig is None:
        return False
    parent = el.getparent()
    return parent is not None and any(sib is not el and signature(sib) == sig for sib in parent)


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


def prune(root, drop_selectors: tuple[str, ...] = (), *, discussion: bool = False, reshape: bool = True) -> None:
    """Remove page furniture in place (see the module docstring). On a discussion page (pagetype.page_type) the
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
        layout.unwrap_layout_tables(body)
        layout.unwrap_layout_lists(body)
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
        toks = class_tokens(el)
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
        layout.unwrap_image_links(body)  # after the link lists: thumbnail links still count there as links


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
