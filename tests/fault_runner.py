"""Run the real `policycrawl` command line in this process with faults injected or I/O traced (tests only).

    python -m tests.fault_runner crawl ...        # same arguments as `python -m crawler.cli`

Environment switches (any combination):
- POLICYCRAWL_TEST_TRACE=FILE: append one JSON line per `os.fsync` (path of the descriptor, its size at the
  fsync) and per SQL statement of the frontier database (SQLite's trace callback, bound values expanded) —
  the evidence tests/test_durability.py checks the fsync-before-acknowledge order against.
- POLICYCRAWL_TEST_SQLITE_FULL_AFTER=N: after N URLs were marked done, every further `state='done'` update and
  every INSERT fails with SQLite's own "database or disk is full" (SQLITE_FULL), as when the disk fills while
  SQLite needs a new page; small in-place updates (the run's end) still succeed, as they do on a real full disk.

- POLICYCRAWL_TEST_REBIND=HOST=FIRST,THEN: the process's resolver answers FIRST for HOST once, then THEN.
- POLICYCRAWL_TEST_MAXRSS=FILE: write the peak RSS (KiB) of this process or any child it waited for, at exit.
- POLICYCRAWL_TEST_MUTATION=NAME: switch off one step of the fsync-before-acknowledge order (see _mutate), so
  that the durability test can show it notices.

Only the process running the CLI is affected; spawned extraction workers import nothing from here.
"""

from __future__ import annotations

import builtins
import json
import os
import sqlite3
import sys
import threading


def _trace_to(path: str) -> None:
    lock = threading.Lock()
    out = open(path, "a", encoding="utf-8", buffering=1)  # noqa: SIM115 - lives as long as the process
    real_fsync = os.fsync

    def emit(event: dict) -> None:
        with lock:
            out.write(json.dumps(event, ensure_ascii=False) + "\n")

    def fsync(fd) -> None:
        fd = fd if isinstance(fd, int) else fd.fileno()
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            target = "?"
        size = os.fstat(fd).st_size
        real_fsync(fd)
        emit({"ev": "fsync", "path": target, "size": size})  # logged once the data IS durable

    os.fsync = fsync
    real_os_open = os.open
    real_open = builtins.open

    def os_open(path, flags, *args, **kwargs):
        new = bool(flags & os.O_CREAT) and not os.path.exists(path)
        fd = real_os_open(path, flags, *args, **kwargs)
        if new:
            emit({"ev": "create", "path": os.path.abspath(path)})
        return fd

    def open_(file, mode="r", *args, **kwargs):
        new = isinstance(file, (str, os.PathLike)) and any(c in mode for c in "wax") and not os.path.exists(file)
        fh = real_open(file, mode, *args, **kwargs)
        if new:
            emit({"ev": "create", "path": os.path.abspath(file)})
        return fh

    os.open = os_open
    builtins.open = open_
    real_connect = sqlite3.connect

    def connect(*args, **kwargs):
        db = real_connect(*args, **kwargs)
        db.set_trace_callback(lambda sql: emit({"ev": "sql", "sql": sql}))
        return db

    sqlite3.connect = connect


def _sqlite_full_after(n: int) -> None:
    real_connect = sqlite3.connect
    done = [0]

    class FullConnection(sqlite3.Connection):
        def execute(self, sql, *args):
            head = " ".join(sql.split())[:200].upper()
            marks_done = head.startswith("UPDATE URLS SET STATE='DONE'")
            if done[0] >= n and (marks_done or head.startswith("INSERT")):
                exc = sqlite3.OperationalError("database or disk is full")
                exc.sqlite_errorcode = 13
                exc.sqlite_errorname = "SQLITE_FULL"
                raise exc
            if marks_done:
                done[0] += 1
            return super().execute(sql, *args)

    def connect(*args, **kwargs):
        kwargs.setdefault("factory", FullConnection)
        return real_connect(*args, **kwargs)

    sqlite3.connect = connect


def _rebinding_resolver(spec: str) -> None:
    """"HOST=FIRST,THEN": the first lookup of HOST answers FIRST, every later one THEN (a rebinding DNS server)."""
    import socket

    host, _, answers = spec.partition("=")
    first, then = answers.split(",")
    calls = [0]
    real_gai, real_ghbn = socket.getaddrinfo, socket.gethostbyname

    def answer() -> str:
        calls[0] += 1
        return first if calls[0] == 1 else then

    def getaddrinfo(name, port, *args, **kwargs):
        if name == host:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answer(), port or 0))]
        return real_gai(name, port, *args, **kwargs)

    def gethostbyname(name):
        return answer() if name == host else real_ghbn(name)

    socket.getaddrinfo, socket.gethostbyname = getaddrinfo, gethostbyname


def _mutate(name: str) -> None:
    """Switch off one piece of the durability mechanism, to prove the trace check notices (never in real use)."""
    from crawler.commit import GroupCommit

    if name == "no-warc-fsync":  # WarcWriter.flush writes nothing to disk
        from archive.warc import WarcWriter

        WarcWriter.flush = lambda self, fsync=True: None
    elif name == "done-before-group-fsync":  # the pipeline marks the URL done itself, then waits for the group
        real_after = GroupCommit.after_durable

        async def after_durable(self, action):
            action()
            await real_after(self, lambda: None)

        GroupCommit.after_durable = after_durable
    elif name == "commit-before-fsync":  # the group's state transaction commits before the WARC/JSONL fsyncs
        real_flush = GroupCommit.flush

        def flush(self):
            pending = list(self._pending)
            with self.state.transaction():
                for action, _ in pending:
                    action()
            self._pending = [(lambda: None, future) for _, future in pending]
            real_flush(self)

        GroupCommit.flush = flush
    else:
        raise SystemExit(f"unknown mutation {name!r}")


def main() -> int:
    if os.environ.get("POLICYCRAWL_TEST_TRACE"):
        _trace_to(os.environ["POLICYCRAWL_TEST_TRACE"])
    if os.environ.get("POLICYCRAWL_TEST_SQLITE_FULL_AFTER"):
        _sqlite_full_after(int(os.environ["POLICYCRAWL_TEST_SQLITE_FULL_AFTER"]))
    if os.environ.get("POLICYCRAWL_TEST_REBIND"):
        _rebinding_resolver(os.environ["POLICYCRAWL_TEST_REBIND"])
    if os.environ.get("POLICYCRAWL_TEST_MUTATION"):
        _mutate(os.environ["POLICYCRAWL_TEST_MUTATION"])
    from crawler.cli import main as cli_main

    try:
        return cli_main(sys.argv[1:])
    finally:
        if os.environ.get("POLICYCRAWL_TEST_MAXRSS"):
            import resource

            with open(os.environ["POLICYCRAWL_TEST_MAXRSS"], "w") as fh:  # KiB, peak of this process or a child
                fh.write(str(max(resource.getrusage(who).ru_maxrss
                                 for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))))


if __name__ == "__main__":
    sys.exit(main())
