"""The figures of one run, from Scrapy's stats and the frontier: what `OUT/runs/<run>.json` holds."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from archive.runs import write_run

_PER_SOURCE = {  # JSON name -> stats key under policycrawl/source/<id>/
    "requests": "requests",
    "listing_pages": "listing_pages",
    "article_pages": "article_pages",
    "new": "articles",
    "changed": "changed",
    "revisits": "unchanged",
    "known": "known",
    "rechecks": "rechecks",
    "over_budget": "budget_exhausted",
    "retry_later": "retry_later",  # linked again during its back-off after a transient failure (crawler/retry.py)
}


def summarise(stats: dict[str, Any]) -> dict[str, Any]:
    """Per source and total: requests, new/changed/revisited articles, failures by reason."""
    sources: dict[str, dict[str, Any]] = {}
    for key, value in stats.items():
        if not key.startswith("policycrawl/source/") or not isinstance(value, (int, float)):
            continue
        source, _, name = key[len("policycrawl/source/"):].partition("/")
        entry = sources.setdefault(source, {k: 0 for k in _PER_SOURCE} | {"failures": {}})
        if name.startswith("failures/"):
            entry["failures"][name[len("failures/"):]] = value
        else:
            for field, stat in _PER_SOURCE.items():
                if stat == name:
                    entry[field] = value
    failures: Counter[str] = Counter()
    for entry in sources.values():
        failures.update(entry["failures"])
    # "new" counts articles written; a changed page also writes one: keep the two apart.
    for entry in sources.values():
        entry["new"] = max(0, entry["new"] - entry["changed"])
    total = {k: sum(e[k] for e in sources.values()) for k in _PER_SOURCE}
    total.update({
        "responses": stats.get("policycrawl/warc/responses", 0),
        "records_written": stats.get("policycrawl/records/written", 0),
        "refused": stats.get("policycrawl/safety/refused", 0),
        "failures": dict(failures),
    })
    return {"sources": sources, "total": total}


def write_run_summary(session, stats: dict[str, Any]) -> None:
    started = session.started.isoformat(timespec="seconds")
    finished = datetime.now(UTC)
    summary = {
        "run": session.run_id,
        "started": started,
        "finished": finished.isoformat(timespec="seconds"),
        "seconds": round((finished - session.started).total_seconds(), 1),
        "outcome": session.outcome,
        "finish_reason": stats.get("finish_reason"),
        "records_file": session.records.path.name if session.records.path.exists() else None,
        **summarise(stats),
        "failed_urls": [
            {"url": url, "source": source, "reason": reason, "http_status": status}
            for url, source, reason, status in session.state.failures_since(started)
        ],
    }
    write_run(session.out_dir, summary)
