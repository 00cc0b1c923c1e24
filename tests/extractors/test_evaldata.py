"""Quality gates on real pages, development and held-out parts apart (benchmarks/splits.json; see benchmarks/extraction.py).

The held-out pages come from sites (registrable domains) that have no page in the development part. Numbers in the
comments were measured when the split was made, before any tuning against it; the gates sit a little below, so noise
passes and a real regression fails. Missing data FAILS: a gate that cannot find its pages has not passed.
"""

from __future__ import annotations

import pytest

from benchmarks import splits
from benchmarks.extraction import Scores, evaldata_root, load_pages, prf, same_day, same_title, score_chrome, tool_ours

# (dataset, side) -> minimum mean body F1, title exact share, date share (None: the dataset has no such truth).
# Measured with extractor 0.4.0 when the split was made: zh_news dev 0.986 / 1.000 / 1.000, held-out 0.956 / 1.000 /
# 1.000; zh_forum dev 0.817, held-out 0.888. With 0.5.0: zh_news dev 0.987, held-out 0.995; zh_forum held-out 0.895.
GATES = {
    ("zh_news", "dev"): (0.975, 0.98, 0.95),
    ("zh_news", "heldout"): (0.985, 0.98, 0.95),
    ("zh_forum", "dev"): (0.80, None, None),
    ("zh_forum", "heldout"): (0.88, None, None),
}


def _pages(dataset: str):
    folder = evaldata_root() / dataset
    if not folder.is_dir():
        pytest.fail(f"evaldata not found at {folder} (set POLICYCRAWL_EVALDATA to the shared/evaldata folder)")
    pages = load_pages(dataset, None)
    if not pages:
        pytest.fail(f"no pages in {folder}")
    return pages


@pytest.fixture(scope="module")
def zh_news():
    return _pages("zh_news")


@pytest.mark.parametrize("dataset,side", sorted(GATES))
def test_quality_gate(dataset, side):
    pages = splits.select(_pages(dataset), dataset, side)
    assert pages, f"no {side} pages of {dataset} in benchmarks/splits.json"
    min_f1, min_title, min_date = GATES[dataset, side]
    f1s, day_hits, title_hits = [], [], []
    for page in pages:
        out = tool_ours(page)
        f1s.append(prf(out.text, page.truth.get("body") or "")[2])
        if page.truth.get("publish_time"):
            day_hits.append(same_day(out.date, page.truth["publish_time"]))
        if page.truth.get("title"):
            title_hits.append(same_title(out.title, page.truth["title"]))
    mean_f1 = sum(f1s) / len(f1s)
    assert mean_f1 >= min_f1, f"{dataset} {side}: mean body F1 {mean_f1:.3f} < {min_f1}"
    if min_date is not None:
        assert day_hits and sum(day_hits) / len(day_hits) >= min_date
    if min_title is not None:
        assert title_hits and sum(title_hits) / len(title_hits) >= min_title


def test_split_is_by_domain_and_covers_every_page():
    """Every page of a split dataset is placed, no registrable domain is on both sides, both sides are non-empty,
    and the frozen file is what its recipe (seed + public suffix list snapshot) gives."""
    split = splits.load_split()
    for dataset in (*splits.SPLIT_DATASETS, *splits.DERIVED):
        for page in _pages(dataset):
            assert splits.side(dataset, page.id) in splits.SIDES
    sides_of: dict[str, set[str]] = {}
    for entry in split["pages"].values():
        sides_of.setdefault(entry["domain"], set()).add(entry["split"])
    assert all(len(s) == 1 for s in sides_of.values()), {d: s for d, s in sides_of.items() if len(s) > 1}
    for dataset in splits.SPLIT_DATASETS:
        assert split["domains"]["dev"][dataset] and split["domains"]["heldout"][dataset], dataset
    assert splits.make_split(evaldata_root()) == split


def test_zh_news_every_page_has_a_status(zh_news):
    from extractors import extract

    for page in zh_news:
        rec = extract(page.body, page.url)
        assert rec.status == "ok", (page.id, rec.status, rec.status_detail)
        assert "\ufffd" not in rec.text[:2000] or page.id.startswith("People"), page.id


def test_trafilatura_cjk_snippets_all_found_no_chrome():
    """trafilatura's own CJK evaluation pages: every must-contain snippet in, every must-not-contain one out."""
    pages = _pages("partial")
    sc = Scores()
    notes = [page.id + score_chrome(sc, tool_ours(page), page.truth) for page in pages]
    assert min(sc.snippets_found) == 1.0 and min(sc.chrome_absent) == 1.0, [n for n in notes if "=" in n]


# zh_gov is development data (tuned on, in-sample): the gates hold issue 10's "Done when" targets. Measured with
# extractor 0.5.0: body F1 0.999 (nfra-02's table-only body needs the block-after-headline rescue in api.py: without
# it 0.937), title 1.000, date 1.000, every 信息公开 field 1.000 (34 fields on 5 pages), listing items with their date
# 0.988 per page / 0.970 of all, next page 6/6, listings classified not-an-article 6/6.
ZH_GOV_GATES = {"body_f1": 0.97, "title": 0.98, "date": 0.95, "field": 0.95, "items_with_date": 0.95,
                "next_page": 1.0, "listing_status": 1.0}


def test_zh_gov_quality_gate():
    from benchmarks import gov_scores

    sc = gov_scores.score(_pages("zh_gov"))
    g = ZH_GOV_GATES
    assert sc.f1 and sum(sc.f1) / len(sc.f1) >= g["body_f1"], sum(sc.f1) / len(sc.f1)
    assert sc.title and sum(sc.title) / len(sc.title) >= g["title"]
    assert sc.date and sum(sc.date) / len(sc.date) >= g["date"]
    assert sc.fields, "no 信息公开 truth in zh_gov"
    for key, hits in sc.fields.items():
        assert sum(hits) / len(hits) >= g["field"], (key, hits)
    assert sc.items_with_date and sum(sc.items_with_date) / len(sc.items_with_date) >= g["items_with_date"]
    assert sc.next_page and sum(sc.next_page) / len(sc.next_page) >= g["next_page"]
    assert sc.listing_status and sum(sc.listing_status) / len(sc.listing_status) >= g["listing_status"]
