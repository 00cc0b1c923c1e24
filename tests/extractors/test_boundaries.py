"""Where the article ends (extractors/boundaries.py): one synthetic page per failure class of issue 14, each with
class names no chrome rule knows, so only the structural mechanism can find the boundary."""

from __future__ import annotations

import pytest

from extractors import boundaries, extract

ARTICLE = [
    "市政府常务会议研究部署了下一阶段稳增长工作，要求各部门加快政策落地。",
    "会议强调，要切实解决企业反映的融资难、用工难等实际困难，稳定市场预期。",
]
OTHER = [
    "另一座城市的产业园区本周迎来新一批入驻企业，园区负责人介绍了招商引资的最新进展和后续安排，",
    "相关企业表示将在年内完成设备调试并投入生产，预计带动就业岗位超过一千个，形成较完整的产业链条。",
]


def story(i: int) -> list[str]:
    """Another story's paragraphs, different for each i (identical lines would go as repeats)."""
    return [f"{'甲乙丙丁戊己庚辛'[i]}地消息，{p}" for p in OTHER] + [f"{'甲乙丙丁戊己庚辛'[i]}地园区管委会表示将继续优化营商环境。"]


def html(main: str, after: str = "", side: str = "") -> bytes:
    return (
        "<html><head><title>市政府召开常务会议部署稳增长</title></head><body>"
        f"<div class='wrap'><div class='col-a'><h1 class='art-t'>市政府召开常务会议部署稳增长</h1>{main}{after}</div>"
        f"<div class='col-b'>{side}</div></div></body></html>"
    ).encode()


def body(paras=ARTICLE) -> str:
    return "<div class='txt'>" + "".join(f"<p>{p}</p>" for p in paras) + "</div>"


def check(page: bytes) -> str:
    rec = extract(page, "https://news.example.cn/a/1.html")
    assert rec.status == "ok", rec.status_detail
    assert all(p in rec.text for p in ARTICLE), rec.text
    return rec.text


def teaser_feed(n: int = 5) -> str:
    """(a) After a short story: a feed of truncated sentences with a label and a timestamp."""
    items = "".join(
        f"<div class='it'><a href='/a/{i}.html'>第{i}条：{OTHER[i % 2][:30]}...</a>"
        f"<span class='lb'>某某栏目</span><span class='tm'>2024-05-23 09:4{i}:17</span></div>"
        for i in range(n)
    )
    return f"<div class='flow'>{items}</div>"


def test_teaser_feed_after_a_short_story_is_a_list():
    text = check(html(body(), teaser_feed()))
    assert "某某栏目" not in text and "2024-05-23" not in text and "第1条" not in text, text


def test_stream_of_whole_stories_after_the_article_is_cut_at_the_second_headline():
    """(b) An endless "more stories" stream: other stories, each with its own headline (shaped like this one's)
    and its own paragraphs, longer than the article."""
    stream = "".join(
        f"<div class='flow-x'><h1 class='art-t'>第{i}篇：园区迎来新一批入驻企业</h1>{body(story(i))}</div>" for i in range(3)
    )
    text = check(html(body(), stream))
    assert "园区" not in text and "入驻企业" not in text, text


def test_stream_of_linked_story_cards_is_a_list_whatever_their_length():
    """(b) The stream's entries as cards: a headline link and whole paragraphs each, far longer than the article."""
    cards = "".join(
        f"<section class='card'><h3><a href='/a/{i}.html'>第{i}篇：园区迎来新一批入驻企业</a></h3>{body(story(i))}</section>"
        for i in range(4)
    )
    text = check(html(body(), f"<div class='more-x'>{cards}</div>"))
    assert "园区" not in text and "入驻企业" not in text, text


def test_short_story_on_an_aggregator_whose_side_columns_outweigh_it():
    """(c) Side columns of cards (thumbnail, headline link, long summary) hold more text than the story."""
    cards = "".join(
        f"<div class='box'><a href='/b/{i}.html'><img src='/i/{i}.jpg'></a>"
        f"<h4><a href='/b/{i}.html'>第{i}篇：园区迎来新一批入驻企业</a></h4><p>{OTHER[0]}{OTHER[1]}</p></div>"
        for i in range(6)
    )
    text = check(html(body(), side=cards))
    assert "园区" not in text, text


def test_paragraphs_with_links_and_dates_stay():
    """The article's own paragraphs may link and carry dates: a <p> run is never a list."""
    paras = [f"{p}（<a href='/doc/{i}.html'>2024年5月{i + 1}日发布的实施意见全文</a>）" for i, p in enumerate(ARTICLE + OTHER)]
    text = check(html(body(paras)))
    assert text.count("实施意见全文") == 4, text


def test_thread_posts_are_not_teasers():
    """Posts have a user-name link and a timestamp but no headline link: not a list of other stories."""
    posts = "".join(
        f"<div class='row'><a href='/u/{i}'>用户{i}</a><span>2024-05-23 09:4{i}</span><div class='msg'>{OTHER[i % 2]}</div></div>"
        for i in range(4)
    )
    page = html(body(), posts)
    assert boundaries.drop_teaser_lists(_tree(page).find("body")) == 0


def _tree(page: bytes):
    from extractors import dom

    return dom.parse(page.decode()).root


def test_short_page_fallback_never_adds_a_list():
    """trafilatura's default mode (the short-page fallback) keeps a linked feed that precision mode drops."""
    listed = boundaries.list_lines(
        "正文第一句。\n- 第1条：园区迎来新一批入驻企业\n园区迎来新一批入驻企业……\n某某栏目 2024-05-23 09:41:17\n- 第一步，先登录系统",
        "正文第一句。",
        {"第1条园区迎来新一批入驻企业"},
    )
    assert listed == {"- 第1条：园区迎来新一批入驻企业", "园区迎来新一批入驻企业……", "某某栏目 2024-05-23 09:41:17"}


OFF = {"drop_teaser_lists": lambda *a, **k: 0, "cut_second_story": lambda *a, **k: False,
       "list_lines": lambda *a, **k: set()}


@pytest.mark.parametrize("switch_off,test", [
    (("drop_teaser_lists",), test_short_story_on_an_aggregator_whose_side_columns_outweigh_it),
    (("drop_teaser_lists",), test_stream_of_linked_story_cards_is_a_list_whatever_their_length),
    (("cut_second_story",), test_stream_of_whole_stories_after_the_article_is_cut_at_the_second_headline),
    # the teaser feed is caught twice: as a list in the tree, and again if the fallback brings its lines back
    (("drop_teaser_lists", "list_lines"), test_teaser_feed_after_a_short_story_is_a_list),
    (("list_lines",), test_short_page_fallback_never_adds_a_list),
])
def test_each_mechanism_is_what_passes_its_test(monkeypatch, switch_off, test):
    """Switched off, the mechanism's own failure class comes back."""
    for name in switch_off:
        monkeypatch.setattr(boundaries, name, OFF[name])
    with pytest.raises(AssertionError):
        test()


def test_a_heading_shaped_like_the_headline_inside_the_body_is_a_section():
    """The body block holds the article's paragraphs and, after them, a heading styled like the headline: the
    block does not open with that heading, so it is this article's next section, not another story."""
    main = ("<div class='txt'>" + "".join(f"<p>{p}</p>" for p in ARTICLE)
            + "<h1 class='art-t'>会议还研究了其他事项</h1>" + "".join(f"<p>{p}</p>" for p in OTHER) + "</div>")
    text = check(html(main))
    assert all(p in text for p in OTHER), text
