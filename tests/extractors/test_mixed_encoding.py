"""Mixed encodings (issue 15): a UTF-8 page with a GBK-encoded byline, and a page half UTF-8, half GB18030."""

from __future__ import annotations

from extractors import extract
from extractors.decode import decode_html

PARAS = [
    "深圳市出台支持新型储能产业高质量发展的若干措施，对示范项目给予分档补助。",
    "措施提出，将围绕电芯、系统集成和回收利用等环节，培育一批具有竞争力的企业。",
    "市发展改革委表示，今年还将建设一批公共测试平台，帮助中小企业缩短验证周期。",
    "业内人士认为，这些政策将进一步降低企业成本，推动产业链上下游协同发展。",
]
HEADERS = (("Content-Type", "text/html; charset=utf-8"),)


def _page(parts: list[bytes]) -> bytes:
    return (b'<!DOCTYPE html><html><head><meta charset="utf-8"><title>' + "深圳储能政策解读".encode()
            + b"</title></head><body><h1>" + "深圳储能政策解读".encode() + b"</h1><article>"
            + b"".join(b"<p>" + p + b"</p>" for p in parts) + b"</article></body></html>")


def test_utf8_page_with_a_gbk_byline_is_decoded_not_rejected():
    byline = "作者：张小明 来源：深圳特区报".encode("gbk")
    body = _page([byline, *(p.encode() for p in PARAS * 3)])
    decoded = decode_html(body, HEADERS)
    assert "作者：张小明 来源：深圳特区报" in decoded.text
    assert decoded.encoding.name == "utf-8" and decoded.encoding.source == "http"
    record = extract(body, "https://www.sz.gov.cn/a/1.html", HEADERS)
    assert record.status == "ok", (record.status, record.status_detail)
    assert PARAS[0] in record.text and "\ufffd" not in record.text


def test_half_utf8_half_gb18030_is_not_stored_garbled():
    body = _page([p.encode() for p in PARAS[:2] * 2] + [p.encode("gb18030") for p in PARAS[2:] * 2])
    record = extract(body, "https://www.sz.gov.cn/a/2.html", HEADERS)
    if record.status == "ok":
        for p in PARAS:
            assert p in record.text, record.text[:300]
    else:  # refusing is allowed; storing garbled text as ok is not
        assert record.status == "decode-error"


def test_pure_gbk_and_pure_utf8_pages_are_unchanged():
    gbk = _page([p.encode("gbk") for p in PARAS * 3]).replace(b'charset="utf-8"', b'charset="gbk"')
    decoded = decode_html(gbk, ())
    assert decoded.encoding.name == "gb18030" and PARAS[0] in decoded.text
    utf8 = _page([p.encode() for p in PARAS * 3])
    assert decode_html(utf8, HEADERS).text == utf8.decode()
