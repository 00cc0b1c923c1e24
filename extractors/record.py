"""The one record type every output of policycrawl shares (JSONL lines, WARC conversion records, re-extraction)."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any

SCHEMA_VERSION = "1.0"

# Every page gets exactly one of these; a silent None is never an outcome.
STATUSES = ("ok", "empty", "not-an-article", "too-deep", "timeout", "decode-error", "error")


@dataclass(frozen=True)
class Region:
    """Where a source reports from, with the national administrative division code (GB/T 2260)."""

    province: str | None = None
    city: str | None = None
    code: str | None = None
    # Provinces and cities named in the article's title, beyond the source's own region.
    mentioned: tuple[str, ...] = ()


@dataclass(frozen=True)
class Attachment:
    url: str
    name: str = ""
    # Lower-case file extension without the dot ("pdf", "docx"), or "" when the link has none.
    type: str = ""


@dataclass(frozen=True)
class WarcPointer:
    """Where the HTTP response a record was made from lies: enough to re-read it with any WARC tool."""

    filename: str
    offset: int
    record_id: str


@dataclass(frozen=True)
class GovInfo:
    """The 信息公开 (government information disclosure) table found on official documents."""

    index_no: str | None = None  # 索引号
    doc_no: str | None = None  # 发文字号
    issuer: str | None = None  # 发文机关
    written_date: str | None = None  # 成文日期, ISO date
    published_date: str | None = None  # 发布日期, ISO date


@dataclass(frozen=True)
class Encoding:
    name: str  # Python codec name actually used, e.g. "gb18030"
    source: str  # "bom" | "http" | "meta" | "hint" (site declaration) | "detected" | "fallback"


@dataclass(frozen=True)
class Record:
    """One article. Field formats are documented in archive/schema/record.schema.json."""

    id: str
    url: str
    status: str
    source: str | None = None
    site_name: str | None = None
    region: Region = field(default_factory=Region)
    title: str | None = None
    author: str | None = None
    editor: str | None = None
    original_source: str | None = None  # 来源: the outlet the article was first published by
    published: str | None = None  # ISO 8601, +08:00, only as precise as the page is
    published_raw: str | None = None
    fetched_at: str | None = None
    language: str | None = None
    text: str = ""
    text_original: str | None = None  # set only when the page was not in Simplified script
    script_original: str | None = None  # "Hant" when text_original is set
    attachments: tuple[Attachment, ...] = ()
    gov: GovInfo | None = None
    encoding: Encoding | None = None
    http_status: int | None = None
    status_detail: str | None = None
    warc: WarcPointer | None = None
    extractor_version: str = ""
    schema_version: str = SCHEMA_VERSION
    # Earlier record id this one supersedes when a known article changed (incremental runs).
    replaces: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["region"]["mentioned"] = list(self.region.mentioned)
        data["attachments"] = [dataclasses.asdict(a) for a in self.attachments]
        return data

    def to_json(self) -> str:
        # ensure_ascii=False: downstream readers want UTF-8 Chinese, not \\u escapes.
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Record:
        data = dict(data)
        region = data.get("region") or {}
        data["region"] = Region(
            province=region.get("province"),
            city=region.get("city"),
            code=region.get("code"),
            mentioned=tuple(region.get("mentioned") or ()),
        )
        data["attachments"] = tuple(Attachment(**a) for a in data.get("attachments") or ())
        if data.get("gov"):
            data["gov"] = GovInfo(**data["gov"])
        if data.get("encoding"):
            data["encoding"] = Encoding(**data["encoding"])
        if data.get("warc"):
            data["warc"] = WarcPointer(**data["warc"])
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def with_warc(self, pointer: WarcPointer) -> Record:
        return dataclasses.replace(self, warc=pointer)
