"""`policycrawl report`: one self-contained HTML page about an output directory and its runs.

Read only: OUT/runs/<run>.json (written by each run), OUT/records/*.jsonl, the sizes of OUT/warc/*.warc.gz.
Charts are inline SVG drawn here (a few rectangles; no chart library, no script, nothing fetched at view time),
so the file opens from a USB stick on an offline machine and prints as it shows.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

from archive.runs import read_runs

PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
           "#bab0ac")


# -- data ---------------------------------------------------------------------------------------------------------
def collect(out: Path) -> dict[str, Any]:
    """Everything the report shows, as plain data (also what a test can check against the HTML)."""
    out = Path(out)
    runs = read_runs(out)
    per_day: dict[str, Counter[str]] = defaultdict(Counter)  # day -> source -> articles
    statuses: Counter[str] = Counter()
    record_count = 0
    for path in sorted((out / "records").glob("*.jsonl")):
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                try:
                    rec = json.loads(line)
                except ValueError:
                    continue  # a half-written last line of a killed run; the next run cuts it
                record_count += 1
                statuses[rec.get("status") or "?"] += 1
                day = (rec.get("published") or rec.get("fetched_at") or "")[:10] or "unknown"
                per_day[day][rec.get("source") or "?"] += 1
    for run in runs:  # pages that did not become records, by extraction outcome
        for reason, n in (run.get("total") or {}).get("failures", {}).items():
            if reason.startswith("extract-"):
                statuses[reason[len("extract-"):]] += n
    failed_urls: Counter[tuple[str, str]] = Counter()
    for run in runs:
        for item in run.get("failed_urls") or []:
            failed_urls[(item.get("url") or "", item.get("reason") or "")] += 1
    warcs = sorted((out / "warc").glob("*.warc.gz"))
    return {
        "out": str(out),
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "runs": runs,
        "articles_per_day": {day: dict(c) for day, c in sorted(per_day.items())},
        "records": record_count,
        "statuses": dict(statuses.most_common()),
        "top_failures": [{"url": u, "reason": r, "runs": n} for (u, r), n in failed_urls.most_common(20)],
        "warc_files": [{"name": p.name, "bytes": p.stat().st_size} for p in warcs],
    }


# -- SVG ----------------------------------------------------------------------------------------------------------
def _svg(width: int, height: int, body: list[str], title: str) -> str:
    return (f'<svg class="chart" role="img" aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg" '
            f'width="{width}" height="{height}" viewBox="0 0 {width} {height}"><title>{escape(title)}</title>'
            + "".join(body) + "</svg>")


def stacked_bars(columns: list[tuple[str, dict[str, float]]], series: list[str], title: str,
                 width: int = 760, height: int = 240) -> str:
    """Vertical stacked bars: one column per label, one colour per series (legend below)."""
    if not columns or not series:
        return '<p class="empty">no data yet</p>'
    left, bottom, top = 40, 40, 10
    plot_h = height - bottom - top
    biggest = max(sum(v.values()) for _, v in columns) or 1
    step = (width - left - 10) / len(columns)
    bar_w = max(2.0, min(40.0, step * 0.7))
    body = [f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 5}" y2="{top + plot_h}" stroke="#888"/>',
            f'<text x="{left - 4}" y="{top + 10}" text-anchor="end" font-size="10">{biggest:g}</text>',
            f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end" font-size="10">0</text>']
    label_every = max(1, -(-len(columns) * 70 // (width - left)))  # labels about 70 px apart
    for i, (label, values) in enumerate(columns):
        x = left + i * step + (step - bar_w) / 2
        y = top + plot_h
        for j, name in enumerate(series):
            v = values.get(name, 0)
            if not v:
                continue
            h = plot_h * v / biggest
            y -= h
            body.append(f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                        f'fill="{PALETTE[j % len(PALETTE)]}"><title>{escape(label)} {escape(name)}: {v:g}</title></rect>')
        if i % label_every == 0:
            body.append(f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h + 14}" text-anchor="middle" '
                        f'font-size="10">{escape(label)}</text>')
    legend_y = height - 8
    x = left
    for j, name in enumerate(series):
        body.append(f'<rect x="{x}" y="{legend_y - 9}" width="10" height="10" fill="{PALETTE[j % len(PALETTE)]}"/>'
                    f'<text x="{x + 14}" y="{legend_y}" font-size="11">{escape(name)}</text>')
        x += 24 + 7 * len(name)
    return _svg(width, height, body, title)


def horizontal_bars(items: list[tuple[str, float]], title: str, unit: str = "", width: int = 760) -> str:
    if not items:
        return '<p class="empty">no data yet</p>'
    row, left = 20, 260
    height = row * len(items) + 10
    biggest = max(v for _, v in items) or 1
    body = []
    for i, (label, v) in enumerate(items):
        y = 5 + i * row
        w = max(1.0, (width - left - 90) * v / biggest)
        body.append(f'<text x="{left - 6}" y="{y + 13}" text-anchor="end" font-size="11">{escape(label[:40])}</text>'
                    f'<rect class="bar" x="{left}" y="{y + 2}" width="{w:.1f}" height="{row - 6}" '
                    f'fill="{PALETTE[i % len(PALETTE)]}"><title>{escape(label)}: {v:g}{unit}</title></rect>'
                    f'<text x="{left + w + 4:.1f}" y="{y + 13}" font-size="11">{v:g}{escape(unit)}</text>')
    return _svg(width, height, body, title)


# -- HTML ---------------------------------------------------------------------------------------------------------
_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em auto;
max-width:60em;color:#222;padding:0 1em}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:2em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:13px}th,td{padding:2px 8px;text-align:right;border-bottom:1px solid #eee}
th:first-child,td:first-child{text-align:left}td.url{text-align:left;word-break:break-all}
.empty{color:#888}.note{color:#555;font-size:12px}
"""


def _table(header: list[str], rows: list[list[Any]], cls: str = "") -> str:
    if not rows:
        return '<p class="empty">none</p>'
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td{' class=url' if cls and i == 0 else ''}>{escape(str(c))}</td>"
                                    for i, c in enumerate(r)) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render(data: dict[str, Any]) -> str:
    runs = data["runs"]
    per_day = data["articles_per_day"]
    sources = sorted({s for c in per_day.values() for s in c})
    # "known": archived articles a run found linked again and left alone; an incremental run is mostly that.
    run_series = ["new", "changed", "revisits", "failures", "known"]
    run_columns = []
    run_rows = []
    reasons: Counter[str] = Counter()
    for run in runs:
        total = run.get("total") or {}
        failures = sum((total.get("failures") or {}).values())
        reasons.update(total.get("failures") or {})
        label = (run.get("started") or "")[5:16].replace("T", " ")
        run_columns.append((label, {"new": total.get("new", 0), "changed": total.get("changed", 0),
                                    "revisits": total.get("revisits", 0), "failures": failures,
                                    "known": total.get("known", 0)}))
        run_rows.append([run.get("run"), run.get("started"), run.get("outcome"), total.get("requests", 0),
                         total.get("responses", 0), total.get("new", 0), total.get("changed", 0),
                         total.get("revisits", 0), total.get("known", 0), failures, run.get("seconds", "")])
    warc_bytes = sum(w["bytes"] for w in data["warc_files"])
    parts = [
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
        # Nothing may be loaded at view time: the browser itself refuses any fetch, script or external style.
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        f"<title>policycrawl report: {escape(data['out'])}</title><style>{_CSS}</style></head><body>",
        f"<h1>policycrawl report</h1><p class=\"note\">{escape(data['out'])} · generated {escape(data['generated'])}"
        f" · {len(runs)} runs · {data['records']} records · {len(data['warc_files'])} WARC files, "
        f"{warc_bytes / 1e6:.1f} MB</p>",
        "<h2>Articles per source per day</h2><p class=\"note\">by publish date (+08:00), else fetch date</p>",
        stacked_bars(list(per_day.items()), sources, "articles per source per day"),
        "<h2>Runs</h2>",
        stacked_bars(run_columns, run_series, "per run: new, changed, revisits, failures, known"),
        _table(["run", "started", "outcome", "requests", "responses", "new", "changed", "revisits", "known",
                "failures", "seconds"], run_rows),
        "<h2>Failures by reason</h2>",
        horizontal_bars(reasons.most_common(), "failures by reason"),
        "<h2>Extraction statuses</h2>",
        horizontal_bars(list(data["statuses"].items()), "extraction statuses"),
        "<h2>Top failing URLs</h2>",
        _table(["url", "reason", "runs"], [[f["url"], f["reason"], f["runs"]] for f in data["top_failures"]], "url"),
        "<h2>WARC files</h2>",
        horizontal_bars([(w["name"], round(w["bytes"] / 1e3, 1)) for w in data["warc_files"][-30:]],
                        "WARC file sizes", " kB"),
        "</body></html>",
    ]
    return "\n".join(parts)
