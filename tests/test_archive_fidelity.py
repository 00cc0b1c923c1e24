"""Issue 4: a real crawl of a hostile-but-honest loopback server is archived byte for byte, every WARC passes gzip -t,
`warcio check`, FastWARC and check_warc, our CDXJ equals cdxj-indexer's, `extract` rebuilds the live records, and a
WARC cut inside its last record is repaired on the next start, which re-fetches exactly the URL that was lost.

The server writes every response byte itself (http.server cannot send odd chunk sizes or raw GBK header bytes) and
logs what it sent, so the archived exchanges are compared with the bytes that went over the socket.
"""

from __future__ import annotations

import gzip
import json
import shutil
import socketserver
import sqlite3
import subprocess
import sys
import threading
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastwarc.warc import ArchiveIterator as FastIterator
from fastwarc.warc import WarcRecordType

from archive.cdxj import index_path, iter_index_lines, write_index
from archive.warc_check import check_warc, iter_gzip_members
from archive.warc_format import parse_warc_head
from archive.warc_read import iter_records
from tests.conftest import LOOPBACK_SETTINGS, run_policycrawl
from tests.servers import Route, RouteServer, html_page

BIN = Path(sys.executable).parent
# The ad-hoc profile's per-host slot (1 s delay + jitter) would make each crawl ~20 s; loopback needs no politeness.
FAST = (*LOOPBACK_SETTINGS, "-s", 'DOWNLOAD_SLOTS={"127.0.0.1": {"delay": 0, "concurrency": 4}}')
MAXSIZE = 5 * 1024 * 1024
BIG = 50 * 1024 * 1024
GBK_DISPOSITION = 'inline; filename="关于印发《政策》的通知.html"'.encode("gbk")
PARAS = [
    "深圳市发布推动新型工业化高质量发展的若干措施，明确对智能化改造项目给予分档补助。",
    "措施提出，围绕集成电路、新型储能和生物医药等产业链，培育一批具有生态主导力的链主企业。",
    "市工业和信息化局表示，今年将新建一批中试验证平台，帮助中小企业缩短研发和量产周期。",
]


def article(name: str) -> bytes:
    body = f"<h1>深圳新政{name}</h1><p>发布时间：2024-03-05 09:15</p><article>" + "".join(
        f"<p>{p}（{name}）</p>" for p in PARAS
    ) + "</article>"
    return html_page(f"深圳新政{name}_测试站", body)


# -- a server that writes its own bytes ---------------------------------------------------------------------------
@dataclass
class Raw:
    """One response exactly as it goes on the wire. `chunks` = chunk sizes for chunked framing (the rest of the body
    goes in one last chunk); `stream` = send this many body bytes lazily (a huge body), until the client hangs up."""

    status_line: bytes
    headers: list[tuple[bytes, bytes]]
    body: bytes = b""
    chunks: list[int] | None = None
    stream: int = 0


@dataclass
class Sent:
    request_line: bytes
    request_headers: list[tuple[bytes, bytes]]
    response: Raw


@dataclass
class RawServer:
    routes: dict[str, Callable[[int], Raw]]
    sent: dict[str, list[Sent]] = field(default_factory=lambda: defaultdict(list))

    def __post_init__(self) -> None:
        owner = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                head = b""
                while b"\r\n\r\n" not in head and len(head) < 65536:
                    chunk = self.request.recv(4096)
                    if not chunk:
                        return
                    head += chunk
                lines = head.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
                target = lines[0].split(b" ")[1].decode("ascii")
                req_headers = [tuple(x.strip() for x in line.split(b":", 1)) for line in lines[1:]]
                route = owner.routes.get(target)
                with lock:
                    n = len(owner.sent[target])
                    resp = route(n) if route else Raw(b"HTTP/1.1 404 Not Found", [(b"Content-Length", b"0")])
                    owner.sent[target].append(Sent(lines[0], req_headers, resp))
                try:
                    self._send(resp)
                except OSError:
                    pass  # the client hung up (a download cancelled at DOWNLOAD_MAXSIZE)

            def _send(self, resp: Raw) -> None:
                out = self.wfile
                out.write(resp.status_line + b"\r\n")
                for name, value in resp.headers:
                    out.write(name + b": " + value + b"\r\n")
                out.write(b"\r\n")
                if resp.stream:
                    block, left = b"x" * 65536, resp.stream
                    chunked = resp.chunks is not None
                    while left > 0:
                        piece = block[: min(left, len(block))]
                        out.write(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
                        left -= len(piece)
                    if chunked:
                        out.write(b"0\r\n\r\n")
                elif resp.chunks is not None:
                    pos = 0
                    for size in [*resp.chunks, len(resp.body)]:
                        piece = resp.body[pos : pos + size]
                        pos += len(piece)
                        if piece:
                            out.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                    out.write(b"0\r\n\r\n")
                else:
                    out.write(resp.body)
                out.flush()

        lock = threading.Lock()

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> RawServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def _fixed(status_line: bytes, headers: list[tuple[bytes, bytes]], body: bytes = b"", **kw) -> Callable[[int], Raw]:
    return lambda n: Raw(status_line, headers, body, **kw)


HTML = (b"Content-Type", b"text/html; charset=utf-8")
CLOSE = (b"Connection", b"close")


def _cl(body: bytes) -> tuple[bytes, bytes]:
    return (b"Content-Length", str(len(body)).encode())


NON_ASCII_PATH = "/a/政策/通知.html"
NON_ASCII_TARGET = "/a/%E6%94%BF%E7%AD%96/%E9%80%9A%E7%9F%A5.html"
GBK_QUERY_TARGET = "/a/search.html?kw=%D5%FE%B2%DF"  # 政策 in GBK, percent-encoded by the page that links it
ARTICLES = ["/a/gzip.html", "/a/deflate.html", "/a/chunked.html", "/a/gzip-chunked.html", "/a/cookies.html",
            NON_ASCII_TARGET, GBK_QUERY_TARGET, "/a/final.html", "/a/flaky.html", "/a/notice.html"]
TOO_BIG = ["/a/big.html", "/a/big-chunked.html"]


def fidelity_routes() -> dict[str, Callable[[int], Raw]]:
    gz_body = gzip.compress(article("gzip"))
    deflated = zlib.compress(article("deflate"))
    chunked = article("chunked")
    gz_chunked = gzip.compress(article("gzip-chunked"))
    cookies = article("cookies")
    links = "".join(f'<a href="{p}">x</a>' for p in ["/a/gzip.html", "/a/deflate.html", "/a/chunked.html",
                                                       "/a/gzip-chunked.html", "/a/cookies.html", NON_ASCII_PATH,
                                                       GBK_QUERY_TARGET, "/a/old.html", "/a/missing.html",
                                                       "/a/flaky.html", "/a/notice.html", *TOO_BIG])
    listing = html_page("列表", links)
    robots = b"User-agent: *\nAllow: /\n"

    def flaky(n: int) -> Raw:
        if n == 0:
            body = b"<html>busy</html>"
            return Raw(b"HTTP/1.1 503 Service Unavailable", [HTML, (b"Retry-After", b"0"), _cl(body), CLOSE], body)
        body = article("flaky")
        return Raw(b"HTTP/1.1 200 OK", [HTML, _cl(body), CLOSE], body)

    def simple(name: str) -> Callable[[int], Raw]:
        body = article(name)
        return _fixed(b"HTTP/1.1 200 OK", [HTML, _cl(body), CLOSE], body)

    return {
        "/robots.txt": _fixed(b"HTTP/1.1 200 OK", [(b"Content-Type", b"text/plain"), _cl(robots), CLOSE], robots),
        "/list.html": _fixed(b"HTTP/1.1 200 OK", [HTML, _cl(listing), CLOSE], listing),
        "/a/gzip.html": _fixed(b"HTTP/1.1 200 OK", [HTML, (b"Content-Encoding", b"gzip"), _cl(gz_body), CLOSE],
                               gz_body),
        "/a/deflate.html": _fixed(b"HTTP/1.1 200 OK", [HTML, (b"Content-Encoding", b"deflate"), _cl(deflated), CLOSE],
                                  deflated),
        "/a/chunked.html": _fixed(b"HTTP/1.1 200 OK", [HTML, (b"Transfer-Encoding", b"chunked"), CLOSE], chunked,
                                  chunks=[1, 7, 13, 251, 4093]),
        "/a/gzip-chunked.html": _fixed(b"HTTP/1.1 200 OK", [HTML, (b"Content-Encoding", b"gzip"),
                                                            (b"Transfer-Encoding", b"chunked"), CLOSE],
                                       gz_chunked, chunks=[3, 17, 99]),
        "/a/cookies.html": _fixed(b"HTTP/1.1 200 OK", [(b"Set-Cookie", b"a=1; Path=/"), HTML,
                                                       (b"Set-Cookie", b"b=2; HttpOnly"), (b"x-lower-case", b"kept"),
                                                       (b"Set-Cookie", b"c=3"), _cl(cookies), CLOSE], cookies),
        NON_ASCII_TARGET: simple("non-ascii"),
        GBK_QUERY_TARGET: simple("gbk-query"),
        "/a/old.html": _fixed(b"HTTP/1.1 301 Moved Permanently", [(b"Location", b"/a/mid.html"), _cl(b""), CLOSE]),
        "/a/mid.html": _fixed(b"HTTP/1.1 302 Found", [(b"Location", b"/a/final.html"), _cl(b""), CLOSE]),
        "/a/final.html": simple("final"),
        "/a/missing.html": _fixed(b"HTTP/1.1 404 Nicht Gefunden", [HTML, _cl(b"<html>gone</html>"), CLOSE],
                                  b"<html>gone</html>"),
        "/a/flaky.html": flaky,
        "/a/notice.html": (lambda body: _fixed(b"HTTP/1.1 200 OK", [HTML, (b"Content-Disposition", GBK_DISPOSITION),
                                                                    _cl(body), CLOSE], body))(article("notice")),
        "/a/big.html": _fixed(b"HTTP/1.1 200 OK", [HTML, (b"Content-Length", str(BIG).encode()), CLOSE], stream=BIG),
        "/a/big-chunked.html": _fixed(b"HTTP/1.1 200 OK", [HTML, (b"Transfer-Encoding", b"chunked"), CLOSE],
                                      stream=BIG, chunks=[]),
    }


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    out = tmp_path_factory.mktemp("fidelity") / "out"
    with RawServer(fidelity_routes()) as server:
        result = run_policycrawl(
            "crawl", "--start", server.base + "/list.html", "--follow", r"/a/", "--out", str(out), "--allow-loopback",
            *FAST, "-s", f"DOWNLOAD_MAXSIZE={MAXSIZE}", "-s", "DOWNLOAD_WARNSIZE=0",
            "-s", "RETRY_TIMES=1", "-s", "POLICYCRAWL_BACKOFF_MAX_DELAY=0.05", timeout=120,
        )
    assert result.returncode == 0, result.stderr[-4000:]
    return server, out, result


def _warcs(out: Path) -> list[Path]:
    warcs = sorted((out / "warc").glob("*.warc.gz"))
    assert warcs and not list((out / "warc").glob("*.open"))
    return warcs


def _http_records(out: Path) -> Iterator:
    for path in _warcs(out):
        for rec in iter_records(path):
            yield path, rec


# -- validation by independent tools ----------------------------------------------------------------------------
def test_every_warc_passes_gzip_warcio_fastwarc_and_check_warc(crawled):
    _, out, _ = crawled
    for path in _warcs(out):
        subprocess.run(["gzip", "-t", str(path)], check=True)
        check = subprocess.run([str(BIN / "warcio"), "check", "-v", str(path)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout[-2000:] + check.stderr[-2000:]
        assert "digest fail" not in check.stdout and "no digest" not in check.stdout
        assert check.stdout.count("digest pass") >= 40
        with open(path, "rb") as fh:
            n = 0
            for rec in FastIterator(fh, parse_http=False):
                assert rec.verify_block_digest(), (path.name, rec.record_id)
                n += 1
        with open(path, "rb") as fh:  # payload digests need the HTTP head parsed
            for rec in FastIterator(fh, record_types=WarcRecordType.response | WarcRecordType.request):
                assert rec.verify_payload_digest(), (path.name, rec.record_id)
        assert n > 20
        assert check_warc(path) == []


def test_warcinfo_opens_every_file(crawled):
    _, out, _ = crawled
    for path in _warcs(out):
        first = next(iter_records(path))
        assert first.rec_type == "warcinfo" and first.headers.get("WARC-Filename") == path.name
        info = first.block.decode()
        for key in ("software:", "operator:", "isPartOf: policycrawl-run-", "format: WARC File Format 1.1"):
            assert key in info, info


def test_every_record_head_follows_warc_1_1(crawled):
    _, out, _ = crawled
    for path in _warcs(out):
        with open(path, "rb") as fh:
            members = list(iter_gzip_members(fh))
        records = list(iter_records(path))
        assert len(members) == len(records)  # one gzip member per record
        for member, rec in zip(members, records):
            assert member.complete and member.start == rec.offset
            head = member.data[: member.data.index(b"\r\n\r\n")]
            assert head.startswith(b"WARC/1.1\r\n") and b"\r\n " not in head and b"\r\n\t" not in head  # unfolded
            parse_warc_head(member.data)
            for name in ("WARC-Block-Digest", "WARC-Payload-Digest"):
                value = rec.headers.get(name)
                assert value is None or value.startswith("sha1:")  # lower-case label
            uri = rec.target_uri
            assert uri is None or (uri.isascii() and " " not in uri)


# -- bytes as received -------------------------------------------------------------------------------------------
def _pairs(out: Path):
    """(request record, response record) per exchange, in file order."""
    by_id = {}
    pairs = []
    for _, rec in _http_records(out):
        by_id[rec.record_id] = rec
        if rec.rec_type == "request":
            pairs.append(rec)
    return [(req, by_id[req.headers.get("WARC-Concurrent-To")]) for req in pairs]


def _grouped(headers) -> dict[bytes, list[bytes]]:
    out: dict[bytes, list[bytes]] = defaultdict(list)
    for name, value in headers:
        out[name.lower()].append(value)
    return dict(out)


def test_every_exchange_is_stored_as_it_went_over_the_wire(crawled):
    server, out, _ = crawled
    pairs = _pairs(out)
    seen: dict[str, int] = defaultdict(int)
    compared = 0
    for req, resp in pairs:
        target = req.http.target
        sent = server.sent[target][seen[target]]
        seen[target] += 1
        assert resp.target_uri == server.base + target
        # The request line as the server read it; the same date on both records; the address we connected to.
        assert req.http.first_line == sent.request_line
        assert req.headers.get("WARC-Date") == resp.headers.get("WARC-Date")
        assert req.headers.get("WARC-IP-Address") == resp.headers.get("WARC-IP-Address") == "127.0.0.1"
        # Request headers: every stored one was sent with that value (Twisted adds Connection: close itself).
        wire_req = _grouped(sent.request_headers)
        for name, values in _grouped(req.http.headers).items():
            assert wire_req.get(name) == values, (target, name)
        # Status line byte for byte, reason phrase included.
        assert resp.http.first_line == sent.response.status_line, target
        # Every header value, each name's values in order; Transfer-Encoding renamed because the body is de-chunked.
        wire = _grouped(sent.response.headers)
        if b"transfer-encoding" in wire:
            wire[b"x-archive-orig-transfer-encoding"] = wire.pop(b"transfer-encoding")
        assert _grouped(resp.http.headers) == wire, target
        # The entity body as sent (de-chunked, never content-decoded).
        assert resp.payload == sent.response.body, target
        compared += 1
    # Everything the server answered was archived, except the two bodies over DOWNLOAD_MAXSIZE.
    answered = {t: len(s) for t, s in server.sent.items() if t not in TOO_BIG}
    assert dict(seen) == answered
    assert compared == sum(answered.values()) == 16


def test_the_interesting_cases_one_by_one(crawled):
    server, out, _ = crawled
    responses = defaultdict(list)
    for _, rec in _http_records(out):
        if rec.rec_type == "response":
            responses[rec.target_uri.removeprefix(server.base)].append(rec)
    gz = responses["/a/gzip.html"][0]
    assert gz.payload[:2] == b"\x1f\x8b" and gzip.decompress(gz.payload) == article("gzip")
    assert zlib.decompress(responses["/a/deflate.html"][0].payload) == article("deflate")
    chunked = responses["/a/chunked.html"][0]
    assert chunked.payload == article("chunked")
    assert chunked.http.header(b"X-Archive-Orig-Transfer-Encoding") == b"chunked"
    assert chunked.http.header(b"Transfer-Encoding") is None
    assert gzip.decompress(responses["/a/gzip-chunked.html"][0].payload) == article("gzip-chunked")
    cookies = responses["/a/cookies.html"][0].http
    assert cookies.header_all(b"Set-Cookie") == [b"a=1; Path=/", b"b=2; HttpOnly", b"c=3"]
    assert cookies.header(b"X-Lower-Case") == b"kept"  # value kept; Twisted/Scrapy normalise the name's case
    assert responses[NON_ASCII_TARGET][0].target_uri.isascii()
    assert responses[GBK_QUERY_TARGET][0].target_uri.endswith("?kw=%D5%FE%B2%DF")  # GBK bytes, not re-encoded
    assert [r.http.status for r in responses["/a/old.html"] + responses["/a/mid.html"] + responses["/a/final.html"]] \
        == [301, 302, 200]
    assert responses["/a/missing.html"][0].http.first_line == b"HTTP/1.1 404 Nicht Gefunden"
    assert [r.http.status for r in responses["/a/flaky.html"]] == [503, 200]
    assert responses["/a/notice.html"][0].http.header(b"Content-Disposition") == GBK_DISPOSITION  # raw GBK bytes


def test_bodies_over_download_maxsize_are_cancelled_not_stored_and_counted(crawled):
    server, out, result = crawled
    for target in TOO_BIG:
        assert len(server.sent[target]) >= 1  # the server was asked ...
        assert not any(rec.target_uri == server.base + target for _, rec in _http_records(out))  # ... nothing stored
    # Scrapy cancels the download (Content-Length over the limit: before reading the body; chunked: once the limit
    # is passed) and the spider's errback counts it as a failure of the source.
    summary = result.stderr[result.stderr.rindex("source"):]
    assert "CancelledError=2" in summary or "DownloadCancelledError=2" in summary, summary
    assert "larger than download max size" in result.stderr


def test_each_article_has_a_conversion_record_that_replay_tools_do_not_take_for_the_page(crawled):
    server, out, _ = crawled
    responses = {rec.record_id: rec for _, rec in _http_records(out) if rec.rec_type == "response"}
    lines = [json.loads(line) for f in (out / "records").glob("*.jsonl") for line in f.read_text().splitlines()]
    conversions = [rec for _, rec in _http_records(out) if rec.rec_type == "conversion"]
    assert len(conversions) == len(lines) == len(ARTICLES)
    for conv in conversions:
        page = responses[conv.headers.get("WARC-Refers-To")]
        assert conv.target_uri == "urn:policycrawl:conversion:" + page.target_uri
        assert json.loads(conv.block)["warc"]["record_id"] == page.record_id


def test_extract_rebuilds_the_live_records_from_the_warcs(crawled, tmp_path):
    _, out, _ = crawled
    rebuilt = tmp_path / "rebuilt.jsonl"
    result = run_policycrawl("extract", *map(str, _warcs(out)), "-o", str(rebuilt))
    assert result.returncode == 0, result.stderr[-2000:]
    live = {r["id"]: r for f in (out / "records").glob("*.jsonl") for r in map(json.loads, f.read_text().splitlines())}
    again = {r["id"]: r for r in map(json.loads, rebuilt.read_text().splitlines())}
    assert again == live
    assert all(r["extractor_version"] for r in live.values())


# -- CDXJ --------------------------------------------------------------------------------------------------------
def cdxj_indexer_lines(path: Path) -> list[str]:
    from cdxj_indexer.main import CDXJIndexer

    out = path.with_name(path.name + ".reference.cdxj")
    CDXJIndexer(output=str(out), inputs=[str(path)], sort=True).process_all()
    lines = out.read_text().splitlines()
    out.unlink()
    return lines


def test_our_cdxj_equals_cdxj_indexer(crawled, tmp_path):
    _, out, _ = crawled
    total = 0
    for path in _warcs(out):
        copy = tmp_path / path.name
        shutil.copyfile(path, copy)
        ours = write_index(copy)
        assert ours == index_path(copy) == tmp_path / path.name.replace(".warc.gz", ".cdxj")
        lines = ours.read_text().splitlines()
        assert lines == sorted(lines)
        assert lines == cdxj_indexer_lines(copy)
        total += len(lines)
    assert total == 16


# -- crash: a WARC cut inside its last record ---------------------------------------------------------------------
def _site_routes() -> dict[str, Route]:
    html = [("Content-Type", "text/html; charset=utf-8")]
    links = "".join(f'<a href="/a/{n}.html">{n}</a>' for n in (1, 2, 3))
    routes = {
        "/robots.txt": Route(200, [("Content-Type", "text/plain")], b"User-agent: *\nAllow: /\n"),
        "/list.html": Route(200, html, html_page("列表", links)),
    }
    for n in (1, 2, 3):
        routes[f"/a/{n}.html"] = Route(200, html, article(f"第{n}号"), gzip=n == 2)
    return routes


def _crawl(server: RouteServer, out: Path):
    result = run_policycrawl("crawl", "--start", server.base + "/list.html", "--follow", r"/a/\d+\.html$",
                             "--out", str(out), "--allow-loopback", *FAST, "-s", "RETRY_TIMES=0",
                             timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def _simulate_crash_inside_last_members(out: Path, cut: int) -> tuple[str, list[str]]:
    """Turn a finished crawl into what a run killed while writing would have left: the WARC back to `.open` and cut
    at byte `cut`, and for every article whose records were cut, the state the pipeline guarantees at that moment
    (records before JSONL before "done"): no JSONL line, URL still leased. Returns (.open name, lost article URLs)."""
    [warc] = _warcs(out)
    data = warc.read_bytes()
    with open(warc, "rb") as fh:
        members = list(iter_gzip_members(fh))
    lost = set()
    for member in members:
        if member.end > cut:
            _, headers, _ = parse_warc_head(member.data)
            uri = headers.get("WARC-Target-URI") or ""
            if "/a/" in uri:
                lost.add(uri.removeprefix("urn:policycrawl:conversion:"))
    warc.unlink()
    (warc.parent / (warc.name + ".open")).write_bytes(data[:cut])
    for records in (out / "records").glob("*.jsonl"):
        kept = [line for line in records.read_text().splitlines() if json.loads(line)["url"] not in lost]
        records.write_text("".join(line + "\n" for line in kept))
    db = sqlite3.connect(out / "state" / "frontier.sqlite")
    with db:
        for url in lost:
            db.execute("UPDATE urls SET state='leased' WHERE url=?", (url,))
    db.close()
    return warc.name + ".open", sorted(lost)


def test_a_warc_cut_inside_its_last_record_is_repaired_and_only_the_lost_url_is_fetched_again(tmp_path):
    with RouteServer(_site_routes()) as server:
        first = tmp_path / "first"
        _crawl(server, first)
        [warc] = _warcs(first)
        with open(warc, "rb") as fh:
            members = list(iter_gzip_members(fh))
        last, before = members[-1], members[-2]
        _, last_headers, _ = parse_warc_head(last.data)
        assert last_headers.get("WARC-Type") == "conversion"  # the pipeline writes it after the article's capture
        # Cuts inside the last record (first byte, middle, last byte) and one inside the record before it.
        cuts = [last.start + 1, (last.start + last.end) // 2, last.end - 1, (before.start + before.end) // 2]
        for cut in cuts:
            out = tmp_path / f"cut{cut}"
            shutil.copytree(first, out)
            open_name, lost = _simulate_crash_inside_last_members(out, cut)
            assert lost, cut
            hits_before = dict(server.hits)
            _crawl(server, out)
            # Repaired on start: a valid file under its final name, the partial bytes kept in quarantine.
            repaired = out / "warc" / open_name.removesuffix(".open")
            assert repaired.exists() and not (out / "warc" / open_name).exists()
            assert check_warc(repaired) == []
            subprocess.run(["gzip", "-t", str(repaired)], check=True)
            assert list((out / "warc" / "quarantine").glob("*.tail"))
            # Exactly the lost articles were fetched again (the listing and robots.txt are read on every run).
            fetched = {p for p in server.hits if server.hits[p] > hits_before.get(p, 0) and p.startswith("/a/")}
            assert fetched == {u.removeprefix(server.base) for u in lost}, (cut, fetched, lost)
            # ... and the archive is whole again: every article has a capture and a record.
            lines = [json.loads(x) for f in (out / "records").glob("*.jsonl") for x in f.read_text().splitlines()]
            assert sorted(r["url"] for r in lines) == [server.base + f"/a/{n}.html" for n in (1, 2, 3)]
            for path in _warcs(out):
                assert check_warc(path) == []


# -- index written when a file is completed ---------------------------------------------------------------------
def test_writer_indexes_each_completed_file_and_repair_indexes_what_it_publishes(tmp_path):
    from archive.warc import WarcWriter
    from archive.warc_repair import repair_open_files
    from tests.test_warc_writer import make_exchange

    done: list[Path] = []
    writer = WarcWriter(tmp_path, max_size=2500, index=True, on_complete=done.append)
    pointers = [writer.write_exchange(make_exchange(f"http://gov.example.cn/{i}.html", body=bytes(range(256)) * 10))
                for i in range(5)]
    writer.write_metadata(pointers[-1], "http://gov.example.cn/4.html", b"{}")
    files = writer.close()
    assert len(files) >= 3 and done == files
    for path in files:
        index = index_path(path)
        assert index.read_text().splitlines() == cdxj_indexer_lines(path)
    listed = "".join(index_path(p).read_text() for p in files)
    for pointer in pointers:
        assert f'"offset": "{pointer.offset}", "filename": "{pointer.filename}"' in listed
    # A file left open by a crash gets its index when the start-up repair publishes it.
    crashed = tmp_path / "crashed"
    crashed.mkdir()
    data = files[0].read_bytes()
    (crashed / (files[0].name + ".open")).write_bytes(data[:-5])
    repair_open_files(crashed, index=True)
    [repaired] = crashed.glob("*.warc.gz")
    assert index_path(repaired).read_text().splitlines() == cdxj_indexer_lines(repaired)
    assert list(iter_index_lines(repaired))


def test_index_and_pack_commands(crawled, tmp_path):
    _, out, _ = crawled
    work = tmp_path / "out"
    shutil.copytree(out, work)
    warcs = sorted((work / "warc").glob("*.warc.gz"))
    result = run_policycrawl("index", *map(str, warcs))
    assert result.returncode == 0, result.stderr
    assert all(index_path(w).exists() for w in warcs)
    pytest.importorskip("wacz")
    result = run_policycrawl("pack", "--out", str(work), "-o", str(tmp_path / "a.wacz"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "validated" in result.stderr
    check = subprocess.run([str(BIN / "wacz"), "validate", "-f", str(tmp_path / "a.wacz")], capture_output=True,
                           text=True)
    assert check.returncode == 0 and "valid" in check.stdout, check.stdout + check.stderr
    import zipfile

    with zipfile.ZipFile(tmp_path / "a.wacz") as z:
        names = z.namelist()
        pages = z.read("pages/pages.jsonl").decode().splitlines()
    assert {f"archive/{w.name}" for w in warcs} <= set(names)
    assert len(pages) == 1 + len(ARTICLES)
