"""Log lines that name a page, never print it.

Scrapy's LogFormatter puts the whole item into "Scraped from", "Dropped" and "Error processing" lines; an
article item carries the raw page body, so one dropped 110 KB page became a 438,000-character WARNING line.
Here an item is named by its URL (and a record by URL + status); a dropped non-article is INFO (the summary
counts them by reason), an item error stays ERROR.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.logformatter import LogFormatter


def describe(item: Any) -> str:
    """A short name for an item: its URL and, for an extracted one, its status; never its body or text."""
    if isinstance(item, dict):
        url, status = item.get("url"), item.get("status")
    else:
        url = getattr(item, "url", None)
        record = getattr(item, "record", None)
        status = getattr(record, "status", None) if record is not None else getattr(item, "status", None)
    if url is None:
        return f"<{type(item).__name__}>"
    return f"{url} ({status})" if status is not None else str(url)


class PolicyLogFormatter(LogFormatter):
    def scraped(self, item, response, spider):
        result = super().scraped(item, response, spider)
        result["args"] = {**result["args"], "item": describe(item)}
        return result

    def dropped(self, item, exception, response, spider):
        result = super().dropped(item, exception, response, spider)
        result["level"] = min(result["level"], logging.INFO)
        result["msg"] = "Dropped: %(exception)s"
        result["args"] = {"exception": str(exception)[:300]}
        return result

    def item_error(self, item, exception, response, spider):
        result = super().item_error(item, exception, response, spider)
        result["args"] = {**result["args"], "item": describe(item)}
        return result
