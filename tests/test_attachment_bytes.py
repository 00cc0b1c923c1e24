"""crawler/demo/attachments.py: real, deterministic attachment bytes, read back with independent libraries."""

import io
import zipfile

import pytest

from crawler.demo.attachments import KINDS, known_text, make

TITLE = "关于印发《推动新质生产力发展实施方案》的通知"
PARAS = ["加快培育新质生产力，推动制造业高质量发展，制定本方案。", "到2027年，数字经济核心产业规模超过2.5万亿元。"]


@pytest.mark.parametrize("kind", KINDS)
def test_deterministic(kind):
    assert make(kind, TITLE, PARAS) == make(kind, TITLE, PARAS)


def test_pdf_has_chinese_text_layer():
    from pdfminer.high_level import extract_text

    body, ctype = make("pdf", TITLE, PARAS)
    assert ctype == "application/pdf" and body.startswith(b"%PDF-")
    text = "".join(extract_text(io.BytesIO(body)).split())
    for line in known_text("pdf", TITLE, PARAS).split("\n"):
        assert "".join(line.split()) in text


def test_scanned_pdf_has_no_text_layer():
    from pdfminer.high_level import extract_text

    body, _ = make("pdf-scanned", TITLE, PARAS)
    assert body.startswith(b"%PDF-") and b"/Image" in body
    assert extract_text(io.BytesIO(body)).strip() == ""


def test_broken_pdf_is_cut_short():
    body, _ = make("pdf-broken", TITLE, PARAS)
    assert body.startswith(b"%PDF-") and b"%%EOF" not in body and b"trailer" not in body


def test_docx_and_xlsx_hold_the_text():
    import docx
    import openpyxl

    body, _ = make("docx", TITLE, PARAS)
    assert [p.text for p in docx.Document(io.BytesIO(body)).paragraphs] == [TITLE, *PARAS]
    body, _ = make("xlsx", TITLE, PARAS)
    ws = openpyxl.load_workbook(io.BytesIO(body), read_only=True).active
    assert [r[0] for r in ws.iter_rows(values_only=True)] == [TITLE, *PARAS]


def test_unsupported_placeholders_carry_real_magic():
    assert make("doc", TITLE, PARAS)[0].startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
    assert make("wps", TITLE, PARAS)[0].startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
    ofd, _ = make("ofd", TITLE, PARAS)
    assert "OFD.xml" in zipfile.ZipFile(io.BytesIO(ofd)).namelist()


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown attachment kind"):
        make("pptx", TITLE, PARAS)
