"""A Hanweb (大汉版通) portal: www.zj.gov.cn (../shared/GOV_PORTALS.md, evaldata zh_gov/gjzwfw-01).

Articles at `/art/YYYY/M/D/art_<col>_<id>.html` with `<meta name="Url|PubDate|Maketime|ContentSource">`; the body
is `div#zoom` between `<meta name="ContentStart">` and `<meta name="ContentEnd">` (and the ZJEG_RSS comments);
documents carry `table.xxgk_article` (索引号 / 发文机关 / 文号 / 主题分类 / 组配分类 / 成文日期). Column listings
`/col/col<id>/index.html` keep their records inside a `<script type="text/xml">` datastore that the page's jpage
script turns into the visible list, so the static HTML shows the links only as CDATA text in a script.
"""

from __future__ import annotations

from datetime import datetime

from crawler.demo.model import ReplicaSite, SiteDraft
from crawler.demo.sites import govdocs
from crawler.demo.sites.govdocs import Doc, News, Site, add_attachments, doc_truth, news_truth
from crawler.demo.web import esc, iso, robots

ZJ = Site("zj_gov", "浙江省人民政府", "浙江省", "浙江省人民政府办公厅", "浙政办发",
          "各市、县（市、区）人民政府，省政府直属各单位：", "省经济和信息化厅", "002482070",
          datetime(2024, 8, 16, 15, 12, 0), cities=("杭州", "宁波", "温州", "嘉兴"))
NEWS_COL = (1229019365, "今日浙江")
DOCS_COL = (1229019364, "省政府办公厅文件")
FOOTER = ("主办单位：浙江省人民政府办公厅", "网站标识码：3300000069", "浙ICP备05001111号")
CHROME = ("扫一扫在手机打开当前页", "打印本页", "关闭窗口", "【字体：大 中 小】")


def art_path(col: int, d: datetime, art_id: int) -> str:
    return f"/art/{d.year}/{d.month}/{d.day}/art_{col}_{art_id}.html"


def _page(title: str, col: tuple, main: str, metas: str) -> str:
    footer = "".join(f"<p>{x}</p>" for x in FOOTER)
    return f"""<!DOCTYPE html>
<html><head><meta charset="UTF-8">
<meta name='WebId' content='3'>
<title>{esc(title)}</title>
<meta name="SiteName" content="浙江省人民政府门户网站"><meta name="SiteDomain" content="www.zj.gov.cn">
<meta name="ColumnName" content="{col[1]}">{metas}
</head><body>
<div id='hiddenLocation' style='display:none;'><span id='col1_name'>{col[1]}</span><span id='col1_url'>/col/col{col[0]}/index.html</span></div>
<div class="header"><a href="/">浙江省人民政府门户网站</a></div>
<div class="dqwz">当前位置：<a href="/">首页</a> &gt; <a href="/col/col{col[0]}/index.html">{col[1]}</a></div>
{main}
<div class="footer">{footer}</div>
<a href='http://www.hanweb.com' style='display:none'>Produced By 大汉网络 大汉版通发布系统</a>
</body></html>
"""


def _tail() -> str:
    return ('<div class="fx"><span>【字体：大 中 小】</span><a href="javascript:window.print()">打印本页</a> '
            '<a href="javascript:window.close()">关闭窗口</a></div>'
            '<div class="ewm"><div id="qrcode"></div><p>扫一扫在手机打开当前页</p></div>')


def _metas(title: str, url_path: str, pubdate: datetime, maketime: datetime, source: str) -> str:
    return (f'<meta name="ArticleTitle" content="{esc(title)}">'
            f'<meta name="PubDate" content="{pubdate:%Y-%m-%d %H:%M}">'
            f"<meta name='Maketime' content='{maketime:%Y-%m-%d %H:%M:%S}'>"
            f'<meta name="ContentSource" content="{esc(source)}">'
            f'<meta name="Url" content="http://www.zj.gov.cn{url_path}">')


def _body(paras: tuple[str, ...]) -> str:
    inner = "".join(f"<p>{esc(p)}</p>" for p in paras)
    return (f'<div id="zoom"><meta name="ContentStart"><!--ZJEG_RSS.content.begin-->{inner}'
            f'<!--ZJEG_RSS.content.end--><meta name="ContentEnd"></div>')


def _listing(col: tuple, records: list[tuple[str, str, datetime]]) -> str:
    recs = "\n".join(f'<record><![CDATA[<li><a href="{href}" target="_blank" title="{esc(t)}">{esc(t)}</a>'
                     f'<span class="bt_time">{d:%Y-%m-%d}</span></li>]]></record>' for href, t, d in records)
    main = f"""<div class="lm_name">{col[1]}</div>
<div class="default_pgContainer" id="{col[0]}"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="/module/jpage/dataproxy.jsp?page=1&webid=3&path=/&columnid={col[0]}&unitid=4892867&webname=浙江省人民政府&permissiontype=0"></a>]]></nextgroup>
<recordset>
{recs}
</recordset></datastore></script></div>
<script language="javascript" src="/module/jpage/jpage.js"></script>"""
    return _page(f"{col[1]} 浙江省人民政府门户网站", col, main, "")


def build() -> ReplicaSite:
    site = SiteDraft("zj_gov")
    news, docs = govdocs.content(ZJ, 6, 7)
    news_recs, doc_recs = [], []
    for k, item in enumerate(news):
        art_id = 2513401 + 37 * k
        path = art_path(NEWS_COL[0], item.published, art_id)
        shown = f"发布日期：{item.published:%Y-%m-%d %H:%M}"
        main = f"""<div class="main"><div class="title"><h1>{esc(item.title)}</h1></div>
<div class="fbxx"><span>{shown}</span><span>来源：{esc(item.source)}</span></div>
{_body(item.paragraphs)}{_tail()}</div>"""
        maketime = govdocs.regenerated(item.published)
        site.add_html(path, _page(f"{item.title} 浙江省人民政府门户网站", NEWS_COL, main,
                                  _metas(item.title, path, item.published, maketime, item.source)))
        site.articles.append(news_truth(path, item, iso(item.published, "minute"), True, published_from="header",
                                        traps=("site-name-suffix",)))
        site.add_chrome(shown, f"来源：{item.source}")
        news_recs.append((path, item.title, item.published))
    for k, doc in enumerate(docs):
        art_id = 2513900 + 41 * k
        path = art_path(DOCS_COL[0], doc.published, art_id)
        attached = add_attachments(
            site, doc, lambda n, ext, art_id=art_id: f"/module/download/downfile.jsp?classid=0&filename={art_id:x}{n:02d}.{ext}")
        labels = [("索引号", doc.index_no), ("发文机关", doc.issuer), ("文号", doc.doc_no), ("主题分类", doc.topic),
                  ("组配分类", doc.category), ("成文日期", govdocs.cn_date(doc.written))]
        rows = "".join(f"<tr><td class='xxgk_label'>{a[0]}</td><td>{esc(a[1])}</td><td class='xxgk_label'>{b[0]}</td>"
                       f"<td>{esc(b[1])}</td></tr>" for a, b in zip(labels[0::2], labels[1::2]))
        shown = f"发布日期：{doc.published:%Y-%m-%d}"
        files = "".join(f'<p><a href="{esc(href)}">{esc(name)}</a></p>' for href, name in attached.links)
        main = f"""<div class="main"><table class="xxgk_article">{rows}</table>
<div class="title"><h1>{esc(doc.title)}</h1></div>
<div class="fbxx"><span>{shown}</span><span>来源：{esc(doc.issuer)}</span></div>
{_body(doc.paragraphs)}{f'<div class="fujian"><p>相关附件：</p>{files}</div>' if files else ''}{_tail()}</div>"""
        # The table has no 发布日期: the date by the headline is the publication date.
        truth = doc_truth(path, doc, labels, attached, k < 6, published_from="header",
                          traps=("site-name-suffix", "pubdate-regenerated") if k == 2 else ("site-name-suffix",))
        gov = dict(truth.gov)
        gov["published_date"] = f"{doc.published:%Y-%m-%d}"
        from dataclasses import replace
        truth = replace(truth, gov=tuple(gov.items()))
        pubdate = govdocs.regenerated(doc.published) if k == 2 else doc.published
        site.add_html(path, _page(f"{doc.title} 浙江省人民政府门户网站", DOCS_COL, main,
                                  _metas(doc.title, path, pubdate, govdocs.regenerated(doc.published), doc.issuer)))
        site.articles.append(truth)
        site.add_chrome(shown, doc.index_no, f"来源：{doc.issuer}")
        if k < 6:
            doc_recs.append((path, doc.title, doc.published))
    site.add_html(f"/col/col{NEWS_COL[0]}/index.html", _listing(NEWS_COL, news_recs))
    site.add_html(f"/col/col{DOCS_COL[0]}/index.html", _listing(DOCS_COL, doc_recs))
    search = "/module/search/index.jsp?field_7=1&webid=3"
    site.add_html(search, "<!DOCTYPE html><html><body><p>搜索</p></body></html>")
    site.disallowed.append(search)
    home = (f'<ul><li><a href="/col/col{NEWS_COL[0]}/index.html">{NEWS_COL[1]}</a></li>'
            f'<li><a href="/col/col{DOCS_COL[0]}/index.html">{DOCS_COL[1]}</a></li>'
            f'<li><a href="{search}">搜索</a></li></ul>')
    site.add_html("/", _page("浙江省人民政府门户网站", ("", "首页"), home, ""))
    site.add("/robots.txt", robots(["/module/search/"]), "text/plain")
    site.add_chrome(*CHROME, *FOOTER, f"当前位置：首页 > {NEWS_COL[1]}", f"当前位置：首页 > {DOCS_COL[1]}")
    return site.finish()
