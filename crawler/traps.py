"""Guards against hostile responses that Scrapy's own middlewares mishandle.

Content-Encoding we never asked for: Accept-Encoding says gzip and deflate (see crawler/addon.py), yet a
server may answer `br` (or something stranger). Scrapy 2.19's brotli path fails with AttributeError on
brotli 1.2, and an encoding nobody can decode is no page anyway. Such a response is archived as received
(capture sits above this middleware) and then dropped with reason "unrequested-encoding", before
HttpCompressionMiddleware (590) tries to decode it.
"""

from __future__ import annotations

import logging

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

logger = logging.getLogger(__name__)

_IDENTITY = {b"identity", b""}


class UnrequestedEncoding(IgnoreRequest):
    pass


class EncodingGuardMiddleware:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> EncodingGuardMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        codings = [c.strip().lower() for v in response.headers.getlist(b"Content-Encoding") for c in v.split(b",")]
        if not codings:
            return response
        accepted = {c.split(b";")[0].strip().lower() for c in request.headers.get(b"Accept-Encoding", b"").split(b",")}
        unexpected = [c for c in codings if c not in accepted and c not in _IDENTITY]
        if unexpected:
            self.crawler.stats.inc_value("policycrawl/hostile/unrequested-encoding")
            raise UnrequestedEncoding(
                f"Content-Encoding {b','.join(unexpected).decode('latin-1')} was not requested: {request.url}"
            )
        return response
