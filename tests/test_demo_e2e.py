"""Issue 2's "done when": the offline demo through the real pipeline, checked against the replica's ground truth."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import opencc
import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.demo.replica import build_sites
from tests.conftest import REPO, run_policycrawl

_T2S = opencc.OpenCC("t2s")
# A flattened ruby annotation: a Han character followed by bracketed toned pinyin, e.g. 質(zhì).
PINYIN = re.compile(r"[\u4e00-\u9fff][(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜ]+[)）]")


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "D"
    result = run_policycrawl("demo", "--out", str(out), "-s", "POLICYCRAWL_EXTRACT_WORKERS=2")
    assert result.returncode == 0, result.stderr[-4000:]
    assert str(out / "warc") in result.stdout  # says where the WARC and JSONL went
    return out


def _records(out: Path) -> list[dict]:
    return [json.loads(line) for f in sorted((out / "records").glob("*.jsonl")) for line in f.read_text("utf-8").splitlines()]


def test_demo_warcs_validate_with_independent_tools(demo: Path):
    warcs = sorted((demo / "warc").glob("*.warc.gz"))
    assert warcs and not list((demo / "warc").glob("*.open"))
    warcio_cli = str(Path(sys.executable).parent / "warcio")
    for path in warcs:
        subprocess.run(["gzip", "-t", str(path)], check=True)
        check = subprocess.run([warcio_cli, "check", "-v", str(path)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout[-2000:] + check.stderr
        assert check.stdout.count("digest pass") > 100 and "digest fail" not in check.stdout and "no digest" not in check.stdout
        from fastwarc.warc import ArchiveIterator as FastIterator

        with open(path, "rb") as fh:
            for rec in FastIterator(fh, parse_http=False):
                assert rec.verify_block_digest(), rec.record_id


def test_one_valid_record_per_replica_article(demo: Path):
    sites = build_sites()
    records = _records(demo)
    schema = json.loads((REPO / "archive/schema/record.schema.json").read_text())
    for record in records:
        jsonschema.validate(record, schema)
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids)), "duplicate records"
    by_site: dict[str, list[dict]] = {}
    for record in records:
        by_site.setdefault(record["source"], []).append(record)
    for site_id, site in sites.items():
        expected = {a.path for a in site.articles if a.listed}
        got = {re.sub(r"^http://127\.0\.0\.1:\d+", "", r["url"]) for r in by_site.get(site_id, [])}
        assert got == expected, f"{site_id}: missing {sorted(expected - got)[:5]}, extra {sorted(got - expected)[:5]}"


def test_record_text_is_the_article_and_nothing_else(demo: Path):
    sites = build_sites()
    records = {(r["source"], re.sub(r"^http://127\.0\.0\.1:\d+", "", r["url"])): r for r in _records(demo)}
    problems = []
    for site_id, site in sites.items():
        for truth in site.articles:
            record = records.get((site_id, truth.path))
            if record is None:
                continue
            text = record["text"]
            flat = _norm(text)
            lines = [_norm(line) for line in text.splitlines()]
            for para in truth.paragraphs:
                if _norm(para) not in flat:
                    problems.append(f"{site_id}{truth.path}: paragraph missing: {para[:30]}")
                elif lines.count(_norm(para)) > 1:
                    problems.append(f"{site_id}{truth.path}: paragraph twice: {para[:30]}")
            for line in text.splitlines():
                if line.strip() and line.strip() in site.chrome_lines:
                    problems.append(f"{site_id}{truth.path}: chrome line kept: {line[:40]}")
            for chrome in site.chrome_lines:
                if len(chrome) >= 6 and _norm(chrome) in flat and not any(_norm(chrome) in _norm(p) for p in truth.paragraphs):
                    problems.append(f"{site_id}{truth.path}: chrome kept: {chrome[:40]}")
            if PINYIN.search(text):
                problems.append(f"{site_id}{truth.path}: pinyin annotation kept: {PINYIN.search(text).group()}")
            if _T2S.convert(text) != text:
                problems.append(f"{site_id}{truth.path}: Traditional characters in text")
            if truth.script == "Hant":
                assert record["script_original"] == "Hant" and record["text_original"]
            assert record["title"] == truth.title, (site_id, truth.path, record["title"], truth.title)
            assert record["published"] == truth.published, (site_id, truth.path, record["published"], truth.published)
    assert problems == [], "\n".join(problems[:40])


def test_robots_disallowed_pages_are_never_fetched(demo: Path):
    sites = build_sites()
    fetched = set()
    for path in (demo / "warc").glob("*.warc.gz"):
        with open(path, "rb") as fh:
            for rec in ArchiveIterator(fh):
                if rec.rec_type == "response":
                    fetched.add(re.sub(r"^http://127\.0\.0\.1:\d+", "", rec.rec_headers.get_header("WARC-Target-URI")))
    for site in sites.values():
        assert "/robots.txt" in fetched
        for path in site.disallowed_paths:
            assert path not in fetched


def test_extract_rebuilds_the_same_records_from_the_warcs_alone(demo: Path, tmp_path: Path):
    out = tmp_path / "R.jsonl"
    result = run_policycrawl("extract", *map(str, sorted((demo / "warc").glob("*.warc.gz"))), "-o", str(out))
    assert result.returncode == 0, result.stderr[-2000:]
    live = {r["id"]: r for r in _records(demo)}
    rebuilt = {json.loads(line)["id"]: json.loads(line) for line in out.read_text("utf-8").splitlines()}
    assert set(rebuilt) == set(live)
    for rid, record in live.items():
        assert rebuilt[rid] == record, {k: (record[k], rebuilt[rid].get(k)) for k in record if record[k] != rebuilt[rid].get(k)}
