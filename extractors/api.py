"""The extract() entry point: raw bytes in, one Record out, through one cascade.

    decode (decode.py) → parse once (dom.py; depth check) → metadata from the whole page: meta tags (metatags.py),
    headline (title.py), 信息公开 block (gov.py), header window, early dates (dates.py), 附件 block (attachments.py)
    → body (body.py: template, ruby, page type (pagetype.py), pruning (prune.py, layout.py), article boundaries
    (boundaries.py), trafilatura (trafilatura_runs.py), threads (forum.py)) → line cleaning (text.py)
    → credits: author, editor, 来源 (byline.py) → publish date (published.py) → outcome (status.py)
    → language (lang.py), region (regions.py), script conversion (script.py).

Every outcome is a Record with a status; a bad page never raises and never returns None.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping, Sequence

from w3lib.url import canonicalize_url

from extractors import byline, dates, dom, gov, lang, listing, metatags, published, regions, script, status, text
from extractors import publishers as publisher_decl
from extractors.attachments import attachment_block
from extractors.body import find as find_body
from extractors.decode import decode_html
from extractors.record import Record
from extractors.source import ExtractionHints, SourceInfo
from extractors.title import find_title

EXTRACTOR_VERSION = "0.5.0"

Headers = Sequence[tuple[str, str]] | Mapping[str, str]

# A decoded page with more U+FFFD than this is not text in any charset we could find.
_MAX_BAD_RATIO = 0.02


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
    opened = _open(body, headers, hints, base)
    if isinstance(opened, Record):
        return opened  # empty, binary, undecodable, unparseable or too deep
    html_text, root, base = opened

    # ---- metadata from the whole page, before anything is pruned
    tags = metatags.meta_tags(root, hints.script_epoch_keys)
    title, title_el = find_title(root, tags, hints.title_suffixes, hints.title_prefixes, hints.title_separators)
    govfound = gov.find(root, html_text)
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
    found_body = find_body(root, url, title=title, title_el=title_el, tags=tags, page_text=page_text, anchors=anchors,
                           labelled=labelled, gov_blocks=govfound.elements, model=model, hints=hints)
    raw, headline_gone = found_body.raw, found_body.headline_gone
    traditional = script.is_traditional(raw)
    cleaned = text.clean_lines(
        raw, title=None if headline_gone else title, drop_lines=hints.drop_lines,
        drop_patterns=hints.drop_line_patterns, simplify=script.t2s if traditional else None,
        thread=found_body.thread,
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
        attachments=found_body.attachments,
        status_detail=None,
        template=model.id if model is not None else None,
    )

    # ---- outcome
    not_ok = status.page_status(body_text, title=title, title_el=title_el, tags=tags, entry_titles=entry_titles,
                                n_links=n_links, anchors=anchors)
    if not_ok is not None:
        state, detail, keep_text = not_ok
        return dataclasses.replace(record, status=state, status_detail=detail, **({"text": body_text} if keep_text else {}))
    return _finish(record, body_text, traditional, root.get("lang") or tags.get("content-language"), source.region)


def _open(body: bytes, headers: Headers, hints: ExtractionHints, base: Record):
    """(decoded HTML, parsed root, base with its encoding), or the Record of a page that cannot be read."""
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
    if parsed.too_deep:
        return dataclasses.replace(base, status="too-deep", status_detail=parsed.detail)
    return decoded.text, parsed.root, base


def _finish(record: Record, body_text: str, traditional: bool, html_lang: str | None, src_region) -> Record:
    """An article: its language and region; a Traditional page converted to Simplified (everything downstream
    searches Simplified), its own text kept in text_original."""
    language = lang.detect(body_text, html_lang)
    if language == "zh" and traditional and script.is_traditional(body_text):
        conv = {f: script.t2s(v) for f in ("title", "author", "editor", "original_source") if (v := getattr(record, f))}
        return dataclasses.replace(
            record,
            status="ok",
            text=script.t2s(body_text),
            text_original=body_text,
            script_original="Hant",
            language=language,
            region=regions.record_region(src_region, conv.get("title")),
            **conv,
        )
    return dataclasses.replace(record, status="ok", text=body_text, language=language,
                               region=regions.record_region(src_region, record.title))


# dates.FoundDate.where -> Record.published_from
_PUBLISHED_FROM = {"label+year": "header"}
