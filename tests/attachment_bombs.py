"""Hostile attachments for the tests: a zip bomb dressed as DOCX, PDFs with a huge page count or deeply nested
objects. Built in memory, small on the wire."""

from __future__ import annotations

import io
import zipfile


def docx_zip_bomb(inflated: int = 128 * 1024 * 1024) -> bytes:
    """A .docx whose word/document.xml inflates to `inflated` bytes (zeros compress ~1000:1)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        info = zipfile.ZipInfo("word/document.xml", (2024, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        with z.open(info, "w", force_zip64=True) as fh:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(inflated // len(chunk)):
                fh.write(chunk)
    return out.getvalue()


def _pdf(objects: list[bytes]) -> bytes:
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def pdf_many_pages(pages: int = 100_000) -> bytes:
    """A page tree claiming `pages` pages, all the same tiny page object: a few hundred KB."""
    kids = b" ".join(b"3 0 R" for _ in range(pages))
    return _pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Count %d /Kids [%s] >>" % (pages, kids),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] /Contents 4 0 R >>",
        b"<< /Length 0 >>\nstream\n\nendstream",
    ])


def pdf_deeply_nested(depth: int = 200_000) -> bytes:
    """An object of `depth` nested arrays, referenced from the page's resources."""
    nested = b"[" * depth + b"]" * depth
    return _pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Count 1 /Kids [3 0 R] >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] /Contents 5 0 R /Resources << /X 5 0 R >> >>",
        b"<< /Length 0 >>\nstream\n\nendstream",
        nested,
    ])
