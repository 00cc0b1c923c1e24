"""Write every HTTP exchange to WARC exactly as it came off the wire.

Sits next to the downloader (see crawler/addon.py), so the body is still Content-Encoded, every header
value is there (`getlist`), and redirects, errors, retries and robots.txt are all captured. Twisted has
already de-chunked the body; Transfer-Encoding stays in the stored headers as the server sent it, which
is what the WARC 1.1 spec expects of a de-chunked payload in a response record.

Re-checks of archived articles (crawler/recheck.py) are decided here, because the choice is between two
kinds of WARC record: an unchanged page becomes a `revisit` pointing at the stored response, a changed one
a full `response`. New bytes that decode to the same page are stored in full but make no new version. Once the disk is full nothing more is written: in-flight responses are dropped.
"""

from __future__ import annotations

import logging
import zlib
from datetime import UTC, datetime
from http import HTTPStatus
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from archive.state import UrlState
from archive.warc import HttpExchange
from archive.warc_format import sha1_digest, warc_date
from archive.warc_read import decode_content
from crawler.handlers import REASON_META, raw_response_headers
from crawler.recheck import RECHECK_META, REFETCH_META, UNCHANGED_META, original_is_referable
from crawler.session import ArchiveSession

logger = logging.getLogger(__name__)

WARC_META = "policycrawl_warc"
FETCHED_META = "policycrawl_fetched_at"
WARC_DATE_META = "policycrawl_warc_date"  # WARC-Date of the response record (a later revisit refers to it)
DIGEST_META = "policycrawl_payload_digest"  # WARC-Payload-Digest of the body as received


def _headers(headers) -> tuple[tuple[bytes, bytes], ...]:
    pairs = []
    for name, values in headers.items():
        for value in values:
            pairs.append((bytes(name), bytes(value)))
    return tuple(pairs)


def _reason(request: Request, status: int) -> str:
    reason = request.meta.get(REASON_META)
    if reason:
        return reason
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def exchange_from(request: Request, response: Response, fetched_at: datetime) -> HttpExchange:
    parts = urlsplit(request.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    req_headers = list(_headers(request.headers))
    if not any(name.lower() == b"host" for name, _ in req_headers):
        # Twisted adds Host itself; the archived request should show it as sent.
        req_headers.insert(0, (b"Host", parts.netloc.encode("ascii", "replace")))
    return HttpExchange(
        url=request.url,
        method=request.method,
        request_target=target,
        request_headers=tuple(req_headers),
        request_body=request.body or b"",
        protocol=response.protocol or "HTTP/1.1",
        status=response.status,
        reason=_reason(request, response.status),
        # The header lines exactly as received (order across names, case) when the handler kept them.
        response_headers=raw_response_headers(request, response) or _headers(response.headers),
        body=response.body,
        ip_address=str(response.ip_address) if response.ip_address else None,
        fetched_at=fetched_at,
    )


class WarcCaptureMiddleware:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcCaptureMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        session = ArchiveSession.of(self.crawler)
        stats = self.crawler.stats
        if session.outcome == "out-of-space" or session.closed:
            stats.inc_value("policycrawl/warc/dropped_while_stopping")
            raise IgnoreRequest(f"not archived, the run is stopping ({session.outcome}): {request.url}")
        fetched_at = datetime.now(UTC)
        exchange = exchange_from(request, response, fetched_at)
        digest = sha1_digest(response.body)
        known: UrlState | None = request.meta.get(RECHECK_META)
        try:
            if known is not None and response.status in (200, 304):
                pointer = self._recheck(session, request, response, exchange, known, digest)
            else:
                pointer = session.warc.write_exchange(exchange)
        except OSError as exc:
            session.check_write_error(exc)
            raise
        request.meta[WARC_META] = pointer
        request.meta[FETCHED_META] = fetched_at.isoformat(timespec="seconds").replace("+00:00", "Z")
        request.meta[WARC_DATE_META] = warc_date(fetched_at)
        request.meta[DIGEST_META] = digest
        stats.inc_value("policycrawl/warc/responses")
        stats.inc_value("policycrawl/warc/bytes", len(response.body))
        return response

    def _recheck(self, session: ArchiveSession, request: Request, response: Response, exchange: HttpExchange,
                 known: UrlState, digest: str):
        stats = self.crawler.stats
        unchanged = response.status == 304 or (known.payload_digest is not None and digest == known.payload_digest)
        if unchanged and original_is_referable(session.state, session.warc_dir, known):
            profile = "server-not-modified" if response.status == 304 else "identical-payload-digest"
            pointer = session.warc.write_revisit(
                exchange,
                known.version_pointer,
                known.warc_target_uri or request.url,
                known.warc_date or "",
                profile,
            )
            request.meta[UNCHANGED_META] = profile
            stats.inc_value(f"policycrawl/recheck/revisit/{profile}")
            return pointer
        if response.status == 304:
            # Not modified, but the stored response cannot be referred to: keep the 304 as it is and fetch the
            # page again without conditions.
            request.meta[REFETCH_META] = True
            stats.inc_value("policycrawl/recheck/refetch_unreferable")
        elif unchanged:
            stats.inc_value("policycrawl/recheck/recaptured_unreferable")
        elif known.content_digest is not None and _content_digest(response) == known.content_digest:
            # New bytes, same page (gzip with a timestamp, another compression level): the WARC keeps this
            # response in full, since a revisit may only claim an identical payload, but no new version is made.
            request.meta[UNCHANGED_META] = "identical-content"
            stats.inc_value("policycrawl/recheck/identical-content")
        return session.warc.write_exchange(exchange)


def _content_digest(response: Response) -> str | None:
    """sha1 of the body with Content-Encoding undone (bounded), as the spider computes it after decompression."""
    try:
        return sha1_digest(decode_content(response.body, response.headers.get(b"Content-Encoding")))
    except (ValueError, OSError, zlib.error):
        return None  # undecodable: the spider will count it; treat the page as changed
