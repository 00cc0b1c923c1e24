"""中国混凝土与水泥制品协会 (CCPA) replica: GBK bytes behind a wrong or missing HTTP charset, lead paragraph twice (seed 001)."""

from __future__ import annotations

from datetime import datetime, timedelta

from crawler.demo import corpus
from crawler.demo.model import ArticleTruth, ReplicaSite, SiteDraft, chunks
from crawler.demo.web import esc, iso, robots

SITE = "ccpa"
ENCODING = "gbk"
# The failure FACTS.md describes: Scrapy trusts this header over <meta> and decodes as cp1252 without a single error.
WRONG = "text/html; charset=ISO-8859-1"
NO_CHARSET = "text/html"
TERMS = {"8": "行业新闻", "12": "协会动态"}
SOURCES = ("中国建材报", "中国建设报", "协会秘书处", "新华网", "新闻联播")
HEADINGS = ("■ 政策导向", "■ 企业实践", "■ 行业观察")

COPYRIGHT = (
    "网站版权声明：",
    "① 凡本网注明来源：CCPA、CCPA各部门以及各分支机构的所有文字、图片和音视频稿件，版权均为本站独家所有，"
    "任何媒体、网站或个人在转载使用前必须经本网站同意并注明“来源：中国混凝土与水泥制品网(CCPA)”方可进行转载使用。",
    "② 本网转载并注明其他来源的稿件，是本着为读者传递更多信息之目的，并不意味着赞同其观点或证实其内容的真实性。",
    "③ 如本网转载稿件涉及版权等问题，请作者一周内来电或来函联系。",
)
IE_WARNING = (
    "您正在使用Internet Explorer浏览器",
    "若您无法正常浏览本页面，为了得到我们网站最好的体验效果，请您更换为360、QQ、Chrome、火狐等其他浏览器。",
)
CHROME = ("欢迎您来到 官方网站", "分享：", "您可能感兴趣的文章", "更多>>", "返回顶部", "Baidu",
          "首页", "协会概况", "联系我们") + COPYRIGHT + IE_WARNING


def _html(title: str, main: str) -> str:
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312" />
<title>{esc(title)}-中国混凝土与水泥制品网</title></head>
<body><div class="top"><span>欢迎您来到 官方网站</span></div>
<div class="nav"><a href="/">首页</a> <a href="/site/term/12.html">协会概况</a> <a href="/site/term/8.html">行业新闻</a> <a href="/about/contact.html">联系我们</a></div>
{main}
<div id="gotop"><a href="#">返回顶部</a></div>
<div class="ie-tip"><span class="close">X</span><p>{IE_WARNING[0]}</p><p>{IE_WARNING[1]}</p></div>
<div class="map"><span>Baidu</span><span>map</span></div>
</body></html>
"""


def _article(story: corpus.Story, term: str, source: str, related: list[tuple[str, str, datetime]]) -> tuple[str, tuple[str, ...]]:
    lead, *rest = story.paragraphs
    # Section headings split the body; they are article text.
    body = [lead]
    for k, para in enumerate(rest):
        if k in (0, 2) and k // 2 < len(HEADINGS):
            body.append(HEADINGS[(k // 2 + len(story.title)) % len(HEADINGS)])
        body.append(para)
    paras = "".join(f"<p><strong>{esc(p)}</strong></p>\n" if p.startswith("■") else f"<p>{esc(p)}</p>\n" for p in body)
    rel = "".join(f'<li><a href="{p}">{esc(t)}</a><span>{d:%Y-%m-%d}</span></li>' for t, p, d in related)
    copyright_ = "".join(f"<p>{esc(line)}</p>" for line in COPYRIGHT)
    main = f"""<div class="position"><a href="/site/term/{term}.html">{TERMS[term]}</a></div>
<div class="article"><h1>{esc(story.title)}</h1>
<div class="info">时间：{story.published:%Y-%m-%d}&nbsp;&nbsp;&nbsp;&nbsp;来源：{source}&nbsp;&nbsp;&nbsp;&nbsp;分享：<span class="bdshare"></span></div>
<div class="summary">{esc(lead)}</div>
<div class="content">
{paras}</div>
<div class="copyright">{copyright_}</div>
<div class="relate"><h3>您可能感兴趣的文章</h3><a class="more" href="/site/term/{term}.html">更多&gt;&gt;</a><ul>{rel}</ul></div>
</div>"""
    return _html(story.title, main), tuple(body)


def _listing(term: str, page: int, pages: int, items: list[tuple[str, str, datetime]], extra: str = "") -> str:
    lis = "".join(f'<li><a href="{p}" title="{esc(t)}">{esc(t)}</a><span>{d:%Y-%m-%d}</span></li>\n' for t, p, d in items)
    nxt = f'<a class="next" href="{_path(term, page + 1)}">下一页</a>' if page < pages else ""
    main = f'<div class="position">{TERMS[term]}</div><ul class="newslist">\n{lis}{extra}</ul><div class="pages">{nxt}</div>'
    return _html(TERMS[term], main)


def _path(term: str, page: int) -> str:
    return f"/site/term/{term}.html" if page == 1 else f"/site/term/{term}_{page}.html"


def build() -> ReplicaSite:
    site = SiteDraft(SITE, compress=False)
    stories = corpus.stories(SITE, 14, first=datetime(2024, 1, 31, 9, 0), step=timedelta(days=3),
                             extra=corpus.CONCRETE)
    entries = [(s.title, f"/site/content/{38211 + 7 * k}.html", s.published) for k, s in enumerate(stories)]
    for k, (story, (title, path, _)) in enumerate(zip(stories, entries)):
        term = "8" if k < 8 else "12"
        source = SOURCES[k % len(SOURCES)]
        related = [e for e in entries[:12] if e[1] != path][k % 4:k % 4 + 4]
        page, paras = _article(story, term, source, related)
        site.add(path, page.encode(ENCODING), WRONG if k % 2 == 0 else NO_CHARSET)
        site.articles.append(ArticleTruth(path=path, title=title, paragraphs=paras, published=iso(story.published, "date"),
                                          author=None, script="Hans", listed=k < 12))
        site.add_chrome(f"时间：{story.published:%Y-%m-%d} 来源：{source} 分享：", *(t for t, _, _ in related))

    # 行业新闻: 8 articles over 3 pages; 协会动态: 4 over 2 pages, plus a link into the robots-disallowed 会员 area.
    member_path = "/site/member/content/38400.html"
    for term, chunk in (("8", entries[:8]), ("12", entries[8:12])):
        pages = chunks(chunk, 3)
        for n, items in enumerate(pages, 1):
            extra = f'<li><a href="{member_path}">会员单位内部通报（仅限会员）</a></li>' if term == "12" and n == 1 else ""
            site.add(_path(term, n), _listing(term, n, len(pages), items, extra).encode(ENCODING),
                     WRONG if n == 1 else NO_CHARSET)
    site.add(member_path, _html("会员专区", "<p>请先登录会员账号。</p>").encode(ENCODING), NO_CHARSET)
    site.disallowed.append(member_path)
    # entries[12] is listed in no listing at all (orphan decoy); entries[13] likewise.
    home = "".join(f'<li><a href="{_path(t, 1)}">{name}</a></li>' for t, name in TERMS.items())
    site.add("/", _html("首页", f"<ul>{home}</ul>").encode(ENCODING), NO_CHARSET)
    site.add("/robots.txt", robots(["/site/member/", "/admin/"]), "text/plain")
    site.add_chrome(*CHROME)
    return site.finish()
