"""Re-checking archived articles: when one is due, how to ask (conditional GET), and what the answer means.

A URL archived more than POLICYCRAWL_RECHECK_AFTER seconds ago is fetched again with If-None-Match /
If-Modified-Since from the stored version. The capture middleware then decides, before anything is written:

- 304, or 200 with the stored payload digest → "unchanged": a WARC revisit record (server-not-modified or
  identical-payload-digest) pointing at the stored response; no new JSONL line.
- 200 with another payload that decodes to the same body (gzip with a timestamp) → "identical-content": a full
  capture, since a revisit may only claim an identical payload, but no new JSONL line.
- 200 with another body → "changed": a full capture and a new JSONL line whose `replaces` is the
  WARC-Record-ID of the response the earlier version was made from (Record.id is per canonical URL, so it
  cannot tell versions apart; that WARC record id is unique per version and is the earlier line's
  `warc.record_id`).

A revisit may only point at a record in a WARC file that was completed and validated (archive.warc_check):
otherwise the 200 is captured in full, and a 304 is followed by one unconditional fetch.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

from archive.state import CrawlState, UrlState
from archive.warc import OPEN_SUFFIX
from archive.warc_check import check_warc

logger = logging.getLogger(__name__)

RECHECK_META = "policycrawl_recheck"  # the stored UrlState of the version being re-checked
UNCHANGED_META = "policycrawl_unchanged"  # set by capture: the stored version is still current
REFETCH_META = "policycrawl_refetch"  # set by capture: a 304 whose original cannot be referred to

UNCHANGED = "unchanged"
CHANGED = "changed"


class RecheckPolicy:
    def __init__(self, after_seconds: float, batch: int):
        self.after = after_seconds
        self.batch = batch

    @property
    def enabled(self) -> bool:
        return self.after > 0

    def checked_before(self, now: datetime | None = None) -> str:
        """ISO UTC cut-off: URLs last fetched before it are due (same format as archive.state.now_iso)."""
        moment = (now or datetime.now(UTC)) - timedelta(seconds=self.after)
        return moment.isoformat(timespec="seconds")

    def is_due(self, known: UrlState) -> bool:
        if not self.enabled or known.state != "done" or not known.record_warc_id:
            return False
        last = known.last_checked
        return last is None or last < self.checked_before()

    @staticmethod
    def conditional_headers(known: UrlState) -> dict[str, str]:
        headers = {}
        if known.etag:
            headers["If-None-Match"] = known.etag
        if known.last_modified:
            headers["If-Modified-Since"] = known.last_modified
        return headers


def original_is_referable(state: CrawlState, warc_dir: Path, known: UrlState) -> bool:
    """True when the stored response lies in a finished WARC file that passed check_warc (checked once per file)."""
    pointer = known.version_pointer
    if pointer is None or pointer.filename.endswith(OPEN_SUFFIX):
        return False
    path = warc_dir / pointer.filename
    if not path.is_file():
        return False
    size = path.stat().st_size
    verdict = state.warc_file_valid(pointer.filename, size)
    if verdict is None:
        problems = check_warc(path)
        verdict = not problems
        if problems:
            logger.warning("%s failed validation, revisits will not point into it: %s", path.name, problems[:3])
        state.set_warc_file_valid(pointer.filename, size, verdict)
    return verdict
