"""Publisher declarations (extractors/data/publishers/*.toml): knowledge of one publisher lives there, not in the
generic phrase model; each declaration has a golden fixture from real bytes and the lines it exists to drop."""

from __future__ import annotations

import json
import re

import pytest

from benchmarks.extraction import evaldata_root
from extractors import extract, publishers
from extractors.text import clean_lines

DECLARED = publishers.registry().publishers
BODY = "".join(f"<p>{p}</p>" for p in [
    "市政府常务会议研究部署了下一阶段稳增长工作，要求各部门加快政策落地，确保重点项目按期开工。",
    "会议强调，要坚持问题导向，切实解决企业反映的融资难、用工难等实际困难，稳定市场预期。",
])


def test_declarations_load_and_name_their_hosts():
    assert {p.id for p in DECLARED} >= {"netease", "sohu", "wechat"}
    for pub in DECLARED:
        assert pub.hosts and all("." in h for h in pub.hosts), pub.id
        for pattern in pub.hints.drop_line_patterns:
            re.compile(pattern)


@pytest.mark.parametrize("pub", [p for p in DECLARED if p.drops], ids=lambda p: p.id)
def test_each_declared_line_goes_with_the_declaration_and_stays_without(pub):
    """The declaration, switched off, lets its lines through: the generic model no longer knows them."""
    body = "正文第一段内容，介绍本地产业发展的情况和下一步计划。"
    for line in pub.drops:
        text = f"{body}\n{line}"
        assert clean_lines(text, drop_patterns=pub.hints.drop_line_patterns).text == body, line
        assert line in clean_lines(text).text, f"the generic model still drops {line!r}: not publisher knowledge"


@pytest.mark.parametrize("pub", [p for p in DECLARED if p.fixture], ids=lambda p: p.id)
def test_golden_fixture_of_each_declaration(pub):
    """The declaration's real page (evaldata; missing data fails) extracts as an article without its chrome."""
    path = evaldata_root() / pub.fixture
    if not path.with_suffix(".html").is_file():
        pytest.fail(f"fixture {path}.html not found (set POLICYCRAWL_EVALDATA to the shared/evaldata folder)")
    truth = json.loads(path.with_suffix(".json").read_text("utf-8")) if path.with_suffix(".json").is_file() else {}
    url = truth.get("url") or f"https://www.{pub.hosts[0]}/fixture.html"
    assert publishers.registry().for_url(url) == (pub,)
    rec = extract(path.with_suffix(".html").read_bytes(), url)
    assert rec.status == "ok" and len(rec.text) > 200, (rec.status, rec.text[:200])
    for chrome in pub.fixture_absent:
        assert chrome not in rec.text, chrome


def _wechat_page(script: str) -> bytes:
    return (f"<html><head><title>某市发布制造业新政</title><script>{script}</script></head>"
            f"<body><h1>某市发布制造业新政</h1><em id='publish_time'></em>{BODY}</body></html>").encode()


def test_wechat_var_ct_is_read_only_where_declared():
    page = _wechat_page('var ct = "1581517074";')
    assert extract(page, "https://mp.weixin.qq.com/s?x=1").published == "2020-02-12T22:17:54+08:00"
    # the same script on another site, or with the declaration switched off: "ct" means nothing there
    assert extract(page, "https://news.example.cn/a.html").published is None
    off = publishers.registry().without_domain("qq.com")
    assert extract(page, "https://mp.weixin.qq.com/s?x=1", publishers=off).published is None


def test_inline_epoch_dates_only_under_anchored_publish_keys():
    assert extract(_wechat_page('var cfg = {"publish_time": 1581517074};'),
                   "https://news.example.cn/a.html").published == "2020-02-12T22:17:54+08:00"
    for script in ('var cfg = {"create_time": 1581517074};',  # any object's creation time
                   'var cfg = {"user_publish_time_x": 1581517074};',
                   'var cfg = {"xpublish_time": 1581517074};'):
        assert extract(_wechat_page(script), "https://news.example.cn/a.html").published is None, script
