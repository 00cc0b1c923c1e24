"""Frontier state, JSONL durability, run lock and safe file names: the pieces crash safety stands on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from archive.fsutil import LockedError, RunLock, atomic_write_bytes, confined, safe_name
from archive.jsonl import JsonlWriter, read_records, repair_partial_line
from archive.state import CrawlState
from archive.pointer import WarcPointer
from extractors.record import Record
from tests.conftest import REPO


def test_frontier_moves_pending_leased_done_and_requeues_leases(tmp_path: Path):
    db = tmp_path / "f.sqlite"
    state = CrawlState(db)
    assert state.begin_run("r1", "r1.jsonl") == 0
    assert state.discover("http://a.example/1", "s") is True
    assert state.discover("http://a.example/1", "s") is False
    state.discover("http://a.example/2", "s")
    state.lease("http://a.example/1")
    state.lease("http://a.example/2")
    state.mark_done("http://a.example/2", record_id="x", http_status=200, warc=WarcPointer("f.warc.gz", 10, "<urn:uuid:1>"))
    assert state.counts("s") == {"leased": 1, "done": 1}
    state.close()  # the run is "killed": no finish_run

    state = CrawlState(db)
    assert state.unfinished_records_files() == ["r1.jsonl"]
    assert state.begin_run("r2", "r2.jsonl") == 1  # the leased URL goes back to pending
    assert list(state.pending("s")) == ["http://a.example/1"]
    assert state.get("http://a.example/2").state == "done"
    state.finish_run("r2", "finished", {"n": 1})
    assert state.unfinished_records_files() == ["r1.jsonl"]  # crashed: its lines are matched once, then never
    state.mark_reconciled("r1.jsonl")
    assert state.unfinished_records_files() == []


def test_jsonl_partial_last_line_is_cut_and_lines_are_utf8(tmp_path: Path):
    path = tmp_path / "r.jsonl"
    writer = JsonlWriter(path)
    writer.write(Record(id="a" * 32, url="http://x.example/1", status="ok", text="新质生产力"))
    writer.close()
    with open(path, "ab") as fh:
        fh.write(b'{"id": "half-writ')  # a kill -9 in the middle of a line
    assert repair_partial_line(path) == len(b'{"id": "half-writ')
    raw = path.read_bytes()
    assert "新质生产力".encode() in raw and b"\\u" not in raw
    assert [r["text"] for r in read_records(path)] == ["新质生产力"]
    # Re-opening for append also repairs first.
    with open(path, "ab") as fh:
        fh.write(b'{"id"')
    JsonlWriter(path).close()
    assert len(list(read_records(path))) == 1


def test_second_run_on_same_state_is_locked(tmp_path: Path):
    with RunLock(tmp_path):
        with pytest.raises(LockedError, match="another policycrawl run"):
            RunLock(tmp_path).acquire()
        # From another process too: the lock is on the file, not in our memory.
        code = subprocess.run(
            [sys.executable, "-c", f"from archive.fsutil import RunLock; RunLock(__import__('pathlib').Path({str(tmp_path)!r})).acquire()"],
            cwd=REPO, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)},
        )
        assert code.returncode != 0 and "LockedError" in code.stderr
    RunLock(tmp_path).acquire().release()  # free again once released


def test_file_names_stay_in_their_directory(tmp_path: Path):
    assert safe_name("../../etc/passwd") == "etc_passwd"
    assert "/" not in safe_name("a/b\\c:d")
    with pytest.raises(ValueError):
        confined(tmp_path, "../escape")
    target = confined(tmp_path, "ok.json")
    atomic_write_bytes(target, json.dumps({"a": 1}).encode())
    assert json.loads(target.read_text()) == {"a": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["ok.json"]  # no temp file left behind
