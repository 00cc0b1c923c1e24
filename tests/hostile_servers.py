"""Loopback servers for crash, politeness and hostile-input tests: a large slow site, and servers that misbehave.

Every server counts its hits and serves on 127.0.0.1 (or another loopback address) on an ephemeral port.
"""

from __future__ import annotations

import gzip

import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HTML = "text/html; charset=utf-8"
PARAS = (
    "深圳市出台支持新型储能产业高质量发展的若干措施，对示范项目给予分档补助。",
    "措施提出，将围绕电芯、系统集成和回收利用等环节，培育一批具有竞争力的企业。",
    "市发展改革委表示，今年还将建设一批公共测试平台，帮助中小企业缩短验证周期。",
)


def article_html(n: int, version: int = 1) -> bytes:
    extra = f"<p>第{version}次修订：补充了第{n}号文件的申报时间。</p>" if version > 1 else ""
    body = (
        f"<h1>深圳储能产业政策第{n}号</h1><p>发布时间：2024-05-{1 + n % 28:02d} 09:30</p><article>"
        + "".join(f"<p>{p}（第{n}篇）</p>" for p in PARAS) + extra + "</article>"
    )
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>深圳储能产业政策第{n}号_测试站</title>'
            f"</head><body>{body}</body></html>").encode()


Responder = Callable[[BaseHTTPRequestHandler], tuple[int, list[tuple[str, str]], bytes] | None]


class Server:
    """A ThreadingHTTPServer whose GET handler is `respond(handler)` -> (status, headers, body).

    `respond` may also write to handler.wfile itself and return None (slow or broken servers).
    """

    def __init__(self, respond: Responder, host: str = "127.0.0.1", latency: float = 0.0):
        self.respond = respond
        self.latency = latency
        self.hits: Counter[str] = Counter()
        self.request_headers: dict[str, dict[str, str]] = {}
        self.times: dict[str, list[float]] = {}
        self.active = 0
        self.max_active = 0
        self._lock = threading.Lock()
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = 30

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                with server._lock:
                    server.hits[self.path] += 1
                    server.request_headers[self.path] = {k.lower(): v for k, v in self.headers.items()}
                    server.times.setdefault(self.path, []).append(time.monotonic())
                    server.active += 1
                    server.max_active = max(server.max_active, server.active)
                try:
                    if server.latency:
                        time.sleep(server.latency)
                    answer = server.respond(self)
                    if answer is None:
                        return
                    status, headers, body = answer
                    self.send_response_only(status)
                    for name, value in headers:
                        self.send_header(name, value)
                    if not any(n.lower() == "content-length" for n, _ in headers):
                        self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                finally:
                    with server._lock:
                        server.active -= 1

        self.httpd = ThreadingHTTPServer((host, 0), _Handler)
        # A killed crawler resets its connections: that is the point of these tests, not an error to print.
        self.httpd.handle_error = lambda request, client_address: None
        self.httpd.daemon_threads = True
        self.httpd.request_queue_size = 128
        self.port = self.httpd.server_address[1]
        self.base = f"http://{host}:{self.port}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> Server:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def all_times(self) -> list[float]:
        with self._lock:
            return sorted(t for ts in self.times.values() for t in ts)

    def article_hits(self, prefix: str = "/a/") -> Counter[str]:
        with self._lock:
            return Counter({p: n for p, n in self.hits.items() if p.startswith(prefix)})


class ListingSite:
    """`n` articles at /a/<i>.html behind paginated listings /list/<p>.html (`per_page` links each, newest first).

    `versions[i]` changes article i's content (a re-check sees it changed); `etag=True` sends ETags and
    answers If-None-Match with 304; `stamped_gzip=True` gzips articles with the current time in the gzip header,
    as many servers do, so the same page never comes twice as the same bytes.
    """

    def __init__(self, n: int, per_page: int, *, etag: bool | set[int] = False, robots: str = "", prefix: str = "",
                 stamped_gzip: bool = False):
        self.n = n
        self.stamped_gzip = stamped_gzip
        self.gzip_calls = 0
        self.per_page = per_page
        self.etag = etag
        self.prefix = prefix  # e.g. "/b": a second listing on the same host
        self.robots = robots
        self.versions: dict[int, int] = {}
        self.pages = (n + per_page - 1) // per_page

    def listing(self, page: int) -> bytes:
        first = self.n - (page - 1) * self.per_page
        ids = range(first, max(0, first - self.per_page), -1)
        links = "".join(f'<li><a href="{self.prefix}/a/{i}.html">政策{i}</a></li>' for i in ids)
        nxt = f'<a href="{self.prefix}/list/{page + 1}.html">下一页</a>' if page < self.pages else ""
        return f'<html><head><meta charset="utf-8"><title>列表</title></head><body><ul>{links}</ul>{nxt}</body></html>'.encode()

    def __call__(self, handler: BaseHTTPRequestHandler):
        path = handler.path
        if self.prefix:
            if not path.startswith(self.prefix + "/"):
                return 404, [("Content-Type", "text/plain")], b"not here"
            path = path[len(self.prefix):]
        if path == "/robots.txt":
            return (200, [("Content-Type", "text/plain")], self.robots.encode()) if self.robots else (404, [], b"")
        if path.startswith("/list/") and path.endswith(".html"):
            page = int(path[len("/list/"):-len(".html")])
            if 1 <= page <= self.pages:
                return 200, [("Content-Type", HTML)], self.listing(page)
        if path.startswith("/a/") and path.endswith(".html"):
            i = int(path[len("/a/"):-len(".html")])
            if 1 <= i <= self.n:
                version = self.versions.get(i, 1)
                headers = [("Content-Type", HTML)]
                if self.etag is True or (isinstance(self.etag, set) and i in self.etag):
                    tag = f'"a{i}v{version}"'
                    headers.append(("ETag", tag))
                    if handler.headers.get("If-None-Match") == tag:
                        return 304, headers, b""
                body = article_html(i, version)
                if self.stamped_gzip:
                    self.gzip_calls += 1
                    headers.append(("Content-Encoding", "gzip"))
                    body = gzip.compress(body, mtime=1_700_000_000 + self.gzip_calls)
                return 200, headers, body
        return 404, [("Content-Type", "text/plain")], b"not here"


def mux(*sites: ListingSite) -> Responder:
    """Serve several ListingSites (distinct prefixes; "" catches the rest) from one host."""
    ordered = sorted(sites, key=lambda site: -len(site.prefix))

    def respond(handler: BaseHTTPRequestHandler):
        for site in ordered:
            if not site.prefix or handler.path.startswith(site.prefix + "/"):
                return site(handler)
        return 404, [], b""
    return respond


def profile_toml(source_id: str, base: str, *, max_listing_pages: int = 50, concurrency: int = 8,
                 delay: float = 0.0, budget: int = 5000, extra: str = "", listings: tuple[str, ...] = ("",)) -> str:
    starts = ", ".join(f'"{base}{prefix}/list/1.html"' for prefix in listings)
    return (
        f'id = "{source_id}"\nname = "测试站"\nstart_urls = [{starts}]\n'
        f"article_patterns = ['/a/\\d+\\.html$']\nmax_listing_pages = {max_listing_pages}\n"
        f"page_budget = {budget}\ndownload_delay = {delay}\nconcurrency = {concurrency}\n{extra}"
        f'[region]\nprovince = "广东省"\ncity = "深圳市"\ncode = "440300"\n'
    )


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]
