"""ArchiveSession of a distributed worker: the shared state in Redis, its own files and lock.

Workers may share one --out directory (one machine) or each have their own (several machines): every WARC and JSONL
file name carries the worker id (POLICYCRAWL_WORKER_ID, default HOSTNAME-PID), the run lock is per worker
(state/workers/ID/run.lock), and the repair of `.open` files on start skips files a live writer holds (flock), so
workers never touch each other's files.
"""

from __future__ import annotations

import logging
from pathlib import Path

from scrapy.crawler import Crawler

from archive.fsutil import safe_name
from crawler.distributed.frontier import RedisFrontier
from crawler.distributed.state import RedisState
from crawler.session import ArchiveSession

logger = logging.getLogger(__name__)


class DistributedSession(ArchiveSession):
    def __init__(self, crawler: Crawler, out_dir: Path):
        s = crawler.settings
        self.frontier = RedisFrontier(
            s.get("POLICYCRAWL_REDIS_URL"),
            prefix=s.get("POLICYCRAWL_REDIS_PREFIX"),
            worker=safe_name(s.get("POLICYCRAWL_WORKER_ID")) if s.get("POLICYCRAWL_WORKER_ID") else None,
            lease_ttl=s.getfloat("POLICYCRAWL_REDIS_LEASE_TTL"),
            retry_for=s.getfloat("POLICYCRAWL_REDIS_RETRY_FOR"),
        )
        self.frontier.join_run(s.getfloat("POLICYCRAWL_REDIS_RUN_IDLE"))
        super().__init__(crawler, out_dir)
        crawler.stats.set_value("policycrawl/redis/worker", self.frontier.worker)
        crawler.stats.set_value("policycrawl/redis/run", self.frontier.run_id)

    def _lock_dir(self) -> Path:
        return self.state_dir / "workers" / self.frontier.worker

    def _file_prefix(self, prefix: str) -> str:
        return f"{prefix}-{self.frontier.worker}"

    def _open_state(self, out_dir: Path) -> RedisState:
        return RedisState(self.frontier)
