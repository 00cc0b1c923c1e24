"""A real crawl of a loopback site whose articles link attachments: each is fetched, archived in the WARC as a
request/response pair (read back with warcio), and gets an attachment record with its text or a clear status;
bombs and a never-ending download end within their limits and the crawl goes on; `policycrawl extract`
rebuilds the same attachment records from the WARC alone."""

from __future__ import annotations

import json
import time
from pathlib import Path

import jsonschema
import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.demo.attachments import known_text, make
from tests.attachment_bombs import docx_zip_bomb, pdf_many_pages
from tests.conftest import LOOPBACK_SETTINGS, REPO, run_policycrawl
from tests.servers import Route, RouteServer, html_page

TITLE = "关于印发《推动制造业高质量发展实施方案》的通知"
PARAS = ["为加快培育新质生产力，推动制造业高质量发展，结合本市实际，制定本实施方案。",
         "到2026年，全市规模以上工业增加值年均增长百分之六以上，培育一批专精特新企业。"]
FILES = {  # path → kind
    "/files/plan.pdf": "pdf",
    "/files/tasks.docx": "docx",
    "/files/projects.xlsx": "xlsx",
    "/files/scan.pdf": "pdf-scanned",
    "/files/broken.pdf": "pdf-broken",
    "/files/old.wps": "wps",
}
OVERSIZE = 300_000  # POLICYCRAWL_ATTACHMENT_MAX_SIZE in these crawls
SETTINGS = (*LOOPBACK_SETTINGS, "-s", "RETRY_TIMES=0", "-s", f"POLICYCRAWL_ATTACHMENT_MAX_SIZE={OVERSIZE}",
            "-s", "POLICYCRAWL_ATTACHMENT_DOWNLOAD_TIMEOUT=3")


def _never_ends(handler):
    handler.send_response_only(200)
    handler.send_header("Content-Type", "application/pdf")
    handler.end_headers()
    handler.wfile.write(b"%PDF-1.4\n")
    for _ in range(100):  # 20 s of a trickle, far beyond the 3 s download timeout
        try:
            handler.wfile.write(b"0 0 obj\n")
            handler.wfile.flush()
        except OSError:
            break
        time.sleep(0.2)
    raise ConnectionAbortedError("client gone")


@pytest.fixture
def site():
    html = [("Content-Type", "text/html; charset=utf-8")]
    routes: dict = {"/robots.txt": Route(200, [("Content-Type", "text/plain")], b"User-agent: *\n")}
    for path, kind in FILES.items():
        body, ctype = make(kind, TITLE, PARAS)
        routes[path] = Route(200, [("Content-Type", ctype)], body)
    big, _ = make("pdf", TITLE, PARAS * 3)
    routes["/files/huge.pdf"] = Route(200, [("Content-Type", "application/pdf")], big + b"%" * OVERSIZE)
    routes["/files/bomb.docx"] = Route(200, [("Content-Type", "application/octet-stream")], docx_zip_bomb())
    routes["/files/pages.pdf"] = Route(200, [("Content-Type", "application/pdf")], pdf_many_pages(5000))
    routes["/files/slow.pdf"] = _never_ends
    links = list(FILES) + ["/files/missing.pdf", "/files/huge.pdf", "/files/bomb.docx", "/files/pages.pdf",
                           "/files/slow.pdf"]
    files = "".join(f'<li><a href="{p}">附件{i}：{Path(p).name}</a></li>' for i, p in enumerate(links, 1))
    text = "".join(f"<p>{p}</p>" for p in PARAS * 2)
    routes["/a/1.html"] = Route(200, html, html_page(TITLE, f"<h1>{TITLE}</h1><p>发布时间：2024-03-01</p>"
                                                      f"<div class='content'>{text}<ul>{files}</ul></div>"))
    routes["/a/2.html"] = Route(200, html, html_page("第二篇通知", "<h1>第二篇通知</h1><p>发布时间：2024-03-02</p>"
                                                    f"<div class='content'>{text}<p><a href='/files/plan.pdf'>方案.pdf"
                                                    "</a></p></div>"))
    routes["/list.html"] = Route(200, html, html_page("列表", '<a href="/a/1.html">一</a><a href="/a/2.html">二</a>'))
    with RouteServer(routes) as server:
        yield server


def _crawl(server, out: Path, *extra: str):
    result = run_policycrawl("crawl", "--start", server.base + "/list.html", "--follow", r"/a/\d+\.html$",
                             "--out", str(out), "--allow-loopback", *SETTINGS, *extra, timeout=240)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def _attachment_lines(out: Path) -> list[dict]:
    return [json.loads(line) for f in sorted((out / "records" / "attachments").glob("*.jsonl"))
            for line in f.read_text("utf-8").splitlines()]


def _warc(out: Path) -> list:
    found = []
    for path in sorted((out / "warc").glob("*.warc.gz")):
        with open(path, "rb") as fh:
            for rec in ArchiveIterator(fh):
                found.append((rec.rec_type, rec.rec_headers.get_header("WARC-Target-URI"),
                              rec.rec_headers.get_header("WARC-Record-ID"),
                              rec.http_headers.get_statuscode() if rec.http_headers else None,
                              rec.content_stream().read() if rec.rec_type == "response" else b""))
    return found


def test_crawl_captures_attachments_with_text_and_statuses(site, out_dir: Path):
    server = site
    started = time.monotonic()
    _crawl(server, out_dir)
    assert time.monotonic() - started < 200

    lines = _attachment_lines(out_dir)
    schema = json.loads((REPO / "archive/schema/attachment.schema.json").read_text())
    for line in lines:
        jsonschema.validate(line, schema)
    by_path = {line["url"].removeprefix(server.base): line for line in lines}
    # plan.pdf is linked by both articles: fetched and recorded once.
    assert sorted(by_path) == sorted([*FILES, "/files/missing.pdf", "/files/huge.pdf", "/files/bomb.docx",
                                      "/files/pages.pdf", "/files/slow.pdf"])
    assert len(lines) == len(by_path) and server.hits["/files/plan.pdf"] == 1

    warc = _warc(out_dir)
    responses = {url: (rid, status, body) for kind, url, rid, status, body in warc if kind == "response"}
    requests = {url for kind, url, *_ in warc if kind == "request"}
    for path, kind in FILES.items():
        line = by_path[path]
        url = server.base + path
        assert url in requests and url in responses  # request/response pair in the WARC
        rid, status, body = responses[url]
        assert line["warc"]["record_id"] == rid and status == "200"
        assert body == make(kind, TITLE, PARAS)[0]
        assert line["size"] == len(body) and len(line["sha256"]) == 64
        # plan.pdf is linked by both articles: recorded once, under the one archived first
        assert line["article_url"] in (server.base + "/a/1.html", server.base + "/a/2.html")
        assert len(line["article_id"]) == 32
        truth = known_text(kind, TITLE, PARAS)
        if truth is not None:
            assert line["status"] == "ok" and line["text"] == truth, (path, line["text"])
    assert by_path["/files/scan.pdf"]["status"] == "no-text-layer"
    assert by_path["/files/broken.pdf"]["status"] == "broken"
    assert by_path["/files/old.wps"]["status"] == "unsupported-format"
    assert by_path["/files/missing.pdf"]["status"] == "not-found" and by_path["/files/missing.pdf"]["http_status"] == 404
    assert by_path["/files/huge.pdf"]["status"] == "too-large"
    assert by_path["/files/bomb.docx"]["status"] == "too-large"
    assert by_path["/files/pages.pdf"]["status"] == "too-large"
    assert by_path["/files/slow.pdf"]["status"] == "download-timeout"
    # The articles themselves are all there, untouched by their attachments' fates.
    articles = [json.loads(line) for f in (out_dir / "records").glob("*.jsonl") for line in f.read_text().splitlines()]
    assert sorted(a["url"] for a in articles) == [server.base + "/a/1.html", server.base + "/a/2.html"]

    # Re-extraction parity: the WARC alone rebuilds the same attachment records (no network: server stopped).
    server.httpd.shutdown()
    rebuilt = out_dir / "rebuilt.jsonl"
    result = run_policycrawl("extract", *map(str, sorted((out_dir / "warc").glob("*.warc.gz"))), "-o", str(rebuilt))
    assert result.returncode == 0, result.stderr[-2000:]
    assert all(json.loads(line).get("record_type") is None for line in rebuilt.read_text("utf-8").splitlines())
    again = {}
    for line in (out_dir / "rebuilt.attachments.jsonl").read_text("utf-8").splitlines():
        rec = json.loads(line)
        again[rec["url"]] = rec
    archived = {line["url"]: line for line in lines if line["warc"] is not None}
    assert set(again) == set(archived)
    for url, line in archived.items():
        assert again[url] == line


def test_later_runs_refetch_attachments_only_when_their_article_changed(site, out_dir: Path):
    server = site
    html = [("Content-Type", "text/html; charset=utf-8")]
    _crawl(server, out_dir)
    assert server.hits["/files/plan.pdf"] == 1 and server.hits["/files/tasks.docx"] == 1
    lines_before = _attachment_lines(out_dir)

    # Run 2: a new notice links two archived files and a new one: only the new one is fetched.
    body, ctype = make("pdf", "新增附件", PARAS)
    server.routes["/files/new.pdf"] = Route(200, [("Content-Type", ctype)], body)
    server.routes["/a/3.html"] = Route(200, html, html_page("第三篇通知", "<h1>第三篇通知</h1><p>发布时间：2024-03-03</p>"
                                                         "<div class='content'>" + "".join(f"<p>{p}</p>" for p in PARAS)
                                                         + "<p>附件：<a href='/files/plan.pdf'>方案.pdf</a> <a href="
                                                         "'/files/tasks.docx'>分工.docx</a> <a href='/files/new.pdf'>"
                                                         "新.pdf</a></p></div>"))
    server.routes["/list.html"] = Route(200, html, html_page("列表", "".join(
        f'<a href="/a/{n}.html">{n}</a>' for n in (1, 2, 3))))
    _crawl(server, out_dir)
    assert server.hits["/files/new.pdf"] == 1
    assert server.hits["/files/plan.pdf"] == 1 and server.hits["/files/tasks.docx"] == 1
    assert len(_attachment_lines(out_dir)) == len(lines_before) + 1

    # Run 3: article 2 changed and is due for a re-check: its attachment is asked for again; the same bytes become
    # a WARC revisit record and no new attachment line.
    time.sleep(1.1)
    old = server.routes["/a/2.html"]
    server.routes["/a/2.html"] = Route(200, html, old.body.replace("第二篇通知</h1>".encode(), "第二篇通知（修订）</h1>".encode()))
    _crawl(server, out_dir, "-s", "POLICYCRAWL_RECHECK_AFTER=1")
    assert server.hits["/files/plan.pdf"] == 2
    assert len(_attachment_lines(out_dir)) == len(lines_before) + 1
    revisits = [url for kind, url, *_ in _warc(out_dir) if kind == "revisit"]
    assert server.base + "/files/plan.pdf" in revisits


def test_attachments_off_fetches_none(site, out_dir: Path):
    server = site
    _crawl(server, out_dir, "-s", "POLICYCRAWL_ATTACHMENTS=0")
    assert not any(path.startswith("/files/") for path in server.hits)
    assert _attachment_lines(out_dir) == []
