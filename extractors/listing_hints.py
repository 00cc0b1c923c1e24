"""What a listing says about an article it links (its date, its 文号), carried to the article's record.

A gkmlpt API item gives the document's publish date and 文号; an article page usually shows them too, and the
page wins. The listing's date is used when the page yields none, or only a weaker one than a listing's (a date
found in the running text, or htmldate's guess: `published_from` ranks them after "listing"), and the record
then says `published_from = "listing"`; a 文号 fills the record's 信息公开 `doc_no` only when the page has none.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from extractors.record import GovInfo, Record

_CST = timezone(timedelta(hours=8))
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")


def normalise_date(value: Any) -> str | None:
    """An ISO day (+08:00 calendar) from what an API gives: Unix seconds or milliseconds, or a date string."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)) or (isinstance(value, str) and value.strip().isdigit() and len(value.strip()) >= 9):
        stamp = float(value)
        if stamp > 1e11:  # milliseconds
            stamp /= 1000
        if not 0 < stamp < 4e9:
            return None
        return datetime.fromtimestamp(stamp, UTC).astimezone(_CST).date().isoformat()
    if isinstance(value, str):
        m = _DATE.search(value)
        if m:
            y, mo, d = (int(x) for x in m.groups())
            try:
                return datetime(y, mo, d).date().isoformat()
            except ValueError:
                return None
    return None


def listing_hint(*, title: Any = None, date: Any = None, doc_no: Any = None, source: str = "") -> dict | None:
    hint = {
        "title": title.strip() if isinstance(title, str) and title.strip() else None,
        "date": normalise_date(date),
        "date_raw": str(date) if date not in (None, "") else None,
        "doc_no": doc_no.strip() if isinstance(doc_no, str) and doc_no.strip() else None,
        "source": source,
    }
    return hint if any(hint[k] for k in ("title", "date", "doc_no")) else None


_HAS_PUBLISHED_FROM = "published_from" in {f.name for f in dataclasses.fields(Record)}
# Sources of `published` a listing's own date is more trustworthy than (archive/schema/record.schema.json).
_WEAKER_THAN_LISTING = (None, "text", "htmldate")


def apply(record: Record, hint: dict | None) -> Record:
    """The record with the listing's date / 文号 filled in where the page gave none."""
    if not hint or record.status != "ok":
        return record
    changes: dict[str, Any] = {}
    weaker = getattr(record, "published_from", None) in _WEAKER_THAN_LISTING
    if hint.get("date") and (not record.published or (_HAS_PUBLISHED_FROM and weaker)):
        changes["published"] = hint["date"]
        changes["published_raw"] = hint.get("date_raw")
        if _HAS_PUBLISHED_FROM:
            changes["published_from"] = "listing"
    if hint.get("doc_no") and not (record.gov and record.gov.doc_no):
        changes["gov"] = dataclasses.replace(record.gov or GovInfo(), doc_no=hint["doc_no"])
    return dataclasses.replace(record, **changes) if changes else record
