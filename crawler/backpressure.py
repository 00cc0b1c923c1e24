"""Bound how many article URLs are fetched but not yet settled (done, failed or released).

Without it, downloads outrun extraction: Scrapy's scraper admits responses up to 5 MB of bodies, so with
small pages hundreds of fetched articles wait for the worker pool, and a kill -9 throws all of them away
(they are re-fetched on the next run). Holding article requests at the door of the downloader until
fewer than POLICYCRAWL_MAX_IN_FLIGHT are unsettled keeps a crash's cost at most that many re-fetches.
Listing, feed and sitemap requests are never held.
"""

from __future__ import annotations

import asyncio
import logging
import time

from scrapy import Request, signals
from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

FRONTIER_META = "policycrawl_frontier_url"


class InFlightGate:
    def __init__(self, limit: int, max_wait: float):
        self.limit = max(1, limit)
        self.max_wait = max_wait
        self.admitted: set[str] = set()
        self._waiters: list[asyncio.Future] = []
        self.leak_admits = 0

    async def admit(self, key: str) -> None:
        if key in self.admitted:  # a redirect or retry of an admitted URL
            return
        deadline = time.monotonic() + self.max_wait
        while len(self.admitted) >= self.limit:
            left = deadline - time.monotonic()
            if left <= 0:
                # A settle was missed somewhere: admitting anyway keeps the crawl alive; counted so it shows.
                self.leak_admits += 1
                logger.warning("in-flight gate: admitting %s after waiting %.0fs (%d unsettled)", key,
                               self.max_wait, len(self.admitted))
                break
            future = asyncio.get_running_loop().create_future()
            self._waiters.append(future)
            try:
                await asyncio.wait_for(future, timeout=left)
            except asyncio.TimeoutError:
                pass
            finally:
                if future in self._waiters:
                    self._waiters.remove(future)
        self.admitted.add(key)

    def settle(self, key: str | None) -> None:
        if key is None or key not in self.admitted:
            return
        self.admitted.discard(key)
        while self._waiters:
            future = self._waiters.pop(0)
            if not future.done():
                future.set_result(None)
                break


class BackpressureMiddleware:
    """Downloader middleware: article requests wait at process_request until the gate admits them."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        crawler.signals.connect(self._dropped, signal=signals.request_dropped)
        crawler.signals.connect(self._item_gone, signal=signals.item_dropped)
        crawler.signals.connect(self._item_gone, signal=signals.item_error)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackpressureMiddleware:
        return cls(crawler)

    @property
    def gate(self) -> InFlightGate:
        from crawler.session import ArchiveSession

        return ArchiveSession.of(self.crawler).gate

    async def process_request(self, request: Request) -> None:
        key = request.meta.get(FRONTIER_META)
        if key:
            await self.gate.admit(key)
            self.crawler.stats.max_value("policycrawl/backpressure/max_in_flight", len(self.gate.admitted))
        return None

    def _dropped(self, request: Request, spider=None) -> None:
        self.gate.settle(request.meta.get(FRONTIER_META))

    def _item_gone(self, item, response=None, spider=None, **kw) -> None:
        self.gate.settle(getattr(item, "frontier_url", None))
