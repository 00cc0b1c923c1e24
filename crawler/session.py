"""The run's handle on everything written to disk: WARC writer, JSONL writer and frontier state.

Built once per crawl (a Scrapy extension); the capture middleware and the pipelines reach it through
`ArchiveSession.of(crawler)`. Opening it takes the run lock, repairs what a killed run left behind (a
half-written JSONL line, `.warc.gz.open` files, leased URLs) and registers the run.
"""

from __future__ import annotations

import logging
import platform
import socket
import uuid
from datetime import UTC, datetime
from pathlib import Path

import scrapy
import warcio
from scrapy import signals
from scrapy.crawler import Crawler
from w3lib.url import canonicalize_url

from archive.fsutil import RunLock, safe_name
from archive.jsonl import JsonlWriter, read_records, repair_partial_line
from archive.state import CrawlState
from archive.warc import WarcWriter
from archive.warc_repair import repair_open_files
from extractors import EXTRACTOR_VERSION

logger = logging.getLogger(__name__)


def frontier_key(url: str) -> str:
    return canonicalize_url(url)


class ArchiveSession:
    def __init__(self, crawler: Crawler, out_dir: Path):
        settings = crawler.settings
        self.crawler = crawler
        self.out_dir = out_dir
        self.warc_dir = out_dir / "warc"
        self.records_dir = out_dir / "records"
        self.state_dir = out_dir / "state"
        for d in (self.warc_dir, self.records_dir, self.state_dir):
            d.mkdir(parents=True, exist_ok=True)
        self.lock = RunLock(self.state_dir).acquire()
        self.started = datetime.now(UTC)
        self.run_id = uuid.uuid4().hex[:12]
        self.outcome = "finished"
        prefix = safe_name(settings.get("POLICYCRAWL_WARC_PREFIX") or "policycrawl")

        report = repair_open_files(self.warc_dir)
        if report.repaired or report.quarantined:
            logger.warning("repaired WARC files left open by an earlier run: %s", report)

        self.state = CrawlState(self.state_dir / "frontier.sqlite")
        self.already_written = self._reconcile_crashed_runs()
        records_name = f"{prefix}-{self.started:%Y%m%d%H%M%S}-{self.run_id}.jsonl"
        self.requeued = self.state.begin_run(self.run_id, records_name)
        self.records = JsonlWriter(self.records_dir / records_name)
        self.warc = WarcWriter(
            self.warc_dir,
            prefix=prefix,
            max_size=settings.getint("POLICYCRAWL_WARC_MAX_SIZE"),
            info={
                "software": f"policycrawl/0.1 (Scrapy {scrapy.__version__}, warcio {warcio.__version__ if hasattr(warcio, '__version__') else '?'}, extractor {EXTRACTOR_VERSION})",
                "hostname": socket.gethostname(),
                "operator": settings.get("POLICYCRAWL_OPERATOR"),
                "http-header-user-agent": settings.get("USER_AGENT"),
                "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
                "isPartOf": f"policycrawl-run-{self.run_id}",
                "python": platform.python_version(),
            },
        )
        crawler.signals.connect(self._closed, signal=signals.spider_closed)
        crawler.stats.set_value("policycrawl/frontier/requeued", self.requeued)
        if self.requeued:
            logger.info("re-queued %d URLs left in flight by an interrupted run", self.requeued)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveSession:
        return cls(crawler, Path(crawler.settings.get("POLICYCRAWL_OUT")))

    @staticmethod
    def of(crawler: Crawler) -> ArchiveSession:
        session = crawler.get_extension(ArchiveSession)
        if session is None:
            raise RuntimeError("ArchiveSession extension is not enabled")
        return session

    def _reconcile_crashed_runs(self) -> set[str]:
        """JSONL lines written by a killed run whose URLs were not yet marked done: mark them now, and
        remember their ids so a re-fetch does not write the same record twice."""
        written: set[str] = set()
        for name in self.state.unfinished_records_files():
            path = self.records_dir / name
            if not path.exists():
                continue
            repair_partial_line(path)
            pairs = []
            for rec in read_records(path):
                written.add(rec["id"])
                pairs.append((frontier_key(rec["url"]), rec["id"]))
            fixed = self.state.mark_done_many(pairs)
            if fixed:
                logger.info("%s: %d records from an interrupted run were already written", name, fixed)
        return written

    def stop(self, outcome: str) -> None:
        """Stop the crawl early (disk full, fatal error); the run is recorded with this outcome."""
        from scrapy.utils.defer import deferred_from_coro

        if self.outcome == "finished":
            self.outcome = outcome
            deferred_from_coro(self.crawler.engine.close_spider_async(reason=outcome))

    def _closed(self, spider: scrapy.Spider, reason: str) -> None:
        outcome = {"finished": "finished", "shutdown": "interrupted"}.get(reason, reason)
        if self.outcome != "finished":
            outcome = self.outcome
        try:
            self.warc.close()
            self.records.close()
            stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
            self.state.finish_run(self.run_id, outcome, stats)
            self.state.close()
        finally:
            self.lock.release()
