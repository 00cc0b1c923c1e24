"""Extraction runs in worker processes with a time limit: a hanging or dying extractor costs one page."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

from archive.state import CrawlState
from crawler import exitcodes
from crawler.pool import ExtractionPool
from extractors import SourceInfo
from tests.conftest import LOOPBACK_SETTINGS, run_policycrawl
from tests.hostile_servers import ListingSite, Server, profile_toml
from tests.slow_extractor import crash, hang

PAGE = "<html><head><title>测试</title></head><body><article>" + "<p>深圳发布支持低空经济发展的若干措施，鼓励企业开展无人机物流试点。</p>" * 5 + "</article></body></html>"


def _run(pool: ExtractionPool, body: bytes = PAGE.encode()):
    return pool.extract(body, "http://127.0.0.1/a/1.html", (("Content-Type", "text/html; charset=utf-8"),),
                        source=SourceInfo(id="t"), fetched_at="2024-01-01T00:00:00Z", http_status=200)


def test_hanging_extractor_is_killed_and_recorded_as_timeout():
    pool = ExtractionPool(workers=1, timeout=1.0, func=hang)
    try:
        started = time.monotonic()
        record = asyncio.run(_run(pool))
        assert record.status == "timeout" and "1.0s" in record.status_detail
        assert time.monotonic() - started < 30
    finally:
        pool.close()


def test_dying_extractor_is_an_error_record_and_the_pool_goes_on():
    pool = ExtractionPool(workers=1, timeout=30, func=crash)
    try:
        assert asyncio.run(_run(pool)).status == "error"
        pool.func = __import__("extractors").extract
        record = asyncio.run(_run(pool))
        assert record.status == "ok" and "低空经济" in record.text
    finally:
        pool.close()


def test_extractions_run_in_parallel_off_the_event_loop():
    from tests.slow_extractor import sleepy

    pool = ExtractionPool(workers=2, timeout=30, func=sleepy)

    async def scenario():
        await asyncio.gather(_run(pool), _run(pool))  # warm both workers up
        ticks = 0

        async def ticker():
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        tick_task = asyncio.create_task(ticker())
        started = time.monotonic()
        records = await asyncio.gather(_run(pool), _run(pool))
        elapsed = time.monotonic() - started
        tick_task.cancel()
        return records, elapsed, ticks

    try:
        records, elapsed, ticks = asyncio.run(scenario())
    finally:
        pool.close()
    assert [r.status for r in records] == ["ok", "ok"]
    assert elapsed < 1.8  # two one-second pages on two processes overlap
    assert ticks > 50  # the event loop kept running while pages were extracted


def test_crawl_survives_a_hanging_and_a_dying_extractor(tmp_path: Path):
    out = tmp_path / "out"
    with Server(ListingSite(6, 10)) as server:
        profile = tmp_path / "site.toml"
        profile.write_text(profile_toml("pool_site", server.base), encoding="utf-8")
        t0 = time.monotonic()
        result = run_policycrawl(
            "crawl", "pool_site", "--sources", str(profile), "--out", str(out), "--allow-loopback",
            *LOOPBACK_SETTINGS, "-s", "POLICYCRAWL_EXTRACTOR=tests.slow_extractor:hangs_on_article_2",
            # 10 s, not less: the worker replacing the dead one needs seconds for spawn and imports under load
            "-s", "POLICYCRAWL_EXTRACT_TIMEOUT=10", timeout=120,
        )
        elapsed = time.monotonic() - t0
    assert result.returncode == exitcodes.OK, result.stderr[-3000:]
    assert elapsed < 60  # bounded by the 10 s limit, not by the hour-long sleep
    lines = [json.loads(line) for f in (out / "records").glob("*.jsonl") for line in f.read_text("utf-8").splitlines()]
    assert sorted(line["url"].rsplit("/", 1)[1] for line in lines) == ["1.html", "4.html", "5.html", "6.html"]
    assert "policycrawl/source/pool_site/failures/extract-timeout': 1" in result.stderr
    assert "policycrawl/source/pool_site/failures/extract-error': 1" in result.stderr
    state = CrawlState(out / "state" / "frontier.sqlite")
    try:
        hung, died = state.get(f"{server.base}/a/2.html"), state.get(f"{server.base}/a/3.html")
        # Pending, not failed: a later run tries them once more (tests/test_retry.py), then they fail for good.
        assert (hung.state, died.state) == ("pending", "pending")
    finally:
        state.close()


def test_extractor_setting_must_name_a_function(tmp_path: Path):
    result = run_policycrawl("crawl", "--start", "http://127.0.0.1:9/", "--follow", "x", "--out", str(tmp_path / "o"),
                             "--allow-loopback", "-s", "POLICYCRAWL_EXTRACTOR=extractors.extract", timeout=60)
    assert result.returncode == exitcodes.FATAL
    assert "POLICYCRAWL_EXTRACTOR" in result.stderr


def test_extract_command_uses_the_crawls_pool_settings(tmp_path: Path):
    """`policycrawl extract` runs POLICYCRAWL_EXTRACTOR in the crawl's pool: the page that hangs it is killed after
    POLICYCRAWL_EXTRACT_TIMEOUT and counted as a timeout, the page that kills its worker as an error, the rest is
    written (in archive order)."""
    from tests.test_extract_hostile import _good_warc

    warc = _good_warc(tmp_path / "warc", n=5)
    out = tmp_path / "re.jsonl"
    t0 = time.monotonic()
    result = run_policycrawl(
        "extract", str(warc), "-o", str(out), "--workers", "2",
        # 10 s: the worker that replaces the dead one spends seconds on spawn and first-page imports on a loaded
        # machine, and a page must not time out for that
        "-s", "POLICYCRAWL_EXTRACTOR=tests.slow_extractor:hangs_on_article_2", "-s", "POLICYCRAWL_EXTRACT_TIMEOUT=10",
        timeout=120,
    )
    elapsed = time.monotonic() - t0
    assert result.returncode == exitcodes.OK, result.stderr[-3000:]
    assert elapsed < 60  # bounded by the 10 s limit, not by the hour-long sleep
    lines = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [line["url"].rsplit("/", 1)[1] for line in lines] == ["1.html", "4.html", "5.html"], result.stderr
    assert all(line["warc"]["filename"] == warc.name for line in lines)
    assert "3 records written" in result.stderr and "error 1, timeout 1" in result.stderr, result.stderr
    assert "/a/2.html: extractor exceeded 10.0s" in result.stderr
    assert "/a/3.html: extractor process died" in result.stderr


def test_extract_command_refuses_an_extractor_that_is_no_function(tmp_path: Path):
    from tests.test_extract_hostile import _good_warc

    warc = _good_warc(tmp_path / "warc", n=1)
    result = run_policycrawl("extract", str(warc), "-o", str(tmp_path / "re.jsonl"),
                             "-s", "POLICYCRAWL_EXTRACTOR=extractors.extract", timeout=60)
    assert result.returncode == exitcodes.USAGE
    assert "POLICYCRAWL_EXTRACTOR" in result.stderr and not (tmp_path / "re.jsonl").exists()
