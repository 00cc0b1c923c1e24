"""Distributed mode: many crawl workers, on one or many machines, share one frontier in Redis.

Built on Redis Streams consumer groups, not on scrapy-redis (see README "Many workers"): scrapy-redis pops requests
(LPOP / ZPOPMIN) with no acknowledgement, serializes with pickle, keeps a seen-set that never expires and throttles
per process; keeping its class names would have meant replacing its queue, scheduler loop and dupefilter anyway.
A stream entry read with XREADGROUP stays in the group's pending list until XACK, which is the lease this mode needs.

- One stream per host (`PREFIX:q:HOST`). A host is served by one worker at a time: the worker holds
  `PREFIX:lease:HOST` (SET NX PX, renewed while alive). Only the lease holder reads the host's stream, so robots.txt,
  Crawl-delay, download_delay and back-off apply per host across the cluster as they do in one process.
- A request stays claimed (in the pending list) until its WARC records and JSONL line are fsynced and its frontier
  state is updated; the XACK goes in the same MULTI as that update. A worker killed with kill -9 stops renewing its
  leases; when a lease expires, the next owner takes over the host's pending entries (XAUTOCLAIM), so nothing is
  lost and at most the dead worker's in-flight requests are fetched again.
- Requests are JSON (crawler/distributed/serialize.py); nothing from Redis is ever unpickled.
- The incremental state (archived URLs, digests, ETags, listing watermarks) lives in Redis too
  (crawler/distributed/state.py, the interface of archive.state.CrawlState).

Modules: frontier.py (keys, Lua scripts, leases), scheduler.py (the Scrapy scheduler), state.py (shared state),
session.py (per-worker files and lock), serialize.py (Request <-> JSON).
"""
