"""CMS families as templates, script-drawn pagers, mobile twins and the gkmlpt JSON API, crawled from real
loopback servers; the built-in government profiles checked against real pages (tests/fixtures/gov/)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import lxml.html
import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.sources import ProfileError, builtin_profiles, load_file, profile_from_mapping
from extractors import extract
from extractors.api import record_id
from tests.conftest import LOOPBACK_SETTINGS, run_policycrawl
from tests.servers import Route, RouteServer, html_page

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "gov"
HTML = [("Content-Type", "text/html; charset=utf-8")]
JSON = [("Content-Type", "application/json; charset=utf-8")]
pytestmark = pytest.mark.timeout(300)


def _records(out: Path) -> list[dict]:
    return [json.loads(x) for f in sorted((out / "records").glob("*.jsonl")) for x in f.read_text("utf-8").splitlines()]


def _article(n: int, *, dated: bool = True) -> bytes:
    date = '<div class="date">发布日期：2024-05-0%d</div>' % (n % 9 + 1) if dated else ""
    body = "".join(f"<p>第{n}号：珠海市推动海洋经济高质量发展的若干措施之{k}，支持企业加大研发投入。</p>" for k in range(4))
    return html_page(f"珠海海洋经济政策{n}", f"<h1>珠海海洋经济政策{n}</h1>{date}<div class='zw'>{body}</div>")


def _crawl(server: RouteServer, tmp_path: Path, out: Path, profile_text: str, source: str = "t") -> None:
    path = tmp_path / f"{source}.toml"
    path.write_text(profile_text.replace("BASE", server.base).replace("HOSTPORT", f"127.0.0.1:{server.port}"),
                    encoding="utf-8")
    result = run_policycrawl("crawl", source, "--sources", str(path), "--out", str(out), "--allow-loopback",
                             *LOOPBACK_SETTINGS)
    assert result.returncode == 0, result.stderr[-3000:]


# A site of a known family is a few lines; only the loopback address and politeness differ from a real one.
NFCMS_PROFILE = """
id = "t"
name = "测试门户"
family = "nfcms"
host = "HOSTPORT"
homepage = "BASE/"
start_urls = ["/xw/tzgg/"]
article_area = "ul.news_list"
download_delay = 0
"""


# -- script-drawn pager ------------------------------------------------------------------------------
def _script_listing(items: list[int]) -> bytes:
    """An NFCMS listing whose pager exists only once its script runs (no <a> to the next page in the HTML)."""
    lis = "".join(f'<li><a href="content/post_{n}.html">文件{n}</a><span class="time">2024-05-01</span></li>' for n in items)
    script = ('<div class="list-fy" id="pages"></div><script>var totalPage = Math.ceil(45/20);'
              'var pageCurrent = 0; createPageHTML(totalPage, pageCurrent, "index", "html");</script>')
    return html_page("通知公告 - 测试门户", f'<ul class="news_list">{lis}</ul>{script}')


def _script_pager_routes() -> dict[str, Route]:
    pages = {"/xw/tzgg/": [1, 2], "/xw/tzgg/index_2.html": [3, 4], "/xw/tzgg/index_3.html": [5]}
    routes = {path: Route(200, HTML, _script_listing(items)) for path, items in pages.items()}
    routes["/xw/tzgg/index_4.html"] = Route(200, HTML, _script_listing([99]))  # beyond the count: never asked
    for n in (1, 2, 3, 4, 5, 99):
        routes[f"/xw/tzgg/content/post_{n}.html"] = Route(200, HTML, _article(n))
    return routes


def test_script_drawn_pager_is_followed_to_index_n(tmp_path: Path):
    with RouteServer(_script_pager_routes()) as server:
        _crawl(server, tmp_path, tmp_path / "on", NFCMS_PROFILE)
        assert [server.hits[f"/xw/tzgg/index_{n}.html"] for n in (1, 2, 3, 4)] == [0, 1, 1, 0]
    urls = sorted(r["url"].rsplit("/", 1)[1] for r in _records(tmp_path / "on"))
    assert urls == [f"post_{n}.html" for n in (1, 2, 3, 4, 5)]
    # The same profile with the family's script pager switched off stops at page 1: the pager has no links.
    with RouteServer(_script_pager_routes()) as server:
        _crawl(server, tmp_path, tmp_path / "off", NFCMS_PROFILE + "script_pager = false\n")
        assert server.hits["/xw/tzgg/index_2.html"] == 0
    assert len(_records(tmp_path / "off")) == 2


# -- the real www.gz.gov.cn listing: bare page 1, index_N, pages_limit -----------------------------------
def _gz_listing(base: str, offset: int) -> bytes:
    """The real gzgov-01 page on the test server; its 20 article ids shifted so that each page has its own."""
    text = (FIXTURES / "gzgov-01.html").read_bytes().decode("utf-8").replace("https://www.gz.gov.cn", base)
    if offset:
        text = text.replace("/content/post_10", f"/content/post_{offset}")
    return text.encode("utf-8")


def test_real_gz_listing_bare_first_page_and_page_cap(tmp_path: Path):
    """gzgov-01 (real, tests/fixtures/gov) says Math.ceil(2380/20) = 119 pages, capped by `pages_limit=100`."""
    label = json.loads((FIXTURES / "gzgov-01.json").read_text("utf-8"))
    ids = [int(item["url"].rsplit("_", 1)[1][:-5]) for item in label["items"]]
    with RouteServer({}) as server:
        routes = server.routes
        routes["/xw/tzgg/"] = Route(200, HTML, _gz_listing(server.base, 0))
        routes["/xw/tzgg/index_2.html"] = Route(200, HTML, _gz_listing(server.base, 2))
        routes["/xw/tzgg/index_3.html"] = Route(200, HTML, _gz_listing(server.base, 6))
        routes["/xw/tzgg/index_99.html"] = Route(200, HTML, _gz_listing(server.base, 3))
        routes["/xw/tzgg/index_100.html"] = Route(200, HTML, _gz_listing(server.base, 4))
        routes["/xw/tzgg/index_101.html"] = Route(200, HTML, _gz_listing(server.base, 5))
        for k in (0, 2, 3, 4, 5, 6):
            for n in ids:
                path = f"/xw/tzgg/content/post_{str(n).replace('10', str(k), 1) if k else n}.html"
                routes[path] = Route(200, HTML, _article(n))
        profile = NFCMS_PROFILE.replace('start_urls = ["/xw/tzgg/"]', 'start_urls = ["/xw/tzgg/", "/xw/tzgg/index_99.html"]')
        _crawl(server, tmp_path, tmp_path / "out", profile + "max_listing_pages = 3\n")
        # Page 1 is the bare column URL: index_1.html does not exist on www.gz.gov.cn and is never asked for.
        assert server.hits["/xw/tzgg/index_1.html"] == 0 and server.hits["/xw/tzgg/index.html"] == 0
        assert server.hits["/xw/tzgg/index_2.html"] == 1 and server.hits["/xw/tzgg/index_3.html"] == 1
        # From page 99 the walk goes to 100 and stops there: the script caps the count at pages_limit.
        assert server.hits["/xw/tzgg/index_100.html"] == 1 and server.hits["/xw/tzgg/index_101.html"] == 0
    assert len(_records(tmp_path / "out")) == 5 * 20


def test_gz_profile_finds_exactly_the_labelled_items_of_the_real_listing():
    gz = builtin_profiles()["gz_gov"]
    label = json.loads((FIXTURES / "gzgov-01.json").read_text("utf-8"))
    doc = lxml.html.fromstring((FIXTURES / "gzgov-01.html").read_bytes().decode("utf-8"), base_url=label["url"])
    doc.make_links_absolute()
    found = [a.get("href") for area in doc.cssselect(gz.article_area or "html") for a in area.iter("a")]
    found = [u for u in found if gz.is_article(u)]
    assert found == [item["url"] for item in label["items"]]
    from crawler import pagers

    html = (FIXTURES / "gzgov-01.html").read_bytes().decode("utf-8")
    assert pagers.next_page(html, label["url"]) == (True, label["next_page"])
    assert pagers.find(html, label["url"]).total == 100  # Math.ceil(2380/20) = 119, capped by pages_limit
    assert math.ceil(2380 / 20) == 119


# -- mobile twin mpost_N = post_N ---------------------------------------------------------------------
def test_mpost_and_post_are_one_article(tmp_path: Path):
    listing = html_page("通知公告", '<ul class="news_list"><li><a href="content/mpost_7.html">七</a></li>'
                                   '<li><a href="content/post_7.html">七</a></li>'
                                   '<li><a href="content/mpost_8.html">八</a></li></ul>')
    routes = {"/xw/tzgg/": Route(200, HTML, listing)}
    for n in (7, 8):
        routes[f"/xw/tzgg/content/post_{n}.html"] = Route(200, HTML, _article(n))
        routes[f"/xw/tzgg/content/mpost_{n}.html"] = Route(200, HTML, _article(n))
    with RouteServer(routes) as server:
        _crawl(server, tmp_path, tmp_path / "out", NFCMS_PROFILE)
        assert server.hits["/xw/tzgg/content/mpost_7.html"] == 0 and server.hits["/xw/tzgg/content/mpost_8.html"] == 0
        assert server.hits["/xw/tzgg/content/post_7.html"] == 1 and server.hits["/xw/tzgg/content/post_8.html"] == 1
        base = server.base
    records = _records(tmp_path / "out")
    assert sorted(r["url"] for r in records) == [f"{base}/xw/tzgg/content/post_{n}.html" for n in (7, 8)]
    assert {r["id"] for r in records} == {record_id(f"{base}/xw/tzgg/content/post_{n}.html") for n in (7, 8)}
    nfcms = profile_from_mapping({"id": "x", "name": "x", "family": "nfcms", "host": "www.gd.gov.cn"})
    assert nfcms.canonical("https://www.gd.gov.cn/gdywdt/dsdt/content/mpost_4755458.html") == \
        "https://www.gd.gov.cn/gdywdt/dsdt/content/post_4755458.html"


# -- gkmlpt JSON API ---------------------------------------------------------------------------------
GKMLPT_PROFILE = """
id = "t"
name = "测试市人民政府"
family = "gkmlpt"
host = "HOSTPORT"
homepage = "BASE/"
download_delay = 0
gkmlpt = { sid = "756001" }
region = { province = "广东省", city = "珠海市", code = "440400" }
"""
POSTS = [10800873 + k for k in range(7)]


def _content_path(post: int) -> str:
    return f"/gkmlpt/content/{post // 1_000_000}/{post // 1000}/post_{post}.html"


def _api_routes(base: str) -> dict[str, Route]:
    routes: dict[str, Route] = {}
    for page in (1, 2, 3):
        chunk = POSTS[(page - 1) * 3 : page * 3]
        articles = [{"id": p, "title": f"政策{p}", "url": f"{base}{_content_path(p)}", "display_publish_time": 1714521600 + p % 7 * 86400,
                     "document_number": f"珠府〔2024〕{p % 100}号"} for p in chunk]
        body = json.dumps({"articles": articles, "classify": {"id": 0, "name": "全部", "post_count": len(POSTS)}}, ensure_ascii=False)
        routes[f"/gkmlpt/api/all/0?page={page}&sid=756001"] = Route(200, JSON, body.encode("utf-8"))
    routes["/gkmlpt/api/all/0?page=4&sid=756001"] = Route(200, JSON, b'{"articles": [], "classify": {"post_count": 7}}')
    for p in POSTS:
        routes[_content_path(p)] = Route(200, HTML, _article(p, dated=(p != POSTS[0])))
    return routes


def test_gkmlpt_api_is_walked_archived_and_its_hints_reach_the_record(tmp_path: Path):
    with RouteServer({}) as server:
        server.routes.update(_api_routes(server.base))
        _crawl(server, tmp_path, tmp_path / "out", GKMLPT_PROFILE)
        assert [server.hits[f"/gkmlpt/api/all/0?page={n}&sid=756001"] for n in (1, 2, 3, 4)] == [1, 1, 1, 0]
        base = server.base
    records = {r["url"]: r for r in _records(tmp_path / "out")}
    assert sorted(records) == sorted(f"{base}{_content_path(p)}" for p in POSTS)
    # The page without a date of its own gets the API item's (Unix time, +08:00 calendar), marked as such.
    undated = records[f"{base}{_content_path(POSTS[0])}"]
    assert undated["published"] == f"2024-05-0{1 + POSTS[0] % 7}" and undated.get("published_from", "listing") == "listing"
    assert undated["gov"]["doc_no"] == f"珠府〔2024〕{POSTS[0] % 100}号"
    dated = records[f"{base}{_content_path(POSTS[1])}"]
    assert dated["published"].startswith("2024-05-0") and dated.get("published_from") != "listing"
    # Every API answer is in the WARC, request and response, with its JSON body as received.
    api_bodies = {}
    for warc in (tmp_path / "out" / "warc").glob("*.warc.gz"):
        with open(warc, "rb") as fh:
            for rec in ArchiveIterator(fh):
                uri = rec.rec_headers.get_header("WARC-Target-URI") or ""
                if "/gkmlpt/api/" in uri and rec.rec_type == "response":
                    api_bodies[uri] = json.loads(rec.content_stream().read())
    assert sorted(api_bodies) == sorted(f"{base}/gkmlpt/api/all/0?page={n}&sid=756001" for n in (1, 2, 3))
    assert sum(len(b["articles"]) for b in api_bodies.values()) == len(POSTS)
    # Rebuilt from the WARCs alone, the records say what the crawl's said, the listing's date and 文号 included.
    rebuilt_path = tmp_path / "rebuilt.jsonl"
    proc = run_policycrawl("extract", "-o", str(rebuilt_path), str(tmp_path / "out" / "warc"))
    assert proc.returncode == 0, proc.stderr[-2000:]
    rebuilt = {r["url"]: r for r in map(json.loads, rebuilt_path.read_text(encoding="utf-8").splitlines())}
    again = rebuilt[undated["url"]]
    assert (again["published"], again.get("published_from"), again["gov"]["doc_no"]) == \
        (undated["published"], undated.get("published_from"), undated["gov"]["doc_no"])


def test_gkmlpt_second_run_stops_at_known_pages(tmp_path: Path):
    with RouteServer({}) as server:
        server.routes.update(_api_routes(server.base))
        _crawl(server, tmp_path, tmp_path / "out", GKMLPT_PROFILE)
        _crawl(server, tmp_path, tmp_path / "out", GKMLPT_PROFILE)
        # Second run: page 1 holds only archived articles and the first walk finished, so it stops there.
        assert [server.hits[f"/gkmlpt/api/all/0?page={n}&sid=756001"] for n in (1, 2, 3)] == [2, 1, 1]
        assert all(server.hits[_content_path(p)] == 1 for p in POSTS)


def test_builtin_gkmlpt_profile_targets_the_real_api():
    zhuhai = builtin_profiles()["zhuhai_gov"]
    assert zhuhai.family == "gkmlpt" and zhuhai.region.code == "440400"
    assert zhuhai.gkmlpt.page_url(zhuhai.homepage, "0", 2) == "https://www.zhuhai.gov.cn/gkmlpt/api/all/0?page=2&sid=756001"
    assert zhuhai.is_article("http://www.zhuhai.gov.cn/gkmlpt/content/3/3774/post_3774882.html")
    local = zhuhai.rebased("http://127.0.0.1:8801")
    assert local.gkmlpt.page_url(local.homepage, "0", 1) == "http://127.0.0.1:8801/gkmlpt/api/all/0?page=1&sid=756001"
    moved = local.local_url("https://www.zhuhai.gov.cn/gkmlpt/content/3/3774/post_3774882.html")
    assert moved == "http://127.0.0.1:8801/gkmlpt/content/3/3774/post_3774882.html" and local.is_article(moved)


# -- real TRS pages through most_gov -----------------------------------------------------------------
def test_most_profile_extracts_the_real_trs_page():
    most = builtin_profiles()["most_gov"]
    label = json.loads((FIXTURES / "most-01.json").read_text("utf-8"))
    assert most.is_article(label["url"])
    record = extract((FIXTURES / "most-01.html").read_bytes(), label["url"], source=most.source_info)
    assert record.title == label["title"]
    first, last = label["body"].splitlines()[0], label["body"].splitlines()[-1]
    assert record.text.startswith(first) and record.text.rstrip().endswith(last)


def test_most_profile_lists_the_real_channel_items():
    most = builtin_profiles()["most_gov"]
    label = json.loads((FIXTURES / "most-02.json").read_text("utf-8"))
    base = "https://www.most.gov.cn/satp/qykjzc/"  # the page URL the label infers
    doc = lxml.html.fromstring((FIXTURES / "most-02.html").read_bytes().decode("utf-8"), base_url=base)
    doc.make_links_absolute()
    found = [a.get("href") for area in doc.cssselect(most.article_area) for a in area.iter("a")]
    found = list(dict.fromkeys(u for u in found if most.is_article(u)))
    assert found == [item["url"] for item in label["items"]]


# -- families as templates ---------------------------------------------------------------------------
def test_a_site_of_a_known_family_is_five_lines_and_overrides_win():
    p = profile_from_mapping({"id": "x_gov", "name": "X", "family": "nfcms", "host": "www.x.gov.cn",
                              "start_urls": ["/xw/tzgg/"]}, "x.toml")
    assert p.start_urls == ("https://www.x.gov.cn/xw/tzgg/",) and p.allowed_hosts == ("www.x.gov.cn",)
    assert p.script_pager and p.script_pager_second == 2 and p.download_delay == 2.0
    assert p.is_article("https://www.x.gov.cn/xw/tzgg/content/post_1.html")
    assert not p.is_article("https://www.y.gov.cn/xw/tzgg/content/post_1.html")  # {host_re} is this site only
    assert p.hints.drop_lines  # from the family's [extraction]
    q = profile_from_mapping({"id": "x_gov", "name": "X", "family": "nfcms", "host": "www.x.gov.cn",
                              "script_pager": False, "extraction": {"body_selector": "div.zw"}}, "x.toml")
    assert not q.script_pager and q.hints.body_selector == "div.zw" and q.hints.drop_lines == p.hints.drop_lines
    trs = profile_from_mapping({"id": "t", "name": "T", "family": "trs", "host": "www.t.gov.cn"}, "t.toml")
    assert trs.script_pager_second == 1 and trs.is_article("https://www.t.gov.cn/a/202405/t20240512_7.html")


def test_builtin_sources_cover_guangdong_across_families():
    profiles = builtin_profiles()
    gd = [p for p in profiles.values() if p.region.code and p.region.code.startswith("44") and p.family]
    assert len(gd) >= 12, [p.id for p in gd]
    assert {p.family for p in gd} >= {"nfcms", "gkmlpt"}
    assert {"gd_gov", "gz_gov", "sz_gov", "zhuhai_gov", "zj_gov", "most_gov"} <= set(profiles)
    result = run_policycrawl("sources")
    assert result.returncode == 0
    lines = {line.split()[0]: line.split() for line in result.stdout.splitlines() if line.strip()}
    assert lines["zhuhai_gov"][1:3] == ["gkmlpt", "440400"] and lines["most_gov"][1] == "trs"
    assert sum(1 for v in lines.values() if v[2].startswith("44") and v[1] != "-") >= 12


@pytest.mark.parametrize(
    "text, message",
    [
        ('id = "x"\nname = "x"\nfamily = "wordpress"\nhost = "a.cn"', "family 'wordpress' unknown"),
        ('id = "x"\nname = "x"\nfamily = "nfcms"', "'host' is required with a family"),
        ('id = "x"\nname = "x"\nfamily = "gkmlpt"\nhost = "a.cn"\ngkmlpt = { sid = "abc" }', "'sid' must be"),
        ('id = "x"\nname = "x"\nfamily = "gkmlpt"\nhost = "a.cn"\ngkmlpt = { sid = "2", cats = [1] }', "unknown \\[gkmlpt\\] keys"),
        ('id = "x"\nname = "x"\nhost = "a.cn"\nregion = { code = "44" }', "6-digit"),
        ('id = "x"\nname = "x"\nhost = "a.cn"\nscript_pager = "yes"', "'script_pager' must be true or false"),
        ('id = "x"\nname = "x"\nhost = "a.cn"\nmax_listing_pages = "5"', "'max_listing_pages' must be a whole number"),
        ('id = "x"\nname = "x"\nhost = "a.cn"\ncanonical_urls = [["(", "x"]]', "bad canonical_urls pattern"),
        ('id = "x"\nname = "x"\nhost = "a.cn"\ncanonical_urls = ["x"]', "pairs"),
        ('id = "x"\nname = "x"\nhost = "A B"', "'host' must be"),
    ],
)
def test_profile_mistakes_name_the_file_and_field(tmp_path: Path, text: str, message: str):
    path = tmp_path / "mine.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError, match=message) as info:
        load_file(path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)
