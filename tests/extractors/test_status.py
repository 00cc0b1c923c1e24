"""Every page gets an explicit status; bad input never raises and never returns None."""

from __future__ import annotations

import os

import pytest

from extractors import extract

ARTICLE = (
    "<p>会议研究部署了下一阶段稳增长工作，要求各部门加快政策落地，确保重点项目按期开工建设。</p>"
    "<p>会议强调，要坚持问题导向，切实解决企业反映的融资难、用工难等实际困难。</p>"
)


def test_deep_nesting_is_too_deep():
    html = "<html><body><h1>很深的页面标题在这里</h1>" + "<div>" * 10_000 + ARTICLE + "</div>" * 10_000 + "</body></html>"
    rec = extract(html.encode("utf-8"), "https://example.cn/deep.html")
    assert rec.status == "too-deep"
    assert "256" in rec.status_detail


def test_moderately_deep_page_is_still_extracted():
    # 300 levels: deeper than libxml2's default 256 (trafilatura alone returns None), within huge_tree.
    html = "<html><head><meta charset='utf-8'></head><body>" + "<div>" * 300 + ARTICLE + "</div>" * 300 + "</body></html>"
    rec = extract(html.encode("utf-8"), "https://example.cn/deep.html")
    assert rec.status == "ok"
    assert "稳增长" in rec.text


@pytest.mark.parametrize("body", [b"", b"   \n  ", b"<html><body></body></html>", b"<html><head><title>x</title></head><body><div></div></body></html>"])
def test_empty(body):
    rec = extract(body, "https://example.cn/empty.html")
    assert rec.status == "empty"


def test_listing_page_is_not_an_article():
    items = "".join(
        f'<li><a href="/xw/2024/05/{i:02d}/content_{i}.html">示例市召开第{i}次专题会议研究部署重点工作</a><span>2024-05-{i:02d}</span></li>'
        for i in range(1, 41)
    )
    html = (
        "<html><head><meta charset='utf-8'><title>工作动态_示例市人民政府</title></head><body>"
        f"<div class='nav'><a href='/'>首页</a></div><h2>工作动态</h2><ul class='list'>{items}</ul>"
        "<div class='page'>共40条 第1页</div></body></html>"
    )
    rec = extract(html.encode("utf-8"), "https://example.cn/xw/index.html")
    assert rec.status == "not-an-article", (rec.status, rec.text)


@pytest.mark.parametrize("seed", range(5))
def test_garbage_bytes_do_not_crash(seed):
    rec = extract(os.urandom(5000 + seed), "https://example.cn/garbage.bin")
    assert rec is not None
    assert rec.status in ("decode-error", "empty", "not-an-article", "error", "ok")


def test_binary_is_decode_error():
    rec = extract(b"%PDF-1.7\n\x00\x00\x01\x02" * 200, "https://example.cn/a.pdf")
    assert rec.status == "decode-error"


def test_bad_arguments_give_an_error_record():
    rec = extract(None, "not a url")  # type: ignore[arg-type]
    assert rec.status in ("empty", "error")
    rec = extract(b"<html><body><p>x</p></body></html>", "https://example.cn/a.html", headers={"Content-Type": "text/html; charset=bogus-charset"})
    assert rec.status in ("ok", "empty")


def test_headers_as_mapping_or_pairs():
    body = ("<html><body><h1>标题标题标题标题</h1><div class='content'>" + ARTICLE + "</div></body></html>").encode("gbk")
    for headers in ({"Content-Type": "text/html; charset=gbk"}, [("content-type", "text/html; charset=GBK")]):
        rec = extract(body, "https://example.cn/a.html", headers)
        assert rec.encoding.name == "gb18030" and rec.encoding.source == "http"
        assert "稳增长" in rec.text


def test_record_is_picklable():
    import pickle

    rec = extract(("<html><body><h1>标题标题标题标题</h1>" + ARTICLE + "</body></html>").encode(), "https://example.cn/a.html")
    assert pickle.loads(pickle.dumps(rec)) == rec


def test_language():
    en = "<html><body><article>" + "<p>The city council approved the new budget for the year, and the mayor said that the plan would support small firms.</p>" * 3 + "</article></body></html>"
    assert extract(en.encode(), "https://example.com/a.html").language == "en"
    zh = "<html><body><h1>标题标题标题标题</h1>" + ARTICLE + "</body></html>"
    assert extract(zh.encode(), "https://example.cn/a.html").language == "zh"


def test_page_wrapped_in_one_form_is_extracted():
    # ASP.NET WebForms government sites wrap the whole page in <form id="form1">.
    html = (
        "<html><head><meta charset='utf-8'><title>关于做好春耕生产工作的通知_示例县人民政府</title></head><body>"
        "<form id='form1' method='post'><div class='nav'><a href='/'>首页</a></div>"
        "<h1>关于做好春耕生产工作的通知</h1><div class='content'>" + ARTICLE + "</div>"
        "<footer>主办单位：示例县人民政府办公室</footer></form></body></html>"
    )
    rec = extract(html.encode("utf-8"), "https://example.gov.cn/a.html")
    assert rec.status == "ok"
    assert "稳增长" in rec.text and "主办单位" not in rec.text
