"""Long paginations are walked to the profile's limit: no article is dropped for being many pages deep."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import LOOPBACK_SETTINGS, run_policycrawl
from tests.servers import Route, RouteServer, html_page

HTML = [("Content-Type", "text/html; charset=utf-8")]
PAGES = 14


def _routes() -> dict[str, Route]:
    routes = {}
    for n in range(1, PAGES + 1):
        nxt = f'<a class="next" href="/list/{n + 1}.html">下一页</a>' if n < PAGES else ""
        routes[f"/list/{n}.html"] = Route(200, HTML, html_page(f"列表{n}", f'<a href="/a/{n}.html">文章{n}</a>{nxt}'))
        body = "".join(f"<p>第{n}号文件：东莞市推动先进制造业集群发展的措施之{k}，支持企业技术改造。</p>" for k in range(4))
        routes[f"/a/{n}.html"] = Route(200, HTML, html_page(f"东莞制造业政策{n}", f"<h1>东莞制造业政策{n}</h1><article>{body}</article>"))
    return routes


def test_articles_deep_in_a_pagination_are_archived(out_dir: Path, tmp_path: Path):
    with RouteServer(_routes()) as server:
        profile = tmp_path / "deep.toml"
        profile.write_text(
            f'id = "deep"\nname = "deep"\nstart_urls = ["{server.base}/list/1.html"]\n'
            f"article_patterns = ['/a/\\d+\\.html$']\nnext_page = \"a.next\"\nmax_listing_pages = 20\n",
            encoding="utf-8",
        )
        result = run_policycrawl("crawl", "deep", "--sources", str(profile), "--out", str(out_dir), "--allow-loopback",
                                 *LOOPBACK_SETTINGS)
        assert result.returncode == 0, result.stderr[-2000:]
        assert all(server.hits[f"/list/{n}.html"] == 1 for n in range(1, PAGES + 1))
    lines = [json.loads(x) for f in (out_dir / "records").glob("*.jsonl") for x in f.read_text("utf-8").splitlines()]
    assert sorted(int(r["url"].rsplit("/", 1)[1][:-5]) for r in lines) == list(range(1, PAGES + 1))
