"""What the archive adds to an extractor's record: where its capture lies in the WARCs and which version it replaces.

The extractor returns what it found in the page (extractors.Record, extractors.attachment.AttachmentRecord) and
knows nothing about WARC files; the archive wraps that record in an ArchivedRecord when it writes the JSONL line or
the WARC conversion record. The line stays the one archive/schema/record.schema.json (and attachment.schema.json)
describe: `warc` and `replaces` are spliced in at the places they always had, so the bytes written are the same as
when they were fields of the record itself.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # at run time the WARC modules importing WarcPointer need no extractor loaded
    from extractors.attachment import AttachmentRecord
    from extractors.record import Record


@dataclass(frozen=True)
class WarcPointer:
    """Where the HTTP response a record was made from lies: enough to re-read it with any WARC tool."""

    filename: str
    offset: int
    record_id: str

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> WarcPointer | None:
        return cls(data["filename"], data["offset"], data["record_id"]) if data else None


# The key each archive field is written before, per record type: the schemas' field order (JSON readers do not
# care, but a line must be byte for byte what earlier versions wrote, so files stay comparable with plain diff).
_ARTICLE_PLACES = (("warc", "extractor_version"), ("replaces", "template"))
_ATTACHMENT_PLACES = (("warc", "extractor_version"), ("replaces", "extractor_version"))


@dataclass(frozen=True)
class ArchivedRecord:
    """One JSONL line: the extractor's record, the WARC response it was made from, and (for a changed page) the
    WARC-Record-ID of the earlier version's response it replaces."""

    record: Record | AttachmentRecord
    warc: WarcPointer | None = None
    replaces: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = self.record.to_dict()
        places = _ATTACHMENT_PLACES if data.get("record_type") == "attachment" else _ARTICLE_PLACES
        extra = {"warc": asdict(self.warc) if self.warc is not None else None, "replaces": self.replaces}
        before: dict[str, list[str]] = {}
        for name, anchor in places:
            before.setdefault(anchor, []).append(name)
        out: dict[str, Any] = {}
        for key, value in data.items():
            for name in before.pop(key, ()):
                out[name] = extra[name]
            out[key] = value
        for names in before.values():  # an anchor the record does not have: at the end
            for name in names:
                out[name] = extra[name]
        return out

    def to_json(self) -> str:
        # ensure_ascii=False: downstream readers want UTF-8 Chinese, not \\u escapes.
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ArchivedRecord:
        """A JSONL line (schema 1.0 or 1.1, article or attachment) read back."""
        from extractors.attachment import AttachmentRecord
        from extractors.record import Record

        kind = AttachmentRecord if data.get("record_type") == "attachment" else Record
        return cls(kind.from_dict(data), WarcPointer.from_dict(data.get("warc")), data.get("replaces"))
