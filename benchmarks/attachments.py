"""Attachment benchmark: text quality against the known text of generated documents, and crawl speed with
attachments on vs off in the same run.

Quality: documents made by crawler/demo/attachments.py (PDF with a Chinese text layer, DOCX, XLSX) from the
replica's story corpus; scored with the bag-of-tokens P/R/F1 of benchmarks/extraction.py, plus the share of
paragraphs recovered exactly (the PDF readers wrap lines; bag-of-tokens cannot see that). For PDFs both readers
are measured raw (pdfminer.six, pypdf) and the shipped pipeline (pdfminer.six + line joining + cleaning).

Speed: a loopback site of N articles, each linking a PDF and a DOCX; the same crawl with
POLICYCRAWL_ATTACHMENTS on and off, back to back.

    python -m benchmarks.attachments --docs 60 --pages 60
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from benchmarks.extraction import prf
from crawler.demo.attachments import known_text, make
from crawler.demo.corpus import stories
from extractors.docreaders import pdf_text_pypdf
from extractors.documents import extract_document

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable


def _docs(n: int):
    return stories("attach-bench", n, first=datetime(2024, 6, 1, 9), step=timedelta(days=1))


def _exact_paragraphs(pred: str, truth: str) -> float:
    want = [p for p in truth.split("\n") if p]
    have = set(p.strip() for p in pred.split("\n"))
    return sum(p in have for p in want) / max(len(want), 1)


def bench_quality(n: int) -> list[dict]:
    rows = []
    readers = {
        ("pdf", "pdfminer.six raw"): lambda b: _pdfminer_raw(b),
        ("pdf", "pypdf raw"): lambda b: pdf_text_pypdf(b),
        ("pdf", "policycrawl (pdfminer.six + joining)"): lambda b: extract_document(b, "x.pdf").text,
        ("docx", "policycrawl (python-docx)"): lambda b: extract_document(b, "x.docx").text,
        ("xlsx", "policycrawl (openpyxl)"): lambda b: extract_document(b, "x.xlsx").text,
    }
    docs = _docs(n)
    for (kind, reader), fn in readers.items():
        ps, rs, fs, exact, secs = [], [], [], [], 0.0
        for story in docs:
            body, _ = make(kind, story.title, list(story.paragraphs))
            truth = known_text(kind, story.title, list(story.paragraphs))
            started = time.perf_counter()
            pred = fn(body)
            secs += time.perf_counter() - started
            p, r, f = prf(pred, truth)
            ps.append(p), rs.append(r), fs.append(f), exact.append(_exact_paragraphs(pred, truth))
        rows.append({"kind": kind, "reader": reader, "docs": len(docs), "P": sum(ps) / len(ps),
                     "R": sum(rs) / len(rs), "F1": sum(fs) / len(fs), "exact_paragraphs": sum(exact) / len(exact),
                     "ms_per_doc": 1000 * secs / len(docs)})
    scanned = [extract_document(make("pdf-scanned", s.title, list(s.paragraphs))[0], "x.pdf").status for s in docs]
    rows.append({"kind": "pdf-scanned", "reader": "policycrawl", "docs": len(docs),
                 "status_no_text_layer": scanned.count("no-text-layer") / len(docs)})
    return rows


def _pdfminer_raw(body: bytes) -> str:
    import io

    from pdfminer.high_level import extract_text

    return extract_text(io.BytesIO(body))


# ---------------------------------------------------------------- speed

def _site(pages: int) -> dict[str, tuple[str, bytes]]:
    routes: dict[str, tuple[str, bytes]] = {"/robots.txt": ("text/plain", b"User-agent: *\n")}
    docs = _docs(pages)
    links = []
    for i, story in enumerate(docs):
        paras = "".join(f"<p>{p}</p>" for p in story.paragraphs)
        pdf, pdf_type = make("pdf", story.title, list(story.paragraphs))
        docx, docx_type = make("docx", story.title, list(story.paragraphs))
        routes[f"/files/{i}.pdf"] = (pdf_type, pdf)
        routes[f"/files/{i}.docx"] = (docx_type, docx)
        html = (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{story.title}</title></head><body>'
                f"<h1>{story.title}</h1><p>发布时间：{story.published:%Y-%m-%d}</p><div class='content'>{paras}</div>"
                f'<div>附件：<a href="/files/{i}.pdf">附件1.pdf</a> <a href="/files/{i}.docx">附件2.docx</a></div>'
                "</body></html>")
        routes[f"/a/{i}.html"] = ("text/html; charset=utf-8", html.encode())
        links.append(f'<a href="/a/{i}.html">{i}</a>')
    routes["/list.html"] = ("text/html; charset=utf-8",
                            f"<html><body>{''.join(links)}</body></html>".encode())
    return routes


def _serve(routes):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):
            ctype, body = routes.get(self.path, ("text/plain", b"not here"))
            self.send_response(200 if self.path in routes else 404)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def _crawl(base: str, pages: int, out: Path, attachments: bool) -> float:
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    result = subprocess.run(
        [PY, "-m", "crawler.cli", "crawl", "--start", base + "/list.html", "--follow", r"/a/\d+\.html$",
         "--out", str(out), "--allow-loopback", "-s", "POLICYCRAWL_LOOPBACK_ONLY=1", "-s", "DOWNLOAD_DELAY=0",
         "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8", "-s", "LOG_LEVEL=WARNING",
         "-s", f"POLICYCRAWL_ATTACHMENTS={int(attachments)}"],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, timeout=1800)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-2000:])
    articles = sum(1 for f in (out / "records").glob("*.jsonl") for _ in open(f, encoding="utf-8"))
    files = sum(1 for f in (out / "records" / "attachments").glob("*.jsonl") for _ in open(f, encoding="utf-8"))
    if articles != pages or files != (2 * pages if attachments else 0):
        raise RuntimeError(f"crawl wrote {articles} articles and {files} attachment records for {pages} pages")
    return elapsed


def bench_speed(pages: int) -> list[dict]:
    routes = _site(pages)
    httpd = _serve(routes)
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    rows = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for attachments in (False, True):
                secs = _crawl(base, pages, Path(tmp) / "out", attachments)
                rows.append({"attachments": attachments, "pages": pages, "seconds": round(secs, 2),
                             "pages_per_s": round(pages / secs, 2),
                             "requests_per_s": round((pages * (3 if attachments else 1) + 2) / secs, 2)})
    finally:
        httpd.shutdown()
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=60)
    ap.add_argument("--pages", type=int, default=60, help="articles in the speed crawl (0 = skip)")
    args = ap.parse_args(argv)
    print("uptime:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    for row in bench_quality(args.docs):
        print(json.dumps(row, ensure_ascii=False))
    if args.pages:
        for row in bench_speed(args.pages):
            print(json.dumps(row))
        print("uptime:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
