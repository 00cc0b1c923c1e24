"""Progress while the crawl runs: a live `rich` table on a terminal, a periodic one-line summary otherwise.

Both go to stderr and read only Scrapy's stats (the figures the summary and OUT/runs/<run>.json report too).
The live table is redrawn from the reactor thread (rich's own refresh thread is off), so it never races with
the crawl; it is removed when the spider closes, and the CLI prints the one summary table after it.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task


def source_rows(stats: dict[str, Any], source_ids: list[str]) -> list[dict[str, Any]]:
    """Per source: listings walked, article requests queued, archived, failed (from Scrapy's stats)."""
    rows = []
    for source in source_ids:
        prefix = f"policycrawl/source/{source}/"
        failed = sum(v for k, v in stats.items() if k.startswith(prefix + "failures/") and isinstance(v, int))
        requests = stats.get(prefix + "requests", 0)
        listings = stats.get(prefix + "listing_pages", 0)
        rows.append({
            "source": source,
            "listings": listings,
            "queued": max(0, requests - listings),
            "archived": stats.get(prefix + "articles", 0) + stats.get(prefix + "unchanged", 0),
            "known": stats.get(prefix + "known", 0),
            "failed": failed,
            "requests": requests,
        })
    return rows


class Progress:
    def __init__(self, crawler: Crawler, live: bool, interval: float):
        self.crawler = crawler
        self.live = live
        self.interval = interval
        self.started = time.monotonic()
        self._task: task.LoopingCall | None = None
        self._live = None
        crawler.signals.connect(self._opened, signal=signals.spider_opened)
        crawler.signals.connect(self._closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        mode = str(crawler.settings.get("POLICYCRAWL_PROGRESS", "auto")).lower()
        if mode in ("off", "false", "0"):
            raise NotConfigured
        live = sys.stderr.isatty() if mode == "auto" else mode == "live"
        interval = crawler.settings.getfloat("POLICYCRAWL_PROGRESS_INTERVAL") or 30.0
        return cls(crawler, live, 0.5 if live else interval)

    def _sources(self) -> list[str]:
        spider = getattr(self.crawler, "spider", None)
        profiles = getattr(spider, "profiles", None) or []
        return [p.id for p in profiles]

    def line(self) -> str:
        stats = self.crawler.stats.get_stats()
        pages = stats.get("policycrawl/warc/responses", 0)
        written = stats.get("policycrawl/records/written", 0)
        failed = sum(v for k, v in stats.items() if "/failures/" in k and isinstance(v, int))
        elapsed = time.monotonic() - self.started
        rate = pages / elapsed if elapsed > 0 else 0.0
        return (f"policycrawl: {elapsed:.0f}s · {pages} pages fetched ({rate:.1f}/s) · {written} articles written · "
                f"{failed} failures")

    def table(self):
        from rich.table import Table

        stats = self.crawler.stats.get_stats()
        elapsed = max(time.monotonic() - self.started, 1e-6)
        budget = self.crawler.settings.getint("POLICYCRAWL_PAGE_BUDGET")
        table = Table(title=self.line().removeprefix("policycrawl: "), title_justify="left", box=None,
                      header_style="bold", pad_edge=False)
        for name in ("source", "listings", "queued", "archived", "failed", "rate/s", "ETA"):
            table.add_column(name, justify="left" if name == "source" else "right")
        for row in source_rows(stats, self._sources()):
            rate = row["requests"] / elapsed
            eta = "-"
            if rate > 0 and budget and row["requests"] < budget:
                # Within the page budget: an upper bound, since most crawls end long before it.
                eta = f"≤{(budget - row['requests']) / rate / 60:.0f}m"
            table.add_row(row["source"], str(row["listings"]), str(row["queued"]), str(row["archived"]),
                          str(row["failed"]), f"{rate:.1f}", eta)
        return table

    def _tick(self) -> None:
        if self._live is not None:
            self._live.update(self.table(), refresh=True)
        else:
            sys.stderr.write(self.line() + "\n")
            sys.stderr.flush()

    def _opened(self, spider) -> None:
        if self.live:
            from rich.console import Console
            from rich.live import Live

            self._live = Live(self.table(), console=Console(stderr=True), auto_refresh=False, transient=True)
            self._live.start()
        self._task = task.LoopingCall(self._tick)
        self._task.start(self.interval, now=False)

    def _closed(self, spider, reason) -> None:
        if self._task and self._task.running:
            self._task.stop()
        if self._live is not None:
            self._live.stop()
            self._live = None
