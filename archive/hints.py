"""What a listing said about an article (its date, its 文号: extractors/listing_hints.py), kept in the WARC.

The crawl fills a record's `published` / `gov.doc_no` from the listing that linked the page (a gkmlpt API item)
when the page itself gives none. The listing's response is in the WARC, but which item went with which article is
the crawl's knowledge, so it is written next to the capture as a `metadata` record (WARC-Refers-To the page's
response) and `policycrawl extract` applies it again: records rebuilt from the WARCs alone say what the crawl's said.
"""

from __future__ import annotations

import json
import logging

from archive.pointer import WarcPointer

logger = logging.getLogger(__name__)

# Not application/json: those metadata/conversion records are the extracted records (archive/reextract.py).
CONTENT_TYPE = "application/vnd.policycrawl.listing-hint+json"


def write_hint(warc, pointer: WarcPointer, url: str, hint: dict) -> None:
    """The hint as a metadata record about the capture at `pointer`."""
    body = json.dumps(hint, ensure_ascii=False, sort_keys=True).encode("utf-8")
    warc.write_metadata(pointer, url, body, CONTENT_TYPE, "metadata")


def read_hint(rec) -> tuple[str, dict] | None:
    """(WARC-Refers-To, hint) when `rec` is a hint record, else None."""
    if rec.rec_type != "metadata" or not (rec.headers.get("Content-Type") or "").startswith(CONTENT_TYPE):
        return None
    try:
        hint = json.loads(rec.block)
    except ValueError:
        logger.warning("unreadable listing hint for %s", rec.headers.get("WARC-Refers-To"))
        return None
    return (rec.headers.get("WARC-Refers-To") or "", hint) if isinstance(hint, dict) else None
