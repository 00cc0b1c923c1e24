"""Body/title/date quality and speed of our extractor against trafilatura, readability-lxml and GNE on real pages.

Run: python -m benchmarks.extraction [--dataset zh_news] [--limit N] [--per-page] [--tools ours,trafilatura]
Pages come from $POLICYCRAWL_EVALDATA/<dataset>/*.html + .json (default ../shared/evaldata next to the repo);
the scoring follows that folder's README: bag-of-tokens P/R/F1 (CJK characters, Latin words; whitespace and
punctuation removed), title exact match after removing whitespace, publish date on the same calendar day.
Competitors get the text our decoder produced (trafilatura garbles undeclared GBK when given bytes), so the
comparison is about extraction, not decoding.
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


def same_day(pred: str | None, truth: str) -> bool:
    return bool(pred) and pred[:10] == truth[:10]


# ---------------------------------------------------------------- tools

@dataclass
class Output:
    text: str | None
    title: str | None = None
    date: str | None = None


@dataclass
class Page:
    id: str
    url: str
    body: bytes
    truth: dict
    html: str = ""  # decoded by our decoder, for the competitors


def tool_ours(page: Page) -> Output:
    from extractors import extract

    rec = extract(page.body, page.url)
    # Our text is converted to Simplified; the truth keeps the page's script, so score the page's own text.
    return Output(rec.text_original or rec.text, rec.title, rec.published)


def tool_trafilatura(precision: bool) -> Callable[[Page], Output]:
    def run(page: Page) -> Output:
        import trafilatura

        doc = trafilatura.bare_extraction(page.html, url=page.url or None, with_metadata=True, favor_precision=precision)
        if doc is None:
            return Output(None)
        return Output(doc.text, doc.title, doc.date)

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
    return Output(res.get("content"), res.get("title"), res.get("publish_time") or None)


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
    seconds: float = 0.0
    errors: int = 0

    @staticmethod
    def mean(xs: list) -> float:
        return sum(xs) / len(xs) if xs else float("nan")


def load_pages(dataset: str, limit: int | None) -> list[Page]:
    from extractors.decode import decode_html

    folder = evaldata_root() / dataset
    pages = []
    for html_path in sorted(folder.glob("*.html"))[: limit or None]:
        truth = json.loads(html_path.with_suffix(".json").read_text("utf-8"))
        body = html_path.read_bytes()
        page = Page(html_path.stem, truth.get("url") or "", body, truth)
        page.html = decode_html(body, ()).text
        pages.append(page)
    return pages


def run(dataset: str, tools: list[str], limit: int | None, per_page: bool) -> dict[str, Scores]:
    pages = load_pages(dataset, limit)
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
            p, r, f = prf(out.text, page.truth.get("body") or "")
            sc.p.append(p)
            sc.r.append(r)
            sc.f.append(f)
            if page.truth.get("title"):
                sc.title.append(same_title(out.title, page.truth["title"]))
            if page.truth.get("publish_time"):
                sc.date.append(same_day(out.date, page.truth["publish_time"]))
            if per_page:
                flags = ""
                if page.truth.get("title") and not same_title(out.title, page.truth["title"]):
                    flags += f" title={out.title!r}"
                if page.truth.get("publish_time") and not same_day(out.date, page.truth["publish_time"]):
                    flags += f" date={out.date!r} want={page.truth['publish_time']}"
                print(f"{name:22} {page.id[:24]:24} P={p:.3f} R={r:.3f} F1={f:.3f}{flags}")
        results[name] = sc
    return results


def table(dataset: str, n: int, results: dict[str, Scores]) -> str:
    lines = [
        f"**{dataset}** ({n} pages)",
        "",
        "| tool | precision | recall | F1 | title | date | pages/s (CPU) |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, sc in results.items():
        title = f"{Scores.mean(sc.title):.3f}" if sc.title else "–"
        date = f"{Scores.mean(sc.date):.3f}" if sc.date else "–"
        speed = n / sc.seconds if sc.seconds else float("inf")
        err = f" ({sc.errors} errors)" if sc.errors else ""
        lines.append(
            f"| {name}{err} | {Scores.mean(sc.p):.3f} | {Scores.mean(sc.r):.3f} | {Scores.mean(sc.f):.3f} "
            f"| {title} | {date} | {speed:.1f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", default="zh_news", help="folder under the evaldata root (zh_news, zh_gbk, zh_forum, en_news)")
    ap.add_argument("--limit", type=int, default=None, help="only the first N pages")
    ap.add_argument("--per-page", action="store_true", help="print one line per page and tool")
    ap.add_argument("--tools", default=",".join(TOOLS), help=f"comma-separated subset of {','.join(TOOLS)}")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(REPO))
    tools = [t for t in args.tools.split(",") if t]
    unknown = set(tools) - set(TOOLS)
    if unknown:
        ap.error(f"unknown tools {sorted(unknown)}; known: {sorted(TOOLS)}")
    results = run(args.dataset, tools, args.limit, args.per_page)
    n = len(next(iter(results.values())).f)
    print()
    print(table(args.dataset, n, results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
