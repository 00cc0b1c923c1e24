"""Small real HTTP servers for tests: a route table served on a loopback address, counting every hit."""

from __future__ import annotations

import gzip
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    status: int = 200
    headers: list[tuple[str, str | bytes]] = field(default_factory=list)
    body: bytes = b""
    reason: str | None = None
    # gzip the body when the client accepts it (Content-Encoding added)
    gzip: bool = False


Handler = Callable[[BaseHTTPRequestHandler], Route]


class RouteServer:
    """Serves `routes` (path with query → Route or callable) on host:ephemeral port, in a thread."""

    def __init__(self, routes: Mapping[str, Route | Handler], host: str = "127.0.0.1"):
        self.routes = dict(routes)
        self.hits: Counter[str] = Counter()
        self.request_headers: dict[str, list[tuple[str, str]]] = {}
        self._lock = threading.Lock()
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                with server._lock:
                    server.hits[self.path] += 1
                    server.request_headers[self.path] = list(self.headers.items())
                route = server.routes.get(self.path)
                if callable(route):
                    route = route(self)
                if route is None:
                    route = Route(404, [("Content-Type", "text/plain")], b"not here")
                body = route.body
                headers = list(route.headers)
                if route.gzip and "gzip" in (self.headers.get("Accept-Encoding") or ""):
                    body = gzip.compress(body)
                    headers.append(("Content-Encoding", "gzip"))
                self.send_response_only(route.status, route.reason)
                for name, value in headers:
                    if isinstance(value, bytes):  # raw, possibly non-ASCII header bytes
                        self.wfile.write(name.encode("ascii") + b": " + value + b"\r\n")
                    else:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer((host, 0), _Handler)
        self.httpd.daemon_threads = True
        self.host = host
        self.port = self.httpd.server_address[1]
        self.base = f"http://{host}:{self.port}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> RouteServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def html_page(title: str, body_html: str, charset: str = "utf-8") -> bytes:
    return (
        f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>{title}</title></head>'
        f"<body>{body_html}</body></html>"
    ).encode(charset)
