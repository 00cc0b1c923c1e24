"""Scheduled incremental runs on one output directory: re-checks with revisits, new versions, per-listing
watermarks, and every exit code of `policycrawl crawl`."""

from __future__ import annotations

import json
import time
from pathlib import Path

import jsonschema
from warcio.archiveiterator import ArchiveIterator

from archive.state import CrawlState
from archive.warc_check import check_warc
from crawler import exitcodes
from tests.conftest import LOOPBACK_SETTINGS, REPO, run_policycrawl
from tests.hostile_servers import ListingSite, Server, mux, profile_toml

SCHEMA = json.loads((REPO / "archive/schema/record.schema.json").read_text())


def _profile(tmp_path: Path, base: str, **options) -> Path:
    profile = tmp_path / "inc.toml"
    profile.write_text(profile_toml("inc_site", base, **options), encoding="utf-8")
    return profile


def _crawl(profile: Path, out: Path, *extra: str):
    return run_policycrawl("crawl", "inc_site", "--sources", str(profile), "--out", str(out), "--allow-loopback",
                           *LOOPBACK_SETTINGS, "-s", "RETRY_TIMES=0", *extra)


def _lines(out: Path) -> list[dict]:
    files = sorted((out / "records").glob("*.jsonl"))
    return [json.loads(line) for f in files for line in f.read_text("utf-8").splitlines()]


def _warc_records(out: Path) -> list[tuple[str, dict, str | None]]:
    records = []
    for path in sorted((out / "warc").glob("*.warc.gz")):
        with open(path, "rb") as fh:
            for rec in ArchiveIterator(fh):
                status = rec.http_headers.get_statuscode() if rec.http_headers else None
                records.append((rec.rec_type, dict(rec.rec_headers.headers), status))
    return records


def test_recheck_writes_revisits_for_unchanged_and_new_versions_for_changed(tmp_path: Path):
    out = tmp_path / "out"
    site = ListingSite(6, 10, etag={1, 2, 3})  # 1-3 answer If-None-Match with 304; 4-6 have no validators
    with Server(site) as server:
        profile = _profile(tmp_path, server.base)
        first = _crawl(profile, out)
        assert first.returncode == exitcodes.OK, first.stderr[-3000:]
        v1 = {line["url"]: line for line in _lines(out)}
        assert len(v1) == 6

        # Re-check disabled (0): a second run fetches no article at all.
        again = _crawl(profile, out, "-s", "POLICYCRAWL_RECHECK_AFTER=0")
        assert again.returncode == exitcodes.OK
        assert all(n == 1 for n in server.article_hits().values())

        site.versions[2] = 2  # changed, has an ETag
        site.versions[5] = 2  # changed, no validators
        time.sleep(1.1)  # state times have second precision
        second = _crawl(profile, out, "-s", "POLICYCRAWL_RECHECK_AFTER=1")
        assert second.returncode == exitcodes.OK, second.stderr[-3000:]
        assert all(n == 2 for n in server.article_hits().values())
        sent = server.request_headers["/a/1.html"]
        assert sent["if-none-match"] == '"a1v1"'

    lines = _lines(out)
    for line in lines:
        jsonschema.validate(line, SCHEMA)
    assert len(lines) == 8  # 6 first versions + 2 new ones; unchanged pages add no line
    new = [line for line in lines if line["replaces"]]
    assert {line["url"].rsplit("/", 1)[1] for line in new} == {"2.html", "5.html"}
    for line in new:
        earlier = v1[line["url"]]
        # `replaces` names the earlier VERSION: the WARC-Record-ID its record was made from.
        assert line["replaces"] == earlier["warc"]["record_id"] != line["warc"]["record_id"]
        assert line["id"] == earlier["id"]  # ids are per canonical URL
        assert "第2次修订" in line["text"]

    records = _warc_records(out)
    responses = {h["WARC-Record-ID"]: h for t, h, _ in records if t == "response"}
    revisits = [h for t, h, _ in records if t == "revisit"]
    by_profile = {}
    for h in revisits:
        by_profile.setdefault(h["WARC-Profile"].rsplit("/", 1)[1], set()).add(h["WARC-Target-URI"].rsplit("/", 1)[1])
        original = responses[h["WARC-Refers-To"]]
        assert original["WARC-Target-URI"] == h["WARC-Refers-To-Target-URI"] == h["WARC-Target-URI"]
        assert original["WARC-Date"] == h["WARC-Refers-To-Date"]
    assert by_profile == {"server-not-modified": {"1.html", "3.html"}, "identical-payload-digest": {"4.html", "6.html"}}
    for path in (out / "warc").glob("*.warc.gz"):
        assert check_warc(path) == [], path

    state = CrawlState(out / "state" / "frontier.sqlite")
    try:
        changed = state.get(next(iter(new))["url"])
        assert changed is not None and changed.record_warc_id == new[0]["warc"]["record_id"]
    finally:
        state.close()


def test_same_page_in_new_gzip_bytes_is_no_new_version(tmp_path: Path):
    out = tmp_path / "out"
    site = ListingSite(3, 10, stamped_gzip=True)
    with Server(site) as server:
        profile = _profile(tmp_path, server.base)
        assert _crawl(profile, out).returncode == exitcodes.OK
        site.versions[2] = 2  # one real change among pages that only got new gzip headers
        time.sleep(1.1)
        second = _crawl(profile, out, "-s", "POLICYCRAWL_RECHECK_AFTER=1")
        assert second.returncode == exitcodes.OK, second.stderr[-3000:]
        assert all(n == 2 for n in server.article_hits().values())

    lines = _lines(out)
    assert sorted(line["url"].rsplit("/", 1)[1] for line in lines if line["replaces"]) == ["2.html"]
    assert len(lines) == 4
    assert "policycrawl/recheck/identical-content': 2" in second.stderr
    # The new bytes are archived in full (a revisit would claim an identical payload, which it is not).
    records = _warc_records(out)
    assert not [h for t, h, _ in records if t == "revisit"]
    article_responses = [h for t, h, _ in records if t == "response" and "/a/" in h["WARC-Target-URI"]]
    assert len(article_responses) == 6
    for path in (out / "warc").glob("*.warc.gz"):
        assert check_warc(path) == [], path


def test_revisit_only_points_into_a_validated_file(tmp_path: Path):
    out = tmp_path / "out"
    site = ListingSite(2, 10, etag=True)
    with Server(site) as server:
        profile = _profile(tmp_path, server.base)
        assert _crawl(profile, out).returncode == 0
        # Damage the finished WARC holding the originals: a revisit must not point into it.
        (warc,) = (out / "warc").glob("*.warc.gz")
        data = bytearray(warc.read_bytes())
        data[len(data) // 2] ^= 0xFF
        warc.write_bytes(bytes(data))
        time.sleep(1.1)
        second = _crawl(profile, out, "-s", "POLICYCRAWL_RECHECK_AFTER=1")
        assert second.returncode == 0, second.stderr[-3000:]
        # The 304 could not be referred back: each page was fetched once more, unconditionally, in full.
        assert all(n == 3 for n in server.article_hits().values()), server.article_hits()
    new_files = [p for p in (out / "warc").glob("*.warc.gz") if p != warc]
    types = [rec.rec_type for p in new_files for rec in ArchiveIterator(open(p, "rb"))]
    assert "revisit" not in types
    assert "policycrawl/recheck/refetch_unreferable" in second.stderr


def test_pagination_stops_per_listing_at_the_watermark(tmp_path: Path):
    out = tmp_path / "out"
    a = ListingSite(30, 5, prefix="/a1")  # gets new articles between runs
    b = ListingSite(30, 5, prefix="/b1")  # does not
    with Server(mux(a, b)) as server:
        profile = _profile(tmp_path, server.base, listings=("/a1", "/b1"))
        first = _crawl(profile, out)
        assert first.returncode == 0, first.stderr[-3000:]
        assert server.hits["/a1/list/6.html"] == server.hits["/b1/list/6.html"] == 1
        a.n = 37  # 7 new articles: page 1 and part of page 2 are new
        second = _crawl(profile, out, "-s", "POLICYCRAWL_RECHECK_AFTER=0")
        assert second.returncode == 0, second.stderr[-3000:]
        # a1: pages 1-2 hold new articles, page 3 only known ones -> stop there; b1 stops after page 1.
        assert [server.hits[f"/a1/list/{p}.html"] for p in (1, 2, 3, 4)] == [2, 2, 2, 1]
        assert [server.hits[f"/b1/list/{p}.html"] for p in (1, 2)] == [2, 1]
        # Depth past the watermark is configurable.
        third = _crawl(profile, out, "-s", "POLICYCRAWL_RECHECK_AFTER=0", "-s", "POLICYCRAWL_KNOWN_PAGES=2")
        assert third.returncode == 0
        assert [server.hits[f"/b1/list/{p}.html"] for p in (1, 2, 3)] == [3, 2, 1]
    assert len(_lines(out)) == 67
    state = CrawlState(out / "state" / "frontier.sqlite")
    try:
        listing = state.listing(server.base + "/a1/list/1.html")
        assert listing["complete"] == 1 and listing["newest_article"].endswith("/a1/a/37.html")
    finally:
        state.close()


def test_unfinished_walk_is_not_cut_short_by_the_watermark(tmp_path: Path):
    out = tmp_path / "out"
    site = ListingSite(40, 5)
    with Server(site) as server:
        profile = _profile(tmp_path, server.base)
        # A budget of 12 requests ends the first walk on page 2 or 3, unfinished.
        first = _crawl(profile, out, "--max-pages", "12")
        assert first.returncode == 0, first.stderr[-3000:]
        assert server.hits["/list/4.html"] == 0
        second = _crawl(profile, out, "-s", "POLICYCRAWL_RECHECK_AFTER=0")
        assert second.returncode == 0, second.stderr[-3000:]
        assert server.hits["/list/8.html"] == 1
    assert len(_lines(out)) == 40


def test_fatal_error_exits_1(tmp_path: Path):
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    with Server(ListingSite(1, 5)) as server:
        profile = _profile(tmp_path, server.base)
        result = _crawl(profile, not_a_dir)
    assert result.returncode == exitcodes.FATAL
    assert "fatal" in result.stderr
