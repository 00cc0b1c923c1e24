"""Which failed article URLs a later run tries again, and when: bounded attempts with an exponential back-off.

A failure that says nothing about the page (a timeout, a refused connection, 5xx, 429, a host given up for the
run) puts the URL back to pending until it has been fetched POLICYCRAWL_MAX_ATTEMPTS times. A page that hung or
crashed the extractor is tried again too, but only until POLICYCRAWL_RETRY_FAILED_EXTRACT fetches in all: a page
that kills the extractor every time must not cost a worker on every run for ever. Permanent answers (404, 410,
robots.txt, refused by the safety rules, too large, not an article) are final at once.

Each retry waits POLICYCRAWL_RETRY_FAILED_AFTER seconds after the first failure, doubled for every further
attempt, at most POLICYCRAWL_RETRY_FAILED_MAX_DELAY: a scheduled crawl does not hammer a page that is down, and a
page that failed once is back within a run or two. The time is kept with the URL in the state (`retry_at`), so
every run, and every worker of a cluster, agrees on it. A URL released because the run itself stopped (a worker
lost during shutdown) is not a failure: it is due at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from archive.state import now_iso

# Extraction outcomes that say nothing final about the page: the worker hung (killed at the time limit) or died.
RETRYABLE_EXTRACT_STATUSES = frozenset({"timeout", "error"})


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    extract_attempts: int = 2
    after: float = 3600.0
    max_delay: float = 86400.0

    @classmethod
    def from_settings(cls, settings) -> RetryPolicy:
        return cls(
            max_attempts=settings.getint("POLICYCRAWL_MAX_ATTEMPTS"),
            extract_attempts=settings.getint("POLICYCRAWL_RETRY_FAILED_EXTRACT"),
            after=settings.getfloat("POLICYCRAWL_RETRY_FAILED_AFTER"),
            max_delay=settings.getfloat("POLICYCRAWL_RETRY_FAILED_MAX_DELAY"),
        )

    def retry_at(self, attempts: int) -> str | None:
        """When a URL that failed at its `attempts`-th fetch may be fetched again; None = at once."""
        if self.after <= 0:
            return None
        delay = min(self.after * 2 ** max(attempts - 1, 0), max(self.max_delay, self.after))
        return (datetime.now(UTC) + timedelta(seconds=delay)).isoformat(timespec="seconds")

    def fetch_failure_retried(self, attempts: int) -> bool:
        """A transient fetch failure at the `attempts`-th fetch: is there another try?"""
        return attempts < self.max_attempts

    def extract_failure_retried(self, status: str, attempts: int) -> bool:
        """The extractor hung or crashed on the page at its `attempts`-th fetch: is there another try?"""
        return status in RETRYABLE_EXTRACT_STATUSES and attempts < min(self.extract_attempts, self.max_attempts)

    @staticmethod
    def waiting(known, now: str | None = None) -> bool:
        """A pending URL still in its back-off: not fetched before its retry_at."""
        retry_at = getattr(known, "retry_at", None)
        return bool(known is not None and known.state == "pending" and retry_at and retry_at > (now or now_iso()))
