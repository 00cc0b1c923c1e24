"""The crawl frontier and memory of past runs, in SQLite (WAL): which article URLs are pending, leased or done.

A URL moves pending → leased (a request for it is in flight) → done (its WARC records and JSONL line are on
disk) or failed. Leases left behind by a killed run go back to pending on the next start, so a crash costs
at most the pages that were in flight. Seen URLs live here, not in a Python set, so memory stays flat.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from extractors.record import WarcPointer

_SCHEMA = """
CREATE TABLE IF NOT EXISTS urls (
    url TEXT PRIMARY KEY,           -- canonical URL
    source TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'leased', 'done', 'failed')),
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_status INTEGER,
    reason TEXT,
    etag TEXT,
    last_modified TEXT,
    payload_digest TEXT,
    record_id TEXT,
    warc_filename TEXT,
    warc_offset INTEGER,
    warc_record_id TEXT
);
CREATE INDEX IF NOT EXISTS urls_state ON urls (source, state);
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    started TEXT NOT NULL,
    finished TEXT,
    outcome TEXT,
    records_file TEXT,
    stats TEXT
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""

SCHEMA_VERSION = "1"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class UrlState:
    url: str
    source: str
    state: str
    attempts: int
    record_id: str | None
    etag: str | None
    last_modified: str | None
    payload_digest: str | None


class CrawlState:
    """One SQLite database per output directory. Not thread-safe: the crawl uses it from the reactor thread."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        # FULL: a URL marked done must stay done after a power cut, since its JSONL line is already written.
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)
        self._db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))

    def close(self) -> None:
        self._db.close()

    # -- runs ---------------------------------------------------------------------------------------
    def begin_run(self, run_id: str, records_file: str) -> int:
        """Register a run; returns how many leases an earlier, killed run left behind (now pending again)."""
        with self._tx():
            cur = self._db.execute("UPDATE urls SET state='pending' WHERE state='leased'")
            requeued = cur.rowcount
            self._db.execute(
                "UPDATE runs SET outcome='crashed', finished=? WHERE finished IS NULL", (_now(),)
            )
            self._db.execute(
                "INSERT INTO runs (id, started, records_file) VALUES (?, ?, ?)", (run_id, _now(), records_file)
            )
        return requeued

    def finish_run(self, run_id: str, outcome: str, stats: dict) -> None:
        with self._tx():
            self._db.execute(
                "UPDATE runs SET finished=?, outcome=?, stats=? WHERE id=?",
                (_now(), outcome, json.dumps(stats, default=str, ensure_ascii=False), run_id),
            )

    def unfinished_records_files(self) -> list[str]:
        rows = self._db.execute(
            "SELECT records_file FROM runs WHERE finished IS NULL"
        ).fetchall()
        return [r[0] for r in rows if r[0]]

    # -- frontier -----------------------------------------------------------------------------------
    def discover(self, url: str, source: str) -> bool:
        """Remember a newly found article URL; True when it was not known before."""
        now = _now()
        cur = self._db.execute(
            "INSERT OR IGNORE INTO urls (url, source, state, first_seen, last_seen) VALUES (?, ?, 'pending', ?, ?)",
            (url, source, now, now),
        )
        if cur.rowcount:
            return True
        self._db.execute("UPDATE urls SET last_seen=? WHERE url=?", (now, url))
        return False

    def get(self, url: str) -> UrlState | None:
        row = self._db.execute(
            "SELECT url, source, state, attempts, record_id, etag, last_modified, payload_digest FROM urls WHERE url=?",
            (url,),
        ).fetchone()
        return UrlState(*row) if row else None

    def lease(self, url: str) -> None:
        self._db.execute("UPDATE urls SET state='leased', attempts=attempts+1 WHERE url=?", (url,))

    def pending(self, source: str) -> Iterator[str]:
        rows = self._db.execute(
            "SELECT url FROM urls WHERE source=? AND state='pending' ORDER BY first_seen", (source,)
        ).fetchall()
        return (r[0] for r in rows)

    def mark_done(
        self,
        url: str,
        *,
        record_id: str | None,
        http_status: int | None,
        warc: WarcPointer | None,
        etag: str | None = None,
        last_modified: str | None = None,
        payload_digest: str | None = None,
        reason: str | None = None,
    ) -> None:
        self._db.execute(
            """UPDATE urls SET state='done', last_status=?, record_id=?, reason=?, etag=?, last_modified=?,
               payload_digest=?, warc_filename=?, warc_offset=?, warc_record_id=?, last_seen=? WHERE url=?""",
            (
                http_status,
                record_id,
                reason,
                etag,
                last_modified,
                payload_digest,
                warc.filename if warc else None,
                warc.offset if warc else None,
                warc.record_id if warc else None,
                _now(),
                url,
            ),
        )

    def mark_failed(self, url: str, reason: str, http_status: int | None = None) -> None:
        self._db.execute(
            "UPDATE urls SET state='failed', reason=?, last_status=?, last_seen=? WHERE url=?",
            (reason, http_status, _now(), url),
        )

    def mark_done_many(self, urls: Iterable[tuple[str, str]]) -> int:
        """Reconcile after a crash: (url, record_id) pairs whose JSONL line exists but whose state was lost."""
        n = 0
        with self._tx():
            for url, rid in urls:
                n += self._db.execute(
                    "UPDATE urls SET state='done', record_id=? WHERE url=? AND state!='done'", (rid, url)
                ).rowcount
        return n

    def counts(self, source: str | None = None) -> dict[str, int]:
        if source is None:
            rows = self._db.execute("SELECT state, COUNT(*) FROM urls GROUP BY state").fetchall()
        else:
            rows = self._db.execute(
                "SELECT state, COUNT(*) FROM urls WHERE source=? GROUP BY state", (source,)
            ).fetchall()
        return dict(rows)

    def _tx(self) -> _Transaction:
        return _Transaction(self._db)


class _Transaction:
    def __init__(self, db: sqlite3.Connection):
        self._db = db

    def __enter__(self) -> None:
        for attempt in range(50):
            try:
                self._db.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError:
                time.sleep(0.05 * (attempt + 1))
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type, *rest: object) -> None:
        self._db.execute("ROLLBACK" if exc_type else "COMMIT")
