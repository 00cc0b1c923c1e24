"""Every replica article page (crawler/demo): no chrome line in the record, every truth paragraph in it."""

from __future__ import annotations

import pytest

from extractors import extract
from extractors.script import t2s

replica = pytest.importorskip("crawler.demo.replica", reason="crawler/demo/replica.py not available")


def norm(s: str) -> str:
    return " ".join(s.split())


# Government replica pages (issue 10) that the generic extractor, without the site's profile hints, still gets
# wrong: the 落款 date wins over the labelled 发布日期 (gz), the 信息公开 block lands in the text (sz, most).
# xfail(strict=True): each id leaves this list when gov-extract's work makes it pass.
NEEDS_GOV_EXTRACT = frozenset({
    "gz_gov/xw/tzgg/content/post_9819345.html",
    "gz_gov/xw/tzgg/content/post_9819416.html",
    "gz_gov/xw/tzgg/content/post_9819487.html",
    "gz_gov/xw/tzgg/content/post_9819558.html",
    "gz_gov/xw/tzgg/content/post_9819629.html",
    "gz_gov/xw/tzgg/content/post_9819700.html",
    "gz_gov/xw/tzgg/content/post_9819771.html",
    "sz_gov/cn/xxgk/zfxxgj/tzgg/content/post_11221345.html",
    "sz_gov/cn/xxgk/zfxxgj/tzgg/content/post_11221511.html",
    "sz_gov/cn/xxgk/zfxxgj/tzgg/content/post_11221594.html",
    "sz_gov/cn/xxgk/zfxxgj/zcfg/szsfg/content/post_11221677.html",
    "sz_gov/cn/xxgk/zfxxgj/zcfg/szsfg/content/post_11221760.html",
    "sz_gov/cn/xxgk/zfxxgj/tzgg/content/post_11221843.html",
    "most_gov/xxgk/xinxifenlei/fdzdgknr/fgzc/gfxwj/gfxwj2024/202405/t20240507_195901.html",
    "most_gov/xxgk/xinxifenlei/fdzdgknr/fgzc/gfxwj/gfxwj2024/202405/t20240503_195932.html",
    "most_gov/xxgk/xinxifenlei/fdzdgknr/fgzc/gfxwj/gfxwj2024/202404/t20240428_195963.html",
    "most_gov/xxgk/xinxifenlei/fdzdgknr/fgzc/gfxwj/gfxwj2024/202404/t20240427_195994.html",
    "most_gov/xxgk/xinxifenlei/fdzdgknr/fgzc/gfxwj/gfxwj2024/202404/t20240423_196025.html",
    "most_gov/xxgk/xinxifenlei/fdzdgknr/fgzc/gfxwj/gfxwj2024/202404/t20240419_196056.html",
    "most_gov/xxgk/xinxifenlei/fdzdgknr/fgzc/gfxwj/gfxwj2024/202404/t20240418_196087.html",
    "most_gov/xxgk/xinxifenlei/fdzdgknr/fgzc/gfxwj/gfxwj2024/202404/t20240413_196118.html",
    "most_gov/xxgk/xinxifenlei/fdzdgknr/fgzc/gfxwj/gfxwj2024/202404/t20240409_196149.html",
    "most_gov/xxgk/xinxifenlei/fdzdgknr/fgzc/gfxwj/gfxwj2024/202404/t20240408_196180.html",
    "most_gov/xxgk/xinxifenlei/fdzdgknr/fgzc/gfxwj/gfxwj2024/202404/t20240404_196211.html",
})


def article_pages():
    for site_id, site in replica.build_sites().items():
        for article in site.articles:
            pid = f"{site_id}{article.path}"
            marks = [pytest.mark.xfail(strict=True, reason="needs gov-extract: labelled 发布日期 over the 落款 date, "
                                       "信息公开 block kept out of the text")] if pid in NEEDS_GOV_EXTRACT else []
            yield pytest.param(site, article, id=pid, marks=marks)


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
