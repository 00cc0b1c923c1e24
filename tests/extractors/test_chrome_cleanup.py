"""Body-text cleanliness: comment boxes, layout tables, header/byline lines, chrome tails, and body lost to
early </html>, empty inline placeholders or a header block picked by precision mode. Synthetic HTML only."""

from __future__ import annotations

from extractors import dom, layout, prune, trafilatura_runs
from extractors.body import lead_summary
from extractors.api import extract
from extractors.text import clean_lines, is_chrome

PROSE = "新区坚持生态优先、绿色发展，统筹生产、生活、生态三大空间，推动城市建设与自然环境协调发展。"
_SENTENCES = (
    "会议听取了各区县关于大气污染防治工作的情况汇报，并对下一阶段重点任务作出部署。",
    "与会人员围绕河湖治理、土壤修复和固体废物处置等议题进行了深入讨论。",
    "会议要求各部门压实责任，加强协作，确保各项目标任务按期完成。",
    "今年以来，全市空气质量优良天数比例同比提高，重点河流断面水质持续改善。",
    "下一步，将继续推进生态保护修复工程，完善环境监测网络和执法体系。",
    "第5段的内容说明，相关工作将接受社会监督，定期向公众公布进展情况。",
)
ARTICLE = "".join(f"<p>{s}</p>" for s in _SENTENCES)


def _page(body: str, title: str = "某市召开生态环境保护工作会议部署年度任务") -> bytes:
    return (
        f"<html><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body><h1>{title}</h1>{body}</body></html>"
    ).encode("utf-8")


def _pruned_text(body_html: str) -> str:
    root = dom.parse(f"<html><body>{body_html}</body></html>").root
    prune.prune(root)
    return root.text_content()


# ------------------------------------------------------------------ 1. comment boxes

COMMENT_BOX = (
    '<div class="tie-area"><div class="tie-post"><div class="tie-hotword"><p>跟贴热词：</p></div>'
    '<form action="/reply"><textarea name="body"></textarea><div class="tips">文明上网，登录发贴</div></form>'
    '<div class="login">账号 <input type="password"> 自动登录</div>'
    '<p class="reminder">网友评论仅供其表达个人看法，并不表明本站立场。</p></div></div>'
)


def test_box_around_a_text_control_goes_as_a_unit():
    text = _pruned_text(f"<div class='article'>{ARTICLE}</div>{COMMENT_BOX}")
    assert "跟贴热词" not in text and "并不表明" not in text
    assert "第5段的内容" in text


def test_comment_box_without_form_and_with_post_class_still_goes():
    box = (
        '<div class="aq-write"><textarea></textarea><div><span>我要跟帖</span></div>'
        '<div class="tip">已输入<span>0</span>字</div></div>'
    )
    text = _pruned_text(f"<div class='article'>{ARTICLE}</div>{box}")
    assert "已输入" not in text and "我要跟帖" not in text


def test_box_climb_stops_at_prose():
    # the control sits next to a real paragraph: only the small box around it goes
    html = f"<div><p>{PROSE}</p><div><textarea></textarea><span>我要跟帖</span></div></div>"
    text = _pruned_text(html)
    assert PROSE in text and "我要跟帖" not in text


def test_read_only_and_formless_text_inputs_are_not_boxes():
    # forum posts show a permalink box or a "go to floor" input inside each post: the post must stay
    post = '<div class="post-item"><p>我也遇到这个问题了，换个版本就好了</p><input type="text" readonly value="/d/1/2"></div>'
    jump = '<div class="floor"><p>楼主说的方法有效，谢谢分享</p><input type="text" class="jump"></div>'
    text = _pruned_text(f"<div class='article'>{ARTICLE}</div>" + post + jump)
    assert "换个版本就好了" in text and "楼主说的方法有效" in text


def test_comment_vocabulary_and_disclaimer_lines():
    for line in ("跟贴热词：", "网友评论仅供其表达个人看法，并不表明本网立场。", "我要跟帖", "已输入0字", "12人跟贴",
                 "本文仅代表作者观点，不表明平台立场"):
        assert is_chrome(line), line
    assert not is_chrome("他在跟帖中写道，这件事并不简单，仍需进一步调查核实。")


# ------------------------------------------------------------------ 2. layout tables

def test_single_row_table_is_a_layout_table():
    root = dom.parse("<html><body><table><tr><td><p>a</p></td><td><p>b</p></td></tr></table></body></html>").root
    assert layout.is_layout_table(root.find(".//table"))
    root = dom.parse(
        "<html><body><table><tr><th>年份</th><th>产量</th></tr><tr><td>2020</td><td>100</td></tr>"
        "<tr><td>2021</td><td>120</td></tr></table></body></html>"
    ).root
    assert not layout.is_layout_table(root.find(".//table"))


def test_page_wrapping_table_does_not_print_pipes():
    nav = '<table><tr><td><a href="/">设为首页</a></td><td><a href="/fav">添加收藏夹</a></td></tr></table>'
    body = (
        f"<table width='100%'><tr><td>{nav}</td></tr><tr><td><div>现在位置： <a href='/'>首页</a> &gt;&gt; 新闻 &gt;&gt; 正文</div>"
        f"<div class='content'>{ARTICLE}</div><div>【打印本页】【关闭窗口】</div></td></tr></table>"
    )
    rec = extract(_page(body), "http://example.com/a.html")
    assert rec.status == "ok"
    assert "|" not in rec.text
    assert "现在位置" not in rec.text and "打印本页" not in rec.text
    assert "第5段的内容" in rec.text


def test_data_table_stays_a_table():
    table = "<table><tr><th>年份</th><th>产量</th></tr><tr><td>2020</td><td>100</td></tr><tr><td>2021</td><td>120</td></tr></table>"
    rec = extract(_page(ARTICLE + table), "http://example.com/a.html")
    assert "| 2020 | 100 |" in rec.text


def test_chrome_check_per_cell_and_without_pipes():
    assert is_chrome("| | |")
    assert is_chrome("| 现在位置： 首页 >> 新闻 >> 正文 |")
    assert is_chrome("| 【打印本页】【关闭窗口】 |")
    assert is_chrome("| 设为首页 \\| 添加收藏夹 | 关于我们 |")
    assert not is_chrome("| 2020 | 100 |")
    assert not is_chrome("| 北京 | 降雨量较常年偏多两成 |")


# ------------------------------------------------------------------ 3. header / byline lines and promos

def test_header_and_promo_lines():
    for line in ("您所在的位置：", "现在位置：首页 > 新闻", "首页", "> 科技", "延伸 · 推荐", "- THE END -",
                 "- 关注我们", "关注公众号查看全文", "相关资讯请关注:某某专区",
                 "2024-05-06 12:11来源：某某网作者：张三", "2024-05-06 14:07 来源：某某新闻·政务"):
        assert is_chrome(line), line
    for line in ("2024年5月6日", "首页设计获得了用户的一致好评。", "相关单位请关注天气变化，做好防汛准备。"):
        assert not is_chrome(line), line


def test_source_line_is_metadata():
    out = clean_lines(f"{PROSE}\n本文来源：某某日报\n{PROSE}再次强调。")
    assert "本文来源" not in out.text and out.source == "某某日报"
    out = clean_lines(f"{PROSE}\n来源：某某网 作者：李四")
    assert out.source == "某某网"


def test_source_line_reaches_the_record():
    rec = extract(_page(ARTICLE + "<p>本文来源：某某晚报</p>"), "http://example.com/a.html")
    assert "本文来源" not in rec.text and rec.original_source == "某某晚报"


def test_chrome_tail_glued_to_last_paragraph():
    out = clean_lines(f"{PROSE}\n整顿仍将持续。返回某某网首页>>")
    assert out.text.endswith("整顿仍将持续。")
    out = clean_lines(f"{PROSE}\n（编辑：王五）返回某某，查看更多")
    assert "查看更多" not in out.text and out.editor == "王五"
    # "返回首页" inside a sentence is prose
    out = clean_lines("他点击返回首页后发现页面已经更新。")
    assert "返回首页" in out.text


# ------------------------------------------------------------------ 4. body lost

def test_early_closing_html_tag_does_not_drop_the_article():
    html = (
        "<html><head><meta charset='utf-8'><title>关于某项工作的决议</title></head><body>"
        "<div class='top'>某某网站</div></body></html>"  # a shared header include closes the document
        f"<div class='main'><h1>关于某项工作的决议</h1>{ARTICLE}</div></body></html>"
    ).encode("utf-8")
    rec = extract(html, "http://example.com/a.html")
    assert rec.status == "ok" and "第5段的内容" in rec.text


def test_text_after_an_empty_inline_placeholder_survives():
    para = '<p>本报讯 某公司<span id="q_x"><a href="/q">股份</a></span><span id="quote_x"></span>今日发布新品，售价较上代下调一成，市场反应积极。</p>'
    rec = extract(_page(para + ARTICLE), "http://example.com/a.html")
    assert "今日发布新品" in rec.text


def test_header_block_picked_by_precision_mode_loses_to_prose():
    assert trafilatura_runs.is_header_block("某部门：着力打造综合交通网络\n2024-05-06 10:56:28\n某某网")
    assert not trafilatura_runs.is_header_block(PROSE)
    assert trafilatura_runs.sentence_chars("2024-05-06 10:56:28\n某某网") == 0
    assert trafilatura_runs.sentence_chars(PROSE) > 30


def test_intro_box_is_a_lead():
    lead = "<div class='introduction'>某某表示，经典作品值得尊重，随意改编并不值得提倡，应当加强原创能力建设。</div>"
    root = dom.parse(f"<html><body>{lead}{ARTICLE}</body></html>").root
    assert lead_summary(root).startswith("某某表示")
    profile = "<div class='profile-intro'>某某认证博客专家，码龄五年，擅长数据分析与建模工作。</div>"
    root = dom.parse(f"<html><body>{profile}{ARTICLE}</body></html>").root
    assert lead_summary(root) is None


def test_caption_after_an_image_link_survives():
    captions = "".join(
        f'<p align="center"><a href="/img/{i}.jpg"><img src="/img/{i}_s.jpg"></a><br>{c}</p>'
        for i, c in enumerate(("横幅上写着：今天的事今天做。", "对联一副：春风送暖入屠苏。"))
    )
    first, rest = "".join(f"<p>{s}</p>" for s in _SENTENCES[:3]), "".join(f"<p>{s}</p>" for s in _SENTENCES[3:])
    rec = extract(_page(first + captions + rest), "http://example.com/a.html")
    assert "今天的事今天做" in rec.text and "春风送暖入屠苏" in rec.text


def test_short_replies_with_their_own_reply_form_are_kept():
    """A thread whose every reply carries a reply form: only the forms go, never the (short) replies."""
    replies = "".join(
        f'<div class="comment"><div class="content"><div class="text">第{i}楼的回复内容很短</div>'
        f'<form class="reply"><input type="text" name="body" placeholder="写下你的回复"><button>回复</button></form>'
        f"</div></div>"
        for i in range(4)
    )
    article = "<p>" + "这是一篇关于设置网络代理的技术文章正文内容，介绍具体的步骤和注意事项。" * 4 + "</p>"
    root = dom.parse(f"<html><body><article>{article}</article><div class='feed'>{replies}</div></body></html>").root
    prune.drop_unseen(root)
    text = root.text_content()
    assert all(f"第{i}楼的回复内容很短" in text for i in range(4))
    assert "写下你的回复" not in text and root.find(".//form") is None


def test_opinion_disclaimer_and_forwarding_notice_are_chrome():
    assert is_chrome("本文仅代表作者个人观点。")
    assert is_chrome("文章仅代表作者本人观点，与本网站无关")
    assert is_chrome("- 请支持独立网站，转发请注明本文链接：https://example.cn/a.shtml")
    # the same words inside a sentence of the article are text
    assert not is_chrome("专家仅代表作者观点的说法不对，我们认为政策要长期坚持，并且持续投入资源推进。")
