"""Golden files: captured bytes + headers → the record fields we expect (encodings, chrome, ruby, script, gov)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from extractors import extract
from extractors.script import t2s

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "extract"
CASES = sorted(p.stem for p in FIXTURES.glob("*.html"))


def load(name: str):
    body = (FIXTURES / f"{name}.html").read_bytes()
    headers = []
    for line in (FIXTURES / f"{name}.headers").read_text("latin-1").splitlines():
        if line.strip():
            key, _, value = line.partition(":")
            headers.append((key.strip(), value.strip()))
    expect = json.loads((FIXTURES / f"{name}.json").read_text("utf-8"))
    return body, headers, expect


def squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def test_fixtures_exist():
    assert len(CASES) >= 12, "run tests/fixtures/extract/make_fixtures.py"


@pytest.mark.parametrize("name", CASES)
def test_golden(name):
    body, headers, expect = load(name)
    rec = extract(body, expect.get("url", f"https://example.cn/{name}.html"), headers)
    assert rec.status == expect["status"], rec.status_detail
    for field in ("title", "published", "author", "editor", "original_source", "script_original"):
        if field in expect:
            assert getattr(rec, field) == expect[field], field
    if "encoding" in expect:
        assert (rec.encoding.name, rec.encoding.source) == (expect["encoding"]["name"], expect["encoding"]["source"])
    text = squash(rec.text)
    for snippet in expect.get("text_contains", []):
        assert squash(snippet) in text, snippet
    for snippet in expect.get("text_original_contains", []):
        assert squash(snippet) in squash(rec.text_original or ""), snippet
    lines = {squash(line) for line in rec.text.splitlines()}
    for line in expect.get("chrome", []):
        simplified = squash(t2s(line))
        assert squash(line) not in lines and simplified not in lines, f"chrome line kept: {line}"
        if len(squash(line)) >= 6:
            assert squash(line) not in text and simplified not in text, f"chrome kept inside text: {line}"
    for snippet in expect.get("once", []):
        assert text.count(squash(t2s(snippet))) == 1, f"repeated: {snippet}"
    if "gov" in expect:
        assert rec.gov is not None
        for key, value in expect["gov"].items():
            assert getattr(rec.gov, key) == value, key
    if "attachments" in expect:
        assert [(a.url, a.name, a.type) for a in rec.attachments] == [
            (a["url"], a["name"], a["type"]) for a in expect["attachments"]
        ]
    # Always: no U+FFFD, no flattened pinyin, no Traditional-only character left in the Simplified text.
    assert "\ufffd" not in rec.text
    assert not re.search(r"[\u4e00-\u9fff][(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+[)）]", rec.text)
    assert t2s(rec.text) == rec.text


def test_ruby_rt_dropped_and_brackets_kept():
    body, headers, _ = load("chrome_tuituisoft_like")
    rec = extract(body, "https://example.cn/a.html", headers)
    assert "(CCPA)" in rec.text and "（2025年2月6日）" in rec.text
    body, headers, _ = load("chrome_jiemian_like")
    rec = extract(body, "https://example.cn/b.html", headers)
    assert "jūn" not in rec.text and "zhì" not in rec.text
    assert "军令状" in rec.text and "新质生产力" in rec.text
    assert rec.text_original and "新質生產力" in rec.text_original


def test_simplified_text_is_never_converted():
    html = (
        "<html><head><meta charset='utf-8'><title>吉林省松原市乾安县推进乡村振兴</title></head><body>"
        "<h1>吉林省松原市乾安县推进乡村振兴</h1><div class='content'><p>乾安县今年新建高标准农田十万亩，"
        "带动农民增收，全县粮食总产量再创新高。</p><p>县里还将发展乾安特色杂粮加工产业，延长产业链条。</p></div></body></html>"
    ).encode("utf-8")
    rec = extract(html, "https://example.cn/qa.html")
    assert "乾安县" in rec.text and "干安县" not in rec.text
    assert rec.script_original is None and rec.text_original is None
    assert rec.region.mentioned == ("吉林省", "松原市")


def test_records_validate_against_the_archive_schema():
    from archive.pointer import ArchivedRecord

    jsonschema = pytest.importorskip("jsonschema")
    schema_path = Path(__file__).resolve().parents[2] / "archive" / "schema" / "record.schema.json"
    if not schema_path.exists():
        pytest.skip("archive/schema/record.schema.json not present")
    schema = json.loads(schema_path.read_text("utf-8"))
    for name in CASES:
        body, headers, expect = load(name)
        rec = extract(body, expect.get("url", f"https://example.cn/{name}.html"), headers)
        jsonschema.validate(ArchivedRecord(rec).to_dict(), schema)  # the line the archive writes of it
