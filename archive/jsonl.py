"""JSONL record files: one UTF-8 JSON object per line, each line on disk before its URL counts as done."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path

from archive.fsutil import fsync_dir
from archive.pointer import ArchivedRecord

logger = logging.getLogger(__name__)


class JsonlWriter:
    """Appends records to one file per run. A line is written whole and fsynced before write() returns."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        repair_partial_line(path)
        existed = path.exists()
        self.path = path
        self._fh = open(path, "ab")
        if not existed:
            fsync_dir(path.parent)
        self.lines = 0

    def write(self, record, *, sync: bool = True) -> None:
        """record: an ArchivedRecord; a bare extractor record is written as one without a capture (warc null)."""
        if not isinstance(record, ArchivedRecord):
            record = ArchivedRecord(record)
        line = (record.to_json() + "\n").encode("utf-8")
        before = self._fh.tell()
        try:
            self._fh.write(line)
            self._fh.flush()
            if sync:
                os.fsync(self._fh.fileno())
        except BaseException:
            # Disk full (ENOSPC/EFBIG) can leave part of the line on disk: cut it, so that the file keeps
            # whole lines only even if this process lives on (a kill is handled by repair_partial_line).
            self._discard_buffer()
            try:
                os.ftruncate(self._fh.fileno(), before)
            except OSError:
                pass
            raise
        self.lines += 1

    def _discard_buffer(self) -> None:
        # A failed flush leaves the bytes in the BufferedWriter, which would retry them at close(): reopen raw.
        fd = os.dup(self._fh.fileno())
        try:
            self._fh.close()
        except OSError:
            pass
        self._fh = os.fdopen(fd, "ab")

    def sync(self) -> None:
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def close(self) -> None:
        if not self._fh.closed:
            self.sync()
            self._fh.close()


def repair_partial_line(path: Path) -> int:
    """Cut a line left half-written by a killed process; returns the number of bytes removed."""
    if not path.exists():
        return 0
    with open(path, "rb+") as fh:
        size = fh.seek(0, os.SEEK_END)
        if size == 0:
            return 0
        fh.seek(size - 1)
        if fh.read(1) == b"\n":
            return 0
        # Walk back to the previous newline; lines are small enough that a block-wise scan is plenty.
        pos = size
        while pos > 0:
            step = min(65536, pos)
            fh.seek(pos - step)
            block = fh.read(step)
            idx = block.rfind(b"\n")
            if idx >= 0:
                cut = pos - step + idx + 1
                break
            pos -= step
        else:
            cut = 0
        fh.truncate(cut)
        fh.flush()
        os.fsync(fh.fileno())
        return size - cut


def _damage(line: bytes) -> str | None:
    """Why a JSONL line is unusable, or None when it is a record."""
    try:
        obj = json.loads(line.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return f"invalid UTF-8 at byte {exc.start}"
    except ValueError as exc:
        return f"not JSON ({str(exc)[:80]})"
    if not isinstance(obj, dict) or not isinstance(obj.get("id"), str) or not isinstance(obj.get("url"), str):
        return "not a record (no id/url)"
    return None


def quarantine_damaged_lines(path: Path, quarantine: Path) -> list[int]:
    """Move unreadable lines (NUL-filled, invalid UTF-8, not JSON) of `path` to `quarantine/`; returns their numbers.

    The file is rewritten without them (atomically: a copy is fsynced, then renamed over it) and the damaged bytes
    are kept, one file per damaged line, so nothing is destroyed. Each one is logged with file and line number.
    """
    bad: list[int] = []
    with open(path, "rb") as fh:
        for number, line in enumerate(fh, 1):
            if line.strip() and _damage(line.rstrip(b"\n")) is not None:
                bad.append(number)
    if not bad:
        return []
    quarantine.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(path, "rb") as src, open(tmp, "wb") as dst:
        for number, line in enumerate(src, 1):
            if number in bad:
                reason = _damage(line.rstrip(b"\n"))
                kept = quarantine / f"{path.name}.line{number}"
                with open(kept, "wb") as q:
                    q.write(line)
                    q.flush()
                    os.fsync(q.fileno())
                logger.warning("%s: line %d is damaged (%s); moved to %s", path, number, reason, kept)
            else:
                dst.write(line)
        dst.flush()
        os.fsync(dst.fileno())
    fsync_dir(quarantine)
    os.replace(tmp, path)
    fsync_dir(path.parent)
    return bad


def read_records(path: Path) -> Iterator[dict]:
    """Every record of a JSONL file; a damaged line is skipped with a warning naming the file and line."""
    with open(path, "rb") as fh:
        for number, line in enumerate(fh, 1):
            line = line.rstrip(b"\n")
            if not line.strip():
                continue
            reason = _damage(line)
            if reason is not None:
                logger.warning("%s: line %d skipped: %s", path, number, reason)
                continue
            yield json.loads(line.decode("utf-8"))
