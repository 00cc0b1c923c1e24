"""Discussion pages (forum threads, Q&A, comment pages): the replies are content; on articles they stay chrome."""

from __future__ import annotations

from extractors import dom, extract

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
    dom.drop_unseen(root)
    assert dom.is_discussion(root)
    root = dom.parse(_article_with_comments().decode()).root
    dom.drop_unseen(root)
    assert not dom.is_discussion(root)  # comments hold less than 30 % of the text


def test_article_comments_stay_out():
    rec = extract(_article_with_comments(), "http://127.0.0.1:8000/a/1.html")
    assert rec.status == "ok"
    assert "第3段正文" in rec.text
    for msg in _REPLIES:
        assert msg not in rec.text
