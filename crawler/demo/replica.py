"""The offline replica network: eleven imitation sites built in memory and served on 127.0.0.1, one socket per site.

`python -m crawler.demo.replica --port 8800` serves them until Ctrl-C. Paths equal the real sites' paths, so the
demo crawls the replica with the real source profiles, only with scheme+host rebased onto these sockets.
"""

from __future__ import annotations

import argparse
import collections
import functools
import gzip
import http.server
import sys
import threading
import time
from typing import Mapping

from crawler.demo.model import BASE, ArticleTruth, Page, ReplicaSite
from crawler.demo.sites import ccpa, dutenews, gkmlpt, hanweb, jiemian, netease, nfcms, trs, tuituisoft
from crawler.demo.web import NOT_FOUND

__all__ = ["Page", "ArticleTruth", "ReplicaSite", "build_sites", "ReplicaServer", "main"]

# Bodies shorter than this go out uncompressed even when gzip is accepted, as real servers do.
GZIP_MIN_BYTES = 256
COMPRESSIBLE = ("text/", "application/xml", "application/rss+xml", "application/json")


@functools.lru_cache(maxsize=1)
def _build() -> tuple[ReplicaSite, ...]:
    sites = [jiemian.build(), ccpa.build(), tuituisoft.build(), netease.build(), dutenews.build(),
             *nfcms.build_all(), gkmlpt.build(), hanweb.build(), trs.build()]
    return tuple(sites)


def build_sites() -> dict[str, ReplicaSite]:
    """Site id -> site, in a fixed order (port order). Built once per process; the sites are immutable."""
    return {site.id: site for site in _build()}


class _SiteServer(http.server.ThreadingHTTPServer):
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, address, site: ReplicaSite, owner: "ReplicaServer"):
        self.site = site
        self.owner = owner
        super().__init__(address, _Handler)

    def handle_error(self, request, client_address):
        # The crawler hangs up on purpose (an attachment over the size limit is cut): not worth a traceback on the
        # demo's terminal. Anything else is still printed.
        import sys

        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            return
        super().handle_error(request, client_address)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ReplicaHTTP/1.0"
    server: _SiteServer

    def log_message(self, format, *args):  # noqa: A002 - the stdlib signature
        pass  # a crawl makes hundreds of requests; stderr stays clean

    def do_GET(self):
        self._respond(send_body=True)

    def do_HEAD(self):
        self._respond(send_body=False)

    def _respond(self, send_body: bool) -> None:
        owner, site = self.server.owner, self.server.site
        path = self.path.split("#", 1)[0]
        owner._count(site.id, path)
        if owner.latency:
            time.sleep(owner.latency)
        page = site.pages.get(path)
        if page is None:
            page = Page(404, (("Content-Type", "text/html; charset=utf-8"),), NOT_FOUND)
        base = f"http://{self.server.server_address[0]}:{self.server.server_address[1]}".encode()
        body = page.body.replace(BASE.encode(), base)
        headers = [(k, v.replace(BASE, base.decode())) for k, v in page.headers]
        content_type = dict(headers).get("Content-Type", "")
        if (site.compress and len(body) >= GZIP_MIN_BYTES and content_type.startswith(COMPRESSIBLE)
                and "gzip" in self.headers.get("Accept-Encoding", "")):
            # mtime=0 keeps the compressed bytes identical across runs.
            body = gzip.compress(body, mtime=0)
            headers.append(("Content-Encoding", "gzip"))
        if site.compress:
            headers.append(("Vary", "Accept-Encoding"))
        self.send_response(page.status)
        for key, value in headers:
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)


class ReplicaServer:
    """Serves every replica site on its own loopback socket. Use as a context manager."""

    def __init__(self, host: str = "127.0.0.1", base_port: int = 0, sites: Mapping[str, ReplicaSite] | None = None,
                 latency: float = 0.0):
        self.host = host
        self.base_port = base_port
        self.sites = dict(sites if sites is not None else build_sites())
        self.latency = latency
        self.base_urls: dict[str, str] = {}
        self.hits: collections.Counter = collections.Counter()
        self._lock = threading.Lock()
        self._servers: list[_SiteServer] = []
        self._threads: list[threading.Thread] = []

    def _count(self, site_id: str, path: str) -> None:
        with self._lock:
            self.hits[(site_id, path)] += 1

    def start(self) -> "ReplicaServer":
        if self._servers:
            return self
        try:
            for i, site in enumerate(self.sites.values()):
                port = self.base_port + i if self.base_port else 0
                server = _SiteServer((self.host, port), site, self)
                self._servers.append(server)
                self.base_urls[site.id] = f"http://{self.host}:{server.server_address[1]}"
        except OSError:
            self.stop()
            raise
        for server in self._servers:
            # poll_interval bounds how long stop() waits for serve_forever to notice the shutdown flag.
            thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                      name=f"replica-{server.site.id}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        for server in self._servers:
            if self._threads:
                server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=2)
        self._servers.clear()
        self._threads.clear()

    def __enter__(self) -> "ReplicaServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.demo.replica", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8800, help="first port; site i listens on PORT+i (0: ephemeral)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds to wait before every response")
    args = parser.parse_args(argv)
    try:
        server = ReplicaServer(args.host, args.port, latency=args.latency).start()
    except OSError as exc:
        print(f"cannot listen on {args.host}:{args.port}+: {exc}; pick another --port", file=sys.stderr)
        return 1
    for site_id, url in server.base_urls.items():
        print(f"{site_id:12} {url}/")
    sys.stdout.flush()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
