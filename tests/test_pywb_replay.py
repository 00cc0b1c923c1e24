"""pywb (2.10), a replay tool we did not write, indexes our WARCs and replays every capture byte for byte.

What pywb does, measured here:
- `id_` replay of a gzip capture: to a client that accepts gzip, pywb sends the stored (still gzip) bytes with
  `Content-Encoding: gzip`; to one that does not, it decodes them and sends `X-Archive-Orig-Content-Encoding: gzip`.
  Both are checked: the stored payload verbatim, and the stored payload decoded.
- identical-payload-digest revisit: pywb finds the original through WARC-Refers-To-Target-URI/-Date and the digest
  (in another file too) and serves the revisit's status and headers with the original's payload.
- server-not-modified revisit holding the 304 it received: pywb replays the 304 as archived (empty body). Its
  ResolvingLoader skips the payload look-up for every 3xx revisit (resolvingloader.py), so the original is not
  fetched; the earlier 200 stays replayable at its own timestamp.
- pywb indexes conversion and metadata records under their WARC-Target-URI (only application/warc-fields ones are
  skipped): with the page URL there, the JSON record became the page's latest capture. Ours carry
  `urn:policycrawl:conversion:<url>`, and the test checks that the page's latest capture is the page.
- brotli: pywb depends on `brotlipy`, whose `brotli` package shadows Google's `brotli` module in the same venv. With
  Google's brotli 1.2, warcio (and so pywb) crash on br payloads (`'brotli.Decompressor' object has no attribute
  'unused_data'`); with brotlipy they work. policycrawl never asks for br, so no capture depends on it.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from archive.cdxj import index_path, iter_index_lines, write_index
from archive.warc import HttpExchange, WarcWriter
from archive.warc_format import sha1_digest
from archive.warc_read import decode_content, iter_records
from tests.conftest import run_policycrawl
from tests.test_archive_fidelity import cdxj_indexer_lines

BIN = Path(sys.executable).parent
pytestmark = pytest.mark.skipif(not (BIN / "wayback").exists(), reason="pywb is not installed (test extra)")
T0 = datetime(2024, 5, 12, 1, 2, 3, 456789, tzinfo=UTC)
HOST = "http://gov.example.cn"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def fetch(url: str, accept_encoding: str = "identity") -> tuple[int, dict[str, list[str]], bytes]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": accept_encoding})
    try:
        with _OPENER.open(request, timeout=20) as resp:
            status, headers, body = resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as err:
        status, headers, body = err.code, err.headers, err.read()
    grouped: dict[str, list[str]] = {}
    for name, value in headers.items():
        grouped.setdefault(name.lower(), []).append(value)
    return status, grouped, body


def _ts(warc_date: str) -> str:
    return "".join(c for c in warc_date[:19] if c.isdigit())


# -- a WARC with revisits, written directly ------------------------------------------------------------------------
def _exchange(url: str, *, status=200, reason="OK", headers=(), body=b"", when=T0) -> HttpExchange:
    target = "/" + url.split("/", 3)[3]
    return HttpExchange(url=url, method="GET", request_target=target,
                        request_headers=((b"Host", b"gov.example.cn"), (b"Accept-Encoding", b"gzip, deflate")),
                        request_body=b"", protocol="HTTP/1.1", status=status, reason=reason,
                        response_headers=tuple(headers), body=body, ip_address="127.0.0.1", fetched_at=when)


PLAIN = "<html><head><title>通知</title></head><body><p>关于推动新型工业化的通知</p></body></html>".encode() * 20
GZ = gzip.compress("<html><body><p>压缩的政策解读页面</p></body></html>".encode() * 40)


def _html(body: bytes, *extra: tuple[bytes, bytes]) -> tuple[tuple[bytes, bytes], ...]:
    return ((b"Content-Type", b"text/html; charset=utf-8"), *extra, (b"Content-Length", str(len(body)).encode()))


def write_revisit_warcs(directory: Path) -> dict[str, str]:
    """A response, then revisits of it a day (identical payload) and two days (304) later, in later files; a gzip
    capture and its revisit; a conversion record about the first capture. Returns capture name -> timestamp."""
    clock = iter([T0 + timedelta(days=3, seconds=i) for i in range(100)])
    writer = WarcWriter(directory, max_size=1, clock=lambda: next(clock))  # one exchange per file
    first = writer.write_exchange(_exchange(f"{HOST}/plain.html", headers=_html(PLAIN), body=PLAIN))
    gz = writer.write_exchange(_exchange(f"{HOST}/gz.html", headers=_html(GZ, (b"Content-Encoding", b"gzip")), body=GZ))
    day1, day2 = T0 + timedelta(days=1), T0 + timedelta(days=2)
    same = _exchange(f"{HOST}/plain.html", headers=_html(PLAIN, (b"X-Seen", b"again")), body=PLAIN, when=day1)
    writer.write_revisit(same, first, same.url, "2024-05-12T01:02:03.456789Z", "identical-payload-digest")
    same_gz = _exchange(f"{HOST}/gz.html", headers=_html(GZ, (b"Content-Encoding", b"gzip")), body=GZ, when=day1)
    writer.write_revisit(same_gz, gz, same_gz.url, "2024-05-12T01:02:03.456789Z", "identical-payload-digest")
    not_modified = _exchange(f"{HOST}/plain.html", status=304, reason="Not Modified", when=day2,
                             headers=((b"ETag", b'"v1"'),))
    writer.write_revisit(not_modified, first, not_modified.url, "2024-05-12T01:02:03.456789Z", "server-not-modified")
    writer.write_metadata(first, f"{HOST}/plain.html", json.dumps({"title": "通知"}, ensure_ascii=False).encode())
    writer.close()
    return {"original": _ts("2024-05-12T01:02:03"), "revisit": _ts(day1.isoformat()), "304": _ts(day2.isoformat())}


# -- pywb ---------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def pywb(tmp_path_factory):
    root = tmp_path_factory.mktemp("pywb")
    demo = root / "crawl"
    result = run_policycrawl("demo", "--out", str(demo), "-s", "POLICYCRAWL_EXTRACT_WORKERS=2")
    assert result.returncode == 0, result.stderr[-3000:]
    demo_warcs = sorted((demo / "warc").glob("*.warc.gz"))
    revisit_dir = root / "revisits"
    stamps = write_revisit_warcs(revisit_dir)
    revisit_warcs = sorted(revisit_dir.glob("*.warc.gz"))
    site = root / "site"
    site.mkdir()
    env = {**os.environ}
    for coll, warcs in (("demo", demo_warcs), ("rev", revisit_warcs)):
        subprocess.run([str(BIN / "wb-manager"), "init", coll], cwd=site, check=True, capture_output=True, timeout=60)
        subprocess.run([str(BIN / "wb-manager"), "add", coll, *map(str, warcs)], cwd=site, check=True,
                       capture_output=True, timeout=60)
    port = _free_port()
    log = open(root / "wayback.log", "wb")
    proc = subprocess.Popen([str(BIN / "wayback"), "-p", str(port), "-b", "127.0.0.1", "-t", "8"], cwd=site,
                            stdout=log, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                fetch(base + "/")
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("wayback did not start: " + (root / "wayback.log").read_text()[-2000:])
                time.sleep(0.2)
        yield {"base": base, "site": site, "demo_warcs": demo_warcs, "revisit_warcs": revisit_warcs,
               "stamps": stamps}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


def test_pywb_replays_every_demo_capture_byte_identical(pywb):
    base = pywb["base"] + "/demo"
    checked = gzip_verbatim = 0
    for path in pywb["demo_warcs"]:
        for rec in iter_records(path):
            if rec.rec_type != "response":
                continue
            url, ts = rec.target_uri, _ts(rec.headers.get("WARC-Date"))
            stored_encoding = rec.http.header(b"Content-Encoding")
            status, headers, body = fetch(f"{base}/{ts}id_/{url}")
            assert status == rec.http.status, (url, status)
            if 300 <= status < 400:
                assert headers["location"] == [rec.http.header(b"Location").decode()], url
            # No Accept-Encoding: pywb undoes Content-Encoding and says what it was.
            assert body == decode_content(rec.payload, stored_encoding), url
            if stored_encoding:
                assert headers["x-archive-orig-content-encoding"] == [stored_encoding.decode()], url
                # A client that accepts gzip gets the stored bytes verbatim.
                status, headers, raw = fetch(f"{base}/{ts}id_/{url}", accept_encoding="gzip")
                assert headers.get("content-encoding") == [stored_encoding.decode()] and raw == rec.payload, url
                gzip_verbatim += 1
            checked += 1
    print(f"\n[pywb] {checked} captures replayed byte-identical, {gzip_verbatim} of them also verbatim gzip")
    assert checked >= 100 and gzip_verbatim >= 50


def test_pywb_follows_the_archived_redirect_chain(pywb):
    base = pywb["base"] + "/demo"
    redirects = [rec for p in pywb["demo_warcs"] for rec in iter_records(p)
                 if rec.rec_type == "response" and 300 <= rec.http.status < 400]
    assert redirects
    for rec in redirects:
        url, ts = rec.target_uri, _ts(rec.headers.get("WARC-Date"))
        hops = 0
        while True:
            status, headers, body = fetch(f"{base}/{ts}id_/{url}")
            if not 300 <= status < 400:
                break
            url = urllib.request.urljoin(url, headers["location"][0])
            hops += 1
            assert hops < 10
        assert status == 200 and hops >= 1 and b"<html" in body.lower()


def test_article_url_replays_the_page_not_its_conversion_record(pywb):
    base = pywb["base"] + "/demo"
    conversions = [rec for p in pywb["demo_warcs"] for rec in iter_records(p) if rec.rec_type == "conversion"]
    assert len(conversions) > 50
    for conv in conversions[:20]:
        page_url = conv.target_uri.removeprefix("urn:policycrawl:conversion:")
        assert page_url.startswith("http://127.0.0.1:")
        status, headers, body = fetch(f"{base}/id_/{page_url}")  # latest capture, no timestamp
        assert status == 200 and headers["content-type"][0].startswith("text/html"), page_url


def test_pywb_resolves_revisits(pywb):
    base, stamps = pywb["base"] + "/rev", pywb["stamps"]
    # identical-payload-digest: the revisit's own headers, the original's payload (found in another file).
    status, headers, body = fetch(f"{base}/{stamps['revisit']}id_/{HOST}/plain.html")
    assert status == 200 and headers["x-seen"] == ["again"] and body == PLAIN
    assert sha1_digest(body) == sha1_digest(PLAIN)
    status, headers, raw = fetch(f"{base}/{stamps['revisit']}id_/{HOST}/gz.html", accept_encoding="gzip")
    assert status == 200 and raw == GZ
    status, headers, body = fetch(f"{base}/{stamps['revisit']}id_/{HOST}/gz.html")
    assert body == gzip.decompress(GZ)
    # The original is still itself.
    status, headers, body = fetch(f"{base}/{stamps['original']}id_/{HOST}/plain.html")
    assert status == 200 and "x-seen" not in headers and body == PLAIN
    # server-not-modified: pywb replays the archived 304 as it was received (3xx revisits are never resolved).
    status, headers, body = fetch(f"{base}/{stamps['304']}id_/{HOST}/plain.html")
    assert status == 304 and body == b""
    # The conversion record, written last, is not the page's latest capture: the 304 is (see the module docstring).
    status, headers, body = fetch(f"{base}/id_/{HOST}/plain.html")
    assert status == 304 and "application/json" not in str(headers)


def test_pywb_cdx_api_lists_revisits_with_their_originals(pywb):
    status, _, body = fetch(f"{pywb['base']}/rev/cdx?url={HOST}/plain.html&output=json")
    assert status == 200
    lines = [json.loads(line) for line in body.decode().splitlines()]
    assert [line["mime"] for line in lines].count("warc/revisit") == 2
    assert all(line["url"] == f"{HOST}/plain.html" for line in lines)


def test_our_cdxj_agrees_with_cdxj_indexer_and_pywb_on_the_demo(pywb, tmp_path):
    total = 0
    for path in [*pywb["demo_warcs"], *pywb["revisit_warcs"]]:
        copy = tmp_path / path.name
        shutil.copyfile(path, copy)
        assert write_index(copy).read_text().splitlines() == cdxj_indexer_lines(copy)
        total += len(index_path(copy).read_text().splitlines())
    # pywb's own indexer (wb-manager add): same keys, timestamps, offsets and lengths for every capture we index.
    for coll, warcs in (("demo", pywb["demo_warcs"]), ("rev", pywb["revisit_warcs"])):
        theirs = set()
        for line in (pywb["site"] / "collections" / coll / "indexes" / "index.cdxj").read_text().splitlines():
            key, ts, data = line.split(" ", 2)
            fields = json.loads(data)
            theirs.add((key, ts, fields["offset"], fields["length"], fields["filename"]))
        ours = set()
        for path in warcs:
            for line in iter_index_lines(path):
                key, ts, data = line.split(" ", 2)
                fields = json.loads(data)
                ours.add((key, ts, fields["offset"], fields["length"], fields["filename"]))
        assert ours <= theirs
        # What pywb indexes beyond ours: only the conversion records (under their urn: target).
        assert all(key.startswith("urn:policycrawl:") for key, *_ in theirs - ours)
    print(f"\n[cdxj] {total} index lines identical to cdxj-indexer's")
    assert total >= 140
