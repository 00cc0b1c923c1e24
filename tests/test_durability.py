"""Durability proven by the order of operations, not by surviving kill -9 (which keeps the page cache).

A real crawl runs with every `os.fsync` (path, size at the fsync), every file creation and every SQL statement
of the frontier traced (tests/fault_runner.py). A URL is acknowledged when a statement marking it done
commits (COMMIT of its transaction, or the statement itself outside one). For every acknowledged URL, before
the acknowledgement there must have been:
- an fsync of its WARC file covering the end of its response record and of the conversion record about it;
- an fsync of the JSONL file covering the end of its line;
- an fsync of each file's directory after that file was created.
The same check must fail when any one of these steps is switched off (three mutations, run for real).
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from benchmarks.crash_matrix import CRAWL_SETTINGS
from crawler import exitcodes
from tests.hostile_servers import ListingSite, Server, profile_toml

REPO = Path(__file__).resolve().parent.parent
N = 40


def _run(tmp_path: Path, server: Server, mutation: str | None = None) -> tuple[Path, Path, subprocess.CompletedProcess]:
    out, trace = tmp_path / "out", tmp_path / "trace.jsonl"
    profile = tmp_path / "site.toml"
    profile.write_text(profile_toml("crash_site", server.base, concurrency=8), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO), "POLICYCRAWL_TEST_TRACE": str(trace)}
    if mutation:
        env["POLICYCRAWL_TEST_MUTATION"] = mutation
    proc = subprocess.run(
        [sys.executable, "-m", "tests.fault_runner", "crawl", "crash_site", "--sources", str(profile), "--out",
         str(out), "--allow-loopback", *CRAWL_SETTINGS],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=240,
    )
    return out, trace, proc


def _norm(path: str) -> str:
    path = path.removesuffix(" (deleted)")
    return path.removesuffix(".open")


def _record_ends(warc_dir: Path) -> dict[str, int]:
    """WARC-Record-ID of each response → end offset of the later of it and the conversion record about it."""
    ends: dict[str, int] = {}
    for path in warc_dir.glob("*.warc.gz"):
        with open(path, "rb") as fh:
            it = ArchiveIterator(fh)
            for rec in it:
                rid = rec.rec_headers.get_header("WARC-Record-ID")
                it.read_to_end(rec)
                end = it.get_record_offset() + it.get_record_length()
                key = rec.rec_headers.get_header("WARC-Refers-To") if rec.rec_type == "conversion" else rid
                ends[key] = max(ends.get(key, 0), end)
    return ends


def _line_ends(records_dir: Path) -> dict[str, tuple[str, int]]:
    ends = {}
    for path in records_dir.glob("*.jsonl"):
        pos = 0
        for line in path.read_bytes().splitlines(keepends=True):
            pos += len(line)
            ends[json.loads(line)["id"]] = (str(path.resolve()), pos)
    return ends


def violations(out: Path, trace: Path) -> tuple[int, list[str]]:
    """(acknowledged URLs, problems): every ack checked against the fsyncs and creations before it."""
    events = [json.loads(line) for line in trace.read_text(encoding="utf-8").splitlines()]
    db = sqlite3.connect(out / "state" / "frontier.sqlite")
    rows = {r[0]: r[1:] for r in db.execute(
        "SELECT url, warc_filename, warc_record_id, record_id FROM urls WHERE state='done'")}
    db.close()
    warc_dir, records_dir = str((out / "warc").resolve()), str((out / "records").resolve())
    warc_ends, line_ends = _record_ends(out / "warc"), _line_ends(out / "records")

    synced: dict[str, int] = {}  # file → largest size fsynced so far
    created: dict[str, int] = {}  # file → event index of its creation
    dir_synced: dict[str, int] = {}  # directory → event index of its last fsync
    in_tx, tx_urls, acked, problems = False, [], 0, []

    def check(url: str, at: int) -> None:
        nonlocal acked
        acked += 1
        if url not in rows:
            problems.append(f"{url}: acknowledged but not done at the end")
            return
        warc_name, warc_rid, rec_id = rows[url]
        warc_path = f"{warc_dir}/{warc_name}"
        need = warc_ends.get(warc_rid)
        if need is None or synced.get(warc_path, -1) < need:
            problems.append(f"{url}: acked at event {at} with WARC {warc_name} fsynced to "
                            f"{synced.get(warc_path)} < record end {need}")
        if rec_id is not None:
            line_path, line_end = line_ends.get(rec_id, ("?", 1 << 62))
            if synced.get(line_path, -1) < line_end:
                problems.append(f"{url}: acked at event {at} with JSONL fsynced to {synced.get(line_path)} < {line_end}")
            files = ((warc_path, warc_dir), (line_path, records_dir))
        else:
            files = ((warc_path, warc_dir),)
        for path, directory in files:
            if dir_synced.get(directory, -1) <= created.get(path, 1 << 62):
                problems.append(f"{url}: acked at event {at} before {directory} was fsynced after creating {path}")

    for i, ev in enumerate(events):
        if ev["ev"] == "create":
            created.setdefault(_norm(ev["path"]), i)
        elif ev["ev"] == "fsync":
            path = _norm(ev["path"])
            if os.path.isdir(path):
                dir_synced[path] = i
            synced[path] = max(synced.get(path, 0), ev["size"])
        else:
            sql = " ".join(ev["sql"].split())
            if sql.startswith("BEGIN"):
                in_tx, tx_urls = True, []
            elif sql == "COMMIT":
                for url in tx_urls:
                    check(url, i)
                in_tx, tx_urls = False, []
            elif sql == "ROLLBACK":
                in_tx, tx_urls = False, []
            elif sql.startswith("UPDATE urls SET state='done'"):
                url = re.search(r"WHERE url='((?:[^']|'')*)'", sql).group(1).replace("''", "'")
                if in_tx:
                    tx_urls.append(url)
                else:
                    check(url, i)
    return acked, problems


@pytest.fixture(scope="module")
def server():
    with Server(ListingSite(N, 20), latency=0.02) as srv:
        yield srv


def test_every_acknowledged_url_was_durable_first(tmp_path: Path, server: Server):
    out, trace, proc = _run(tmp_path, server)
    assert proc.returncode == exitcodes.OK, proc.stderr[-3000:]
    acked, problems = violations(out, trace)
    assert acked >= N, f"only {acked} acknowledgements traced"
    assert problems == [], problems[:5]


@pytest.mark.parametrize("mutation", ["no-warc-fsync", "done-before-group-fsync", "commit-before-fsync"])
def test_the_check_fails_when_a_step_is_switched_off(tmp_path: Path, server: Server, mutation: str):
    out, trace, proc = _run(tmp_path, server, mutation)
    assert proc.returncode == exitcodes.OK, proc.stderr[-3000:]
    acked, problems = violations(out, trace)
    assert acked >= N
    assert problems, f"mutation {mutation} went unnoticed"
