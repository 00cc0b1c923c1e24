"""Body/title/date quality and speed of our extractor against trafilatura, readability-lxml and GNE on real pages.

Run: python -m benchmarks.extraction [--dataset zh_news] [--limit N] [--per-page] [--tools ours,trafilatura]
Pages come from $POLICYCRAWL_EVALDATA/<dataset>/*.html + .json (default ../shared/evaldata next to the repo);
the scoring follows that folder's README: bag-of-tokens P/R/F1 (CJK characters, Latin words; whitespace and
punctuation removed), title exact match after removing whitespace, publish date on the same calendar day.
Competitors get the text our decoder produced (trafilatura garbles undeclared GBK when given bytes), so the
comparison is about extraction, not decoding.

Two more datasets measure chrome, which bag-of-characters F1 barely sees:
- `partial`: trafilatura's CJK evaluation pages (real), scored by the share of their hand-picked must-contain
  snippets found and must-not-contain snippets (chrome) absent;
- `replica`: the offline demo's article pages (seed-site chrome around our own prose, Traditional sites with
  ruby), scored against their truth plus the number of chrome lines and pinyin annotations left per page.
  Every tool's text is converted to Simplified before scoring there, as the truth is Simplified.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
import unicodedata
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def evaldata_root() -> Path:
    return Path(os.environ.get("POLICYCRAWL_EVALDATA", REPO.parent / "shared" / "evaldata"))


# ---------------------------------------------------------------- scoring

_TOKEN = re.compile(
    r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f\u3040-\u30ff\uac00-\ud7af]"
    r"|[^\W_]+",
)


def tokens(text: str | None) -> Counter[str]:
    """CJK characters one by one, other letters/digits as words; punctuation and whitespace never count."""
    if not text:
        return Counter()
    text = unicodedata.normalize("NFKC", text).lower()
    out: Counter[str] = Counter()
    for m in _TOKEN.finditer(text):
        tok = m.group()
        if len(tok) > 1 and any("\u3400" <= ch for ch in tok):
            # A word run mixing CJK with Latin is split into its CJK characters and Latin parts.
            for sub in re.findall(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]|[^\W_\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]+", tok):
                out[sub] += 1
        else:
            out[tok] += 1
    return out


def prf(pred: str | None, truth: str) -> tuple[float, float, float]:
    p, t = tokens(pred), tokens(truth)
    if not t:
        return (1.0, 1.0, 1.0) if not p else (0.0, 1.0, 0.0)
    common = sum((p & t).values())
    precision = common / sum(p.values()) if p else 0.0
    recall = common / sum(t.values())
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def same_title(pred: str | None, truth: str) -> bool:
    a, b = re.sub(r"\s+", "", pred or ""), re.sub(r"\s+", "", truth)
    if a != b and a:
        # Tools that convert Traditional titles to Simplified are not wrong: compare in one script.
        from extractors.script import t2s

        return t2s(a) == t2s(b)
    return a == b


def same_authors(pred: str | None, truth: str) -> bool:
    """Same set of names, whatever the separator (、 , or spaces)."""
    def names(text: str | None) -> set[str]:
        from extractors.script import t2s

        return {n for n in re.split(r"[,，、;；/\s]+", t2s(text or "")) if n}

    return names(pred) == names(truth)


def same_day(pred: str | None, truth: str) -> bool:
    return bool(pred) and pred[:10] == truth[:10]


# ---------------------------------------------------------------- tools

@dataclass
class Output:
    text: str | None
    title: str | None = None
    date: str | None = None
    author: str | None = None


@dataclass
class Page:
    id: str
    url: str
    body: bytes
    truth: dict
    html: str = ""  # decoded by our decoder, for the competitors
    headers: tuple[tuple[str, str], ...] = ()


def tool_ours(page: Page) -> Output:
    from extractors import extract

    rec = extract(page.body, page.url, page.headers)
    # Our text is converted to Simplified; the truth keeps the page's script, so score the page's own text.
    return Output(rec.text_original or rec.text, rec.title, rec.published, rec.author)


def tool_trafilatura(precision: bool) -> Callable[[Page], Output]:
    def run(page: Page) -> Output:
        import trafilatura

        doc = trafilatura.bare_extraction(page.html, url=page.url or None, with_metadata=True, favor_precision=precision)
        if doc is None:
            return Output(None)
        return Output(doc.text, doc.title, doc.date, doc.author)

    return run


def tool_readability(page: Page) -> Output:
    import lxml.html
    from readability import Document

    doc = Document(page.html)
    summary = doc.summary(html_partial=True)
    text = lxml.html.fromstring(summary).text_content() if summary.strip() else ""
    return Output(text, doc.short_title(), None)


_gne = None


def tool_gne(page: Page) -> Output:
    global _gne
    if _gne is None:
        from gne import GeneralNewsExtractor

        _gne = GeneralNewsExtractor()
    res = _gne.extract(page.html)
    return Output(res.get("content"), res.get("title"), res.get("publish_time") or None, res.get("author") or None)


TOOLS: dict[str, Callable[[Page], Output]] = {
    "ours": tool_ours,
    "trafilatura": tool_trafilatura(False),
    "trafilatura-precision": tool_trafilatura(True),
    "readability": tool_readability,
    "gne": tool_gne,
}


# ---------------------------------------------------------------- running

@dataclass
class Scores:
    p: list[float] = field(default_factory=list)
    r: list[float] = field(default_factory=list)
    f: list[float] = field(default_factory=list)
    title: list[bool] = field(default_factory=list)
    date: list[bool] = field(default_factory=list)
    author: list[bool] = field(default_factory=list)
    snippets_found: list[float] = field(default_factory=list)
    chrome_absent: list[float] = field(default_factory=list)
    chrome_lines: list[int] = field(default_factory=list)
    pinyin_pages: int = 0
    seconds: float = 0.0
    errors: int = 0

    @staticmethod
    def mean(xs: list) -> float:
        return sum(xs) / len(xs) if xs else float("nan")


def load_pages(dataset: str, limit: int | None) -> list[Page]:
    from extractors.decode import decode_html

    if dataset == "replica":
        return load_replica(limit)
    folder = evaldata_root() / dataset
    pages = []
    for html_path in sorted(folder.rglob("*.html"))[: limit or None]:
        truth = json.loads(html_path.with_suffix(".json").read_text("utf-8"))
        body = html_path.read_bytes()
        page = Page(html_path.stem, truth.get("url") or "", body, truth)
        page.html = decode_html(body, ()).text
        pages.append(page)
    return pages


def load_replica(limit: int | None) -> list[Page]:
    """The demo replica's article pages as served (bytes + headers) with their truth and the site's chrome lines."""
    from crawler.demo.replica import build_sites
    from extractors.decode import decode_html

    pages = []
    for site in build_sites().values():
        for art in site.articles:
            served = site.pages[art.path]
            chrome = [c for c in site.chrome_lines if len(_squash(c)) >= 4
                      and not any(_squash(c) in _squash(p) for p in (art.title, *art.paragraphs))]
            truth = {"body": "\n".join(art.paragraphs), "title": art.title, "publish_time": art.published,
                     "author": art.author,
                     "chrome": chrome, "simplified": True}
            page = Page(f"{site.id}{art.path}", f"http://{site.id}.example{art.path}", served.body, truth,
                        headers=served.headers)
            page.html = decode_html(served.body, served.headers).text
            pages.append(page)
    return pages[: limit or None]


def _squash(text: str) -> str:
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text or "")).lower()


_PINYIN = re.compile(r"[\u4e00-\u9fff][(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜ]+[)）]")


def score_chrome(sc: Scores, out: Output, truth: dict) -> str:
    """Snippet and chrome checks for the partial and replica datasets; returns a per-page note."""
    flat = _squash(out.text)
    note = ""
    if truth.get("must_contain") or truth.get("must_not_contain"):
        want = [s for s in truth.get("must_contain") or [] if _squash(s)]
        avoid = [s for s in truth.get("must_not_contain") or [] if _squash(s)]
        found = [s for s in want if _squash(s) in flat]
        leaked = [s for s in avoid if _squash(s) in flat]
        sc.snippets_found.append(len(found) / len(want) if want else 1.0)
        sc.chrome_absent.append(1 - len(leaked) / len(avoid) if avoid else 1.0)
        missing = [s for s in want if s not in found]
        note = f" missing={missing[:3]} leaked={leaked[:3]}" if missing or leaked else ""
    if "chrome" in truth:
        leaked = [c for c in truth["chrome"] if _squash(c) in flat]
        sc.chrome_lines.append(len(leaked))
        if _PINYIN.search(out.text or ""):
            sc.pinyin_pages += 1
        note = f" chrome={len(leaked)} {[c[:12] for c in leaked[:3]]}" if leaked else ""
    return note


def run(dataset: str, tools: list[str], limit: int | None, per_page: bool, pages: list[Page] | None = None
        ) -> dict[str, Scores]:
    pages = load_pages(dataset, limit) if pages is None else pages
    if not pages:
        sys.exit(f"no pages in {evaldata_root() / dataset}: set POLICYCRAWL_EVALDATA to the evaldata folder")
    results: dict[str, Scores] = {}
    for name in tools:
        fn = TOOLS[name]
        sc = Scores()
        for page in pages:
            t0 = time.process_time()
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    out = fn(page)
            except Exception as exc:  # a competitor crashing on a page scores 0 there
                out = Output(None)
                sc.errors += 1
                if per_page:
                    print(f"  {name} {page.id}: {type(exc).__name__}: {exc}", file=sys.stderr)
            sc.seconds += time.process_time() - t0
            if page.truth.get("simplified") and out.text:
                from extractors.script import t2s

                out.text = t2s(out.text)
            note = score_chrome(sc, out, page.truth)
            if page.truth.get("body") is not None:
                p, r, f = prf(out.text, page.truth["body"])
                sc.p.append(p)
                sc.r.append(r)
                sc.f.append(f)
            else:
                p = r = f = float("nan")
            if page.truth.get("title"):
                sc.title.append(same_title(out.title, page.truth["title"]))
            if page.truth.get("publish_time"):
                sc.date.append(same_day(out.date, page.truth["publish_time"]))
            if page.truth.get("author"):
                sc.author.append(same_authors(out.author, page.truth["author"]))
            if per_page:
                flags = ""
                if page.truth.get("title") and not same_title(out.title, page.truth["title"]):
                    flags += f" title={out.title!r}"
                if page.truth.get("publish_time") and not same_day(out.date, page.truth["publish_time"]):
                    flags += f" date={out.date!r} want={page.truth['publish_time']}"
                if page.truth.get("author") and not same_authors(out.author, page.truth["author"]):
                    flags += f" author={out.author!r} want={page.truth['author']!r}"
                body = f" P={p:.3f} R={r:.3f} F1={f:.3f}" if page.truth.get("body") is not None else ""
                print(f"{name:22} {page.id[:24]:24}{body}{flags}{note}")
        results[name] = sc
    return results


def table(dataset: str, n: int, results: dict[str, Scores]) -> str:
    first = next(iter(results.values()))
    if first.snippets_found and not first.f:
        lines = [
            f"**{dataset}** ({n} pages)",
            "",
            "| tool | must-contain found | must-not-contain absent | pages/s (CPU) |",
            "|---|---|---|---|",
        ]
        for name, sc in results.items():
            speed = n / sc.seconds if sc.seconds else float("inf")
            lines.append(f"| {name} | {Scores.mean(sc.snippets_found):.3f} | {Scores.mean(sc.chrome_absent):.3f} "
                         f"| {speed:.1f} |")
        return "\n".join(lines)
    chrome = bool(first.chrome_lines)
    lines = [
        f"**{dataset}** ({n} pages)",
        "",
        "| tool | precision | recall | F1 | title | date | author | pages/s (CPU) |"
        + (" chrome lines / page | pages with pinyin |" if chrome else ""),
        "|---|---|---|---|---|---|---|---|" + ("---|---|" if chrome else ""),
    ]
    for name, sc in results.items():
        title = f"{Scores.mean(sc.title):.3f}" if sc.title else "–"
        date = f"{Scores.mean(sc.date):.3f}" if sc.date else "–"
        author = f"{Scores.mean(sc.author):.3f}" if sc.author else "–"
        speed = n / sc.seconds if sc.seconds else float("inf")
        err = f" ({sc.errors} errors)" if sc.errors else ""
        lines.append(
            f"| {name}{err} | {Scores.mean(sc.p):.3f} | {Scores.mean(sc.r):.3f} | {Scores.mean(sc.f):.3f} "
            f"| {title} | {date} | {author} | {speed:.1f} |"
            + (f" {Scores.mean(sc.chrome_lines):.2f} | {sc.pinyin_pages} |" if chrome else "")
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", default="zh_news", help="folder under the evaldata root (zh_news, zh_gbk, zh_forum, en_news, partial) or replica")
    ap.add_argument("--limit", type=int, default=None, help="only the first N pages")
    ap.add_argument("--per-page", action="store_true", help="print one line per page and tool")
    ap.add_argument("--tools", default=",".join(TOOLS), help=f"comma-separated subset of {','.join(TOOLS)}")
    ap.add_argument("--split", choices=("both", "dev", "heldout", "all"), default="both",
                    help="development pages, frozen held-out pages (benchmarks/splits.json), all, or both tables")
    ap.add_argument("--lodo", action="store_true", help="leave-one-domain-out: per-domain scores, mean over domains")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(REPO))
    tools = [t for t in args.tools.split(",") if t]
    unknown = set(tools) - set(TOOLS)
    if unknown:
        ap.error(f"unknown tools {sorted(unknown)}; known: {sorted(TOOLS)}")
    from benchmarks import heldout

    code = heldout.report(args, tools)
    if args.dataset == "zh_gov" and "ours" in tools:
        print_gov_fields(args)
    return code


def print_gov_fields(args) -> None:
    """zh_gov: per-field scores of our extractor (信息公开 fields, attachments, listing pages): benchmarks/gov_scores.py."""
    from benchmarks import gov_scores

    print()
    print(gov_scores.report(load_pages("zh_gov", args.limit), args.per_page))


if __name__ == "__main__":
    raise SystemExit(main())
