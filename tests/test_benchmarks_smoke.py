"""The pipeline benchmark runs end to end on a small site (the full run is a manual command, see README)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from tests.conftest import REPO


def test_pipeline_benchmark_runs_on_50_pages():
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.pipeline", "--pages", "50", "--cpu-pages", "10", "--reps", "1",
         "--memory-pages", "200"],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    rows = [line for line in result.stdout.splitlines() if line.startswith("| ") and "---" not in line][1:]
    names = " ".join(rows)
    for measurement in ("extraction CPU per page", "end-to-end crawl", "fetch + archive only", "re-extraction",
                        "memory, crawl of 200 pages"):
        assert measurement in names, result.stdout
    # Every row carries measured numbers, not placeholders.
    assert all(re.search(r"\d+(\.\d+)? (ms|pages/s|req/s|MB)", row) for row in rows), rows
