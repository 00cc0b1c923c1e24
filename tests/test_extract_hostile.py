"""`policycrawl extract` on hostile files: bounded memory, bad records skipped with a warning, no .partial left.

Each case runs the real command line in its own process (tests/fault_runner.py measures its peak RSS, workers
included) and must end with exit 0, the intact articles written, and a warning naming the file.
"""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from archive.warc import WarcWriter
from tests.hostile_servers import article_html
from tests.test_warc_writer import make_exchange

REPO = Path(__file__).resolve().parent.parent
GIB = 1 << 30


def _extract(tmp_path: Path, *inputs: Path) -> tuple[subprocess.CompletedProcess, int, Path]:
    out, rss = tmp_path / "out.jsonl", tmp_path / "rss"
    env = {**os.environ, "PYTHONPATH": str(REPO), "POLICYCRAWL_TEST_MAXRSS": str(rss)}
    proc = subprocess.run([sys.executable, "-m", "tests.fault_runner", "extract", *map(str, inputs), "-o", str(out),
                           "--workers", "1"], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    return proc, int(rss.read_text()) * 1024, out


def _good_warc(directory: Path, n: int = 4) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    with WarcWriter(directory) as writer:
        for i in range(1, n + 1):
            writer.write_exchange(make_exchange(f"http://gov.example.cn/a/{i}.html", body=article_html(i)))
    [path] = writer.completed
    return path


def _lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines()) if path.exists() else -1


def test_gzip_bomb_named_warc_is_skipped_without_inflating(tmp_path: Path):
    """10 GiB of zeros as a gzip (640 members of 16 MiB each) named .warc.gz, next to a good WARC."""
    bomb = tmp_path / "bomb.warc.gz"
    member = gzip.compress(bytes(16 << 20), compresslevel=1)
    with open(bomb, "wb") as fh:
        for _ in range(640):
            fh.write(member)
    good = _good_warc(tmp_path / "warc")
    proc, rss, out = _extract(tmp_path, bomb, good)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert f"{bomb}: not a WARC file" in proc.stderr
    assert _lines(out) == 4
    assert rss < GIB, rss


def test_record_claiming_10_gib_is_skipped(tmp_path: Path):
    good = _good_warc(tmp_path / "warc")
    hostile = tmp_path / "claims.warc.gz"
    head = (b"WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-000000000001>\r\n"
            b"WARC-Target-URI: http://gov.example.cn/huge.html\r\nWARC-Date: 2024-05-01T00:00:00Z\r\n"
            b"Content-Type: application/http; msgtype=response\r\nContent-Length: %d\r\n\r\n" % (10 * GIB))
    comp = zlib.compressobj(1, zlib.DEFLATED, 31)
    with open(hostile, "wb") as fh:
        fh.write(good.read_bytes())  # four good records first
        fh.write(comp.compress(head + b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n"))
        zeros = bytes(16 << 20)
        for _ in range(8):  # 128 MiB of body follow, far less than claimed
            fh.write(comp.compress(zeros))
        fh.write(comp.flush())
    proc, rss, out = _extract(tmp_path, hostile)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert f"{hostile}: record " in proc.stderr and "skipped" in proc.stderr, proc.stderr[-2000:]
    assert _lines(out) == 4
    assert rss < GIB, rss


def test_a_record_cut_short_is_skipped_and_the_rest_extracted(tmp_path: Path):
    good = _good_warc(tmp_path / "warc", n=5)
    cut = tmp_path / "cut.warc.gz"
    data = good.read_bytes()
    cut.write_bytes(data[:-100])  # the last record (article 5's response) 100 bytes short
    proc, rss, out = _extract(tmp_path, cut)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert str(cut) in proc.stderr, proc.stderr[-2000:]
    assert _lines(out) == 4
    assert not list(tmp_path.glob(".*.partial")) and not list(tmp_path.glob("*.partial"))


def test_huge_html_file_is_refused_quickly(tmp_path: Path):
    page = tmp_path / "huge.html"
    para = "<p>" + "深圳市出台支持新型储能产业高质量发展的若干措施。" * 20 + "</p>\n"
    with open(page, "w", encoding="utf-8") as fh:
        fh.write("<html><head><meta charset='utf-8'><title>t</title></head><body>")
        for _ in range(200 * 1024 * 1024 // len(para.encode())):
            fh.write(para)
        fh.write("</body></html>")
    proc, rss, out = _extract(tmp_path, page)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert f"{page}: larger than" in proc.stderr
    assert rss < GIB, rss
    assert not list(tmp_path.glob(".*.partial"))
