"""Text of attachments: PDF, DOCX, XLSX, XLS, plain text and HTML, bytes in, DocumentText out. Pure: no I/O.

The format comes from the bytes' signature first (servers send PDFs as application/octet-stream and name DOCX
files .doc), then the Content-Type, then the URL's extension. Readers, chosen by measured quality on Chinese
documents (benchmarks/attachments.py): pdfminer.six for PDF (recovers the UniGB-UCS2-H text of CID fonts like
STSong-Light and keeps reading order; pypdf is measured beside it), python-docx, openpyxl, xlrd (docreaders.py).

Hostile files end with a status within limits, never an exhausted worker:
- zip containers (DOCX, XLSX) are refused before anything is inflated when the declared uncompressed sizes add up
  beyond `max_unpacked`, or one member inflates more than `max_ratio` times (zip bombs); the declared sizes are
  also enforced while reading (a lying central directory cannot inflate more than it declared);
- PDFs: at most `max_pages` pages are read, objects nested past Python's recursion limit end as "broken";
- the text kept is cut at `max_chars`;
- the address space of the process may be capped around a call (`bounded_memory`), so that a bomb no check
  foresaw ends as "too-large" (MemoryError) instead of taking the machine;
- wall time is bounded by the caller's worker pool (crawler/pool.py kills a worker past its time limit).

WPS, OFD and old binary DOC/PPT have no maintained Python reader: they get status "unsupported-format" and
their bytes stay in the WARC. Converting them first with LibreOffice (`soffice --headless --convert-to docx`,
which reads DOC and WPS) or an OFD toolkit (e.g. ofdrw) gives text these readers can take.
"""

from __future__ import annotations

import contextlib
import io
import re
import zipfile
from dataclasses import dataclass
from urllib.parse import urlsplit

from extractors import docreaders, script, text
from extractors.docreaders import SENTENCE_END, TooLarge

# Statuses of an attachment's text (the crawler adds its own for what happens before: see crawler/attachments.py).
STATUSES = ("ok", "no-text-layer", "empty", "unsupported-format", "broken", "too-large", "timeout", "error")

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class Limits:
    max_pages: int = 500
    max_unpacked: int = 100 * 1024 * 1024  # bytes a zip container may inflate to, in all
    max_ratio: int = 200  # one member's inflated / compressed size
    max_members: int = 5000
    max_cells: int = 1_000_000  # spreadsheet cells read, in all sheets
    max_chars: int = 2_000_000  # text kept


@dataclass(frozen=True)
class DocumentText:
    status: str
    format: str  # "pdf", "docx", "xlsx", "xls", "text", "html", "doc", "wps", "ofd", "zip", "unknown"
    text: str = ""
    detail: str | None = None
    pages: int | None = None  # PDF pages read
    text_original: str | None = None  # set only when the document was in Traditional script


def sniff(body: bytes, content_type: str | None = None, url: str = "") -> str:
    """The document format, from the signature, then the Content-Type, then the extension."""
    head = body[:1024].lstrip()
    if head.startswith(b"%PDF-") or b"%PDF-" in body[:1024]:
        return "pdf"
    ext = _extension(url)
    ctype = (content_type or "").split(";")[0].strip().lower()
    if body.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(body)) as z:
                names = set(z.namelist())
        except zipfile.BadZipFile:
            return ext if ext in ("docx", "xlsx", "ofd") else "zip"
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "OFD.xml" in names:
            return "ofd"
        return "zip"
    if body.startswith(_OLE2):
        if ext == "xls" or ctype == "application/vnd.ms-excel":
            return "xls"
        return ext if ext in ("doc", "wps", "et", "ppt") else "doc"
    if ctype in ("text/html", "application/xhtml+xml") or ext in ("html", "htm", "shtml"):
        return "html"
    if ctype.startswith("text/") or ext in ("txt", "csv"):
        return "text"
    if ext in ("docx", "xlsx", "xls", "doc", "wps", "ofd", "et", "ppt", "pptx"):
        return ext  # a declared type the bytes do not match: the reader reports it broken
    return "unknown"


def extract_document(body: bytes, url: str = "", content_type: str | None = None,
                     limits: Limits = Limits()) -> DocumentText:
    """Never raises: every outcome is a DocumentText with a status."""
    fmt = sniff(body, content_type, url)
    try:
        if fmt == "pdf":
            raw, pages = docreaders.pdf_text(body, limits)
            return _finish(fmt, raw, limits, pages=pages, join=False, empty_status="no-text-layer",
                           empty_detail=f"{pages} page(s) without a text layer (scanned images?)")
        if fmt == "docx":
            docreaders.check_zip(body, limits)
            return _finish(fmt, docreaders.docx_text(body), limits)
        if fmt == "xlsx":
            docreaders.check_zip(body, limits)
            return _finish(fmt, docreaders.xlsx_text(body, limits), limits)
        if fmt == "xls":
            return _finish(fmt, docreaders.xls_text(body, limits), limits)
        if fmt in ("text", "html"):
            return _finish(fmt, docreaders.plain_text(body, content_type, fmt), limits)
        return DocumentText("unsupported-format", fmt, detail=_UNSUPPORTED.get(fmt, f"no reader for {fmt} files"))
    except TooLarge as exc:
        return DocumentText("too-large", fmt, detail=str(exc))
    except MemoryError:
        return DocumentText("too-large", fmt, detail="ran out of the memory allowed for one attachment")
    except RecursionError:
        return DocumentText("broken", fmt, detail="objects nested too deeply")
    except Exception as exc:  # a reader's exception is what a damaged file looks like
        return DocumentText("broken", fmt, detail=f"{type(exc).__name__}: {exc}"[:300])


_UNSUPPORTED = {
    "doc": "old binary Word (.doc): no maintained Python reader; convert with LibreOffice "
           "(soffice --headless --convert-to docx)",
    "wps": "WPS Office document: no maintained Python reader; LibreOffice converts it "
           "(soffice --headless --convert-to docx)",
    "et": "WPS spreadsheet: no maintained Python reader; LibreOffice converts it (--convert-to xlsx)",
    "ppt": "old binary PowerPoint: convert with LibreOffice (--convert-to pptx)",
    "ofd": "OFD (GB/T 33190): no maintained Python reader; an OFD toolkit such as ofdrw converts it to PDF",
    "zip": "archive of files: not unpacked",
    "unknown": "unrecognised file type",
}


def _extension(url: str) -> str:
    try:
        last = urlsplit(url).path.rsplit("/", 1)[-1].lower()
    except ValueError:
        return ""
    return last.rsplit(".", 1)[-1] if "." in last else ""


def _finish(fmt: str, raw: str, limits: Limits, *, pages: int | None = None, join: bool = True,
            empty_status: str = "empty", empty_detail: str = "no text found") -> DocumentText:
    raw = raw[: limits.max_chars]
    joined = join_wrapped_lines(raw) if join else raw
    traditional = script.is_traditional(joined)
    # The same line rules as article text (pinyin, boilerplate phrases, repeats), without the end-marker cut:
    # a document's last lines (落款, 附件) are part of it.
    cleaned = text.clean_lines(joined, simplify=script.t2s if traditional else None, thread=True).text
    if not re.sub(r"\s+", "", cleaned):
        return DocumentText(empty_status, fmt, detail=empty_detail, pages=pages)
    if traditional:
        return DocumentText("ok", fmt, script.t2s(cleaned), pages=pages, text_original=cleaned)
    return DocumentText("ok", fmt, cleaned, pages=pages)


def join_wrapped_lines(raw: str) -> str:
    """Undo the line wrapping of laid-out documents: a line as long as the page's full lines that does not end
    a sentence continues on the next line (CJK text wraps anywhere, without a hyphen or a space)."""
    lines = [ln.strip() for ln in raw.splitlines()]
    lines = [ln for ln in lines if ln]
    if len(lines) < 2:
        return "\n".join(lines)
    lengths = sorted(len(ln) for ln in lines)
    full = lengths[int(len(lengths) * 0.9)] if len(lengths) >= 3 else lengths[-1]
    out: list[str] = []
    carry = ""
    for line in lines:
        current = carry + line if carry else line
        if full >= 10 and len(line) >= 0.9 * full and not line.endswith(tuple(SENTENCE_END)):
            carry = current
            continue
        out.append(current)
        carry = ""
    if carry:
        out.append(carry)
    return "\n".join(out)


# ---------------------------------------------------------------- memory

@contextlib.contextmanager
def bounded_memory(extra_bytes: int):
    """Cap this process's address space at its current size + `extra_bytes` for the duration (Linux; elsewhere a
    no-op). Allocation beyond raises MemoryError inside the block. Meant for worker processes."""
    try:
        import resource
    except ImportError:
        yield
        return
    if extra_bytes <= 0:
        yield
        return
    try:
        with open("/proc/self/statm") as fh:
            current = int(fh.read().split()[0]) * resource.getpagesize()
    except OSError:
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = current + extra_bytes
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
