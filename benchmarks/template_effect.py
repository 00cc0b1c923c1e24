"""The site template model's effect (extractors/template.py): every page scored without and with a model learned
from the OTHER pages of its site (leave-one-page-out, so a page's own text is never in its model).

Run: python -m benchmarks.template_effect [--dataset replica,zh_gov,zh_news] [--split dev] [--per-site]
Sites with fewer than MIN_PAGES + 1 pages in a dataset are skipped (no model could be learned for them).
"""

from __future__ import annotations

import argparse
from collections import defaultdict

from benchmarks import splits
from benchmarks.extraction import Output, Page, Scores, _squash, evaldata_root, load_pages, prf, same_day, same_title


def site_of(dataset: str, page: Page) -> str:
    if dataset == "replica":
        return page.id.split("/", 1)[0]
    return splits.domain(dataset, page.id, page.url)


def run_ours(page: Page, model) -> Output:
    from extractors import SourceInfo, extract

    rec = extract(page.body, page.url, page.headers, source=SourceInfo(id="bench", template=model))
    if page.truth.get("simplified"):  # the replica's truth is Simplified, as benchmarks/extraction.py scores it
        return Output(rec.text, rec.title, rec.published, rec.author)
    return Output(rec.text_original or rec.text, rec.title, rec.published, rec.author)


def measure(dataset: str, which: str, per_site: bool) -> list[str]:
    from extractors import template

    pages = splits.select(load_pages(dataset, None), dataset, which)
    by_site: dict[str, list[Page]] = defaultdict(list)
    for page in pages:
        if page.truth.get("body") is not None:
            by_site[site_of(dataset, page)].append(page)
    off, on = Scores(), Scores()
    chrome_off: list[int] = []
    chrome_on: list[int] = []
    n_pages = n_sites = 0
    rows = []
    for site, group in sorted(by_site.items()):
        if len(group) < template.MIN_PAGES + 1:
            continue
        n_sites += 1
        s_off, s_on = Scores(), Scores()
        for page in group:
            others = [(p.body, p.url, p.headers) for p in group if p is not page]
            model = template.learn(site, others)
            for sc, site_sc, out in ((off, s_off, run_ours(page, None)), (on, s_on, run_ours(page, model))):
                f = prf(out.text, page.truth["body"])[2]
                sc.f.append(f)
                site_sc.f.append(f)
                if page.truth.get("title"):
                    sc.title.append(same_title(out.title, page.truth["title"]))
                if page.truth.get("publish_time"):
                    sc.date.append(same_day(out.date, page.truth["publish_time"]))
                if "chrome" in page.truth:
                    flat = _squash(out.text)
                    leaked = sum(1 for c in page.truth["chrome"] if _squash(c) in flat)
                    (chrome_off if sc is off else chrome_on).append(leaked)
            n_pages += 1
        rows.append(f"| {site} | {len(group)} | {Scores.mean(s_off.f):.3f} | {Scores.mean(s_on.f):.3f} |")
    label = "development (in-sample)" if not splits.is_split(dataset) else {"dev": "development", "heldout": "held-out",
                                                                          "all": "all"}[which]
    chrome = (f" | chrome lines/page {Scores.mean(chrome_off):.2f} → {Scores.mean(chrome_on):.2f}"
              if chrome_off else "")
    out = [f"| {dataset} ({label}) | {n_sites} | {n_pages} | {Scores.mean(off.f):.3f} | {Scores.mean(on.f):.3f} "
           f"| {_m(off.title)} → {_m(on.title)} | {_m(off.date)} → {_m(on.date)}{chrome} |"]
    if per_site:
        out += ["", "| site | pages | F1 without | F1 with |", "|---|---|---|---|", *rows, ""]
    return out


def _m(xs) -> str:
    return f"{sum(xs) / len(xs):.3f}" if xs else "–"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", default="replica,zh_gov,zh_news")
    ap.add_argument("--split", choices=("dev", "heldout", "all"), default="dev")
    ap.add_argument("--per-site", action="store_true")
    args = ap.parse_args(argv)
    if not evaldata_root().is_dir():
        raise SystemExit(f"evaldata not found at {evaldata_root()}: set POLICYCRAWL_EVALDATA")
    print("| dataset | sites | pages | body F1 without model | with model | title | date |")
    print("|---|---|---|---|---|---|---|")
    for dataset in args.dataset.split(","):
        for line in measure(dataset, args.split, args.per_site):
            print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
