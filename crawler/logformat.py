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


# Loggers whose warnings are about the user's data on disk: a damaged JSONL line moved to quarantine, a WARC left
# open and repaired, a state rebuilt from the archive, an unreadable run summary or site template. archive/ owns
# every byte on disk and crawler/session.py opens it at start-up; what they warn about, a user must hear of even
# with the quiet terminal, not only in OUT/logs/<run>.log.
DATA_LOGGERS = ("archive", "crawler.session", "crawler.distributed.session")


class DataNotices(logging.Filter):
    """Terminal filter: records from `level` up, and warnings of DATA_LOGGERS."""

    def __init__(self, level: int):
        super().__init__()
        self.level = level

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= self.level:
            return True
        name = record.name
        return record.levelno >= logging.WARNING and any(name == n or name.startswith(n + ".") for n in DATA_LOGGERS)


class OneLineFormatter(logging.Formatter):
    """One line per record on the terminal (a traceback or a multi-line message stays in the log file)."""

    def format(self, record: logging.LogRecord) -> str:
        line = super().formatMessage(_with_message(record)).replace("\r", " ").replace("\n", " | ")
        return line if len(line) <= 2000 else line[:2000] + "…"


def _with_message(record: logging.LogRecord) -> logging.LogRecord:
    record.message = record.getMessage()
    return record
