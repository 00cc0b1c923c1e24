"""Politeness against real loopback servers: robots Crawl-delay applied, back-off on 429/503 and Retry-After,
one request at a time per host by default, a run budget per host, an identifying User-Agent."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from crawler import exitcodes
from tests.conftest import LOOPBACK_SETTINGS, run_policycrawl
from tests.hostile_servers import ListingSite, Server, profile_toml


def _crawl(profile: Path, out: Path, *extra: str):
    return run_policycrawl("crawl", "polite_site", "--sources", str(profile), "--out", str(out), "--allow-loopback",
                           *LOOPBACK_SETTINGS, *extra)


def _profile(tmp_path: Path, server: Server, **kw) -> Path:
    path = tmp_path / "polite.toml"
    path.write_text(profile_toml("polite_site", server.base, **kw), encoding="utf-8")
    return path


def test_crawl_delay_from_robots_is_applied_and_user_agent_names_the_operator(tmp_path: Path):
    site = ListingSite(3, 10, robots="User-agent: *\nCrawl-delay: 1\n")
    with Server(site) as server:
        result = _crawl(_profile(tmp_path, server, concurrency=1), tmp_path / "out",
                        "-s", "POLICYCRAWL_OPERATOR=https://ops.example.org/crawler")
        assert result.returncode == exitcodes.OK, result.stderr[-3000:]
        times = server.all_times()
        ua = server.request_headers["/a/1.html"]["user-agent"]
    assert len(times) == 5  # robots, listing, 3 articles
    gaps = [b - a for a, b in zip(times[1:], times[2:])]  # after robots.txt was read
    assert min(gaps) >= 0.95, gaps
    assert ua.startswith("policycrawl/") and "+https://ops.example.org/crawler" in ua
    assert "Crawl-delay for 127.0.0.1: 1.0s" in result.stderr


def test_one_request_at_a_time_per_host_by_default(tmp_path: Path):
    with Server(ListingSite(6, 10), latency=0.1) as server:
        # The profile's concurrency (1 unless it says otherwise) is the host's download slot.
        result = _crawl(_profile(tmp_path, server, concurrency=1), tmp_path / "out",
                        "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8")
        assert result.returncode == exitcodes.OK, result.stderr[-3000:]
        assert server.max_active == 1


class _Refusing(ListingSite):
    def __init__(self, status: int, retry_after: str | None):
        super().__init__(8, 10)
        self.status, self.retry_after = status, retry_after

    def __call__(self, handler):
        if handler.path.startswith("/a/"):
            headers = [("Retry-After", self.retry_after)] if self.retry_after else []
            return self.status, headers, b"slow down"
        return super().__call__(handler)


@pytest.mark.parametrize("status,retry_after", [(429, "2"), (503, None)])
def test_backoff_then_give_up_for_the_run(tmp_path: Path, status: int, retry_after: str | None):
    out = tmp_path / "out"
    with Server(_Refusing(status, retry_after)) as server:
        result = _crawl(_profile(tmp_path, server, concurrency=1), out, "-s", "POLICYCRAWL_BACKOFF_GIVE_UP=3",
                        "-s", "RETRY_TIMES=2")
        assert result.returncode == exitcodes.OK, result.stderr[-3000:]
        hits = sorted(t for path, ts in server.times.items() if path.startswith("/a/") for t in ts)
    # Three refusals, then the host is given up: no retry loop, the other articles are not even asked for.
    assert len(hits) == 3, hits
    gaps = [b - a for a, b in zip(hits, hits[1:])]
    assert gaps[0] >= (2 if retry_after else 1) * 0.95 and gaps[1] >= gaps[0] * 0.95, gaps
    assert "giving up on 127.0.0.1 for this run" in result.stderr
    assert "'policycrawl/politeness/hosts_given_up': 1" in result.stderr
    # Transient: every article stays pending for the next run, none is marked failed.
    db = sqlite3.connect(out / "state" / "frontier.sqlite")
    states = dict(db.execute("SELECT state, COUNT(*) FROM urls GROUP BY state").fetchall())
    db.close()
    assert states == {"pending": 8}, states


def test_host_budget_stops_a_trap(tmp_path: Path):
    with Server(ListingSite(30, 30)) as server:
        result = _crawl(_profile(tmp_path, server), tmp_path / "out", "-s", "POLICYCRAWL_HOST_BUDGET=6")
        assert result.returncode == exitcodes.OK, result.stderr[-3000:]
        assert sum(server.hits.values()) <= 6
    assert "trap?" in result.stderr and "'policycrawl/traps/host_budget'" in result.stderr
