"""Link-list pruning: lists of links go, prose that links many of its nouns stays."""

from __future__ import annotations

from extractors import dom, prune


def _pruned_text(body_html: str) -> str:
    root = dom.parse(f"<html><body>{body_html}</body></html>").root
    prune.prune(root)
    return root.text_content()


ROADS = "、".join(
    f'<a href="/wiki/{n}">{n}高速</a>' for n in ("京港澳", "大广", "京雄", "京德", "津雄", "津石", "荣乌", "京昆", "张石")
)


def test_sentence_with_many_links_is_prose():
    para = f"<p>其中纵向线路为{ROADS}。</p>"
    filler = "<p>" + "新区坚持生态优先、绿色发展，统筹生产、生活、生态三大空间。" * 3 + "</p>"
    text = _pruned_text(filler + para)
    assert "京港澳高速" in text and "其中纵向线路为" in text


def test_paragraph_of_links_is_still_a_link_list():
    links = "".join(f'<a href="/n/{i}">相关新闻标题第{i}条</a> ' for i in range(8))
    filler = "<p>" + "新区坚持生态优先、绿色发展，统筹生产、生活、生态三大空间。" * 3 + "</p>"
    text = _pruned_text(filler + f"<p>{links}</p>")
    assert "相关新闻标题" not in text
    # a lead-in phrase does not make a list prose: it does not close like a sentence
    text = _pruned_text(filler + f"<p>更多精彩内容请点击以下链接查看：{links}</p>")
    assert "相关新闻标题" not in text
