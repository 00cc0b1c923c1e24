"""Per-host politeness the stock Scrapy components leave out.

- A source profile's `download_delay` is a floor too (AutoThrottle alone pulled a declared 3 s toward 1 s).
- robots.txt `Crawl-delay`: Scrapy parses it but never applies it. Here it becomes a floor under the host's
  download-slot delay (AutoThrottle may raise the delay above it, never lower it below).
- Back-off: 403 / 412 / 429 / 503 double the host's delay (or set it to `Retry-After`), as a floor; after
  POLICYCRAWL_BACKOFF_GIVE_UP such answers, or a Retry-After beyond POLICYCRAWL_BACKOFF_MAX_DELAY, the host is
  given up for the rest of the run: its remaining requests fail with HostGivenUp (transient: the URLs stay
  pending for the next run). No tight retry loops: RetryMiddleware's retries wait behind the raised delay.
- A run-level request budget per host (POLICYCRAWL_HOST_BUDGET), the backstop against spider traps.

Back-off is decided on the `response_downloaded` signal, not in process_response: the downloader starts the
slot's next request right after that signal, before any middleware sees the response. Giving up a host also
fails the requests already waiting in its slot queue, which passed process_request before the verdict.
process_request (priority 930, after robots.txt and the safety check) refuses requests for given-up hosts.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached

logger = logging.getLogger(__name__)

BACKOFF_STATUSES = {403, 412, 429, 503}
_MIN_SLOT_DELAY = 0.001


class HostGivenUp(IgnoreRequest):
    """The host asked us to go away (or ran over its budget): no more requests to it in this run."""


def retry_after_seconds(value: bytes | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class PolitenessMiddleware:
    def __init__(self, crawler: Crawler):
        s = crawler.settings
        self.crawler = crawler
        self.give_up_after = s.getint("POLICYCRAWL_BACKOFF_GIVE_UP")
        self.max_delay = s.getfloat("POLICYCRAWL_BACKOFF_MAX_DELAY")
        self.max_crawl_delay = s.getfloat("POLICYCRAWL_MAX_CRAWL_DELAY")
        self.host_budget = s.getint("POLICYCRAWL_HOST_BUDGET")
        self.user_agent = s.get("ROBOTSTXT_USER_AGENT") or s.get("USER_AGENT") or "*"
        self.floors: dict[str, float] = {}  # slot key -> minimum delay
        # A profile's download_delay (DOWNLOAD_SLOTS) is what the host was promised: AutoThrottle and the jitter
        # may raise the delay above it, never lower it below.
        for host, declared in (s.getdict("DOWNLOAD_SLOTS") or {}).items():
            delay = (declared or {}).get("delay") if isinstance(declared, dict) else None
            if delay:
                self.floors[host] = float(delay)
        self.strikes: Counter[str] = Counter()
        self.requests: Counter[str] = Counter()
        self.given_up: dict[str, str] = {}
        crawler.signals.connect(self._robots_parsed, signal=signals.robots_parsed)
        crawler.signals.connect(self._response_downloaded, signal=signals.response_downloaded)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PolitenessMiddleware:
        return cls(crawler)

    # -- slots ---------------------------------------------------------------------------------------
    def _slot_key(self, request: Request) -> str:
        downloader = self.crawler.engine.downloader
        return downloader.get_slot_key(request)

    def _apply_floor(self, key: str) -> None:
        slot = self.crawler.engine.downloader.slots.get(key)
        if slot is None:
            return
        floor = self.floors.get(key)
        if floor is not None:
            # A floor is a minimum: Scrapy's jitter (±DOWNLOAD_DELAY_JITTER) would otherwise go below it.
            slot.jitter = 0
            if slot.delay < floor:
                slot.delay = floor
        elif slot.delay < _MIN_SLOT_DELAY:
            # Scrapy 2.19's Downloader._process_queue starts every queued request of a slot at once when its
            # delay is 0 (the transfer is counted only once the coroutine runs), so a "concurrency 1" host
            # gets a burst. Any non-zero delay makes it start one request per pass.
            slot.delay = _MIN_SLOT_DELAY

    def _raise_floor(self, key: str, delay: float) -> None:
        self.floors[key] = max(self.floors.get(key, 0.0), delay)
        self._apply_floor(key)

    def _response_downloaded(self, response: Response, request: Request, spider=None) -> None:
        key = self._slot_key(request)
        if response.status in BACKOFF_STATUSES:
            self._back_off(key, response)
        # AutoThrottle (connected before us) may just have lowered the slot's delay.
        self._apply_floor(key)

    # -- robots.txt Crawl-delay ------------------------------------------------------------------------
    def _robots_parsed(self, robotparser, request: Request, **kw) -> None:
        try:
            delay = robotparser.crawl_delay(self.user_agent)
        except Exception:  # noqa: BLE001 - a parser without crawl_delay support
            return
        if not delay:
            return
        if delay > self.max_crawl_delay:
            logger.warning("%s asks for Crawl-delay %.0fs; using %.0fs", urlparse_cached(request).hostname, delay,
                           self.max_crawl_delay)
            delay = self.max_crawl_delay
        key = self._slot_key(request)
        self._raise_floor(key, float(delay))
        self.crawler.stats.set_value(f"policycrawl/politeness/crawl_delay/{key}", float(delay))
        logger.info("robots.txt Crawl-delay for %s: %.1fs", key, delay)

    # -- middleware --------------------------------------------------------------------------------------
    def _give_up(self, key: str, why: str) -> None:
        if key in self.given_up:
            return
        self.given_up[key] = why
        self.crawler.stats.inc_value("policycrawl/politeness/hosts_given_up")
        logger.warning("giving up on %s for this run: %s", key, why)
        slot = self.crawler.engine.downloader.slots.get(key)
        while slot is not None and slot.queue:
            request, deferred = slot.queue.popleft()
            self.crawler.stats.inc_value("policycrawl/politeness/skipped_given_up")
            deferred.errback(HostGivenUp(f"host {key} given up for this run ({why}): {request.url}"))

    def process_request(self, request: Request) -> None:
        key = self._slot_key(request)
        if key in self.given_up:
            self.crawler.stats.inc_value("policycrawl/politeness/skipped_given_up")
            raise HostGivenUp(f"host {key} given up for this run ({self.given_up[key]}): {request.url}")
        self.requests[key] += 1
        if self.host_budget and self.requests[key] > self.host_budget:
            self.crawler.stats.inc_value("policycrawl/traps/host_budget")
            self._give_up(key, f"trap? run budget of {self.host_budget} requests used up")
            raise HostGivenUp(f"host {key} over its budget: {request.url}")
        self._apply_floor(key)
        return None

    def _back_off(self, key: str, response: Response) -> None:
        stats = self.crawler.stats
        self.strikes[key] += 1
        stats.inc_value(f"policycrawl/politeness/backoff/{response.status}")
        retry_after = retry_after_seconds(response.headers.get(b"Retry-After"))
        if retry_after is not None and retry_after > self.max_delay:
            self._give_up(key, f"Retry-After {retry_after:.0f}s")
            return
        if self.strikes[key] >= self.give_up_after:
            self._give_up(key, f"{self.strikes[key]} answers {sorted(BACKOFF_STATUSES)}")
            return
        slot = self.crawler.engine.downloader.slots.get(key)
        current = slot.delay if slot is not None else 0.0
        base = self.crawler.settings.getfloat("DOWNLOAD_DELAY") or 1.0
        delay = min(self.max_delay, max(current * 2, base, retry_after or 0.0))
        self._raise_floor(key, delay)
        logger.info("%s answered %d: delay for this host now %.1fs", key, response.status, delay)
