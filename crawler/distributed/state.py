"""archive.state.CrawlState's interface on Redis: the incremental state every worker of a cluster shares.

Same meaning as the SQLite version (pending → leased → done / failed; ETags, digests, WARC pointers of the stored
version; listing walks and their watermark; validated WARC files; runs), with two differences that come from
sharing it:

- `lease()` is a no-op: a URL becomes leased in the same Lua step that puts its request into a host stream
  (RedisFrontier.enqueue), so there is never a leased URL without a queued request.
- Every change that settles a URL (done, failed, released, re-checked) also acknowledges the stream entry that
  claimed it, in one MULTI: "archived" and "acknowledged" cannot come apart. `begin_run` re-queues nothing:
  a dead worker's claims come back through its expired host leases (RedisFrontier.take_over).

Keys: PREFIX:u:URL (hash per URL), PREFIX:pending:SOURCE and PREFIX:done:SOURCE (sorted sets: first seen / last
checked), PREFIX:listing:URL, PREFIX:warcfiles, PREFIX:runs:WORKER.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import fields
from datetime import datetime

from archive.state import UrlState, now_iso
from crawler.distributed.frontier import Claim, RedisFrontier
from archive.pointer import WarcPointer

_URLSTATE_FIELDS = {
    "record_warc_id": "warc_record_id",  # UrlState attribute -> hash field (SQLite column names)
}


def _epoch(iso: str | None) -> float:
    if not iso:
        return 0.0
    return datetime.fromisoformat(iso).timestamp()


class RedisState:
    def __init__(self, frontier: RedisFrontier):
        self.frontier = frontier
        self.db = frontier.db
        self.claims: dict[str, Claim] = {}  # frontier key -> the stream entry that claimed it (set by the scheduler)
        self._pipe = None

    def close(self) -> None:
        self.db.close()

    # -- writes: grouped into one MULTI inside transaction()/batch() ------------------------------------
    @contextmanager
    def transaction(self):
        if self._pipe is not None:  # nested: the outer one executes
            yield
            return
        self._pipe = self.db.pipeline(transaction=True)
        try:
            yield
            if len(self._pipe):
                self._pipe.execute()
        finally:
            self._pipe = None

    batch = transaction
    _tx = transaction

    @contextmanager
    def _write(self):
        if self._pipe is not None:
            yield self._pipe
            return
        with self.transaction():
            yield self._pipe

    def _settle(self, pipe, url: str) -> None:
        claim = self.claims.pop(url, None)
        if claim is not None:
            self.frontier.ack(claim, pipe)

    def _key(self, url: str) -> str:
        return self.frontier.url_key(url)

    @staticmethod
    def _set(pipe, key: str, values: dict) -> None:
        present = {k: v for k, v in values.items() if v is not None}
        absent = [k for k, v in values.items() if v is None]
        if present:
            pipe.hset(key, mapping=present)
        if absent:
            pipe.hdel(key, *absent)

    # -- runs ------------------------------------------------------------------------------------------
    def begin_run(self, run_id: str, records_file: str) -> int:
        key = self.frontier.key("runs", self.frontier.worker)
        for rid, raw in self.db.hgetall(key).items():
            row = json.loads(raw)
            if row.get("finished") is None:
                row.update(finished=now_iso(), outcome="crashed")  # still unreconciled: see unfinished_records_files
                self.db.hset(key, rid, json.dumps(row))
        self.db.hset(key, run_id, json.dumps({"started": now_iso(), "records_file": records_file, "finished": None,
                                              "cluster_run": self.frontier.run_id}))
        return 0

    def finish_run(self, run_id: str, outcome: str, stats: dict) -> None:
        key = self.frontier.key("runs", self.frontier.worker)
        row = json.loads(self.db.hget(key, run_id) or "{}")
        row.update(finished=now_iso(), outcome=outcome, stats=json.loads(json.dumps(stats, default=str)))
        self.db.hset(key, run_id, json.dumps(row, ensure_ascii=False))

    def unfinished_records_files(self) -> list[str]:
        """This worker's runs that never finished (a worker restarted under the same id reconciles them)."""
        key = self.frontier.key("runs", self.frontier.worker)
        rows = sorted((json.loads(raw) for raw in self.db.hgetall(key).values()), key=lambda r: r.get("started", ""))
        return [r["records_file"] for r in rows if r.get("records_file") and not r.get("reconciled")
                and (r.get("finished") is None or r.get("outcome") != "finished")]

    def mark_reconciled(self, records_file: str) -> None:
        key = self.frontier.key("runs", self.frontier.worker)
        for rid, raw in self.db.hgetall(key).items():
            row = json.loads(raw)
            if row.get("records_file") == records_file:
                row["reconciled"] = True
                self.db.hset(key, rid, json.dumps(row, ensure_ascii=False))

    # -- frontier ------------------------------------------------------------------------------------
    def discover(self, url: str, source: str, seen_url: str | None = None) -> bool:
        now = now_iso()
        key = self._key(url)
        if self.db.hsetnx(key, "state", "pending"):
            with self._write() as pipe:
                pipe.hset(key, mapping={"url": url, "source": source, "first_seen": now, "last_seen": now,
                                        "attempts": 0, "versions": 0, "seen_url": seen_url or url})
                pipe.zadd(self.frontier.pending_key(source), {url: _epoch(now)})
            return True
        self.db.hset(key, "last_seen", now)
        return False

    def get(self, url: str) -> UrlState | None:
        row = self.db.hgetall(self._key(url))
        if not row or "source" not in row:
            return None
        values = {}
        for f in fields(UrlState):
            raw = row.get(_URLSTATE_FIELDS.get(f.name, f.name))
            if f.name in ("attempts", "warc_offset") and raw is not None:
                raw = int(raw)
            values[f.name] = raw
        values["url"] = url
        values["attempts"] = values["attempts"] or 0
        return UrlState(**values)

    def due_for_recheck(self, source: str, checked_before: str, limit: int) -> list[str]:
        return list(self.db.zrangebyscore(self.frontier.key("done", source), "-inf", f"({_epoch(checked_before)}",
                                          start=0, num=limit))

    def mark_checked(self, url: str, http_status: int | None) -> None:
        now = now_iso()
        source = self.db.hget(self._key(url), "source") or ""
        with self._write() as pipe:
            self._set(pipe, self._key(url), {"last_checked": now, "last_seen": now, "last_status": http_status})
            pipe.zadd(self.frontier.key("done", source), {url: _epoch(now)})
            self._settle(pipe, url)

    def lease(self, url: str) -> None:
        """No-op: the enqueue leases atomically (see the module docstring)."""

    def pending(self, source: str) -> Iterator[str]:
        """Due pending URLs: the score is when a URL may be fetched (found, or its retry_at after a failure)."""
        return iter(self.db.zrangebyscore(self.frontier.pending_key(source), "-inf", _epoch(now_iso())))

    def mark_done(self, url: str, *, record_id: str | None, http_status: int | None, warc: WarcPointer | None,
                  etag: str | None = None, last_modified: str | None = None, payload_digest: str | None = None,
                  content_digest: str | None = None, reason: str | None = None, warc_date: str | None = None,
                  warc_target_uri: str | None = None, new_version: bool = True) -> None:
        now = now_iso()
        key = self._key(url)
        source = self.db.hget(key, "source") or ""
        with self._write() as pipe:
            self._set(pipe, key, {
                "state": "done", "last_status": http_status, "record_id": record_id, "reason": reason, "etag": etag,
                "last_modified": last_modified, "payload_digest": payload_digest, "content_digest": content_digest,
                "warc_filename": warc.filename if warc else None, "warc_offset": warc.offset if warc else None,
                "warc_record_id": warc.record_id if warc else None, "last_seen": now, "warc_date": warc_date,
                "warc_target_uri": warc_target_uri, "last_checked": now, "retry_at": None,
            })
            if new_version:
                pipe.hincrby(key, "versions", 1)
            if warc is not None:
                pipe.sadd(self.frontier.key("warcurls", warc.filename), url)
            pipe.zrem(self.frontier.pending_key(source), url)
            pipe.zadd(self.frontier.key("done", source), {url: _epoch(now)})
            self._settle(pipe, url)

    def release(self, url: str, reason: str, http_status: int | None = None, retry_at: str | None = None) -> None:
        now = now_iso()
        key = self._key(url)
        source = self.db.hget(key, "source") or ""
        with self._write() as pipe:
            self._set(pipe, key, {"state": "pending", "reason": reason, "last_status": http_status, "last_seen": now,
                                  "retry_at": retry_at})
            pipe.zadd(self.frontier.pending_key(source), {url: _epoch(retry_at or now)})
            pipe.zadd(self.frontier.key("failures"), {url: _epoch(now)})
            self._settle(pipe, url)

    def requeue(self, url: str) -> None:
        key = self._key(url)
        row = self.db.hmget(key, "state", "source")
        if row[0] and row[0] != "done":
            with self._write() as pipe:
                pipe.hset(key, "state", "pending")
                pipe.hdel(key, "retry_at")
                pipe.zadd(self.frontier.pending_key(row[1] or ""), {url: _epoch(now_iso())})

    def mark_failed(self, url: str, reason: str, http_status: int | None = None) -> None:
        key = self._key(url)
        source = self.db.hget(key, "source") or ""
        with self._write() as pipe:
            self._set(pipe, key, {"state": "failed", "reason": reason, "last_status": http_status,
                                  "last_seen": now_iso()})
            pipe.zrem(self.frontier.pending_key(source), url)
            pipe.zadd(self.frontier.key("failures"), {url: _epoch(now_iso())})
            self._settle(pipe, url)

    def mark_done_many(self, urls: Iterable[tuple[str, str, WarcPointer | None]]) -> int:
        n = 0
        for url, rid, warc in urls:
            known = self.get(url)
            if known is None:
                continue
            if warc is None:
                if known.state != "done":
                    self.db.hset(self._key(url), mapping={"state": "done", "record_id": rid})
                    n += 1
                continue
            if known.state != "done" or known.record_warc_id != warc.record_id:
                with self._write() as pipe:
                    self._set(pipe, self._key(url), {
                        "state": "done", "record_id": rid, "warc_filename": warc.filename, "warc_offset": warc.offset,
                        "warc_record_id": warc.record_id, "etag": None, "last_modified": None,
                        "payload_digest": None, "content_digest": None, "last_checked": now_iso()})
                    pipe.zrem(self.frontier.pending_key(known.source), url)
                    pipe.zadd(self.frontier.key("done", known.source), {url: _epoch(now_iso())})
                    pipe.sadd(self.frontier.key("warcurls", warc.filename), url)
                n += 1
        return n

    def requeue_lost_captures(self, warc_filename: str, kept_size: int) -> int:
        """URLs whose stored capture lies at or past `kept_size` of `warc_filename` (cut or quarantined by a repair):
        back to pending, even when done. Returns how many."""
        n = 0
        for url in self.db.smembers(self.frontier.key("warcurls", warc_filename)):
            key = self._key(url)
            name, offset, source = self.db.hmget(key, "warc_filename", "warc_offset", "source")
            if name == warc_filename and offset is not None and int(offset) >= kept_size:
                with self._write() as pipe:
                    pipe.hset(key, mapping={"state": "pending", "reason": "capture-lost"})
                    pipe.hdel(key, "retry_at")
                    pipe.zadd(self.frontier.pending_key(source or ""), {url: _epoch(now_iso())})
                    pipe.zrem(self.frontier.key("done", source or ""), url)
                n += 1
        return n

    def failures_since(self, since: str, limit: int = 50) -> list[tuple[str, str, str, int | None]]:
        """(url, source, reason, last HTTP status) of URLs that failed (for good or for now) since `since`."""
        out = []
        for url in self.db.zrevrangebyscore(self.frontier.key("failures"), "+inf", _epoch(since), start=0,
                                            num=limit * 4):
            state, source, reason, status = self.db.hmget(self._key(url), "state", "source", "reason", "last_status")
            if reason and state in ("failed", "pending"):
                out.append((url, source, reason, int(status) if status else None))
            if len(out) >= limit:
                break
        return out

    # -- listings ---------------------------------------------------------------------------------------
    def _listing_key(self, url: str) -> str:
        return self.frontier.key("listing", url)

    def listing_complete(self, url: str) -> bool:
        return self.db.hget(self._listing_key(url), "complete") == "1"

    def listing_started(self, url: str, source: str, newest_article: str | None) -> None:
        values = {"url": url, "source": source, "walk_started": now_iso(), "complete": 0, "pages": 0}
        if newest_article:
            values["newest_article"] = newest_article
        with self._write() as pipe:
            pipe.hset(self._listing_key(url), mapping=values)
            pipe.hdel(self._listing_key(url), "stopped_reason")

    def listing_page(self, url: str, page: int) -> None:
        current = int(self.db.hget(self._listing_key(url), "pages") or 0)
        if page > current:
            self.db.hset(self._listing_key(url), "pages", page)

    def listing_finished(self, url: str, reason: str) -> None:
        self.db.hset(self._listing_key(url), mapping={"complete": 1, "walk_finished": now_iso(), "stopped_reason": reason})

    def listing(self, url: str) -> dict | None:
        row = self.db.hgetall(self._listing_key(url))
        if not row:
            return None
        for name in ("complete", "pages"):
            if name in row:
                row[name] = int(row[name])
        return row

    # -- validated WARC files (names carry the worker id, so one hash serves the cluster) ----------------
    def warc_file_valid(self, name: str, size: int) -> bool | None:
        raw = self.db.hget(self.frontier.key("warcfiles"), name)
        if raw is None:
            return None
        checked_size, valid = raw.split(":")
        return bool(int(valid)) if int(checked_size) == size else None

    def set_warc_file_valid(self, name: str, size: int, valid: bool) -> None:
        self.db.hset(self.frontier.key("warcfiles"), name, f"{size}:{int(valid)}")

    def counts(self, source: str | None = None) -> dict[str, int]:
        out: dict[str, int] = {}
        for key in self.db.scan_iter(match=self.frontier.url_key("*"), count=1000):
            state, src = self.db.hmget(key, "state", "source")
            if state and (source is None or src == source):
                out[state] = out.get(state, 0) + 1
        return out
