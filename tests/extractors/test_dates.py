"""Publish dates: each format the pages use, the precision they show, never a padded -01-01."""

from __future__ import annotations

import pytest

from extractors import dates, extract


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2024年1月31日", "2024-01-31"),
        ("2024年05月12日 09:50", "2024-05-12T09:50+08:00"),
        ("2024-01-31 10:32", "2024-01-31T10:32+08:00"),
        ("2024-01-31 10:32:05", "2024-01-31T10:32:05+08:00"),
        ("2024/1/31", "2024-01-31"),
        ("2024.01.31", "2024-01-31"),
    ],
)
def test_parse_formats(text, iso):
    assert dates.parse_date(text)[0] == iso


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("时间：2024-01-31 来源：新闻联播", "2024-01-31"),
        ("发布时间：2024年05月12日 17:19", "2024-05-12T17:19+08:00"),
        ("最新推荐文章于 2023-09-04 17:53:10 发布 作者 于 2023-03-12 13:08:03 发布", "2023-03-12T13:08:03+08:00"),
        ("已于 2024-05-07 22:12:13 修改 于 2024-05-06 15:47:53 发布", "2024-05-06T15:47:53+08:00"),
    ],
)
def test_labels_and_modified_dates(text, iso):
    assert dates.from_text(text).iso == iso


@pytest.mark.parametrize(
    ("url", "iso"),
    [
        ("http://www.gd.gov.cn/gdywdt/zwzt/content/t20240512_4412345.html", "2024-05-12"),
        ("http://www.gov.cn/zhengce/content/2024-05/13/content_6950000.htm", "2024-05-13"),
        ("https://china.chinadaily.com.cn/a/202311/17/WS65571297a310d5acd876f404.html", "2023-11-17"),
        ("http://finance.people.com.cn/n1/2024/0510/c1004-40232587.html", "2024-05-10"),
        ("https://example.cn/news/12345.html", None),
    ],
)
def test_url_dates(url, iso):
    found = dates.from_url(url)
    assert (found.iso if found else None) == iso


def _page(date_html: str) -> bytes:
    return (
        "<html><head><meta charset='utf-8'><title>市政府召开常务会议_示例市</title></head><body>"
        f"<h1>市政府召开常务会议</h1><div class='info'>{date_html}</div><div class='content'>"
        "<p>会议研究部署了下一阶段稳增长工作，要求各部门加快政策落地，确保重点项目按期开工建设。</p>"
        "<p>会议强调，要坚持问题导向，切实解决企业反映的融资难、用工难等实际困难。</p></div></body></html>"
    ).encode("utf-8")


def test_chinese_date_is_not_padded_to_january_first():
    # htmldate returns 2024-01-01 for this page; our finder must keep the day.
    rec = extract(_page("2024年05月12日"), "https://example.cn/a.html")
    assert rec.published == "2024-05-12"
    assert rec.published_raw == "2024年05月12日"


def test_precision_follows_the_page():
    assert extract(_page("发布时间：2024-01-31 10:32"), "https://example.cn/a.html").published == "2024-01-31T10:32+08:00"
    assert extract(_page("2024-01-31 10:32:05"), "https://example.cn/a.html").published == "2024-01-31T10:32:05+08:00"


def test_trs_url_date_when_page_shows_none():
    rec = extract(_page("来源：示例日报"), "http://www.example.gov.cn/xxgk/t20240512_4412345.html")
    assert rec.published == "2024-05-12"


def test_no_date_is_none_not_a_guess():
    rec = extract(_page("来源：示例日报"), "https://example.cn/a.html")
    assert rec.published is None


def test_meta_time_converted_to_beijing_time():
    found = dates.from_meta({"article:published_time": "2024-05-12T01:50:00Z"})
    assert found.iso == "2024-05-12T09:50:00+08:00"


@pytest.mark.parametrize(
    ("text", "labelled_only", "iso"),
    [
        ("2024年5月", False, "2024-05"),
        ("发布时间：2024年5月 来源：市政府", True, "2024-05"),
        ("发布日期：2024-05", True, "2024-05"),
        ("2024年5月", True, None),  # unlabelled: only right after the headline
        ("2024年5月12日", False, None),  # a full date is parse_date's
        ("截至2024年5月", False, None),
        ("版本 2024-05", False, None),  # a bare numeric month is not a date
    ],
)
def test_month_precision(text, labelled_only, iso):
    found = dates.month_from_text(text, labelled_only=labelled_only)
    assert (found.iso if found else None) == iso


def test_month_only_page_is_not_padded():
    html = (
        "<html><head><title>关于开展年度统计工作的通知</title></head><body><h1>关于开展年度统计工作的通知</h1>"
        "<div>市统计局 2024年5月</div><div><p>各区县统计部门：为做好年度统计工作，现将有关事项通知如下，请认真贯彻执行。"
        "一是按时报送数据，二是加强数据质量核查，三是做好资料归档工作。</p></div></body></html>"
    ).encode()
    rec = extract(html, "http://127.0.0.1:8000/tzgg/1.html")
    assert rec.published == "2024-05"
