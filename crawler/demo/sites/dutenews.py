"""读特 (深圳特区报) replica: photo captions inside the body, editor credit line, 鹏友圈 blurbs, sitemap-only articles (seed 004)."""

from __future__ import annotations

from datetime import datetime, timedelta

from crawler.demo import corpus
from crawler.demo.model import ArticleTruth, ReplicaSite, SiteDraft, chunks
from crawler.demo.web import esc, iso, robots, sitemap

SITE = "dutenews"
DISTRICTS = ("南山", "宝安", "龙岗", "龙华", "光明", "坪山", "福田", "罗湖")
REPORTERS = ("孙晓雯", "钟嘉宁", "彭锐", "许晴川")
PHOTOGRAPHERS = ("蔡明轩", "冯子健", "温静怡")  # disjoint from REPORTERS: bylines are chrome, captions are content
EDITORS = (("陈思雨", "何立群", "周建国", "梁文涛"), ("叶可欣", "何立群", "党一帆", "梁文涛"))
CHANNELS = {"sz": "深圳", "cj": "财经"}
CAPTIONS = (
    "{city}一处产业园区内，技术人员正在调试新下线的{product}。",
    "{company}的智能化车间里，机械臂有序作业。",
    "市民在{city}一处展会现场体验{industry}新产品。",
)
PENGYOU = (
    ("00:21", "清晨的深圳湾公园 涨潮时分，白鹭在浅滩上起落，跑步的人沿着海岸线一路向西。#读特小记者#"),
    ("00:45", "小记者探访社区图书馆 周末的社区图书馆里，小朋友们围坐在一起听绘本故事，还学会了给图书贴标签。#读特小记者#"),
    ("01:02", "航拍光明科学城 从空中俯瞰，一栋栋实验楼拔地而起，远处的山林在薄雾中若隐若现。"),
)
HOT = ("读特热榜", "IN视频", "鹏友圈")
CHROME = HOT + tuple(b for _, b in PENGYOU) + (
    "友情链接：深圳新闻网", "粤ICP备10228864号", "粤公网安备 44030402000917号", "Copyright @1997-2023 深圳特区报社",
    "来源：深圳特区报",
)


def _article(story: corpus.Story, reporter: str, paras: tuple[str, ...], captions: set[str], editors: tuple[str, ...],
             hot: list[tuple[str, str, datetime]]) -> str:
    body = "".join(
        f'<p class="pic"><img src="/static/pic.jpg" alt=""></p><p class="pic-info">{esc(p)}</p>\n' if p in captions
        else f"<p>{esc(p)}</p>\n" for p in paras)
    credit = "编辑 {} 审读 {} 二审 {} 三审 {}".format(*editors)
    hot_list = "".join(f'<li><a href="{p}">{esc(t)}</a><span>{d:%m-%d}</span></li>' for t, p, d in hot)
    circle = "".join(f"<li><span>{t}</span><p>{esc(b)}</p></li>" for t, b in PENGYOU)
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{esc(story.title)}-读特</title>
<meta property="og:title" content="{esc(story.title)}"><meta property="og:site_name" content="读特">
<meta name="author" content="{esc(reporter)}"></head>
<body>
<div class="header"><a href="/">读特</a></div>
<div class="article">
<h1>{esc(story.title)}</h1>
<div class="info"><span class="time">{story.published:%Y年%m月%d日 %H:%M}</span> <span>来源：深圳特区报</span> <span class="author">深圳特区报记者 {esc(reporter)}</span></div>
<div class="article-content">
{body}</div>
<p class="editor">{credit}</p>
</div>
<div class="side"><h3>读特热榜</h3><ol>{hot_list}</ol><h3>IN视频</h3><h3>鹏友圈</h3><ul>{circle}</ul></div>
<div class="footer"><p>友情链接：深圳新闻网</p><p>粤ICP备10228864号</p><p>粤公网安备 44030402000917号</p><p>Copyright @1997-2023 深圳特区报社</p></div>
</body></html>
"""


def _path(channel: str, page: int) -> str:
    return f"/n/list/{channel}" + (f"?page={page}" if page > 1 else "")


def _listing(channel: str, page: int, pages: int, items: list[tuple[str, str, datetime]], extra: str = "") -> str:
    lis = "".join(f'<li><a href="{p}">{esc(t)}</a><span>{d:%Y-%m-%d %H:%M}</span></li>\n' for t, p, d in items)
    nxt = f'<a class="next" href="{_path(channel, page + 1)}">下一页</a>' if page < pages else ""
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{CHANNELS[channel]}-读特</title></head>
<body><ul class="news-list">
{lis}{extra}</ul><div class="page">{nxt}</div></body></html>
"""


def build() -> ReplicaSite:
    site = SiteDraft(SITE)
    stories = corpus.stories(SITE, 17, first=datetime(2024, 1, 12, 8, 30), step=timedelta(hours=22), cities=DISTRICTS)
    entries = [(s.title, f"/n/article/{7712345 + 97 * k}", s.published) for k, s in enumerate(stories)]
    # entries[:10] on listings; [10:14] only in sitemap.xml; [14] withdrawn (robots); [15:] orphans.
    for k, (story, (title, path, _)) in enumerate(zip(stories, entries)):
        reporter = REPORTERS[k % len(REPORTERS)]
        slots = {"city": story.city, "product": story.product, "company": story.company, "industry": story.industry}
        paras = list(story.paragraphs)
        captions = set()
        for pos, tpl in ((1, CAPTIONS[k % 3]), (4, CAPTIONS[(k + 1) % 3]))[: 1 + k % 2]:
            caption = tpl.format(**slots) + f"深圳特区报记者 {PHOTOGRAPHERS[(k + pos) % 3]} 摄"
            paras.insert(pos, caption)
            captions.add(caption)
        editors = EDITORS[k % 2]
        hot = [e for e in entries[:10] if e[1] != path][:5]
        site.add_html(path, _article(story, reporter, tuple(paras), captions, editors, hot))
        site.articles.append(ArticleTruth(path=path, title=title, paragraphs=tuple(paras), published=iso(story.published, "minute"),
                                          author=reporter, script="Hans", listed=k < 14))
        site.add_chrome("编辑 {} 审读 {} 二审 {} 三审 {}".format(*editors), f"深圳特区报记者 {reporter}",
                        f"{story.published:%Y年%m月%d日 %H:%M}", *(t for t, _, _ in hot))

    withdrawn = entries[14]
    for channel, chunk in (("sz", entries[:6]), ("cj", entries[6:10])):
        pages = chunks(chunk, 3 if channel == "sz" else 2)
        for n, items in enumerate(pages, 1):
            extra = f'<li><a href="{withdrawn[1]}">{esc(withdrawn[0])}</a></li>' if channel == "cj" and n == 1 else ""
            site.add_html(_path(channel, n), _listing(channel, n, len(pages), items, extra))
    site.disallowed.append(withdrawn[1])
    site.add("/sitemap.xml", sitemap([(p, d) for _, p, d in entries[:14]]), "application/xml; charset=utf-8")
    site.add_html("/", '<!DOCTYPE html><html><head><meta charset="utf-8"><title>读特</title></head><body>'
                  + "".join(f'<a href="{_path(c, 1)}">{n}</a>' for c, n in CHANNELS.items()) + "</body></html>")
    site.add("/robots.txt", robots(["/api/", withdrawn[1]], sitemaps=["/sitemap.xml"]), "text/plain")
    site.add_chrome(*CHROME)
    return site.finish()
