"""Extraction in worker processes, so the reactor keeps fetching while pages are parsed on every core.

pebble's ProcessPool kills a worker whose task exceeds the time limit (concurrent.futures cannot), which
turns a hanging extractor into a "timeout" record instead of a stuck crawl. Workers are spawned, not
forked: forking a process that runs Twisted's reactor and threads can deadlock the child.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout

from pebble import ProcessPool
from pebble.common import ProcessExpired

from extractors import Record, extract
from extractors.api import outcome_record
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


class ExtractionPool:
    def __init__(self, workers: int = 0, timeout: float = 60.0, func: Callable[..., Record] = extract,
                 stopping: Callable[[], bool] | None = None):
        # stopping(): is the run shutting down? A worker death then is the shutdown's doing, not the page's.
        self.stopping = stopping
        self.workers = workers or os.cpu_count() or 1
        self.timeout = timeout
        self.func = func
        self._pool = ProcessPool(
            max_workers=self.workers,
            context=multiprocessing.get_context("spawn"),
            initializer=_warm_up,
        )

    def warm_up(self) -> None:
        """Start the workers now: pebble spawns them on the first task, so the first pages fetched would wait
        seconds for their spawn and imports (measured 2-3 s) while the in-flight gate holds the next fetches."""
        self._pool.schedule(os.getpid)

    async def extract(
        self, body: bytes, url: str, headers, *, source: SourceInfo, fetched_at: str, http_status: int
    ) -> Record:
        future = self._pool.schedule(
            self.func,
            args=(body, url, headers),
            kwargs={"source": source, "fetched_at": fetched_at, "http_status": http_status},
            timeout=self.timeout,
        )
        try:
            return await asyncio.wrap_future(future)
        except FutureTimeout:
            return self._failed(url, source, fetched_at, http_status, "timeout", f"extractor exceeded {self.timeout}s")
        except ProcessExpired as exc:
            if self.stopping is not None and self.stopping():
                raise WorkerLost(f"extractor process died during shutdown: {exc}") from exc
            return self._failed(url, source, fetched_at, http_status, "error", f"extractor process died: {exc}")
        except Exception as exc:  # the extractor promises not to raise; if it does, the crawl still goes on
            logger.exception("extractor failed on %s", url)
            return self._failed(url, source, fetched_at, http_status, "error", f"{type(exc).__name__}: {exc}")

    async def call(self, func: Callable, *args, timeout: float | None = None, **kwargs):
        """func(*args, **kwargs) in a worker (attachments share the pool with pages). Raises TimeoutError past the
        time limit (the worker is killed) and WorkerLost when the worker died otherwise."""
        future = self._pool.schedule(func, args=args, kwargs=kwargs, timeout=timeout or self.timeout)
        try:
            return await asyncio.wrap_future(future)
        except FutureTimeout:
            raise TimeoutError(f"exceeded {timeout or self.timeout}s") from None
        except ProcessExpired as exc:
            raise WorkerLost(f"worker process died: {exc}") from exc

    @staticmethod
    def _failed(url, source, fetched_at, http_status, status, detail) -> Record:
        return outcome_record(url, status, source=source, fetched_at=fetched_at, http_status=http_status,
                              detail=detail)

    def close(self) -> None:
        self._pool.close()
        self._pool.join(timeout=10)
        self._pool.stop()
