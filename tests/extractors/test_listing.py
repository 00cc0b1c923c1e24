"""Generic listing extraction (extractors/listing.py) on synthetic column pages (text written for these tests)."""

from __future__ import annotations

from extractors import extract
from extractors.listing import extract_listing

NAV = "".join(f"<li><a href='/c{i}/'>栏目{i}</a></li>" for i in range(8))


def column(items: str, pager: str = "", script: str = "") -> bytes:
    return (f"<html><head><meta charset='utf-8'><title>通知公告 - 某某市人民政府</title></head><body>"
            f"<ul class='nav'>{NAV}</ul><div class='main_title'><h2>通知公告</h2></div>{items}{pager}"
            f"<script>{script}</script><div class='footer'>主办：某某市人民政府办公室</div></body></html>").encode()


ENTRIES = "<ul class='news_list'>" + "".join(
    f"<li><i></i><a href='/xw/tzgg/content/post_{100 + i}.html' title='t'>关于开展第{i}批企业技术改造项目申报工作的通知</a>"
    f"<span class='time'>2024-05-{10 + i:02d}</span></li>" for i in range(12)) + "</ul>"
TABLE = "<table class='list'>" + "".join(
    f"<tr><td><a href='../{i}.html'>某某区第{i}次常务会议研究部署重点工作</a></td><td>[2023年4月{i + 1}日]</td></tr>"
    for i in range(6)) + "</table>"


def test_items_with_dates_and_linked_next_page():
    body = column(ENTRIES, "<div class='page'><a href='index_2.html'>下一页</a><a href='index_9.html'>尾页</a></div>")
    got = extract_listing(body, "https://www.example.gov.cn/xw/tzgg/")
    assert len(got.items) == 12
    assert got.items[0].url == "https://www.example.gov.cn/xw/tzgg/content/post_100.html"
    assert got.items[0].title == "关于开展第0批企业技术改造项目申报工作的通知" and got.items[0].date == "2024-05-10"
    assert all("栏目" not in i.title for i in got.items)  # the menu is not a list of entries
    assert got.next_page == "https://www.example.gov.cn/xw/tzgg/index_2.html"
    assert extract(body, "https://www.example.gov.cn/xw/tzgg/").status == "not-an-article"


def test_table_rows_and_chinese_dates():
    got = extract_listing(column(TABLE), "https://www.example.gov.cn/zwgk/hy/index.html")
    assert [i.date for i in got.items] == [f"2023-04-{i + 1:02d}" for i in range(6)]
    assert got.items[2].url == "https://www.example.gov.cn/zwgk/2.html"
    assert got.next_page is None


def test_next_page_from_the_paging_script_only():
    script = ('var totalPage = Math.ceil(95/20); var currentPage = 0; '
              'createPageHTML(totalPage, currentPage, "index", "shtml");')
    got = extract_listing(column(ENTRIES, "<div id='pages'></div>", script), "https://www.example.gov.cn/xw/")
    assert got.next_page == "https://www.example.gov.cn/xw/index_1.shtml"
    got = extract_listing(column(ENTRIES, "", script), "https://www.example.gov.cn/xw/index_4.shtml")
    assert got.next_page == "https://www.example.gov.cn/xw/index_5.shtml"
    # page 5 of Math.ceil(95/20) = 5: the last one
    got = extract_listing(column(ENTRIES, "", script), "https://www.example.gov.cn/xw/index_5.shtml")
    assert got.next_page is None
    # literal arguments, page 1 linking index_2 but no index_1 (numbering that skips index_1)
    script = 'createPageHTML(7, 0, "index", "html");'
    pager = "<div id='pages'><a href='index_2.html'>2</a><a href='index_3.html'>3</a></div>"
    got = extract_listing(column(ENTRIES, pager, script), "https://www.example.gov.cn/xw/")
    assert got.next_page == "https://www.example.gov.cn/xw/index_2.html"


def test_an_article_with_a_related_list_is_an_article():
    prose = "".join(f"<p>第{i}段 本市将持续优化营商环境，推动制造业高质量发展，支持企业加大研发投入，培育新质生产力。</p>"
                    for i in range(10))
    body = (f"<html><head><meta charset='utf-8'><title>某某市推进制造业高质量发展</title></head><body>"
            f"<h1>某某市推进制造业高质量发展</h1><div class='info'>发布时间：2024-05-30</div><div class='content'>{prose}</div>"
            f"<div class='related'><h3>相关文章</h3>{ENTRIES}</div></body></html>").encode()
    rec = extract(body, "https://www.example.gov.cn/xw/content/post_1.html")
    assert rec.status == "ok" and "第9段" in rec.text
