"""Hostile and broken input, end to end: each case is logged with a reason and counted, memory stays bounded,
nothing crashes, and the normal pages of the same crawl are archived as usual."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import time
import zlib
from pathlib import Path

import brotli

from crawler import exitcodes
from tests.conftest import LOOPBACK_SETTINGS, REPO
from tests.hostile_servers import HTML, ListingSite, Server, profile_toml

MiB = 1024 * 1024


def _lines(out: Path) -> list[dict]:
    return [json.loads(line) for f in (out / "records").glob("*.jsonl") for line in f.read_text("utf-8").splitlines()]


# Runs the crawl as a child and reports the peak RSS of it and its workers (RUSAGE_CHILDREN covers reaped
# descendants), so each test measures its own crawl only.
_MEASURE = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); "
            "print('PEAK_RSS_KIB', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
            "sys.exit(r.returncode)")


def _crawl(tmp_path: Path, server: Server, *extra: str, toml_extra: str = "", listings=("",)):
    profile = tmp_path / "h.toml"
    profile.write_text(profile_toml("hostile", server.base, extra=toml_extra, listings=listings), encoding="utf-8")
    args = ["crawl", "hostile", "--sources", str(profile), "--out", str(tmp_path / "out"), "--allow-loopback",
            *LOOPBACK_SETTINGS, "-s", "RETRY_TIMES=0", *extra]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-c", _MEASURE, sys.executable, "-m", "crawler.cli", *args], cwd=REPO,
                          env=env, capture_output=True, text=True, timeout=240)


def _peak_rss_mib(result) -> float:
    return int(result.stderr.rsplit("PEAK_RSS_KIB", 1)[1].split()[0]) / 1024


class _Site(ListingSite):
    """Articles 1-2 are normal; 3.. are served by `special[i]` -> (headers, body)."""

    def __init__(self, special: dict[int, tuple[list[tuple[str, str]], bytes]]):
        super().__init__(2 + len(special), 50)
        self.special = special

    def __call__(self, handler):
        path = handler.path
        if path.startswith("/a/"):
            i = int(path[3:-5])
            if i in self.special:
                headers, body = self.special[i]
                return 200, [("Content-Type", HTML), *headers], body
        return super().__call__(handler)


def _zeros_gzip(size: int) -> bytes:
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b"\0" * MiB
    return b"".join(comp.compress(chunk) for _ in range(size // MiB)) + comp.flush()


def test_decompression_bombs_are_dropped_against_the_download_cap(tmp_path: Path):
    big = 256 * MiB
    gz = _zeros_gzip(big)
    deflate = zlib.compress(b"\0" * big, 9)
    br = brotli.compress(b"\0" * big, quality=5)
    special = {
        3: ([("Content-Encoding", "gzip")], gz),
        4: ([("Content-Encoding", "deflate")], deflate),
        5: ([("Content-Encoding", "br")], br),
        6: ([("Content-Encoding", "gzip, gzip")], gzip.compress(gz)),  # gzip in gzip
    }
    with Server(_Site(special)) as server:
        result = _crawl(tmp_path, server, "-s", f"DOWNLOAD_MAXSIZE={8 * MiB}")
    assert result.returncode == exitcodes.OK, result.stderr[-3000:]
    assert {line["url"].rsplit("/", 1)[1] for line in _lines(tmp_path / "out")} == {"1.html", "2.html"}
    # gzip, deflate and gzip-in-gzip stop at the cap; brotli, never asked for, is not even decoded.
    assert "'policycrawl/hostile/too-large': 3" in result.stderr
    assert "'policycrawl/hostile/unrequested-encoding': 1" in result.stderr
    assert "failures/too-large': 3" in result.stderr and "failures/unrequested-encoding': 1" in result.stderr
    assert _peak_rss_mib(result) < 600, _peak_rss_mib(result)


def test_huge_and_deep_html_is_counted_not_archived_as_an_empty_article(tmp_path: Path):
    deep = b"<html><body>" + b"<div>" * 10_000 + "深层嵌套的文本".encode() + b"</div>" * 10_000 + b"</body></html>"
    text_node = b"<html><body><p>" + "长".encode() * (10 * MiB) + b"</p></body></html>"  # 30 MB, one node
    imgs = b"<html><body>" + b'<img src="/i.png">' * 200_000 + b"</body></html>"
    special = {3: ([], deep), 4: ([], text_node), 5: ([], imgs)}
    with Server(_Site(special)) as server:
        result = _crawl(tmp_path, server, "-s", "POLICYCRAWL_EXTRACT_TIMEOUT=30")
    assert result.returncode == exitcodes.OK, result.stderr[-3000:]
    lines = _lines(tmp_path / "out")
    by_name = {line["url"].rsplit("/", 1)[1]: line for line in lines}
    assert {"1.html", "2.html"} <= set(by_name)
    for line in lines:
        assert line["status"] == "ok" and line["text"].strip(), line["url"]  # no empty article written
    # The 10,000-deep page is reported too-deep by the extractor (not an empty article); the other two are
    # counted under whatever reason the extractor gives (empty, timeout, ...), one each.
    assert "3.html" not in by_name
    assert "'policycrawl/source/hostile/failures/extract-too-deep': 1" in result.stderr
    counted = sum(int(part.split("': ")[1].split(",")[0].split("}")[0]) for part in result.stderr.split("'policycrawl/source/hostile/failures/extract-")[1:])
    assert counted == 3 - len({"4.html", "5.html"} & set(by_name)) , result.stderr[-2000:]
    assert _peak_rss_mib(result) < 1500, _peak_rss_mib(result)


def _slowloris(handler):
    handler.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n")
    for _ in range(60):
        try:
            handler.wfile.write(b"x")
            handler.wfile.flush()
        except OSError:
            return None
        time.sleep(1)
    return None


def _silent(handler):
    time.sleep(30)  # accepted, never answered
    return None


def test_slowloris_and_silent_servers_are_bounded_by_the_download_timeout(tmp_path: Path):
    site = _Site({})

    def respond(handler):
        if handler.path == "/a/3.html":
            return _slowloris(handler)
        if handler.path == "/a/4.html":
            return _silent(handler)
        return site(handler)

    site.n = 4
    started = time.monotonic()
    with Server(respond) as server:
        result = _crawl(tmp_path, server, "-s", "DOWNLOAD_TIMEOUT=3")
    elapsed = time.monotonic() - started
    assert result.returncode == exitcodes.OK, result.stderr[-3000:]
    assert elapsed < 25
    assert {line["url"].rsplit("/", 1)[1] for line in _lines(tmp_path / "out")} == {"1.html", "2.html"}
    assert result.stderr.count("failures/TimeoutError") >= 1 or "TimeoutError" in result.stderr


def test_redirect_loop_and_endless_repeated_pagination_stop(tmp_path: Path):
    site = ListingSite(4, 50)

    def respond(handler):
        path = handler.path
        if path.startswith("/loop/"):
            n = int(path.rsplit("/", 1)[1])
            return 302, [("Location", f"/loop/{(n + 1) % 2}")], b""
        if path.startswith("/a/9"):
            return 302, [("Location", "/loop/0")], b""
        if path.startswith("/list/"):  # every page links the same articles and a "next" page, forever
            page = int(path[6:-5])
            links = "".join(f'<a href="/a/{i}.html">x</a>' for i in (1, 2, 3, 4, 9))
            body = f'<html><body>{links}<a href="/list/{page + 1}.html">下一页</a></body></html>'.encode()
            return 200, [("Content-Type", HTML)], body
        return site(handler)

    with Server(respond) as server:
        result = _crawl(tmp_path, server)
        assert result.returncode == exitcodes.OK, result.stderr[-3000:]
        assert server.hits["/list/2.html"] == 1 and server.hits["/list/3.html"] == 0
        assert sum(n for p, n in server.hits.items() if p.startswith("/loop/")) <= 12
    assert "trap: listing" in result.stderr and "'policycrawl/traps/repeated_listing': 1" in result.stderr
    assert len(_lines(tmp_path / "out")) == 4


def test_hostile_sitemaps_expand_nothing_and_fetch_nothing(tmp_path: Path):
    with Server(lambda h: (200, [], b"canary"), host="127.0.0.2") as canary:
        xxe = (f'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY e SYSTEM "{canary.base}/xxe">]>'
               f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&e;</loc></url></urlset>').encode()
        laughs = b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">' + b"".join(
            f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'.encode() for i in range(9)
        ) + b']><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&j;</loc></url></urlset>'
        bomb = _zeros_gzip(256 * MiB)
        site = ListingSite(2, 50)
        sitemaps = {"/sm/xxe.xml": xxe, "/sm/laughs.xml": laughs, "/sm/bomb.xml.gz": bomb,
                    "/sm/broken.xml": b"<urlset><url><loc>http://127.0.0.1/a/1.html</loc></url"}

        def respond(handler):
            if handler.path in sitemaps:
                return 200, [("Content-Type", "application/xml")], sitemaps[handler.path]
            return site(handler)

        with Server(respond) as server:
            listed = ", ".join(f'"{server.base}{p}"' for p in sitemaps)
            result = _crawl(tmp_path, server, "-s", f"DOWNLOAD_MAXSIZE={8 * MiB}", toml_extra=f"sitemaps = [{listed}]\n")
            assert result.returncode == exitcodes.OK, result.stderr[-3000:]
            assert all(server.hits[p] == 1 for p in sitemaps)
        assert sum(canary.hits.values()) == 0
    assert "sitemap-gzip" in result.stderr
    assert "aaaaaaaaaa" not in result.stderr
    assert _peak_rss_mib(result) < 600
