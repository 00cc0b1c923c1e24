"""The Scrapy scheduler of a distributed worker: requests go to per-host Redis streams and come back only from hosts
this worker holds a lease on.

- enqueue: JSON to the host's stream, deduplicated per cluster run (article: its frontier key; others: the request
  fingerprint; `dont_filter` and follow-ups of a claimed request are never deduplicated). A follow-up (redirect,
  retry, unconditional re-fetch) replaces the entry it came from in one step.
- next_request: round robin over owned hosts, at most POLICYCRAWL_REDIS_HOST_QUEUE requests per host in the
  downloader at once (so one host's backlog cannot fill the downloader while other hosts wait), none before the
  host's `not before` time (the previous owner's last request + its delay).
- A looping call renews leases, heartbeats, takes this worker's share of the hosts with work (hosts / live
  workers), drains hosts beyond the share (released once nothing of theirs is in flight or unacknowledged) and
  releases hosts with nothing left.
- Acknowledgement: articles when their state settles (crawler/distributed/state.py); other requests once their
  callback's output is queued, or their errback ran.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections import deque
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider, signals
from scrapy.core.scheduler import BaseScheduler
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from twisted.internet import task

from crawler.distributed.frontier import Claim
from crawler.distributed.serialize import (CLAIM_META, RECHECK_META, request_from_json, request_to_json)

logger = logging.getLogger(__name__)

FRONTIER_META = "policycrawl_frontier_url"
REPLACES_META = "policycrawl_replaces"
QUEUED_ELSEWHERE_META = "policycrawl_queued_elsewhere"  # crawler/spiders/policy.py reads it


def json_key(payload: str) -> str | None:
    try:
        return json.loads(payload)["meta"].get(FRONTIER_META)
    except (ValueError, KeyError, AttributeError):
        return None


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


class _Host:
    def __init__(self, now: float, ttl: float, not_before: float):
        self.valid_until = now + ttl
        self.not_before = not_before
        self.draining = False
        self.idle_since: float | None = None
        self.last_end = 0.0
        self.buffer: deque[tuple[str, str]] = deque()


class RedisScheduler(BaseScheduler):
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        s = crawler.settings
        self.per_host = max(1, s.getint("POLICYCRAWL_REDIS_HOST_QUEUE"))
        self.max_hosts = s.getint("POLICYCRAWL_REDIS_MAX_HOSTS") or s.getint("CONCURRENT_REQUESTS")
        self.idle_release = s.getfloat("POLICYCRAWL_REDIS_IDLE_RELEASE")
        self.run_idle = s.getfloat("POLICYCRAWL_REDIS_RUN_IDLE")
        self.stale_after = s.getfloat("POLICYCRAWL_REDIS_STALE_CLAIM")
        self.hosts: dict[str, _Host] = {}
        self.unacked: dict[str, Claim] = {}  # entry id -> claim
        self.handed: dict[str, tuple[float, str]] = {}  # entry id -> (handed out at, payload)
        self._last_audit = 0.0
        self._rr: deque[str] = deque()
        self._loop: task.LoopingCall | None = None
        self._last_renew = 0.0
        self._last_acquire = 0.0
        self.stats = crawler.stats
        self._profiles: dict | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisScheduler:
        return cls(crawler)

    # -- lifecycle -------------------------------------------------------------------------------------
    def open(self, spider: Spider) -> None:
        from crawler.session import ArchiveSession

        self.spider = spider
        self.session = ArchiveSession.of(self.crawler)
        self.frontier = self.session.frontier
        self.state = self.session.state
        self.frontier.acked = self._acked
        self.fingerprinter = self.crawler.request_fingerprinter
        self.crawler.signals.connect(self._left_downloader, signal=signals.request_left_downloader)
        self.crawler.signals.connect(self._idle, signal=signals.spider_idle)
        self._loop = task.LoopingCall(self._tick)
        self._loop.start(0.25, now=False)
        logger.info("distributed worker %s joined run %s on %s", self.frontier.worker, self.frontier.run_id,
                    self.frontier.url)

    def close(self, reason: str) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        for host in list(self.hosts):
            self._release(host)
        self.frontier.leave()

    def has_pending_requests(self) -> bool:
        return any(h.buffer for h in self.hosts.values())

    def __len__(self) -> int:
        return sum(len(h.buffer) for h in self.hosts.values())

    # -- enqueue ---------------------------------------------------------------------------------------
    def enqueue_request(self, request: Request) -> bool:
        host = host_of(request.url)
        claim_meta = request.meta.get(CLAIM_META)
        handover = Claim(*claim_meta) if claim_meta else None
        if handover is not None and handover.entry not in self.unacked:
            handover = None  # already settled (a second follow-up of the same response): plain enqueue
        key = request.meta.get(FRONTIER_META)
        if handover is not None or request.dont_filter:
            dedup = None
        elif key:
            dedup = "a " + key
        else:
            dedup = "f " + self.fingerprinter.fingerprint(request).hex()
        lease_url = key if key and request.meta.get(RECHECK_META) is None and handover is None else None
        added = self.frontier.enqueue(host, request_to_json(request), dedup=dedup, handover=handover,
                                      lease_url=lease_url)
        if handover is not None:
            self._forget(handover)
        if added:
            self.stats.inc_value("policycrawl/redis/enqueued")
        else:
            # Queued already in this cluster run (by this or another worker): the engine signals the drop, and the
            # spider must not take it for a redirect loop and fail the URL whose queued copy is still to come.
            request.meta[QUEUED_ELSEWHERE_META] = True
            self.stats.inc_value("policycrawl/redis/duplicate")
        return added

    # -- dequeue ---------------------------------------------------------------------------------------
    def _in_download(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for request in self.crawler.engine.downloader.active:
            claim = request.meta.get(CLAIM_META)
            if claim:
                counts[claim[0]] = counts.get(claim[0], 0) + 1
        return counts

    def _profile_map(self) -> dict | None:
        """The spider's sources by id, None while they cannot be had. The engine may ask for requests (of hosts taken
        over from other workers) before the spider's start() resolved its sources: their entries then looked like
        ones of an unknown source and were dropped (4 articles lost by a scrapyd node that joined late)."""
        if self._profiles is None:
            profiles = list(getattr(self.spider, "profiles", None) or [])
            if not profiles and hasattr(self.spider, "_resolve_profiles"):
                try:
                    profiles = self.spider._resolve_profiles()
                except Exception:  # noqa: BLE001 - start() reports it and the crawl ends; nothing is dropped meanwhile
                    return None
                self.spider.profiles = profiles
            if not profiles:
                return None
            self._profiles = {p.id: p for p in profiles}
        return self._profiles

    def next_request(self) -> Request | None:
        if self._profile_map() is None:
            return None
        now = time.time()
        busy = self._in_download()
        ready = [h for h in self._rr if self._servable(h, now) and self._may_start(h, now, busy.get(h, 0))]
        empty = [h for h in ready if not self.hosts[h].buffer]
        if empty:
            for host, entry, payload in self.frontier.read(empty, self.per_host):
                if host in self.hosts:
                    self.hosts[host].buffer.append((entry, payload))
                    self.unacked[entry] = Claim(host, entry)
        for _ in range(len(self._rr)):
            host = self._rr[0]
            self._rr.rotate(-1)
            if host not in ready or not self.hosts[host].buffer:
                continue
            while self.hosts[host].buffer:
                entry, payload = self.hosts[host].buffer.popleft()
                request = self._build(host, entry, payload)
                if request is not None:
                    self.hosts[host].idle_since = None
                    self.stats.inc_value("policycrawl/redis/dequeued")
                    return request
        return None

    def _may_start(self, host: str, now: float, in_download: int) -> bool:
        """A host with a delay gets one request at a time, started no sooner than `delay` after the previous one
        ended: then arrivals at the server are `delay` apart whatever the network does (Scrapy's slot measures the
        delay between request starts, so queueing jitter can bring two arrivals closer). Without a delay, up to
        POLICYCRAWL_REDIS_HOST_QUEUE requests wait in the host's download slot."""
        delay = self._delay(host)
        if delay > 0:
            return in_download == 0 and now >= self.hosts[host].last_end + delay
        return in_download < self.per_host

    def host_wait(self, host: str) -> float:
        """Seconds until `host` may get its next request (0 for hosts without a delay or not owned here)."""
        h = self.hosts.get(host)
        if h is None:
            return 0.0
        delay = self._delay(host)
        return max(0.0, h.last_end + delay - time.time()) if delay > 0 else 0.0

    def _servable(self, host: str, now: float) -> bool:
        h = self.hosts.get(host)
        # A lease about to run out is not used: the next owner may start on the host at its expiry.
        return h is not None and not h.draining and now >= h.not_before and now < h.valid_until - 1.0

    def _build(self, host: str, entry: str, payload: str) -> Request | None:
        claim = Claim(host, entry)
        try:
            request = request_from_json(payload, self.spider, self._profile_map() or {})
        except Exception as exc:  # noqa: BLE001 - a bad entry must not stop the cluster; it is dropped, loudly
            logger.error("dropping unreadable queue entry %s of %s: %s", entry, host, exc)
            self._ack(claim)
            return None
        key = request.meta.get(FRONTIER_META)
        if key and request.meta.get(RECHECK_META) is None and not request.meta.get(REPLACES_META) \
                and not request.dont_filter:
            known = self.state.get(key)
            if known is not None and known.state in ("done", "failed"):
                # Settled since it was queued (an entry left by an earlier run): nothing to fetch.
                self.stats.inc_value("policycrawl/redis/already_settled")
                self._ack(claim)
                return None
        request.meta[CLAIM_META] = [host, entry]
        self.unacked[entry] = claim
        self.handed[entry] = (time.time(), payload)
        if key:
            self.state.claims[key] = claim
        if request.callback is not None:
            request.callback = _AckingCallback(request.callback, self, claim, ack=not key)
        if request.errback is not None:
            request.errback = _AckingErrback(request.errback, self, claim)
        return request

    # -- acknowledgement -------------------------------------------------------------------------------
    def _acked(self, claim: Claim) -> None:
        self._forget(claim)

    def _forget(self, claim: Claim) -> None:
        self.unacked.pop(claim.entry, None)
        self.handed.pop(claim.entry, None)

    def _ack(self, claim: Claim) -> None:
        self.frontier.ack(claim)
        self._forget(claim)

    def ack_if_open(self, claim: Claim) -> None:
        if claim.entry in self.unacked:
            self.frontier.ack(claim)
            self._forget(claim)

    # -- leases ----------------------------------------------------------------------------------------
    def _tick(self) -> None:
        try:
            self._maintain()
        except Exception as exc:  # noqa: BLE001 - Redis down for longer than the retry window: try again
            logger.warning("redis maintenance failed: %r", exc)

    def _maintain(self) -> None:
        now = time.time()
        ttl = self.frontier.lease_ttl
        if now - self._last_renew >= ttl / 3:
            self._last_renew = now
            self.frontier.heartbeat(self.run_idle)
            owned = list(self.hosts)
            for host, ok in zip(owned, self.frontier.renew(owned)):
                if ok:
                    self.hosts[host].valid_until = now + ttl
                else:
                    logger.warning("lost the lease on %s; leaving it to its new owner", host)
                    self._drop(host)
        if now - self._last_audit >= max(2.0, ttl / 3):
            self._last_audit = now
            self._audit(now)
        busy = self._in_download()
        with_work = self.frontier.hosts_with_work()
        work = set(with_work)
        # Hosts with a request handed out and not yet settled (entries only read into the buffer do not count: a
        # released host's buffered entries are taken over by its next owner).
        started = {self.unacked[e].host for e in self.handed if e in self.unacked}
        for host, h in list(self.hosts.items()):
            quiet = not busy.get(host) and host not in started
            if h.draining and quiet:
                self._release(host)
            elif quiet and not h.buffer and host not in work:
                h.idle_since = h.idle_since or now
                if now - h.idle_since >= self.idle_release:
                    self._release(host)
            else:
                h.idle_since = None
        live = self.frontier.live_workers()
        share = min(self.max_hosts, math.ceil(len(with_work) / live)) if with_work else 0
        # A finished host kept for POLICYCRAWL_REDIS_IDLE_RELEASE (in case work for it turns up) does not count
        # towards the share: counting it left a slot of this worker unused for seconds at each host it finished.
        active = self._active()
        if len(active) > share and live > 1:
            # More hosts than this worker's share while others are alive (it started first, or a worker joined):
            # hand the surplus over, least loaded first.
            for host in sorted(active, key=lambda x: len(self.hosts[x].buffer))[: len(active) - share]:
                self.hosts[host].draining = True
                self.stats.inc_value("policycrawl/redis/hosts_drained")
        elif len(active) < share and now - self._last_acquire >= 0.5:
            self._last_acquire = now
            for host in with_work:
                if len(self._active()) >= share:
                    break
                if host not in self.hosts and self.frontier.acquire(host):
                    self._adopt(host, now)
        # Wake the engine every tick, also with no host held: it then asks for requests of hosts just taken, and
        # sees at once that the cluster ran out of work (its own heartbeat comes every 5 s: each worker lingered
        # up to 5 s after the crawl's end).
        nextcall = getattr(getattr(self.crawler.engine, "_slot", None), "nextcall", None)
        if nextcall is not None:
            nextcall.schedule()

    def _active(self) -> list[str]:
        return [x for x, h in self.hosts.items() if not h.draining and h.idle_since is None]

    def _audit(self, now: float) -> None:
        """Claims that nothing in this process works on any more are processed again instead of being held until
        the lease goes: a request whose processing ended without settling it (an error after the fetch), and an
        entry Redis delivered whose reply never arrived (the connection dropped during XREADGROUP, Redis restarted)."""
        live_keys = set(self.session.gate.admitted)
        live_entries = set()
        for request in list(self.crawler.engine.downloader.active) + list(self._scraping()):
            claim = request.meta.get(CLAIM_META)
            if claim:
                live_entries.add(claim[1])
            if request.meta.get(FRONTIER_META):
                live_keys.add(request.meta[FRONTIER_META])
        for entry, (since, payload) in list(self.handed.items()):
            claim = self.unacked.get(entry)
            if claim is None or now - since < self.stale_after or entry in live_entries:
                continue
            if json_key(payload) in live_keys:
                continue
            h = self.hosts.get(claim.host)
            self.handed.pop(entry, None)
            if h is None:
                continue
            logger.warning("re-processing %s: its processing ended without settling it", entry)
            self.stats.inc_value("policycrawl/redis/redelivered")
            h.buffer.append((entry, payload))
        known = set(self.unacked)
        for host in list(self.hosts):
            lost = [e for e in self.frontier.my_pending(host, self.stale_after) if e not in known]
            for _, entry, payload in self.frontier.claim(host, lost):
                logger.warning("re-processing %s of %s: delivered but never received", entry, host)
                self.stats.inc_value("policycrawl/redis/redelivered")
                self.hosts[host].buffer.append((entry, payload))
                self.unacked[entry] = Claim(host, entry)

    def _scraping(self):
        slot = getattr(getattr(self.crawler.engine, "scraper", None), "slot", None)
        return list(getattr(slot, "active", ()) or ())

    def _adopt(self, host: str, now: float) -> None:
        h = _Host(now, self.frontier.lease_ttl, self.frontier.host_not_before(host))
        self.hosts[host] = h
        self._rr.append(host)
        floor = self.frontier.floor(host)
        if floor:
            politeness = self._politeness()
            if politeness is not None:
                politeness.floors[host] = max(politeness.floors.get(host, 0.0), floor)
        taken = self.frontier.take_over(host)
        for _, entry, payload in taken:
            h.buffer.append((entry, payload))
            self.unacked[entry] = Claim(host, entry)
        self.stats.inc_value("policycrawl/redis/hosts_acquired")
        if taken:
            self.stats.inc_value("policycrawl/redis/reclaimed", len(taken))
            logger.info("took over %s with %d unacknowledged requests", host, len(taken))

    def _politeness(self):
        from crawler.politeness import PolitenessMiddleware

        try:
            return self.crawler.get_downloader_middleware(PolitenessMiddleware)
        except Exception:  # noqa: BLE001 - not built yet
            return None

    def _delay(self, host: str) -> float:
        slot = self.crawler.engine.downloader.slots.get(host) if self.crawler.engine else None
        delay = slot.delay if slot is not None else self.crawler.settings.getfloat("DOWNLOAD_DELAY")
        politeness = self._politeness()
        if politeness is not None:
            delay = max(delay, politeness.floors.get(host, 0.0))
        return delay

    def _release(self, host: str) -> None:
        h = self.hosts.pop(host, None)
        if h is None:
            return
        if host in self._rr:
            self._rr.remove(host)
        for entry, _ in h.buffer:  # read but never started: the next owner takes them over
            self.unacked.pop(entry, None)
        self.frontier.release(host, max(h.last_end, time.time() if self._in_download().get(host) else 0.0),
                              self._delay(host))
        self.stats.inc_value("policycrawl/redis/hosts_released")

    def _drop(self, host: str) -> None:
        h = self.hosts.pop(host, None)
        if host in self._rr:
            self._rr.remove(host)
        if h is not None:
            for entry, _ in h.buffer:
                self.unacked.pop(entry, None)

    def _left_downloader(self, request: Request, spider=None) -> None:
        host = host_of(request.url)
        h = self.hosts.get(host)
        if h is not None:
            h.last_end = time.time()

    def _idle(self, spider=None) -> None:
        if self.frontier.has_work() or self.unacked:
            raise DontCloseSpider("other hosts still have queued requests in Redis")


class _AckingCallback:
    """Runs the spider callback; a non-article request is acknowledged once every request it yielded is queued
    (the generator resumes after its last output only when the scraper has handled that output)."""

    def __init__(self, func, scheduler: RedisScheduler, claim: Claim, ack: bool):
        self.func = func
        self.scheduler = scheduler
        self.claim = claim
        self.ack = ack
        self.__wrapped__ = func
        self.__name__ = getattr(func, "__name__", "callback")

    def __call__(self, response, **kwargs: Any):
        result = self.func(response, **kwargs)
        if not self.ack:
            return result
        return self._then_ack(result)

    def _then_ack(self, result):
        if result is not None:
            yield from result
        self.scheduler.ack_if_open(self.claim)


class _AckingErrback:
    """Runs the spider errback (which settles an article's state), then acknowledges unless the run is stopping
    (SIGTERM, disk full: the request stays claimed and is taken over later)."""

    def __init__(self, func, scheduler: RedisScheduler, claim: Claim):
        self.func = func
        self.scheduler = scheduler
        self.claim = claim
        self.__wrapped__ = func
        self.__name__ = getattr(func, "__name__", "errback")

    def __call__(self, failure):
        result = self.func(failure)
        if not self.scheduler.session.stopping:
            self.scheduler.ack_if_open(self.claim)
        return result
