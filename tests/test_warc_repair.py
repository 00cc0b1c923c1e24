"""archive/warc_repair.py turns a crash-truncated `.open` WARC into a valid one and names exactly the captures lost."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from archive.warc import WarcWriter
from archive.warc_check import check_warc
from archive.warc_read import iter_records
from archive.warc_repair import repair_open_files
from tests.test_warc_writer import make_exchange

BIN = Path(sys.executable).parent
N = 5


def _urls(n: int = N) -> list[str]:
    return [f"http://gov.example.cn/doc/{i}.html" for i in range(n)]


@pytest.fixture(scope="module")
def crashed(tmp_path_factory) -> tuple[str, bytes, list[int]]:
    """The bytes of a flushed `.open` file holding N exchanges, and the member offsets in it."""
    directory = tmp_path_factory.mktemp("crashed")
    writer = WarcWriter(directory)
    rng = random.Random(7)
    for url in _urls():
        writer.write_exchange(make_exchange(url, body=rng.randbytes(700)))
    writer.flush()
    assert writer.current_path is not None
    name = writer.current_path.name
    data = writer.current_path.read_bytes()
    writer.close()
    return name, data, _member_offsets(data)


def _member_offsets(data: bytes) -> list[int]:
    offsets, pos = [], 0
    while pos < len(data):
        offsets.append(pos)
        inflater = zlib.decompressobj(31)
        inflater.decompress(data[pos:])
        pos = len(data) - len(inflater.unused_data)
    return offsets


def _sample(lo: int, hi: int, k: int) -> list[int]:
    step = max(1, (hi - lo) // k)
    return sorted(set(range(lo + 1, hi, step)) | {lo + 1, lo + 2, lo + 10, hi - 1, hi - 2, hi - 8})


def test_repair_at_offsets_inside_the_last_capture(crashed, tmp_path):
    name, data, offsets = crashed
    request_start, response_start = offsets[-2], offsets[-1]
    cuts = _sample(response_start, len(data), 60) + _sample(request_start, response_start, 15) + [response_start]
    assert len(cuts) >= 50
    repaired, named = [], 0
    for cut in cuts:
        case = tmp_path / f"cut{cut}"
        case.mkdir()
        (case / name).write_bytes(data[:cut])
        report = repair_open_files(case)
        [outcome] = report.files
        assert outcome.outcome == "published", (cut, outcome.problems)
        if cut >= response_start:  # inside the last record: the request is complete and names the URL
            assert report.lost_uris == [_urls()[-1]], cut
        else:  # inside the request: named once its WARC header has been inflated
            assert report.lost_uris in ([], [_urls()[-1]]), (cut, report.lost_uris)
            named += bool(report.lost_uris)
        final = case / name.removesuffix(".open")
        assert report.repaired == [final] and not list(case.glob("*.open"))
        assert check_warc(final) == []
        assert [r.target_uri for r in iter_records(final) if r.rec_type == "response"] == _urls()[:-1]
        assert final.stat().st_size == request_start  # cut back to the end of the last complete pair
        [tail] = (case / "quarantine").glob("*.tail")
        assert tail.read_bytes() == data[request_start:cut]  # nothing destroyed
        repaired.append(str(final))
    assert named >= 3
    # One `warcio check` run over every repaired file.
    out = subprocess.run([str(BIN / "warcio"), "check", *repaired], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-2000:]
    subprocess.run(["gzip", "-t", *repaired], check=True)


def test_cut_inside_the_first_bytes_of_a_member_cannot_name_the_url(crashed, tmp_path):
    # A few bytes of a gzip member hold no WARC header yet: the URL is unknowable from the file alone, so the crawl's
    # own state (never marked done before flush) is what re-queues it.
    name, data, offsets = crashed
    (tmp_path / name).write_bytes(data[: offsets[-2] + 2])
    report = repair_open_files(tmp_path)
    assert report.files[0].outcome == "published" and report.lost_uris == []


def test_intact_file_loses_nothing(crashed, tmp_path):
    name, data, _ = crashed
    (tmp_path / name).write_bytes(data)
    report = repair_open_files(tmp_path)
    assert report.files[0].outcome == "published" and report.lost_uris == [] and report.files[0].cut_bytes == 0
    assert check_warc(report.repaired[0]) == []
    assert not (tmp_path / "quarantine").exists()


def test_zero_filled_tail_is_cut(crashed, tmp_path):
    # After a power loss some file systems keep the new size but not the data: the tail reads as zeros.
    name, data, offsets = crashed
    (tmp_path / name).write_bytes(data[: offsets[-1]] + bytes(len(data) - offsets[-1]))
    report = repair_open_files(tmp_path)
    assert report.files[0].outcome == "published"
    assert report.lost_uris == [_urls()[-1]]
    assert check_warc(report.repaired[0]) == []


def test_nothing_valid_goes_to_quarantine(crashed, tmp_path):
    name, data, offsets = crashed
    (tmp_path / name).write_bytes(data[: offsets[2] - 5])  # warcinfo + first request, response cut
    report = repair_open_files(tmp_path)
    [outcome] = report.files
    assert outcome.outcome == "quarantined"
    assert report.lost_uris == [_urls()[0]]
    assert report.quarantined == [tmp_path / "quarantine" / name]
    assert not list(tmp_path.glob("*.warc.gz*"))


def test_live_file_is_left_alone(tmp_path):
    writer = WarcWriter(tmp_path)
    writer.write_exchange(make_exchange())
    writer.flush()
    report = repair_open_files(tmp_path)
    assert [f.outcome for f in report.files] == ["skipped-live"]
    assert writer.current_path is not None and writer.current_path.exists()
    writer.close()


def test_crash_between_link_and_unlink(tmp_path):
    writer = WarcWriter(tmp_path)
    writer.write_exchange(make_exchange())
    [final] = writer.close()
    os.link(final, final.with_name(final.name + ".open"))
    report = repair_open_files(tmp_path)
    assert [f.outcome for f in report.files] == ["already-published"]
    assert list(tmp_path.iterdir()) == [final]


def test_existing_final_name_is_never_overwritten(crashed, tmp_path):
    name, data, _ = crashed
    (tmp_path / name).write_bytes(data)
    other = tmp_path / name.removesuffix(".open")
    other.write_bytes(b"another file")
    report = repair_open_files(tmp_path)
    assert report.files[0].outcome == "quarantined"
    assert other.read_bytes() == b"another file"


def test_metadata_cut_does_not_lose_the_capture(tmp_path):
    writer = WarcWriter(tmp_path)
    pointers = [writer.write_exchange(make_exchange(url)) for url in _urls(2)]
    writer.write_metadata(pointers[-1], _urls(2)[-1], b'{"title": "x"}' * 50)
    writer.flush()
    assert writer.current_path is not None
    data = writer.current_path.read_bytes()
    writer.close()
    work = tmp_path / "work"
    work.mkdir()
    name = pointers[0].filename + ".open"
    (work / name).write_bytes(data[:-20])
    report = repair_open_files(work)
    assert report.lost_uris == []  # the response survived; only the conversion record is gone
    assert report.files[0].lost_records == [("conversion", "urn:policycrawl:conversion:" + _urls(2)[-1])]
    assert [r.rec_type for r in iter_records(report.repaired[0])] == ["warcinfo", *["request", "response"] * 2]
    shutil.rmtree(work)
