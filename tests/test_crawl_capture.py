"""A real crawl of a loopback site: every exchange in the WARC as received, robots obeyed, off-site hops refused."""

from __future__ import annotations

import gzip
import json
import subprocess
from pathlib import Path

import jsonschema
import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.conftest import LOOPBACK_SETTINGS, REPO, run_policycrawl
from tests.servers import Route, RouteServer, html_page

PARAS = [
    "广州市发布推动先进制造业发展的若干措施，明确对技术改造项目给予分档补助。",
    "措施提出，将围绕智能网联汽车、新型储能和生物医药等产业链，培育一批链主企业。",
    "市工业和信息化局表示，今年还将建设一批中试平台，帮助中小企业缩短研发周期。",
]


def article(n: int) -> bytes:
    body = f"<h1>广州制造业新政第{n}号</h1><p>发布时间：2024-03-0{n} 09:15</p><article>" + "".join(
        f"<p>{p}（第{n}篇）</p>" for p in PARAS
    ) + "</article>"
    return html_page(f"广州制造业新政第{n}号_测试站", body)


@pytest.fixture
def site():
    with RouteServer({"/": Route(200, [], b"canary")}, host="127.0.0.2") as canary:
        html = [("Content-Type", "text/html; charset=utf-8")]
        links = "".join(
            f'<a href="{p}">link</a>'
            for p in ["/a/1.html", "/a/2.html", "/a/3.html", "/old/4.html", "/private/5.html", "/a/6.html", "/a/7.html"]
        )
        routes = {
            "/robots.txt": Route(200, [("Content-Type", "text/plain")], b"User-agent: *\nDisallow: /private/\n"),
            "/list.html": Route(200, html, html_page("列表", links)),
            "/a/1.html": Route(200, html, article(1), gzip=True),
            "/a/2.html": Route(200, html + [("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"), ("Set-Cookie", "c=3")], article(2)),
            "/a/3.html": Route(404, html, b"<html>gone</html>", reason="Nicht Gefunden"),
            "/old/4.html": Route(301, [("Location", "/mid/4.html")]),
            "/mid/4.html": Route(302, [("Location", "/a/4.html")]),
            "/a/4.html": Route(200, html, article(4)),
            "/private/5.html": Route(200, html, article(5)),
            "/a/6.html": Route(302, [("Location", canary.base + "/")]),
            "/a/7.html": Route(200, html, f'<html><head><meta http-equiv="refresh" content="0;url={canary.base}/"></head></html>'.encode()),
        }
        with RouteServer(routes) as server:
            yield server, canary


def _records(warc_dir: Path):
    out = []
    for path in sorted(warc_dir.glob("*.warc.gz")):
        with open(path, "rb") as fh:
            for rec in ArchiveIterator(fh, no_record_parse=False):
                raw = rec.raw_stream.read() if rec.rec_type == "response" else b""
                out.append((rec.rec_type, rec.rec_headers, rec.http_headers, raw))
    return out


def test_crawl_archives_every_exchange_as_received(site, out_dir: Path):
    server, canary = site
    result = run_policycrawl(
        "crawl", "--start", server.base + "/list.html", "--follow", r"/(a|old|private)/\d+\.html$",
        "--out", str(out_dir), "--allow-loopback", *LOOPBACK_SETTINGS, "-s", "RETRY_TIMES=0",
    )
    assert result.returncode == 0, result.stderr[-3000:]

    # robots.txt obeyed; nothing reached the canary, although a redirect and a meta refresh pointed there.
    assert server.hits["/private/5.html"] == 0
    assert sum(canary.hits.values()) == 0
    assert "refused" in result.stderr

    warcs = sorted((out_dir / "warc").glob("*.warc.gz"))
    assert warcs and not list((out_dir / "warc").glob("*.open"))
    for path in warcs:
        subprocess.run(["gzip", "-t", str(path)], check=True)
        check = subprocess.run([str(Path(__import__("sys").executable).parent / "warcio"), "check", "-v", str(path)],
                               capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
        assert "digest pass" in check.stdout and "fail" not in check.stdout

    records = _records(out_dir / "warc")
    assert records[0][0] == "warcinfo"
    responses = {r[1].get_header("WARC-Target-URI"): r for r in records if r[0] == "response"}
    concurrent = {r[1].get_header("WARC-Concurrent-To") for r in records if r[0] == "request"}
    assert {r[1].get_header("WARC-Record-ID") for r in responses.values()} <= concurrent

    # br is not asked for: warcio 1.8 with brotli 1.2 cannot read brotli payloads back (nor can pywb).
    sent = dict((k.lower(), v) for k, v in server.request_headers["/a/1.html"])
    assert "gzip" in sent["accept-encoding"] and "br" not in sent["accept-encoding"]
    # gzip body stored still encoded, with its Content-Encoding header.
    gz = responses[server.base + "/a/1.html"]
    assert gz[2].get_header("Content-Encoding") == "gzip"
    payload = gz[3]  # warcio's raw stream: the stored payload, Content-Encoding not undone
    assert payload[:2] == b"\x1f\x8b" and gzip.decompress(payload) == article(1)

    # Every header value kept, in order.
    cookies = [v for k, v in responses[server.base + "/a/2.html"][2].headers if k.lower() == "set-cookie"]
    assert cookies == ["a=1", "b=2", "c=3"]

    # The status line as the server sent it, reason phrase included.
    assert responses[server.base + "/a/3.html"][2].statusline == "404 Nicht Gefunden"
    # The whole redirect chain is archived.
    assert responses[server.base + "/old/4.html"][2].get_statuscode() == "301"
    assert responses[server.base + "/mid/4.html"][2].get_statuscode() == "302"
    assert responses[server.base + "/a/4.html"][2].get_statuscode() == "200"
    assert server.base + "/robots.txt" in responses

    # JSONL: one valid record per article that exists, pointing at its WARC response.
    schema = json.loads((REPO / "archive/schema/record.schema.json").read_text())
    lines = [json.loads(line) for f in (out_dir / "records").glob("*.jsonl") for line in f.read_text().splitlines()]
    for line in lines:
        jsonschema.validate(line, schema)
    by_url = {line["url"]: line for line in lines}
    assert set(by_url) == {server.base + "/a/1.html", server.base + "/a/2.html", server.base + "/a/4.html"}
    for line in lines:
        assert PARAS[1] in line["text"]
        pointer = line["warc"]
        rec = responses[line["url"]]
        assert rec[1].get_header("WARC-Record-ID") == pointer["record_id"]
    raw_text = (out_dir / "records").glob("*.jsonl").__next__().read_text(encoding="utf-8")
    assert "广州" in raw_text and "\\u" not in raw_text  # UTF-8, not escaped


def test_second_run_fetches_nothing_already_archived(site, out_dir: Path):
    server, _ = site
    args = ("crawl", "--start", server.base + "/list.html", "--follow", r"/a/\d+\.html$", "--out", str(out_dir),
            "--allow-loopback", *LOOPBACK_SETTINGS, "-s", "RETRY_TIMES=0")
    first = run_policycrawl(*args)
    assert first.returncode == 0, first.stderr[-2000:]
    hits_after_first = server.hits["/a/1.html"]
    second = run_policycrawl(*args)
    assert second.returncode == 0, second.stderr[-2000:]
    assert server.hits["/a/1.html"] == hits_after_first == 1
    lines = [line for f in (out_dir / "records").glob("*.jsonl") for line in f.read_text().splitlines()]
    assert len(lines) == 2  # /a/1 and /a/2; /a/3 is a 404
