"""The frontier state rebuilt from the archive, which is the truth: WARC captures plus JSONL records.

A deleted, 0-byte or unreadable `frontier.sqlite` used to mean a silent full re-crawl (every article fetched and
written again). Instead, every JSONL record whose WARC pointer leads to an intact response (the record at that
offset reads back with that WARC-Record-ID) marks its URL done; nothing else is assumed (no pending or failed
URLs, no listing walks: the next run walks listings in full and fetches only what has no capture).
A damaged state file is never deleted: it is moved aside as `frontier.sqlite.damaged-<time>`.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from archive.fsutil import fsync_dir
from archive.jsonl import read_records
from archive.state import CrawlState
from archive.pointer import WarcPointer

logger = logging.getLogger(__name__)


@dataclass
class RebuildReport:
    reason: str  # why the state was rebuilt: "missing", "empty", "unreadable: ...", "requested"
    records: int = 0  # JSONL records read
    done: int = 0  # URLs marked done
    no_capture: int = 0  # records whose WARC capture is missing or damaged (their URLs are fetched again)
    moved_aside: Path | None = None

    def __str__(self) -> str:
        aside = f"; the old state is kept as {self.moved_aside.name}" if self.moved_aside else ""
        return (f"state {self.reason}: rebuilt from the archive, {self.done} URLs done from {self.records} records"
                f" ({self.no_capture} without an intact capture, fetched again){aside}")


def state_problem(path: Path) -> str | None:
    """Why the state database at `path` cannot be trusted, or None when it can."""
    if not path.exists():
        return "missing"
    if path.stat().st_size == 0:
        return "empty"
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            check = db.execute("PRAGMA quick_check").fetchone()
            if not check or check[0] != "ok":
                return f"unreadable: {check[0] if check else 'no answer'}"
            db.execute("SELECT COUNT(*) FROM urls").fetchone()
        finally:
            db.close()
    except sqlite3.Error as exc:
        return f"unreadable: {exc}"
    return None


def archive_present(out_dir: Path) -> bool:
    """Does `out_dir` hold archived records (so that a missing state would mean a re-crawl of all of them)?"""
    records = out_dir / "records"
    return any(p.stat().st_size > 0 for p in records.glob("*.jsonl")) if records.is_dir() else False


def move_state_aside(path: Path, label: str) -> Path | None:
    """Move the state file (and its WAL/SHM) out of the way, never deleting it; returns the new name."""
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    moved = None
    for suffix in ("", "-wal", "-shm", "-journal"):
        src = path.with_name(path.name + suffix)
        if src.exists():
            dst = path.with_name(f"{path.name}.{label}-{stamp}{suffix}")
            os.rename(src, dst)
            moved = moved or (dst if suffix == "" else None)
    fsync_dir(path.parent)
    return moved


def _capture_intact(warc_dir: Path, pointer: WarcPointer, sizes: dict[str, int]) -> bool:
    path = warc_dir / pointer.filename
    if pointer.filename not in sizes:
        sizes[pointer.filename] = path.stat().st_size if path.is_file() else -1
    if not 0 <= pointer.offset < sizes[pointer.filename]:
        return False
    try:
        with open(path, "rb") as fh:
            fh.seek(pointer.offset)
            for rec in ArchiveIterator(fh):
                if rec.rec_headers.get_header("WARC-Record-ID") != pointer.record_id:
                    return False
                rec.content_stream().read(1 << 16)  # reads into the record: a cut member fails here
                return rec.rec_type in ("response", "revisit")
    except Exception:  # noqa: BLE001 - any damage means "no intact capture"
        return False
    return False


def rebuild_state(out_dir: Path, state: CrawlState, key: Callable[[str], str], reason: str) -> RebuildReport:
    """Fill an empty `state` from `out_dir`'s JSONL records and WARCs (see module doc)."""
    report = RebuildReport(reason)
    warc_dir = out_dir / "warc"
    sizes: dict[str, int] = {}
    with state.transaction():
        for path in sorted((out_dir / "records").glob("*.jsonl")):  # names start with the run's time: oldest first
            for rec in read_records(path):
                report.records += 1
                warc = rec.get("warc") or None
                if not warc:
                    report.no_capture += 1
                    continue
                pointer = WarcPointer(warc["filename"], warc["offset"], warc["record_id"])
                if not _capture_intact(warc_dir, pointer, sizes):
                    report.no_capture += 1
                    continue
                url = key(rec["url"])
                state.discover(url, rec.get("source") or "?", rec["url"])
                state.mark_done(url, record_id=rec["id"], http_status=rec.get("http_status"), warc=pointer,
                                warc_target_uri=rec["url"])
                report.done += 1
    report.done = state.counts().get("done", 0)
    return report
