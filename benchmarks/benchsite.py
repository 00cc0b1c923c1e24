"""A benchmark site of N article pages built from the replica templates, served by a lean asyncio server.

Every article page is one of the replica's real article pages (eight layouts, UTF-8, GBK and gb2312
labels, Traditional with ruby, full chrome) with a unique numbered paragraph inserted, so pages differ
and extraction does real work. Listing pages link 100 articles each and the next listing. Pages are
made on request from the templates, so 100,000 pages cost no memory.

    python -m benchmarks.benchsite --pages 1000 --port 8900      # serve until killed
"""

from __future__ import annotations

import argparse
import asyncio
import re
import signal
import sys
from dataclasses import dataclass
from functools import lru_cache

from crawler.demo.replica import build_sites

PER_LISTING = 100
# Real article pages weigh 100-250 KiB, mostly scripts, styles and navigation; the replica pages are lean.
# This block brings each page to a realistic size so that parsing cost is realistic too.
_NAV = "".join(f'<li><a href="/channel/{k}.html">频道栏目{k}</a></li>' for k in range(300))
_SCRIPT = "var cfg = {" + ",".join(f'"k{k}": "v{k * 7919 % 10007}"' for k in range(6000)) + "};"
CHROME_PADDING = f'<div class="site-nav"><ul>{_NAV}</ul></div><script>{_SCRIPT}</script>'
PROFILE_PATTERN = r"/a/\d+\.html$"


@dataclass(frozen=True)
class Template:
    content_type: str
    charset: str
    head: bytes  # up to the insertion point
    tail: bytes


@lru_cache(maxsize=1)
def templates() -> tuple[Template, ...]:
    out = []
    for site in build_sites().values():
        for truth in site.articles:
            if not truth.listed or truth.path not in site.pages:
                continue
            page = site.pages[truth.path]
            if page.status != 200:
                continue
            headers = dict(page.headers)
            content_type = headers.get("Content-Type", "text/html")
            meta = re.search(rb'charset=["\']?([\w-]+)', page.body[:2048], re.I)
            charset = (meta.group(1).decode() if meta else "utf-8").lower()
            charset = "gb18030" if charset in ("gb2312", "gbk") else charset
            cut = page.body.find(b"</p>")
            if cut < 0:
                continue
            cut += 4
            tail = page.body[cut:].replace(b"__BASE__", b"")
            tail = tail.replace(b"</body>", CHROME_PADDING.encode(charset) + b"</body>", 1)
            out.append(Template(content_type, charset, page.body[:cut].replace(b"__BASE__", b""), tail))
    return tuple(out)


def article(i: int) -> tuple[str, bytes]:
    tpl = templates()[i % len(templates())]
    marker = f"<p>基准页面编号{i}：本段用于区分页面内容，第{i % 97}组样本。</p>".encode(tpl.charset, "replace")
    # Varied lengths: some pages carry their first paragraph block again further down.
    body = tpl.head + marker + (tpl.tail if i % 3 else tpl.tail.replace(b"</p>", b"</p>" + marker, 2))
    return tpl.content_type, body


def listing(page: int, pages: int, total: int) -> bytes:
    first = (page - 1) * PER_LISTING
    links = "".join(f'<li><a href="/a/{i}.html">基准文章{i}</a></li>' for i in range(first, min(first + PER_LISTING, total)))
    nxt = f'<a class="next" href="/list/{page + 1}.html">下一页</a>' if page < pages else ""
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>列表{page}</title></head>'
            f'<body><ul class="list">{links}</ul>{nxt}</body></html>').encode()


def listing_pages(total: int) -> int:
    return max(1, -(-total // PER_LISTING))


def resolve(path: str, total: int) -> tuple[int, str, bytes]:
    if path.startswith("/a/") and path.endswith(".html"):
        try:
            i = int(path[3:-5])
        except ValueError:
            i = -1
        if 0 <= i < total:
            content_type, body = article(i)
            return 200, content_type, body
    elif path.startswith("/list/") and path.endswith(".html"):
        try:
            n = int(path[6:-5])
        except ValueError:
            n = 0
        if 1 <= n <= listing_pages(total):
            return 200, "text/html; charset=utf-8", listing(n, listing_pages(total), total)
    return 404, "text/plain", b"not found"


async def _handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, total: int, latency: float) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            line = head.split(b"\r\n", 1)[0].decode("latin-1")
            parts = line.split(" ")
            path = parts[1] if len(parts) > 1 else "/"
            if latency:
                await asyncio.sleep(latency)
            status, content_type, body = resolve(path.split("?", 1)[0], total)
            reason = "OK" if status == 200 else "Not Found"
            writer.write(
                f"HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
                f"Connection: keep-alive\r\n\r\n".encode("latin-1") + body
            )
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
        pass
    finally:
        writer.close()


async def serve(port: int, total: int, latency: float, ready=None) -> None:
    server = await asyncio.start_server(lambda r, w: _handle(r, w, total, latency), "127.0.0.1", port)
    actual = server.sockets[0].getsockname()[1]
    print(f"http://127.0.0.1:{actual}", flush=True)
    if ready:
        ready(actual)
    async with server:
        await server.serve_forever()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every response")
    args = parser.parse_args(argv)
    templates()  # build before announcing the address
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    try:
        asyncio.run(serve(args.port, args.pages, args.latency))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
