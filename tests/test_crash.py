"""Crash safety against real processes and real signals: kill -9, SIGTERM twice, a full disk.

After each, the next run must leave: every article in a valid WARC, at most POLICYCRAWL_MAX_IN_FLIGHT
re-fetches per crash, no duplicate or malformed JSONL line. The 20-seed matrix of independent kills is
`python -m benchmarks.crash_matrix` (or POLICYCRAWL_LONG_TESTS=1 here).
"""

from __future__ import annotations

import os
import random
import resource
import signal
import time
from pathlib import Path

import pytest

from benchmarks.crash_matrix import MAX_IN_FLIGHT, audit, kill_when, run_seed, start_crawl
from crawler import exitcodes
from tests.hostile_servers import ListingSite, Server, profile_toml

N = 1000


def _site_profile(tmp_path: Path, server: Server) -> Path:
    profile = tmp_path / "crash_site.toml"
    profile.write_text(profile_toml("crash_site", server.base, concurrency=8), encoding="utf-8")
    return profile


def _log_tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:] if log.exists() else ""


def test_kill9_at_five_random_points_then_resume(tmp_path: Path):
    """Five seeds, each one kill -9 of the same output directory at a random point (a crash of a resumed run
    included), then a run to the end: nothing missing, at most MAX_IN_FLIGHT re-fetches per kill."""
    out, log = tmp_path / "out", tmp_path / "crawl.log"
    with Server(ListingSite(N, 100), latency=0.05) as server:
        profile = _site_profile(tmp_path, server)
        fetched = 0
        for seed in range(5):
            rng = random.Random(seed)
            proc = start_crawl(profile, out, log)
            target = fetched + rng.randint(1, (N - fetched) // 4)
            fetched = kill_when(proc, server, target)
            assert proc.returncode == -signal.SIGKILL, _log_tail(log)
            # Each earlier kill may cost up to MAX_IN_FLIGHT re-fetches. Counted cumulatively: a run killed
            # early may not have re-fetched everything the kill before it left in flight.
            refetched = sum(n - 1 for n in server.article_hits().values() if n > 1)
            assert refetched <= MAX_IN_FLIGHT * seed, f"after kill {seed}: {refetched} re-fetches"
        final = start_crawl(profile, out, log)
        assert final.wait(240) == exitcodes.OK, _log_tail(log)
        report = audit(out, server, N)
    assert report["missing"] == 0, report
    assert report["refetched"] <= 5 * MAX_IN_FLIGHT, report
    assert report["lines"] == N and report["duplicate_lines"] == 0 and report["malformed_lines"] == 0, report
    assert report["invalid_warcs"] == 0 and report["open_files"] == 0, report


def test_sigterm_twice_exits_interrupted_with_valid_files_and_resumes(tmp_path: Path):
    out, log = tmp_path / "out", tmp_path / "crawl.log"
    n = 400
    with Server(ListingSite(n, 100), latency=0.05) as server:
        profile = _site_profile(tmp_path, server)
        proc = start_crawl(profile, out, log)
        deadline = time.monotonic() + 60
        while sum(server.article_hits().values()) < 100 and time.monotonic() < deadline:
            time.sleep(0.01)
        proc.send_signal(signal.SIGTERM)
        time.sleep(0.1)
        proc.send_signal(signal.SIGTERM)
        t0 = time.monotonic()
        assert proc.wait(60) == exitcodes.INTERRUPTED, _log_tail(log)
        assert time.monotonic() - t0 < 30
        assert "interrupted" in _log_tail(log)
        # Files valid as they are, before any repair by a next run.
        mid = audit(out, server, n)
        assert mid["invalid_warcs"] == 0 and mid["open_files"] == 0 and mid["malformed_lines"] == 0, mid
        assert 0 < mid["lines"] < n

        resume = start_crawl(profile, out, log)
        assert resume.wait(240) == exitcodes.OK, _log_tail(log)
        report = audit(out, server, n)
    assert report["missing"] == 0 and report["lines"] == n and report["duplicate_lines"] == 0, report
    assert report["refetched"] <= MAX_IN_FLIGHT, report
    assert report["invalid_warcs"] == 0 and report["open_files"] == 0, report


def _limit_file_size(limit: int):
    def preexec() -> None:
        # SIGXFSZ would kill the process; ignored, writes past the limit fail with EFBIG instead.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return preexec


class _BigSite(ListingSite):
    """Articles padded with incompressible text, so the WARC outgrows the file size limit quickly."""

    def __call__(self, handler):
        status, headers, body = super().__call__(handler)
        if handler.path.startswith("/a/") and status == 200:
            pad = random.Random(handler.path).randbytes(20_000).hex()
            body = body.replace(b"</article>", f"<!-- {pad} --></article>".encode())
        return status, headers, body


def test_disk_full_stops_with_code_5_and_resumes_when_space_is_back(tmp_path: Path):
    out, log = tmp_path / "out", tmp_path / "crawl.log"
    n, limit = 150, 2_000_000
    with Server(_BigSite(n, 50), latency=0.01) as server:
        profile = _site_profile(tmp_path, server)
        proc = start_crawl(profile, out, log, preexec_fn=_limit_file_size(limit))
        assert proc.wait(120) == exitcodes.OUT_OF_SPACE, _log_tail(log)
        assert "disk full" in log.read_text(errors="replace")
        mid = audit(out, server, n)
        assert mid["invalid_warcs"] == 0 and mid["malformed_lines"] == 0, mid
        assert 0 < mid["lines"] < n and mid["missing"] > 0
        # Stopped within one record: after the failed write nothing more was archived.
        assert all(p.stat().st_size <= limit for p in (out / "warc").iterdir() if p.is_file())

        resume = start_crawl(profile, out, log)
        assert resume.wait(240) == exitcodes.OK, _log_tail(log)
        report = audit(out, server, n)
    assert report["missing"] == 0 and report["lines"] == n and report["duplicate_lines"] == 0, report
    assert report["invalid_warcs"] == 0 and report["open_files"] == 0, report


@pytest.mark.skipif(not os.environ.get("POLICYCRAWL_LONG_TESTS"), reason="long: set POLICYCRAWL_LONG_TESTS=1")
@pytest.mark.parametrize("seed", range(20))
def test_crash_matrix_independent_seeds(seed: int, tmp_path: Path):
    result = run_seed(seed, tmp_path)
    assert result.ok, result
