"""Durable file operations: atomic replace, directory fsync, append-and-sync, and the single-run lock."""

from __future__ import annotations

import errno
import fcntl
import os
import re
import sqlite3
from pathlib import Path

# Names of files we create are built from these characters only, so a hostile URL or source id can never
# steer a write outside the output directory.
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(part: str, max_len: int = 80) -> str:
    cleaned = _SAFE_NAME.sub("_", part).strip("._") or "x"
    return cleaned[:max_len]


def confined(directory: Path, name: str) -> Path:
    """Join a file name onto a directory, refusing anything that would escape it."""
    path = (directory / name).resolve()
    if path.parent != directory.resolve():
        raise ValueError(f"refusing to write {name!r} outside {directory}")
    return path


def fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write a whole file so that readers see either the old or the new content, even after a crash."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)


# SQLite reports ENOSPC as SQLITE_FULL and EFBIG/EDQUOT (file size limit, quota) as SQLITE_IOERR_WRITE.
_SQLITE_OUT_OF_SPACE = {"SQLITE_FULL", "SQLITE_IOERR_WRITE"}


def is_out_of_space(exc: BaseException) -> bool:
    """A write failed because the disk (or a quota, or the file size limit) is full."""
    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
    if isinstance(exc, sqlite3.Error):
        return getattr(exc, "sqlite_errorname", None) in _SQLITE_OUT_OF_SPACE
    return False


class LockedError(RuntimeError):
    """Another run holds the state directory."""


class RunLock:
    """An advisory lock on the state directory: two runs on the same state must never interleave."""

    def __init__(self, state_dir: Path):
        self.path = state_dir / "run.lock"
        self._fd: int | None = None

    def acquire(self) -> RunLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
            os.close(fd)
            raise LockedError(
                f"another policycrawl run (pid {holder or '?'}) is using {self.path.parent}; "
                "wait for it to finish or use a different --out"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
