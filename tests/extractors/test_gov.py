"""信息公开 blocks in every markup real portals use, and publish dates that come from them (synthetic pages,
text written for these tests)."""

from __future__ import annotations

import json

import pytest

from extractors import extract
from extractors.record import Record

BODY = "".join(
    f"<p>第{i}条 本市支持企业开展技术改造和数字化转型，对符合条件的项目按照投资额给予一定比例的资金支持，具体办法另行制定。</p>"
    for i in range(1, 9)
)
SIGNATURE = "<p>某某市工业和信息化局</p><p>2024年3月18日</p>"


def page(block: str, *, head: str = "", header: str = "", body: str = BODY + SIGNATURE) -> bytes:
    return (
        "<html><head><meta charset='utf-8'><title>关于印发某某市制造业技改扶持办法的通知_某某市人民政府</title>"
        f"{head}</head><body><div class='nav'><a href='/'>首页</a> <a href='/zwgk/'>政务公开</a></div>"
        f"{block}<h1>关于印发某某市制造业技改扶持办法的通知</h1>{header}<div class='content'>{body}</div>"
        "<div class='footer'>主办：某某市人民政府办公室</div></body></html>"
    ).encode("utf-8")


def labels(rec: Record) -> dict[str, str]:
    assert rec.gov is not None, "no 信息公开 block found"
    return {f.label: f.value for f in rec.gov.fields}


TABLE = """<table class="xxgk"><tr><td><b>索 引 号：</b></td><td>11440100MB2C-2024-00012</td>
<td><b>分　　类：</b></td><td>工业、交通\\其他</td></tr>
<tr><td><b>发布机构：</b></td><td>某某市工业和信息化局</td><td><b>成文日期：</b></td><td>2024年03月18日</td></tr>
<tr><td><b>文　　号：</b></td><td>某工信规字〔2024〕2号</td><td><b>发布日期：</b></td><td>2024年03月25日</td></tr>
<tr><td><b>主 题 词：</b></td><td>技术改造</td><td><b>有 效 性：</b></td><td></td></tr></table>"""

TABLE_NO_COLONS = """<table><tr><td><strong>索引号</strong></td><td>&nbsp;11440100MB2C-2024-00012</td>
<td><strong>分类</strong></td><td>&nbsp;工业、交通\\其他</td></tr>
<tr><td><strong>发布机构</strong></td><td>&nbsp;某某市工业和信息化局</td><td><strong>成文日期</strong></td><td>2024-03-18</td></tr>
<tr><td><strong>文号</strong></td><td>某工信规字〔2024〕2号</td><td><strong>发布日期</strong></td><td>2024-03-25</td></tr>
<tr><td><strong>主题词</strong></td><td>技术改造</td><td><strong>关键词</strong></td><td>&nbsp;</td></tr></table>"""

ROWS = """<div class="xx_con"><div class="row"><span class="label">索&ensp;引&ensp;号：</span><span>11440100MB2C-2024-00012</span></div>
<div class="row"><span class="label">分&emsp;&emsp;类：</span><span>工业、交通\\其他</span></div>
<div class="row"><span class="label">发布机构：</span><span>某某市工业和信息化局</span></div>
<div class="row"><span class="label">成文日期：</span><span>2024-03-18</span></div>
<div class="row"><span class="label">文&emsp;&emsp;号：</span><span>某工信规字〔2024〕2号</span></div>
<div class="row"><span class="label">发布日期：</span><span>2024-03-25</span></div>
<div class="row"><span class="label">主&ensp;题&ensp;词：</span><span>技术改造</span></div></div>"""

LI_ROWS = """<ul class="info"><li>索引号：<font>11440100MB2C-2024-00012</font></li><li>分类：<font>工业、交通\\其他</font></li>
<li>发布机构：<font>某某市工业和信息化局</font></li><li>成文日期：<font>2024-03-18</font></li>
<li>文号：<font>某工信规字〔2024〕2号</font></li><li>发布日期：<font>2024-03-25</font></li><li>主题词：<font>技术改造</font></li></ul>"""

P_LINES = """<div class="meta"><p>索引号：11440100MB2C-2024-00012</p><p>分类：工业、交通\\其他</p>
<p>发布机构：某某市工业和信息化局</p><p>成文日期：2024-03-18</p><p>文号：某工信规字〔2024〕2号</p>
<p>发布日期：2024-03-25</p><p>主题词：技术改造</p></div>"""

INLINE = """<div class="meta"><p>索引号：11440100MB2C-2024-00012 分类：工业、交通\\其他</p>
<p>发布机构：某某市工业和信息化局 成文日期：2024-03-18</p><p>文号：某工信规字〔2024〕2号 发布日期：2024-03-25</p>
<p>主题词：技术改造</p></div>"""

DL = """<dl class="xxgk"><dt>索引号：</dt><dd>11440100MB2C-2024-00012</dd><dt>分类：</dt><dd>工业、交通\\其他</dd>
<dt>发布机构：</dt><dd>某某市工业和信息化局</dd><dt>成文日期：</dt><dd>2024-03-18</dd><dt>文号：</dt><dd>某工信规字〔2024〕2号</dd>
<dt>发布日期：</dt><dd>2024-03-25</dd><dt>主题词：</dt><dd>技术改造</dd></dl>"""

SEPARATE_LINES = """<div class="xxgk"><div>索引号</div><div>11440100MB2C-2024-00012</div><div>分类</div><div>工业、交通\\其他</div>
<div>发布机构</div><div>某某市工业和信息化局</div><div>成文日期</div><div>2024-03-18</div><div>文号</div><div>某工信规字〔2024〕2号</div>
<div>发布日期</div><div>2024-03-25</div><div>主题词</div><div>技术改造</div></div>"""

COMMENT = "<!--" + ROWS + "-->"

EXPECTED = {"索引号": "11440100MB2C-2024-00012", "分类": "工业、交通\\其他", "发布机构": "某某市工业和信息化局",
            "文号": "某工信规字〔2024〕2号", "主题词": "技术改造"}


@pytest.mark.parametrize("block,layout", [
    (TABLE, "table"), (TABLE_NO_COLONS, "table"), (ROWS, "rows"), (LI_ROWS, "rows"), (P_LINES, "lines"),
    (INLINE, "lines"), (DL, "dl"), (SEPARATE_LINES, "rows"), (COMMENT, "comment"),
])
def test_block_in_every_layout(block, layout):
    rec = extract(page(block), "https://www.example.gov.cn/zwgk/content/post_1.html")
    got = labels(rec)
    for label, value in EXPECTED.items():
        assert got.get(label) == value, (label, got)
    g = rec.gov
    assert g.index_no == "11440100MB2C-2024-00012" and g.doc_no == "某工信规字〔2024〕2号"
    assert g.issuer == "某某市工业和信息化局" and g.category == "工业、交通\\其他" and g.subject_words == "技术改造"
    assert g.written_date == "2024-03-18" and g.published_date == "2024-03-25"
    assert g.layout == layout
    # the block is metadata: out of the text; the publish date is the block's, not the signature's 3月18日
    assert "索引号" not in rec.text and "11440100MB2C" not in rec.text
    assert "第1条" in rec.text and "第8条" in rec.text
    assert rec.published == "2024-03-25" and rec.published_from == "label"


def test_empty_field_takes_no_value_from_the_next_cell():
    rec = extract(page(TABLE), "https://www.example.gov.cn/a.html")
    got = labels(rec)
    assert "有效性" not in got and rec.gov.validity is None
    rec = extract(page(TABLE_NO_COLONS), "https://www.example.gov.cn/a.html")
    assert "关键词" not in labels(rec)


def test_hidden_block_is_not_the_page_metadata():
    hidden = ROWS.replace('class="xx_con"', 'class="xx_con" style="display:none"')
    rec = extract(page(hidden), "https://www.example.gov.cn/a.html")
    assert rec.gov is None


def test_byline_alone_is_not_a_disclosure_block():
    rec = extract(page("", header="<div class='info'>来源：某某市人民政府 发布时间：2024-03-25 10:30</div>"),
                  "https://www.example.gov.cn/a.html")
    assert rec.gov is None
    assert rec.published == "2024-03-25T10:30+08:00" and rec.published_from == "header"


def test_meta_tags_with_prefix_and_any_case():
    head = ('<meta name="meta-ArticleTitle" content="关于印发某某市制造业技改扶持办法的通知">'
            '<meta name="META-PUBDATE" content="2024-03-26 09:15:00"><meta name="meta-ContentSource" content="市工信局">')
    rec = extract(page("", head=head, body=BODY), "https://www.example.gov.cn/a.html")
    # no date on the page but the meta one; no signature either
    assert rec.published == "2024-03-26T09:15:00+08:00" and rec.published_from == "meta"
    from extractors import metatags
    from extractors.dom import parse

    tags = metatags.meta_tags(parse(page("", head=head).decode()).root)
    assert tags["pubdate"] == "2024-03-26 09:15:00" and tags["articletitle"].startswith("关于印发")


def test_signature_date_in_text_never_wins_over_the_page():
    # Header shows no date; the only dates are the signature's and a regeneration-time meta PubDate. The
    # signature is inside the text: the meta tag is the publish date (published_from says how sure that is).
    head = '<meta name="PubDate" content="2024-03-20 08:00">'
    rec = extract(page("", head=head), "https://www.example.gov.cn/a.html")
    assert rec.published.startswith("2024-03-20") and rec.published_from == "meta"


def test_labelled_field_beats_regeneration_meta_and_url():
    head = '<meta name="PubDate" content="2024-11-02 03:00:00">'
    rec = extract(page(ROWS, head=head), "https://www.example.gov.cn/zwgk/202411/t20241102_9.html")
    assert rec.published == "2024-03-25" and rec.published_from == "label"
    assert rec.gov.written_date == "2024-03-18"


def test_bare_doc_no_outside_the_text_is_recorded():
    header = "<div class='sub'><span>某工信规字〔2024〕2号</span></div><div>发布日期：2024-03-25</div>"
    tags = "<ul class='tags'><li><b>主题分类：</b><span>工业</span></li><li><b>适用对象：</b><span>企业</span></li></ul>"
    rec = extract(page(tags, header=header), "https://www.example.gov.cn/a.html")
    got = labels(rec)
    assert rec.gov.doc_no == "某工信规字〔2024〕2号" and got["主题分类"] == "工业" and got["适用对象"] == "企业"
    assert rec.gov.published_date == "2024-03-25"  # the byline's 发布日期 joins an existing block
    # the same 文号 as the first line of the document text is the text's own header, not metadata
    rec = extract(page("", body="<p>某工信规字〔2024〕2号</p>" + BODY), "https://www.example.gov.cn/a.html")
    assert rec.gov is None


def test_record_round_trip_and_old_lines():
    rec = extract(page(TABLE), "https://www.example.gov.cn/a.html")
    again = Record.from_dict(json.loads(rec.to_json()))
    assert again == rec
    old = {"id": "0" * 32, "url": "https://www.example.gov.cn/a.html", "status": "ok", "schema_version": "1.0",
           "gov": {"index_no": "X-1", "doc_no": None, "issuer": None, "written_date": None, "published_date": None}}
    loaded = Record.from_dict(old)
    assert loaded.gov.index_no == "X-1" and loaded.gov.fields == () and loaded.published_from is None


def test_schema_accepts_new_and_old_lines():
    jsonschema = pytest.importorskip("jsonschema")
    from pathlib import Path

    schema = json.loads((Path(__file__).resolve().parents[2] / "archive/schema/record.schema.json").read_text())
    from archive.pointer import ArchivedRecord

    rec = ArchivedRecord(extract(page(TABLE), "https://www.example.gov.cn/a.html"))  # the line the archive writes
    jsonschema.validate(json.loads(rec.to_json()), schema)
    old = json.loads(rec.to_json())
    old["schema_version"] = "1.0"
    del old["published_from"]
    old["gov"] = {k: old["gov"][k] for k in ("index_no", "doc_no", "issuer", "written_date", "published_date")}
    jsonschema.validate(old, schema)


def test_document_heading_repeated_in_the_text_is_kept():
    """An official document repeats its headline under its 文号 and issuer: that line is the text's, the page's
    headline element is not."""
    body = ("<p>某工信规字〔2024〕2号</p><p>某某市工业和信息化局</p><p>关于印发某某市制造业技改扶持办法的通知</p>"
            "<p>各区工业和信息化主管部门：</p>" + BODY + SIGNATURE)
    rec = extract(page("", body=body), "https://www.example.gov.cn/a.html")
    lines = rec.text.splitlines()
    assert lines.count("关于印发某某市制造业技改扶持办法的通知") == 1 and lines[2] == "关于印发某某市制造业技改扶持办法的通知"
    assert rec.title == "关于印发某某市制造业技改扶持办法的通知"


def test_attachment_lines_after_the_text_are_kept():
    body = (BODY + SIGNATURE + "<p>附件：1.<a href='P020240325001.pdf'>某某市制造业技改扶持办法</a></p>"
            "<p>2.<a href='/module/download/downfile.jsp?classid=0&amp;filename=ab12cd.xlsx'>申报项目汇总表</a></p>")
    rec = extract(page("", body=body), "https://www.example.gov.cn/zwgk/a.html")
    assert "附件：1.某某市制造业技改扶持办法" in rec.text and "2.申报项目汇总表" in rec.text
    assert [(a.name, a.type) for a in rec.attachments] == [("某某市制造业技改扶持办法", "pdf"), ("申报项目汇总表", "xlsx")]
    assert rec.attachments[1].url == "https://www.example.gov.cn/module/download/downfile.jsp?classid=0&filename=ab12cd.xlsx"


def test_empty_byline_slot_is_not_text():
    rec = extract(page("", body="<p>来源：</p>" + BODY), "https://www.example.gov.cn/a.html")
    assert not rec.text.startswith("来源")
