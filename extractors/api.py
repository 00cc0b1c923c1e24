"""The extract() entry point: raw bytes in, one Record out, through one cascade.

    decode (decode.py) → parse once (dom.py; depth check) → metadata from the whole page (metatags.py, title.py, gov.py,
    attachments.py, dates.py)
    → ruby removal + chrome pruning on the same tree (prune.py, layout.py; page type: pagetype.py) → trafilatura on the pruned tree
    → line cleaning: pinyin, boilerplate phrase model, editor credit, repeats (text.py)
    → script conversion (script.py) → status.

Every outcome is a Record with a status; a bad page never raises and never returns None.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import re
from collections.abc import Mapping, Sequence

from w3lib.url import canonicalize_url

from extractors import (boundaries, byline, dates, dom, forum, gov, lang, listing, metatags, pagetype, prune, published, regions,
                        script, template, text)
from extractors import publishers as publisher_decl
from extractors.attachments import attachment_block, find_attachments, merge_attachments, with_attachment_lines
from extractors.body import lead_summary
from extractors.decode import decode_html
from extractors.record import Record, Region
from extractors.source import ExtractionHints, SourceInfo
from extractors.title import find_title

EXTRACTOR_VERSION = "0.5.0"

Headers = Sequence[tuple[str, str]] | Mapping[str, str]

# A decoded page with more U+FFFD than this is not text in any charset we could find.
_MAX_BAD_RATIO = 0.02
# A page whose article text is shorter than this while it has many links is an index/listing page.
_LISTING_MIN_LINKS = 30
_LISTING_MAX_TEXT = 120
# Below this many characters the precision-mode text is double-checked with trafilatura's default mode.
_SHORT_TEXT = 300


def record_id(url: str) -> str:
    """Stable id of an article: the same canonical URL always gives the same id."""
    return hashlib.sha256(canonicalize_url(url).encode("utf-8")).hexdigest()[:32]


def extract(
    body: bytes,
    url: str,
    headers: Headers = (),
    *,
    source: SourceInfo | None = None,
    fetched_at: str | None = None,
    http_status: int | None = None,
    publishers: publisher_decl.Registry | None = None,
) -> Record:
    """publishers: the publisher declarations to apply (default: extractors/data/publishers/)."""
    source = source or SourceInfo(id="adhoc")
    base = outcome_record(url, "error", source=source, fetched_at=fetched_at, http_status=http_status)
    try:
        declared = (publishers if publishers is not None else publisher_decl.registry()).for_url(url)
        if declared:
            source = dataclasses.replace(source, hints=publisher_decl.merged(source.hints, declared))
        return _extract(body, url, headers, source, base)
    except Exception as exc:  # the contract: never raise for bad input, report instead
        return dataclasses.replace(base, status="error", status_detail=f"{type(exc).__name__}: {exc}"[:500])


def outcome_record(url: str, status: str, *, source: SourceInfo, fetched_at: str | None = None,
                   http_status: int | None = None, detail: str | None = None) -> Record:
    """A record carrying only who/where/when and an outcome: the base of every extraction, and what a
    caller reports when extraction itself could not run (a timeout, a dead worker)."""
    try:
        rid = record_id(url)
    except Exception:  # a malformed URL still gets a record
        rid = hashlib.sha256((url or "").encode("utf-8", "replace")).hexdigest()[:32]
    return Record(
        id=rid,
        url=url,
        status=status,
        status_detail=detail,
        source=source.id,
        site_name=source.site_name or None,
        region=source.region,
        fetched_at=fetched_at,
        http_status=http_status,
        extractor_version=EXTRACTOR_VERSION,
    )


def _extract(body: bytes, url: str, headers: Headers, source: SourceInfo, base: Record) -> Record:
    hints: ExtractionHints = source.hints
    if body is None or not bytes(body).strip():
        return dataclasses.replace(base, status="empty", status_detail="empty response body")
    body = bytes(body)
    head = body[:4096]
    if head.count(b"\x00") > 0.01 * len(head) and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return dataclasses.replace(base, status="decode-error", status_detail="binary content (NUL bytes), not HTML")

    decoded = decode_html(body, headers, hints.encoding)
    base = dataclasses.replace(base, encoding=decoded.encoding)
    if decoded.bad_ratio > _MAX_BAD_RATIO:
        return dataclasses.replace(
            base,
            status="decode-error",
            status_detail=f"{decoded.bad_ratio:.1%} undecodable characters with {decoded.encoding.name}",
        )

    parsed = dom.parse(decoded.text)
    if parsed.root is None:
        return dataclasses.replace(base, status="empty", status_detail=parsed.detail or "no HTML content")
    root = parsed.root
    if parsed.too_deep:
        return dataclasses.replace(base, status="too-deep", status_detail=parsed.detail)

    # ---- metadata from the whole page, before anything is pruned
    tags = metatags.meta_tags(root, hints.script_epoch_keys)
    title, title_el = find_title(root, tags, hints.title_suffixes, hints.title_prefixes,
                                       hints.title_separators)
    govfound = gov.find(root, decoded.text)
    if title_el is None and govfound.value("title"):
        # No headline element: the block's 标题 / 名称 is the headline the page shows (the <title> is often
        # just "site - column").
        title = govfound.value("title")
    if hints.title_selector:
        title = dom.first_text(root, hints.title_selector) or title
    page_text = dom.visible_text(root)
    header = byline.header_window(page_text, title)
    entry_titles = listing.dated_titles(root)  # a column list's entries, before pruning reshapes it
    # htmldate reads the whole tree, which pruning changes: when the page has no cheaper date at all, ask it now.
    late_date = None
    if not (dates.from_text(header) or dates.from_meta(tags) or dates.from_url(url)):
        late_date = dates.from_htmldate(root, page_text)
    selector_date = dom.first_text(root, hints.date_selector) if hints.date_selector else None
    n_links = sum(1 for _ in root.iter("a"))
    anchors = dom.anchor_texts(root)
    labelled = attachment_block(root, url)  # the 附件 block, often outside the article container

    # ---- body
    model = source.template
    if model is not None:
        # the site's own chrome, learned from its other pages (template.py); on the tree as it was learned
        template.apply_tree(root, model, keep=title_el)
    prune.strip_ruby(root)
    for block in govfound.elements:
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
    headline = _Detached(title_el) if title_el is not None and not discussion and _HEADLINE_KEEP_IN_TEXT else None
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
    raw = _trafilatura_text(container, url, anchors)
    if headline is not None and headline.removed and len(raw) < _SHORT_TEXT:
        headline.restore()
        with_headline = _trafilatura_text(container, url, anchors)
        if len(text._key(with_headline)) > len(text._key(raw)) + len(text._key(title or "")) + 20:
            raw = with_headline
        else:
            headline.removed = True  # the short text stands: keep the text's own copy of the headline
    headline_gone = headline is not None and headline.removed
    if headline is not None and not lead and len(text._key(raw)) < _SHORT_TEXT:
        # A short result that holds nothing of the first text block after the headline: trafilatura took the
        # byline row and a disclaimer for the article and missed a table-only body (a 信息公开表, a notice laid out
        # as a Word table). That block is the text, unless it is itself a byline (short lines and a date).
        after = _block_after(headline)
        if after is not None and _holds_data_table(after):
            candidate = _trafilatura_run(copy.deepcopy(after), url, precision=False)
            keys = [text._key(line) for line in candidate.splitlines()]
            have = text._key(raw)
            if (sum(len(k) for k in keys) >= _AFTER_MIN_TEXT and not any(len(k) >= 6 and k in have for k in keys)
                    and not _is_header_block(candidate)):
                raw = candidate
    if not discussion and attachments:
        raw = with_attachment_lines(container, raw)
    if thread_root is not None:
        article = raw
        prune.prune(thread_root, hints.drop_selectors, discussion=True)
        thread = _trafilatura_run(copy.deepcopy(thread_root), url, precision=False, comments=True)
        if len(thread) > len(raw):
            raw = thread
        # trafilatura loses posts laid out in tables (Discuz) or in app markup: add each post's message it missed.
        # Not on pages that declare themselves an article (og:type, article:published_time) unless the article is
        # itself one of the posts (forum software declares threads as articles): otherwise posts there are
        # readers' comments under a blog or news story.
        have = text._key(raw)
        messages, furniture = forum.post_parts(thread_root)
        missing = [] if _declared_article(tags) and not _opens_thread(article, messages) else [
            line for post in messages for line in post.splitlines()
            if len(text._key(line)) >= 2 and text._key(line) not in have
        ]
        if missing:
            raw = raw + "\n" + "\n".join(missing)
        raw = _drop_post_furniture(raw, messages, furniture)
    if lead and text._key(lead) not in text._key(raw):
        raw = lead + "\n" + raw  # trafilatura drops lead/summary boxes (核心提示, 导读) in precision mode
    traditional = script.is_traditional(raw)
    cleaned = text.clean_lines(
        raw, title=None if headline_gone else title, drop_lines=hints.drop_lines,
        drop_patterns=hints.drop_line_patterns, simplify=script.t2s if traditional else None,
        thread=thread_root is not None,
    )
    body_text = cleaned.text
    credit = byline.credits(root, tags, page_text, header, raw, cleaned, hints.author_selector)
    found = published.find(page_text, title, body_text, tags, url, govfound.publish_date(), late_date, selector_date)
    date_header, _, _ = published.header_window(page_text, title, body_text)

    record = dataclasses.replace(
        base,
        title=title,
        author=credit.author,
        editor=credit.editor,
        original_source=credit.original_source,
        published=found.iso if found else None,
        published_raw=found.raw if found else None,
        published_from=_PUBLISHED_FROM.get(found.where, found.where) if found else None,
        gov=govfound.info(date_header, body_text),
        attachments=attachments,
        status_detail=None,
        template=model.id if model is not None else None,
    )

    # ---- outcome
    chars = len(re.sub(r"\s+", "", body_text))
    if entry_titles and listing.text_is_entries(body_text, entry_titles):
        return dataclasses.replace(record, text=body_text, status="not-an-article",
                                   status_detail=f"listing of {len(entry_titles)} dated entries")
    if chars == 0:
        if n_links >= _LISTING_MIN_LINKS and not _article_signal(title_el, title, tags):
            return dataclasses.replace(record, status="not-an-article", status_detail=f"{n_links} links, no article text")
        return dataclasses.replace(record, status="empty", status_detail="no article text found")
    is_article = _article_signal(title_el, title, tags)
    linked_lines = _linked_line_share(body_text, anchors)
    if not is_article and n_links >= _LISTING_MIN_LINKS and (
        (chars < _LISTING_MAX_TEXT and _looks_like_listing(body_text)) or linked_lines >= 0.6
    ):
        return dataclasses.replace(
            record, text=body_text, status="not-an-article", status_detail=f"{n_links} links, {chars} characters of text"
        )

    html_lang = root.get("lang") or tags.get("content-language")
    language = lang.detect(body_text, html_lang)
    region = _region(source.region, title)
    if language == "zh" and traditional and script.is_traditional(body_text):
        # Everything downstream searches Simplified; the page's own text is kept in text_original.
        conv = {f: script.t2s(v) for f in ("title", "author", "editor", "original_source") if (v := getattr(record, f))}
        return dataclasses.replace(
            record,
            status="ok",
            text=script.t2s(body_text),
            text_original=body_text,
            script_original="Hant",
            language=language,
            region=_region(source.region, conv.get("title")),
            **conv,
        )
    return dataclasses.replace(record, status="ok", text=body_text, language=language, region=region)


_HEADLINE_KEEP_IN_TEXT = True


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
            n = dom.text_len(sib)
            if n >= _AFTER_MIN_CHARS and dom.link_text_len(sib) < 0.3 * n:
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
        rows = [tr for tr in table.iter("tr") if any(dom.text_len(td) for td in tr.iter("td", "th"))]
        cells = sum(1 for td in table.iter("td", "th") if dom.text_len(td))
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


# dates.FoundDate.where -> Record.published_from
_PUBLISHED_FROM = {"label+year": "header"}


def _trafilatura_text(container, url: str, anchors: set[str] = frozenset()) -> str:
    """trafilatura in precision mode; on short pages, where that mode can throw the whole body away,
    the default mode too, keeping the longer result (the line cleaning removes what it adds of chrome)."""
    text = _trafilatura_run(copy.deepcopy(container), url, precision=True)
    if len(text) < _SHORT_TEXT:
        fallback = _trafilatura_run(container, url, precision=False)
        # the fallback is there to recover prose precision mode threw away, never to add a list
        listed = boundaries.list_lines(fallback, text, anchors)
        if listed:
            fallback = "\n".join(line for line in fallback.splitlines() if line not in listed)
        if len(fallback) > 2 * len(text) + 50:
            return fallback
        # Precision mode may pick the article's header block (headline, dateline, outlet), whose raw length is
        # close to a short article's: then the candidates are compared on prose, lines that read as sentences.
        if _is_header_block(text) and _sentence_chars(fallback) > 2 * _sentence_chars(text) + _PROSE_MARGIN:
            return fallback
    return text


# A paragraph's worth of sentences: a few lines of terms or notices under a short post do not outweigh it.
_PROSE_MARGIN = 80
_DATE_IN_LINE = re.compile(r"(?:19|20)\d{2}[-/.年]\d{1,2}[-/.月]\d{1,2}")


def _is_header_block(raw: str) -> bool:
    """Only short lines (headline, dateline, byline, outlet) and a date among them: a header, not a body."""
    lines = [line.strip() for line in raw.splitlines() if line.strip()]
    return bool(lines) and all(len(text._key(line)) <= 40 for line in lines) and any(
        _DATE_IN_LINE.search(line) for line in lines
    )


def _sentence_chars(raw: str) -> int:
    """Characters in lines that read as sentences (end like one) and are not chrome."""
    n = 0
    for line in raw.splitlines():
        k = text._key(line)
        if len(k) >= 8 and text.SENTENCE_END.search(line.strip()) and not text.is_chrome(line.strip()):
            n += len(k)
    return n


def _trafilatura_run(container, url: str, *, precision: bool, comments: bool = False) -> str:
    import trafilatura

    doc = trafilatura.bare_extraction(
        container,
        url=url or None,
        with_metadata=False,
        favor_precision=precision,  # measured: precision mode +0.004 F1 on zh_news; chrome is our main risk
        include_comments=comments,
        include_tables=True,
        include_images=False,
        deduplicate=False,
    )
    if doc is None:
        return ""
    return doc.text or ""


_SEPARATOR_LINE = re.compile(r"[|｜·•/\-—:：\s]+")


def _drop_post_furniture(raw: str, messages: list[str], furniture: set[str]) -> str:
    """Lines that are a post's byline ("2楼 发表于 … | 只看该作者"), a piece of the posts outside their messages
    (user name, "6天前", "回复") or a bare separator: trafilatura's comment mode keeps them between the replies.
    A line that is also a message line stays ("顶" as a reply, not a button)."""
    said = {text._key(line) for m in messages for line in m.splitlines()}
    chrome = {text._key(f) for f in furniture} - said
    chrome.discard("")
    return "\n".join(
        line for line in raw.splitlines()
        if not forum.is_post_byline(line) and not _SEPARATOR_LINE.fullmatch(line) and not _assembled(line, chrome, said)
    )


def _assembled(line: str, chrome: set[str], said: set[str]) -> bool:
    """The line is furniture, or a time stamp with only furniture and counts around it: trafilatura joins a
    byline's spans into one line ("6765 小倪儿 看过 2024-04-07 13:19:20")."""
    key = text._key(line)
    if key in chrome:
        return True
    rest = forum.without_stamps(line) if len(line) <= 80 and key not in said else None
    if rest is None:
        return False
    parts = [text._key(p) for p in re.split(r"[\s|｜·•/]+", rest)]
    return all(p in chrome or p.isdigit() for p in parts if p)


def _opens_thread(article: str, messages: list[str]) -> bool:
    """Most of the article text (by characters) is the posts' own: the page is a thread that calls itself one."""
    said = text._key("".join(messages))
    keys = [text._key(line) for line in article.splitlines()]
    total = sum(len(k) for k in keys)
    return total > 0 and sum(len(k) for k in keys if k and k in said) >= 0.5 * total


def _declared_article(tags: dict[str, str]) -> bool:
    return (tags.get("og:type") or "").lower() == "article" or "article:published_time" in tags


def _article_signal(title_el, title: str | None, tags: dict[str, str]) -> bool:
    """The page says it is one article: og:type article, a published-time meta, or a long headline element."""
    if _declared_article(tags):
        return True
    return title_el is not None and title is not None and len(re.sub(r"\W+", "", title)) >= 8


def _linked_line_share(body_text: str, anchors: set[str]) -> float:
    """Share of the text's lines (6+ characters) that are the text of some link on the page."""
    keys = [re.sub(r"\W+", "", line) for line in body_text.splitlines()]
    keys = [k for k in keys if len(k) >= 6]
    if len(keys) < 5:
        return 0.0
    return sum(1 for k in keys if k in anchors) / len(keys)


def _looks_like_listing(body_text: str) -> bool:
    lines = [line for line in body_text.splitlines() if line.strip()]
    return len(lines) >= 3 or len(body_text) < 60


def _region(src: Region, title: str | None) -> Region:
    division = regions.by_code(src.code)
    province = src.province or (division.province if division else None)
    city = src.city or (division.name if division and division.level == "city" else None)
    return Region(province=province, city=city, code=src.code, mentioned=regions.mentioned(title))
