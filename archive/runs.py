"""OUT/runs/<run>.json: the figures of one run, machine-readable, written once when the run closes.

The same figures are kept in the state database's runs table (as Scrapy's raw stats); this file is the
documented form, read by `policycrawl report` and by anyone's scripts.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from archive.fsutil import atomic_write_bytes, safe_name

logger = logging.getLogger(__name__)

RUN_FORMAT = "policycrawl-run-1"


def run_path(out_dir: Path, run_id: str) -> Path:
    return Path(out_dir) / "runs" / f"{safe_name(run_id)}.json"


def write_run(out_dir: Path, summary: dict) -> Path:
    path = run_path(out_dir, summary["run"])
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps({"format": RUN_FORMAT, **summary}, ensure_ascii=False, indent=1, sort_keys=True, default=str)
    atomic_write_bytes(path, (data + "\n").encode("utf-8"))
    return path


def read_runs(out_dir: Path) -> list[dict]:
    """Every run summary under OUT/runs, oldest first; an unreadable file is skipped with a warning."""
    runs = []
    for path in sorted((Path(out_dir) / "runs").glob("*.json")):
        try:
            data = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            logger.warning("%s: unreadable run summary: %s", path, exc)
            continue
        if isinstance(data, dict) and data.get("format") == RUN_FORMAT:
            runs.append(data)
    return sorted(runs, key=lambda r: r.get("started") or "")
