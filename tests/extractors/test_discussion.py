"""Discussion pages (forum threads, Q&A, comment pages): the replies are content; on articles they stay chrome."""

from __future__ import annotations

from extractors import dom, extract, forum, pagetype, prune, text, trafilatura_runs

_REPLIES = [
    "我也遇到过这个问题，后来把显示缩放改成百分之百就好了，可以试试看。",
    "楼上说得对，另外记得把游戏里的分辨率设置成和桌面一致，不然还是会被放大。",
    "显卡驱动更新到最新版本之后这个问题就消失了，建议先排查一下驱动。",
]


def _thread(post_tag: str = "table") -> bytes:
    posts = []
    question = "全屏以后界面被放大了一部分看不到，调了分辨率也没有用，请问大家这是什么原因？"
    for i, msg in enumerate([question, *_REPLIES]):
        posts.append(
            f'<div id="post_{1000 + i}"><{post_tag} class="plhin"><tr><td class="pls">用户{i}</td>'
            f'<td><div class="authi">{i + 1}楼 发表于 2024-4-{i + 5} 11:52 | 只看该作者</div>'
            f'<table><tr><td class="t_f">{msg}</td></tr></table></td></tr></{post_tag}></div>'
        )
    return (
        "<html><head><title>全屏问题求助 - 论坛</title></head><body>"
        '<div class="nav"><a href="/">首页</a> <a href="/f">论坛</a> <a href="/f/1">游戏讨论</a></div>'
        f'<h1>全屏问题求助</h1><div id="postlist">{"".join(posts)}</div>'
        '<div class="footer">版权所有 © 2024 某某论坛</div></body></html>'
    ).encode()


def _article_with_comments() -> bytes:
    paras = "".join(
        f"<p>第{i}段正文：本市今年推进制造业技术改造，重点支持企业开展数字化转型和设备更新，已有多家企业完成改造。</p>"
        for i in range(8)
    )
    comments = "".join(
        f'<div class="comment-item"><span class="user">网友{i}</span> 回复 <p>{msg}</p></div>' for i, msg in enumerate(_REPLIES)
    )
    return (
        '<html><head><title>本市推进技术改造</title><meta property="og:type" content="article"></head><body>'
        f'<h1>本市推进技术改造</h1><div class="info">发布时间：2024-05-06 10:00</div><div class="content">{paras}</div>'
        f'<div class="comments">{comments}</div></body></html>'
    ).encode()


def test_thread_keeps_question_and_replies():
    rec = extract(_thread(), "http://127.0.0.1:8000/thread-1.html")
    assert rec.status == "ok"
    assert "请问大家这是什么原因" in rec.text
    for msg in _REPLIES:
        assert msg in rec.text
    assert "只看该作者" not in rec.text and "版权所有" not in rec.text


def test_thread_detected_and_article_not():
    root = dom.parse(_thread().decode()).root
    prune.drop_unseen(root)
    assert pagetype.page_type(root)[0]
    root = dom.parse(_article_with_comments().decode()).root
    prune.drop_unseen(root)
    assert not pagetype.page_type(root)[0]  # comments hold less than 30 % of the text


def test_article_comments_stay_out():
    rec = extract(_article_with_comments(), "http://127.0.0.1:8000/a/1.html")
    assert rec.status == "ok"
    assert "第3段正文" in rec.text
    for msg in _REPLIES:
        assert msg not in rec.text


# ---- threads that print no thread words, nested replies, post furniture, link lists, code

_SHORT = ["周末去郊外骑车了，天气很好。", "下次叫上我一起去吧！", "路线可以分享一下吗？", "我也想去，求带。"]


def _stamped_thread(ages=("3天前", "2天前", "1天前", "5小时前")) -> bytes:
    """A comment thread that never says 回复/楼: each comment has a user, an age and a message."""
    comments = "".join(
        f'<div class="comment"><div class="meta"><span class="name">用户{i}</span> | <span>{age}</span></div>'
        f'<div class="body"><p>{msg}</p></div></div>'
        for i, (age, msg) in enumerate(zip(ages, _SHORT))
    )
    return (
        "<html><head><title>骑行小记</title></head><body><h1>骑行小记</h1>"
        "<div class=\"topic\"><p>今天沿着河边骑了四十公里，风景不错，记录一下路线和补给点。</p></div>"
        f'<div class="comments">{comments}</div></body></html>'
    ).encode()


def test_thread_without_thread_words_is_detected_by_post_stamps():
    root = dom.parse(_stamped_thread().decode()).root
    prune.drop_unseen(root)
    assert pagetype.page_type(root)[0]
    # day-only dates mark related-article lists as often as posts: no time of day, no age, no thread
    root = dom.parse(_stamped_thread(ages=("2021-01-03",) * 4).decode()).root
    prune.drop_unseen(root)
    assert not pagetype.page_type(root)[0]


def test_stamped_thread_keeps_comments_without_their_bylines():
    rec = extract(_stamped_thread(), "http://127.0.0.1:8000/topic/7")
    for msg in _SHORT:
        assert msg in rec.text
    lines = rec.text.splitlines()
    assert "用户2" not in lines and "1天前" not in lines and "|" not in lines


def _nested_thread() -> bytes:
    posts = []
    msgs = ["第一条评论：这个插件在手机上打不开。", "第二条评论：电脑上一切正常。", "第三条评论：平板上偶尔会卡住。"]
    for i, msg in enumerate(msgs):
        replies = "".join(
            f'<div class="reply-item"><div class="meta"><a class="user">答者{j}</a> {j + 1}小时前</div>'
            f'<div class="content">{r}</div></div>'
            for j, r in enumerate(["我这边也一样，换了浏览器也不行。", "清一下缓存再试试，应该能解决。"] if i == 0 else [])
        )
        posts.append(
            f'<div class="comment-item"><div class="meta"><a class="user">网友{i}</a> 2024-05-0{i + 1} 09:30</div>'
            f'<div class="text">{msg}</div><div class="reply-wrap">{replies}</div></div>'
        )
    return f'<html><body><div class="comments">{"".join(posts)}</div></body></html>'.encode()


def test_nested_replies_each_give_a_message_in_page_order():
    # replies under one post only: not a part of every post (its message or user block) but posts of their own
    root = dom.parse(_nested_thread().decode()).root
    assert forum.post_parts(root)[0] == [
        "第一条评论：这个插件在手机上打不开。",
        "我这边也一样，换了浏览器也不行。",
        "清一下缓存再试试，应该能解决。",
        "第二条评论：电脑上一切正常。",
        "第三条评论：平板上偶尔会卡住。",
    ]


def test_block_in_every_post_is_part_of_the_post_not_a_reply():
    # "comment-text" is in (nearly) every post: the message block, not a reply, so the name is not the message
    html = "".join(
        f'<div class="comment-item"><div class="name">甲{i}</div><div class="comment-text"><p>{m}</p><p>{m}</p></div></div>'
        for i, m in enumerate(_SHORT)
    ) + '<div class="comment-item"><div class="name">乙</div><div class="deleted">该评论已删除</div></div>'
    root = dom.parse(f'<html><body><div class="list">{html}</div></body></html>').root
    assert [" ".join(t.split()) for t in forum.post_parts(root)[0]] == [f"{m} {m}" for m in _SHORT] + ["该评论已删除"]


def test_reply_using_thread_words_is_a_message_not_a_byline():
    msgs = ["谢谢回复，按你说的改完已经好了", "重装驱动也没有用，还是一样黑屏"]
    html = "".join(
        f'<div class="reply"><div class="who">网友{i} 3楼 2024-05-01 10:2{i}</div><div class="msg">{m}</div></div>'
        for i, m in enumerate(msgs)
    )
    root = dom.parse(f'<html><body>{html}</body></html>').root
    assert forum.post_parts(root)[0] == msgs


def test_byline_pieces_are_furniture_and_long_names_are_not_messages():
    html = "".join(
        f'<div class="comment-item"><div class="info"><span class="name">一个很长很长的用户昵称{i}号</span>'
        f' <span>{i + 1}周前</span></div><div class="detail"><p>{m}</p></div></div>'
        for i, m in enumerate(_SHORT)
    )
    root = dom.parse(f'<html><body><div class="list">{html}</div></body></html>').root
    messages, furniture = forum.post_parts(root)
    assert messages == _SHORT
    assert "一个很长很长的用户昵称1号" in furniture and "2周前" in furniture
    assert not furniture & set(_SHORT)


def test_topic_link_list_is_not_a_post_group():
    items = "".join(
        f'<div class="topic-item"><a href="/t/{i}">相关话题标题第{i}个，点击进入查看详情</a></div>' for i in range(6)
    )
    html = (
        '<html><body><div class="main"><p>楼主：请问这个表格怎么填写？已经试了很多次都提交失败。</p>'
        f'<span>回复</span></div><div class="side">{items}</div></body></html>'
    )
    root = dom.parse(html).root
    assert forum.post_group(root) == []


def test_short_thread_under_big_menus_is_a_discussion():
    menu = "".join(f'<li><a href="/c/{i}">栏目导航链接第{i}项</a></li>' for i in range(40))
    posts = "".join(
        f'<div class="reply"><span>{i + 1}楼 2024-03-0{i + 1} 10:0{i}</span><p>{m}</p></div>' for i, m in enumerate(_SHORT)
    )
    html = f'<html><body><nav><ul>{menu}</ul></nav><div class="thread">{posts}</div></body></html>'
    root = dom.parse(html).root
    prune.drop_unseen(root)
    assert pagetype.page_type(root)[0]


def test_thread_declaring_itself_an_article_keeps_its_posts(monkeypatch):
    # Forum software declares threads og:type article; the opening post is then one of the posts. trafilatura
    # is made to lose the replies, as it does on app markup, so that only our post messages can bring them back.
    question = "全屏以后界面被放大了一部分看不到，调了分辨率也没有用，请问大家这是什么原因？"
    monkeypatch.setattr(trafilatura_runs, "run", lambda *a, **k: question)
    page = _thread().replace(b"</title>", b'</title><meta property="og:type" content="article">')
    rec = extract(page, "http://127.0.0.1:8000/thread-2.html")
    for msg in _REPLIES:
        assert msg in rec.text


def test_code_highlighting_spans_are_not_chrome():
    paras = "".join(f"<p>第{i}步：按照下面的命令配置代理，然后重新打开终端窗口验证是否生效。</p>" for i in range(4))
    code = (
        '<pre><code class="language-bash"><span class="token comment"># 设置代理端口</span>\n'
        'export HTTP_PROXY=http://127.0.0.1:7890\n<span class="token comment"># 测试连通性</span>\n'
        "curl -I https://example.com</code></pre>"
    )
    html = f"<html><head><title>配置代理</title></head><body><h1>配置代理</h1><article>{paras}{code}</article></body></html>"
    rec = extract(html.encode(), "http://127.0.0.1:8000/a/9.html")
    assert "设置代理端口" in rec.text and "测试连通性" in rec.text


def test_counter_rows_and_long_legal_footers_are_chrome():
    assert text.is_chrome("3 点赞 · 0 评论") and text.is_chrome("12 回复 | 3.4k 浏览")
    footer = ("Copyright © 2024 Example Games Corporation & Sample Studio, Licensed to Demo Network Technology Co., "
              "Ltd. All content on this site is provided for community discussion purposes only.")
    assert len(footer) > 90 and text.is_chrome(footer)
    assert text.is_chrome("Alpha, Beta Quest, and Beta Quest Online are trademarks and/or registered trademarks of "
                          "Example Games Corporation in the U.S. and/or other countries, used here with permission.")
    assert not text.is_chrome("我们俩点赞评论都很积极")  # prose, not a counter row


def test_byline_joined_into_one_line_is_dropped():
    # trafilatura may print a byline's spans as one line: votes, name, label, time
    items = "".join(
        f'<div class="comment-item"><h3><span class="vote"><span>{100 + i}</span> <a>有用</a></span>'
        f'<span class="info"><a>观众{i}</a> <span>看过</span> <span>2024-04-0{i + 1} 13:19:20</span></span></h3>'
        f'<p class="content"><span>{m}</span></p></div>'
        for i, m in enumerate(_SHORT)
    )
    root = dom.parse(f'<html><body><div class="comments">{items}</div></body></html>').root
    messages, furniture = forum.post_parts(root)
    raw = "\n".join(f"{100 + i} 观众{i} 看过 2024-04-0{i + 1} 13:19:20\n{m}" for i, m in enumerate(_SHORT))
    assert forum.drop_post_furniture(raw, messages, furniture).splitlines() == _SHORT
    # a reply that mentions a time is no byline
    kept = "周六 2024-04-06 09:00 老地方集合，观众1 带上水"
    assert forum.drop_post_furniture(kept, messages, furniture) == kept


# ---- an article followed by its readers' comments is an article, whatever share of the page the comments hold

_COMMENTS = [
    "这个政策来得太及时了，我们厂去年就想换设备，一直在等补贴细则。",
    "希望审批流程能再简化一些，小企业申请材料太多，跑了好几趟。",
    "数字化转型不是买几台机器就行，人才培养也要跟上才行。",
    "我们县里也有类似的项目，效果还不错，产能提高了不少。",
    "补贴比例是多少？文章里没有写清楚，有没有知道的朋友说一下。",
    "支持！制造业是根本，技术改造早就该大力推进了，点赞。",
]


def _article_under_long_comments(paragraphs: int = 8, comments: int = 18) -> bytes:
    """A news story (headline, dated byline, paragraphs) and a comment section holding more text than the story:
    the comments are most of the page, so the page-type shares and prune's "most of the page" guard keep them."""
    paras = "".join(
        f"<p>第{i}段：本市今年推进制造业技术改造，重点支持企业开展数字化转型和设备更新，目前已有多家企业完成改造并投产。</p>"
        for i in range(paragraphs)
    )
    items = "".join(
        f'<li class="comment-item"><div class="user"><a href="/u/{i}">网友甲{i}号</a>'
        f' <span>2024-05-06 1{i % 10}:2{i % 6}</span></div><div class="txt">{_COMMENTS[i % len(_COMMENTS)]}第{i}条</div>'
        '<div class="tools"><a>回复</a> <a>举报</a></div></li>'
        for i in range(comments)
    )
    return (
        "<html><head><title>本市推进技术改造</title></head><body>"
        '<div class="nav"><a href="/">首页</a> <a href="/n">新闻</a></div>'
        '<h1>本市推进技术改造</h1><div class="info">2024-05-06 10:00 来源：本地日报</div>'
        f'<div class="article">{paras}</div>'
        f'<div class="comment-box"><h3>全部评论</h3><ul class="comment-list">{items}</ul></div></body></html>'
    ).encode()


def test_article_with_long_comment_section_is_an_article():
    root = dom.parse(_article_under_long_comments().decode()).root
    prune.drop_unseen(root)
    posts = forum.post_group(root)
    assert pagetype._posts_share(root, posts) >= 0.35  # a thread by its share alone, and kept by prune as "most of the page"
    discussion, comments = pagetype.page_type(root)
    assert not discussion and comments == posts
    assert not pagetype.page_type(root)[0]


def test_article_with_long_comment_section_gives_the_article_only():
    rec = extract(_article_under_long_comments(), "http://127.0.0.1:8000/news/2024/1.html")
    assert rec.status == "ok"
    lines = rec.text.splitlines()
    assert len(lines) == 8 and all(line.startswith(f"第{i}段") for i, line in enumerate(lines))
    assert "网友甲" not in rec.text and "补贴细则" not in rec.text and "全部评论" not in rec.text


def _topic_outside_replies(topic: str) -> bytes:
    """A forum topic printed on its own (other markup than the replies) before a run of replies."""
    replies = "".join(
        f'<div class="reply"><div class="who"><a>会员{i}</a> {i + 1}楼 2024-05-0{i + 1} 09:1{i}</div>'
        f'<div class="msg">{m}</div></div>'
        for i, m in enumerate(_COMMENTS)
    )
    return (
        "<html><head><title>设备更新怎么申请补贴</title></head><body><h1>设备更新怎么申请补贴</h1>"
        f'<div class="topic"><div class="who">楼主 2024-05-01 08:00</div>{topic}</div>'
        f'<div class="replies">{replies}</div></body></html>'
    ).encode()


def test_thread_whose_topic_is_outside_the_replies_stays_a_thread():
    # a short question, and a long topic in one paragraph: neither reads as an article with comments
    short = "<p>厂里想申请设备更新补贴，请问需要准备哪些材料，去哪里办理？</p>"
    long = "<p>" + "厂里今年想申请设备更新补贴，已经准备了营业执照、设备清单和采购合同，" * 12 + "请问还缺什么？</p>"
    assert len(long) > 400
    for topic in (short, long):
        root = dom.parse(_topic_outside_replies(topic).decode()).root
        prune.drop_unseen(root)
        assert pagetype.page_type(root) == (True, [])
        rec = extract(_topic_outside_replies(topic), "http://127.0.0.1:8000/thread-9.html")
        for msg in _COMMENTS:
            assert msg in rec.text


def test_question_shorter_than_its_answers_stays_a_thread():
    # a question of several paragraphs outside the answers' group, and an answer longer than the question
    question = "".join(f"<p>问题补充{i}：设备更新补贴的申请条件、材料、时限和审批部门分别是什么，有没有完整的流程？</p>"
                       for i in range(10))
    answer = "".join(f"<p>回答第{i}点：先到区工信部门登记项目，再准备设备清单、合同和发票，审核通过后拨付资金。</p>"
                     for i in range(12))
    answers = "".join(
        f'<div class="answer-item"><div class="who"><a>答主{i}</a> 2024-05-0{i + 1} 10:00 赞同 {i}</div>'
        f'<div class="answer-body">{answer if i == 0 else _COMMENTS[i]}</div></div>'
        for i in range(3)
    )
    html = f'<html><body><h1>补贴怎么申请</h1><div class="question">{question}</div><div class="answers">{answers}</div></body></html>'
    root = dom.parse(html).root
    prune.drop_unseen(root)
    assert pagetype._article_before(root, forum.post_group(root)) is False  # 400+ characters in paragraphs, but shorter
    assert pagetype.page_type(root) == (True, [])


def test_page_column_in_a_list_is_not_one_list_item_line():
    # <ul><li> used as the page's columns: when trafilatura reads the wrapper of the columns (no body block it
    # recognises by its class), it printed the column, a list item, as one "- " line
    paras = "".join(f"<p>第{i}段：本市今年推进制造业技术改造，重点支持企业开展数字化转型和设备更新。</p>" for i in range(6))
    html = (
        "<html><head><title>本市推进技术改造</title></head><body>"
        f'<div class="main"><ul class="columns"><li class="left"><div class="box"><h1>本市推进技术改造</h1>'
        f'<div class="time">2024-05-06 10:00</div><div class="text all-txt">{paras}</div>'
        '<ul class="other"><li>原标题：本市技术改造</li></ul></div></li>'
        '<li class="right"><div><a href="/1">热门文章一</a></div></li></ul></div></body></html>'
    )
    rec = extract(html.encode(), "http://127.0.0.1:8000/news/2.html")
    paragraphs = [line for line in rec.text.splitlines() if "段：" in line]
    assert len(paragraphs) == 6 and all(line.startswith(f"第{i}段") for i, line in enumerate(paragraphs))


def test_comment_section_named_after_the_post_is_chrome():
    # "post_comment" holds a keep word (post) but names the post's comments: pruned like any comment section.
    # The comments carry no post/comment class (NetEase "single-tie"), so no post group finds them either.
    paras = "".join(
        f"<p>第{i}段：本市今年推进制造业技术改造，重点支持企业开展数字化转型和设备更新，目前已有多家企业完成改造。</p>"
        for i in range(12)
    )
    ties = "".join(
        f'<div class="single-tie"><div class="tie-author"><a>网友乙{i}</a> 2024-05-06 12:0{i}</div>'
        f'<p class="tie-cnt">{m}</p><a>回复</a></div>' for i, m in enumerate(_COMMENTS[:5])
    )
    html = (
        "<html><head><title>本市推进技术改造</title></head><body><h1>本市推进技术改造</h1>"
        f'<div class="post_body">{paras}</div><div id="post_comment"><div class="tie-list">{ties}</div></div>'
        "</body></html>"
    )
    root = dom.parse(html).root
    prune.drop_unseen(root)
    assert not pagetype.page_type(root)[0]
    section = root.get_element_by_id("post_comment")
    assert 200 < dom.text_len(section) < 0.35 * dom.text_len(root.find("body"))  # kept by its keep word alone
    prune.prune(root)
    kept = dom.visible_text(root)
    assert "第11段" in kept and "网友乙" not in kept and not any(m in kept for m in _COMMENTS)
    rec = extract(html.encode(), "http://127.0.0.1:8000/news/3.html")
    assert "第9段" in rec.text and "网友乙" not in rec.text
    assert not prune._names_comments(dom.parse('<div class="post_content">x</div>').root.find(".//div"))
