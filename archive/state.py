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

from archive.pointer import WarcPointer

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
-- One row per listing start URL: where its last pagination walk got to. A walk that did not finish (killed,
-- interrupted, out of budget) must not let the next run stop early at "only known articles": the pages
-- behind the stop were never read.
CREATE TABLE IF NOT EXISTS listings (
    url TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    walk_started TEXT,
    walk_finished TEXT,
    complete INTEGER NOT NULL DEFAULT 0,
    pages INTEGER NOT NULL DEFAULT 0,
    newest_article TEXT,            -- the watermark: first article link on page 1 at the last walk
    stopped_reason TEXT
);
-- WARC files checked end to end (archive.warc_check): only records in these may be the target of a revisit.
CREATE TABLE IF NOT EXISTS warc_files (
    name TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    valid INTEGER NOT NULL,
    checked TEXT NOT NULL
);
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

SCHEMA_VERSION = "3"
# Columns added after version 1; added in place to older databases (SQLite ALTER TABLE ADD COLUMN is cheap).
_URL_COLUMNS_V2 = {
    "seen_url": "TEXT",  # the URL as first found, before canonicalisation
    "warc_date": "TEXT",  # WARC-Date of the stored response: revisits carry it as WARC-Refers-To-Date
    "warc_target_uri": "TEXT",  # WARC-Target-URI of the stored response (differs from url after redirects)
    "last_checked": "TEXT",  # last time the URL was fetched (first capture or re-check)
    "versions": "INTEGER NOT NULL DEFAULT 0",  # JSONL records written for this URL
    # sha1 of the body after Content-Encoding is undone: servers that gzip with a timestamp send new bytes for
    # the same page every time, so the payload digest alone would call every re-check a change.
    "content_digest": "TEXT",
    # A pending URL that failed transiently is not fetched again before this time (ISO UTC; crawler/retry.py).
    "retry_at": "TEXT",
}


def now_iso() -> str:
    """The state's clock: ISO 8601 UTC to the second. Times are compared as text (retry_at, last_checked), so
    every writer and reader of the state uses this one."""
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
    record_warc_id: str | None = None
    warc_filename: str | None = None
    warc_offset: int | None = None
    warc_date: str | None = None
    warc_target_uri: str | None = None
    last_checked: str | None = None
    content_digest: str | None = None
    retry_at: str | None = None  # pending after a transient failure: not to be fetched before this (ISO UTC)

    @property
    def version_pointer(self) -> WarcPointer | None:
        if not (self.warc_filename and self.record_warc_id):
            return None
        return WarcPointer(self.warc_filename, self.warc_offset or 0, self.record_warc_id)


class CrawlState:
    """One SQLite database per output directory. Not thread-safe: the crawl uses it from the reactor thread."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode: a commit survives any crash of the process (kill -9 included) without an fsync of
        # its own; only a power cut can lose the last commits, and then the affected URLs are merely fetched
        # again and their JSONL lines recognised by the crashed-run reconciliation. FULL cost an fsync per
        # statement, the single largest cost of the crawl loop.
        self._db.execute("PRAGMA synchronous=NORMAL")
        # Every article is a few small commits; checkpoint the WAL at 1 MiB (not SQLite's 4 MiB) and cut it back
        # afterwards, so the log stays small next to the WARCs and a nearly full disk is met by a WARC write first.
        self._db.execute("PRAGMA wal_autocheckpoint=256")
        self._db.execute("PRAGMA journal_size_limit=4194304")
        self._db.executescript(_SCHEMA)
        have = {row[1] for row in self._db.execute("PRAGMA table_info(urls)")}
        for name, decl in _URL_COLUMNS_V2.items():
            if name not in have:
                self._db.execute(f"ALTER TABLE urls ADD COLUMN {name} {decl}")
        have_runs = {row[1] for row in self._db.execute("PRAGMA table_info(runs)")}
        if "reconciled" not in have_runs:
            # 1 once the run's JSONL lines were matched against the frontier (see unfinished_records_files).
            self._db.execute("ALTER TABLE runs ADD COLUMN reconciled INTEGER NOT NULL DEFAULT 0")
            self._db.execute("UPDATE runs SET reconciled=1 WHERE outcome='finished'")
        self._db.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))

    def close(self) -> None:
        self._db.close()

    def failures_since(self, since: str, limit: int = 50) -> list[tuple[str, str, str, int | None]]:
        """(url, source, reason, last HTTP status) of URLs that failed (for good or for now) since `since`."""
        return self._db.execute(
            "SELECT url, source, reason, last_status FROM urls WHERE reason IS NOT NULL AND state IN "
            "('failed', 'pending') AND last_seen >= ? ORDER BY last_seen DESC LIMIT ?", (since, limit),
        ).fetchall()

    # -- runs ---------------------------------------------------------------------------------------
    def begin_run(self, run_id: str, records_file: str) -> int:
        """Register a run; returns how many leases an earlier, killed run left behind (now pending again)."""
        with self._tx():
            cur = self._db.execute("UPDATE urls SET state='pending' WHERE state='leased'")
            requeued = cur.rowcount
            self._db.execute(
                "UPDATE runs SET outcome='crashed', finished=? WHERE finished IS NULL", (now_iso(),)
            )
            self._db.execute(
                "INSERT INTO runs (id, started, records_file) VALUES (?, ?, ?)", (run_id, now_iso(), records_file)
            )
        return requeued

    def finish_run(self, run_id: str, outcome: str, stats: dict) -> None:
        with self._tx():
            self._db.execute(
                "UPDATE runs SET finished=?, outcome=?, stats=? WHERE id=?",
                (now_iso(), outcome, json.dumps(stats, default=str, ensure_ascii=False), run_id),
            )

    def unfinished_records_files(self) -> list[str]:
        """JSONL files of runs that did not finish cleanly and were not reconciled yet, oldest first.

        Not only killed runs (finished IS NULL): a run stopped by a full disk may have written lines whose state
        commit failed (SQLite hit the full disk first) and still recorded its end as "out-of-space".
        """
        rows = self._db.execute(
            "SELECT records_file FROM runs WHERE reconciled=0 AND (finished IS NULL OR outcome IS NULL"
            " OR outcome!='finished') ORDER BY started"
        ).fetchall()
        return [r[0] for r in rows if r[0]]

    def mark_reconciled(self, records_file: str) -> None:
        self._db.execute("UPDATE runs SET reconciled=1 WHERE records_file=?", (records_file,))

    # -- frontier -----------------------------------------------------------------------------------
    def discover(self, url: str, source: str, seen_url: str | None = None) -> bool:
        """Remember a newly found article URL; True when it was not known before."""
        now = now_iso()
        cur = self._db.execute(
            "INSERT OR IGNORE INTO urls (url, source, state, first_seen, last_seen, seen_url) VALUES (?, ?, 'pending', ?, ?, ?)",
            (url, source, now, now, seen_url or url),
        )
        if cur.rowcount:
            return True
        self._db.execute("UPDATE urls SET last_seen=? WHERE url=?", (now, url))
        return False

    def get(self, url: str) -> UrlState | None:
        row = self._db.execute(
            "SELECT url, source, state, attempts, record_id, etag, last_modified, payload_digest, warc_record_id,"
            " warc_filename, warc_offset, warc_date, warc_target_uri, last_checked, content_digest, retry_at"
            " FROM urls WHERE url=?",
            (url,),
        ).fetchone()
        return UrlState(*row) if row else None

    def due_for_recheck(self, source: str, checked_before: str, limit: int) -> list[str]:
        """Archived URLs of `source` last fetched before `checked_before` (ISO UTC), oldest first."""
        rows = self._db.execute(
            "SELECT url FROM urls WHERE source=? AND state='done' AND warc_record_id IS NOT NULL"
            " AND COALESCE(last_checked, last_seen) < ? ORDER BY COALESCE(last_checked, last_seen) LIMIT ?",
            (source, checked_before, limit),
        ).fetchall()
        return [r[0] for r in rows]

    def mark_checked(self, url: str, http_status: int | None) -> None:
        """A re-check found the stored version unchanged (304, or the same payload digest)."""
        self._db.execute(
            "UPDATE urls SET last_checked=?, last_seen=?, last_status=? WHERE url=?", (now_iso(), now_iso(), http_status, url)
        )

    def lease(self, url: str) -> None:
        self._db.execute("UPDATE urls SET state='leased', attempts=attempts+1 WHERE url=?", (url,))

    def pending(self, source: str) -> Iterator[str]:
        """Pending URLs of `source` that are due (a transient failure's back-off over), oldest first."""
        rows = self._db.execute(
            "SELECT url FROM urls WHERE source=? AND state='pending' AND (retry_at IS NULL OR retry_at<=?)"
            " ORDER BY first_seen", (source, now_iso()),
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
        content_digest: str | None = None,
        reason: str | None = None,
        warc_date: str | None = None,
        warc_target_uri: str | None = None,
        new_version: bool = True,
    ) -> None:
        now = now_iso()
        self._db.execute(
            """UPDATE urls SET state='done', last_status=?, record_id=?, reason=?, etag=?, last_modified=?,
               payload_digest=?, content_digest=?, warc_filename=?, warc_offset=?, warc_record_id=?, last_seen=?,
               warc_date=?, warc_target_uri=?, last_checked=?, versions=versions+?, retry_at=NULL WHERE url=?""",
            (
                http_status,
                record_id,
                reason,
                etag,
                last_modified,
                payload_digest,
                content_digest,
                warc.filename if warc else None,
                warc.offset if warc else None,
                warc.record_id if warc else None,
                now,
                warc_date,
                warc_target_uri,
                now,
                int(new_version),
                url,
            ),
        )

    def release(self, url: str, reason: str, http_status: int | None = None, retry_at: str | None = None) -> None:
        """A transient failure (timeout, 503): back to pending, for a later run, not before `retry_at` (None: the
        next run)."""
        self._db.execute(
            "UPDATE urls SET state='pending', reason=?, last_status=?, last_seen=?, retry_at=? WHERE url=?",
            (reason, http_status, now_iso(), retry_at, url),
        )

    def requeue(self, url: str) -> None:
        """Back to pending, unless already done (a done URL's records are on disk by construction)."""
        self._db.execute("UPDATE urls SET state='pending', retry_at=NULL WHERE url=? AND state!='done'", (url,))

    def requeue_lost_captures(self, warc_filename: str, kept_size: int) -> int:
        """URLs whose stored capture lies at or past `kept_size` of `warc_filename` (cut or quarantined by a repair):
        back to pending, even when done. Returns how many."""
        with self._tx():
            return self._db.execute(
                "UPDATE urls SET state='pending', reason='capture-lost', retry_at=NULL WHERE warc_filename=? AND warc_offset>=?",
                (warc_filename, kept_size),
            ).rowcount

    def mark_failed(self, url: str, reason: str, http_status: int | None = None) -> None:
        self._db.execute(
            "UPDATE urls SET state='failed', reason=?, last_status=?, last_seen=? WHERE url=?",
            (reason, http_status, now_iso(), url),
        )

    def mark_done_many(self, urls: Iterable[tuple[str, str, WarcPointer | None]]) -> int:
        """Reconcile after a crash: (url, record_id, warc pointer) of JSONL lines whose state update was lost.

        A line is "lost" when its URL is not done, or is done with another (older) WARC record: a re-check
        that wrote its new version but was killed before the state moved on. The ETag and digest of the old
        version are cleared, since they no longer describe the stored version (the next re-check fetches in full).
        """
        n = 0
        with self._tx():
            for url, rid, warc in urls:
                if warc is None:
                    n += self._db.execute(
                        "UPDATE urls SET state='done', record_id=? WHERE url=? AND state!='done'", (rid, url)
                    ).rowcount
                    continue
                n += self._db.execute(
                    """UPDATE urls SET state='done', record_id=?, warc_filename=?, warc_offset=?, warc_record_id=?,
                       etag=NULL, last_modified=NULL, payload_digest=NULL, content_digest=NULL, last_checked=?
                       WHERE url=? AND (state!='done' OR warc_record_id IS NULL OR warc_record_id!=?)""",
                    (rid, warc.filename, warc.offset, warc.record_id, now_iso(), url, warc.record_id),
                ).rowcount
        return n

    # -- listings -----------------------------------------------------------------------------------
    def listing_complete(self, url: str) -> bool:
        """Did the last pagination walk of this listing finish? Only then may a run stop early at known pages."""
        row = self._db.execute("SELECT complete FROM listings WHERE url=?", (url,)).fetchone()
        return bool(row and row[0])

    def listing_started(self, url: str, source: str, newest_article: str | None) -> None:
        self._db.execute(
            """INSERT INTO listings (url, source, walk_started, complete, pages, newest_article) VALUES (?, ?, ?, 0, 0, ?)
               ON CONFLICT(url) DO UPDATE SET walk_started=excluded.walk_started, complete=0, pages=0,
               newest_article=COALESCE(excluded.newest_article, newest_article), stopped_reason=NULL""",
            (url, source, now_iso(), newest_article),
        )

    def listing_page(self, url: str, page: int) -> None:
        self._db.execute("UPDATE listings SET pages=MAX(pages, ?) WHERE url=?", (page, url))

    def listing_finished(self, url: str, reason: str) -> None:
        self._db.execute(
            "UPDATE listings SET complete=1, walk_finished=?, stopped_reason=? WHERE url=?", (now_iso(), reason, url)
        )

    def listing(self, url: str) -> dict | None:
        cur = self._db.execute("SELECT * FROM listings WHERE url=?", (url,))
        row = cur.fetchone()
        return dict(zip([c[0] for c in cur.description], row)) if row else None

    # -- validated WARC files -----------------------------------------------------------------------
    def warc_file_valid(self, name: str, size: int) -> bool | None:
        """True/False when `name` at this size was checked before, None when it never was."""
        row = self._db.execute("SELECT size, valid FROM warc_files WHERE name=?", (name,)).fetchone()
        if row is None or row[0] != size:
            return None
        return bool(row[1])

    def set_warc_file_valid(self, name: str, size: int, valid: bool) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO warc_files (name, size, valid, checked) VALUES (?, ?, ?, ?)",
            (name, size, int(valid), now_iso()),
        )

    def counts(self, source: str | None = None) -> dict[str, int]:
        if source is None:
            rows = self._db.execute("SELECT state, COUNT(*) FROM urls GROUP BY state").fetchall()
        else:
            rows = self._db.execute(
                "SELECT state, COUNT(*) FROM urls WHERE source=? GROUP BY state", (source,)
            ).fetchall()
        return dict(rows)

    def batch(self) -> _Transaction:
        """Group many small updates (the links of one listing page) into one commit; nests as a no-op."""
        return _Transaction(self._db)

    def _tx(self) -> _Transaction:
        return _Transaction(self._db)

    def transaction(self) -> _Transaction:
        """Group several updates into one commit (used by the crawl's group commit)."""
        return _Transaction(self._db)


class _Transaction:
    def __init__(self, db: sqlite3.Connection):
        self._db = db
        self._outer = False

    def __enter__(self) -> None:
        if self._db.in_transaction:  # inside a batch: the outer transaction commits
            return
        self._outer = True
        for attempt in range(50):
            try:
                self._db.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError:
                time.sleep(0.05 * (attempt + 1))
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type, *rest: object) -> None:
        if not self._outer:
            return
        if exc_type:
            self._db.execute("ROLLBACK")
            return
        try:
            self._db.execute("COMMIT")
        except sqlite3.Error:
            # SQLITE_FULL at COMMIT leaves the transaction open: every later statement would join it and never
            # commit. Roll back; the caller sees the error (the JSONL reconciliation restores what was lost).
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise
