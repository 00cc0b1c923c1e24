"""Article pages → records (in the worker pool) → WARC conversion record + JSONL line → frontier "done".

The order is what makes a crash harmless: a URL is marked done only after its WARC records and its JSONL
line are fsynced, so a killed run loses nothing and at worst fetches again what was in flight (bounded by
crawler/backpressure.py). A re-checked article that changed gets a new JSONL line whose `replaces` is the
WARC-Record-ID of the earlier version's response (see crawler/recheck.py).
"""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from archive.hints import write_hint
from archive.pointer import ArchivedRecord
from extractors import listing_hints
from crawler.items import ArticlePage
from crawler.pool import ExtractionPool, WorkerLost
from crawler.retry import RetryPolicy
from crawler.session import ArchiveSession
from crawler.templates import SiteTemplates

logger = logging.getLogger(__name__)


class ExtractPipeline:
    def __init__(self, crawler: Crawler, pool: ExtractionPool | None):
        self.crawler = crawler
        self.pool = pool

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        settings = crawler.settings
        if not settings.getbool("POLICYCRAWL_EXTRACT"):
            return cls(crawler, None)  # fetch-and-archive only: pages reach ArchivePipeline without a record
        # The same pool, from the same settings, as `policycrawl extract` (crawler/pool.py).
        pool = ExtractionPool.from_settings(settings, stopping=lambda: _stopping(crawler))
        return cls(crawler, pool)

    async def process_item(self, item: ArticlePage) -> ArticlePage:
        if self.pool is None or not isinstance(item, ArticlePage):  # attachments: crawler/attachments.py
            return item
        templates = SiteTemplates.of(self.crawler)
        try:
            item.record = await self.pool.extract(
                item.body,
                item.url,
                item.headers,
                source=templates.source_for(item.source) if templates else item.source,
                fetched_at=item.fetched_at,
                http_status=item.status,
            )
        except WorkerLost as exc:
            # The run is stopping and took the worker with it (SIGTERM to the whole unit): not the page's
            # fault. The URL goes back to pending; its capture stays in the WARC, unreferenced.
            session = ArchiveSession.of(self.crawler)
            session.gate.settle(item.frontier_url)
            try:
                session.state.release(item.frontier_url, "interrupted")
            except Exception:  # noqa: BLE001 - state closed or unwritable: the lease is re-queued next start
                pass
            self.crawler.stats.inc_value("policycrawl/extract/interrupted")
            raise DropItem(f"not extracted, the run is stopping: {item.url} ({exc})") from None
        item.record = listing_hints.apply(item.record, item.listing_hint)
        self.crawler.stats.inc_value(f"policycrawl/extract/{item.record.status}")
        if templates:
            templates.observe(item.source.id, item.body, item.url, item.headers, item.record.status)
        return item

    def open_spider(self) -> None:
        if self.pool is not None:
            self.pool.warm_up()

    def close_spider(self) -> None:
        if self.pool is not None:
            self.pool.close()


class ArchivePipeline:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        return cls(crawler)

    async def process_item(self, item: ArticlePage) -> ArticlePage:
        if not isinstance(item, ArticlePage):  # attachments are archived by crawler/attachments.py
            return item
        session = ArchiveSession.of(self.crawler)
        try:
            return await self._archive(session, item)
        finally:
            session.gate.settle(item.frontier_url)

    async def _archive(self, session: ArchiveSession, item: ArticlePage) -> ArticlePage:
        stats = self.crawler.stats
        if session.outcome == "out-of-space" or session.closed:
            # Nothing more is written once the disk is full; the URL stays leased and is fetched next run.
            raise DropItem(f"not archived, the run is stopping ({session.outcome}): {item.url}")
        record = item.record
        source = item.source.id
        try:
            if record is None:  # extraction switched off: the capture is the product
                await session.commit.after_durable(lambda: self._mark_done(session, item, None))
                stats.inc_value(f"policycrawl/source/{source}/captured")
                item.body = b""
                return item
            line = ArchivedRecord(record, item.warc, item.replaces or None)
            if item.warc is not None:
                # The WARC alone must carry both the capture and what we made of it (with the site template used).
                templates = SiteTemplates.of(self.crawler)
                if templates and record.template:
                    templates.ensure_in_warc(session.warc, record, item)
                session.warc.write_metadata(
                    item.warc, item.url, line.to_json().encode("utf-8"), "application/json", "conversion"
                )
                if item.listing_hint:  # so that `policycrawl extract` fills the same fields (archive/hints.py)
                    write_hint(session.warc, item.warc, item.url, item.listing_hint)
            if record.status != "ok":
                await session.commit.after_durable(lambda: self._mark_not_article(session, item, record))
                stats.inc_value(f"policycrawl/source/{source}/failures/extract-{record.status}")
                logger.warning("not archived as an article (%s): %s %s", record.status, item.url,
                               record.status_detail or "")
                raise DropItem(f"{record.status}: {item.url}")
            # already_written: lines a killed run wrote before its state caught up (see ArchiveSession).
            if item.replaces or record.id not in session.already_written:
                session.records.write(line, sync=False)  # synced by the group commit below
            await session.commit.after_durable(lambda: self._mark_done(session, item, record.id))
        except DropItem:
            raise
        except Exception as exc:
            session.check_write_error(exc)
            raise
        stats.inc_value(f"policycrawl/source/{source}/articles")
        stats.inc_value("policycrawl/records/written")
        item.archived = line
        item.body = b""  # the item is logged and kept by Scrapy for a while; drop the heavy part
        return item

    @staticmethod
    def _mark_done(session: ArchiveSession, item: ArticlePage, record_id: str | None) -> None:
        session.state.mark_done(
            item.frontier_url,
            record_id=record_id,
            http_status=item.status,
            warc=item.warc,
            etag=_header(item.headers, "etag"),
            last_modified=_header(item.headers, "last-modified"),
            payload_digest=item.payload_digest,
            content_digest=item.content_digest,
            warc_date=item.warc_date,
            warc_target_uri=item.url,
        )

    @staticmethod
    def _mark_not_article(session: ArchiveSession, item: ArticlePage, record) -> None:
        if item.replaces:  # a re-check that no longer extracts: keep the stored version, try again later
            session.state.mark_checked(item.frontier_url, item.status)
        else:
            # A page that hung or crashed the extractor may be luck (a loaded machine, a worker killed): tried again
            # by a later run, a bounded number of times (crawler/retry.py); any other outcome is final.
            retry = RetryPolicy.from_settings(session.crawler.settings)
            known = session.state.get(item.frontier_url)
            attempts = known.attempts if known is not None else 0
            if retry.extract_failure_retried(record.status, attempts):
                session.state.release(item.frontier_url, record.status, item.status,
                                      retry_at=retry.retry_at(attempts))
            else:
                session.state.mark_failed(item.frontier_url, record.status, item.status)


def _stopping(crawler: Crawler) -> bool:
    session = crawler.get_extension(ArchiveSession)
    engine = crawler.engine
    return bool((session is not None and session.stopping) or engine is None or not engine.running)


def _header(headers: tuple[tuple[str, str], ...], name: str) -> str | None:
    for key, value in headers:
        if key.lower() == name:
            return value
    return None
