"""The development / held-out split of the evaluation pages, by registrable domain.

Run: python -m benchmarks.splits [--write | --check]

Tuning on the pages a score is reported on makes the score a measure of the fit, not of the extractor. So the
pages of zh_news, zh_forum and en_news are split by the registrable domain of the site they come from ("people.com.cn"
for finance.people.com.cn; the Public Suffix List decides, through tldextract's bundled snapshot, never the network):
no site has pages on both sides, so a rule written for a development site cannot reach a held-out page through
its site. zh_gbk pages are re-encodings of zh_news pages and follow their originals. zh_gov, partial and the replica
are development-only.

How the split is made (and re-made by `--write`, which must give the same file): per dataset, in the order above,
the domains not yet placed are sorted, shuffled with random.Random(f"{SEED}/{dataset}"), and the first
round(HELDOUT_SHARE * n) go to the held-out side. A page's domain is that of its truth `url`; pages saved without
one (test pages of readability) take the domain of their canonical / og:url link, else the domain most of their
absolute links point to. benchmarks/splits.json is the frozen result: the tests and the benchmark read it, and a
page that is not in it is an error, not a silent development page.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import Counter
from functools import lru_cache
from pathlib import Path

SEED = 14
HELDOUT_SHARE = 0.4
SPLIT_DATASETS = ("zh_news", "zh_forum", "en_news")
DERIVED = {"zh_gbk": "zh_news"}  # dataset -> the dataset its pages are re-encodings of
SPLIT_FILE = Path(__file__).resolve().parent / "splits.json"
SIDES = ("dev", "heldout")
HOW = (
    "Per dataset (zh_news, zh_forum, en_news in this order) the registrable domains not yet placed are sorted, "
    "shuffled with random.Random(f'{seed}/{dataset}') and the first round(heldout_share * n) go to the held-out side. "
    "A page's domain is that of its truth url (Public Suffix List: tldextract's bundled snapshot); pages without a url "
    "take their canonical/og:url link's domain, else the domain most of their absolute links point to. zh_gbk pages "
    "follow the zh_news page they re-encode. zh_gov, partial and replica are development-only. "
    "Made by: python -m benchmarks.splits --write"
)


class SplitError(RuntimeError):
    pass


def registrable_domain(url: str) -> str:
    # suffix_list_urls=() : only the snapshot bundled with the package, no fetch (there is no network here,
    # and a split must not change because the live list did).
    extract = _extractor()
    return extract(url).top_domain_under_public_suffix or ""


@lru_cache(maxsize=1)
def _extractor():
    import tldextract

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


_LINK = re.compile(rb"""(?:href|src|content)\s*=\s*["']?(https?://[^"'\s>]+)""", re.I)
_CANONICAL = re.compile(
    rb"""<link[^>]+rel=["']?canonical["']?[^>]*href=["']?(https?://[^"'\s>]+)"""
    rb"""|<meta[^>]+property=["']?og:url["']?[^>]*content=["']?(https?://[^"'\s>]+)""",
    re.I,
)


def page_domain(truth: dict, html: bytes) -> tuple[str, str]:
    """(registrable domain, where it came from: url / canonical / links)."""
    if truth.get("url"):
        return registrable_domain(truth["url"]), "url"
    m = _CANONICAL.search(html)
    if m:
        return registrable_domain((m.group(1) or m.group(2)).decode("ascii", "replace")), "canonical"
    counts = Counter(registrable_domain(u.decode("ascii", "replace")) for u in _LINK.findall(html))
    counts.pop("", None)
    if not counts:
        raise SplitError("no url, canonical link or absolute link to take a domain from")
    return counts.most_common(1)[0][0], "links"


def make_split(root: Path) -> dict:
    pages: dict[str, dict] = {}
    side_of: dict[str, str] = {}
    domains_by_set: dict[str, list[str]] = {}
    for dataset in SPLIT_DATASETS:
        folder = root / dataset
        found: dict[str, list[str]] = {}
        for html_path in sorted(folder.glob("*.html")):
            truth = json.loads(html_path.with_suffix(".json").read_text("utf-8"))
            try:
                domain, how = page_domain(truth, html_path.read_bytes())
            except SplitError as exc:
                raise SplitError(f"{html_path}: {exc}") from None
            pages[f"{dataset}/{html_path.stem}"] = {"domain": domain, "from": how}
            found.setdefault(domain, []).append(html_path.stem)
        if not found:
            raise SplitError(f"no pages in {folder}")
        new = sorted(d for d in found if d not in side_of)
        random.Random(f"{SEED}/{dataset}").shuffle(new)
        n_held = round(HELDOUT_SHARE * len(new))
        for i, domain in enumerate(new):
            side_of[domain] = "heldout" if i < n_held else "dev"
        domains_by_set[dataset] = sorted(found)
    for dataset, original in DERIVED.items():
        for html_path in sorted((root / dataset).glob("*.html")):
            orig_id = html_path.stem.split("__", 1)[-1]
            orig = pages.get(f"{original}/{orig_id}")
            if orig is None:
                raise SplitError(f"{html_path}: no page {original}/{orig_id} it re-encodes")
            pages[f"{dataset}/{html_path.stem}"] = {"domain": orig["domain"], "from": f"{original}/{orig_id}"}
    for entry in pages.values():
        entry["split"] = side_of[entry["domain"]]
    return {
        "seed": SEED,
        "heldout_share": HELDOUT_SHARE,
        "public_suffix_list": f"tldextract {_tldextract_version()} bundled snapshot (no network)",
        "how": HOW,
        "domains": {
            side: {ds: [d for d in doms if side_of[d] == side] for ds, doms in domains_by_set.items()} for side in SIDES
        },
        "pages": dict(sorted(pages.items())),
    }


def _tldextract_version() -> str:
    from importlib.metadata import version

    return version("tldextract")


@lru_cache(maxsize=1)
def load_split(path: Path = SPLIT_FILE) -> dict:
    return json.loads(path.read_text("utf-8"))


def is_split(dataset: str) -> bool:
    return dataset in SPLIT_DATASETS or dataset in DERIVED


def side(dataset: str, page_id: str) -> str:
    """"dev" or "heldout" for a page; every page of an unsplit dataset (zh_gov, partial, replica) is development."""
    if not is_split(dataset):
        return "dev"
    entry = load_split()["pages"].get(f"{dataset}/{page_id}")
    if entry is None:
        raise SplitError(f"{dataset}/{page_id} is not in {SPLIT_FILE.name}: place new pages deliberately "
                         "(python -m benchmarks.splits --write keeps every known domain on its side only if the seed and "
                         "domain set are unchanged; check the diff)")
    return entry["split"]


def domain(dataset: str, page_id: str, url: str = "") -> str:
    entry = load_split()["pages"].get(f"{dataset}/{page_id}") if is_split(dataset) else None
    if entry is not None:
        return entry["domain"]
    return registrable_domain(url) if url else f"{dataset}/{page_id}"


def select(pages: list, dataset: str, which: str) -> list:
    """The pages of one side ("dev" / "heldout"), or all of them ("all")."""
    if which == "all":
        return pages
    return [p for p in pages if side(dataset, p.id) == which]


def main(argv: list[str] | None = None) -> int:
    from benchmarks.extraction import evaldata_root

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help=f"(re)write {SPLIT_FILE.name}")
    mode.add_argument("--check", action="store_true", help=f"exit 1 unless {SPLIT_FILE.name} is what the recipe gives")
    args = ap.parse_args(argv)
    try:
        split = make_split(evaldata_root())
    except SplitError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    text = json.dumps(split, ensure_ascii=False, indent=1) + "\n"
    if args.write:
        tmp = SPLIT_FILE.with_suffix(".tmp")
        tmp.write_text(text, "utf-8")
        tmp.replace(SPLIT_FILE)
    elif args.check:
        if not SPLIT_FILE.exists() or SPLIT_FILE.read_text("utf-8") != text:
            print(f"{SPLIT_FILE} differs from the recipe's result", file=sys.stderr)
            return 1
    for s in SIDES:
        n = sum(1 for p in split["pages"].values() if p["split"] == s)
        doms = {p["domain"] for p in split["pages"].values() if p["split"] == s}
        print(f"{s}: {n} pages, {len(doms)} domains")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
