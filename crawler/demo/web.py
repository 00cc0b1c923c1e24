"""Small renderers shared by the site modules: robots.txt, sitemaps, attachments, and date formats."""

from __future__ import annotations

import html
from datetime import datetime

from crawler.demo.model import BASE


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def robots(disallow: list[str], sitemaps: list[str] = ()) -> bytes:
    lines = ["User-agent: *"] + [f"Disallow: {p}" for p in disallow] + [""]
    lines += [f"Sitemap: {BASE}{p}" for p in sitemaps]
    return ("\n".join(lines) + "\n").encode()


def sitemap(items: list[tuple[str, datetime]]) -> bytes:
    urls = "".join(
        f"<url><loc>{BASE}{p}</loc><lastmod>{d.strftime('%Y-%m-%d')}</lastmod></url>\n" for p, d in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + urls + "</urlset>\n"
    ).encode()


def fake_pdf(title: str) -> bytes:
    # Enough of a PDF for a Content-Type check and a WARC record; nothing parses it.
    return b"%PDF-1.4\n% policycrawl replica attachment\n" + title.encode("utf-8") + b"\n%%EOF\n"


def fake_docx(title: str) -> bytes:
    return b"PK\x03\x04policycrawl replica attachment " + title.encode("utf-8")


def iso(d: datetime, precision: str) -> str:
    """ISO 8601 at the precision the page shows: "date", "minute" or "second"."""
    if precision == "date":
        return d.strftime("%Y-%m-%d")
    if precision == "minute":
        return d.strftime("%Y-%m-%dT%H:%M+08:00")
    return d.strftime("%Y-%m-%dT%H:%M:%S+08:00")


NOT_FOUND = (
    "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>404 Not Found</title></head>"
    "<body><h1>404</h1><p>您访问的页面不存在或已被删除。</p></body></html>"
).encode()
