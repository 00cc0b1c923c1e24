"""A gkmlpt (政府信息公开目录管理平台) site: www.zhuhai.gov.cn, sid 756001 (../shared/GOV_PORTALS.md).

`/gkmlpt/index` is a Vue single-page shell: nothing in its HTML links an article; `window._CONFIG` names the
site id and the category tree. The listing is a JSON API, `/gkmlpt/api/all/<cat>?page=<n>&sid=<sid>`, returning
`articles` and `classify.post_count`. Content pages `/gkmlpt/content/<id//1e6>/<id//1e3>/post_<id>.html` are
server-rendered with the 8-field table 索引号 / 分类 / 发布机构 / 成文日期 / 名称 / 文号 / 发布日期 / 主题词, and carry
the body a second time as `_CONFIG.DETAIL.content` JSON in a script.
"""

from __future__ import annotations

import json
from datetime import datetime

from crawler.demo.model import BASE, ReplicaSite, SiteDraft, chunks
from crawler.demo.sites import govdocs
from crawler.demo.sites.govdocs import Doc, Site, add_attachments, doc_truth
from crawler.demo.web import esc, robots

ZH = Site("zhuhai_gov", "珠海市人民政府", "珠海市", "珠海市人民政府办公室", "珠府办函",
          "各区政府（管委会），市府直属各单位：", "市工业和信息化局", "11440400007",
          datetime(2024, 7, 8, 16, 20, 0), cities=("珠海",))
SID = "756001"
# Category id -> name, as the shell's TREE lists them. Documents are spread over the two leaves.
TREE = (("1932", "规范性文件"), ("1937", "其他文件"))
PER_PAGE = 4
FOOTER = ("主办：珠海市人民政府办公室", "网站标识码：4404000001", "粤ICP备05008226号")
CHROME = ("打印本页", "关闭窗口", "扫一扫在手机打开当前页", "【字体：大 中 小】")


def content_path(pid: int) -> str:
    return f"/gkmlpt/content/{pid // 1000000}/{pid // 1000}/post_{pid}.html"


def api_path(cat: str, page: int) -> str:
    return f"/gkmlpt/api/all/{cat}?page={page}&sid={SID}"


def _shell() -> str:
    config = {"SID": SID, "TREE": [{"id": int(cid), "name": name, "children": []} for cid, name in TREE],
              "API": "/gkmlpt/api/all/"}
    footer = "".join(f"<p>{x}</p>" for x in FOOTER)
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>珠海市人民政府政府信息公开目录</title>
<link rel="stylesheet" href="/gkmlpt/static/css/app.css"></head>
<body><div id="app"><noscript>请开启浏览器的JavaScript功能后查看政府信息公开目录。</noscript></div>
<div class="footer">{footer}</div>
<script>window._CONFIG = {json.dumps(config, ensure_ascii=False)};</script>
<script src="/gkmlpt/static/js/app.js"></script>
<a href="/gkmlpt/search?sid={SID}" style="display:none">搜索</a>
</body></html>
"""


def _api(site: SiteDraft, cat: str, docs: list[tuple[int, Doc]]) -> None:
    pages = chunks(docs, PER_PAGE) or [[]]
    for n, chunk in enumerate(pages, 1):
        articles = [{
            "id": pid,
            "title": doc.title,
            "url": f"{BASE}{content_path(pid)}",
            "identifier": doc.index_no,
            "document_number": doc.doc_no,
            "publisher": doc.issuer,
            # Unix seconds, as the platform's API gives times.
            "created_at": int((doc.written - datetime(1970, 1, 1, 8)).total_seconds()),
            "first_publish_time": int((doc.published - datetime(1970, 1, 1, 8)).total_seconds()),
            "display_publish_time": int((doc.published - datetime(1970, 1, 1, 8)).total_seconds()),
            "date": f"{doc.published:%Y-%m-%d}",
        } for pid, doc in chunk]
        body = {"articles": articles, "classify": {"id": int(cat) if cat != "0" else 0, "post_count": len(docs)},
                "page": n, "per_page": PER_PAGE}
        site.add(api_path(cat, n), json.dumps(body, ensure_ascii=False).encode(), "application/json; charset=utf-8")


def _content(doc: Doc, pid: int, cat_name: str, labels: list[tuple[str, str]], files: list[tuple[str, str]],
             pubdate: datetime) -> str:
    cells = "".join(f"<td class='td-label'>{lab}：</td><td class='td-value'>{esc(v)}</td>"
                    + ("</tr><tr>" if i % 2 == 1 else "") for i, (lab, v) in enumerate(labels))
    body = "".join(f"<p>{esc(p)}</p>" for p in doc.paragraphs)
    links = "".join(f'<p><a href="{href}">{esc(name)}</a></p>' for href, name in files)
    detail = {"id": pid, "title": doc.title, "content": body, "document_number": doc.doc_no}
    footer = "".join(f"<p>{x}</p>" for x in FOOTER)
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8">
<title>{esc(doc.title)}</title>
<meta name="ArticleTitle" content="{esc(doc.title)}"><meta name="PubDate" content="{pubdate:%Y-%m-%d %H:%M:%S}">
<meta name="ContentSource" content="{esc(doc.issuer)}">
</head><body>
<div class="header"><a href="/gkmlpt/index">珠海市人民政府政府信息公开目录</a></div>
<div class="location">当前位置：<a href="/gkmlpt/index">政府信息公开目录</a> &gt; {cat_name}</div>
<div class="content">
<table class="table-info"><tbody><tr>{cells}</tr></tbody></table>
<div class="article"><h1 class="title">{esc(doc.title)}</h1>
<div class="article-content">{body}</div>
{f'<div class="article-attachment"><p>附件：</p>{links}</div>' if links else ''}
<div class="tools"><span>【字体：大 中 小】</span><a href="javascript:window.print()">打印本页</a><a href="javascript:window.close()">关闭窗口</a></div>
<div class="qrcode"><p>扫一扫在手机打开当前页</p></div>
</div></div>
<div class="footer">{footer}</div>
<script>window._CONFIG = window._CONFIG || {{}}; window._CONFIG.SID = "{SID}";
window._CONFIG.DETAIL = {json.dumps(detail, ensure_ascii=False)};</script>
</body></html>
"""


def build() -> ReplicaSite:
    site = SiteDraft("zhuhai_gov")
    _, docs = govdocs.content(ZH, 0, 12)
    first_id = 3712345
    by_cat: dict[str, list[tuple[int, Doc]]] = {cid: [] for cid, _ in TREE}
    for k, doc in enumerate(docs):
        pid = first_id + 1013 * k
        path = content_path(pid)
        cid, cname = TREE[k % 2]
        attached = add_attachments(site, doc, lambda n, ext, pid=pid: f"/attachment/0/{pid // 1000}/{pid * 10 + n}/{pid}.{ext}",
                                   href_of=lambda p, n: BASE + p, name_style="numbered")
        labels = [("索引号", doc.index_no), ("分类", f"{doc.topic}；{doc.category}"), ("发布机构", doc.issuer),
                  ("成文日期", f"{doc.written:%Y-%m-%d}"), ("名称", doc.title), ("文号", doc.doc_no),
                  ("发布日期", f"{doc.published:%Y-%m-%d}"), ("主题词", doc.subject_words)]
        pubdate, traps = doc.published, ("json-copy",)
        if k % 5 == 1:
            pubdate, traps = govdocs.regenerated(doc.published), traps + ("pubdate-regenerated",)
        site.add_html(path, _content(doc, pid, cname, labels, attached.links, pubdate))
        listed = k < 11  # the last one is published but in no category's list
        site.articles.append(doc_truth(path, doc, labels, attached, listed, traps=traps))
        site.add_chrome(doc.index_no, f"索引号：{doc.index_no}")
        if listed:
            by_cat[cid].append((pid, doc))
    everything = sorted((x for xs in by_cat.values() for x in xs), key=lambda x: x[1].published, reverse=True)
    _api(site, "0", everything)
    for cid, items in by_cat.items():
        _api(site, cid, items)
    site.add_html("/gkmlpt/index", _shell())
    site.add_html("/gkmlpt/search?sid=" + SID, "<!DOCTYPE html><html><body><p>搜索</p></body></html>")
    site.add_html("/", f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>珠海市人民政府门户网站</title></head>
<body><a href="/gkmlpt/index">政府信息公开目录</a></body></html>""")
    site.disallowed.append("/gkmlpt/search?sid=" + SID)
    site.add("/robots.txt", robots(["/gkmlpt/search"]), "text/plain")
    site.add_chrome(*CHROME, *FOOTER)
    return site.finish()
