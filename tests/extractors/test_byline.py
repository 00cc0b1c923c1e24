"""Bylines: several reporters, colon/space separators, a signature closing the article."""

from __future__ import annotations

import pytest

from extractors.byline import find_author


@pytest.mark.parametrize(
    ("header", "author"),
    [
        ("本报记者 张三 李四 王五 报道", "张三, 李四, 王五"),
        ("记者：张三 李四 王五", "张三, 李四, 王五"),
        ("记者 张三、李四、王五、赵六", "张三, 李四, 王五, 赵六"),
        ("本报讯（记者 张三 通讯员 李四）", "张三, 李四"),
        ("本报记者 张三 北京报道", "张三"),
        ("记者 张三 摄影报道", "张三"),
    ],
)
def test_header_bylines(header, author):
    assert find_author(header, "", {}, None) == author


@pytest.mark.parametrize(
    ("tail", "author"),
    [
        ("……推动高质量发展。（钟才文）", "钟才文"),
        ("……工作落到实处。(张三 李四)", "张三, 李四"),
        ("……推动高质量发展。（完）", None),
        ("……推动高质量发展。（新华社）", None),
        ("……推动高质量发展。（上海）", None),  # a place, not a person
        ("……推动高质量发展。（待续）", None),
    ],
)
def test_signature_at_the_end(tail, author):
    assert find_author("", "", {}, None, tail) == author
