"""Distributed mode speed-up: pages/s with 1, 2 and 3 workers sharing one Redis frontier.

    python -m benchmarks.distributed                       # 12 hosts x 50 articles, 200 ms per response
    python -m benchmarks.distributed --repeat 2            # each worker count twice, alternating order; medians
    python -m benchmarks.distributed --hosts 6 --per-host 30 --workers 1 3

The site: `--hosts` loopback hosts (127.0.0.2 ...), each a paginated listing of `--per-host` articles, every response
delayed `--latency` seconds by the server. Each worker serves at most `--hosts-per-worker` hosts at once
(POLICYCRAWL_REDIS_MAX_HOSTS, CONCURRENT_REQUESTS), one request per host at a time: that stands in for what limits
one machine in a real polite crawl (its share of hosts, each paced by its delay), since on this one 2-core machine
a CPU-bound comparison would only measure the shared cores. The default 12 hosts divide evenly among 1, 2 and 3
workers of 2 hosts each (6 hosts would cap 2 workers at 1.5x by construction: 4 hosts, then 2).

Rate = article pages / seconds between the first and the last request the servers saw. The workers' process
start (Python, Scrapy and extraction-worker imports, ~2-5 s) before the first request is excluded; a later
worker's start-up lag after the first request is inside the window, amortised by the number of pages. `wall` includes
everything. `--repeat N` runs the worker counts N times in alternating order (1 2 3, 3 2 1, ...) and reports the
median of each, so a change of machine load during the run biases no worker count. Every run: a fresh redis-server
and output directory, checked for 0 missing and 0 duplicate articles. Prints `uptime` before and after.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from tests.redis_cluster import RedisServer, Sites, start_worker, worker_command


def run(workers: int, hosts: int, per_host: int, latency: float, hosts_per_worker: int, workdir: Path) -> dict:
    workdir.mkdir(parents=True)
    with RedisServer(workdir / "redis") as redis, Sites(hosts, per_host, latency=latency) as sites:
        args = sites.write_profiles(workdir)
        settings = ("-s", f"CONCURRENT_REQUESTS={hosts_per_worker}", "-s", f"POLICYCRAWL_REDIS_MAX_HOSTS={hosts_per_worker}",
                    "-s", "POLICYCRAWL_REDIS_HOST_QUEUE=1", "-s", "LOG_LEVEL=WARNING")
        started = time.monotonic()
        procs = [start_worker(worker_command(redis.url, workdir / "out", f"w{i}", args, *settings),
                              workdir / f"w{i}.log") for i in range(workers)]
        codes = [p.wait(3600) for p in procs]
        wall = time.monotonic() - started
        times = sorted(t for s in sites.servers for ts in s.times.values() for t in ts)
        hits = sites.article_hits()
        wanted = sites.wanted()
    lines = [json.loads(line) for p in (workdir / "out" / "records").glob("*.jsonl")
             for line in p.read_text(encoding="utf-8").splitlines()]
    ids = [r["id"] for r in lines]
    window = times[-1] - times[0]
    return {
        "workers": workers, "codes": codes, "articles": len(set(ids)), "missing": len(wanted - set(hits)),
        "duplicate_lines": len(ids) - len(set(ids)), "window_s": round(window, 1), "wall_s": round(wall, 1),
        "pages_per_s": round(len(wanted) / window, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hosts", type=int, default=12)
    parser.add_argument("--per-host", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--hosts-per-worker", type=int, default=2)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args(argv)
    print("uptime:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip(), flush=True)
    runs: dict[int, list[dict]] = {n: [] for n in args.workers}
    with tempfile.TemporaryDirectory(prefix="pc-dist-bench-") as tmp:
        for rep in range(args.repeat):
            for n in args.workers if rep % 2 == 0 else list(reversed(args.workers)):
                r = run(n, args.hosts, args.per_host, args.latency, args.hosts_per_worker, Path(tmp) / f"r{rep}w{n}")
                r["uptime"] = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
                runs[n].append(r)
                print(json.dumps(r), flush=True)
    results = [{**runs[n][0], "pages_per_s": statistics.median(r["pages_per_s"] for r in runs[n]),
                "wall_s": statistics.median(r["wall_s"] for r in runs[n]),
                "missing": max(r["missing"] for r in runs[n]),
                "duplicate_lines": max(r["duplicate_lines"] for r in runs[n])} for n in args.workers]
    base = results[0]["pages_per_s"]
    what = f"median of {args.repeat} " if args.repeat > 1 else ""
    print(f"\n| workers | {what}pages/s | speed-up | wall s | missing | duplicate lines |\n|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['workers']} | {r['pages_per_s']:.2f} | {r['pages_per_s'] / base:.2f}x | {r['wall_s']} | {r['missing']}"
              f" | {r['duplicate_lines']} |")
    print("uptime:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip(), flush=True)
    ok = all(r["missing"] == 0 and r["duplicate_lines"] == 0 and set(r["codes"]) == {0}
             for rs in runs.values() for r in rs)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
