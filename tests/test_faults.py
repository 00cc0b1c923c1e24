"""Issue 15's faults against real processes: group SIGTERM, SQLite failing first on a full disk, corrupt state.

Each test reproduces one fault with real processes, signals and files (ENOSPC by injection where a real full
disk cannot be arranged: tests/fault_runner.py) and checks the next run: nothing lost, nothing duplicated.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.crash_matrix import CRAWL_SETTINGS, audit, start_crawl
from crawler import exitcodes
from tests.hostile_servers import ListingSite, Server, profile_toml

REPO = Path(__file__).resolve().parent.parent


def _profile(tmp_path: Path, server: Server) -> Path:
    profile = tmp_path / "crash_site.toml"
    profile.write_text(profile_toml("crash_site", server.base, concurrency=8), encoding="utf-8")
    return profile


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:] if log.exists() else ""


def _logged(log: Path, out: Path) -> str:
    """What the runs said: stderr (the crawl.log we capture) and the log files under OUT/logs."""
    text = log.read_text(errors="replace") if log.exists() else ""
    return text + "".join(p.read_text(errors="replace") for p in sorted(out.rglob("*.log")))


def _told_the_user(log: Path, out: Path, text: str) -> None:
    """A start-up warning about the user's data: one line on stderr (the crawl.log we capture) even with the quiet
    terminal, and in the run's own log OUT/logs/<run>.log."""
    stderr_lines = [line for line in log.read_text(errors="replace").splitlines() if text in line]
    assert len(stderr_lines) == 1 and stderr_lines[0].startswith("policycrawl: WARNING: "), (text, _tail(log))
    run_logs = [p for p in sorted((out / "logs").glob("*.log")) if text in p.read_text(errors="replace")]
    assert len(run_logs) == 1, (text, sorted(p.name for p in (out / "logs").glob("*.log")))


def _states(out: Path) -> dict[str, int]:
    db = sqlite3.connect(out / "state" / "frontier.sqlite")
    try:
        return dict(db.execute("SELECT COALESCE(reason, state), COUNT(*) FROM urls GROUP BY 1"))
    finally:
        db.close()


def test_sigterm_to_the_process_group_loses_nothing(tmp_path: Path):
    """systemd's default: SIGTERM to every process of the unit, extraction workers included. Worker deaths
    during shutdown are not page failures; the rerun archives every article."""
    out, log, n = tmp_path / "out", tmp_path / "crawl.log", 300
    with Server(ListingSite(n, 100), latency=0.03) as server:
        profile = _profile(tmp_path, server)
        for _ in range(2):  # twice: each stop must leave nothing failed
            proc = start_crawl(profile, out, log)  # its own session: proc.pid is the process group id
            deadline = time.monotonic() + 90
            start = sum(server.article_hits().values())
            while sum(server.article_hits().values()) < start + 60 and time.monotonic() < deadline:
                time.sleep(0.01)
            subprocess.run(["kill", "-TERM", "--", f"-{proc.pid}"], check=True)
            assert proc.wait(60) == exitcodes.INTERRUPTED, _tail(log)
            failed = {k: v for k, v in _states(out).items() if k not in ("done", "pending", "leased")}
            assert not failed, (failed, _tail(log))
        final = start_crawl(profile, out, log)
        assert final.wait(240) == exitcodes.OK, _tail(log)
        report = audit(out, server, n)
    assert "extractor process died" not in log.read_text(errors="replace")
    assert report["missing"] == 0 and report["lines"] == n and report["duplicate_lines"] == 0, report


def test_large_non_article_page_does_not_flood_the_log(tmp_path: Path):
    """A 6.7 MB page that is no article is dropped; the log names it in one short line, without its body."""
    from tests.conftest import LOOPBACK_SETTINGS, run_policycrawl

    nav = "".join(f'<li><a href="/nav/{i}.html">栏目导航{i}</a></li>' for i in range(120_000)).encode()
    big = b'<html><head><meta charset="utf-8"><title>x</title></head><body><ul>' + nav + b"</ul></body></html>"
    assert len(big) > 6_000_000

    def respond(handler):
        if handler.path == "/list/1.html":
            return 200, [("Content-Type", "text/html; charset=utf-8")], (
                '<html><body><a href="/a/1.html">大页面</a></body></html>'.encode())
        if handler.path == "/a/1.html":
            return 200, [("Content-Type", "text/html; charset=utf-8")], big
        return 404, [], b""

    with Server(respond) as server:
        profile = _profile(tmp_path, server)
        proc = run_policycrawl("crawl", "crash_site", "--sources", str(profile), "--out", str(tmp_path / "out"),
                               "--allow-loopback", *LOOPBACK_SETTINGS, "-s", "LOG_LEVEL=DEBUG")
    assert proc.returncode == exitcodes.OK, proc.stderr[-2000:]
    assert server.hits["/a/1.html"] == 1
    logged = proc.stderr + "".join(p.read_text(errors="replace") for p in (tmp_path / "out").rglob("*.log"))
    assert "/a/1.html" in logged and "栏目导航" not in logged
    assert len(logged) < 200_000, len(logged)


def test_sqlite_full_first_leaves_no_duplicate_lines(tmp_path: Path):
    """The disk fills while SQLite needs a page (SQLITE_FULL injected after 30 done-marks): JSONL lines are on
    disk, their state commit failed, the run ends recorded as "out-of-space". The next run reconciles the state
    from those lines instead of fetching and writing them again."""
    out, log, n = tmp_path / "out", tmp_path / "crawl.log", 120
    with Server(ListingSite(n, 60), latency=0.01) as server:
        profile = _profile(tmp_path, server)
        env = {**os.environ, "PYTHONPATH": str(REPO), "POLICYCRAWL_TEST_SQLITE_FULL_AFTER": "30"}
        cmd = [sys.executable, "-m", "tests.fault_runner", "crawl", "crash_site", "--sources", str(profile),
               "--out", str(out), "--allow-loopback", *CRAWL_SETTINGS]
        with open(log, "ab") as err:
            first = subprocess.run(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=err, timeout=240)
        assert first.returncode == exitcodes.OUT_OF_SPACE, _tail(log)
        mid = audit(out, server, n)
        db = sqlite3.connect(out / "state" / "frontier.sqlite")
        done = db.execute("SELECT COUNT(*) FROM urls WHERE state='done'").fetchone()[0]
        outcome = db.execute("SELECT outcome FROM runs").fetchall()
        db.close()
        assert mid["lines"] > done, (mid, done)  # lines on disk whose state commit failed: the fault happened
        assert outcome == [("out-of-space",)], outcome
        hits_before = dict(server.article_hits())
        written = {json.loads(line)["url"].removeprefix(server.base)
                   for path in (out / "records").glob("*.jsonl") for line in path.read_text().splitlines()}

        resume = start_crawl(profile, out, log)
        assert resume.wait(240) == exitcodes.OK, _tail(log)
        report = audit(out, server, n)
    assert report["missing"] == 0 and report["lines"] == n and report["duplicate_lines"] == 0, report
    # Lines already written are not fetched again.
    refetched_written = [u for u, c in server.article_hits().items() if c > hits_before.get(u, 0) and u in written]
    assert refetched_written == [], refetched_written


def _run_traced(tmp_path: Path, profile: Path, out: Path, *extra: str, env: dict | None = None,
                timeout: float = 240) -> tuple[subprocess.CompletedProcess, int]:
    """The real CLI through tests/fault_runner.py; returns the process and its peak RSS in bytes."""
    rss = tmp_path / f"maxrss-{time.monotonic_ns()}"
    full_env = {**os.environ, "PYTHONPATH": str(REPO), "POLICYCRAWL_TEST_MAXRSS": str(rss), **(env or {})}
    proc = subprocess.run(
        [sys.executable, "-m", "tests.fault_runner", "crawl", "crash_site", "--sources", str(profile), "--out",
         str(out), "--allow-loopback", *CRAWL_SETTINGS, *extra],
        cwd=REPO, env=full_env, capture_output=True, text=True, timeout=timeout,
    )
    return proc, int(rss.read_text()) * 1024 if rss.exists() else -1


def test_endless_response_headers_are_cut_off_with_bounded_memory(tmp_path: Path):
    """A server that sends header lines forever: the response fails once it passes the header bounds, the
    crawl goes on with the other articles, memory stays small."""
    sent = {"bytes": 0}

    def respond(handler):
        if handler.path == "/list/1.html":
            body = '<html><body><a href="/a/1.html">一</a><a href="/a/2.html">二</a></body></html>'.encode()
            return 200, [("Content-Type", "text/html; charset=utf-8")], body
        if handler.path == "/a/2.html":
            return 200, [("Content-Type", "text/html; charset=utf-8")], __import__(
                "tests.hostile_servers", fromlist=["article_html"]).article_html(2)
        if handler.path != "/a/1.html":
            return 404, [], b""
        chunk = b"".join(b"X-Filler-%d: %s\r\n" % (i, b"v" * 60) for i in range(1000))
        try:
            handler.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n")
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                handler.wfile.write(chunk)
                sent["bytes"] += len(chunk)
        except OSError:
            pass
        handler.close_connection = True
        return None

    with Server(respond) as server:
        profile = _profile(tmp_path, server)
        t0 = time.monotonic()
        proc, rss = _run_traced(tmp_path, profile, tmp_path / "out", "-s", "RETRY_TIMES=2")
        took = time.monotonic() - t0
    assert proc.returncode == exitcodes.OK, proc.stderr[-2000:]
    assert "HeadersTooLarge" in proc.stderr or "header" in proc.stderr.lower()
    assert server.hits["/a/2.html"] == 1  # the crawl went on
    assert sent["bytes"] < 50_000_000, sent  # cut off early, not after the server's minute
    assert 0 < rss < 400 * 2**20, rss
    assert took < 50, took


def test_dns_rebinding_never_reaches_the_forbidden_address(tmp_path: Path):
    """The name answers a public address to the safety check and 127.0.0.2 (forbidden: no --allow-loopback)
    to every later lookup. The canary listening on 127.0.0.2 must never be contacted. No request can leave the
    machine: the public address is only ever the first answer, which is used by the check, not to connect."""
    canary_hits = []

    def canary(handler):
        canary_hits.append(handler.path)
        return 200, [("Content-Type", "text/plain")], b"metadata canary"

    with Server(canary, host="127.0.0.2") as server:
        base = f"http://rebind.test:{server.port}"
        profile = tmp_path / "crash_site.toml"
        profile.write_text(profile_toml("crash_site", base), encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": str(REPO), "POLICYCRAWL_TEST_REBIND": "rebind.test=93.184.216.34,127.0.0.2"}
        proc = subprocess.run(
            [sys.executable, "-m", "tests.fault_runner", "crawl", "crash_site", "--sources", str(profile), "--out",
             str(tmp_path / "out"), "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "RETRY_TIMES=0",
             "-s", "POLICYCRAWL_EXTRACT_WORKERS=1"],
            cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
        )
    assert canary_hits == [], canary_hits
    logged = proc.stderr + "".join(p.read_text(errors="replace") for p in (tmp_path / "out").rglob("*.log"))
    assert "refused" in logged and "127.0.0.2" in logged, logged[-2000:]


def test_damage_in_the_middle_of_an_open_warc_requeues_every_lost_capture(tmp_path: Path):
    """kill -9 leaves a .warc.gz.open; bytes in its middle are then destroyed. The repair keeps the part before
    the damage; every URL whose capture was after it goes back to pending and is fetched again, and no URL
    stays done with a pointer past the end of its file."""
    from benchmarks.crash_matrix import kill_when

    out, log, n = tmp_path / "out", tmp_path / "crawl.log", 200
    with Server(ListingSite(n, 100), latency=0.02) as server:
        profile = _profile(tmp_path, server)
        proc = start_crawl(profile, out, log)
        kill_when(proc, server, 120)
        opened = list((out / "warc").glob("*.warc.gz.open"))
        assert len(opened) == 1, opened
        size = opened[0].stat().st_size
        with open(opened[0], "r+b") as fh:  # destroy 4 KB in the middle
            fh.seek(size // 2)
            fh.write(b"\0" * 4096)
        resume = start_crawl(profile, out, log)
        assert resume.wait(240) == exitcodes.OK, _tail(log)
        report = audit(out, server, n)
    assert report["missing"] == 0 and report["invalid_warcs"] == 0, report
    _told_the_user(log, out, "archived captures did not survive the repair; fetching them again")
    db = sqlite3.connect(out / "state" / "frontier.sqlite")
    rows = db.execute("SELECT url, warc_filename, warc_offset FROM urls WHERE state='done'").fetchall()
    db.close()
    assert len(rows) == n
    for url, name, offset in rows:
        path = out / "warc" / name
        assert path.exists() and offset < path.stat().st_size, (url, name, offset)


def test_a_corrupt_jsonl_line_is_quarantined_and_the_run_goes_on(tmp_path: Path):
    """A killed run's JSONL gets one NUL-filled line and one with invalid UTF-8 in the middle: the next run moves
    both to records/quarantine/ with a warning naming file and line, and archives everything."""
    from benchmarks.crash_matrix import kill_when

    out, log, n = tmp_path / "out", tmp_path / "crawl.log", 150
    with Server(ListingSite(n, 50), latency=0.02) as server:
        profile = _profile(tmp_path, server)
        kill_when(start_crawl(profile, out, log), server, 60)
        [records] = list((out / "records").glob("*.jsonl"))
        lines = records.read_bytes().splitlines(keepends=True)
        assert len(lines) > 10
        lines[3] = b"\0" * (len(lines[3]) - 1) + b"\n"
        lines[7] = lines[7][:20] + b"\xff\xfe" + lines[7][22:]
        records.write_bytes(b"".join(lines))
        resume = start_crawl(profile, out, log)
        assert resume.wait(240) == exitcodes.OK, _tail(log)
        report = audit(out, server, n)
    _told_the_user(log, out, f"{records}: line 4 is damaged")
    _told_the_user(log, out, f"{records}: line 8 is damaged")
    assert sorted(p.name for p in (out / "records" / "quarantine").iterdir()) == [
        f"{records.name}.line4", f"{records.name}.line8"]
    assert report["missing"] == 0 and report["malformed_lines"] == 0 and report["duplicate_lines"] == 0, report
    # The two damaged lines' URLs were done before the damage: their records live on in the WARC's conversion
    # records (and in quarantine/); every other article has its line.
    assert report["lines"] == n - 2, report


def _crawl_then(tmp_path: Path, n: int, damage) -> tuple[dict, Server, Path, Path]:
    out, log = tmp_path / "out", tmp_path / "crawl.log"
    server = Server(ListingSite(n, 50), latency=0.01)
    server.__enter__()
    profile = _profile(tmp_path, server)
    assert start_crawl(profile, out, log).wait(240) == exitcodes.OK, _tail(log)
    hits = dict(server.article_hits())
    damage(out)
    return hits, server, profile, log


def test_state_deleted_zero_bytes_or_garbage_is_rebuilt_not_recrawled(tmp_path: Path):
    """frontier.sqlite deleted, cut to 0 bytes, or overwritten with garbage (then `policycrawl repair`): the
    next run fetches no archived article again and writes no duplicate line; the damaged file is kept aside."""
    from tests.conftest import run_policycrawl

    n = 60

    def delete(out):
        for p in (out / "state").glob("frontier.sqlite*"):
            p.unlink()

    def zero(out):
        (out / "state" / "frontier.sqlite").write_bytes(b"")

    def garbage(out):
        (out / "state" / "frontier.sqlite").write_bytes(b"\0garbage" * 4096)
        repaired = run_policycrawl("repair", "--out", str(out))
        assert repaired.returncode == 0, repaired.stderr
        assert f"{n} URLs done" in repaired.stderr, repaired.stderr

    for case, damage in (("deleted", delete), ("zero", zero), ("garbage", garbage)):
        sub = tmp_path / case
        sub.mkdir()
        hits, server, profile, log = _crawl_then(sub, n, damage)
        try:
            again = start_crawl(profile, sub / "out", log)
            assert again.wait(240) == exitcodes.OK, _tail(log)
            report = audit(sub / "out", server, n)
            refetched = sum(server.article_hits().values()) - sum(hits.values())
        finally:
            server.__exit__(None, None, None)
        assert refetched == 0, (case, refetched)
        assert report["lines"] == n and report["duplicate_lines"] == 0, (case, report)
        if case != "garbage":  # (garbage: `policycrawl repair` rebuilt it and said so, checked above)
            _told_the_user(log, sub / "out", f"state {'missing' if case == 'deleted' else 'empty'}: rebuilt from the archive")
        if case != "deleted":
            assert list((sub / "out" / "state").glob("frontier.sqlite.*-2*")), case


def _catches_sigterm(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    caught = int(next(line.split()[1] for line in status.splitlines() if line.startswith("SigCgt:")), 16)
    return bool(caught & (1 << (signal.SIGTERM - 1)))


def test_sigterm_during_start_up_exits_4_without_a_traceback(tmp_path: Path):
    """The signal arrives as soon as the process handles SIGTERM at all, long before Scrapy runs."""
    out, log = tmp_path / "out", tmp_path / "crawl.log"
    with Server(ListingSite(20, 10)) as server:
        profile = _profile(tmp_path, server)
        proc = start_crawl(profile, out, log)
        deadline = time.monotonic() + 30
        while not _catches_sigterm(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.001)
        os.kill(proc.pid, signal.SIGTERM)
        code = proc.wait(60)
    text = log.read_text(errors="replace")
    assert code == exitcodes.INTERRUPTED, text[-2000:]
    assert "Traceback" not in text, text[-2000:]


def test_stale_cdxj_partials_of_dead_processes_are_removed(tmp_path: Path):
    from archive.cdxj import ensure_indexes

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".x.cdxj.{dead.pid}.partial"
    live = tmp_path / f".y.cdxj.{os.getpid()}.partial"
    stale.write_text("half an index")
    live.write_text("being written")
    ensure_indexes(tmp_path)
    assert not stale.exists() and live.exists()


def test_an_article_redirecting_to_itself_is_not_fetched_every_run(tmp_path: Path):
    from tests.conftest import LOOPBACK_SETTINGS, run_policycrawl

    def respond(handler):
        if handler.path == "/list/1.html":
            return 200, [("Content-Type", "text/html; charset=utf-8")], (
                '<html><body><a href="/a/1.html">一</a><a href="/a/2.html">二</a></body></html>'.encode())
        if handler.path == "/a/1.html":
            return 301, [("Location", "/a/1.html")], b""
        if handler.path == "/a/2.html":
            from tests.hostile_servers import article_html
            return 200, [("Content-Type", "text/html; charset=utf-8")], article_html(2)
        return 404, [], b""

    out = tmp_path / "out"
    with Server(respond) as server:
        profile = _profile(tmp_path, server)
        for _ in range(2):
            proc = run_policycrawl("crawl", "crash_site", "--sources", str(profile), "--out", str(out),
                                   "--allow-loopback", *LOOPBACK_SETTINGS)
            assert proc.returncode == exitcodes.OK, proc.stderr[-2000:]
    assert server.hits["/a/1.html"] == 1, server.hits
    assert _states(out).get("redirect-loop") == 1, _states(out)


def test_a_bare_cr_in_a_response_header_is_archived_as_received(tmp_path: Path):
    """Twisted splits header lines at LF only, so `X-Odd: a<CR>b` reaches the archive; it is kept byte for byte."""
    from fastwarc.warc import ArchiveIterator as FastIterator
    from fastwarc.warc import WarcRecordType
    from warcio.archiveiterator import ArchiveIterator

    from tests.conftest import LOOPBACK_SETTINGS, run_policycrawl
    from tests.hostile_servers import article_html

    def respond(handler):
        if handler.path == "/a/1.html":
            return 200, [("Content-Type", "text/html; charset=utf-8"), ("X-Odd", "a\rb")], article_html(1)
        return 404, [], b""

    out = tmp_path / "out"
    with Server(respond) as server:
        proc = run_policycrawl("fetch", f"{server.base}/a/1.html", "--out", str(out), "--allow-loopback",
                               *LOOPBACK_SETTINGS)
    assert proc.returncode == exitcodes.OK, proc.stderr[-2000:]
    assert len((out / "records").glob("*.jsonl").__next__().read_text().splitlines()) == 1
    (warc,) = (out / "warc").glob("*.warc.gz")
    with warc.open("rb") as fh:
        odd = [r.http_headers.get_header("X-Odd") for r in ArchiveIterator(fh)
               if r.rec_type == "response" and r.rec_headers.get_header("WARC-Target-URI").endswith("/a/1.html")]
    assert odd == ["a\rb"]
    with warc.open("rb") as fh:
        for rec in FastIterator(fh, parse_http=False, record_types=WarcRecordType.response):
            assert rec.verify_block_digest()
