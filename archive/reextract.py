"""Rebuild records from WARC files alone, with the current extractor and the HTTP headers stored there.

A capture made by policycrawl has a `conversion` record (the record JSON) referring to each article
response; it names the source, so re-extraction uses that source's hints and region. WARCs written by other
tools have no such records: every 200 text/html response is then extracted, with the source chosen by the
caller from the URL.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from extractors import Record, SourceInfo, extract
from extractors.record import WarcPointer

logger = logging.getLogger(__name__)

# Decoded bodies larger than this are not extracted (a compressed bomb must not exhaust memory).
MAX_BODY = 64 * 1024 * 1024


@dataclass(frozen=True)
class StoredResponse:
    url: str
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes  # Content-Encoding removed
    date: str
    pointer: WarcPointer


def _conversions(path: Path) -> dict[str, dict]:
    """record id of a response → the record JSON our crawl made of it."""
    found: dict[str, dict] = {}
    with open(path, "rb") as fh:
        for rec in ArchiveIterator(fh):
            if rec.rec_type in ("conversion", "metadata") and (
                rec.rec_headers.get_header("Content-Type") or ""
            ).startswith("application/json"):
                refers = rec.rec_headers.get_header("WARC-Refers-To")
                try:
                    found[refers] = json.loads(rec.content_stream().read())
                except ValueError:
                    logger.warning("%s: unreadable conversion record for %s", path.name, refers)
    return found


def iter_responses(path: Path) -> Iterator[StoredResponse]:
    with open(path, "rb") as fh:
        iterator = ArchiveIterator(fh)
        for rec in iterator:
            if rec.rec_type != "response" or rec.http_headers is None:
                continue
            status = int(rec.http_headers.get_statuscode() or 0)
            body = _read_capped(rec.content_stream(), MAX_BODY + 1)
            # Only after the content is read: asking warcio for the offset first skips the record's body.
            offset = iterator.get_record_offset()
            if len(body) > MAX_BODY:
                logger.warning("%s: body over %d bytes, skipped", rec.rec_headers.get_header("WARC-Target-URI"), MAX_BODY)
                continue
            headers = tuple((k, v) for k, v in rec.http_headers.headers)
            yield StoredResponse(
                url=rec.rec_headers.get_header("WARC-Target-URI"),
                status=status,
                headers=headers,
                body=body,
                date=rec.rec_headers.get_header("WARC-Date"),
                pointer=WarcPointer(path.name, offset, rec.rec_headers.get_header("WARC-Record-ID")),
            )


def _read_capped(stream, limit: int) -> bytes:
    # warcio's decoding reader returns b"" when asked for a very large read at once: read in chunks.
    chunks, size = [], 0
    while size < limit:
        chunk = stream.read(min(1 << 20, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _is_html(headers: Iterable[tuple[str, str]]) -> bool:
    for name, value in headers:
        if name.lower() == "content-type":
            return "html" in value.lower()
    return True


def reextract_warc(
    path: Path, source_for: Callable[[dict | None, str], SourceInfo]
) -> Iterator[Record]:
    """Records for the articles in one WARC file. source_for(earlier_record_or_None, url) picks the source."""
    conversions = _conversions(path)
    ours = bool(conversions)
    for resp in iter_responses(path):
        previous = conversions.get(resp.pointer.record_id)
        if ours and previous is None:
            continue  # listing pages, feeds, robots.txt: captured, never extracted
        if not ours and (resp.status != 200 or not _is_html(resp.headers)):
            continue
        source = source_for(previous, resp.url)
        fetched_at = previous.get("fetched_at") if previous else resp.date
        record = extract(resp.body, resp.url, resp.headers, source=source, fetched_at=fetched_at,
                         http_status=resp.status)
        yield record.with_warc(resp.pointer)
