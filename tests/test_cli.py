"""The command line as a user runs it: sources, fetch, user profiles, scrapy crawl, extract of HTML, locking."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from archive.fsutil import RunLock
from crawler import exitcodes
from crawler.demo.replica import ReplicaServer
from tests.conftest import LOOPBACK_SETTINGS, REPO, run_policycrawl
from tests.servers import Route, RouteServer, html_page

HTML = [("Content-Type", "text/html; charset=utf-8")]
BODY = "".join(
    f"<p>{s}</p>"
    for s in (
        "佛山市出台支持工业企业数字化转型的专项政策，对智能工厂建设给予奖励。",
        "政策提出，到2026年全市规上工业企业数字化转型覆盖率达到百分之八十。",
        "市工业和信息化局有关负责人表示，将组织服务商深入园区开展诊断服务。",
    )
)


def _page(n: int) -> bytes:
    return html_page(f"佛山数字化转型政策解读{n}", f"<h1>佛山数字化转型政策解读{n}</h1><p>2024年05月1{n}日 08:30</p><article>{BODY}</article>")


def _lines(out: Path) -> list[dict]:
    return [json.loads(line) for f in (out / "records").glob("*.jsonl") for line in f.read_text("utf-8").splitlines()]


def test_sources_lists_the_builtin_profiles():
    result = run_policycrawl("sources")
    assert result.returncode == 0
    ids = {line.split()[0] for line in result.stdout.splitlines()}
    assert {"jiemian", "ccpa", "tuituisoft", "netease", "dutenews", "gd_gov", "gz_gov", "sz_gov"} <= ids
    assert "440300" in result.stdout  # Shenzhen's administrative code is shown


def test_fetch_archives_exactly_the_given_pages(out_dir: Path, tmp_path: Path):
    routes = {f"/p/{n}.html": Route(200, HTML, _page(n)) for n in (1, 2, 3)}
    routes["/p/index.html"] = Route(200, HTML, html_page("x", '<a href="/p/3.html">3</a>'))
    with RouteServer(routes) as server:
        urls = tmp_path / "urls.txt"
        urls.write_text(f"# pages to keep\n{server.base}/p/2.html\n")
        result = run_policycrawl("fetch", f"{server.base}/p/1.html", "--urls", str(urls), "--out", str(out_dir),
                                 "--allow-loopback", *LOOPBACK_SETTINGS)
        assert result.returncode == 0, result.stderr[-2000:]
        assert server.hits["/p/3.html"] == 0  # fetch does not follow links
    lines = _lines(out_dir)
    assert sorted(r["url"].rsplit("/", 1)[1] for r in lines) == ["1.html", "2.html"]
    assert lines[0]["published"].startswith("2024-05-1") and lines[0]["published"].endswith("08:30+08:00")


def test_loopback_is_refused_unless_allowed(out_dir: Path):
    with RouteServer({"/p/1.html": Route(200, HTML, _page(1))}) as server:
        result = run_policycrawl("fetch", f"{server.base}/p/1.html", "--out", str(out_dir), "-s", "DOWNLOAD_DELAY=0")
        assert result.returncode == exitcodes.INCOMPLETE  # the page asked for was not archived
        assert server.hits["/p/1.html"] == 0
    assert "refused" in result.stderr and "loopback" in result.stderr
    assert _lines(out_dir) == []


def test_user_profile_file_drives_a_crawl(out_dir: Path, tmp_path: Path):
    listing = html_page("列表", '<div class="news"><a href="/n/1.html">一</a><a href="/n/2.html">二</a></div><a href="/about.html">关于</a>')
    routes = {"/list/": Route(200, HTML, listing), "/n/1.html": Route(200, HTML, _page(1)), "/n/2.html": Route(200, HTML, _page(2)),
              "/about.html": Route(200, HTML, _page(9))}
    with RouteServer(routes) as server:
        profile = tmp_path / "mine.toml"
        profile.write_text(
            f'id = "foshan_test"\nname = "佛山测试站"\nstart_urls = ["{server.base}/list/"]\n'
            f"article_patterns = ['/n/\\d+\\.html$']\narticle_area = \"div.news\"\n"
            f'[region]\nprovince = "广东省"\ncity = "佛山市"\ncode = "440600"\n',
            encoding="utf-8",
        )
        result = run_policycrawl("crawl", "foshan_test", "--sources", str(profile), "--out", str(out_dir),
                                 "--allow-loopback", *LOOPBACK_SETTINGS)
        assert result.returncode == 0, result.stderr[-2000:]
        assert server.hits["/about.html"] == 0
    lines = _lines(out_dir)
    assert len(lines) == 2
    assert {r["source"] for r in lines} == {"foshan_test"}
    assert lines[0]["region"]["code"] == "440600" and lines[0]["site_name"] == "佛山测试站"
    assert "foshan_test" in result.stderr  # the summary table names the source


def test_locked_output_directory_exits_3_and_writes_nothing(out_dir: Path):
    with RouteServer({"/p/1.html": Route(200, HTML, _page(1))}) as server:
        with RunLock(out_dir / "state"):
            result = run_policycrawl("fetch", f"{server.base}/p/1.html", "--out", str(out_dir), "--allow-loopback",
                                     *LOOPBACK_SETTINGS)
        assert result.returncode == exitcodes.LOCKED
        assert "locked" in result.stderr
        assert server.hits["/p/1.html"] == 0
    assert not (out_dir / "warc").exists() and not (out_dir / "records").exists()


def test_scrapy_crawl_from_the_repo_root(out_dir: Path):
    with ReplicaServer() as replica:
        base = replica.base_urls["dutenews"]
        result = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "policy", "-a", "source=dutenews",
             "-s", f"POLICYCRAWL_OUT={out_dir}", "-s", "POLICYCRAWL_REBASE=" + json.dumps({"dutenews": base}),
             "-s", "POLICYCRAWL_LOOPBACK_ONLY=1", "-s", "DOWNLOAD_DELAY=0", "-s", "POLICYCRAWL_EXTRACT_WORKERS=1"],
            cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, timeout=240,
        )
        assert result.returncode == 0, result.stderr[-3000:]
    lines = _lines(out_dir)
    assert len(lines) >= 10 and {r["source"] for r in lines} == {"dutenews"}


def test_extract_html_files_without_network(tmp_path: Path):
    page = tmp_path / "a.html"
    page.write_bytes(_page(4))
    out = tmp_path / "o.jsonl"
    result = run_policycrawl("extract", str(page), "-o", str(out), "--base-url", "https://www.example.cn/news/")
    assert result.returncode == 0, result.stderr
    (record,) = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert record["url"] == "https://www.example.cn/news/a.html"
    assert record["title"] == "佛山数字化转型政策解读4" and "百分之八十" in record["text"]


def test_page_budget_stops_the_run_and_the_summary_says_so(out_dir: Path, tmp_path: Path):
    links = "".join(f'<a href="/n/{n}.html">{n}</a>' for n in range(1, 6))
    routes = {"/list/": Route(200, HTML, html_page("列表", links))}
    routes.update({f"/n/{n}.html": Route(200, HTML, _page(n % 10)) for n in range(1, 6)})
    with RouteServer(routes) as server:
        result = run_policycrawl("crawl", "--start", f"{server.base}/list/", "--follow", r"/n/\d+\.html$",
                                 "--max-pages", "3", "--out", str(out_dir), "--allow-loopback", *LOOPBACK_SETTINGS)
        assert result.returncode == 0, result.stderr[-2000:]
        assert sum(server.hits[f"/n/{n}.html"] for n in range(1, 6)) == 2  # the listing took one request
    assert len(_lines(out_dir)) == 2
    assert "not-fetched-over-budget=" in result.stderr
