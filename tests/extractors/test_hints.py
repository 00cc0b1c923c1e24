"""Per-site hints are applied on top of the general mechanisms; the source's region is carried and completed."""

from __future__ import annotations

from extractors import ExtractionHints, SourceInfo, extract
from extractors.record import Region

PARAS = [
    "市政府常务会议研究部署了下一阶段稳增长工作，要求各部门加快政策落地，确保重点项目按期开工。",
    "会议强调，要坚持问题导向，切实解决企业反映的融资难、用工难等实际困难，稳定市场预期。",
]


def page(extra: str = "") -> bytes:
    body = "".join(f"<p>{p}</p>" for p in PARAS)
    return (
        "<html><head><title>广州市召开常务会议 - 示例政务网 - 广州</title></head><body>"
        f"<h1>广州市召开常务会议</h1><div id='main'>{body}<p class='slogan'>为人民服务 共建美好家园</p>{extra}</div>"
        "</body></html>"
    ).encode("gbk")


def test_hints_drop_selectors_lines_and_encoding():
    hints = ExtractionHints(drop_lines=("为人民服务 共建美好家园",), drop_selectors=("p.extra",), encoding="gbk",
                            body_selector="#main")
    src = SourceInfo(id="gz", site_name="示例政务网", region=Region(code="440100"), hints=hints)
    rec = extract(page("<p class='extra'>本站点击量统计</p>"), "https://www.gz.gov.cn/a.html", source=src)
    assert rec.encoding.name == "gb18030" and rec.encoding.source == "hint"
    assert "为人民服务" not in rec.text and "点击量" not in rec.text
    assert all(p in rec.text for p in PARAS)
    assert rec.region.code == "440100" and rec.region.province == "广东省" and rec.region.city == "广州市"
    assert rec.region.mentioned == ("广州市",)
    assert rec.source == "gz" and rec.site_name == "示例政务网"


def test_title_suffix_hint():
    html = page().replace("<h1>广州市召开常务会议</h1>".encode("gbk"), b"")
    src = SourceInfo(id="gz", hints=ExtractionHints(title_suffixes=(" - 示例政务网 - 广州",)))
    rec = extract(html, "https://www.gz.gov.cn/a.html", [("Content-Type", "text/html; charset=gbk")], source=src)
    assert rec.title == "广州市召开常务会议"
