"""kill -9 a crawl of a 1,000-page loopback site at random points, resume it, and count what was lost or repeated.

    python -m benchmarks.crash_matrix --seeds 20            # 20 seeds, one table row each
    python -m benchmarks.crash_matrix --seeds 3 --first 7   # seeds 7, 8, 9

Per seed: a fresh output directory; the crawl is killed (SIGKILL to its process group, workers included)
once the server has answered K article requests (K drawn from the seed), then run again to the end.
Reported: articles missing from the WARCs, article re-fetches (requests beyond the first per URL),
duplicate and malformed JSONL lines, WARC files failing `check_warc` or `gzip -t`, leftover `.open` files.
tests/test_crash.py runs 5 seeds of this in CI.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from archive.warc_check import check_warc
from tests.hostile_servers import ListingSite, Server, profile_toml

REPO = Path(__file__).resolve().parent.parent
N_ARTICLES = 1000
PER_PAGE = 100
LATENCY = 0.05
MAX_IN_FLIGHT = 16
CRAWL_SETTINGS = (
    "-s", "POLICYCRAWL_LOOPBACK_ONLY=1", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0",
    "-s", "POLICYCRAWL_EXTRACT_WORKERS=2", "-s", "LOG_LEVEL=INFO", "-s", "RETRY_TIMES=0",
    "-s", "CONCURRENT_REQUESTS=16", "-s", f"POLICYCRAWL_MAX_IN_FLIGHT={MAX_IN_FLIGHT}",
)


@dataclass
class SeedResult:
    seed: int
    kill_after: int
    killed_at_hits: int
    missing: int
    refetched: int
    duplicate_lines: int
    malformed_lines: int
    invalid_warcs: int
    open_files: int
    resume_code: int
    seconds: float
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (self.missing == 0 and self.refetched <= MAX_IN_FLIGHT and self.duplicate_lines == 0
                and self.malformed_lines == 0 and self.invalid_warcs == 0 and self.open_files == 0
                and self.resume_code == 0)


def crawl_command(profile: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "crawler.cli", "crawl", "crash_site", "--sources", str(profile), "--out", str(out),
            "--allow-loopback", *CRAWL_SETTINGS]


def start_crawl(profile: Path, out: Path, log: Path, **popen) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(crawl_command(profile, out), cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                            stderr=open(log, "ab"), start_new_session=True, **popen)


def kill_when(proc: subprocess.Popen, server: Server, hits: int, timeout: float = 120) -> int:
    """SIGKILL the crawl's whole process group once the server has answered `hits` article requests."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        done = sum(server.article_hits().values())
        if done >= hits:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(30)
            return done
        time.sleep(0.005)
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(30)
    return sum(server.article_hits().values())


def audit(out: Path, server: Server, n: int) -> dict:
    """What the output holds after the final run: missing / duplicated / malformed / invalid, as counts."""
    from warcio.archiveiterator import ArchiveIterator

    captured: set[str] = set()
    invalid: list[str] = []
    for path in sorted((out / "warc").glob("*.warc.gz")):
        problems = check_warc(path)
        gz = subprocess.run(["gzip", "-t", str(path)], capture_output=True)
        if problems or gz.returncode:
            invalid.append(f"{path.name}: {problems[:3]} gzip={gz.returncode}")
        with open(path, "rb") as fh:
            for rec in ArchiveIterator(fh):
                if rec.rec_type == "response" and rec.http_headers.get_statuscode() == "200":
                    captured.add(rec.rec_headers.get_header("WARC-Target-URI"))
    want = {f"{server.base}/a/{i}.html" for i in range(1, n + 1)}
    ids: list[str] = []
    malformed = 0
    for path in (out / "records").glob("*.jsonl"):
        raw = path.read_bytes()
        if raw and not raw.endswith(b"\n"):
            malformed += 1
        for line in raw.splitlines():
            try:
                ids.append(json.loads(line)["id"])
            except (ValueError, KeyError):
                malformed += 1
    hits = server.article_hits()
    return {
        "missing": len(want - captured),
        "refetched": sum(max(0, c - 1) for c in hits.values()),
        "duplicate_lines": len(ids) - len(set(ids)),
        "lines": len(ids),
        "malformed_lines": malformed,
        "invalid_warcs": len(invalid),
        "open_files": len(list((out / "warc").glob("*.open"))),
        "problems": invalid,
    }


def run_seed(seed: int, workdir: Path, n: int = N_ARTICLES) -> SeedResult:
    rng = random.Random(seed)
    kill_after = rng.randint(1, n - 50)
    started = time.monotonic()
    site = ListingSite(n, PER_PAGE)
    with Server(site, latency=LATENCY) as server:
        profile = workdir / "crash_site.toml"
        profile.write_text(profile_toml("crash_site", server.base, concurrency=8), encoding="utf-8")
        out = workdir / "out"
        log = workdir / "crawl.log"
        proc = start_crawl(profile, out, log)
        killed_at = kill_when(proc, server, kill_after)
        resume = start_crawl(profile, out, log)
        code = resume.wait(300)
        report = audit(out, server, n)
    return SeedResult(seed=seed, kill_after=kill_after, killed_at_hits=killed_at, resume_code=code,
                      seconds=round(time.monotonic() - started, 1), **{k: v for k, v in report.items() if k != "lines"})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--first", type=int, default=0)
    args = parser.parse_args(argv)
    failed = 0
    print("seed  kill@  missing  refetched  dup  malformed  bad-warc  open  code  seconds")
    for seed in range(args.first, args.first + args.seeds):
        with tempfile.TemporaryDirectory(prefix=f"crash-{seed}-") as tmp:
            r = run_seed(seed, Path(tmp))
        failed += not r.ok
        print(f"{r.seed:4}  {r.killed_at_hits:5}  {r.missing:7}  {r.refetched:9}  {r.duplicate_lines:3}  "
              f"{r.malformed_lines:9}  {r.invalid_warcs:8}  {r.open_files:4}  {r.resume_code:4}  {r.seconds:7}"
              + ("" if r.ok else f"  FAIL {asdict(r)['problems'][:2]}"), flush=True)
    print(f"{args.seeds - failed}/{args.seeds} seeds clean (re-fetches allowed: {MAX_IN_FLIGHT})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
