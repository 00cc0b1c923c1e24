"""Per-site hints are applied on top of the general mechanisms; the source's region is carried and completed.

Each hint is tested on a page where the general mechanisms alone get it wrong, and each test also runs with that
one hint switched off and checks the result then IS wrong: a hint test that passes without its hint tests nothing.
"""

from __future__ import annotations

import dataclasses

import pytest

from extractors import ExtractionHints, SourceInfo, extract
from extractors.record import Region

PARAS = [
    "市政府常务会议研究部署了下一阶段稳增长工作，要求各部门加快政策落地，确保重点项目按期开工。",
    "会议强调，要坚持问题导向，切实解决企业反映的融资难、用工难等实际困难，稳定市场预期。",
]
# Text no general rule knows as chrome: a plain sentence in a block with an innocent class.
SITE_LINE = "本栏目稿件由市政府办公室信息科统一编审后发布"
OTHER_BLOCK = "同日下午，市人大常委会召开第十二次会议，听取和审议了关于本市优化营商环境条例执法检查情况的报告。"


def page(extra: str = "", before: str = "", title: str = "广州市召开常务会议 - 示例政务网 - 广州") -> bytes:
    body = "".join(f"<p>{p}</p>" for p in PARAS)
    return (
        f"<html><head><title>{title}</title></head><body>"
        f"<h1>广州市召开常务会议</h1>{before}<div id='main'>{body}<p>{SITE_LINE}</p>{extra}</div>"
        f"<div class='wz'><span class='rq'>发布于：2024年5月10日</span><span class='zz'>文/王小明</span></div>"
        "</body></html>"
    ).encode("gbk")


URL = "https://www.gz.gov.cn/a.html"
CASES = {
    # hint field: (hints, page, check(record) -> bool: the hint's effect is there)
    "drop_lines": (ExtractionHints(drop_lines=(SITE_LINE,)), page(), lambda r: SITE_LINE not in r.text),
    "drop_line_patterns": (ExtractionHints(drop_line_patterns=("^本栏目稿件由.{2,20}发布$",)), page(),
                           lambda r: SITE_LINE not in r.text),
    "drop_selectors": (ExtractionHints(drop_selectors=("p.ed",)), page("<p class='ed'>本期编审人员名单另行公布于本栏目首页</p>"),
                       lambda r: "编审人员名单" not in r.text),
    "body_selector": (ExtractionHints(body_selector="#main"), page(before=f"<div class='intro'><p>{OTHER_BLOCK}</p></div>"),
                      lambda r: "人大常委会" not in r.text),
    "encoding": (ExtractionHints(encoding="gbk"), page(), lambda r: r.encoding.source == "hint"),
    "title_suffixes": (ExtractionHints(title_suffixes=("【示例政务网·广州】",)),
                       page(title="广州市召开常务会议【示例政务网·广州】").replace("<h1>广州市召开常务会议</h1>".encode("gbk"), b""),
                       lambda r: r.title == "广州市召开常务会议"),
    "title_prefixes": (ExtractionHints(title_prefixes=("示例政务网广州站 ",)),
                       page(title="示例政务网广州站 广州市召开常务会议").replace("<h1>广州市召开常务会议</h1>".encode("gbk"), b""),
                       lambda r: r.title == "广州市召开常务会议"),
    "title_separators": (ExtractionHints(title_separators=("~~",)),
                         page(title="广州市召开常务会议~~通知公告栏目").replace("<h1>广州市召开常务会议</h1>".encode("gbk"), b""),
                         lambda r: r.title == "广州市召开常务会议"),
    "title_selector": (ExtractionHints(title_selector="span.zz"), page(), lambda r: r.title == "文/王小明"),
    "date_selector": (ExtractionHints(date_selector="span.rq"), page(before="<p>2023-01-01</p>"),
                      lambda r: (r.published or "").startswith("2024-05-10")),
    "author_selector": (ExtractionHints(author_selector="span.rq"), page(), lambda r: r.author == "发布于：2024年5月10日"),
}


@pytest.mark.parametrize("field", sorted(CASES))
def test_hint_works_and_is_what_makes_it_work(field):
    hints, body, works = CASES[field]
    on = extract(body, URL, source=SourceInfo(id="gz", hints=hints))
    assert on.status == "ok" and all(p in on.text for p in PARAS), (on.status, on.text)
    assert works(on), (field, on.title, on.author, on.published, on.text)
    off_hints = dataclasses.replace(hints, **{field: dataclasses.fields(ExtractionHints)[
        [f.name for f in dataclasses.fields(ExtractionHints)].index(field)].default})
    off = extract(body, URL, source=SourceInfo(id="gz", hints=off_hints))
    assert not works(off), f"{field}: the page comes out right without the hint, so this test proves nothing"


def test_every_hint_field_has_a_case():
    assert set(CASES) == {f.name for f in dataclasses.fields(ExtractionHints)} - {"script_epoch_keys"}


def test_region_and_identity_are_carried_and_completed():
    src = SourceInfo(id="gz", site_name="示例政务网", region=Region(code="440100"))
    rec = extract(page(), URL, source=src)
    assert rec.region.code == "440100" and rec.region.province == "广东省" and rec.region.city == "广州市"
    assert rec.region.mentioned == ("广州市",)
    assert rec.source == "gz" and rec.site_name == "示例政务网"
