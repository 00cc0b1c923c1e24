"""Rebuild records from WARC files alone, with the current extractor and the HTTP headers stored there.

A capture made by policycrawl has a `conversion` record (the record JSON) referring to each article
response; it names the source, so re-extraction uses that source's hints and region. Only those responses are
articles: listing pages, feeds and robots.txt in our WARCs have none. Whether that rule applies is read from
the file's warcinfo record (`software: policycrawl/...`, `policycrawl-extraction: on|off`), not from the
presence of conversion records in the file: a run that found nothing new writes none, and rotation can put a
conversion record into the next file (so conversions are collected over all the files given). A capture-only
crawl (extraction off), and our older files that do not say, when none of the files given holds a conversion
record, are read like foreign WARCs. WARCs written by other tools: every 200 text/html response except
robots.txt is extracted, with the source chosen by the caller from the URL.

This module only says what there is to extract (plain ExtractionJob data, with the WARC pointer each line will
carry); it starts no process. `policycrawl extract` runs the jobs through the crawl's own extraction pool
(crawler/pool.py), so a page gets the same extractor, time limit and memory cap as in the crawl.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from archive.hints import read_hint
from archive.pointer import WarcPointer
from archive.templates import templates_in_warc
from archive.warc_read import BodyTooLarge, DamagedWarc, StoredRecord, decode_content, iter_records, looks_like_warc
from extractors import SourceInfo
from extractors.attachment import RECORD_TYPE as ATTACHMENT

logger = logging.getLogger(__name__)

# Decoded bodies larger than this are not extracted (a compressed bomb must not exhaust memory).
MAX_BODY = 64 * 1024 * 1024


def _origin(rec: StoredRecord) -> bool | None:
    """From a warcinfo record: True = a crawl that extracted (only responses with a conversion record are
    articles), False = not ours or a capture-only crawl (every HTML response is a candidate), None = ours but
    undeclared (older files: decided by whether the files given hold any conversion record)."""
    if rec.rec_type != "warcinfo" or b"software: policycrawl/" not in rec.block:
        return False
    if b"policycrawl-extraction: on" in rec.block:
        return True
    if b"policycrawl-extraction: off" in rec.block:
        return False
    return None


def _scan(path: Path, hints: dict[str, dict] | None = None) -> tuple[dict[str, dict], bool | None]:
    """(record id of a response → the record JSON our crawl made of it, the file's origin as _origin says);
    fills `hints` (record id of a response → what its listing said, archive/hints.py) when given."""
    found: dict[str, dict] = {}
    ours: bool | None = False
    if not looks_like_warc(path):  # e.g. a gzip bomb named .warc.gz: never inflated
        return found, ours
    seen_info = False
    for rec in iter_records(path, tolerant=True):
        if rec.rec_type == "warcinfo" and not seen_info:
            seen_info = True
            ours = _origin(rec)
        if hints is not None and (hint := read_hint(rec)) is not None:
            hints[hint[0]] = hint[1]
            continue
        if rec.rec_type in ("conversion", "metadata") and (rec.headers.get("Content-Type") or "").startswith(
            "application/json"
        ):
            refers = rec.headers.get("WARC-Refers-To") or ""
            try:
                found[refers] = json.loads(rec.block)
            except ValueError:
                logger.warning("%s: unreadable conversion record for %s", path.name, refers)
    return found, ours


def _headers(rec: StoredRecord) -> tuple[tuple[str, str], ...]:
    # The live crawl hands the extractor Scrapy's header bytes decoded as latin-1: do exactly the same.
    return tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in rec.http.headers)


def _is_html(headers: Iterable[tuple[str, str]]) -> bool:
    for name, value in headers:
        if name.lower() == "content-type":
            return "html" in value.lower()
    return True


def _is_robots(url: str) -> bool:
    return url.split("?", 1)[0].split("#", 1)[0].lower().endswith("/robots.txt")


@dataclass(frozen=True)
class ExtractionJob:
    """Everything extract() needs for one archived article; plain data, so it can go to a worker process. Which
    extractor runs it, with what time limit and memory cap, is the pool's business (crawler/pool.py)."""

    body: bytes
    url: str
    headers: tuple[tuple[str, str], ...]
    source: SourceInfo
    fetched_at: str | None
    http_status: int | None
    pointer: WarcPointer | None  # None for a page that is not in a WARC (an HTML file given to `extract`)
    # The attachment record the crawl made of this response (crawler/attachments.py), when it is an attachment.
    attachment: dict | None = None
    # What the listing that linked the page said about it, as the crawl applied it (archive/hints.py).
    hint: dict | None = None


def iter_jobs(path: Path, source_for: Callable[[dict | None, str], SourceInfo],
              conversions: dict[str, dict] | None = None, ours: bool | None = None,
              hints: dict[str, dict] | None = None) -> Iterator[ExtractionJob]:
    """The articles in one WARC file. source_for(earlier_record_or_None, url) picks the source; `conversions`,
    `hints` (from all the files of a re-extraction) and `ours` default to what this file alone says."""
    if not looks_like_warc(path):  # e.g. a gzip bomb named .warc.gz: never inflated
        logger.warning("%s: not a WARC file; skipped", path)
        return
    if conversions is None or ours is None or hints is None:
        own_hints: dict[str, dict] = {}
        own, own_ours = _scan(path, own_hints)
        hints = own_hints if hints is None else hints
        conversions = own if conversions is None else conversions
        ours = (bool(conversions) if own_ours is None else own_ours) if ours is None else ours
    try:
        models = templates_in_warc(path)
    except (DamagedWarc, OSError, ValueError) as exc:
        logger.warning("%s: site templates unreadable (%s); extracting without", path, exc)
        models = {}
    for rec in iter_records(path, tolerant=True):
        if rec.rec_type != "response" or rec.http is None:
            continue
        previous = conversions.get(rec.record_id)
        url = rec.target_uri or ""
        headers = _headers(rec)
        if ours and previous is None:
            continue  # listing pages, feeds, robots.txt: captured, never extracted
        if not ours and (rec.http.status != 200 or not _is_html(headers) or _is_robots(url)):
            continue
        try:
            body = decode_content(rec.payload, rec.http.header(b"Content-Encoding"), MAX_BODY)
        except (BodyTooLarge, ValueError, OSError) as exc:
            logger.warning("%s: cannot decode body of %s: %s", path.name, url, exc)
            continue
        if previous is not None and previous.get("record_type") == ATTACHMENT:
            yield ExtractionJob(body=body, url=url, headers=headers, source=SourceInfo(id=previous.get("source") or
                                "adhoc"), fetched_at=previous.get("fetched_at"), http_status=rec.http.status or 0,
                                pointer=WarcPointer(path.name, rec.offset, rec.record_id), attachment=previous)
            continue
        source = source_for(previous, url)
        used = previous.get("template") if previous else None
        if used:
            # the same site template the crawl used: it is in this file (archive/templates.py)
            if used in models:
                source = dataclasses.replace(source, template=models[used])
            else:
                logger.warning("%s: site template %s of %s is not in the file; extracting without", path.name, used, url)
        yield ExtractionJob(
            body=body,
            url=url,
            headers=headers,
            source=source,
            fetched_at=previous.get("fetched_at") if previous else rec.headers.get("WARC-Date"),
            http_status=rec.http.status or 0,
            pointer=WarcPointer(path.name, rec.offset, rec.record_id),
            hint=hints.get(rec.record_id),
        )


def extraction_jobs(paths: Iterable[Path],
                    source_for: Callable[[dict | None, str], SourceInfo]) -> Iterator[ExtractionJob]:
    """Every article (and attachment) in the given WARCs, in archive order, as plain jobs: the caller runs them
    through the extraction pool (crawler/pool.py ExtractionPool.run_jobs), with the crawl's time limits."""
    paths = list(paths)
    conversions: dict[str, dict] = {}
    hints: dict[str, dict] = {}
    origin: dict[Path, bool | None] = {}
    for path in paths:  # first pass: a conversion record may sit in the file after its response's
        found, origin[path] = _scan(path, hints)
        conversions.update(found)
    ours = {path: bool(conversions) if o is None else o for path, o in origin.items()}
    for path in paths:
        yield from iter_jobs(path, source_for, conversions, ours[path], hints)
