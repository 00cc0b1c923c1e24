"""The site template model: learned from a site's pages, it removes what recurs (a block no rule knows), keeps the
article (even its recurring headings), travels with the crawl (templates/, a WARC metadata record) and makes
re-extraction reproduce the crawl's records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from extractors import SourceInfo, extract, template
from tests.conftest import LOOPBACK_SETTINGS, run_policycrawl
from tests.servers import Route, RouteServer

# A site's own notice under every article: sentences no phrase rule knows, in a block with an innocent class.
NOTICE = ["本站长期征集基层一线的新闻线索，欢迎读者通过热线电话或来信反映身边的新鲜事。",
          "来稿请注明真实姓名和联系方式，编辑部将在五个工作日内回复，采用后按规定支付稿酬。"]
TOPICS = ["港口", "园区", "高校", "医院", "农场", "车间", "社区", "码头", "电站", "机场", "矿山", "林场", "渔村", "集市"]


def article_page(n: int) -> bytes:
    t = TOPICS[n % len(TOPICS)]
    paras = [f"第{n}号报道：本市{t}本周推出多项新举措，相关负责人介绍了具体的实施步骤和时间安排。",
             "一、总体要求",  # recurs on every page, but among the article's own paragraphs: text
             f"据介绍，{t}今年计划新增投资{n + 3}亿元，重点支持技术改造和数字化转型，预计年底前全部完工。",
             f"{t}所在街道表示，将持续跟踪项目进展，及时协调解决企业在建设过程中遇到的困难和问题。"]
    body = "".join(f"<p>{p}</p>" for p in paras)
    notice = "".join(f"<p>{p}</p>" for p in NOTICE)
    return (f"<html><head><meta charset='utf-8'><title>{t}推出新举措 第{n}号</title></head><body>"
            f"<div class='wrap'><div class='art'><h1>{t}推出新举措 第{n}号</h1><div class='txt'>{body}</div>"
            f"<div class='note'>{notice}</div></div></div></body></html>").encode()


def test_recurring_block_goes_article_stays_even_its_recurring_heading():
    pages = [(article_page(n), f"https://news.example.cn/a/{n}.html", ()) for n in range(6)]
    page = article_page(99)
    plain = extract(page, "https://news.example.cn/a/99.html")
    assert all(line in plain.text for line in NOTICE)  # no rule knows the notice: without a model it stays
    model = template.learn("example", pages)
    assert model is not None and model.pages == 6
    rec = extract(page, "https://news.example.cn/a/99.html", source=SourceInfo(id="example", template=model))
    assert not any(line in rec.text for line in NOTICE), rec.text
    assert "一、总体要求" in rec.text and "第99号报道" in rec.text and "年底前全部完工" in rec.text
    assert rec.template == model.id


def test_model_round_trips_with_a_stable_id_and_refuses_other_versions():
    model = template.learn("example", [(article_page(n), f"https://x.cn/{n}", ()) for n in range(3)])
    again = template.SiteTemplate.from_json(model.to_json())
    assert again == model and again.id == model.id
    data = json.loads(model.to_json())
    data["version"] = template.MODEL_VERSION + 1
    with pytest.raises(ValueError):
        template.SiteTemplate.from_json(json.dumps(data))
    assert template.learn("example", [(article_page(1), "https://x.cn/1", ())] * 5) is None  # one distinct page


def _site(n_articles: int) -> dict[str, Route]:
    html = [("Content-Type", "text/html; charset=utf-8")]
    links = "".join(f'<li><a href="/a/{n}.html">第{n}号</a></li>' for n in range(n_articles))
    routes = {"/robots.txt": Route(200, [("Content-Type", "text/plain")], b"User-agent: *\nAllow: /\n"),
              "/list.html": Route(200, html, f"<html><body><ul>{links}</ul></body></html>".encode())}
    for n in range(n_articles):
        routes[f"/a/{n}.html"] = Route(200, html, article_page(n))
    return routes


def _crawl(base: str, out: Path, *extra: str):
    result = run_policycrawl("crawl", "--start", base + "/list.html", "--follow", r"/a/\d+\.html$", "--out", str(out),
                             "--allow-loopback", *LOOPBACK_SETTINGS, "-s", "CONCURRENT_REQUESTS=2", *extra, timeout=180)
    assert result.returncode == 0, result.stderr[-3000:]
    return [json.loads(line) for f in sorted((out / "records").glob("*.jsonl")) for line in f.read_text().splitlines()]


def test_crawl_learns_saves_archives_and_reextracts_with_the_model(tmp_path):
    with RouteServer(_site(14)) as server:
        records = _crawl(server.base, tmp_path / "on")
        records_off = _crawl(server.base, tmp_path / "off", "-s", "POLICYCRAWL_TEMPLATES=False")
    assert len(records) == len(records_off) == 14
    # off: every record keeps the notice; on: the records made with the model (after the first pages) lose it
    assert all(NOTICE[0] in r["text"] for r in records_off) and not any(r["template"] for r in records_off)
    with_model = [r for r in records if r["template"]]
    assert with_model, "no record was extracted with a site template"
    assert all(NOTICE[0] not in r["text"] and "一、总体要求" in r["text"] for r in with_model)
    assert all(NOTICE[0] in r["text"] for r in records if not r["template"])
    [saved] = (tmp_path / "on" / "templates").glob("*.json")
    assert template.SiteTemplate.from_json(saved.read_bytes()).pages >= 8
    assert not (tmp_path / "off" / "templates").exists()
    # the model each record names is in the WARC, as a metadata record (read with warcio, not our reader)
    in_warc = {}
    for path in (tmp_path / "on" / "warc").glob("*.warc.gz"):
        with open(path, "rb") as fh:
            for rec in ArchiveIterator(fh):
                if rec.rec_type == "metadata" and "site-template" in (rec.rec_headers.get_header("Content-Type") or ""):
                    model = template.SiteTemplate.from_json(rec.content_stream().read())
                    in_warc[model.id] = model
    assert {r["template"] for r in with_model} <= set(in_warc)
    # re-extraction from the WARCs alone gives the same records, model and all
    rebuilt = tmp_path / "rebuilt.jsonl"
    result = run_policycrawl("extract", *map(str, (tmp_path / "on" / "warc").glob("*.warc.gz")), "-o", str(rebuilt))
    assert result.returncode == 0, result.stderr[-2000:]
    again = {r["id"]: r for r in map(json.loads, rebuilt.read_text().splitlines())}
    assert again == {r["id"]: r for r in records}
