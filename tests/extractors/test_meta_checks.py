"""Metadata plausibility: meta authors that are the site or an id, verbs after 记者, placeholders, headline
elements that are not the article's, dates without a year or inside the prose (synthetic pages)."""

from __future__ import annotations

import pytest

from extractors import extract
from extractors.byline import find_author

BODY = "<p>" + "这是一段足够长的正文内容，用来让抽取器把它当作文章的主体部分来处理。" * 6 + "</p>"


def page(head: str = "", body: str = "") -> bytes:
    return f"<html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>".encode()


# ---------------------------------------------------------------- (a) meta author checks

@pytest.mark.parametrize(
    ("meta", "author"),
    [
        ({"author": "网易"}, None),  # the site name in the <title> suffix
        ({"author": "104363"}, None),  # a CMS user id
        ({"author": "name, email@gmail.com"}, None),  # a template default with an e-mail
        ({"author": "CSDN.NET"}, None),  # a domain
        ({"author": "环球网"}, None),  # an outlet
        ({"author": "参考消息"}, None),
        ({"author": "新浪财经-自媒体综合"}, None),
        ({"author": "张三"}, "张三"),
        ({"author": "史蒂文的家_藍天 (stevenhgm)"}, "史蒂文的家_藍天"),  # display name with its login
        ({"author": "Jane Doe"}, "Jane Doe"),
    ],
)
def test_meta_author_checked(meta, author):
    assert find_author("", "", meta, None, sites=["网易新闻"]) == author


def test_meta_author_equal_to_site_name_rejected():
    head = "<title>某某新闻标题在这里_网易新闻</title><meta name='author' content='网易'>"
    rec = extract(page(head, "<h1>某某新闻标题在这里</h1>" + BODY), "https://example.cn/a.html")
    assert rec.author is None


def test_meta_author_outlet_goes_to_original_source():
    head = "<title>某某新闻标题在这里</title><meta name='author' content='环球网'>"
    rec = extract(page(head, "<h1>某某新闻标题在这里</h1>" + BODY), "https://example.cn/a.html")
    assert rec.author is None
    assert rec.original_source == "环球网"


# ---------------------------------------------------------------- (b) verbs after 记者, (c) placeholders

@pytest.mark.parametrize(
    ("header", "author"),
    [
        ("本报记者梳理发现，今年以来", None),
        ("记者注意到 目前 已有多家公司", None),
        ("记者 表示 这是", None),
        ("（记者 陈智 整合）", "陈智"),
        ("记者陈智表示，", "陈智"),
        ("记者 刘向 报道", "刘向"),  # a one-character given name that is also a function word stays
        ("作者：未知", None),
        ("作者：佚名", None),
        ("作者：admin", None),
        ("作者：网络", None),  # "from the internet"
    ],
)
def test_not_names(header, author):
    assert find_author(header, "", {}, None) == author


# ---------------------------------------------------------------- bylines the patterns missed

@pytest.mark.parametrize(
    ("header", "author"),
    [
        ("本报记者 王乐文 方 敏", "王乐文, 方敏"),  # two-character name spaced to line up
        ("新华社北京5月19日电（刘艺、杨吉）中国科学院专家19日介绍", "刘艺, 杨吉"),
        ("……发表在《自然》上。（编译/林靖东）", "林靖东"),
        ("（本文来源：经济日报 作者：某某中心研究部部长，“某某”研究部部长、研究员徐占忱）", "徐占忱"),
    ],
)
def test_more_bylines(header, author):
    assert find_author(header, "", {}, None) == author


def test_credit_after_the_body():
    assert find_author("", "", {}, None, "", "\n作者︱春春\n") == "春春"


# ---------------------------------------------------------------- (d) titles

def test_class_title_must_share_words_with_the_document_title():
    head = "<title>阿里发布最强芯片性能吊打同行-EDN 电子技术设计</title>"
    body = "<div class='box-title'>您可能感兴趣的文章内容</div><div class='title-bar'>IOS客户端下载地址</div>" + BODY
    rec = extract(page(head, body), "https://example.cn/a.html")
    assert rec.title == "阿里发布最强芯片性能吊打同行"


def test_og_title_inside_the_document_title_wins():
    head = ("<title>首次采样带回 嫦娥五号任务解析-中国,嫦娥五号,月球 ——快科技</title>"
            "<meta property='og:title' content='首次采样带回 嫦娥五号任务解析'>")
    body = "<div class='title'>IOS客户端下载地址</div>" + BODY
    rec = extract(page(head, body), "https://example.cn/a.html")
    assert rec.title == "首次采样带回 嫦娥五号任务解析"


def test_headline_kept_when_the_document_title_is_only_the_site():
    head = "<title>科普中国-辟谣文章</title>"
    rec = extract(page(head, "<h1>徒手抓子弹真的存在吗？</h1>" + BODY), "https://example.cn/a.html")
    assert rec.title == "徒手抓子弹真的存在吗？"


def test_breadcrumb_is_not_a_headline():
    head = "<title>新闻动态--中国某某学会官网</title>"
    rec = extract(page(head, "<h3 class='title_la'>首页 - 新闻动态栏目</h3>" + BODY), "https://example.cn/a.html")
    assert rec.title == "新闻动态"


def test_leading_badge_element_stripped():
    head = "<title>最不愁吃肉的国家顿顿有肉吃</title>"
    body = "<h1 class='article-title'><span class='badge'>原创</span>最不愁吃肉的国家：顿顿有肉吃</h1>" + BODY
    rec = extract(page(head, body), "https://example.cn/a.html")
    assert rec.title == "最不愁吃肉的国家：顿顿有肉吃"


# ---------------------------------------------------------------- (e) dates

def test_yearless_visible_date_takes_the_year_from_meta():
    head = "<title>某某新闻标题在这里</title><meta itemprop='dateUpdate' content='2019-10-08 12:00:57'>"
    body = "<h1>某某新闻标题在这里</h1><div><span>发布时间：10-08</span><span>12:00</span></div>" + BODY
    rec = extract(page(head, body), "https://example.cn/a.html")
    assert rec.published == "2019-10-08T12:00+08:00"  # the shown precision: no seconds


def test_yearless_date_not_completed_by_another_day():
    head = "<title>某某新闻标题在这里</title><meta itemprop='dateUpdate' content='2019-10-09 12:00:57'>"
    body = "<h1>某某新闻标题在这里</h1><div>发布时间：10-08 12:00</div>" + BODY
    rec = extract(page(head, body), "https://example.cn/a.html")
    assert rec.published is None  # an update time alone is not a publish date


def test_date_in_prose_loses_to_inline_json_pubtime():
    head = "<title>某某新闻标题在这里</title>"
    body = ("<h1>某某新闻标题在这里</h1><p>著名作曲家潘振声于2009年5月14日在南京逝世，他创作的儿歌传唱了几代人，至今仍在许多学校里广为流传。</p>"
            + BODY + "<script>window.DATA = {\"media\": \"扬眼\", \"pubtime\": \"2019-09-07 19:02:26\"};</script>")
    rec = extract(page(head, body), "https://example.cn/a.html")
    assert rec.published == "2019-09-07T19:02:26+08:00"


def test_dateline_date_still_beats_meta():
    head = "<title>某某新闻标题在这里</title><meta name='publishdate' content='2024-05-11'>"
    body = "<h1>某某新闻标题在这里</h1><div>2024年05月10日</div>" + BODY
    rec = extract(page(head, body), "https://example.cn/a.html")
    assert rec.published == "2024-05-10"


def test_unix_publish_time_in_page_script():
    """WeChat-style pages render the date in the browser from `var ct = "…"` (Unix seconds): read it, in +08:00."""
    head = '<title>某市发布制造业新政</title><script>var ct = "1581517074";</script>'
    body = '<h1>某市发布制造业新政</h1><em id="publish_time"></em>' + BODY
    assert extract(page(head, body), "https://mp.weixin.qq.com/s?x=1").published == "2020-02-12T22:17:54+08:00"
    # an id that happens to be ten digits is not a time
    other = extract(page(head.replace("var ct", "var uid"), body), "https://mp.weixin.qq.com/s?x=1")
    assert other.published is None
