"""The article text before line cleaning, from the parsed page: the site template's chrome out, ruby and the
信息公开 block out, the page type decided, chrome pruned, the article's end found by structure (boundaries.py),
the headline taken out, trafilatura on the site's body container or the page (trafilatura_runs.py), with the
fallbacks for what it loses (a table-only body, attachment lines, posts of a thread, the lead box)."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass

from extractors import boundaries, forum, pagetype, prune, template, text, trafilatura_runs
from extractors.attachments import find_attachments, merge_attachments, with_attachment_lines
from extractors.dom import class_tokens, link_text_len, text_len
from extractors.record import Attachment
from extractors.source import ExtractionHints
from extractors.trafilatura_runs import SHORT_TEXT, best_text, is_header_block


@dataclass
class Body:
    raw: str  # the text before line cleaning
    headline_gone: bool  # the headline left the tree: a line repeating it in the text is the text's own
    thread: bool  # a discussion page (forum thread, Q&A, comment page)
    attachments: tuple[Attachment, ...]


def find(root, url: str, *, title: str | None, title_el, tags: dict[str, str], page_text: str, anchors: set[str],
         labelled: tuple[Attachment, ...], gov_blocks, model, hints: ExtractionHints) -> Body:
    """The article text of the page (root is pruned in place). labelled: the 附件 block's attachments, found before
    pruning; gov_blocks: the 信息公开 elements (metadata, not text); model: the site's template or None."""
    if model is not None:
        # the site's own chrome, learned from its other pages (template.py); on the tree as it was learned
        template.apply_tree(root, model, keep=title_el)
    prune.strip_ruby(root)
    for block in gov_blocks:
        if block.getparent() is not None:
            block.drop_tree()  # the 信息公开 block goes to Record.gov, not to the text
    prune.drop_unseen(root)
    # Forum threads, Q&A and comment pages: the replies are the content, not chrome to prune.
    discussion, comments = pagetype.page_type(root, page_text) if not hints.body_selector else (False, [])
    # An article followed by its readers' comments: the comments go before pruning, which would keep a comment
    # section holding most of the page's text (long comments under a short story) as the page's main block.
    for el in comments:
        if el.getparent() is not None:
            el.drop_tree()
    thread_root = copy.deepcopy(root) if discussion else None
    prune.prune(root, hints.drop_selectors, reshape=not discussion)
    if not discussion:
        # where the article ends: a following story, feeds and card grids go by structure (boundaries.py)
        boundaries.cut_second_story(root, title_el)
        boundaries.drop_teaser_lists(root.find("body") if root.find("body") is not None else root, title_el)
    # The headline element is metadata: it leaves the tree, so that a line repeating the headline inside the text
    # (an official document's own heading under its 文号 and issuer) is kept as the text's. On some pages
    # trafilatura finds nothing once the headline is gone: the headline is then put back (see below).
    headline = _Detached(title_el) if title_el is not None and not discussion else None
    container = root
    if hints.body_selector:
        try:
            hits = root.cssselect(hints.body_selector)
        except Exception:  # a bad selector in a site declaration must not fail the page
            hits = []
        if hits:
            container = hits[0]
    # A site's body selector picks the text; the attachment list often sits beside it ("附件下载" after the body,
    # www.sz.gov.cn's div.fjdown), so attachments are looked for in the body's enclosing block too.
    scope = container.getparent() if container is not root and container.getparent() is not None else container
    attachments = merge_attachments(find_attachments(scope, url), labelled)
    lead = lead_summary(container)
    raw = best_text(container, url, anchors)
    if headline is not None and headline.removed and len(raw) < SHORT_TEXT:
        headline.restore()
        with_headline = best_text(container, url, anchors)
        if len(text._key(with_headline)) > len(text._key(raw)) + len(text._key(title or "")) + 20:
            raw = with_headline
        else:
            headline.removed = True  # the short text stands: keep the text's own copy of the headline
    headline_gone = headline is not None and headline.removed
    if headline is not None and not lead and len(text._key(raw)) < SHORT_TEXT:
        # A short result that holds nothing of the first text block after the headline: trafilatura took the
        # byline row and a disclaimer for the article and missed a table-only body (a 信息公开表, a notice laid out
        # as a Word table). That block is the text, unless it is itself a byline (short lines and a date).
        after = _block_after(headline)
        if after is not None and _holds_data_table(after):
            candidate = trafilatura_runs.run(copy.deepcopy(after), url, precision=False)
            keys = [text._key(line) for line in candidate.splitlines()]
            have = text._key(raw)
            if (sum(len(k) for k in keys) >= _AFTER_MIN_TEXT and not any(len(k) >= 6 and k in have for k in keys)
                    and not is_header_block(candidate)):
                raw = candidate
    if not discussion and attachments:
        raw = with_attachment_lines(container, raw)
    if thread_root is not None:
        raw = forum.thread_text(thread_root, raw, url, tags, hints.drop_selectors)
    if lead and text._key(lead) not in text._key(raw):
        raw = lead + "\n" + raw  # trafilatura drops lead/summary boxes (核心提示, 导读) in precision mode
    return Body(raw, headline_gone, thread_root is not None, attachments)


def _block_after(headline: "_Detached"):
    """The first element after the headline (its later siblings, then its ancestors' later siblings) with some
    unlinked text."""
    if headline.parent is None:
        return None
    parent, index = headline.parent, headline.index if not headline.removed else headline.index
    for _ in range(4):
        for sib in list(parent)[index:]:
            if not isinstance(sib.tag, str) or sib is headline.el:
                continue
            n = text_len(sib)
            if n >= _AFTER_MIN_CHARS and link_text_len(sib) < 0.3 * n:
                return sib
        up = parent.getparent()
        if up is None:
            return None
        index = up.index(parent) + 1
        parent = up
    return None


def _holds_data_table(el) -> bool:
    """A table of at least two rows and four filled cells (a form or register, not a layout wrapper)."""
    for table in el.iter("table"):
        rows = [tr for tr in table.iter("tr") if any(text_len(td) for td in tr.iter("td", "th"))]
        cells = sum(1 for td in table.iter("td", "th") if text_len(td))
        if len(rows) >= 2 and cells >= 4:
            return True
    return False


_AFTER_MIN_CHARS = 50
_AFTER_MIN_TEXT = 100


class _Detached:
    """An element taken out of the tree (its tail text stays in place), which can be put back where it was."""

    def __init__(self, el):
        self.el = el
        self.parent = el.getparent()
        self.removed = False
        if self.parent is None:
            return
        self.index = self.parent.index(el)
        self.tail = el.tail
        prev = el.getprevious()
        self.prev = prev
        self.prev_tail = prev.tail if prev is not None else None
        self.parent_text = self.parent.text
        if el.tail:
            if prev is not None:
                prev.tail = (prev.tail or "") + el.tail
            else:
                self.parent.text = (self.parent.text or "") + el.tail
        el.tail = None
        self.parent.remove(el)
        self.removed = True

    def restore(self) -> None:
        if not self.removed:
            return
        if self.prev is not None:
            self.prev.tail = self.prev_tail
        else:
            self.parent.text = self.parent_text
        self.el.tail = self.tail
        self.parent.insert(self.index, self.el)
        self.removed = False


_LEAD_TOKENS = {"summary", "abstract", "zhaiyao", "digest", "daodu", "tiyao", "lead", "intro", "introduction"}
# "intro" also names a person's or a product's blurb: not a lead when the box says whose.
_NOT_LEAD_TOKENS = {"profile", "author", "user", "userinfo", "footer", "icon", "app", "service", "card", "avatar"}
_LEAD_TEXT = re.compile(r"^(核心提示|内容提要|内容摘要|摘要|导读|導讀|提要|编者按|編者按)\s*[:：]?")


def lead_summary(root) -> str | None:
    """The lead/summary box above an article (class "summary", or text starting 核心提示/摘要/导读/编者按)."""
    for el in root.iter("div", "p", "section", "blockquote"):
        toks = class_tokens(el)
        own = re.sub(r"\s+", " ", el.text_content() or "").strip()
        if not (20 <= len(own) <= 600):
            continue
        if len(re.findall(r"[\u4e00-\u9fff]", own)) < 0.5 * len(own):
            continue  # Chinese leads only: English pages' "summary" boxes are teasers as often as leads
        if (toks & _LEAD_TOKENS and not toks & _NOT_LEAD_TOKENS) or _LEAD_TEXT.match(own):
            if el.find(".//a") is None or link_text_len(el) < 0.2 * len(own):
                return own
    return None
