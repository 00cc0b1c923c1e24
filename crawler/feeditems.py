"""The last item pipeline: what leaves the pipelines is the record, as plain JSON-able data.

`scrapy crawl policy -O items.jsonl` (Scrapy's feed exports) then writes exactly the records of the run's JSONL:
the internal items carry raw bytes (the page body, headers) that no feed exporter can serialise. Runs last, so
every earlier pipeline (archive, attachments) still sees the internal item.
"""

from __future__ import annotations

import dataclasses
from typing import Any


class RecordItemPipeline:
    def process_item(self, item: Any) -> Any:
        archived = getattr(item, "archived", None)  # the line the archive wrote (record + WARC pointer)
        if archived is not None:
            return archived.to_dict()
        record = getattr(item, "record", None)
        if record is not None and hasattr(record, "to_dict"):
            return record.to_dict()
        if hasattr(item, "url") and hasattr(item, "body"):
            # Captured only (POLICYCRAWL_EXTRACT off), or an attachment still without a record: where it is.
            warc = getattr(item, "warc", None)
            return {"url": item.url, "http_status": getattr(item, "status", None),
                    "warc": dataclasses.asdict(warc) if dataclasses.is_dataclass(warc) else None}
        return item
