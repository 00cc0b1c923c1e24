"""The run's handle on everything written to disk: WARC writer, JSONL writer and frontier state.

Built once per crawl (a Scrapy extension); the capture middleware and the pipelines reach it through
`ArchiveSession.of(crawler)`. Opening it takes the run lock, repairs what a killed run left behind (a
half-written JSONL line, `.warc.gz.open` files, leased URLs) and registers the run.

Closing is idempotent and also runs after a forced shutdown (second SIGTERM), when Scrapy never sends
spider_closed: the CLI calls `close_after_reactor()` once the reactor has stopped.
"""

from __future__ import annotations

import logging
import platform
import re
import socket
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import scrapy
import warcio
from scrapy import signals
from scrapy.crawler import Crawler
from w3lib.url import canonicalize_url

from archive.fsutil import RunLock, is_out_of_space, safe_name
from archive.jsonl import JsonlWriter, quarantine_damaged_lines, read_records, repair_partial_line
from archive.rebuild import archive_present, move_state_aside, rebuild_state, state_problem
from archive.state import CrawlState
from archive.warc import WarcWriter, final_name
from crawler.commit import GroupCommit
from archive.warc_repair import repair_open_files
from crawler.backpressure import InFlightGate
from crawler.recheck import RecheckPolicy
from extractors import EXTRACTOR_VERSION
from archive.pointer import WarcPointer

logger = logging.getLogger(__name__)


# Query parameters that carry a session, not a page: one article reached under endless session ids must be one
# frontier entry, not a spider trap.
_SESSION_PARAMS = re.compile(r"^(?:jsessionid|phpsessid|aspsessionid\w*|sid|sessionid|session_id|cfid|cftoken)$", re.I)
_PATH_SESSION = re.compile(r";(?:jsessionid|phpsessid|sid)=[^/?#]*", re.I)


def frontier_key(url: str) -> str:
    """The canonical form a URL is known by: w3lib's canonical URL without session ids."""
    url = _PATH_SESSION.sub("", url)
    parts = urlsplit(url)
    if parts.query:
        kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _SESSION_PARAMS.match(k)]
        url = urlunsplit(parts._replace(query=urlencode(kept)))
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
        self.lock = RunLock(self._lock_dir()).acquire()
        self.started = datetime.now(UTC)
        # The CLI names the run before Scrapy starts (its log file is OUT/logs/<run>.log).
        self.run_id = safe_name(settings.get("POLICYCRAWL_RUN_ID") or "") or uuid.uuid4().hex[:12]
        self.outcome = "finished"
        self.closed = False
        # Set once the run is stopping for good (disk full, interrupted): in-flight failures are then not the
        # URLs' fault and must not mark them failed; writes stop.
        self.stopping = False
        self.gate = InFlightGate(
            # Default twice the download concurrency: as many articles being extracted and made durable as being
            # downloaded. At 1x every fetch slot waits for the previous page's extraction and group commit (a
            # 200 ms page took 390 ms per fetch slot instead of 260 ms).
            settings.getint("POLICYCRAWL_MAX_IN_FLIGHT") or 2 * settings.getint("CONCURRENT_REQUESTS"),
            max_wait=settings.getfloat("DOWNLOAD_TIMEOUT") + settings.getfloat("POLICYCRAWL_EXTRACT_TIMEOUT") + 30,
        )
        self.recheck = RecheckPolicy(
            settings.getfloat("POLICYCRAWL_RECHECK_AFTER"), settings.getint("POLICYCRAWL_RECHECK_BATCH")
        )
        prefix = self._file_prefix(safe_name(settings.get("POLICYCRAWL_WARC_PREFIX") or "policycrawl"))

        report = repair_open_files(self.warc_dir, index=True)
        if report.repaired or report.quarantined:
            logger.warning("repaired WARC files left open by an earlier run: %s", report)

        self.state = self._open_state(out_dir)
        # Belt and braces: the frontier never marks a URL done before its records are fsynced, so these are
        # still leased; re-queue them explicitly in case a finished record was ever cut by the repair.
        for uri in report.lost_uris:
            self.state.requeue(frontier_key(uri))
        # Damage in the middle of a file cuts captures of URLs already done: whatever points into the cut part
        # (or into a file moved to quarantine whole) goes back to pending, done or not.
        for repair in report.files:
            if repair.outcome in ("published", "quarantined"):
                kept = repair.final.stat().st_size if repair.outcome == "published" and repair.final else 0
                lost = self.state.requeue_lost_captures(final_name(repair.path).name, kept)
                if lost:
                    logger.warning("%s: %d archived captures did not survive the repair; fetching them again",
                                   final_name(repair.path).name, lost)
        self.already_written = self._reconcile_crashed_runs()
        records_name = f"{prefix}-{self.started:%Y%m%d%H%M%S}-{self.run_id}.jsonl"
        self.requeued = self.state.begin_run(self.run_id, records_name)
        self.records = JsonlWriter(self.records_dir / records_name)
        self.warc = WarcWriter(
            self.warc_dir,
            prefix=prefix,
            max_size=settings.getint("POLICYCRAWL_WARC_MAX_SIZE"),
            gzip_level=settings.getint("POLICYCRAWL_WARC_GZIP_LEVEL"),
            index=True,
            info={
                "software": f"policycrawl/0.1 (Scrapy {scrapy.__version__}, warcio {warcio.__version__ if hasattr(warcio, '__version__') else '?'}, extractor {EXTRACTOR_VERSION})",
                "hostname": socket.gethostname(),
                "operator": settings.get("POLICYCRAWL_OPERATOR"),
                "http-header-user-agent": settings.get("USER_AGENT"),
                "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
                # Re-extraction (archive/reextract.py): "on" = only responses with a conversion record are articles.
                "policycrawl-extraction": "on" if settings.getbool("POLICYCRAWL_EXTRACT") else "off",
                "isPartOf": f"policycrawl-run-{self.run_id}",
                "python": platform.python_version(),
            },
        )
        self.commit = GroupCommit(self.warc, self.records, self.state,
                                  max_batch=settings.getint("POLICYCRAWL_COMMIT_BATCH"),
                                  max_delay=settings.getfloat("POLICYCRAWL_COMMIT_DELAY"))
        crawler.signals.connect(self._closed, signal=signals.spider_closed)
        crawler.signals.connect(self._error, signal=signals.spider_error)
        crawler.signals.connect(self._item_error, signal=signals.item_error)
        crawler.stats.set_value("policycrawl/frontier/requeued", self.requeued)
        if self.requeued:
            logger.info("re-queued %d URLs left in flight by an interrupted run", self.requeued)

    def _open_state(self, out_dir: Path) -> CrawlState:
        """The frontier; rebuilt from the archive when it is missing, empty or unreadable while records exist
        (never a silent re-crawl of everything archived). A damaged file is moved aside, not deleted."""
        path = self.state_dir / "frontier.sqlite"
        problem = state_problem(path)
        if problem is None or not (problem.startswith("unreadable") or archive_present(out_dir)):
            return CrawlState(path)
        moved = move_state_aside(path, "damaged") if problem != "missing" else None
        state = CrawlState(path)
        report = rebuild_state(out_dir, state, frontier_key, problem)
        report.moved_aside = moved
        logger.warning("%s", report)
        return state

    # Hooks for crawler/distributed/session.py (a worker sharing its frontier in Redis; it overrides _open_state).
    def _lock_dir(self) -> Path:
        return self.state_dir

    def _file_prefix(self, prefix: str) -> str:
        return prefix

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
                self.state.mark_reconciled(name)
                continue
            repair_partial_line(path)
            quarantine_damaged_lines(path, self.records_dir / "quarantine")
            pairs = []
            for rec in read_records(path):
                warc = rec.get("warc") or None
                pointer = WarcPointer(warc["filename"], warc["offset"], warc["record_id"]) if warc else None
                if pointer is not None and not self._capture_intact(pointer):
                    continue  # its capture was cut by a repair: the URL is fetched and written again
                written.add(rec["id"])
                pairs.append((frontier_key(rec["url"]), rec["id"], pointer))
            fixed = self.state.mark_done_many(pairs)
            self.state.mark_reconciled(name)
            if fixed:
                logger.info("%s: %d records from an interrupted run were already written", name, fixed)
        return written

    def _capture_intact(self, pointer: WarcPointer) -> bool:
        sizes = self.__dict__.setdefault("_warc_sizes", {})
        if pointer.filename not in sizes:
            try:
                sizes[pointer.filename] = (self.warc_dir / pointer.filename).stat().st_size
            except OSError:
                sizes[pointer.filename] = -1
        return pointer.offset < sizes[pointer.filename]

    def stop(self, outcome: str) -> None:
        """Stop the crawl early (disk full, fatal error); the run is recorded with this outcome."""
        from scrapy.utils.defer import deferred_from_coro

        self.stopping = True
        if self.outcome == "finished":
            self.outcome = outcome
            self.crawler.stats.set_value("policycrawl/session/stopped", outcome)
            if self.crawler.engine is not None and self.crawler.engine.running:
                deferred_from_coro(self.crawler.engine.close_spider_async(reason=outcome))

    def check_write_error(self, exc: BaseException) -> None:
        """Called with any exception from a write: a full disk stops the run with "out-of-space"."""
        if is_out_of_space(exc):
            self.crawler.stats.inc_value("policycrawl/session/write_errors")
            if self.outcome != "out-of-space":
                logger.error("disk full: stopping the crawl (%s)", exc)
            self.stop("out-of-space")

    def _error(self, failure, response=None, spider=None) -> None:
        self.check_write_error(failure.value)

    def _item_error(self, item, response=None, spider=None, failure=None) -> None:
        if failure is not None:
            self.check_write_error(failure.value)

    def _closed(self, spider: scrapy.Spider, reason: str) -> None:
        outcome = {"finished": "finished", "shutdown": "interrupted"}.get(reason, reason)
        self.close(outcome)

    def close(self, outcome: str) -> None:
        """Finish the WARC file, sync the JSONL and record the run; safe to call twice, and after a failed write."""
        if self.closed:
            return
        self.closed = True
        self.stopping = True
        if self.outcome != "finished":
            outcome = self.outcome
        self.outcome = outcome
        try:
            for step in (self.commit.flush, self.warc.close, self.records.close):
                try:
                    step()
                except OSError as exc:  # a full disk must not keep the rest from closing (and the lock held)
                    logger.error("closing %s failed: %s", step, exc)
                    if is_out_of_space(exc):
                        self.outcome = "out-of-space"
            stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
            self._drop_empty_records_file()
            try:
                self.state.finish_run(self.run_id, self.outcome, stats)
            except Exception as exc:  # noqa: BLE001 - recorded as crashed on the next start instead
                logger.error("could not record the end of run %s: %s", self.run_id, exc)
            try:
                from crawler.runreport import write_run_summary

                write_run_summary(self, stats)
            except Exception as exc:  # noqa: BLE001 - the run's data is safe; only its summary file is missing
                logger.error("could not write the summary of run %s: %s", self.run_id, exc)
            self.state.close()
        finally:
            self.lock.release()

    def _drop_empty_records_file(self) -> None:
        """A run that wrote no record leaves no empty JSONL file behind (the runs table still names the run)."""
        path = self.records.path
        try:
            if self.records.lines == 0 and path.stat().st_size == 0:
                path.unlink()
        except OSError:
            pass

    @classmethod
    def close_after_reactor(cls, crawler: Crawler, outcome: str) -> str | None:
        """After the reactor stopped: close a session that spider_closed never reached. Returns its outcome."""
        try:
            session = crawler.get_extension(cls)
        except Exception:  # noqa: BLE001 - the crawler never got as far as building its extensions
            return None
        if session is None:
            return None
        session.close(outcome)
        return session.outcome
