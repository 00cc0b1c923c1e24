"""腿腿教学网 replica: Traditional script with ruby, 编者按, prev/next links, and a sitemap listing articles no listing shows (seed 002)."""

from __future__ import annotations

from datetime import datetime, timedelta

from crawler.demo import corpus
from crawler.demo.hant import flattened, ruby_html, to_hant
from crawler.demo.model import ArticleTruth, ReplicaSite, SiteDraft, chunks
from crawler.demo.web import esc, iso, robots, sitemap

SITE = "tuituisoft"
SECTIONS = {"news": "行业新闻", "zhengce": "装配式政策"}
CHROME = (
    "下载app免费领取会员", "本文版权归腿腿教学网及原创作者所有，未经授权，谢绝转载。", "推荐专题",
    "BIM教程", "装配式建筑专题", "智能建造专题", "腿腿教学网", "登录", "注册", "首页",
    "Copyright © 腿腿教学网 版权所有", "京ICP备17023698号-2",
)


def _t(text: str) -> str:
    return esc(to_hant(text))


def _note(story: corpus.Story) -> str:
    return (f"本文梳理了{story.city}在{story.industry}领域的最新举措，从政策、项目和企业三个层面展开，"
            "供从事智能建造与装配式建筑的读者参考。")


def _article(story: corpus.Story, section: str, paras: tuple[str, ...], flat: bool,
             prev: tuple[str, str] | None, nxt: tuple[str, str] | None) -> str:
    render = (lambda p: esc(flattened(p))) if flat else ruby_html
    body = "".join(f"<p><strong>{render(p)}</strong></p>\n" if p == "编者按" else f"<p>{render(p)}</p>\n" for p in paras)
    label = SECTIONS[section]
    pn = ""
    if prev:
        pn += f'<p class="prev">{_t("上一篇")}：<a href="{prev[1]}">{_t(label)} | {_t(prev[0])}</a></p>'
    if nxt:
        pn += f'<p class="next">{_t("下一篇")}：<a href="{nxt[1]}">{_t(label)} | {_t(nxt[0])}</a></p>'
    topics = "".join(f"<li>{_t(t)}</li>" for t in ("BIM教程", "装配式建筑专题", "智能建造专题"))
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{_t(story.title)} - {_t("腿腿教学网")}</title>
<meta name="keywords" content="{_t(story.industry)},{_t(story.city)}"></head>
<body>
<div class="topbar"><a href="/">{_t("首页")}</a> <a class="vip">{_t("下载app免费领取会员")}</a> <a>{_t("登录")}</a> <a>{_t("注册")}</a></div>
<div class="crumb"><a href="/">{_t("腿腿教学网")}</a> &gt; <a href="/{section}/">{_t(label)}</a></div>
<div class="article">
<h1>{_t(story.title)}</h1>
<div class="meta"><span>{story.published:%Y年%m月%d日 %H:%M}</span></div>
<div class="article-body">
{body}</div>
<p class="copyright">{_t("本文版权归腿腿教学网及原创作者所有，未经授权，谢绝转载。")}</p>
<div class="prev-next">{pn}</div>
<div class="topics"><h3>{_t("推荐专题")}</h3><ul>{topics}</ul></div>
</div>
<div class="footer"><p>{_t("Copyright © 腿腿教学网 版权所有")}</p><p>{_t("京ICP备17023698号-2")}</p></div>
</body></html>
"""


def _path(section: str, page: int) -> str:
    return f"/{section}/" if page == 1 else f"/{section}/list_{page}.html"


def _listing(section: str, page: int, pages: int, items: list[tuple[str, str, datetime]], extra: str = "") -> str:
    lis = "".join(f'<li><a href="{p}">{_t(t)}</a><span>{d:%Y-%m-%d}</span></li>\n' for t, p, d in items)
    nxt = f'<a class="next-page" href="{_path(section, page + 1)}">{_t("下一页")}</a>' if page < pages else ""
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{_t(SECTIONS[section])} - {_t("腿腿教学网")}</title></head>
<body><div class="topbar"><a class="vip">{_t("下载app免费领取会员")}</a></div>
<ul class="article-list">
{lis}{extra}</ul><div class="pagination">{nxt}</div></body></html>
"""


def build() -> ReplicaSite:
    site = SiteDraft(SITE)
    stories = corpus.stories(SITE, 17, first=datetime(2025, 3, 10, 9, 15), step=timedelta(days=2, hours=5),
                             extra=corpus.BUILDING)
    entries = [(s.title, f"/{'news' if k < 7 or k >= 12 else 'zhengce'}/{23510 + 11 * k}.html", s.published)
               for k, s in enumerate(stories)]
    # entries[:12] on listings; [12:15] only in sitemap.xml; [15] withdrawn (robots-disallowed); [16] orphan.
    for k, (story, (title, path, _)) in enumerate(zip(stories, entries)):
        section = path.split("/")[1]
        paras = ("编者按", _note(story)) + story.paragraphs
        # Prev/next chains only run through listed pages, so the sitemap-only articles are found via the sitemap alone.
        same = [e for e in entries[:12] if e[1].split("/")[1] == section]
        i = same.index(entries[k]) if entries[k] in same else None
        prev = same[i + 1][:2] if i is not None and i + 1 < len(same) else None
        nxt = same[i - 1][:2] if i is not None and i > 0 else None
        site.add_html(path, _article(story, section, paras, flat=(k % 3 == 2), prev=prev, nxt=nxt))
        site.articles.append(ArticleTruth(path=path, title=title, paragraphs=paras, published=iso(story.published, "minute"),
                                          author=None, script="Hant", listed=k < 15))
        for label, link in (("上一篇", prev), ("下一篇", nxt)):
            if link:
                line = f"{label}：{SECTIONS[section]} | {link[0]}"
                site.add_chrome(line, to_hant(line))

    # A withdrawn article stays linked from the first news page but robots.txt names it: it must never be fetched.
    withdrawn = entries[15]
    by_section = {s: [e for e in entries[:12] if e[1].startswith(f"/{s}/")] for s in SECTIONS}
    for section, items_all in by_section.items():
        pages = chunks(items_all, 3)
        for n, items in enumerate(pages, 1):
            extra = f'<li><a href="{withdrawn[1]}">{_t(withdrawn[0])}</a></li>' if section == "news" and n == 1 else ""
            site.add_html(_path(section, n), _listing(section, n, len(pages), items, extra))
    site.disallowed.append(withdrawn[1])

    site.add("/sitemap.xml", sitemap([(p, d) for _, p, d in entries[:15]]), "application/xml")
    home = "".join(f'<li><a href="{_path(s, 1)}">{_t(n)}</a></li>' for s, n in SECTIONS.items())
    site.add_html("/", f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{_t("腿腿教学网")}</title></head><body><ul>{home}</ul></body></html>')
    site.add("/robots.txt", robots(["/user/", withdrawn[1]], sitemaps=["/sitemap.xml"]), "text/plain")
    for line in CHROME:
        site.add_chrome(line, to_hant(line))
    return site.finish()
