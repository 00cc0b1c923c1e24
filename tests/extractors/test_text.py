"""Line cleaning: flattened pinyin, boilerplate phrases, editor credits, repeats."""

from __future__ import annotations

from extractors.text import clean_lines, editor_of, strip_pinyin


def test_flattened_ruby_removed_real_brackets_kept():
    assert strip_pinyin("高質(zhì)量發(fā)展") == "高質量發展"
    assert strip_pinyin("中國(CCPA)協會（2025年2月6日）") == "中國(CCPA)協會（2025年2月6日）"
    assert strip_pinyin("工人們(men)正在高質(zhì)量發(fā)展") == "工人們正在高質量發展"
    # toneless brackets stay on a page with no marked annotation: they may be an abbreviation
    assert strip_pinyin("会员们(men)") == "会员们(men)"
    assert strip_pinyin("新xīn質zhì生shēng產chǎn力") == "新質生產力"


def test_editor_credits():
    assert editor_of("编辑 贺佳艺 审读 韩绍俊 二审 党毅浩 三审 张雪松") == "贺佳艺"
    assert editor_of("(责编：胡永秋、杨光宇)") == "胡永秋、杨光宇"
    assert editor_of("【责任编辑：刘峻凌】") == "刘峻凌"
    assert editor_of("编辑部今年共收到读者来信三千余封，其中多数涉及民生问题。") is None


def test_repeated_body_kept_once():
    paras = [f"第{i}段正文内容，讲述当地推动产业转型升级的具体做法和阶段性成效。" for i in range(5)]
    doubled = "\n".join(paras + ["评论", "暂无评论哦，快来评价一下吧！"] + paras)
    out = clean_lines(doubled).text.splitlines()
    assert out == paras


def test_lead_repeated_with_small_edit_kept_once():
    lead = "近段时间，地方两会密集召开。在全国多个省市的政府工作报告中，发展新质生产力均被列入重点工作"
    out = clean_lines("\n".join([lead, lead + "。", "第二段内容在这里，具体介绍各地的产业计划和目标。"])).text.splitlines()
    assert len(out) == 2


def test_identical_photo_captions_are_separate_photos():
    lead = "市政府19日召开新闻发布会，介绍今年以来全市推动制造业高质量发展的主要举措和成效。"
    caption = "5月19日，在市政府新闻发布厅，发布人介绍有关情况。 新华社记者 张三 摄"
    out = clean_lines("\n".join([lead, caption, caption, caption])).text.splitlines()
    assert out == [lead, caption, caption, caption]


def test_captions_inside_a_repeated_body_go_with_it():
    paras = [f"第{i}段正文内容，讲述当地推动产业转型升级的具体做法和阶段性成效。" for i in range(4)]
    body = [paras[0], "5月19日，在市政府新闻发布厅，发布人介绍有关情况。 新华社记者 张三 摄", *paras[1:]]
    out = clean_lines("\n".join(body + body)).text.splitlines()
    assert out == body


def test_end_marker_cuts_tail_only_late():
    body = [f"第{i}段正文，介绍本地制造业的发展情况以及下一步的工作安排和具体措施。" for i in range(6)]
    text = "\n".join(body + ["相关推荐", "某明星八卦新闻标题", "另一条热门新闻标题"])
    out = clean_lines(text).text
    assert "八卦" not in out and body[-1] in out
    # early marker (a nav line on top) does not cut the article
    text = "\n".join(["上一篇：旧闻", *body])
    assert clean_lines(text).text.splitlines() == body


def test_empty_editor_credit_dropped():
    from extractors.text import editor_of

    assert editor_of("责任编辑：") == ""
    out = clean_lines("正文第一段内容，介绍本地产业发展的情况和下一步计划。\n责任编辑：").text
    assert "责任编辑" not in out


def test_reprint_dateline_and_counter_lines():
    body = "正文第一段内容，介绍本地产业发展的情况和下一步计划。"
    noise = [
        "时间：2022-11-24 05:30:58编辑：",
        "本作品为“某某栏目”原创，转载时务请注明出处。",
        "更多“某某问题”的相关资讯请关注www.example.com",
        "某某推荐引擎有 8 条更新",
    ]
    assert clean_lines("\n".join([body, *noise])).text == body


def test_thread_replies_after_a_comments_heading_are_kept():
    post = [f"第{i}段正文，介绍本地制造业的发展情况以及下一步的工作安排和具体措施。" for i in range(6)]
    replies = ["楼上说得对，我们这里也是这样做的", "请问具体的申报流程在哪里可以查到"]
    text = "\n".join([*post, "全部评论 (2)", *replies])
    assert replies[0] not in clean_lines(text).text  # under an article, the comments heading ends it
    assert all(r in clean_lines(text, thread=True).text for r in replies)


def test_bulleted_editor_credit_is_a_credit():
    # a credit printed in a list (<li>责任编辑: 刘响</li>) comes out of trafilatura as "- 责任编辑: 刘响"
    cleaned = clean_lines("正文第一段，内容完整。\n- 责任编辑: 刘响", title=None)
    assert cleaned.text == "正文第一段，内容完整。" and cleaned.editor == "刘响"
    kept = clean_lines("正文第一段，内容完整。\n- 编辑部的故事很好看", title=None)
    assert "编辑部的故事" in kept.text  # a list item that starts with 编辑 but credits no one
