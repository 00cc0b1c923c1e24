"""The format readers behind documents.extract_document: PDF (pdfminer.six, with pypdf kept beside it for the
benchmark), DOCX (python-docx), XLSX (openpyxl), XLS (xlrd), plain text and HTML. Each takes the bytes and the
Limits and returns raw text, or raises TooLarge before or while going past a limit."""

from __future__ import annotations

import io
import zipfile
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from extractors.documents import Limits

# A line ending one of these ends a sentence: a wrapped line never does.
SENTENCE_END = "。！？；：…」』”）)!?;:"


class TooLarge(Exception):
    pass


# ---------------------------------------------------------------- PDF

def pdf_text(body: bytes, limits: Limits) -> tuple[str, int]:
    """Text of the PDF's pages, one paragraph per line: a line that reaches the right margin of its text (the
    rightmost edge its lines share) and does not end a sentence continues on the next line. CJK text wraps
    anywhere, without hyphen or space, so the geometry is what tells a wrapped line from a paragraph's end."""
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.layout import LAParams, LTTextBox, LTTextLine
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage

    _check_page_count(body, limits)
    manager = PDFResourceManager(caching=True)
    device = PDFPageAggregator(manager, laparams=LAParams())
    interpreter = PDFPageInterpreter(manager, device)
    pages = 0
    lines: list[tuple[str, float, float]] = []  # text, right edge, character height
    chars = 0
    for page in PDFPage.get_pages(io.BytesIO(body), maxpages=limits.max_pages + 1):
        pages += 1
        if pages > limits.max_pages:
            raise TooLarge(f"more than {limits.max_pages} pages")
        interpreter.process_page(page)
        for box in device.get_result():
            if not isinstance(box, LTTextBox):
                continue
            for line in box:
                if isinstance(line, LTTextLine):
                    text = line.get_text().strip()
                    if text:
                        lines.append((text, line.x1, line.height))
                        chars += len(text)
        if chars > limits.max_chars:
            break
    if pages == 0:
        raise ValueError("no pages found")
    if not lines:
        return "", pages
    margin = max(x1 for _, x1, _ in lines)
    out: list[str] = []
    carry = ""
    for text, x1, height in lines:
        current = carry + text
        if margin - x1 <= max(height, 6.0) * 1.2 and not text.endswith(tuple(SENTENCE_END)):
            carry = current
            continue
        out.append(current)
        carry = ""
    if carry:
        out.append(carry)
    return "\n".join(out), pages


def _check_page_count(body: bytes, limits: Limits) -> None:
    """Refuse a page tree that declares more pages than the limit before walking it (walking 100,000 references
    to one page object takes pdfminer seconds even though it reads the page once)."""
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import resolve1

    document = PDFDocument(PDFParser(io.BytesIO(body)))
    root = resolve1(document.catalog.get("Pages"))
    count = resolve1(root.get("Count")) if isinstance(root, dict) else None
    if isinstance(count, int) and count > limits.max_pages:
        raise TooLarge(f"the page tree declares {count} pages (limit {limits.max_pages})")


def pdf_text_pypdf(body: bytes, max_pages: int = 500) -> str:
    """pypdf's reading of a PDF: kept for the benchmark that chose between the two readers."""
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(body))
    parts = []
    for i, page in enumerate(reader.pages):
        if i >= max_pages:
            break
        parts.append(page.extract_text() or "")
    return "\n".join(parts)


# ---------------------------------------------------------------- zip containers

def check_zip(body: bytes, limits: Limits) -> None:
    """Refuse a zip bomb from its central directory, before inflating anything."""
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        infos = z.infolist()
        if len(infos) > limits.max_members:
            raise TooLarge(f"{len(infos)} members in the zip container (limit {limits.max_members})")
        total = 0
        for info in infos:
            total += info.file_size
            if info.file_size > 1024 * 1024 and info.file_size > limits.max_ratio * max(info.compress_size, 1):
                raise TooLarge(f"{info.filename} inflates {info.file_size} bytes from {info.compress_size} "
                               f"(ratio limit {limits.max_ratio})")
        if total > limits.max_unpacked:
            raise TooLarge(f"zip container inflates to {total} bytes (limit {limits.max_unpacked})")


def docx_text(body: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(body))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            cells: list[str] = []
            for cell in row.cells:
                value = cell.text.strip()
                if value and (not cells or cells[-1] != value):  # merged cells repeat their text
                    cells.append(value)
            if cells:
                lines.append(" ".join(cells))
    return "\n".join(lines)


def xlsx_text(body: bytes, limits: Limits) -> str:
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(body), read_only=True, data_only=True)
    try:
        return _rows_text(((ws.title, ws.iter_rows(values_only=True)) for ws in wb.worksheets), limits)
    finally:
        wb.close()


def xls_text(body: bytes, limits: Limits) -> str:
    import xlrd

    book = xlrd.open_workbook(file_contents=body, on_demand=True)
    sheets = ((s.name, (s.row_values(i) for i in range(s.nrows))) for s in book.sheets())
    return _rows_text(sheets, limits)


def _rows_text(sheets, limits: Limits) -> str:
    lines: list[str] = []
    cells = 0
    for _name, rows in sheets:
        for row in rows:
            values = [_cell(v) for v in row]
            cells += len(values)
            if cells > limits.max_cells:
                raise TooLarge(f"more than {limits.max_cells} spreadsheet cells")
            values = [v for v in values if v]
            if values:
                lines.append(" ".join(values))
    return "\n".join(lines)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# ---------------------------------------------------------------- text and HTML

def plain_text(body: bytes, content_type: str | None, fmt: str) -> str:
    from extractors.decode import decode_html

    headers = (("Content-Type", content_type),) if content_type else ()
    decoded = decode_html(body, headers).text
    if fmt != "html":
        return decoded
    import lxml.html

    root = lxml.html.document_fromstring(decoded)
    for el in root.xpath("//script|//style|//noscript"):
        el.drop_tree()
    return "\n".join(t.strip() for t in root.itertext() if t.strip())
