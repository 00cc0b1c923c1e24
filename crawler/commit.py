"""Group commit: many archived articles made durable by one fsync of the WARC and the JSONL, one SQLite
transaction for their frontier updates.

Each article still follows the rule that makes crashes harmless — its state changes (done, failed) run only
after its WARC records and JSONL line are fsynced — but articles finishing within `max_delay` of each other
share the fsyncs. Items waiting here are still counted as in flight by the backpressure gate, so a kill -9
re-fetches no more than before. Measured on 1,000 pages: three fsyncs and a SQLite commit per article were
the largest cost on the crawl's event loop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from archive.jsonl import JsonlWriter
from archive.state import CrawlState
from archive.warc import WarcWriter

logger = logging.getLogger(__name__)


class GroupCommit:
    def __init__(self, warc: WarcWriter, records: JsonlWriter, state: CrawlState, *, max_batch: int = 32,
                 max_delay: float = 0.05):
        self.warc = warc
        self.records = records
        self.state = state
        self.max_batch = max_batch
        self.max_delay = max_delay
        self._pending: list[tuple[Callable[[], None], asyncio.Future]] = []
        self._timer: asyncio.TimerHandle | None = None
        self.groups = 0
        self.items = 0

    async def after_durable(self, action: Callable[[], None]) -> None:
        """Run `action` (frontier updates) once everything written so far is on disk."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._pending.append((action, future))
        if len(self._pending) >= self.max_batch:
            self.flush()
        elif self._timer is None:
            self._timer = loop.call_later(self.max_delay, self.flush)
        await future

    def flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        pending, self._pending = self._pending, []
        if not pending:
            return
        try:
            self.warc.flush(fsync=True)
            self.records.sync()
            with self.state.transaction():
                for action, _ in pending:
                    action()
        except Exception as exc:
            for _, future in pending:
                if not future.done():
                    future.set_exception(exc)
            return
        self.groups += 1
        self.items += len(pending)
        for _, future in pending:
            if not future.done():
                future.set_result(None)
