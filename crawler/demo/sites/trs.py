"""A TRS WCM portal: www.most.gov.cn (../shared/GOV_PORTALS.md, evaldata zh_gov/most-01, most-02, pingtan-*).

Articles at `<channel>/YYYYMM/tYYYYMMDD_<n>.html` linked with relative `../../` hrefs; the body is
`div.trs_editor_view.TRS_UEDITOR` (documents) or `div.TRS_Editor` (news) inside `div#Zoom` between
`<meta name="ContentStart">` / `<meta name="ContentEnd">`; documents carry the `xxgk_detail_table1` table with
padded labels (索 引 号, 有 效 性, 标　　题); the site name ends `<title>`; a hidden elder-mode copy repeats the
article; listings `index.html`, `index_1.html` (the second page) … paged by TRS's own
`createPageHTML(countPage, currentPage, "index", "html")`; attachments `./P0<date><n>.pdf` beside the article.
"""

from __future__ import annotations

from datetime import datetime

from crawler.demo.model import ReplicaSite, SiteDraft, chunks
from crawler.demo.sites import govdocs
from crawler.demo.sites.govdocs import Doc, News, Site, add_attachments, doc_truth, news_truth
from crawler.demo.web import esc, iso, robots

MOST = Site("most_gov", "科学技术部", "国家", "科技部办公厅", "国科办发",
            "各省、自治区、直辖市及计划单列市科技厅（委、局），新疆生产建设兵团科技局：", "科技部高新技术司", "306430",
            datetime(2024, 5, 12, 9, 18, 0), approver="科技部部务会议")
DOCS = ("/xxgk/xinxifenlei/fdzdgknr/fgzc/gfxwj/", "规范性文件")
# 政策解读 pages: linked only from the related-reading blocks beside the channel's list, never list items.
NEWS = ("/xxgk/xinxifenlei/fdzdgknr/fgzc/zcjd/", "政策解读")
CHANNEL = ("/satp/qykjzc/", "企业科技政策")
LATEST = ("/satp/qykjzc/zxzc/", "最新政策")
SITE = "中华人民共和国科学技术部"
FOOTER = ("主办单位：中华人民共和国科学技术部", "网站标识码：bm06000001", "京ICP备05022684号")
CHROME = ("扫一扫在手机打开当前页", "[放大字体]", "[缩小字体]", "[打印]", "[关闭窗口]", "[返回顶部]")
PER_PAGE = 4


def _rel(depth: int) -> str:
    return "../" * depth


def _page(title: str, column: str, crumbs: str, main: str, metas: str, depth: int) -> str:
    footer = "".join(f"<p>{x}</p>" for x in FOOTER)
    return f"""<!doctype html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<meta name="SiteName" content="{SITE}" />
<meta name="SiteDomain" content="www.most.gov.cn" />
<meta name="SiteIDCode" content="bm06000001" />
<meta name="ColumnName" content="{column}" />{metas}
<title>{esc(title)}</title>
<link href="{_rel(depth)}assets/css/style.css" rel="stylesheet" type="text/css">
</head>
<body data-relativepath="{_rel(depth)}">
<div class="header"><a href="{_rel(depth)}">{SITE}</a></div>
<div class="b_crumbs">当前位置：<a href="{_rel(depth)}">首页</a>{crumbs}</div>
{main}
<div class="footer">{footer}</div>
</body></html>
"""


def _metas(title: str, pubdate: datetime, source: str) -> str:
    return (f'\n<meta name="ArticleTitle" content="{esc(title)}" />\n<meta name="PubDate" content="{pubdate:%Y-%m-%d %H:%M}" />'
            f'\n<meta name="ContentSource" content="{esc(source)}" />')


def _tools() -> str:
    return ('<div class="div_qrcode"><div>扫一扫在手机打开当前页</div><div id="qrcode"></div></div>'
            '<div class="xxgk_detail_table"><a href="#" class="mhide"><span class="style21">[放大字体]</span></a> '
            '<a href="#" class="mhide"><span class="style21">[缩小字体]</span></a> '
            '<a class="style21 mhide" href="#" onclick="window.print();">[打印]</a> '
            '<a href="javascript:close()" class="style21 mhide">[关闭窗口]</a> '
            '<a href="#top" id="return_top" class="style21">[返回顶部]</a></div>')


def _elder(title: str, paras: tuple[str, ...]) -> str:
    # The elder-mode (适老化) copy the page's script shows instead of the normal one: hidden by default.
    inner = "".join(f"<p>{esc(p)}</p>" for p in paras)
    return f'<div class="elder_content" style="display:none"><div class="elder_title">{esc(title)}</div>{inner}</div>'


def _listing(column: tuple, page: int, pages: int, items: str, depth: int) -> str:
    # TRS's own pager: countPage, 0-based currentPage.
    main = f"""<div class="list_main"><div class="list_title">{column[1]}</div>
<ul class="x_zxzc_list">
{items}</ul>
<div class="page"><script type="text/javascript">createPageHTML({pages}, {page - 1}, "index", "html");</script></div></div>"""
    crumbs = f'<span> &gt; </span><a href="./" class="CurrChnlCls">{column[1]}</a>'
    return _page(f"{column[1]}-{SITE}", column[1], crumbs, main, "", depth)


def _item(href: str, title: str, date: datetime) -> str:
    # The date is printed twice: before the link for desktops, after it for phones.
    return (f'<li><span class="mhide">{date:%Y-%m-%d}</span><a href="{href}" title="{esc(title)}">{esc(title)}</a>'
            f'<span class="pchide">{date:%Y-%m-%d}</span></li>\n')


def _depth(path: str) -> int:
    return path.count("/") - 1


def build() -> ReplicaSite:
    site = SiteDraft("most_gov")
    news, docs = govdocs.content(MOST, 2, 11)
    related, doc_items = [], []
    for k, item in enumerate(news):
        n = 190041 + 29 * k
        d = item.published
        path = f"{NEWS[0]}{d:%Y%m}/t{d:%Y%m%d}_{n}.html"
        depth = _depth(path)
        shown = f"日期：{d:%Y-%m-%d}"
        inner = "".join(f"<p>{esc(p)}</p>" for p in item.paragraphs)
        main = f"""<div class="detail_outer"><div id="Title" class="detail_title">{esc(item.title)}</div>
<div class="detail_info"><span>{shown}</span><span>来源：{esc(item.source)}</span></div>
<div id="Zoom"><meta name="ContentStart" /><div class="TRS_Editor">{inner}</div><meta name="ContentEnd" /></div>
{_tools()}{_elder(item.title, item.paragraphs)}</div>"""
        crumbs = f'<span> &gt; </span><a href="../" class="CurrChnlCls">{NEWS[1]}</a>'
        site.add_html(path, _page(f"{item.title}-{SITE}", NEWS[1], crumbs, main, _metas(item.title, d, item.source), depth))
        site.articles.append(news_truth(path, item, iso(d, "date"), False, published_from="header",
                                        traps=("site-name-suffix", "hidden-copy", "related-reading")))
        site.add_chrome(shown, f"来源：{item.source}")
        related.append(f'<li><a href="../../{path[1:]}" title="{esc(item.title)}">{esc(item.title)}</a></li>')
    for k, doc in enumerate(docs):
        n = 195901 + 31 * k
        # Filed in the month it was signed: the URL date is the 成文 day, not the publication day.
        w = doc.written
        folder = f"{DOCS[0]}gfxwj{w.year}/{w:%Y%m}/"
        path = f"{folder}t{w:%Y%m%d}_{n}.html"
        depth = _depth(path)
        attached = add_attachments(site, doc, lambda i, ext, folder=folder, w=w, n=n: f"{folder}P0{w:%Y%m%d}{n % 1000:03d}{i}.{ext}",
                                   href_of=lambda p, i: "./" + p.rsplit("/", 1)[1])
        labels = [("标题", doc.title), ("索引号", doc.index_no), ("发文机构", doc.issuer),
                  ("成文日期", govdocs.cn_date(doc.written)), ("发布日期", govdocs.cn_date(doc.published)),
                  ("发文字号", doc.doc_no), ("有效性", "有效")]
        shown_labels = {"标题": "标　　题", "索引号": "索 引 号", "有效性": "有 效 性"}

        def cell(i: int) -> str:
            lab, v = labels[i]
            return f"<td><b>{shown_labels.get(lab, lab)}：</b></td><td>\n {esc(v)}\n</td>"

        table = (f'<table border="0" cellpadding="0" cellspacing="0" class="bd1 xxgk_detail_table1"><tbody>'
                 f'<tr><td><b>标　　题：</b></td><td colspan="3">\n {esc(doc.title)}\n</td></tr>'
                 f'<tr>{cell(1)}{cell(2)}</tr><tr>{cell(3)}{cell(4)}</tr><tr>{cell(5)}{cell(6)}</tr></tbody></table>')
        inner = "".join(f"<p>{esc(p)}</p>" for p in doc.paragraphs[:-2])
        sign = "".join(f"<p>{esc(p)}</p>" for p in doc.paragraphs[-2:])
        # Older documents keep the earlier editor's markup.
        editor = "trs_editor_view TRS_UEDITOR trs_paper_default" if k < 6 else "TRS_Editor"
        files = "".join(f'<li><a href="{href}" title="{esc(name)}">{esc(name)}</a></li>' for href, name in attached.links)
        main = f"""<div class="xxgk_detail_outer"><div class="xxgk_detail_head">{table}</div>
<div class="xxgk_detail_content"><div class="xxgk_title">{esc(doc.title)}</div>
<div id="Zoom"><meta name="ContentStart" /><div class="html-content-fun"><div class="{editor}">{inner}<div class="luokuan_Container">{sign}</div></div></div><meta name="ContentEnd" /></div>
{_tools()}
<section class="chnldesc-correlation">相关附件</section><ul class="home_news_list2">{files}</ul>
{_elder(doc.title, doc.paragraphs)}</div></div>"""
        pubdate = doc.published
        traps: tuple[str, ...] = ("site-name-suffix", "hidden-copy")
        if k == 1:
            pubdate = govdocs.regenerated(doc.published)
            traps += ("pubdate-regenerated",)
        crumbs = (f'<span> &gt; </span><a href="{_rel(depth - 3)}" class="CurrChnlCls">{DOCS[1]}</a>'
                  f'<span> &gt; </span><a href="../" class="CurrChnlCls">{w.year}年</a>')
        site.add_html(path, _page(f"{doc.title}-{SITE}", f"{w.year}年", crumbs, main, _metas(doc.title, pubdate, ""), depth))
        listed = k < 10
        site.articles.append(doc_truth(path, doc, labels, attached, listed, traps=traps))
        site.add_chrome(doc.index_no)
        if listed:
            doc_items.append((path, doc))
    pages = chunks(doc_items, PER_PAGE)
    for p, chunk in enumerate(pages, 1):
        # TRS numbering: the second page is index_1.html. The channel's own address is page 1 as well.
        items = "".join(_item("../../.." + path, doc.title, doc.published) for path, doc in chunk)
        html = _listing(LATEST, p, len(pages), items, 3)
        if p == 1:
            site.add_html(LATEST[0], html)
        site.add_html(LATEST[0] + ("index.html" if p == 1 else f"index_{p - 1}.html"), html)
    latest = "".join(_item("../.." + path, doc.title, doc.published) for path, doc in doc_items[:6])
    landing = f"""<div class="x_title"><span><a href="./zxzc/">更多></a></span>最新政策</div>
<ul class="x_zxzc_list">
{latest}</ul>
<div class="x_title">政策解读</div><div class="x_zcjdbox"><div class="x_zcjd_list"><div class="x_zczy_tit">政策指引</div>
<ul class="x_zxzc_list2">{"".join(related)}</ul></div></div>"""
    site.add_html(CHANNEL[0], _page(f"{CHANNEL[1]} - {SITE}", CHANNEL[1], "", landing, "", 2))
    site.add_html(CHANNEL[0] + "index.html", _page(f"{CHANNEL[1]} - {SITE}", CHANNEL[1], "", landing, "", 2))
    search = "/was5/web/search?channelid=209747"
    site.add_html(search, "<!DOCTYPE html><html><body><p>检索</p></body></html>")
    site.disallowed.append(search)
    home = f'<ul><li><a href="satp/qykjzc/">{CHANNEL[1]}</a></li><li><a href="{search}">检索</a></li></ul>'
    site.add_html("/", _page(SITE, "首页", "", home, "", 0))
    site.add("/robots.txt", robots(["/was5/"]), "text/plain")
    site.add_chrome(*CHROME, *FOOTER)
    return site.finish()
