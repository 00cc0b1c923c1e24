"""The one extraction pool: the crawl and `policycrawl extract` run every page and attachment through it.

pebble's ProcessPool kills a worker whose task exceeds the time limit (concurrent.futures cannot), which
turns a hanging extractor into a "timeout" record instead of a stuck crawl. Workers are spawned, not
forked: forking a process that runs Twisted's reactor and threads can deadlock the child. Both callers build
the pool from the same settings (ExtractionPool.from_settings): POLICYCRAWL_EXTRACTOR, the per-page and
per-attachment time limits, the attachment memory cap and limits, so re-extracting an archive treats a
hostile page exactly as the crawl did. The crawl awaits one page at a time (extract, extract_attachment);
re-extraction streams the archive's jobs through it in order (run_jobs).

It lives in crawler/ beside the other scheduling: archive/reextract.py only says what there is to extract in
a set of WARCs (plain jobs) and never starts a process, so the layering stays crawler → archive → extractors.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import importlib
import logging
import multiprocessing
import os
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass

from pebble import ProcessPool
from pebble.common import ProcessExpired

from archive.pointer import ArchivedRecord
from archive.reextract import ExtractionJob
from extractors import Record, extract, listing_hints
from extractors.api import outcome_record
from extractors.attachment import AttachmentRecord, extract_attachment, failed_attachment
from extractors.documents import Limits
from extractors.source import SourceInfo

logger = logging.getLogger(__name__)


def load_extractor(spec: str) -> Callable[..., Record]:
    """"module:function" → the function. Workers are spawned, so it must be importable by name, not a closure."""
    module_name, sep, attr = (spec or "").partition(":")
    if not sep or not module_name or not attr:
        raise ValueError(f"POLICYCRAWL_EXTRACTOR must look like 'package.module:function', got {spec!r}")
    func = getattr(importlib.import_module(module_name), attr, None)
    if not callable(func):
        raise ValueError(f"POLICYCRAWL_EXTRACTOR {spec!r} is not a function")
    return func


def _warm_up() -> None:
    # Import cost (trafilatura, lxml, opencc) is paid once per worker, not on the first page.
    import extractors.api  # noqa: F401

    _obey_only_the_parent()


def _obey_only_the_parent() -> None:
    """Let SIGTERM stop this worker only when the pool (our parent) sends it.

    systemd signals every process of the unit, and `kill -TERM -- -PGID` every process of the group: a worker
    dying there would turn its page into a failure while the parent is shutting down cleanly. The parent
    stops its workers itself (pool.close, or pebble's terminate on a timeout), so a SIGTERM from anyone else
    is ignored. SIGINT is already ignored by pebble's workers.
    """
    if not hasattr(signal, "sigwaitinfo"):
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})  # threads started from here inherit the mask
    parent = os.getppid()

    def wait() -> None:
        while True:
            info = signal.sigwaitinfo({signal.SIGTERM})
            if info.si_pid == parent or os.getppid() != parent:
                os._exit(128 + signal.SIGTERM)

    threading.Thread(target=wait, name="sigterm-from-parent", daemon=True).start()


class WorkerLost(RuntimeError):
    """The worker process died while extracting (not a timeout): the caller decides whose fault it was."""


@dataclass(frozen=True)
class AttachmentLimits:
    """What one attachment may cost in a worker (POLICYCRAWL_ATTACHMENT_*)."""

    timeout: float = 60.0
    max_memory: int = 0  # extra address space while reading it; 0 = no cap
    limits: Limits = Limits()


@dataclass(frozen=True)
class AttachmentCall:
    """The keyword arguments of extract_attachment that describe the link (the article's side of it)."""

    link_url: str
    article_id: str
    article_url: str
    name: str = ""
    type: str = ""
    source: str | None = None


class ExtractionPool:
    def __init__(self, workers: int = 0, timeout: float = 60.0, func: Callable[..., Record] = extract,
                 stopping: Callable[[], bool] | None = None, attachments: AttachmentLimits = AttachmentLimits()):
        # stopping(): is the run shutting down? A worker death then is the shutdown's doing, not the page's.
        self.stopping = stopping
        self.workers = workers or os.cpu_count() or 1
        self.timeout = timeout
        self.func = func
        self.attachments = attachments
        self._pool = ProcessPool(
            max_workers=self.workers,
            context=multiprocessing.get_context("spawn"),
            initializer=_warm_up,
        )

    def warm_up(self) -> None:
        """Start the workers now: pebble spawns them on the first task, so the first pages fetched would wait
        seconds for their spawn and imports (measured 2-3 s) while the in-flight gate holds the next fetches."""
        self._pool.schedule(os.getpid)

    @classmethod
    def from_settings(cls, settings, *, workers: int | None = None,
                      stopping: Callable[[], bool] | None = None) -> ExtractionPool:
        """The pool the settings describe (Scrapy Settings, with crawler.config.DEFAULTS in them). Raises
        ValueError for a POLICYCRAWL_EXTRACTOR that does not name a function."""
        return cls(
            workers=settings.getint("POLICYCRAWL_EXTRACT_WORKERS") if workers is None else workers,
            timeout=settings.getfloat("POLICYCRAWL_EXTRACT_TIMEOUT"),
            func=load_extractor(settings.get("POLICYCRAWL_EXTRACTOR")),
            stopping=stopping,
            attachments=AttachmentLimits(
                timeout=settings.getfloat("POLICYCRAWL_ATTACHMENT_EXTRACT_TIMEOUT"),
                max_memory=settings.getint("POLICYCRAWL_ATTACHMENT_MAX_MEMORY"),
                limits=Limits(max_pages=settings.getint("POLICYCRAWL_ATTACHMENT_MAX_PAGES"),
                              max_unpacked=settings.getint("POLICYCRAWL_ATTACHMENT_MAX_UNPACKED")),
            ),
        )

    # -- one page ------------------------------------------------------------------------------------
    def _schedule_page(self, body: bytes, url: str, headers, *, source: SourceInfo, fetched_at: str | None,
                       http_status: int) -> Future:
        return self._pool.schedule(
            self.func,
            args=(body, url, headers),
            kwargs={"source": source, "fetched_at": fetched_at, "http_status": http_status},
            timeout=self.timeout,
        )

    def _page_failed(self, exc: BaseException, url: str, source: SourceInfo, fetched_at: str | None,
                     http_status: int | None) -> Record:
        """The record of a page whose extraction did not return: timeout (worker killed), dead worker, raise."""
        if isinstance(exc, FutureTimeout):
            status, detail = "timeout", f"extractor exceeded {self.timeout}s"
        elif isinstance(exc, ProcessExpired):
            if self.stopping is not None and self.stopping():
                raise WorkerLost(f"extractor process died during shutdown: {exc}") from exc
            status, detail = "error", f"extractor process died: {exc}"
        else:  # the extractor promises not to raise; if it does, the run still goes on
            logger.error("extractor failed on %s", url, exc_info=exc)
            status, detail = "error", f"{type(exc).__name__}: {exc}"
        return outcome_record(url, status, source=source, fetched_at=fetched_at, http_status=http_status,
                              detail=detail)

    async def extract(
        self, body: bytes, url: str, headers, *, source: SourceInfo, fetched_at: str, http_status: int
    ) -> Record:
        future = self._schedule_page(body, url, headers, source=source, fetched_at=fetched_at,
                                     http_status=http_status)
        try:
            return await asyncio.wrap_future(future)
        except Exception as exc:
            return self._page_failed(exc, url, source, fetched_at, http_status)

    # -- one attachment ------------------------------------------------------------------------------
    def _schedule_attachment(self, body: bytes, url: str, headers, call: AttachmentCall, *,
                             fetched_at: str | None, http_status: int | None) -> Future:
        limits = self.attachments
        return self._pool.schedule(
            extract_attachment,
            args=(body, url, headers),
            kwargs={**dataclasses.asdict(call), "fetched_at": fetched_at, "http_status": http_status,
                    "limits": limits.limits, "max_memory": limits.max_memory},
            timeout=limits.timeout,
        )

    def _attachment_failed(self, exc: BaseException, body: bytes, url: str, call: AttachmentCall, *,
                           fetched_at: str | None, http_status: int | None) -> AttachmentRecord:
        if isinstance(exc, FutureTimeout):
            status, detail = "timeout", f"extraction exceeded {self.attachments.timeout}s"
        elif isinstance(exc, ProcessExpired):
            status, detail = "error", f"worker process died: {exc}"
        else:  # the crawl goes on; the record says what happened
            status, detail = "error", f"{type(exc).__name__}: {exc}"[:300]
        record = failed_attachment(call.link_url, article_id=call.article_id, article_url=call.article_url,
                                   status=status, detail=detail, name=call.name, type=call.type, source=call.source,
                                   http_status=http_status, fetched_at=fetched_at)
        return dataclasses.replace(record, size=len(body), sha256=hashlib.sha256(body).hexdigest(),
                                   final_url=url if url != call.link_url else None)

    async def extract_attachment(self, body: bytes, url: str, headers, call: AttachmentCall, *,
                                 fetched_at: str | None, http_status: int | None) -> AttachmentRecord:
        """The attachment's record; a timeout (worker killed), a dead worker or a raise is that record's status."""
        future = self._schedule_attachment(body, url, headers, call, fetched_at=fetched_at, http_status=http_status)
        try:
            return await asyncio.wrap_future(future)
        except Exception as exc:
            return self._attachment_failed(exc, body, url, call, fetched_at=fetched_at, http_status=http_status)

    # -- re-extraction of an archive --------------------------------------------------------------------
    def run_jobs(self, jobs: Iterable[ExtractionJob]) -> Iterator[ArchivedRecord]:
        """The lines for archived pages and attachments (archive/reextract.py), in archive order. At most two
        jobs per worker are in flight, so the bodies of a large archive are never all held at once."""
        window: deque[tuple[ExtractionJob, AttachmentCall | None, Future]] = deque()
        for job in jobs:
            call = _attachment_call(job)
            if call is None:
                future = self._schedule_page(job.body, job.url, job.headers, source=job.source,
                                             fetched_at=job.fetched_at, http_status=job.http_status)
            else:
                future = self._schedule_attachment(job.body, job.url, job.headers, call, fetched_at=job.fetched_at,
                                                   http_status=job.http_status)
            window.append((job, call, future))
            if len(window) >= 2 * self.workers:
                yield self._line(*window.popleft())
        while window:
            yield self._line(*window.popleft())

    def _line(self, job: ExtractionJob, call: AttachmentCall | None, future: Future) -> ArchivedRecord:
        try:
            record = future.result()
        except Exception as exc:
            if call is None:
                record = self._page_failed(exc, job.url, job.source, job.fetched_at, job.http_status)
            else:
                record = self._attachment_failed(exc, job.body, job.url, call, fetched_at=job.fetched_at,
                                                 http_status=job.http_status)
            logger.warning("%s: %s", job.url, record.status_detail)
        if call is None:
            # what the listing said about the page, applied as the crawl applies it (crawler/pipelines.py)
            return ArchivedRecord(listing_hints.apply(record, job.hint), job.pointer)
        return ArchivedRecord(record, job.pointer, (job.attachment or {}).get("replaces"))

    def close(self) -> None:
        self._pool.close()
        self._pool.join(timeout=10)
        self._pool.stop()

    def __enter__(self) -> ExtractionPool:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:  # interrupted or failed: queued pages are not waited for (close() would let them finish)
            self._pool.stop()
            self._pool.join(timeout=10)


def _attachment_call(job: ExtractionJob) -> AttachmentCall | None:
    """For an archived attachment: the link as the crawl's attachment record gave it (crawler/attachments.py)."""
    prev = job.attachment
    if prev is None:
        return None
    return AttachmentCall(link_url=prev.get("url") or job.url, article_id=prev.get("article_id") or "",
                          article_url=prev.get("article_url") or "", name=prev.get("name") or "",
                          type=prev.get("type") or "", source=prev.get("source"))
