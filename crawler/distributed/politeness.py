"""Politeness shared by the cluster: a host's Crawl-delay / back-off floor and "given up for this run" live in Redis,
so the next owner of a host (after a hand-over or a dead worker's lease expired) starts from them instead of from
scratch. The host's owner enforces them exactly as one process does (crawler/politeness.py)."""

from __future__ import annotations

import asyncio

from scrapy import Request

from crawler.politeness import HostGivenUp, PolitenessMiddleware


class DistributedPolitenessMiddleware(PolitenessMiddleware):
    @property
    def _frontier(self):
        from crawler.session import ArchiveSession

        return ArchiveSession.of(self.crawler).frontier

    def _raise_floor(self, key: str, delay: float) -> None:
        super()._raise_floor(key, delay)
        self._frontier.set_floor(key, self.floors[key])

    def _give_up(self, key: str, why: str) -> None:
        if key not in self.given_up:
            self._frontier.give_up(key, why)
        super()._give_up(key, why)

    async def process_request(self, request: Request) -> None:
        self._check(request)
        # The scheduler starts a host's request only `delay` after the previous one ended; robots.txt, fetched
        # inside the first request's middleware chain, is the one request it cannot see coming: wait here.
        scheduler = getattr(self.crawler.engine, "_slot", None) and self.crawler.engine._slot.scheduler
        wait = scheduler.host_wait(self._slot_key(request)) if hasattr(scheduler, "host_wait") else 0.0
        if wait > 0:
            await asyncio.sleep(wait)
        return None

    def _check(self, request: Request) -> None:
        key = self._slot_key(request)
        if key not in self.given_up:
            why = self._frontier.given_up(key)
            if why:
                self.given_up[key] = why
                self.crawler.stats.inc_value("policycrawl/politeness/skipped_given_up")
                raise HostGivenUp(f"host {key} given up for this run by another worker ({why}): {request.url}")
        return super().process_request(request)
