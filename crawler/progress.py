"""A progress line on stderr while the crawl runs: a live line on a terminal, a periodic log line otherwise."""

from __future__ import annotations

import logging
import sys
import time

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

logger = logging.getLogger(__name__)


class Progress:
    def __init__(self, crawler: Crawler, live: bool, interval: float):
        self.crawler = crawler
        self.live = live
        self.interval = interval
        self.started = time.monotonic()
        self._task: task.LoopingCall | None = None
        crawler.signals.connect(self._opened, signal=signals.spider_opened)
        crawler.signals.connect(self._closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        mode = str(crawler.settings.get("POLICYCRAWL_PROGRESS", "auto")).lower()
        if mode in ("off", "false", "0"):
            raise NotConfigured
        live = sys.stderr.isatty() if mode == "auto" else mode == "live"
        return cls(crawler, live, 0.5 if live else 30.0)

    def line(self) -> str:
        stats = self.crawler.stats
        pages = stats.get_value("policycrawl/warc/responses", 0)
        written = stats.get_value("policycrawl/records/written", 0)
        failed = sum(v for k, v in stats.get_stats().items() if "/failures/" in k and isinstance(v, int))
        elapsed = time.monotonic() - self.started
        rate = pages / elapsed if elapsed > 0 else 0.0
        return f"fetched {pages} pages ({rate:.1f}/s) · {written} articles written · {failed} failures · {elapsed:.0f}s"

    def _tick(self) -> None:
        if self.live:
            sys.stderr.write("\r\x1b[2K" + self.line())
            sys.stderr.flush()
        else:
            logger.info(self.line())

    def _opened(self, spider) -> None:
        self._task = task.LoopingCall(self._tick)
        self._task.start(self.interval, now=False)

    def _closed(self, spider, reason) -> None:
        if self._task and self._task.running:
            self._task.stop()
        if self.live:
            sys.stderr.write("\r\x1b[2K")
            sys.stderr.flush()
