"""Helpers for distributed-mode tests and benchmarks: a real redis-server (AOF on) in a temporary directory, several
loopback hosts each serving a paginated site, and crawl workers as separate processes."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

from tests.hostile_servers import ListingSite, Server, free_port, profile_toml

REPO = Path(__file__).resolve().parent.parent


def redis_server_binary() -> str:
    """The redis-server to test against. Missing in CI is a failure, not a skip: .ci/run installs it."""
    path = shutil.which("redis-server")
    if path is None:
        raise RuntimeError("redis-server is not installed (apt-get install redis-server; .ci/run does this)")
    return path


class RedisServer:
    """redis-server on 127.0.0.1:PORT with its data (AOF, appendfsync always) in `directory`; restartable."""

    def __init__(self, directory: Path, port: int | None = None):
        self.directory = directory
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> RedisServer:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            [redis_server_binary(), "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory),
             "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--protected-mode", "yes",
             "--daemonize", "no", "--logfile", str(self.directory / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(64).startswith(b"+PONG"):
                        return self
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def kill(self) -> None:
        """kill -9: only what the AOF holds survives."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class Sites:
    """`hosts` loopback hosts (127.0.0.2, .3, ...), each a ListingSite of `per_host` articles with its own source."""

    def __init__(self, hosts: int, per_host: int, *, per_page: int = 50, latency: float = 0.0, crawl_delay: float = 0.0,
                 first: int = 2):
        robots = f"User-agent: *\nCrawl-delay: {crawl_delay}\n" if crawl_delay else ""
        self.crawl_delay = crawl_delay
        self.per_host = per_host
        self.servers = [Server(ListingSite(per_host, per_page, robots=robots), host=f"127.0.0.{first + i}",
                               latency=latency) for i in range(hosts)]
        self._stack = ExitStack()

    def __enter__(self) -> Sites:
        for server in self.servers:
            self._stack.enter_context(server)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def write_profiles(self, directory: Path) -> list[str]:
        """One profile per host; returns the CLI arguments (source ids and --sources files)."""
        ids, args = [], []
        for i, server in enumerate(self.servers):
            sid = f"site{i}"
            path = directory / f"{sid}.toml"
            path.write_text(profile_toml(sid, server.base, concurrency=1, max_listing_pages=1000,
                                         budget=100_000), encoding="utf-8")
            ids.append(sid)
            args += ["--sources", str(path)]
        return ids + args

    def article_hits(self) -> dict[str, int]:
        out = {}
        for server in self.servers:
            for path, n in server.article_hits().items():
                out[server.base + path] = n
        return out

    def wanted(self) -> set[str]:
        return {f"{s.base}/a/{i}.html" for s in self.servers for i in range(1, self.per_host + 1)}

    def host_gaps(self) -> dict[str, float]:
        """Smallest gap between two request arrivals at each host (robots.txt included), from the server's log."""
        out = {}
        for server in self.servers:
            times = sorted(t for ts in server.times.values() for t in ts)
            gaps = [b - a for a, b in zip(times, times[1:])]
            out[server.base] = min(gaps) if gaps else float("inf")
        return out


def worker_command(redis_url: str, out: Path, worker: str, site_args: list[str], *settings: str) -> list[str]:
    return [sys.executable, "-m", "crawler.cli", "crawl", *site_args, "--out", str(out), "--allow-loopback",
            "--redis", redis_url, "--worker-id", worker,
            "-s", "POLICYCRAWL_LOOPBACK_ONLY=1", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0",
            "-s", "RETRY_TIMES=0", "-s", "POLICYCRAWL_EXTRACT_WORKERS=1", "-s", "LOG_LEVEL=INFO",
            "-s", "POLICYCRAWL_REDIS_LEASE_TTL=6", "-s", "POLICYCRAWL_REDIS_RUN_IDLE=30",
            "-s", "POLICYCRAWL_RECHECK_AFTER=0", *settings]


def start_worker(cmd: list[str], log: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=open(log, "ab"),
                            start_new_session=True)
