"""界面新闻 replica: Traditional script with pinyin ruby, and the whole article printed twice (as seed 000)."""

from __future__ import annotations

from datetime import datetime, timedelta

from crawler.demo import corpus
from crawler.demo.hant import flattened, ruby_html, to_hant
from crawler.demo.model import ArticleTruth, ReplicaSite, SiteDraft, chunks
from crawler.demo.web import esc, iso, robots

SITE = "jiemian"
REPORTERS = ("林嘉豪", "苏雅婷", "邓子墨", "罗晓晴", "韩一鸣")
CHANNELS = {"2": "宏观", "712": "地方"}  # lists/<id>.html, as the real site numbers its channels

# Written in Simplified; pages show to_hant() of each, and chrome_lines list both forms.
CHROME = (
    "正在阅读：", "扫一扫下载界面新闻APP", "图片来源：视觉中国", "未经正式授权严禁转载本文，侵权必究。",
    "评论", "暂无评论哦，快来评价一下吧！", "下载界面新闻", "微信公众号", "微博", "相关文章",
    "界面新闻 | 只服务于独立思考的人群", "沪ICP备15016418号-1", "沪公网安备31010602000999号",
)


def _t(text: str) -> str:
    return esc(to_hant(text))


def _body(paras: tuple[str, ...], flat: bool) -> str:
    render = (lambda p: esc(flattened(p))) if flat else ruby_html
    return "".join(f"<p>{render(p)}</p>\n" for p in paras)


def _article(story: corpus.Story, reporter: str, related: list[tuple[str, str, datetime]], flat: bool) -> str:
    when = story.published.strftime("%Y-%m-%d %H:%M")
    byline = f"界面新闻记者 | {reporter}"
    body = _body(story.paragraphs, flat)
    rel = "".join(f'<li><a href="{p}">{_t(t)}</a><span class="date">{d:%Y-%m-%d %H:%M}</span></li>' for t, p, d in related)
    info = f'<div class="article-info"><span class="date">{when}</span> <span class="author">{_t(byline)}</span></div>'
    return f"""<!DOCTYPE html>
<html lang="zh-Hant"><head><meta charset="utf-8"><title>{_t(story.title)}_界面新聞</title>
<meta property="og:title" content="{_t(story.title)}">
<meta property="article:published_time" content="{story.published:%Y-%m-%dT%H:%M:00+08:00}">
<meta name="description" content="{_t(story.paragraphs[0][:60])}"></head>
<body>
<div class="header"><a href="/">界面新聞</a> <a href="/lists/2.html">宏觀</a> <a href="/lists/712.html">地方</a></div>
<div class="reading-bar"><span>{_t("正在阅读：")}</span><span>{_t(story.title)}</span></div>
<div class="app-qr">{_t("扫一扫下载界面新闻APP")}</div>
<div class="article-view">
<div class="article-header"><h1>{_t(story.title)}</h1>{info}</div>
<div class="article-img"><img src="/static/cover.jpg" alt=""><p class="img-source">{_t("图片来源：视觉中国")}</p></div>
<div class="article-content">
{body}</div>
<p class="copyright">{_t("未经正式授权严禁转载本文，侵权必究。")}</p>
<div class="tags"><a>{_t(story.industry)}</a><span>8.6k</span></div>
<div class="related"><h3>{_t("相关文章")}</h3><ul>{rel}</ul></div>
<div class="comment"><h3>{_t("评论")}</h3><p>{_t("暂无评论哦，快来评价一下吧！")}</p></div>
</div>
<div class="sidebar app-download"><p>{_t("下载界面新闻")}</p><p>{_t("微信公众号")}</p><p>{_t("微博")}</p></div>
<div class="share-poster"><h2>{_t(story.title)}</h2><p>{_t(byline)}</p>
{body}</div>
<div class="footer"><p>{_t("界面新闻 | 只服务于独立思考的人群")}</p><p>{_t("沪ICP备15016418号-1")}</p><p>{_t("沪公网安备31010602000999号")}</p></div>
</body></html>
"""


def _listing(channel: str, page: int, pages: int, items: list[tuple[str, str, datetime]], extra: str = "") -> str:
    links = "".join(
        f'<div class="news-view"><h3><a href="{p}">{_t(t)}</a></h3><p class="date">{d:%m/%d %H:%M}</p></div>\n'
        for t, p, d in items
    )
    nxt = f'<a class="next" href="/lists/{channel}.html?page={page + 1}">{_t("加载更多")}</a>' if page < pages else ""
    return f"""<!DOCTYPE html><html lang="zh-Hant"><head><meta charset="utf-8"><title>{_t(CHANNELS[channel])}_界面新聞</title></head>
<body><div class="header"><a href="/">界面新聞</a></div>
<div class="news-list">
{links}{extra}</div>
<div class="load-more">{nxt}</div>
<div class="footer">{_t("沪ICP备15016418号-1")}</div></body></html>
"""


def _path(channel: str, page: int) -> str:
    return f"/lists/{channel}.html" + (f"?page={page}" if page > 1 else "")


def build() -> ReplicaSite:
    site = SiteDraft(SITE)
    stories = corpus.stories(SITE, 16, first=datetime(2024, 5, 28, 18, 40), step=timedelta(hours=19))
    ids = [10812345 + 173 * k for k in range(len(stories))]
    # stories[:14] on listings; [14] withdrawn (linked, robots-disallowed); [15] an orphan served but linked nowhere.
    listed, withdrawn = stories[:14], stories[14]
    entries = [(s.title, f"/article/{i}.html", s.published) for s, i in zip(stories, ids)]

    for k, (story, (title, path, _)) in enumerate(zip(stories, entries)):
        reporter = REPORTERS[k % len(REPORTERS)]
        related = [e for e in entries[:14] if e[1] != path][k % 5:k % 5 + 3]
        site.add_html(path, _article(story, reporter, related, flat=(k % 4 == 3)),
                      content_type="text/html; charset=utf-8")
        site.articles.append(ArticleTruth(
            path=path, title=title, paragraphs=story.paragraphs, published=iso(story.published, "minute"),
            author=reporter, script="Hant", listed=story in listed))
        site.add_chrome(f"界面新闻记者 | {reporter}", to_hant(f"界面新闻记者 | {reporter}"))
        for t, _, _ in related:
            site.add_chrome(t, to_hant(t))

    # Two channels, 3 + 2 listing pages. The withdrawn article is linked but robots-disallowed.
    withdrawn_path = entries[14][1]
    for channel, chunk in (("2", entries[:9]), ("712", entries[9:14])):
        pages = chunks(chunk, 3)
        for n, items in enumerate(pages, 1):
            extra = ""
            if channel == "712" and n == 1:
                extra = f'<div class="news-view"><h3><a href="{withdrawn_path}">{_t(withdrawn.title)}</a></h3></div>\n'
            site.add_html(_path(channel, n), _listing(channel, n, len(pages), items, extra))
    site.disallowed.append(withdrawn_path)

    home_links = "".join(f'<li><a href="{_path(c, 1)}">{_t(name)}</a></li>' for c, name in CHANNELS.items())
    site.add_html("/", f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>界面新聞</title></head>'
                       f'<body><ul class="nav">{home_links}</ul></body></html>')
    site.add("/robots.txt", robots(["/account/", withdrawn_path]), "text/plain")
    for line in CHROME:
        site.add_chrome(line, to_hant(line))
    return site.finish()
