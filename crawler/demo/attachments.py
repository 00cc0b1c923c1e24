"""Real attachment bytes for the replica sites: the files government portals link from their policy pages.

`make(kind, title, paragraphs)` returns (body, content type). The bytes are deterministic (same input → same
bytes) so the replica, its tests and the benchmark agree on every byte: reportlab runs with `invariant=1`
(no creation date, fixed document id) and the OOXML files are re-zipped with a fixed timestamp and fixed core
properties, since python-docx and openpyxl stamp the current time into both.

Kinds:
- "pdf": a real PDF whose text layer is Chinese, drawn with reportlab's built-in CID font STSong-Light
  (Adobe-GB1, not embedded: every PDF reader knows it, and the text is encoded as UniGB-UCS2-H so
  extractors recover Unicode — the common shape of PDFs exported on Chinese government desktops).
- "pdf-scanned": one image per page and no text layer (a scanned 红头文件).
- "pdf-broken": a real PDF cut short (an interrupted upload): the header is there, the xref and trailer are not.
- "pdf-oversize": the "pdf" followed by OVERSIZE bytes of incompressible padding (a scan-heavy 50-page PDF).
- "docx" (python-docx), "xlsx" (openpyxl: the paragraphs as rows of a project table).
- "doc", "wps": OLE2 compound files (old Word and WPS Office share the D0CF11E0 signature); "ofd": a zip with
  OFD.xml at its root (GB/T 33190). No maintained Python reader exists for these; they are placeholders that
  carry the real magic bytes so type detection and the "unsupported-format" path are exercised.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

KINDS = ("pdf", "pdf-scanned", "pdf-broken", "pdf-oversize", "docx", "xlsx", "doc", "wps", "ofd")
# Bytes of a "pdf-oversize": above the demo's per-file limit (crawler/cli.py demo_settings), far below the default.
OVERSIZE = 1280 * 1024

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "pdf-scanned": "application/pdf",
    "pdf-broken": "application/pdf",
    "pdf-oversize": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "doc": "application/msword",
    # Servers rarely know WPS and OFD: octet-stream is what portals send for them.
    "wps": "application/octet-stream",
    "ofd": "application/ofd",
}

EXTENSIONS = {"pdf": "pdf", "pdf-scanned": "pdf", "pdf-broken": "pdf", "pdf-oversize": "pdf", "docx": "docx", "xlsx": "xlsx",
              "doc": "doc", "wps": "wps", "ofd": "ofd"}

# Fixed timestamp for zip members and core properties: determinism, not a claim about the document.
_FIXED_DATE = (2024, 1, 1, 0, 0, 0)


def make(kind: str, title: str, paragraphs: list[str]) -> tuple[bytes, str]:
    """The bytes of an attachment of `kind` holding `title` and `paragraphs`, and its Content-Type."""
    try:
        maker = _MAKERS[kind]
    except KeyError:
        raise ValueError(f"unknown attachment kind {kind!r}; known: {', '.join(KINDS)}") from None
    return maker(title, list(paragraphs)), CONTENT_TYPES[kind]


def known_text(kind: str, title: str, paragraphs: list[str]) -> str | None:
    """The text a correct extractor recovers from make(kind, ...): None when there is none to recover."""
    if kind in ("pdf", "docx", "xlsx"):
        return "\n".join([title, *paragraphs])
    return None


def _wrap(text: str, width: int) -> list[str]:
    # CJK text breaks anywhere; a fixed character count per line is what a word processor would do too.
    return [text[i:i + width] for i in range(0, len(text), width)] or [""]


def _fill(text: str, font: str, size: float, width: float) -> list[str]:
    """Lines filled to `width` points, as a word processor sets CJK text (half-width digits take less room)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines, current = [], ""
    for ch in text:
        if current and stringWidth(current + ch, font, size) > width:
            lines.append(current)
            current = ""
        current += ch
    return lines + [current] if current or not lines else lines


_TEXT_WIDTH = 432.0  # points between the margins


def _pdf(title: str, paragraphs: list[str]) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1, pageCompression=1)
    c.setTitle(title)
    width, height = A4
    y = height - 72
    c.setFont("STSong-Light", 16)
    for line in _fill(title, "STSong-Light", 16, _TEXT_WIDTH):
        c.drawString(72, y, line)
        y -= 26
    c.setFont("STSong-Light", 12)
    for para in paragraphs:
        y -= 8
        for line in _fill(para, "STSong-Light", 12, _TEXT_WIDTH):
            if y < 72:
                c.showPage()
                c.setFont("STSong-Light", 12)
                y = height - 72
            c.drawString(72, y, line)
            y -= 18
    c.showPage()
    c.save()
    return buf.getvalue()


def _pdf_scanned(title: str, paragraphs: list[str]) -> bytes:
    """Pages that are pictures of text: grey bars where the lines are, no text operators at all."""
    from PIL import Image, ImageDraw
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    lines = _wrap(title, 30) + [ln for p in paragraphs for ln in _wrap(p, 36)]
    per_page = 40
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1, pageCompression=1)
    width, height = A4
    for start in range(0, max(len(lines), 1), per_page):
        img = Image.new("L", (620, 877), 250)
        draw = ImageDraw.Draw(img)
        for i, line in enumerate(lines[start:start + per_page]):
            y = 60 + i * 19
            draw.rectangle((60, y, 60 + 14 * len(line), y + 11), fill=60)
        png = io.BytesIO()
        img.save(png, format="PNG", optimize=False)
        png.seek(0)
        c.drawImage(ImageReader(png), 0, 0, width=width, height=height)
        c.showPage()
    c.save()
    return buf.getvalue()


def _pdf_broken(title: str, paragraphs: list[str]) -> bytes:
    whole = _pdf(title, paragraphs)
    return whole[: max(len(whole) // 3, 64)]


def _pdf_oversize(title: str, paragraphs: list[str]) -> bytes:
    import random

    # Incompressible and deterministic (a seeded Mersenne Twister is the same in every process and version), after
    # the end of the PDF, where readers ignore it.
    pad = random.Random(len(title)).randbytes(OVERSIZE)
    return _pdf(title, paragraphs) + b"%" + pad


def _normalise_zip(data: bytes) -> bytes:
    """Re-zip with fixed member timestamps and fixed core-property dates (both otherwise carry 'now')."""
    import re

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            blob = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                blob = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)", rb"\g<1>2024-01-01T00:00:00Z\2",
                              blob)
            member = zipfile.ZipInfo(info.filename, date_time=_FIXED_DATE)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            dst.writestr(member, blob)
    return out.getvalue()


def _docx(title: str, paragraphs: list[str]) -> bytes:
    import datetime as dt

    import docx

    document = docx.Document()
    document.core_properties.title = title
    document.core_properties.author = "policycrawl replica"
    fixed = dt.datetime(*_FIXED_DATE)
    document.core_properties.created = fixed
    document.core_properties.modified = fixed
    document.core_properties.last_printed = fixed
    document.add_heading(title, level=1)
    for para in paragraphs:
        document.add_paragraph(para)
    buf = io.BytesIO()
    document.save(buf)
    return _normalise_zip(buf.getvalue())


def _xlsx(title: str, paragraphs: list[str]) -> bytes:
    import datetime as dt

    import openpyxl

    wb = openpyxl.Workbook()
    fixed = dt.datetime(*_FIXED_DATE)
    wb.properties.created = fixed
    wb.properties.modified = fixed
    wb.properties.creator = "policycrawl replica"
    ws = wb.active
    ws.title = "Sheet1"
    ws.append([title])
    for para in paragraphs:
        ws.append([para])
    buf = io.BytesIO()
    wb.save(buf)
    return _normalise_zip(buf.getvalue())


_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _ole2(title: str, paragraphs: list[str], app: str) -> bytes:
    # An OLE2 header sector (512 bytes: magic, minor/major version 0x3E/3, little-endian byte order mark,
    # sector shift 9) followed by a payload sector; enough for signature sniffing, not a valid compound file.
    header = bytearray(512)
    header[0:8] = _OLE2_MAGIC
    header[24:26] = (0x3E).to_bytes(2, "little")
    header[26:28] = (3).to_bytes(2, "little")
    header[28:30] = b"\xfe\xff"
    header[30:32] = (9).to_bytes(2, "little")
    payload = f"{app}\n{title}\n" + "\n".join(paragraphs)
    body = payload.encode("utf-16-le")
    body += b"\0" * (-len(body) % 512)
    return bytes(header) + body


def _ofd(title: str, paragraphs: list[str]) -> bytes:
    out = io.BytesIO()
    ofd_xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.0" DocType="OFD">'
        f"<ofd:DocBody><ofd:DocInfo><ofd:Title>{_xml_escape(title)}</ofd:Title></ofd:DocInfo>"
        "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"
    )
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in (("OFD.xml", ofd_xml), ("Doc_0/Document.xml", "<ofd:Document/>")):
            member = zipfile.ZipInfo(name, date_time=_FIXED_DATE)
            member.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(member, text.encode("utf-8"))
    return out.getvalue()


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_MAKERS: dict[str, Callable[[str, list[str]], bytes]] = {
    "pdf": _pdf,
    "pdf-scanned": _pdf_scanned,
    "pdf-broken": _pdf_broken,
    "pdf-oversize": _pdf_oversize,
    "docx": _docx,
    "xlsx": _xlsx,
    "doc": lambda t, p: _ole2(t, p, "Microsoft Word 97-2003"),
    "wps": lambda t, p: _ole2(t, p, "WPS Office"),
    "ofd": _ofd,
}
