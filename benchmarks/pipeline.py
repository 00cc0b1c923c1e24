"""Performance of the whole pipeline against the obvious alternatives, measured in one run on the same pages.

    python -m benchmarks.pipeline                      # default sizes, ~5 minutes on 2 cores
    python -m benchmarks.pipeline --pages 50 --reps 1  # smoke run (CI)
    python -m benchmarks.pipeline --memory-pages 100000 --only memory

Every figure is the median of --reps runs; every comparison is a ratio of two figures from this run.
Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable


# -- helpers ----------------------------------------------------------------------------------------
class BenchServer:
    def __init__(self, pages: int, latency: float = 0.0):
        self.proc = subprocess.Popen(
            [PY, "-m", "benchmarks.benchsite", "--pages", str(pages), "--latency", str(latency)],
            cwd=REPO, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(REPO)},
        )
        self.base = self.proc.stdout.readline().strip()
        if not self.base.startswith("http://"):
            raise RuntimeError("benchmark server did not start")

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def profile_file(directory: Path, base: str, pages: int) -> Path:
    path = directory / "bench.toml"
    path.write_text(
        f'id = "bench"\nname = "benchmark site"\nstart_urls = ["{base}/list/1.html"]\n'
        f"article_patterns = ['/a/\\d+\\.html$']\nnext_page = \"a.next\"\n"
        f"max_listing_pages = {pages // 100 + 2}\npage_budget = {pages * 2 + 100}\n"
        f"download_delay = 0\nconcurrency = 16\n",
        encoding="utf-8",
    )
    return path


CRAWL_SETTINGS = [
    "-s", "POLICYCRAWL_LOOPBACK_ONLY=1", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0",
    "-s", "CONCURRENT_REQUESTS=32", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16", "-s", "LOG_LEVEL=WARNING",
    "-s", "POLICYCRAWL_PROGRESS=off", "-s", "ROBOTSTXT_OBEY=0",
    # Pages only: the bench site does not serve the replica's attachment files (python -m benchmarks.attachments
    # measures crawls with attachments on and off).
    "-s", "POLICYCRAWL_ATTACHMENTS=0",
]


def crawl(base: str, pages: int, out: Path, *extra: str, sample_rss: bool = False) -> tuple[float, list[int]]:
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    profile = profile_file(out.parent, base, pages)
    # One host serves every page here: lift the per-host trap guard above the site's size.
    extra = ("-s", f"POLICYCRAWL_HOST_BUDGET={pages * 2 + 100}", "-s", f"POLICYCRAWL_PAGE_BUDGET={pages * 2 + 100}", *extra)
    started = time.perf_counter()
    proc = subprocess.Popen(
        [PY, "-m", "crawler.cli", "crawl", "bench", "--sources", str(profile), "--out", str(out),
         "--allow-loopback", *CRAWL_SETTINGS, *extra],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        text=True,
    )
    samples: list[int] = []
    if sample_rss:
        thread = threading.Thread(target=_sample_tree, args=(proc, samples), daemon=True)
        thread.start()
    _, err = proc.communicate()
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"crawl failed ({proc.returncode}): {err[-2000:]}")
    # A rate is only worth printing if the work was done: every page archived, every record written.
    written = sum(1 for f in (out / "records").glob("*.jsonl") for _ in open(f, encoding="utf-8"))
    expected = 0 if "POLICYCRAWL_EXTRACT=0" in extra else pages
    if written != expected:
        summary = "\n".join(err.strip().splitlines()[-6:])
        raise RuntimeError(f"crawl wrote {written} records for {pages} pages; the rate would mean nothing\n{summary}")
    return elapsed, samples


def _tree_rss(pid: int) -> int:
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
            with open(f"/proc/{p}/task/{p}/children") as fh:
                todo.extend(int(c) for c in fh.read().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def _sample_tree(proc: subprocess.Popen, samples: list[int]) -> None:
    while proc.poll() is None:
        samples.append(_tree_rss(proc.pid))
        time.sleep(0.5)


def median(values: list[float]) -> float:
    return statistics.median(values)


def timed(fn: Callable[[], object], reps: int, clock=time.perf_counter) -> float:
    results = []
    for _ in range(reps):
        start = clock()
        fn()
        results.append(clock() - start)
    return median(results)


# -- the measurements -------------------------------------------------------------------------------
def bench_extraction_cpu(pages: int, reps: int, rows: list) -> None:
    import trafilatura

    from benchmarks.benchsite import article
    from extractors import extract

    docs = [(f"http://bench.example/a/{i}.html", article(i)) for i in range(pages)]
    evaldir = Path(os.environ.get("POLICYCRAWL_EVALDATA", REPO.parent / "shared" / "evaldata")) / "zh_news"
    real = [(f"http://real.example/{p.stem}.html", ("text/html", p.read_bytes())) for p in sorted(evaldir.glob("*.html"))]

    for label, corpus in (("replica-based pages", docs), ("real zh_news pages", real)):
        if not corpus:
            continue

        def ours() -> None:
            for url, (ctype, body) in corpus:
                extract(body, url, (("Content-Type", ctype),))

        def theirs() -> None:
            for url, (_, body) in corpus:
                trafilatura.bare_extraction(body, url=url, with_metadata=True)

        ours()  # warm caches and imports
        t_ours = timed(ours, reps, time.process_time) / len(corpus)
        t_theirs = timed(theirs, reps, time.process_time) / len(corpus)
        size = statistics.mean(len(b) for _, (_, b) in corpus) / 1024
        rows.append((f"extraction CPU per page, {label} ({len(corpus)}, mean {size:.0f} KiB)",
                     f"{t_ours * 1000:.1f} ms", f"trafilatura text+metadata {t_theirs * 1000:.1f} ms",
                     f"{t_ours / t_theirs:.2f}× (goal ≤ 1.0)"))


def _trafilatura_from_disk(directory: Path) -> int:
    import trafilatura

    n = 0
    for path in sorted(directory.iterdir()):
        trafilatura.bare_extraction(path.read_bytes(), url=path.name, with_metadata=True)
        n += 1
    return n


def bench_end_to_end(pages: int, reps: int, work: Path, rows: list) -> None:
    from benchmarks.benchsite import article

    server = BenchServer(pages)
    try:
        times = [crawl(server.base, pages, work / "e2e")[0] for _ in range(reps)]
    finally:
        server.close()
    ours = pages / median(times)
    disk = work / "pages"
    shutil.rmtree(disk, ignore_errors=True)
    disk.mkdir()
    for i in range(pages):
        (disk / f"{i}.html").write_bytes(article(i)[1])
    single = pages / timed(lambda: _trafilatura_from_disk(disk), reps)
    rows.append((f"end-to-end crawl → WARC → extract → JSONL ({pages} pages)", f"{ours:.1f} pages/s",
                 f"trafilatura, 1 process, from disk {single:.1f} pages/s", f"{ours / single:.2f}× (goal ≥ 1.7)"))


def bench_fetch_only(pages: int, reps: int, work: Path, rows: list) -> None:
    wget = shutil.which("wget")
    server = BenchServer(pages)
    try:
        ours = [crawl(server.base, pages, work / "fetch", "-s", "POLICYCRAWL_EXTRACT=0")[0] for _ in range(reps)]
        from benchmarks.benchsite import listing_pages

        requests = pages + listing_pages(pages)
        ours_rate = requests / median(ours)
        if not wget:
            rows.append(("fetch + archive only", f"{ours_rate:.1f} req/s", "wget not installed", "-"))
            return
        theirs = []
        for _ in range(reps):
            target = work / "wget"
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir()
            start = time.perf_counter()
            # The same URL set as the crawl: listings and articles, not the navigation links.
            subprocess.run([wget, "-q", "--recursive", "--level=inf", "-e", "robots=off", "--accept-regex",
                            r"/(list|a)/[0-9]+[.]html$", "--delete-after", "--warc-file", str(target / "bench"),
                            "-P", str(target), f"{server.base}/list/1.html"], check=False, cwd=target)
            theirs.append(time.perf_counter() - start)
        fetched = _count_responses(work / "wget" / "bench.warc.gz")
        if fetched < requests:
            raise RuntimeError(f"wget fetched {fetched} of {requests} pages; the comparison would be unfair")
        wget_rate = requests / median(theirs)
    finally:
        server.close()
    rows.append((f"fetch + archive only, extraction off ({requests} requests)", f"{ours_rate:.1f} req/s",
                 f"wget --recursive --warc-file {wget_rate:.1f} req/s", f"{ours_rate / wget_rate:.2f}× (goal ≥ 1.0)"))


def _count_responses(path: Path) -> int:
    from archive.warc_read import iter_headers

    return sum(1 for _, headers in iter_headers(path) if headers.get("WARC-Type") == "response")


def bench_reextract(pages: int, reps: int, work: Path, rows: list) -> None:
    warcs = sorted((work / "e2e" / "warc").glob("*.warc.gz"))
    if not warcs:
        server = BenchServer(pages)
        try:
            crawl(server.base, pages, work / "e2e")
        finally:
            server.close()
        warcs = sorted((work / "e2e" / "warc").glob("*.warc.gz"))

    def run(workers: int) -> None:
        subprocess.run([PY, "-m", "crawler.cli", "extract", *map(str, warcs), "-o", str(work / f"re{workers}.jsonl"),
                        "--workers", str(workers)], cwd=REPO, check=True, capture_output=True,
                       env={**os.environ, "PYTHONPATH": str(REPO)})

    one = timed(lambda: run(1), reps)
    pool = timed(lambda: run(os.cpu_count() or 2), reps)
    rows.append((f"re-extraction of the archive ({pages} pages)", f"{pages / pool:.1f} pages/s with {os.cpu_count()} workers",
                 f"1 process {pages / one:.1f} pages/s", f"{one / pool:.2f}×"))


def bench_memory(pages: int, work: Path, rows: list) -> None:
    server = BenchServer(pages)
    try:
        elapsed, samples = crawl(server.base, pages, work / "mem", sample_rss=True)
    finally:
        server.close()
    if not samples:
        return
    peak = max(samples) / 2**20
    # The last samples catch the processes exiting; "late" is the crawl at 95% of its run.
    late = samples[int(len(samples) * 0.95)] / 2**20
    warm = samples[len(samples) // 4] / 2**20
    rows.append((f"memory, crawl of {pages} pages, all processes", f"peak {peak:.0f} MB, at 95% {late:.0f} MB",
                 f"after warm-up (25%) {warm:.0f} MB; {pages / elapsed:.0f} pages/s",
                 f"growth {late - warm:+.0f} MB (goal ≤ 400 MB peak, flat)"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=2000, help="pages for the crawl benchmarks")
    parser.add_argument("--cpu-pages", type=int, default=200, help="pages for the extraction CPU benchmark")
    parser.add_argument("--memory-pages", type=int, default=20000)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--only", choices=["cpu", "e2e", "fetch", "reextract", "memory"], action="append")
    args = parser.parse_args(argv)
    only = set(args.only or ["cpu", "e2e", "fetch", "reextract", "memory"])
    rows = _PrintingRows()
    print(f"{os.cpu_count()} CPUs, median of {args.reps} runs\n", flush=True)
    print("| measurement | policycrawl | alternative | ratio |")
    print("|---|---|---|---|", flush=True)
    with tempfile.TemporaryDirectory(prefix="policycrawl-bench-") as tmp:
        work = Path(tmp)
        if "cpu" in only:
            bench_extraction_cpu(args.cpu_pages, args.reps, rows)
        if "e2e" in only:
            bench_end_to_end(args.pages, args.reps, work, rows)
        if "fetch" in only:
            bench_fetch_only(args.pages, args.reps, work, rows)
        if "reextract" in only:
            bench_reextract(args.pages, args.reps, work, rows)
        if "memory" in only:
            bench_memory(args.memory_pages, work, rows)
    return 0


class _PrintingRows(list):
    """Rows are printed as soon as they are measured, so a long run that fails late still shows the rest."""

    def append(self, row: tuple[str, str, str, str]) -> None:
        super().append(row)
        print("| " + " | ".join(row) + " |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
