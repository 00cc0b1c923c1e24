"""Write every HTTP exchange to WARC exactly as it came off the wire.

Sits next to the downloader (see crawler/addon.py), so the body is still Content-Encoded, every header
value is there (`getlist`), and redirects, errors, retries and robots.txt are all captured. Twisted has
already de-chunked the body; Transfer-Encoding stays in the stored headers as the server sent it, which
is what the WARC 1.1 spec expects of a de-chunked payload in a response record.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from http import HTTPStatus
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response

from archive.fsutil import is_out_of_space
from archive.warc import HttpExchange
from crawler.handlers import REASON_META
from crawler.session import ArchiveSession

logger = logging.getLogger(__name__)

WARC_META = "policycrawl_warc"
FETCHED_META = "policycrawl_fetched_at"


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
        response_headers=_headers(response.headers),
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
        fetched_at = datetime.now(UTC)
        try:
            pointer = session.warc.write_exchange(exchange_from(request, response, fetched_at))
        except OSError as exc:
            if is_out_of_space(exc):
                logger.error("disk full while writing WARC: stopping the crawl (%s)", exc)
                session.stop("out-of-space")
            raise
        request.meta[WARC_META] = pointer
        request.meta[FETCHED_META] = fetched_at.isoformat(timespec="seconds").replace("+00:00", "Z")
        stats = self.crawler.stats
        stats.inc_value("policycrawl/warc/responses")
        stats.inc_value("policycrawl/warc/bytes", len(response.body))
        return response
