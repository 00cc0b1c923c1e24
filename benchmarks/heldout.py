"""Development vs held-out reporting and leave-one-domain-out (LODO) for benchmarks/extraction.py.

--split both (default): one table for the development pages, one for the frozen held-out pages (benchmarks/splits.json);
datasets without a split (zh_gov, partial, replica) are development data and are labelled in-sample.
--lodo: every registrable domain is scored as if it had never been seen: the publisher declarations for that domain
(extractors/publishers) are switched off while its pages are extracted, and the score is the mean over domains of the
domain's mean body F1, so a site with many pages weighs as much as a site with one.
"""

from __future__ import annotations

import math
from collections import defaultdict

from benchmarks import splits
from benchmarks.extraction import Output, Page, Scores, load_pages, run, table


def report(args, tools: list[str]) -> int:
    pages = load_pages(args.dataset, args.limit)
    if not pages:
        raise SystemExit(f"no pages for {args.dataset}: set POLICYCRAWL_EVALDATA to the evaldata folder")
    if args.lodo:
        which = "all" if args.split == "both" else args.split
        print(lodo_table(args.dataset, splits.select(pages, args.dataset, which), tools, which))
        return 0
    sides = ("dev", "heldout") if args.split == "both" and splits.is_split(args.dataset) else (
        ("dev",) if args.split == "both" else (args.split,))
    for side in sides:
        chosen = splits.select(pages, args.dataset, side)
        if not chosen:
            print(f"\n{args.dataset}: no {side} pages")
            continue
        results = run(args.dataset, tools, None, args.per_page, chosen)
        first = next(iter(results.values()))
        n = max(len(first.f), len(first.snippets_found))
        print()
        print(table(f"{args.dataset} — {label(args.dataset, side)}", n, results))
    return 0


def label(dataset: str, side: str) -> str:
    if not splits.is_split(dataset):
        return "development (in-sample)"
    return {"dev": "development", "heldout": "held-out", "all": "development + held-out"}[side]


def tool_ours_without(domain: str):
    """Our extractor with every declaration about `domain` switched off: the page is from a site never seen."""
    from extractors import extract

    def run_page(page: Page) -> Output:
        try:
            from extractors import publishers  # noqa: F401
        except ImportError:  # before publisher declarations existed: no site knowledge to switch off
            rec = extract(page.body, page.url, page.headers)
        else:
            rec = extract(page.body, page.url, page.headers, publishers=_publishers_without(domain))
        return Output(rec.text_original or rec.text, rec.title, rec.published, rec.author)

    return run_page


def _publishers_without(domain: str):
    from extractors import publishers

    return publishers.registry().without_domain(domain)


def lodo_table(dataset: str, pages: list[Page], tools: list[str], which: str) -> str:
    from benchmarks import extraction

    by_domain: dict[str, list[Page]] = defaultdict(list)
    for page in pages:
        by_domain[splits.domain(dataset, page.id, page.url)].append(page)
    per_tool: dict[str, dict[str, Scores]] = {t: {} for t in tools}
    saved = extraction.TOOLS.get("ours")
    try:
        for domain, group in sorted(by_domain.items()):
            if "ours" in tools:
                extraction.TOOLS["ours"] = tool_ours_without(domain)
            results = run(dataset, tools, None, False, group)
            for tool, sc in results.items():
                per_tool[tool][domain] = sc
    finally:
        extraction.TOOLS["ours"] = saved
    lines = [
        f"**{dataset} — leave-one-domain-out, {label(dataset, which)}** ({len(pages)} pages, {len(by_domain)} domains; "
        "mean over domains of each domain's mean)",
        "",
        "| tool | body F1 | title | date | worst domain F1 |",
        "|---|---|---|---|---|",
    ]
    for tool, doms in per_tool.items():
        f1 = [Scores.mean(sc.f) for sc in doms.values() if sc.f]
        title = [Scores.mean(sc.title) for sc in doms.values() if sc.title]
        date = [Scores.mean(sc.date) for sc in doms.values() if sc.date]
        lines.append(f"| {tool} | {_m(f1):.3f} | {_m(title):.3f} | {_m(date):.3f} | {min(f1) if f1 else math.nan:.3f} |")
    return "\n".join(lines)


def _m(xs: list[float]) -> float:
    return sum(xs) / len(xs) if xs else math.nan
