"""extractors/documents.py: text of real attachment bytes, statuses for what has none, limits against bombs."""

import io
import resource
import subprocess
import sys
import zipfile

import pytest

from crawler.demo.attachments import make
from extractors.documents import Limits, bounded_memory, extract_document, join_wrapped_lines, sniff
from tests.attachment_bombs import docx_zip_bomb, pdf_deeply_nested, pdf_many_pages

TITLE = "關於印發《推動新質生產力發展實施方案》的通知"  # Traditional: the text must come out Simplified
PARAS = ["为深入贯彻落实党中央、国务院决策部署，加快培育新质生产力，推动制造业高质量发展，特制定本实施方案。",
         "到2027年，全省战略性新兴产业增加值占地区生产总值比重达到30%以上，数字经济核心产业规模超过2.5万亿元。"]


@pytest.mark.parametrize("kind,url", [("pdf", "a.pdf"), ("docx", "a.docx"), ("xlsx", "a.xlsx")])
def test_text_of_each_format(kind, url):
    body, ctype = make(kind, TITLE, PARAS)
    doc = extract_document(body, "https://www.gd.gov.cn/attachment/" + url, ctype)
    assert doc.status == "ok" and doc.format == kind
    # Simplified, and the wrapped PDF lines joined back into their paragraphs.
    assert doc.text.split("\n") == ["关于印发《推动新质生产力发展实施方案》的通知", *PARAS]
    assert doc.text_original is not None and "關於" in doc.text_original


def test_format_comes_from_the_bytes_not_the_name():
    body, _ = make("pdf", "标题", PARAS)
    assert sniff(body, "application/octet-stream", "https://x.gov.cn/download?id=3") == "pdf"
    docx_body, _ = make("docx", "标题", PARAS)
    assert sniff(docx_body, "application/msword", "https://x.gov.cn/a.doc") == "docx"


def test_scanned_broken_and_unsupported_have_clear_statuses():
    scanned = extract_document(*_body("pdf-scanned"))
    assert scanned.status == "no-text-layer" and scanned.pages == 1 and scanned.text == ""
    broken = extract_document(*_body("pdf-broken"))
    assert broken.status == "broken" and broken.detail
    for kind in ("doc", "wps", "ofd"):
        doc = extract_document(*_body(kind), )
        assert doc.status == "unsupported-format" and doc.format == kind
        assert "convert" in doc.detail  # says what a user can install


def _body(kind):
    body, ctype = make(kind, "标题", PARAS)
    return body, f"https://x.gov.cn/a.{kind.split('-')[0]}", ctype


def test_docx_zip_bomb_refused_before_inflating():
    bomb = docx_zip_bomb()
    assert len(bomb) < 1024 * 1024
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    doc = extract_document(bomb, "https://x.gov.cn/plan.docx")
    assert doc.status == "too-large" and "inflates" in doc.detail
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50 * 1024  # KiB: nothing was inflated


def test_zip_bomb_within_the_ratio_is_caught_by_the_total():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:  # stored: ratio 1, only the total can catch it
        z.writestr("word/document.xml", b"x" * 3_000_000)
    doc = extract_document(out.getvalue(), "https://x.gov.cn/a.docx", limits=Limits(max_unpacked=1_000_000))
    assert doc.status == "too-large"


def test_pdf_huge_page_count_is_refused():
    doc = extract_document(pdf_many_pages(20_000), "https://x.gov.cn/a.pdf", limits=Limits(max_pages=500))
    assert doc.status == "too-large" and "20000 pages" in doc.detail


def test_pdf_deeply_nested_objects_end_with_a_status():
    doc = extract_document(pdf_deeply_nested(50_000), "https://x.gov.cn/a.pdf")
    assert doc.status in ("broken", "no-text-layer", "too-large")


def test_memory_cap_turns_a_runaway_allocation_into_too_large():
    # In a child: the cap applies to the whole process.
    code = (
        "from extractors.documents import bounded_memory\n"
        "try:\n"
        "    with bounded_memory(64 * 1024 * 1024):\n"
        "        x = bytearray(512 * 1024 * 1024)\n"
        "    print('allocated')\n"
        "except MemoryError:\n"
        "    print('capped')\n"
        "y = bytearray(256 * 1024 * 1024)\n"  # the cap is lifted afterwards
        "print('after', len(y))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60).stdout
    assert out.split("\n")[:2] == ["capped", f"after {256 * 1024 * 1024}"]


def test_wrapped_lines_rejoin_only_at_full_width():
    raw = "第一段文字很长很长很长很长很长很长\n接着写完。\n第二段短。\n第三段文字很长很长很长很长很长很长\n结束"
    assert join_wrapped_lines(raw).split("\n") == ["第一段文字很长很长很长很长很长很长接着写完。", "第二段短。",
                                                   "第三段文字很长很长很长很长很长很长结束"]


def test_text_is_capped():
    body, ctype = make("docx", "标题", ["很长的段落内容" * 100] * 10)
    doc = extract_document(body, "https://x.gov.cn/a.docx", ctype, limits=Limits(max_chars=500))
    assert doc.status == "ok" and len(doc.text) <= 500
