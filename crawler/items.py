"""What the spider hands to the pipelines: one fetched article page, before and after extraction."""

from __future__ import annotations

from dataclasses import dataclass

from archive.pointer import ArchivedRecord, WarcPointer
from extractors.record import Record
from extractors.source import SourceInfo


@dataclass(repr=False)
class ArticlePage:
    frontier_url: str  # canonical URL the frontier knows the article by (before redirects)
    url: str  # final URL of the response
    status: int
    headers: tuple[tuple[str, str], ...]  # latin-1 decoded, all values kept
    body: bytes  # content-decoded body (the WARC keeps the encoded bytes)
    source: SourceInfo
    fetched_at: str
    warc: WarcPointer | None
    record: Record | None = None
    # Incremental runs: what the WARC response record looks like (stored so a later revisit can refer to it),
    # and the WARC-Record-ID of the earlier version this capture replaces (None for a first capture).
    payload_digest: str | None = None
    content_digest: str | None = None  # of `body`, decoded: see archive.state
    warc_date: str | None = None
    replaces: str | None = None
    # What the listing that linked the page said about it (extractors/listing_hints.py), or None.
    listing_hint: dict | None = None
    # The line written for it (record + WARC pointer + replaces), once archived: feed exports write it.
    archived: ArchivedRecord | None = None

    def __repr__(self) -> str:
        # Scrapy logs items ("Dropped: ...", "Scraped from ...") with their repr: never the body or the text,
        # which turned one 30 MB page into a 125 MB log line.
        record = f" record={self.record.status}" if self.record is not None else ""
        return f"<ArticlePage {self.url} status={self.status} body={len(self.body)} bytes{record}>"
