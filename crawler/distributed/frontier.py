"""The shared frontier in Redis: per-host streams, host leases, the run's seen-set, worker heartbeats.

Every multi-key change is one Lua script or one MULTI, so a worker killed at any instruction leaves Redis
consistent: a request is either in a stream (and its URL `leased`) or it is not; an entry is acknowledged together
with the state change that settles it. The client is valkey-py (the maintained fork of redis-py, same API; redis-py
itself cannot be installed next to pywb, which pins redis==2.10.6). Connection errors are retried for
POLICYCRAWL_REDIS_RETRY_FOR seconds, so a Redis restart pauses the workers instead of failing them.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from dataclasses import dataclass

logger = logging.getLogger(__name__)

GROUP = "workers"

# KEYS: seen, stream, hosts, url-hash, pending-zset, old-stream | ARGV: dedup member ('' = none), payload, now,
# group, host, old entry id ('' = none), old host, lease ('1' = mark the URL leased), frontier URL
_ENQUEUE = """
if ARGV[1] ~= '' then
  if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
end
if redis.call('EXISTS', KEYS[2]) == 0 then
  redis.call('XGROUP', 'CREATE', KEYS[2], ARGV[4], '0', 'MKSTREAM')
end
redis.call('XADD', KEYS[2], '*', 'r', ARGV[2])
redis.call('ZADD', KEYS[3], 'NX', ARGV[3], ARGV[5])
if ARGV[8] == '1' then
  local state = redis.call('HGET', KEYS[4], 'state')
  if state ~= 'done' and state ~= 'failed' then
    redis.call('HSET', KEYS[4], 'state', 'leased')
    redis.call('HINCRBY', KEYS[4], 'attempts', 1)
    redis.call('ZREM', KEYS[5], ARGV[9])
  end
end
if ARGV[6] ~= '' then
  redis.call('XACK', KEYS[6], ARGV[4], ARGV[6])
  redis.call('XDEL', KEYS[6], ARGV[6])
  if redis.call('XLEN', KEYS[6]) == 0 then redis.call('ZREM', KEYS[3], ARGV[7]) end
end
return 1
"""

# KEYS: stream, hosts | ARGV: entry id, group, host
_ACK = """
redis.call('XACK', KEYS[1], ARGV[2], ARGV[1])
redis.call('XDEL', KEYS[1], ARGV[1])
if redis.call('XLEN', KEYS[1]) == 0 then redis.call('ZREM', KEYS[2], ARGV[3]) end
return 1
"""

# KEYS: lease | ARGV: worker, ttl ms
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""

# KEYS: lease | ARGV: worker
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def default_worker_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


@dataclass(frozen=True)
class Claim:
    """One stream entry this worker has read and not yet acknowledged."""

    host: str
    entry: str


class RedisFrontier:
    def __init__(self, url: str, *, prefix: str = "policycrawl", worker: str | None = None, lease_ttl: float = 30.0,
                 retry_for: float = 120.0):
        import valkey
        from valkey.backoff import ExponentialBackoff
        from valkey.exceptions import BusyLoadingError, ConnectionError, TimeoutError
        from valkey.retry import Retry

        self.url = url
        self.prefix = prefix
        self.worker = worker or default_worker_id()
        self.lease_ttl = lease_ttl
        # ~retry_for seconds of reconnect attempts, backing off to 1 s: a Redis restart (AOF reload included) pauses
        # the workers; it does not fail them.
        retries = max(1, int(retry_for))
        self.db = valkey.Valkey.from_url(
            url,
            decode_responses=True,
            socket_timeout=30,
            socket_connect_timeout=5,
            retry=Retry(ExponentialBackoff(cap=1.0, base=0.05), retries),
            retry_on_error=[ConnectionError, TimeoutError, BusyLoadingError, ConnectionRefusedError],
            health_check_interval=0,
        )
        self._enqueue = self.db.register_script(_ENQUEUE)
        self._ack = self.db.register_script(_ACK)
        self._renew = self.db.register_script(_RENEW)
        self._release = self.db.register_script(_RELEASE)
        self.run_id = ""
        self.acked = None  # called with each Claim acknowledged (the scheduler's bookkeeping)

    # -- keys ----------------------------------------------------------------------------------------
    def key(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    def stream(self, host: str) -> str:
        return self.key("q", host)

    def lease_key(self, host: str) -> str:
        return self.key("lease", host)

    @property
    def hosts_key(self) -> str:
        return self.key("hosts")

    @property
    def seen_key(self) -> str:
        return self.key("seen", self.run_id)

    def url_key(self, url: str) -> str:
        return self.key("u", url)

    def pending_key(self, source: str) -> str:
        return self.key("pending", source)

    # -- run and workers -------------------------------------------------------------------------------
    def join_run(self, idle: float) -> str:
        """Join the crawl in progress, or start one. A run lasts while any worker heartbeats; its seen-set (the
        listing pages and articles already queued) expires `idle` seconds after the last worker went away, so the
        next scheduled start reads the listings again."""
        candidate = uuid.uuid4().hex[:12]
        self.db.set(self.key("run"), candidate, nx=True, ex=max(1, int(idle)))
        self.run_id = self.db.get(self.key("run")) or candidate
        self.heartbeat(idle)
        return self.run_id

    def heartbeat(self, idle: float) -> None:
        now = time.time()
        pipe = self.db.pipeline(transaction=False)
        pipe.expire(self.key("run"), max(1, int(idle)))
        pipe.expire(self.seen_key, max(1, int(idle)))
        pipe.zadd(self.key("workers"), {self.worker: now})
        pipe.zremrangebyscore(self.key("workers"), "-inf", now - max(idle, 3 * self.lease_ttl))
        pipe.execute()

    def live_workers(self) -> int:
        return max(1, self.db.zcount(self.key("workers"), time.time() - 3 * self.lease_ttl, "+inf"))

    def leave(self) -> None:
        self.db.zrem(self.key("workers"), self.worker)

    # -- queue ---------------------------------------------------------------------------------------
    def enqueue(self, host: str, payload: str, *, dedup: str | None, handover: Claim | None = None,
                lease_url: str | None = None) -> bool:
        """Add a request to its host's stream; False when `dedup` was already queued in this run. `handover`: the
        entry this request follows up (a redirect, a retry), acknowledged in the same step. `lease_url`: the
        article's frontier key, marked leased in the same step (never leased without a queued request)."""
        url_key = self.url_key(lease_url) if lease_url else self.key("none")
        source = (self.db.hget(url_key, "source") or "") if lease_url else ""
        keys = [self.seen_key, self.stream(host), self.hosts_key, url_key,
                self.pending_key(source), self.stream(handover.host) if handover else self.key("none")]
        args = [dedup or "", payload, time.time(), GROUP, host, handover.entry if handover else "",
                handover.host if handover else "", "1" if lease_url else "0", lease_url or ""]
        return bool(self._enqueue(keys=keys, args=args))

    def ack(self, claim: Claim, pipe=None) -> None:
        if self.acked is not None:
            self.acked(claim)
        self._ack(keys=[self.stream(claim.host), self.hosts_key], args=[claim.entry, GROUP, claim.host],
                  client=pipe or self.db)

    def read(self, hosts: list[str], count: int) -> list[tuple[str, str, str]]:
        """New entries of these hosts' streams for this worker: (host, entry id, payload)."""
        if not hosts:
            return []
        got = self.db.xreadgroup(GROUP, self.worker, {self.stream(h): ">" for h in hosts}, count=count)
        out = []
        for stream, entries in got or []:
            host = stream[len(self.key("q")) + 1:]
            for entry, fields in entries:
                if fields:  # an entry deleted after it was read shows up empty
                    out.append((host, entry, fields["r"]))
        return out

    def take_over(self, host: str) -> list[tuple[str, str, str]]:
        """Claim every unacknowledged entry of `host` (after acquiring its lease: whoever read them lost the lease)."""
        out = []
        start = "0-0"
        while True:
            try:
                reply = self.db.xautoclaim(self.stream(host), GROUP, self.worker, 0, start_id=start, count=500)
            except Exception as exc:  # noqa: BLE001 - no stream or group yet: nothing to take over
                if "NOGROUP" in str(exc) or "no such key" in str(exc).lower():
                    return out
                raise
            start, entries = reply[0], reply[1]
            for entry, fields in entries:
                if fields:
                    out.append((host, entry, fields["r"]))
            if start == "0-0":
                return out

    def my_pending(self, host: str, min_idle: float, limit: int = 100) -> list[str]:
        """Entry ids of `host` claimed by this worker and idle for `min_idle` seconds."""
        try:
            rows = self.db.xpending_range(self.stream(host), GROUP, min="-", max="+", count=limit,
                                          consumername=self.worker, idle=int(min_idle * 1000))
        except Exception as exc:  # noqa: BLE001 - no stream or group: nothing pending
            if "NOGROUP" in str(exc) or "no such key" in str(exc).lower():
                return []
            raise
        return [row["message_id"] for row in rows]

    def claim(self, host: str, entries: list[str]) -> list[tuple[str, str, str]]:
        """This worker's own pending entries, with their payload (XCLAIM to itself)."""
        if not entries:
            return []
        got = self.db.xclaim(self.stream(host), GROUP, self.worker, 0, entries)
        return [(host, entry, fields["r"]) for entry, fields in got if fields]

    def hosts_with_work(self, limit: int = 1000) -> list[str]:
        return self.db.zrange(self.hosts_key, 0, limit - 1)

    def has_work(self) -> bool:
        return self.db.zcard(self.hosts_key) > 0

    # -- host leases ---------------------------------------------------------------------------------
    def acquire(self, host: str) -> bool:
        return bool(self.db.set(self.lease_key(host), self.worker, nx=True, px=int(self.lease_ttl * 1000)))

    def renew(self, hosts: list[str]) -> list[bool]:
        if not hosts:
            return []
        pipe = self.db.pipeline(transaction=False)
        for host in hosts:
            self._renew(keys=[self.lease_key(host)], args=[self.worker, int(self.lease_ttl * 1000)], client=pipe)
        return [bool(r) for r in pipe.execute()]

    def release(self, host: str, last: float, delay: float) -> None:
        """Give a host up: remember when its last request ended and the delay it needs, for the next owner."""
        self.note_host(host, last, delay)
        self._release(keys=[self.lease_key(host)], args=[self.worker])

    def note_host(self, host: str, last: float, delay: float) -> None:
        self.db.hset(self.key("hostlast", host), mapping={"t": last, "d": delay})

    def host_not_before(self, host: str) -> float:
        """Earliest time the next request to `host` may start: its last request's end plus its delay."""
        row = self.db.hgetall(self.key("hostlast", host))
        if not row:
            return 0.0
        return float(row.get("t", 0)) + float(row.get("d", 0))

    def lease_owner(self, host: str) -> str | None:
        return self.db.get(self.lease_key(host))

    # -- cluster-wide politeness -------------------------------------------------------------------------
    def set_floor(self, host: str, delay: float) -> None:
        """A Crawl-delay or back-off floor, for every later owner of the host."""
        self.db.hset(self.key("floor"), host, delay)

    def floor(self, host: str) -> float | None:
        value = self.db.hget(self.key("floor"), host)
        return float(value) if value is not None else None

    def give_up(self, host: str, why: str) -> None:
        self.db.hset(self.key("givenup", self.run_id), host, why)
        self.db.expire(self.key("givenup", self.run_id), 7 * 24 * 3600)

    def given_up(self, host: str) -> str | None:
        return self.db.hget(self.key("givenup", self.run_id), host)

    def count_host_request(self, host: str) -> int:
        key = self.key("hostreq", self.run_id)
        pipe = self.db.pipeline(transaction=False)
        pipe.hincrby(key, host, 1)
        pipe.expire(key, 7 * 24 * 3600)
        return int(pipe.execute()[0])
