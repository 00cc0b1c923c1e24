"""The WARC pointer and `replaces` belong to the archive (archive/pointer.py), not to the extractor's record; the JSONL
line the archive writes stays byte for byte what it was when they were record fields."""

from __future__ import annotations

import dataclasses
import json

from archive.pointer import ArchivedRecord, WarcPointer
from extractors.attachment import AttachmentRecord
from extractors.record import Record
from tests.conftest import REPO

# One article line (gov block, attachments, site template) and one attachment line, written by the demo crawl with
# the code from before the split (warc and replaces were then fields of Record / AttachmentRecord).
LINES = (REPO / "tests" / "fixtures" / "archived_lines_1.1.jsonl").read_text("utf-8").splitlines()


def test_lines_written_before_the_split_are_written_again_byte_for_byte():
    assert len(LINES) == 2
    for line in LINES:
        data = json.loads(line)
        archived = ArchivedRecord.from_dict(data)
        assert archived.warc is not None and archived.warc.record_id == data["warc"]["record_id"]
        assert archived.to_json() == line


def test_replaces_goes_where_the_schema_had_it():
    for line in LINES:
        data = json.loads(line)
        data["replaces"] = "<urn:uuid:00000000-0000-4000-8000-000000000000>"  # keeps its place in the dict
        expected = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        assert ArchivedRecord.from_dict(json.loads(expected)).to_json() == expected


def test_a_bare_record_is_a_line_without_a_capture():
    line = ArchivedRecord(Record(id="a" * 32, url="http://x.example/1", status="ok")).to_dict()
    assert line["warc"] is None and line["replaces"] is None
    keys = list(line)
    assert keys.index("status_detail") + 1 == keys.index("warc") and keys.index("schema_version") + 1 == keys.index(
        "replaces")


def test_the_extractor_knows_nothing_of_warcs():
    for kind in (Record, AttachmentRecord):
        names = {f.name for f in dataclasses.fields(kind)}
        assert not names & {"warc", "replaces"}, kind
    for path in (REPO / "extractors").rglob("*.py"):
        assert "WarcPointer" not in path.read_text("utf-8"), path
    assert WarcPointer.__module__ == "archive.pointer"
