"""`policycrawl report` and OUT/runs/<run>.json: two real runs over a loopback site (the second incremental), the
HTML rendered by a real headless Chromium: a screenshot with drawn charts, no console errors, no network."""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from tests.conftest import LOOPBACK_SETTINGS, run_policycrawl
from tests.servers import Route, RouteServer
from tests.test_usercli import HTML, N_ARTICLES, _article, _listing

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "out"
    gone = '<li><a href="/art/99.html">江门先进制造业政策解读99</a><span>2024-06-01</span></li></ul>'
    routes = {"/list/": Route(200, HTML, _listing().replace(b"</ul>", gone.encode()))}
    routes.update({f"/art/{n}.html": Route(200, HTML, _article(n)) for n in range(1, N_ARTICLES + 1)})
    with RouteServer(routes) as server:
        for _ in range(2):
            result = run_policycrawl("crawl", "--start", f"{server.base}/list/", "--follow", r"/art/\d+\.html$",
                                     "--out", str(out), "--allow-loopback", *LOOPBACK_SETTINGS)
            assert result.returncode == 0, result.stderr[-2000:]
    return out


def _free_port_range(count: int) -> int:
    """A first port with `count` free ports after it (the demo's replica sites listen on PORT+i)."""
    import random
    import socket

    for _ in range(50):
        first = random.randrange(20000, 60000)
        socks = []
        try:
            for port in range(first, first + count):
                sock = socket.socket()
                socks.append(sock)
                sock.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
        finally:
            for sock in socks:
                sock.close()
    raise RuntimeError("no range of free ports")


@pytest.fixture(scope="module")
def two_demo_runs(tmp_path_factory) -> Path:
    """Issue 12's "done when": `policycrawl demo` twice into one directory on the same ports; the second run is
    incremental (every article known, none fetched or written again)."""
    from crawler.demo.replica import build_sites

    out = tmp_path_factory.mktemp("demo-report") / "D"
    port = _free_port_range(len(build_sites()))
    for _ in range(2):
        result = run_policycrawl("demo", "--out", str(out), "--port", str(port), "-s", "POLICYCRAWL_EXTRACT_WORKERS=2")
        assert result.returncode == 0, result.stderr[-3000:]
        assert f"on 127.0.0.1:{port}+" in result.stderr and "busy" not in result.stderr, result.stderr[-3000:]
    first, second = sorted((json.loads(p.read_text("utf-8")) for p in (out / "runs").glob("*.json")),
                           key=lambda r: r["started"])
    assert first["total"]["new"] > 100 and second["total"]["new"] == 0, (first["total"], second["total"])
    assert second["total"]["known"] > 0 and second["records_file"] is None, second
    return out


def test_each_run_writes_its_figures_as_json(two_runs: Path):
    runs = sorted((json.loads(p.read_text("utf-8")) for p in (two_runs / "runs").glob("*.json")),
                  key=lambda r: r["started"])
    assert len(runs) == 2
    first, second = runs
    assert first["format"] == "policycrawl-run-1" and first["outcome"] == "finished"
    assert first["total"]["new"] == N_ARTICLES and first["total"]["failures"] == {"http-404": 1}
    assert first["failed_urls"][0]["url"].endswith("/art/99.html") and first["failed_urls"][0]["reason"] == "http-404"
    assert second["total"]["new"] == 0 and second["total"]["known"] >= N_ARTICLES  # incremental
    # A run that wrote nothing leaves no empty JSONL file; its summary says so.
    assert second["records_file"] is None and len(list((two_runs / "records").glob("*.jsonl"))) == 1


def _png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Decode an 8-bit RGB/RGBA non-interlaced PNG (what Chromium writes) into rows of pixel bytes."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", chunk[:10])
            assert depth == 8 and color in (2, 6)
            bpp = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, bpp, rows


def test_report_renders_in_headless_chromium(two_demo_runs: Path, tmp_path: Path):
    assert CHROMIUM, "chromium is not installed (CI installs it: .ci/run)"
    report = tmp_path / "report.html"
    result = run_policycrawl("report", "--out", str(two_demo_runs), "-o", str(report))
    assert result.returncode == 0, result.stderr
    html = report.read_text("utf-8")
    assert html.count("<svg") >= 4 and 'class="bar"' in html
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//|@import|url\(""", html)  # nothing to fetch
    shot = tmp_path / "report.png"
    profile = tmp_path / "chromium-profile"
    run = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
         f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", "--hide-scrollbars",
         "--window-size=1100,1600", f"--screenshot={shot}", report.as_uri()],
        capture_output=True, text=True, timeout=90,
    )
    assert shot.exists() and shot.stat().st_size > 10_000, run.stderr[-3000:]
    console = [line for line in run.stderr.splitlines() if "CONSOLE" in line or "Content Security Policy" in line]
    assert console == [], console
    # The charts were drawn: pixels in the colours of articles (blue: per day, new per run) and failures (red).
    width, bpp, rows = _png_pixels(shot.read_bytes())
    blue, red = bytes.fromhex("4e79a7"), bytes.fromhex("e15759")
    counts = {blue: 0, red: 0}
    for row in rows:
        for x in range(0, width * bpp, bpp):
            px = row[x:x + 3]
            if px in counts:
                counts[px] += 1
    assert counts[blue] > 500 and counts[red] > 50, counts
