"""Two layouts of real Guangdong portals (../shared/GOV_PORTALS.md): www.gd.gov.cn's 信息公开 card of adjacent
<span> pairs (div.introduce div.row span), and an attachment list beside a declared body (www.sz.gov.cn div.fjdown
after div.news_cont_d_wrap)."""

from __future__ import annotations

from extractors import extract
from extractors.source import ExtractionHints, SourceInfo
from tests.servers import html_page

BODY = "".join(f"<p>第{k}条：支持企业开展技术改造，推动制造业数字化转型，对符合条件的项目给予资金奖励。</p>" for k in range(6))


def test_adjacent_span_pairs_are_separate_fields():
    card = ('<div class="introduce"><div class="row"><span class="col-left">索引号：</span><span class="col-right">'
            '006939748/2024-00655</span><span class="col-left">分类：</span><span class="col-right">通知</span></div>'
            '<div class="row"><span class="col-left">发布机构：</span><span class="col-right">广东省人民政府办公厅</span>'
            '<span class="col-left">成文日期：</span><span class="col-right">2024-05-07</span></div>'
            '<div class="row"><span class="col-left">文号：</span><span class="col-right">粤府办〔2024〕</span>'
            '<span class="col-right">5号</span><span class="col-left">发布日期：</span><span class="col-right">2024-05-11</span></div></div>')
    page = html_page("关于印发行动方案的通知", f'{card}<h1>关于印发行动方案的通知</h1><div class="zw">{BODY}</div>')
    record = extract(page, "https://www.gd.gov.cn/zwgk/wjk/qbwj/yfb/content/post_4317345.html")
    gov = record.gov
    assert (gov.index_no, gov.category, gov.issuer) == ("006939748/2024-00655", "通知", "广东省人民政府办公厅")
    assert (gov.written_date, gov.doc_no, gov.published_date) == ("2024-05-07", "粤府办〔2024〕5号", "2024-05-11")


def test_attachments_beside_a_declared_body_are_found():
    page = html_page("通知公告--深圳市人民政府", f'<div class="news_cont"><div class="tit"><h1>关于开展申报工作的通知</h1></div>'
                     f'<div class="news_cont_d_wrap">{BODY}</div>'
                     '<div class="fjdown"><a href="/attachment/0/1/11/9.pdf">申报指南.pdf</a></div></div>')
    source = SourceInfo(id="sz", hints=ExtractionHints(body_selector="div.news_cont_d_wrap", title_selector="div.tit h1"))
    record = extract(page, "http://www.sz.gov.cn/cn/xxgk/zfxxgj/tzgg/content/post_9.html", source=source)
    assert [(a.url, a.type) for a in record.attachments] == [("http://www.sz.gov.cn/attachment/0/1/11/9.pdf", "pdf")]
    assert "申报指南" not in record.text
