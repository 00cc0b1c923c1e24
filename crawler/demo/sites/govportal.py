"""Guangdong government portals (gd/gz/sz): one TRS/政务CMS-style layout, three configurations.

News pages carry a time/source line; policy pages carry the 信息公开 table (索引号/发文字号/发文机关/成文日期/发布日期)
and attachments. Listings are index.html, index_2.html … with relative links, as on the real portals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from crawler.demo import corpus
from crawler.demo.model import ArticleTruth, ReplicaSite, SiteDraft, chunks
from crawler.demo.web import esc, fake_docx, fake_pdf, iso, robots


@dataclass(frozen=True)
class Portal:
    id: str
    name: str
    place: str  # how documents name the jurisdiction
    cities: tuple[str, ...]
    news: tuple[str, str, str]  # (section path, crumb, column name)
    policy: tuple[str, str, str]
    first_id: int
    news_time: str  # strftime of the visible news time
    news_precision: str
    doc_prefix: str
    issuer: str
    salutation: str
    dept: str
    index_prefix: str
    site_code: str
    icp: str
    police: str
    first: datetime


PORTALS = (
    Portal("gd_gov", "广东省人民政府", "广东省", corpus.CITIES,
           ("/gdywdt/gdyw/", "要闻动态 > 广东要闻", "广东要闻"), ("/zwgk/wjk/qbwj/yfb/", "政务公开 > 文件库 > 粤府办", "粤府办"),
           4312345, "时间 : %Y-%m-%d %H:%M:%S", "second", "粤府办", "广东省人民政府办公厅",
           "各地级以上市人民政府，省政府各部门、各直属机构：", "省工业和信息化厅", "006939748", "4400000064",
           "粤ICP备05070829号", "粤公网安备 44010402000101号", datetime(2024, 5, 12, 10, 31, 13)),
    Portal("gz_gov", "广州市人民政府", "广州市", ("广州",),
           ("/xw/gzyw/", "新闻 > 广州要闻", "广州要闻"), ("/zwgk/fggw/szfwj/", "政务公开 > 法规公文 > 市政府文件", "市政府文件"),
           9812345, "发布日期：%Y-%m-%d", "date", "穗府办", "广州市人民政府办公厅",
           "各区人民政府，市政府各部门、各直属机构：", "市工业和信息化局", "007482744", "4401000003",
           "粤ICP备2020077788号", "粤公网安备 44010402002100号", datetime(2024, 6, 3, 17, 5, 0)),
    Portal("sz_gov", "深圳市人民政府", "深圳市", ("深圳",),
           ("/cn/xxgk/zfxxgj/sldt/", "信息公开 > 市领导动态", "市领导动态"), ("/cn/xxgk/zfxxgj/tzgg/", "信息公开 > 通知公告", "通知公告"),
           11212345, "发布时间：%Y-%m-%d %H:%M", "minute", "深府办", "深圳市人民政府办公厅",
           "各区人民政府，市政府直属各单位：", "市工业和信息化局", "007542700", "4403000001",
           "粤ICP备2021071638号", "粤公网安备 44030402004100号", datetime(2024, 4, 20, 9, 40, 0)),
)

# 刘䶮 (U+4DAE) is outside GBK: the one page that needs its gb2312 label read as GB18030.
GB18030_SENTENCE = "早在南汉刘䶮定都广州时，这座城市就以商贸繁盛闻名岭南，如今千年商都正向“制造强市”加速迈进。"
CHROME_COMMON = ("打印本页", "关闭窗口", "扫一扫在手机打开当前页", "【字体：大 中 小】", "分享到：", "相关附件：",
                 "索引号：", "分类：", "发文机关：", "成文日期：", "标题：", "发文字号：", "发布日期：", "主题词：")


def _source(p: Portal) -> str:
    # "省工业和信息化厅" in document prose, "广东省工业和信息化厅" in a news page's 来源 line.
    return p.place + p.dept[1:]


def _page(p: Portal, crumb: str, main: str, title: str, charset: str = "utf-8") -> str:
    return f"""<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>{esc(title)}_{p.name}门户网站</title>
<meta name="SiteName" content="{p.name}门户网站"><meta name="SiteDomain" content="www.{p.id.split('_')[0]}.gov.cn">
<meta name="ArticleTitle" content="{esc(title)}"></head>
<body><div class="header"><a href="/">{p.name}</a></div>
<div class="position">当前位置：<a href="/">首页</a> &gt; {esc(crumb)}</div>
{main}
<div class="footer"><p>主办单位：{p.issuer}</p><p>网站标识码：{p.site_code}</p><p>{p.icp}</p><p>{p.police}</p></div>
</body></html>
"""


def _tools() -> str:
    return ('<div class="tools"><span>【字体：大 中 小】</span><span>分享到：</span><a>打印本页</a><a>关闭窗口</a></div>'
            '<div class="qrcode"><img src="/images/qr.png" alt=""><p>扫一扫在手机打开当前页</p></div>')


def _news(p: Portal, story: corpus.Story, paras: tuple[str, ...], charset: str) -> str:
    body = "".join(f"<p>{esc(x)}</p>\n" for x in paras)
    main = f"""<div class="article"><h1 class="title">{esc(story.title)}</h1>
<div class="info"><span class="time">{story.published.strftime(p.news_time)}</span> <span>来源：{_source(p)}</span></div>
<div class="article-content TRS_Editor">
{body}</div>{_tools()}</div>"""
    return _page(p, p.news[1], main, story.title, charset)


def _policy_text(p: Portal, story: corpus.Story, plan: str, written: datetime) -> tuple[str, ...]:
    s = story.paragraphs
    return (p.salutation, f"《{plan}》已经{p.place}人民政府同意，现印发给你们，请认真组织实施。实施过程中遇到的问题，请径向{p.dept}反映。",
            p.issuer, f"{written.year}年{written.month}月{written.day}日", plan,
            "一、总体要求", s[0], "二、重点任务", *s[1:-1], "三、保障措施", s[-1])


def _policy(p: Portal, title: str, paras: tuple[str, ...], table: dict[str, str], attachments: list[tuple[str, str]]) -> str:
    rows = "".join(f"<tr><th>{k}：</th><td>{esc(v)}</td></tr>" for k, v in table.items())
    body = "".join(f"<p><strong>{esc(x)}</strong></p>\n" if x[:2] in ("一、", "二、", "三、") else f"<p>{esc(x)}</p>\n"
                   for x in paras)
    files = "".join(f'<li><a href="{href}">{esc(name)}</a></li>' for name, href in attachments)
    main = f"""<div class="xxgk"><table class="gk-table">{rows}</table></div>
<div class="article"><h1 class="title">{esc(title)}</h1>
<div class="article-content TRS_Editor">
{body}</div>
<div class="fujian"><p>相关附件：</p><ul>{files}</ul></div>{_tools()}</div>"""
    return _page(p, p.policy[1], main, title)


def _listing(p: Portal, section: tuple[str, str, str], page: int, pages: int, items: list[tuple[str, str, str]]) -> str:
    lis = "".join(f'<li><a href="{href}" title="{esc(t)}" target="_blank">{esc(t)}</a><span>{d}</span></li>\n'
                  for t, href, d in items)
    nav = '<a href="index.html">首页</a>'
    if page > 1:
        nav += f' <a href="{"index.html" if page == 2 else f"index_{page - 1}.html"}">上一页</a>'
    if page < pages:
        nav += f' <a class="next" href="index_{page + 1}.html">下一页</a> <a href="index_{pages}.html">尾页</a>'
    main = f'<div class="list"><h2>{section[2]}</h2><ul class="list-ul">\n{lis}</ul><div class="page">{nav}</div></div>'
    return _page(p, section[1], main, section[2])


def _index(page: int) -> str:
    return "index.html" if page == 1 else f"index_{page}.html"


def build_portal(p: Portal) -> ReplicaSite:
    site = SiteDraft(p.id)
    stories = corpus.stories(p.id, 11, first=p.first, step=timedelta(days=4, hours=3, seconds=41), cities=p.cities,
                             distinct_industries=True)
    post_ids = [p.first_id + 113 * k for k in range(len(stories))]
    news_items: list[tuple[str, str, str]] = []
    policy_items: list[tuple[str, str, str]] = []
    for k, (story, pid) in enumerate(zip(stories, post_ids)):
        if k < 5:  # news
            path = f"{p.news[0]}content/post_{pid}.html"
            paras = story.paragraphs
            charset, encoding = "utf-8", "utf-8"
            if p.id == "gz_gov" and k == 0:
                paras = (GB18030_SENTENCE,) + paras
                charset, encoding = "gb2312", "gb18030"
            site.add(path, _news(p, story, paras, charset).encode(encoding), f"text/html; charset={charset}")
            site.articles.append(ArticleTruth(path, story.title, paras, iso(story.published, p.news_precision),
                                              None, "Hans", True))
            news_items.append((story.title, f"content/post_{pid}.html", f"{story.published:%Y-%m-%d}"))
            site.add_chrome(story.published.strftime(p.news_time), f"来源：{_source(p)}")
            continue
        # Policy documents: k 5..8 listed, 9 under the robots-disallowed gkmlpt mirror, 10 orphan.
        seq = 9 + 3 * k
        written = story.published - timedelta(days=4)
        plan = f"{p.place}推动{story.industry}高质量发展行动方案（{written.year}—{written.year + 2}年）"
        title = f"{p.issuer}关于印发{plan}的通知"
        doc_no = f"{p.doc_prefix}〔{written.year}〕{seq}号"
        table = {"索引号": f"{p.index_prefix}/{written.year}-{pid % 100000:05d}", "分类": "综合政务；通知",
                 "发文机关": p.issuer, "成文日期": f"{written:%Y-%m-%d}", "标题": title, "发文字号": doc_no,
                 "发布日期": f"{story.published:%Y-%m-%d}", "主题词": story.industry}
        paras = _policy_text(p, story, plan, written)
        att = [(f"1.{plan}.pdf", f"/attachment/0/{pid // 1000}/{pid}_1.pdf"),
               (f"2.{story.industry}重点任务分工表.docx", f"/attachment/0/{pid // 1000}/{pid}_2.docx")]
        if k == 9:
            path = f"/gkmlpt/content/{pid // 1000000}/{pid // 1000}/post_{pid}.html"
        else:
            path = f"{p.policy[0]}content/post_{pid}.html"
        site.add_html(path, _policy(p, title, paras, table, att))
        site.add(att[0][1], fake_pdf(plan), "application/pdf")
        site.add(att[1][1], fake_docx(plan), "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        site.articles.append(ArticleTruth(path, title, paras, iso(story.published, "date"), None, "Hans", k < 9))
        site.add_chrome(table["索引号"], doc_no)
        href = f"content/post_{pid}.html"
        if k == 9:
            site.disallowed.append(path)
            href = path
        elif p.id == "sz_gov" and k == 6:
            # Pre-2020 TRS address still linked from the listing; the server answers 301 to the content/post_ page.
            old = f"{p.policy[0]}{written:%Y%m}/t{written:%Y%m%d}_{pid}.htm"
            site.add_redirect(old, path)
            href = old.rsplit("/", 2)[-2] + "/" + old.rsplit("/", 1)[-1]
        if k != 10:
            policy_items.append((title, href, f"{story.published:%Y-%m-%d}"))

    for section, items in ((p.news, news_items), (p.policy, policy_items)):
        pages = chunks(items, 3)
        for n, chunk in enumerate(pages, 1):
            site.add_html(section[0] + _index(n), _listing(p, section, n, len(pages), chunk))
    home = f'<ul><li><a href="{p.news[0]}index.html">{p.news[2]}</a></li><li><a href="{p.policy[0]}index.html">{p.policy[2]}</a></li></ul>'
    site.add_html("/", _page(p, "首页", home, p.name))
    site.add("/robots.txt", robots(["/gkmlpt/", "/search/"]), "text/plain")
    site.add_chrome(*CHROME_COMMON, f"当前位置：首页 > {p.news[1]}", f"当前位置：首页 > {p.policy[1]}",
                    f"主办单位：{p.issuer}", f"网站标识码：{p.site_code}", p.icp, p.police)
    return site.finish()


def build_all() -> list[ReplicaSite]:
    return [build_portal(p) for p in PORTALS]
