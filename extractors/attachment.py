"""The attachment record: one JSON line per attachment an article links (PDF, DOCX, XLSX, ...), linked to its
article by `article_id` + `article_url`. Its own record type with its own schema (archive/schema/
attachment.schema.json): attachments are captured after their article's line is written, have fields an article
has not (sha256, size, format, pages) and a downstream user reading articles never has to skip them.

`extract_attachment` is the worker entry (bytes + URL + headers in, AttachmentRecord out; pure): the live crawl and
`policycrawl extract` both call it, so re-extraction rebuilds the same records from the WARC.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from extractors.documents import DocumentText, Limits, bounded_memory, extract_document

ATTACHMENT_SCHEMA_VERSION = "1.0"
ATTACHMENT_EXTRACTOR_VERSION = "0.1.0"
RECORD_TYPE = "attachment"


@dataclass(frozen=True)
class AttachmentRecord:
    """Field formats are documented in archive/schema/attachment.schema.json. The archive adds `warc` (the
    response record holding the bytes) and `replaces` (the earlier version's WARC-Record-ID) when it writes the
    line: archive/pointer.py."""

    id: str  # sha256 of the canonical URL, 32 hex (the same rule as Record.id)
    url: str  # as linked from the article
    article_id: str
    article_url: str
    status: str  # see archive/schema/attachment.schema.json
    record_type: str = RECORD_TYPE
    source: str | None = None
    name: str = ""  # the link's text (附件1：…实施方案.pdf)
    type: str = ""  # the link's extension, as in the article's attachments list
    final_url: str | None = None  # after redirects, when different
    http_status: int | None = None
    content_type: str | None = None
    format: str | None = None  # what the bytes are: pdf, docx, xlsx, xls, text, html, doc, wps, ofd, zip, unknown
    size: int | None = None  # bytes of the document (Content-Encoding undone)
    sha256: str | None = None  # of those bytes
    pages: int | None = None  # PDF pages read
    text: str = ""  # Simplified, cleaned like article text
    text_original: str | None = None  # set only when the document was in Traditional script
    status_detail: str | None = None
    fetched_at: str | None = None
    extractor_version: str = ATTACHMENT_EXTRACTOR_VERSION
    schema_version: str = ATTACHMENT_SCHEMA_VERSION

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AttachmentRecord:
        data = dict(data)
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def attachment_id(url: str) -> str:
    from extractors.api import record_id

    return record_id(url)


def _header(headers: Sequence[tuple[str, str]] | Mapping[str, str], name: str) -> str | None:
    items = headers.items() if isinstance(headers, Mapping) else headers
    for key, value in items:
        if key.lower() == name:
            return value
    return None


def extract_attachment(body: bytes, url: str, headers=(), *, link_url: str, article_id: str, article_url: str,
                       name: str = "", type: str = "", source: str | None = None, fetched_at: str | None = None,
                       http_status: int | None = 200, limits: Limits = Limits(), max_memory: int = 0
                       ) -> AttachmentRecord:
    """The record of one fetched attachment. max_memory > 0 caps the process's extra address space meanwhile
    (worker processes only). Never raises."""
    content_type = _header(headers, "content-type")
    with bounded_memory(max_memory):
        try:
            doc = extract_document(body, url, content_type, limits)
        except MemoryError:
            doc = DocumentText("too-large", "unknown", detail="ran out of the memory allowed for one attachment")
    return AttachmentRecord(
        id=attachment_id(link_url),
        url=link_url,
        final_url=url if url != link_url else None,
        article_id=article_id,
        article_url=article_url,
        status=doc.status,
        source=source,
        name=name,
        type=type,
        http_status=http_status,
        content_type=content_type,
        format=doc.format,
        size=len(body),
        sha256=hashlib.sha256(body).hexdigest(),
        pages=doc.pages,
        text=doc.text,
        text_original=doc.text_original,
        status_detail=doc.detail,
        fetched_at=fetched_at,
    )


def failed_attachment(link_url: str, *, article_id: str, article_url: str, status: str, detail: str | None = None,
                      name: str = "", type: str = "", source: str | None = None, http_status: int | None = None,
                      fetched_at: str | None = None) -> AttachmentRecord:
    """The record of an attachment whose bytes were not (all) fetched: 404, too large, refused, out of budget."""
    return AttachmentRecord(
        id=attachment_id(link_url), url=link_url, article_id=article_id, article_url=article_url, status=status,
        source=source, name=name, type=type, http_status=http_status, status_detail=detail, fetched_at=fetched_at,
    )
