"""Output parity of the extractor: the full Record of every evaluation page, replica page and test fixture, as
JSON lines, so that two versions of extractors/ can be diffed (a pure refactor must give an empty diff).

Run: python -m benchmarks.parity OUT.jsonl, then python -m benchmarks.parity --diff BEFORE.jsonl AFTER.jsonl
(prints the records compared, those differing and their fields; exit status 1 when any differs).
Covers: every *.html under the evaldata root (labelled and unlabelled), tests/fixtures/**/*.html, every HTML
page of the demo replica extracted three ways: without a source, with its built-in profile's SourceInfo (hints)
at the real site's URL, and with a site template learned from the site's other article pages; and the
attachment readers (extract_document) on every kind of file the demo makes plus the hostile test files.
"""

from __future__ import annotations

import dataclasses
import json
import sys

from benchmarks.extraction import REPO, evaldata_root


def _pages():
    """(key, body, url, headers, source-or-None) for every page covered."""
    if not evaldata_root().is_dir():
        raise SystemExit(f"evaldata not found at {evaldata_root()} (set POLICYCRAWL_EVALDATA)")
    for path in sorted(evaldata_root().rglob("*.html")):
        truth = path.with_suffix(".json")
        url = ""
        if truth.exists():
            url = json.loads(truth.read_text("utf-8")).get("url") or ""
        yield f"evaldata/{path.relative_to(evaldata_root())}", path.read_bytes(), url, (), None
    for path in sorted((REPO / "tests" / "fixtures").rglob("*.html")):
        yield f"fixtures/{path.relative_to(REPO / 'tests' / 'fixtures')}", path.read_bytes(), "https://fixture.example/a/1.html", (), None

    from crawler.demo.replica import build_sites
    from crawler.sources import builtin_profiles
    from extractors import SourceInfo, template

    profiles = builtin_profiles()
    for site in build_sites().values():
        profile = profiles.get(site.id)
        host = profile.homepage.rstrip("/") if profile is not None and profile.homepage else f"http://{site.id}.example"
        html_pages = []
        for path, served in sorted(site.pages.items()):
            ctype = dict((k.lower(), v) for k, v in served.headers).get("content-type", "")
            if "html" not in ctype:
                continue
            body = served.body() if callable(served.body) else served.body
            html_pages.append((path, body, served.headers))
        article_paths = {a.path for a in site.articles}
        learned = [(b, f"{host}{p}", h) for p, b, h in html_pages if p in article_paths]
        model = template.learn(site.id, learned) if len(learned) > template.MIN_PAGES else None
        for path, body, headers in html_pages:
            yield f"replica/{site.id}{path}#plain", body, f"http://{site.id}.example{path}", headers, None
            if profile is not None:
                yield f"replica/{site.id}{path}#profile", body, f"{host}{path}", headers, profile.source_info
            if model is not None and path in article_paths:
                yield f"replica/{site.id}{path}#template", body, f"{host}{path}", headers, SourceInfo(id=site.id, template=model)


def _documents():
    """(key, body, url, content type) of attachment files: every kind the demo makes, and the hostile ones."""
    from datetime import datetime, timedelta

    from crawler.demo.attachments import KINDS, make
    from crawler.demo.corpus import stories
    from tests.attachment_bombs import docx_zip_bomb, pdf_deeply_nested, pdf_many_pages

    for i, story in enumerate(stories("parity", 3, first=datetime(2024, 6, 1, 9), step=timedelta(days=1))):
        for kind in KINDS:
            body, ctype = make(kind, story.title, list(story.paragraphs))
            yield f"documents/{kind}/{i}", body, f"https://fixture.example/f/{i}.{kind.split('-')[0]}", ctype
    yield "documents/zip-bomb", docx_zip_bomb(), "https://fixture.example/b.docx", None
    yield "documents/many-pages", pdf_many_pages(), "https://fixture.example/m.pdf", None
    yield "documents/deeply-nested", pdf_deeply_nested(), "https://fixture.example/d.pdf", None


def diff(before: str, after: str) -> int:
    def load(path: str) -> dict[str, dict]:
        with open(path, encoding="utf-8") as fh:
            return {rec["page"]: rec for rec in map(json.loads, fh)}

    a, b = load(before), load(after)
    differing = []
    for page in sorted(a.keys() | b.keys()):
        x, y = a.get(page), b.get(page)
        if x != y:
            fields = sorted(k for k in (x or {}).keys() | (y or {}).keys() if (x or {}).get(k) != (y or {}).get(k))
            differing.append(page)
            print(f"{page}: {', '.join(fields) if x and y else 'missing on one side'}")
    print(f"{len(a.keys() | b.keys())} records compared, {len(differing)} differ")
    return 1 if differing else 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) == 3 and argv[0] == "--diff":
        return diff(argv[1], argv[2])
    if len(argv) != 1:
        print("usage: python -m benchmarks.parity OUT.jsonl | --diff BEFORE.jsonl AFTER.jsonl", file=sys.stderr)
        return 2
    from extractors import extract

    n = 0
    with open(argv[0], "w", encoding="utf-8") as out:
        for key, body, url, headers, source in _pages():
            rec = extract(body, url, headers, source=source, fetched_at="2024-01-01T00:00:00Z", http_status=200)
            out.write(json.dumps({"page": key, **dataclasses.asdict(rec)}, ensure_ascii=False, sort_keys=True) + "\n")
            n += 1
        from extractors.documents import extract_document

        for key, body, url, ctype in _documents():
            doc = extract_document(body, url, ctype)
            out.write(json.dumps({"page": key, **dataclasses.asdict(doc)}, ensure_ascii=False, sort_keys=True) + "\n")
            n += 1
    print(f"{n} pages -> {argv[0]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
