"""Every replica article page (crawler/demo): no chrome line in the record, every truth paragraph in it."""

from __future__ import annotations

import pytest

from extractors import extract
from extractors.script import t2s

replica = pytest.importorskip("crawler.demo.replica", reason="crawler/demo/replica.py not available")


def norm(s: str) -> str:
    return " ".join(s.split())


def article_pages():
    for site_id, site in replica.build_sites().items():
        for article in site.articles:
            yield pytest.param(site, article, id=f"{site_id}{article.path}")


@pytest.mark.parametrize(("site", "article"), list(article_pages()))
def test_replica_article(site, article):
    page = site.pages[article.path]
    rec = extract(page.body, "http://127.0.0.1:8000" + article.path, page.headers)
    assert rec.status == "ok", rec.status_detail
    text = norm(rec.text)
    lines = {norm(line) for line in rec.text.splitlines()}
    for chrome in site.chrome_lines:
        simplified = norm(t2s(chrome))
        assert chrome not in lines and simplified not in lines, f"chrome line kept: {chrome}"
        if len(chrome) >= 6:
            assert chrome not in text and simplified not in text, f"chrome kept: {chrome}"
    for paragraph in article.paragraphs:
        assert norm(t2s(paragraph)) in text, f"paragraph missing: {paragraph[:40]}"
    assert (rec.published or "")[:10] == article.published[:10]
    assert norm(rec.title or "") == norm(t2s(article.title))
