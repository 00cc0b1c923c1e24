"""The one record type every output of policycrawl shares (JSONL lines, WARC conversion records, re-extraction)."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any

SCHEMA_VERSION = "1.1"

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
class GovField:
    """One line of a 信息公开 block as the page shows it."""

    label: str  # the page's own label, padding and colon removed ("索引号", "主题词", "语种")
    value: str  # as shown
    key: str | None = None  # normalised key (extractors.gov.VOCABULARY) when the label is a known one


@dataclass(frozen=True)
class GovInfo:
    """The 信息公开 (government information disclosure) block found on official documents: the known fields under
    normalised keys (dates as ISO days), and every field the page shows, known or not, in `fields`."""

    index_no: str | None = None  # 索引号
    doc_no: str | None = None  # 发文字号 / 文号
    issuer: str | None = None  # 发文机关 / 发布机构
    written_date: str | None = None  # 成文日期, ISO date
    published_date: str | None = None  # 发布日期 / 公开日期 / 生成日期, ISO date
    # Added in schema 1.1:
    effective_date: str | None = None  # 实施日期 / 施行日期, ISO date
    expiry_date: str | None = None  # 废止日期 / 失效日期, ISO date
    title: str | None = None  # 标题 / 名称
    topic: str | None = None  # 主题分类
    category: str | None = None  # 分类 / 组配分类
    genre: str | None = None  # 体裁分类 / 文种
    subject_words: str | None = None  # 主题词
    validity: str | None = None  # 有效性
    fields: tuple[GovField, ...] = ()  # every label → value, in page order
    layout: str | None = None  # where it was found: "table", "rows", "lines", "dl", "comment"


@dataclass(frozen=True)
class Encoding:
    name: str  # Python codec name actually used, e.g. "gb18030"
    source: str  # "bom" | "http" | "meta" | "hint" (site declaration) | "detected" | "fallback"


@dataclass(frozen=True)
class Record:
    """One article, as the extractor found it in the page. Field formats are documented in
    archive/schema/record.schema.json; the archive adds where the capture lies (`warc`) and which earlier version
    it replaces (`replaces`) when it writes the line (archive/pointer.py): the extractor knows nothing of WARCs."""

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
    # Where `published` came from, most trusted first: "selector" (site declaration), "label" (a labelled 发布日期 /
    # 发文日期 / 生成日期 field), "header" (a date next to the headline), "meta", "url", "listing", "text", "htmldate".
    published_from: str | None = None
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
    extractor_version: str = ""
    schema_version: str = SCHEMA_VERSION
    # Id of the site template model (extractors/template.py) the text was extracted with; the model itself is a
    # metadata record in the same WARC file, so re-extraction can use the same one. Added in schema 1.1.
    template: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["region"]["mentioned"] = list(self.region.mentioned)
        data["attachments"] = [dataclasses.asdict(a) for a in self.attachments]
        if self.gov is not None:
            data["gov"]["fields"] = [dataclasses.asdict(f) for f in self.gov.fields]
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
            gov = dict(data["gov"])
            gov["fields"] = tuple(GovField(**f) for f in gov.get("fields") or ())
            known_gov = {f.name for f in dataclasses.fields(GovInfo)}
            data["gov"] = GovInfo(**{k: v for k, v in gov.items() if k in known_gov})
        if data.get("encoding"):
            data["encoding"] = Encoding(**data["encoding"])
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})
