"""Issue 12, as a user meets the command line: safe extract, re-extraction from our own WARCs, truthful exit codes,
messages that name the path, a quiet terminal. Real crawls of loopback servers through the real CLI."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
import socket
from pathlib import Path

import pytest

from archive.warc_read import iter_records

from crawler import exitcodes
from tests.conftest import LOOPBACK_SETTINGS, run_policycrawl
from tests.servers import Route, RouteServer, html_page

HTML = [("Content-Type", "text/html; charset=utf-8")]
PARAS = (
    "江门市出台支持先进制造业集群发展的若干措施，对重点项目给予用地和资金保障。",
    "措施提出，到2027年全市先进制造业增加值占规上工业比重达到百分之六十以上。",
    "市发展改革局有关负责人表示，将建立重点企业服务专员制度，协调解决实际困难。",
)
N_ARTICLES = 4


def _article(n: int) -> bytes:
    body = "".join(f"<p>{p}（第{n}篇）</p>" for p in PARAS)
    return html_page(f"江门先进制造业政策解读{n}",
                     f"<h1>江门先进制造业政策解读{n}</h1><p>2024年06月1{n}日 09:00</p><article>{body}</article>")


def _listing() -> bytes:
    items = "".join(f'<li><a href="/art/{n}.html">江门先进制造业政策解读{n}</a><span>2024-06-1{n}</span></li>'
                    for n in range(1, N_ARTICLES + 1))
    return html_page("政策解读", f"<ul>{items}</ul>")


def _routes() -> dict[str, Route]:
    routes = {"/list/": Route(200, HTML, _listing()),
              "/robots.txt": Route(200, [("Content-Type", "text/plain")], b"User-agent: *\nAllow: /\n")}
    routes.update({f"/art/{n}.html": Route(200, HTML, _article(n)) for n in range(1, N_ARTICLES + 1)})
    return routes


def _records(out: Path) -> list[dict]:
    return [json.loads(line) for f in sorted((out / "records").glob("*.jsonl")) for line in f.read_text("utf-8").splitlines()]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def crawled(tmp_path_factory) -> Path:
    """Two runs over one site: the first with tiny WARC files (rotation splits responses from their conversion
    records), the second finds nothing new (a WARC with listing and robots.txt only, no conversion record)."""
    out = tmp_path_factory.mktemp("crawled") / "out"
    with RouteServer(_routes()) as server:
        for extra in (("-s", "POLICYCRAWL_WARC_MAX_SIZE=2500"), ()):
            result = run_policycrawl("crawl", "--start", f"{server.base}/list/", "--follow", r"/art/\d+\.html$",
                                     "--out", str(out), "--allow-loopback", *LOOPBACK_SETTINGS, *extra)
            assert result.returncode == 0, result.stderr[-2000:]
    assert len(_records(out)) == N_ARTICLES
    return out


# -- 1. extract never overwrites its input or the archive -------------------------------------------------------
def test_extract_refuses_to_write_over_an_input_warc(crawled: Path):
    warcs = sorted((crawled / "warc").glob("*.warc.gz"))
    before = {w: _sha(w) for w in warcs}
    result = run_policycrawl("extract", "-o", str(warcs[0]), *map(str, warcs))
    assert result.returncode == exitcodes.USAGE
    (line,) = result.stderr.strip().splitlines()
    assert str(warcs[0]) in line
    assert {w: _sha(w) for w in warcs} == before
    assert not list((crawled / "warc").glob(".*partial*"))


def test_extract_refuses_any_output_under_warc(crawled: Path, tmp_path: Path):
    warcs = sorted((crawled / "warc").glob("*.warc.gz"))
    target = crawled / "warc" / "rebuilt.jsonl"
    result = run_policycrawl("extract", "-o", str(target), str(warcs[0]))
    assert result.returncode == exitcodes.USAGE and str(target) in result.stderr
    assert not target.exists()
    html = tmp_path / "page.html"
    html.write_bytes(_article(1))
    result = run_policycrawl("extract", "-o", str(html), str(html))  # an HTML input is an input too
    assert result.returncode == exitcodes.USAGE and str(html) in result.stderr
    assert html.read_bytes() == _article(1)


def test_failed_extract_leaves_no_partial_file(crawled: Path, tmp_path: Path):
    # A WARC that stops being a WARC half-way: the extraction fails, and nothing of it stays behind.
    warc = sorted((crawled / "warc").glob("*.warc.gz"))[0]
    broken = tmp_path / "broken.warc.gz"
    broken.write_bytes(warc.read_bytes() + b"this is not a gzip member at all\n" * 50)
    out = tmp_path / "o.jsonl"
    result = run_policycrawl("extract", "-o", str(out), "--workers", "1", str(broken))
    assert [p.name for p in tmp_path.iterdir() if "partial" in p.name] == []
    assert str(broken) in result.stderr
    if result.returncode != exitcodes.OK:
        assert not out.exists()


# -- 2. re-extraction from the project's own WARCs ---------------------------------------------------------------
def test_extract_rebuilds_exactly_the_articles_across_runs_and_rotation(crawled: Path, tmp_path: Path):
    out = tmp_path / "rebuilt.jsonl"
    warcs = sorted((crawled / "warc").glob("*.warc.gz"))
    # Rotation really put some articles' conversion records into a later file than their responses.
    split = 0
    for warc in warcs:
        recs = list(iter_records(warc))
        responses = {r.record_id for r in recs if r.rec_type == "response" and "/art/" in (r.target_uri or "")}
        split += len(responses - {r.headers.get("WARC-Refers-To") for r in recs if r.rec_type == "conversion"})
    assert split >= 1
    result = run_policycrawl("extract", *map(str, warcs), "-o", str(out), "--workers", "1")
    assert result.returncode == 0, result.stderr[-2000:]
    rebuilt = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    live = _records(crawled)
    assert sorted(r["url"] for r in rebuilt) == sorted(r["url"] for r in live)
    assert {r["source"] for r in rebuilt} == {"adhoc"}
    assert not any(r["url"].endswith(("/list/", "robots.txt")) for r in rebuilt)


def test_a_run_without_new_articles_is_still_our_warc(crawled: Path, tmp_path: Path):
    # The second run's WARC holds only the listing page and robots.txt: no conversion record at all.
    warcs = sorted((crawled / "warc").glob("*.warc.gz"), key=lambda p: p.stat().st_mtime)
    last = warcs[-1]
    assert b"WARC-Type: conversion" not in gzip.decompress(last.read_bytes())
    out = tmp_path / "o.jsonl"
    result = run_policycrawl("extract", str(last), "-o", str(out), "--workers", "1")
    assert result.returncode == 0, result.stderr[-2000:]
    assert out.read_text("utf-8") == ""  # the listing page is not an article


def test_foreign_warc_robots_txt_is_never_an_article(tmp_path: Path):
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    path = tmp_path / "foreign.warc.gz"
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        robots = ("User-agent: *\n" + "Disallow: /private/\n" * 40).encode()
        for url, ctype, body in (("https://www.example.cn/robots.txt", None, robots),
                                 ("https://www.example.cn/a.html", "text/html; charset=utf-8", _article(1))):
            headers = [("Content-Type", ctype)] if ctype else []
            http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                          http_headers=http))
    out = tmp_path / "o.jsonl"
    result = run_policycrawl("extract", str(path), "-o", str(out), "--workers", "1")
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["url"] for line in out.read_text("utf-8").splitlines()] == ["https://www.example.cn/a.html"]


@pytest.mark.parametrize("name, says", [
    ("crawl.wacz", "WACZ"),
    ("policycrawl-1.warc.gz.open", "still being written"),
    ("records.jsonl", "JSON records"),
    ("notes.txt", "neither a WARC file nor an HTML page"),
    ("missing.html", "no such file"),
])
def test_extract_names_what_it_cannot_read(tmp_path: Path, name: str, says: str):
    path = tmp_path / name
    if name != "missing.html":
        path.write_bytes(b'{"id": "x"}\n' if name.endswith("jsonl") else b"PK\x03\x04 plain words, no markup\n")
    result = run_policycrawl("extract", str(path), "-o", str(tmp_path / "o.jsonl"))
    assert result.returncode == exitcodes.USAGE
    (line,) = result.stderr.strip().splitlines()
    assert str(path) in line and says in line
    assert not (tmp_path / "o.jsonl").exists()


def test_truncated_warc_is_extracted_with_a_warning(crawled: Path, tmp_path: Path):
    warc = max((crawled / "warc").glob("*.warc.gz"), key=lambda p: p.stat().st_size)
    cut = tmp_path / "cut.warc.gz"
    data = warc.read_bytes()
    cut.write_bytes(data[: len(data) - 40])
    out = tmp_path / "o.jsonl"
    result = run_policycrawl("extract", str(cut), "-o", str(out), "--workers", "1")
    assert "warning" in result.stderr and str(cut) in result.stderr


def test_extract_writes_to_stdout_with_dash(crawled: Path):
    warcs = sorted((crawled / "warc").glob("*.warc.gz"))
    result = run_policycrawl("extract", *map(str, warcs), "-o", "-", "--workers", "1")
    assert result.returncode == 0, result.stderr
    assert len([json.loads(line) for line in result.stdout.splitlines()]) == N_ARTICLES


# -- 4. exit codes tell the truth -----------------------------------------------------------------------------
def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_crawl_where_no_host_answers_is_not_success(tmp_path: Path):
    port = _closed_port()
    result = run_policycrawl("crawl", "--start", f"http://127.0.0.1:{port}/list/", "--out", str(tmp_path / "o"),
                             "--allow-loopback", *LOOPBACK_SETTINGS, "-s", "RETRY_TIMES=0")
    assert result.returncode == exitcodes.INCOMPLETE, result.stderr[-2000:]
    assert "no host answered" in result.stderr


def test_fetch_of_a_404_or_refused_url_is_not_success(tmp_path: Path):
    port = _closed_port()
    with RouteServer(_routes()) as server:
        result = run_policycrawl("fetch", f"{server.base}/art/1.html", f"{server.base}/gone.html",
                                 f"http://127.0.0.1:{port}/x.html", "--out", str(tmp_path / "o"), "--allow-loopback",
                                 *LOOPBACK_SETTINGS, "-s", "RETRY_TIMES=0")
    assert result.returncode == exitcodes.INCOMPLETE, result.stderr[-2000:]
    assert "http-404=1" in result.stderr and "2 page(s) not archived" in result.stderr
    assert len(_records(tmp_path / "o")) == 1


def test_fetch_of_an_unchanged_url_writes_no_second_line(tmp_path: Path):
    """`fetch` of an archived URL is a re-check: unchanged → a WARC revisit and no second JSONL line; changed → a
    full capture and one new line that `replaces` the first version's WARC record."""
    from warcio.archiveiterator import ArchiveIterator

    out = tmp_path / "o"
    with RouteServer(_routes()) as server:
        url = f"{server.base}/art/1.html"

        def fetch():
            result = run_policycrawl("fetch", url, "--out", str(out), "--allow-loopback", *LOOPBACK_SETTINGS)
            assert result.returncode == exitcodes.OK, result.stderr[-2000:]

        fetch()
        fetch()
        assert server.hits["/art/1.html"] == 2
        lines = _records(out)
        assert len(lines) == 1, [line["url"] for line in lines]
        kinds = []
        for warc in sorted((out / "warc").glob("*.warc.gz")):
            with open(warc, "rb") as fh:
                kinds += [r.rec_type for r in ArchiveIterator(fh)
                          if r.rec_headers.get_header("WARC-Target-URI") == url and r.rec_type in ("response", "revisit")]
        assert kinds == ["response", "revisit"], kinds
        server.routes["/art/1.html"] = Route(200, HTML, _article(1).replace("（第1篇）".encode(), "（第1篇，修订）".encode()))
        fetch()
    lines = _records(out)
    assert len(lines) == 2 and "修订" in lines[1]["text"], [line["url"] for line in lines]
    assert lines[1]["replaces"] == lines[0]["warc"]["record_id"]


def test_closespider_stop_is_success_with_a_note(tmp_path: Path):
    with RouteServer(_routes()) as server:
        result = run_policycrawl("crawl", "--start", f"{server.base}/list/", "--follow", r"/art/\d+\.html$",
                                 "--out", str(tmp_path / "o"), "--allow-loopback", *LOOPBACK_SETTINGS,
                                 "-s", "CLOSESPIDER_ITEMCOUNT=1", "-s", "CONCURRENT_REQUESTS=1")
    assert result.returncode == exitcodes.OK, result.stderr[-2000:]
    assert "CLOSESPIDER_ITEMCOUNT" in result.stderr


@pytest.mark.parametrize("args, says", [
    (("crawl", "-s", "DOWNLOAD_DELAY"), "NAME=VALUE"),
    (("crawl", "-s", "DOWNLOAD_DELAY=fast"), "DOWNLOAD_DELAY"),
    (("crawl", "-s", "POLICYCRAWL_KNOWN_PAGES=one"), "POLICYCRAWL_KNOWN_PAGES"),
    (("fetch",), "give URLs"),
    (("crawl", "--sources", "{tmp}/nope.toml"), "{tmp}/nope.toml"),
    (("sources", "--sources", "{tmp}/bad.toml"), "{tmp}/bad.toml"),
    (("crawl", "gd_gov", "--start", "http://127.0.0.1:9/"), "not both"),
    (("crawl", "--follow", "/a/"), "--follow"),
    (("fetch", "--urls", "{tmp}/list.txt"), "{tmp}/list.txt"),
])
def test_bad_command_lines_exit_2_with_one_line(tmp_path: Path, args, says):
    (tmp_path / "bad.toml").write_text('id = "bad"\nname = "Bad"\nstart_urls = ["https://www.example.cn/"]\n'
                                       'download_delay = "3 seconds"\n')
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = run_policycrawl(*args, "--out", str(tmp_path / "o")) if args[0] != "sources" else run_policycrawl(*args)
    assert result.returncode == exitcodes.USAGE, result.stderr[-1500:]
    (line,) = result.stderr.strip().splitlines()
    assert says.replace("{tmp}", str(tmp_path)) in line
    assert not (tmp_path / "o").exists()


def test_unwritable_output_is_named(tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run_policycrawl("crawl", "--start", "http://127.0.0.1:9/", "--out", str(blocker / "sub"),
                             "--allow-loopback", *LOOPBACK_SETTINGS)
    assert result.returncode == exitcodes.FATAL
    (line,) = result.stderr.strip().splitlines()
    assert str(blocker) in line and "Error(" not in line


def test_version():
    result = run_policycrawl("--version")
    assert result.returncode == 0 and re.match(r"policycrawl \d", result.stdout)


# -- 3. a profile's download_delay is a floor ------------------------------------------------------------------
def test_profile_download_delay_is_a_floor_under_autothrottle(tmp_path: Path):
    from tests.hostile_servers import ListingSite, Server, profile_toml

    delay = 0.8
    with Server(ListingSite(5, 10)) as server:
        profile = tmp_path / "p.toml"
        profile.write_text(profile_toml("floor_site", server.base, concurrency=1, delay=delay), encoding="utf-8")
        # AutoThrottle on (the default), crawl-wide DOWNLOAD_DELAY 0: only the profile's delay holds the gaps up.
        result = run_policycrawl("crawl", "floor_site", "--sources", str(profile), "--out", str(tmp_path / "o"),
                                 "--allow-loopback", "-s", "POLICYCRAWL_LOOPBACK_ONLY=1", "-s", "DOWNLOAD_DELAY=0",
                                 "-s", "AUTOTHROTTLE_ENABLED=1", "-s", "POLICYCRAWL_EXTRACT_WORKERS=1")
        assert result.returncode == 0, result.stderr[-2000:]
        times = server.all_times()
    assert len(times) == 7  # robots.txt, listing, 5 articles
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert min(gaps) >= delay * 0.9, [round(g, 2) for g in gaps]  # a first connection shortens one gap a little


# -- 6. a quiet terminal -------------------------------------------------------------------------------------
QUIET = ("-s", "POLICYCRAWL_LOOPBACK_ONLY=1", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0",
         "-s", "POLICYCRAWL_EXTRACT_WORKERS=1")


def test_crawl_output_without_a_terminal_is_short_and_the_log_is_in_a_file(tmp_path: Path):
    from tests.hostile_servers import ListingSite, Server, profile_toml

    # 14 requests at 0.25 s each, two at a time: the crawl lasts well over the 1 s progress interval however fast
    # the machine is (with 0.05 s and a 2 s interval an idle machine finished before the first line).
    with Server(ListingSite(12, 10), latency=0.25) as server:
        profile = tmp_path / "p.toml"
        profile.write_text(profile_toml("quiet_site", server.base, concurrency=2), encoding="utf-8")
        result = run_policycrawl("crawl", "quiet_site", "--sources", str(profile), "--out", str(tmp_path / "o"),
                                 "--allow-loopback", *QUIET, "-s", "POLICYCRAWL_PROGRESS_INTERVAL=1")
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stderr.splitlines()
    assert len(lines) <= 20, result.stderr
    assert not any(re.search(r"\b(DEBUG|INFO)\b|Deprecat|Traceback", line) for line in lines), result.stderr
    assert any(line.startswith("policycrawl: ") and "pages fetched" in line for line in lines)  # periodic progress
    assert "quiet_site" in result.stderr  # the summary table
    (log,) = (tmp_path / "o" / "logs").glob("*.log")
    text = log.read_text("utf-8")
    assert "Spider opened" in text and "Dumping Scrapy stats" in text and str(log) in result.stderr
    assert max(len(line) for line in text.splitlines()) < 5000  # no page bodies in log lines


def test_dropped_pages_are_logged_by_url_never_with_their_body(tmp_path: Path):
    big_listing = html_page("列表", "<ul>" + "".join(f"<li><a href='/n/{i}.html'>新闻标题第{i}条</a></li>"
                                                     for i in range(2000)) + "</ul>")
    routes = {"/list/": Route(200, HTML, html_page("首页", '<a href="/art/1.html">x</a>')),
              "/art/1.html": Route(200, HTML, big_listing)}
    with RouteServer(routes) as server:
        result = run_policycrawl("crawl", "--start", f"{server.base}/list/", "--follow", r"/art/\d+\.html$",
                                 "--out", str(tmp_path / "o"), "--allow-loopback", *QUIET, "-v", "-v")
    assert result.returncode == 0, result.stderr[-2000:]
    (log,) = (tmp_path / "o" / "logs").glob("*.log")
    text = log.read_text("utf-8")
    assert "Dropped: not-an-article" in text
    assert "新闻标题第1999条" not in text and "新闻标题第1999条" not in result.stderr


def test_crawl_on_a_terminal_shows_live_progress_and_at_most_20_lines(tmp_path: Path):
    import os
    import pty
    import select
    import subprocess
    import sys

    import pyte

    from tests.conftest import REPO
    from tests.hostile_servers import ListingSite, Server, profile_toml

    with Server(ListingSite(30, 10), latency=0.05) as server:
        profile = tmp_path / "p.toml"
        profile.write_text(profile_toml("tty_site", server.base, concurrency=1), encoding="utf-8")
        master, slave = pty.openpty()
        import fcntl
        import struct
        import termios

        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 120, 0, 0))
        proc = subprocess.Popen(
            [sys.executable, "-m", "crawler.cli", "crawl", "tty_site", "--sources", str(profile),
             "--out", str(tmp_path / "o"), "--allow-loopback", *QUIET],
            stdin=slave, stdout=slave, stderr=slave, cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO), "TERM": "xterm-256color", "COLUMNS": "120", "LINES": "50"},
        )
        os.close(slave)
        raw = b""
        while True:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                raw += chunk
            elif proc.poll() is not None:
                break
        proc.wait(timeout=120)
        os.close(master)
    assert proc.returncode == 0, raw.decode("utf-8", "replace")[-2000:]
    text = raw.decode("utf-8", "replace")
    assert "listings" in text and "rate/s" in text  # the live table was drawn
    screen = pyte.Screen(120, 200)
    stream = pyte.ByteStream(screen)
    stream.feed(raw.replace(b"\n", b"\r\n") if b"\r\n" not in raw else raw)
    shown = [line.rstrip() for line in screen.display]
    while shown and not shown[-1]:
        shown.pop()
    assert 3 <= len(shown) <= 20, "\n".join(shown)
    assert any("tty_site" in line for line in shown)  # the summary table stays
    assert not any("rate/s" in line for line in shown)  # the live table is gone


# -- 5. Scrapy conventions -------------------------------------------------------------------------------------
def test_scrapy_feed_export_writes_the_same_records_as_the_pipeline(tmp_path: Path):
    import os
    import subprocess
    import sys

    from tests.conftest import REPO

    out, feed = tmp_path / "out", tmp_path / "items.jsonl"
    with RouteServer(_routes()) as server:
        result = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "policy", "-a", f"start={server.base}/list/",
             "-a", r"follow=/art/\d+\.html$", "-O", str(feed), "-s", f"POLICYCRAWL_OUT={out}",
             "-s", "POLICYCRAWL_ALLOW_LOOPBACK=1", *LOOPBACK_SETTINGS],
            cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "not JSON serializable" not in result.stderr
    exported = [json.loads(line) for line in feed.read_text("utf-8").splitlines()]
    assert len(exported) == N_ARTICLES
    assert sorted(exported, key=lambda r: r["id"]) == sorted(_records(out), key=lambda r: r["id"])


# -- 7. records ------------------------------------------------------------------------------------------------
def _extract_page(head: str, body: str):
    from extractors import SourceInfo, extract

    html = (f"<html><head><meta charset='utf-8'><title>深圳推进新型工业化</title>{head}</head><body>"
            f"<h1>深圳推进新型工业化</h1><p>2024-06-12 09:00</p>{body}"
            + "".join(f"<p>{p}</p>" for p in PARAS) + "</body></html>").encode("utf-8")
    return extract(html, "https://www.example.cn/a/1.html", (("Content-Type", "text/html; charset=utf-8"),),
                   source=SourceInfo(id="t"))


def test_meta_author_loses_the_reporter_role_words():
    record = _extract_page("<meta name='author' content='深圳特区报记者 彭锐'>", "")
    assert record.status == "ok" and record.author == "彭锐"


def test_a_photo_credit_is_not_the_original_source():
    record = _extract_page("", "<figure><img src='/p.jpg'><figcaption>图片来源：视觉中国</figcaption></figure>")
    assert record.original_source != "视觉中国"
