"""网易号 replica: UTF-8 with NO charset in HTTP (only <meta charset>), long recommendation and hot lists (seed 003)."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from crawler.demo import corpus
from crawler.demo.model import ArticleTruth, ReplicaSite, SiteDraft, chunks
from crawler.demo.web import esc, iso, robots

SITE = "netease"
# 网易号 media (account) pages as listing pages: /dy/media/T<13 digits>.html
ACCOUNTS = {"T1596084346423": ("湾区产业观察", 2682, 21079), "T1603594732083": ("岭南制造笔记", 913, 6540)}
HEADINGS = ("新赛道上的竞速", "企业在一线发力", "下一步怎么走")
DISCLAIMER = (
    "特别声明：以上内容(如有图片或视频亦包括在内)为自媒体平台“网易号”用户上传并发布，本平台仅提供信息存储服务。",
    "Notice: The content above (including the pictures and videos if any) is uploaded and posted by a user of NetEase Hao, "
    "which is a social media platform and only provides information storage services.",
)
HOT_NEWS = ("头条要闻", "体育要闻", "娱乐要闻", "财经要闻", "科技要闻", "汽车要闻")
HOT_ITEMS = (
    "春季招聘会现场人头攒动，这些岗位最抢手", "周末气温回升，多地迎来赏花高峰", "城市绿道再添新线路，市民骑行更方便",
    "一图读懂今年的个税汇算", "老旧小区加装电梯提速，居民下楼不再难", "夜经济升温，老街区焕发新活力",
)
# Whole lines only: short words such as 全部 also occur in article prose.
CHROME = ("网易首页 > 网易号 > 正文 申请入驻", "申请入驻", "分享至", "相关推荐", "热点推荐",
          "文章数", "关注度", "往期回顾 全部", "态度原创", "无障碍浏览 进入关怀版", "无障碍浏览", "进入关怀版",
          "网易公司版权所有") + DISCLAIMER + HOT_NEWS + HOT_ITEMS


def _doc_id(n: int) -> str:
    # 16 upper-case alphanumerics, like real 网易号 document ids.
    digest = hashlib.sha1(f"netease-{n}".encode()).hexdigest().upper()
    return (digest[:8] + "0512" + digest[8:12])[:16]


def _article(story: corpus.Story, account: str, acct_id: str, stats: tuple[int, int], paras: tuple[str, ...],
             recommend: list[tuple[str, str, datetime]]) -> str:
    body = "".join(f"<p><b>{esc(p)}</b></p>\n" if p in HEADINGS else f"<p>{esc(p)}</p>\n" for p in paras)
    rec = "".join(f'<li><a href="{p}">{esc(t)}</a><span class="src">{esc(account)}</span>'
                  f'<span class="time">{d:%Y-%m-%d %H:%M:%S}</span></li>\n' for t, p, d in recommend)
    hot = "".join(f"<li>{esc(t)}</li>" for t in HOT_ITEMS)
    news = "".join(f"<h4>{esc(h)}</h4>" for h in HOT_NEWS)
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{esc(story.title)}|{esc(story.industry)}|{esc(story.city)}_网易订阅</title>
<meta name="keywords" content="{esc(story.industry)}"></head>
<body>
<div class="N-nav-channel"><a href="https://www.163.com/">网易首页</a> &gt; <a href="/dy/">网易号</a> &gt; 正文 <a class="join">申请入驻</a></div>
<div class="post_main">
<h1 class="post_title">{esc(story.title)}</h1>
<div class="post_info">{story.published:%Y-%m-%d %H:%M:%S}　来源: <a href="/dy/media/{acct_id}.html">{esc(account)}</a></div>
<div class="post_top_share"><span>0</span><span>分享至</span></div>
<div class="post_body">
{body}</div>
<div class="post_statement"><p>{esc(DISCLAIMER[0])}</p><p>{esc(DISCLAIMER[1])}</p></div>
</div>
<div class="post_recommends"><h3>相关推荐</h3><h3>热点推荐</h3><ul>
{rec}</ul><ul class="hot">{hot}</ul></div>
<div class="post_side"><div class="author"><span>{esc(account)}</span><span>{stats[0]}文章数</span><span>{stats[1]}关注度</span>
<p>往期回顾 全部</p></div>{news}<h4>态度原创</h4></div>
<div class="footer"><p>网易公司版权所有</p><a>无障碍浏览</a> <a>进入关怀版</a></div>
</body></html>
"""


def _path(acct_id: str, page: int) -> str:
    return f"/dy/media/{acct_id}.html" if page == 1 else f"/dy/media/{acct_id}_{page}.html"


def _listing(acct_id: str, page: int, pages: int, items: list[tuple[str, str, datetime]]) -> str:
    lis = "".join(f'<li><h4><a href="{p}">{esc(t)}</a></h4><span>{d:%Y-%m-%d %H:%M:%S}</span></li>\n' for t, p, d in items)
    nxt = f'<a class="next" href="{_path(acct_id, page + 1)}">下一页</a>' if page < pages else ""
    name = ACCOUNTS[acct_id][0]
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{esc(name)}_网易订阅</title></head>
<body><div class="media_info"><h2>{esc(name)}</h2></div><ul class="media_articles">
{lis}</ul><div class="pager">{nxt}</div></body></html>
"""


def build() -> ReplicaSite:
    site = SiteDraft(SITE)
    stories = corpus.stories(SITE, 14, first=datetime(2025, 3, 19, 5, 36, 49), step=timedelta(hours=31, seconds=17))
    entries = [(s.title, f"/dy/article/{_doc_id(k)}.html", s.published) for k, s in enumerate(stories)]
    acct_of = ["T1596084346423" if k < 8 else "T1603594732083" for k in range(len(stories))]
    for k, (story, (title, path, _)) in enumerate(zip(stories, entries)):
        acct = acct_of[k]
        name, *stats = ACCOUNTS[acct]
        paras = list(story.paragraphs)
        # Bold sub-headings are part of the post; put one before the 2nd and the last paragraph.
        paras.insert(len(paras) - 1, HEADINGS[2])
        paras.insert(1, HEADINGS[k % 2])
        recommend = [e for e in entries[:12] if e[1] != path][k % 6:k % 6 + 4]
        # No charset in Content-Type: the page relies on <meta charset="utf-8">.
        site.add_html(path, _article(story, name, acct, tuple(stats), tuple(paras), recommend), content_type="text/html")
        site.articles.append(ArticleTruth(path=path, title=title, paragraphs=tuple(paras),
                                          published=iso(story.published, "second"), author=None, script="Hans",
                                          listed=k < 12))
        site.add_chrome(f"{story.published:%Y-%m-%d %H:%M:%S} 来源: {name}", name, *(t for t, _, _ in recommend))
    for acct, chunk in (("T1596084346423", entries[:8]), ("T1603594732083", entries[8:12])):
        pages = chunks(chunk, 3)
        for n, items in enumerate(pages, 1):
            site.add_html(_path(acct, n), _listing(acct, n, len(pages), items), content_type="text/html")
    # entries[12] is withdrawn (linked from page 2 of the first account, disallowed); entries[13] is an orphan.
    withdrawn = entries[12]
    page2 = _path("T1596084346423", 2)
    old = site.pages.pop(page2)
    extra = f'<li><h4><a href="{withdrawn[1]}">{esc(withdrawn[0])}</a></h4></li>\n</ul>'
    site.add(page2, old.body.replace(b"</ul>", extra.encode(), 1), "text/html")
    site.disallowed.append(withdrawn[1])
    site.add_html("/", '<!DOCTYPE html><html><head><meta charset="utf-8"><title>网易</title></head><body>'
                  + "".join(f'<a href="{_path(a, 1)}">{esc(v[0])}</a>' for a, v in ACCOUNTS.items()) + "</body></html>",
                  content_type="text/html")
    site.add("/robots.txt", robots(["/special/preview/", withdrawn[1]]), "text/plain")
    site.add_chrome(*CHROME)
    return site.finish()
