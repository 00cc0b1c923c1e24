"""NFCMS (the 数字广东 site CMS) portals: www.gd.gov.cn, www.gz.gov.cn, www.sz.gov.cn as their real pages are built
(../shared/GOV_PORTALS.md, evaldata zh_gov/gzgov-01).

What all three share: `window.NFCMS_*` variables, articles at `<column>/content/post_<id>.html`, listings at
`index.html`, `index_2.html` … whose pager is drawn by `createPageHTML(total, current, "index", "html")` (no
static next link: a crawler has to read the page count), attachments under `/attachment/`. Each portal then
has its own list markup, meta tag spelling, title element, byline and 信息公开 block layout.
"""

from __future__ import annotations

from datetime import datetime

from crawler.demo.model import BASE, ReplicaSite, SiteDraft, chunks
from crawler.demo.sites import govdocs
from crawler.demo.sites.govdocs import Doc, News, Site, add_attachments, doc_truth, news_truth
from crawler.demo.web import esc, iso, robots

# 刘䶮 (U+4DAE) is outside GBK: the one gz page that needs its gb2312 label read as GB18030 (an old page
# carried over from the previous CMS).
GB18030_SENTENCE = "早在南汉刘䶮定都广州时，这座城市就以商贸繁盛闻名岭南，如今千年商都正向“制造强市”加速迈进。"
TOOLS = '<div class="tools"><span>【字体：大 中 小】</span><a href="javascript:window.print()">打印本页</a>' \
        '<a href="javascript:window.close()">关闭窗口</a></div>'
QR = '<div class="qrcode"><img src="/images/qr.png" alt=""><p>扫一扫在手机打开当前页</p></div>'
CHROME = ("【字体：大 中 小】", "打印本页", "关闭窗口", "扫一扫在手机打开当前页")
PER_PAGE = 3


def nfcms_vars(site_id: int, pub_type: str, post_id: int | None = None, cat_id: int | None = None) -> str:
    parts = [f"window.NFCMS_SITE_ID={site_id};", f'window.NFCMS_PUB_TYPE="{pub_type}";']
    if post_id is not None:
        parts.append(f'window.NFCMS_POST_ID="{post_id}";')
    if cat_id is not None:
        parts.append(f'window.NFCMS_CAT_ID="{cat_id}";')
    return "<script>" + "".join(parts) + "</script>"


def index_name(page: int) -> str:
    return "index.html" if page == 1 else f"index_{page}.html"


def listing_pages(items: list, per_page: int = PER_PAGE) -> list[list]:
    return chunks(items, per_page)


# ---------------------------------------------------------------------------------------------------- gd

GD = Site("gd_gov", "广东省人民政府", "广东省", "广东省人民政府办公厅", "粤府办",
          "各地级以上市人民政府，省政府各部门、各直属机构：", "省工业和信息化厅", "006939748",
          datetime(2024, 5, 12, 10, 31, 13))
GD_SITE_ID = 2
GD_NEWS = ("/gdywdt/gdyw/", "广东要闻", "要闻动态", 1301)
GD_DSDT = ("/gdywdt/dsdt/", "地市动态", "要闻动态", 1305)  # links the mobile twins mpost_N.html
GD_ZCJD = ("/zwgk/zcjd/", "政策解读", "政务公开", 1420)
GD_DOCS = ("/zwgk/wjk/qbwj/", "全部文件", "政务公开 > 文件库", 1402)
# News item k -> its column; the last one is published but listed nowhere.
GD_NEWS_COLUMNS = (GD_NEWS,) * 4 + (GD_DSDT,) * 3 + (GD_ZCJD,) * 2
GD_FOOTER = ("主办：广东省人民政府办公厅", "承办：南方新闻网", "网站标识码：4400000064", "粤ICP备05070829号",
             "粤公网安备 44010402000101号")


def _gd_page(title: str, crumb: str, main: str, vars_: str, metas: str = "") -> str:
    footer = "".join(f"<p>{x}</p>" for x in GD_FOOTER)
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>广东省人民政府门户网站 - {esc(title)}</title>
<meta name="SiteName" content="广东省人民政府门户网站"><meta name="SiteDomain" content="www.gd.gov.cn">
<meta name="SiteIDCode" content="4400000064">{metas}
</head><body>
<div class="header"><a href="/">广东省人民政府门户网站</a><ul class="nav"><li><a href="/gdywdt/gdyw/index.html">要闻动态</a></li><li><a href="/zwgk/wjk/qbwj/yfb/index.html">政务公开</a></li><li><a href="/gkmlpt/index">政府信息公开</a></li></ul></div>
<div class="position">当前位置：<a href="/">首页</a> &gt; {esc(crumb)}</div>
{main}
<div class="footer">{footer}</div>
{vars_}
</body></html>
"""


def _gd_listing(col: tuple, page: int, pages: int, items: str) -> str:
    main = f"""<div class="main"><div class="viewList"><h3 class="title">{col[1]}</h3><ul>
{items}</ul></div>
<div class="page" id="page_div"></div>
<script>var totalPage = {pages};
createPageHTML(totalPage, {page - 1}, "index", "html");</script></div>"""
    return _gd_page(col[1], f"{col[2]} > {col[1]}", main, nfcms_vars(GD_SITE_ID, "cat", cat_id=col[3]))


def _gd_article(title: str, crumb: str, head: str, body_paras: tuple[str, ...], post_id: int, cat_id: int,
                metas: str, tail: str = "") -> str:
    body = "".join(f"<p>{esc(p)}</p>\n" for p in body_paras)
    main = f"""<div class="main">{head}
<div class="zw-title">{esc(title)}</div>
{{info}}
<div class="zw">
{body}</div>{tail}
{TOOLS}{QR}</div>"""
    return main, (title, crumb, post_id, cat_id, metas)


def build_gd() -> ReplicaSite:
    site = SiteDraft("gd_gov")
    news, docs = govdocs.content(GD, len(GD_NEWS_COLUMNS) + 1, 7)
    first_id = 4312345
    news_items: dict[tuple, list[str]] = {c: [] for c in (GD_NEWS, GD_DSDT, GD_ZCJD)}
    doc_items: list[str] = []
    for k, item in enumerate(news):
        col = GD_NEWS_COLUMNS[k] if k < len(GD_NEWS_COLUMNS) else GD_NEWS
        listed = k < len(GD_NEWS_COLUMNS)
        pid = first_id + 97 * k
        path = f"{col[0]}content/post_{pid}.html"
        time_line = f"时间 : {item.published:%Y-%m-%d %H:%M:%S}"
        info = f'<div class="zw-info"><span class="time">{time_line}</span><span class="ly">来源 : {esc(item.source)}</span></div>'
        metas = (f'<meta name="ArticleTitle" content="{esc(item.title)}"><meta name="PubDate" content="{item.published:%Y-%m-%d %H:%M:%S}">'
                 f'<meta name="ContentSource" content="{esc(item.source)}">')
        main, args = _gd_article(item.title, f"{col[2]} > {col[1]}", "", item.paragraphs, pid, col[3], metas)
        html = _gd_page(args[0], args[1], main.replace("{info}", info), nfcms_vars(GD_SITE_ID, "post", pid, col[3]), metas)
        traps: tuple[str, ...] = ("site-name-prefix",)
        href = f"content/post_{pid}.html"
        if col is GD_DSDT:
            # The portal links the mobile twin; the crawler must know both addresses as one article.
            site.add_html(f"{col[0]}content/mpost_{pid}.html", _gd_mobile(item, pid, col))
            href = f"content/mpost_{pid}.html"
            traps += ("mobile-twin",)
        site.add_html(path, html)
        site.articles.append(news_truth(path, item, iso(item.published, "second"), listed, published_from="header",
                                        traps=traps))
        site.add_chrome(time_line, f"来源 : {item.source}")
        if listed:
            news_items[col].append(f'<li><span class="name"><a href="{href}" target="_blank" title="{esc(item.title)}">'
                                   f'{esc(item.title)}</a></span><span class="date">{item.published:%Y-%m-%d}</span></li>\n')
    for k, doc in enumerate(docs):
        pid = first_id + 5000 + 89 * k
        # 全部文件 lists documents of every type; each lives under its type's folder (粤府 yf, 粤府办 yfb).
        kind = "yfb" if k % 2 == 0 else "yf"
        path = f"{GD_DOCS[0]}{kind}/content/post_{pid}.html"
        attached = add_attachments(site, doc, lambda n, ext, pid=pid: f"/attachment/0/{pid // 1000}/{pid * 10 + n}/{pid}.{ext}",
                                   name_style="numbered")
        labels = [("索引号", doc.index_no), ("分类", doc.category), ("发布机构", doc.issuer),
                  ("成文日期", f"{doc.written:%Y-%m-%d}"), ("名称", doc.title), ("文号", doc.doc_no),
                  ("发布日期", f"{doc.published:%Y-%m-%d}")]
        rows = [labels[0:2], labels[2:4], labels[4:5], labels[5:7]]
        head = '<div class="introduce">' + "".join(
            '<div class="row">' + "".join(f'<span class="col-left">{lab}：</span><span class="col-right">{esc(v)}</span>'
                                         for lab, v in row) + "</div>" for row in rows) + "</div>"
        pubdate = doc.published
        traps: tuple[str, ...] = ("site-name-prefix",)
        if k == 2:
            pubdate = govdocs.regenerated(doc.published)
            traps += ("pubdate-regenerated",)
        metas = (f'<meta name="ArticleTitle" content="{esc(doc.title)}"><meta name="PubDate" content="{pubdate:%Y-%m-%d %H:%M:%S}">'
                 f'<meta name="ContentSource" content="{esc(doc.issuer)}">')
        files = "".join(f'<p><a href="{href}">{esc(name)}</a></p>' for href, name in attached.links)
        tail = f'<div class="fj"><p>附件：</p>{files}</div>' if files else ""
        main, args = _gd_article(doc.title, f"{GD_DOCS[2]} > {GD_DOCS[1]}", head, doc.paragraphs, pid, GD_DOCS[3], metas, tail)
        site.add_html(path, _gd_page(args[0], args[1], main.replace("{info}", ""), nfcms_vars(GD_SITE_ID, "post", pid, GD_DOCS[3]), metas))
        listed = k < 6
        site.articles.append(doc_truth(path, doc, labels, attached, listed, traps=traps))
        site.add_chrome(f"索引号：{doc.index_no}", doc.index_no)
        if listed:
            doc_items.append(f'<li><span class="name"><a href="{kind}/content/post_{pid}.html" target="_blank">{esc(doc.title)}</a></span>'
                             f'<span class="wh">{doc.doc_no}</span><span class="date">{doc.published:%Y-%m-%d}</span></li>\n')
        if k == 0 and attached.truth:
            # Some items of the document list link straight to a file: never an article.
            pdf = attached.truth[0]
            doc_items.append(f'<li><span class="name"><a href="{pdf.path}" target="_blank">{esc(doc.plan)}（文本）</a></span>'
                             f'<span class="wh"></span><span class="date">{doc.published:%Y-%m-%d}</span></li>\n')
    for col, items in news_items.items():
        _add_listings(site, col[0], items, lambda n, total, chunk, col=col: _gd_listing(col, n, total, chunk),
                      bare_first=True, also_index=True, per_page=2 if col is GD_DSDT else PER_PAGE)
    _add_listings(site, GD_DOCS[0], doc_items, lambda n, total, items: _gd_listing(GD_DOCS, n, total, items),
                  bare_first=True, also_index=True)
    _gkmlpt_decoy(site, first_id, lambda main: _gd_page("政府信息公开", "政府信息公开", main, nfcms_vars(GD_SITE_ID, "post")))
    home = "<ul>" + "".join(f'<li><a href="{c[0]}">{c[1]}</a></li>' for c in (GD_NEWS, GD_DSDT, GD_ZCJD, GD_DOCS)) + "</ul>"
    site.add_html("/", _gd_page("首页", "首页", home, nfcms_vars(GD_SITE_ID, "page")))
    site.add("/robots.txt", robots(["/gkmlpt/", "/search/"]), "text/plain")
    site.add_chrome(*CHROME, *GD_FOOTER, *(f"当前位置：首页 > {c[2]} > {c[1]}" for c in (GD_NEWS, GD_DSDT, GD_ZCJD, GD_DOCS)))
    return site.finish()


def _gd_mobile(item: News, pid: int, col: tuple) -> str:
    body = "".join(f"<p>{esc(p)}</p>\n" for p in item.paragraphs)
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(item.title)}</title></head><body>
<div class="m-header">广东省人民政府</div>
<div class="m-article"><h3>{esc(item.title)}</h3><p class="m-time">{item.published:%Y-%m-%d %H:%M}</p>
<div class="m-zw">{body}</div></div>
<div class="m-footer"><a href="post_{pid}.html">电脑版</a></div>
{nfcms_vars(GD_SITE_ID, "post", pid, col[3])}
</body></html>
"""


def _add_listings(site: SiteDraft, column: str, items: list[str], render, *, bare_first: bool = False,
                  also_index: bool = False, per_page: int = PER_PAGE) -> None:
    """Listing pages index.html, index_2.html …; bare_first: page 1 is the bare column address (also_index: and
    index.html as well, the same bytes, as a web server's index file)."""
    pages = listing_pages(items, per_page)
    for n, chunk in enumerate(pages, 1):
        html = render(n, len(pages), "".join(chunk))
        if n == 1 and bare_first:
            site.add_html(column, html)
            if also_index:
                site.add_html(column + "index.html", html)
        else:
            site.add_html(column + index_name(n), html)


def _gkmlpt_decoy(site: SiteDraft, first_id: int, page) -> None:
    """A document mirrored under /gkmlpt/, linked from the portal but excluded by the replica's robots.txt."""
    pid = first_id + 9000
    path = f"/gkmlpt/content/{pid // 1000000}/{pid // 1000}/post_{pid}.html"
    site.add_html(path, page(f'<div class="main"><h1>信息公开目录</h1><p>{pid}</p></div>'))
    site.disallowed.append(path)
    site.add_html("/gkmlpt/index", page(f'<div class="main"><a href="{path}">信息公开目录</a></div>'))


# ---------------------------------------------------------------------------------------------------- gz

GZ = Site("gz_gov", "广州市人民政府", "广州市", "广州市人民政府办公厅", "穗府办",
          "各区人民政府，市政府各部门、各直属机构：", "市工业和信息化局", "007482744",
          datetime(2024, 6, 3, 17, 5, 0), cities=("广州",))
GZ_SITE_ID = 200001
GZ_NEWS = ("/xw/gzyw/", "广州要闻", 1425)
GZ_DOCS = ("/xw/tzgg/", "通知公告", 1427)
GZ_ZCJD = ("/zwgk/zcjd/zcjd/", "政策解读", 1460)
GZ_NEWS_COLUMNS = (GZ_NEWS,) * 5 + (GZ_ZCJD,) * 2
GZ_FOOTER = ("主办单位：广州市人民政府办公厅", "承办单位：广州市政务服务和数据管理局", "网站标识码：4401000004",
             "粤ICP备2020077788号")


def _gz_page(title: str, column: tuple, main: str, vars_: str, metas: str = "", charset: str = "utf-8") -> str:
    footer = "".join(f"<p>{x}</p>" for x in GZ_FOOTER)
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>{esc(title)} - 广州市人民政府门户网站</title>
<meta name="SiteName" content="广州市人民政府门户网站"><meta name="SiteDomain" content="www.gz.gov.cn">
<meta name="SiteIDCode" content="4401000004"><meta name="ColumnName" content="{column[1]}">{metas}
</head><body>
<div class="head"><a href="/">广州市人民政府门户网站</a></div>
<div class="curmb" id="dqwz">当前位置：<a href="{BASE}/">首页</a>&nbsp;&gt;&nbsp;<a href="{BASE}{column[0]}">{column[1]}</a></div>
{main}
<div class="footer">{footer}</div>
{vars_}
</body></html>
"""


def _gz_listing(column: tuple, total: int, items: str) -> str:
    main = f"""<div class="mainContent"><div class="main_title"><h2>{column[1]}</h2></div>
<div class="main_border"><ul class="news_list">
{items}</ul></div>
<div class="list-fy" id="pages"><ul class="clearfix"><li id="totalPage"></li>
<script type="text/javascript">
  // 总页数
  var totalPage = Math.ceil({total}/{PER_PAGE});
  var pages_limit=100;
  if(totalPage>pages_limit){{ totalPage=pages_limit }}
  var pageCurrent;
  if(window.location.href.indexOf("index_")!=-1){{
    pageCurrent = parseInt(/index_(\\d+)/.exec(window.location.href)[1]);
  }}else{{
    pageCurrent = 0;
  }}
  createPageHTML(totalPage, pageCurrent, "index", "html");
</script></ul></div></div>"""
    return _gz_page(column[1], column, main, nfcms_vars(GZ_SITE_ID, "cat", cat_id=column[2]))


def _gz_item(path: str, title: str, date: datetime) -> str:
    # Absolute hrefs with HTML comments inside the anchor text, as the real list prints them.
    return (f'<li><i></i><a href="{BASE}{path}" target="_blank" title="{esc(title)}">\n'
            f'  <!-- 规章文件 -->\n  <!-- 规范性文件 -->\n  <!-- 其他文件 -->\n  {esc(title)}</a>'
            f'<span class="time">{date:%Y-%m-%d}</span></li>\n')


def _gz_metas(title: str, pubdate: datetime, source: str, path: str) -> str:
    return (f'<meta name="meta-ArticleTitle" content="{esc(title)}"><meta name="meta-PubDate" content="{pubdate:%Y-%m-%d %H:%M:%S}">'
            f'<meta name="meta-ContentSource" content="{esc(source)}"><meta name="meta-Url" content="{BASE}{path}">')


def build_gz() -> ReplicaSite:
    site = SiteDraft("gz_gov")
    news, docs = govdocs.content(GZ, len(GZ_NEWS_COLUMNS) + 1, 7)
    first_id = 9812345
    news_items: dict[tuple, list[str]] = {GZ_NEWS: [], GZ_ZCJD: []}
    doc_items: list[str] = []
    for k, item in enumerate(news):
        col = GZ_NEWS_COLUMNS[k] if k < len(GZ_NEWS_COLUMNS) else GZ_NEWS
        pid = first_id + 113 * k
        path = f"{col[0]}content/post_{pid}.html"
        paras, charset, encoding = item.paragraphs, "utf-8", "utf-8"
        if k == 0:
            paras, charset, encoding = (GB18030_SENTENCE,) + paras, "gb2312", "gb18030"
        time_line = f"发布时间：{item.published:%Y-%m-%d %H:%M}"
        body = "".join(f"<p>{esc(p)}</p>\n" for p in paras)
        main = f"""<div class="mainContent"><div class="info"><h1 class="info_title">{esc(item.title)}</h1>
<div class="info_fbt"><span class="time">{time_line}</span><span class="ly">来源：{esc(item.source)}</span></div>
<div class="info_cont">
{body}</div>{TOOLS}{QR}</div></div>"""
        html = _gz_page(item.title, col, main, nfcms_vars(GZ_SITE_ID, "post", pid, col[2]),
                        _gz_metas(item.title, item.published, item.source, path), charset)
        site.add(path, html.encode(encoding), f"text/html; charset={charset}")
        listed = k < len(GZ_NEWS_COLUMNS)
        truth = news_truth(path, item, iso(item.published, "minute"), listed, published_from="header",
                           traps=("site-name-suffix",))
        if k == 0:
            from dataclasses import replace
            truth = replace(truth, paragraphs=paras)
        site.articles.append(truth)
        site.add_chrome(time_line, f"来源：{item.source}")
        if listed:
            news_items[col].append(_gz_item(path, item.title, item.published))
    for k, doc in enumerate(docs):
        pid = first_id + 7000 + 71 * k
        path = f"{GZ_DOCS[0]}content/post_{pid}.html"
        attached = add_attachments(site, doc, lambda n, ext, pid=pid: f"/attachment/7/{pid // 1000}/{pid * 10 + n}/{pid}.{ext}",
                                   href_of=lambda p, n: BASE + p)
        labels = [("索引号", doc.index_no), ("发布机构", doc.issuer), ("成文日期", doc.written.strftime("%Y-%m-%d")),
                  ("发布日期", doc.published.strftime("%Y-%m-%d")), ("文号", doc.doc_no), ("主题分类", doc.topic),
                  ("有效性", "有效")]
        info = "".join(
            f'<p><label>{lab}：</label>' + (f'<span id="file_status">{esc(v)}</span>' if lab == "有效性" else f"<span>{esc(v)}</span>") + "</p>"
            for lab, v in labels)
        pubdate = doc.published
        traps: tuple[str, ...] = ("site-name-suffix",)
        if k == 3:
            pubdate = govdocs.regenerated(doc.published)
            traps += ("pubdate-regenerated",)
        files = "".join(f'<li><a href="{href}" target="_blank">{esc(name)}</a></li>' for href, name in attached.links)
        body = "".join(f"<p>{esc(p)}</p>\n" for p in doc.paragraphs)
        main = f"""<div class="mainContent"><div class="gk_info">{info}</div>
<div class="info"><h1 class="info_title">{esc(doc.title)}</h1>
<div class="info_fbt"><span class="ly">来源：{esc(doc.issuer)}</span></div>
<div class="info_cont">
{body}</div>{f'<div class="fjxz"><h4>附件下载：</h4><ul>{files}</ul></div>' if files else ''}{TOOLS}{QR}</div></div>"""
        site.add_html(path, _gz_page(doc.title, GZ_DOCS, main, nfcms_vars(GZ_SITE_ID, "post", pid, GZ_DOCS[2]),
                                     _gz_metas(doc.title, pubdate, doc.issuer, path)))
        listed = k < 6
        site.articles.append(doc_truth(path, doc, labels, attached, listed, traps=traps))
        site.add_chrome(doc.index_no, f"来源：{doc.issuer}")
        if listed:
            doc_items.append(_gz_item(path, doc.title, doc.published))
    # Page 1 is the bare column address; index_1.html does not exist (404).
    for col, items in news_items.items():
        _add_listings(site, col[0], items, lambda n, total, chunk, col=col, count=len(items): _gz_listing(col, count, chunk),
                      bare_first=True)
    _add_listings(site, GZ_DOCS[0], doc_items, lambda n, total, items: _gz_listing(GZ_DOCS, len(doc_items), items),
                  bare_first=True)
    _gkmlpt_decoy(site, first_id, lambda main: _gz_page("政府信息公开", ("/gkmlpt/index", "政府信息公开"), main,
                                                        nfcms_vars(GZ_SITE_ID, "post")))
    home = "<ul>" + "".join(f'<li><a href="{c[0]}">{c[1]}</a></li>' for c in (GZ_NEWS, GZ_ZCJD, GZ_DOCS)) \
        + '<li><a href="/gkmlpt/index">政府信息公开</a></li></ul>'
    site.add_html("/", _gz_page("首页", ("/", "首页"), home, nfcms_vars(GZ_SITE_ID, "page")))
    site.add("/robots.txt", robots(["/gkmlpt/", "/search/"]), "text/plain")
    site.add_chrome(*CHROME, *GZ_FOOTER, *(f"当前位置：首页 > {c[1]}" for c in (GZ_NEWS, GZ_ZCJD, GZ_DOCS)))
    return site.finish()


# ---------------------------------------------------------------------------------------------------- sz

SZ = Site("sz_gov", "深圳市人民政府", "深圳市", "深圳市人民政府办公厅", "深府办",
          "各区人民政府，市政府直属各单位：", "市工业和信息化局", "007542700",
          datetime(2024, 4, 20, 9, 40, 0), cities=("深圳",))
SZ_SITE_ID = 755001
SZ_NEWS = ("/cn/xxgk/zfxxgj/sldt/", "市领导动态", 4312)
SZ_DOCS = ("/cn/xxgk/zfxxgj/tzgg/", "通知公告", 4315)
SZ_RULES = ("/cn/xxgk/zfxxgj/zcfg/szsfg/", "市政府规章", 4321)
SZ_DOC_COLUMNS = (SZ_DOCS,) * 4 + (SZ_RULES,) * 2
SZ_FOOTER = ("主办：深圳市人民政府办公厅", "网站标识码：4403000001", "粤ICP备2021071638号",
             "粤公网安备 44030402004100号")


def _sz_page(title: str, column: tuple, main: str, vars_: str, metas: str = "") -> str:
    footer = "".join(f"<p>{x}</p>" for x in SZ_FOOTER)
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8">
<title>{esc(title)}</title>
<meta name="SiteName" content="深圳政府在线"><meta name="SiteDomain" content="www.sz.gov.cn">
<meta name="ColumnName" content="{column[1]}"><meta name="ColumnType" content="{column[1]}">{metas}
</head><body>
<div class="header"><a href="/">深圳政府在线</a></div>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/cn/xxgk/">信息公开</a> &gt; <a href="{column[0]}index.html">{column[1]}</a></div>
{main}
<div class="footer">{footer}</div>
{vars_}
</body></html>
"""


def _sz_listing(column: tuple, page: int, pages: int, items: str) -> str:
    main = f"""<div class="zx_ml"><h3>{column[1]}</h3><div class="zx_ml_list"><ul>
{items}</ul></div>
<div class="zx_ml_list_page"><script type="text/javascript">createPageHTML({pages}, {page - 1}, "index", "html");</script></div></div>"""
    return _sz_page(f"{column[1]}_深圳政府在线", column, main, nfcms_vars(SZ_SITE_ID, "cat", cat_id=column[2]))


def _sz_item(pid_href: str, title: str, date: datetime) -> str:
    return (f'<li><span class="tit"><a href="{pid_href}" target="_blank" title="{esc(title)}">{esc(title)}</a></span>'
            f'<span class="time">{date:%Y-%m-%d}</span></li>\n')


def build_sz() -> ReplicaSite:
    site = SiteDraft("sz_gov")
    news, docs = govdocs.content(SZ, 7, 7)
    first_id = 11212345
    news_items, doc_items = [], []
    for k, item in enumerate(news):
        pid = first_id + 131 * k
        path = f"{SZ_NEWS[0]}content/post_{pid}.html"
        source = f"信息来源：{item.source}"
        shown = f"信息提供日期：{item.published:%Y-%m-%d}"
        traps: tuple[str, ...] = ("site-name-suffix",)
        spans = f"<span>{source}</span><span>{shown}</span>"
        published_from = "header"
        if k == 2:
            spans = f"<span>{source}</span>"  # no visible date: only <meta pubDate> has it
            traps += ("meta-date-only",)
            published_from = "meta"
        else:
            site.add_chrome(shown)
        body = "".join(f"<p>{esc(p)}</p>\n" for p in item.paragraphs)
        main = f"""<div class="news_cont"><div class="tit"><h1>{esc(item.title)}</h1><h6>{spans}</h6></div>
<div class="news_cont_d_wrap">
{body}</div>{TOOLS}{QR}</div>"""
        metas = (f'<meta name="ArticleTitle" content="{esc(item.title)}"><meta name="pubDate" content="{item.published:%Y-%m-%d}">'
                 f'<meta name="ContentSource" content="{esc(item.source)}">')
        site.add_html(path, _sz_page(f"{item.title}--{SZ_NEWS[1]}", SZ_NEWS, main,
                                     nfcms_vars(SZ_SITE_ID, "post", pid, SZ_NEWS[2]), metas))
        listed = k < 6
        site.articles.append(news_truth(path, item, iso(item.published, "date"), listed, published_from=published_from,
                                        traps=traps))
        site.add_chrome(source)
        if listed:
            news_items.append(_sz_item(f"./content/post_{pid}.html", item.title, item.published))
    doc_items: dict[tuple, list[str]] = {SZ_DOCS: [], SZ_RULES: []}
    for k, doc in enumerate(docs):
        col = SZ_DOC_COLUMNS[k] if k < len(SZ_DOC_COLUMNS) else SZ_DOCS
        pid = first_id + 9000 + 83 * k
        path = f"{col[0]}content/post_{pid}.html"
        attached = add_attachments(site, doc, lambda n, ext, pid=pid: f"/attachment/1/{pid // 1000}/{pid * 10 + n}/{pid}.{ext}")
        labels = [("索引号", doc.index_no), ("分类", doc.category), ("发布机构", doc.issuer),
                  ("发布日期", f"{doc.published:%Y-%m-%d}"), ("名称", doc.title), ("文号", doc.doc_no),
                  ("主题词", doc.subject_words)]
        block = '<div class="xx_con">' + "".join(f"<p><em>{lab}：</em><span>{esc(v)}</span></p>" for lab, v in labels) + "</div>"
        traps: tuple[str, ...] = ("site-name-suffix",)
        if k == 1:
            # A gazette page: the block is kept in the template but commented out.
            block = f"<!--{block}-->"
            traps += ("xxgk-in-comment",)
        else:
            site.add_chrome(doc.index_no)
        shown = f"信息提供日期：{doc.published:%Y-%m-%d}"
        files = "".join(f'<a href="{href}" target="_blank">{esc(name)}</a>' for href, name in attached.links)
        body = "".join(f"<p>{esc(p)}</p>\n" for p in doc.paragraphs)
        main = f"""<div class="news_cont">{block}<div class="tit"><h1>{esc(doc.title)}</h1><h6><span>信息来源：{esc(doc.issuer)}</span><span>{shown}</span></h6></div>
<div class="news_cont_d_wrap">
{body}</div>{f'<div class="fjdown"><p>附件：</p>{files}</div>' if files else ''}{TOOLS}{QR}</div>"""
        metas = (f'<meta name="ArticleTitle" content="{esc(doc.title)}"><meta name="pubDate" content="{doc.published:%Y-%m-%d}">'
                 f'<meta name="ContentSource" content="{esc(doc.issuer)}">')
        site.add_html(path, _sz_page(f"{doc.title}--{col[1]}", col, main,
                                     nfcms_vars(SZ_SITE_ID, "post", pid, col[2]), metas))
        listed = k < len(SZ_DOC_COLUMNS)
        site.articles.append(doc_truth(path, doc, labels, attached, listed, traps=traps))
        site.add_chrome(shown, f"信息来源：{doc.issuer}")
        href = f"./content/post_{pid}.html"
        if k == 3:
            # Pre-2020 TRS address still linked from the list; the server answers 301 to the content/post_ page.
            old = f"{col[0]}{doc.written:%Y%m}/t{doc.written:%Y%m%d}_{pid}.htm"
            site.add_redirect(old, path)
            href = f"./{doc.written:%Y%m}/t{doc.written:%Y%m%d}_{pid}.htm"
        if listed:
            doc_items[col].append(_sz_item(href, doc.title, doc.published))
    _add_listings(site, SZ_NEWS[0], news_items, lambda n, total, items: _sz_listing(SZ_NEWS, n, total, items),
                  bare_first=True, also_index=True)
    for col, items in doc_items.items():
        _add_listings(site, col[0], items, lambda n, total, chunk, col=col: _sz_listing(col, n, total, chunk),
                      bare_first=True, also_index=True)
    _gkmlpt_decoy(site, first_id, lambda main: _sz_page("政府信息公开", ("/gkmlpt/index", "政府信息公开"), main,
                                                        nfcms_vars(SZ_SITE_ID, "post")))
    home = "".join(f'<li><a href="{c[0]}">{c[1]}</a></li>' for c in (SZ_NEWS, SZ_DOCS, SZ_RULES))
    home = f'<ul>{home}' \
           f'<li><a href="/gkmlpt/index">政府信息公开</a></li></ul>'
    site.add_html("/", _sz_page("深圳政府在线", ("/", "首页"), home, nfcms_vars(SZ_SITE_ID, "page")))
    site.add("/robots.txt", robots(["/gkmlpt/", "/search/"]), "text/plain")
    site.add_chrome(*CHROME, *SZ_FOOTER, *(f"当前位置：首页 > 信息公开 > {c[1]}" for c in (SZ_NEWS, SZ_DOCS, SZ_RULES)))
    return site.finish()


def build_all() -> list[ReplicaSite]:
    return [build_gd(), build_gz(), build_sz()]


