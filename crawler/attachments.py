"""Attachments of archived articles: fetched in the same crawl, archived in the WARC, their text extracted.

After an article's line is written (ArchivePipeline), its `attachments` whose extension is allowed (setting
POLICYCRAWL_ATTACHMENT_TYPES or the profile's `attachment_types`) and whose host the profile allows are
requested through the engine: the same downloader, per-host slot, delays, robots.txt, safety checks and WARC
capture as every page. Each request carries `download_maxsize` (per file) and `download_timeout` (an attachment
that never ends is cut); the run's total is bounded by POLICYCRAWL_ATTACHMENT_RUN_BYTES.

The response comes back here as an AttachmentFile item; its text is extracted in the crawl's worker pool (a
time limit and a memory cap per file, see extractors/documents.py), never on the event loop. The attachment
record goes to records/attachments/<run>.jsonl and, as a `conversion` record, into the WARC beside the response,
so `policycrawl extract` rebuilds it. The attachment counts as done in the state only after the WARC and the
JSONL line are fsynced (GroupCommit).

Incremental runs: an attachment's URL is kept in the frontier under the source id "<source>/attachments" (so it
is never mistaken for a pending article). One archived before is not fetched again unless its article changed
or it is due for a re-check (POLICYCRAWL_RECHECK_AFTER); then it is asked for with a conditional GET, and an
unchanged file becomes a WARC revisit record with no new line, as for pages (crawler/recheck.py).
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from pathlib import Path

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure
from w3lib.url import safe_url_string

from archive.jsonl import JsonlWriter
from archive.pointer import ArchivedRecord
from archive.warc_format import sha1_digest
from crawler.capture import DIGEST_META, FETCHED_META, WARC_DATE_META, WARC_META
from crawler.items import ArticlePage
from crawler.pool import AttachmentCall, ExtractionPool
from crawler.recheck import RECHECK_META, UNCHANGED_META
from crawler.safety import RefusedRequest
from crawler.session import ArchiveSession, frontier_key
from extractors.attachment import AttachmentRecord, extract_attachment, failed_attachment
from extractors.documents import Limits
from extractors.record import Attachment, Record

logger = logging.getLogger(__name__)

ATTACHMENT_META = "policycrawl_attachment"  # the AttachmentJob of an attachment request
STATE_SUFFIX = "/attachments"  # frontier source id of a source's attachments


_FINAL_FAILURES = ("not-found", "too-large", "refused", "robots-disallowed")


@dataclass(frozen=True)
class AttachmentJob:
    link: Attachment
    key: str  # frontier key of the attachment URL
    article_id: str
    article_url: str
    source: str
    changed_article: bool


@dataclass(repr=False)
class AttachmentFile:
    """An attachment response (or its failure), on its way to the attachment pipeline."""

    job: AttachmentJob
    record: AttachmentRecord | None = None  # set when it failed before any bytes (404, too large, refused)
    url: str = ""
    status: int = 0
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    fetched_at: str = ""
    warc: object = None
    payload_digest: str | None = None
    warc_date: str | None = None
    replaces: str | None = None
    unchanged: bool = False
    archived: ArchivedRecord | None = None  # the line written for it

    def __repr__(self) -> str:  # Scrapy logs items: never the body
        return f"<AttachmentFile {self.job.link.url} status={self.status} body={len(self.body)} bytes>"


class AttachmentPipeline:
    def __init__(self, crawler: Crawler):
        settings = crawler.settings
        if not settings.getbool("POLICYCRAWL_ATTACHMENTS"):
            raise NotConfigured("POLICYCRAWL_ATTACHMENTS is off")
        self.crawler = crawler
        self.types = tuple(t.lower().lstrip(".") for t in settings.getlist("POLICYCRAWL_ATTACHMENT_TYPES"))
        self.max_size = settings.getint("POLICYCRAWL_ATTACHMENT_MAX_SIZE")
        self.run_bytes = settings.getint("POLICYCRAWL_ATTACHMENT_RUN_BYTES")
        self.download_timeout = settings.getfloat("POLICYCRAWL_ATTACHMENT_DOWNLOAD_TIMEOUT")
        self.limits = Limits(max_pages=settings.getint("POLICYCRAWL_ATTACHMENT_MAX_PAGES"),
                             max_unpacked=settings.getint("POLICYCRAWL_ATTACHMENT_MAX_UNPACKED"))
        self.bytes_fetched = 0
        self.requested: set[str] = set()  # frontier keys requested in this run
        self._jsonl: JsonlWriter | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AttachmentPipeline:
        return cls(crawler)

    # -- scheduling --------------------------------------------------------------------------------
    async def process_item(self, item):
        if isinstance(item, AttachmentFile):
            await self._archive(item)
            return item
        if isinstance(item, ArticlePage) and item.record is not None and item.record.status == "ok":
            self._schedule(item)
        return item

    def _profile(self, source_id: str):
        for profile in getattr(self.crawler.spider, "profiles", ()) or ():
            if profile.id == source_id:
                return profile
        return None

    def _schedule(self, item: ArticlePage) -> None:
        record: Record = item.record
        profile = self._profile(item.source.id)
        types = tuple(getattr(profile, "attachment_types", None) or self.types)
        session = ArchiveSession.of(self.crawler)
        stats = self.crawler.stats
        for link in record.attachments:
            if link.type not in types:
                continue
            url = safe_url_string(link.url.split("#", 1)[0])
            if not url.startswith(("http://", "https://")):
                continue
            if profile is not None and not profile.allows(url):
                stats.inc_value("policycrawl/attachments/offsite")
                continue
            key = frontier_key(url)
            if key in self.requested:
                continue
            job = AttachmentJob(link, key, record.id, record.url, item.source.id, bool(item.replaces))
            known = session.state.get(key)
            recheck = known is not None and known.state == "done" and known.record_warc_id is not None and (
                job.changed_article or session.recheck.is_due(known))
            if known is not None and known.state in ("done", "failed") and not recheck:
                stats.inc_value("policycrawl/attachments/known")
                continue
            self.requested.add(key)
            if self.bytes_fetched >= self.run_bytes:
                stats.inc_value("policycrawl/attachments/run-limit")
                self._write_failure(job, "run-limit", f"POLICYCRAWL_ATTACHMENT_RUN_BYTES ({self.run_bytes}) reached")
                continue
            if known is None:
                session.state.discover(key, item.source.id + STATE_SUFFIX, url)
            meta = {
                ATTACHMENT_META: job,
                "download_maxsize": self.max_size,
                "download_warnsize": 0,
                "download_timeout": self.download_timeout,
                "dont_retry": False,
                "handle_httpstatus_list": [304] if recheck else [],
            }
            headers = {"Referer": record.url}
            if recheck:
                # Conditional GET; an unchanged file becomes a revisit record (crawler/capture.py), no new line.
                meta[RECHECK_META] = known
                headers.update(session.recheck.conditional_headers(known))
            request = Request(url, callback=self._parse, errback=self._failed, meta=meta, priority=5,
                              headers=headers, dont_filter=True)
            try:
                self.crawler.engine.crawl(request)
            except RuntimeError as exc:  # the engine is shutting down: the article stays archived, its files wait
                self.requested.discard(key)
                logger.info("attachment not scheduled, the run is stopping: %s (%s)", url, exc)
                continue
            stats.inc_value("policycrawl/attachments/requested")

    # -- responses ---------------------------------------------------------------------------------
    def _parse(self, response):
        job: AttachmentJob = response.meta[ATTACHMENT_META]
        known = response.meta.get(RECHECK_META)
        headers = tuple((bytes(k).decode("latin-1"), bytes(v).decode("latin-1"))
                        for k, values in response.headers.items() for v in values)
        self.bytes_fetched += len(response.body)
        yield AttachmentFile(
            job=job, url=response.url, status=response.status, headers=headers, body=response.body,
            fetched_at=response.meta.get(FETCHED_META, ""), warc=response.meta.get(WARC_META),
            payload_digest=response.meta.get(DIGEST_META), warc_date=response.meta.get(WARC_DATE_META),
            replaces=known.record_warc_id if known is not None else None,
            unchanged=bool(response.meta.get(UNCHANGED_META)),
        )

    def _failed(self, failure: Failure):
        request = failure.request
        job: AttachmentJob | None = request.meta.get(ATTACHMENT_META)
        if job is None:
            return
        value = failure.value
        status = None
        if failure.check(HttpError):
            status = value.response.status
            reason = "not-found" if status in (404, 410) else f"http-{status}"
        elif failure.check(RefusedRequest):
            reason = "refused"
        elif failure.check(IgnoreRequest) and "robots.txt" in str(value):
            reason = "robots-disallowed"
        elif "maxsize" in str(value).lower() or "max size" in str(value).lower():
            reason = "too-large"
        elif "timeout" in type(value).__name__.lower() or "took longer than" in str(value):
            reason = "download-timeout"
        else:
            reason = "fetch-error"
        if request.meta.get(RECHECK_META) is not None and reason not in ("not-found",):
            return  # a failed re-check keeps the stored version; due again next run
        detail = f"{type(value).__name__}: {value}"[:300]
        self.crawler.stats.inc_value(f"policycrawl/attachments/{reason}")
        logger.warning("attachment %s: %s %s", reason, request.url, detail)
        yield AttachmentFile(job=job, status=status or 0, record=failed_attachment(
            job.link.url, article_id=job.article_id, article_url=job.article_url, status=reason, detail=detail,
            name=job.link.name, type=job.link.type, source=job.source, http_status=status))

    # -- archiving ---------------------------------------------------------------------------------
    def _pool(self) -> ExtractionPool | None:
        from crawler.pipelines import ExtractPipeline

        for component in getattr(self.crawler.engine.scraper.itemproc, "middlewares", ()):
            if isinstance(component, ExtractPipeline):
                return component.pool
        return None

    def _writer(self, session: ArchiveSession) -> JsonlWriter:
        if self._jsonl is None:
            path: Path = session.records_dir / "attachments" / session.records.path.name
            self._jsonl = JsonlWriter(path)
        return self._jsonl

    async def _archive(self, item: AttachmentFile) -> None:
        session = ArchiveSession.of(self.crawler)
        job = item.job
        stats = self.crawler.stats
        if session.outcome == "out-of-space" or session.closed:
            return
        if item.unchanged:
            session.state.mark_checked(job.key, item.status)
            stats.inc_value("policycrawl/attachments/unchanged")
            return
        record = item.record
        line: ArchivedRecord | None = None
        content_digest = sha1_digest(item.body) if item.body else None
        if record is None:
            record = await self._extract(item)
            if item.warc is not None:
                line = ArchivedRecord(record, item.warc, item.replaces)
                session.warc.write_metadata(item.warc, item.url, line.to_json().encode("utf-8"),
                                            "application/json", "conversion")
        item.body = b""
        item.record = record
        if line is None:  # failed before any bytes, or no capture: the line says so (warc null)
            line = ArchivedRecord(record)
        item.archived = line  # feed exports (crawler/feeditems.py) write it
        writer = self._writer(session)
        writer.write(line, sync=False)

        def done() -> None:
            writer.sync()  # after the WARC fsync (GroupCommit.flush), before the state commit
            if line.warc is None:
                # Final failures stay failed; transient ones (timeouts, connection errors) stay pending and are
                # tried again when their article is next archived.
                if record.status in _FINAL_FAILURES:
                    session.state.mark_failed(job.key, record.status, record.http_status)
            else:
                headers = dict((k.lower(), v) for k, v in item.headers)
                session.state.mark_done(
                    job.key, record_id=record.id, http_status=item.status, warc=line.warc,
                    etag=headers.get("etag"), last_modified=headers.get("last-modified"),
                    payload_digest=item.payload_digest, content_digest=content_digest,
                    warc_date=item.warc_date, warc_target_uri=item.url)

        try:
            await session.commit.after_durable(done)
        except Exception as exc:
            session.check_write_error(exc)
            raise
        stats.inc_value(f"policycrawl/attachments/status/{record.status}")
        stats.inc_value("policycrawl/attachments/written")

    async def _extract(self, item: AttachmentFile) -> AttachmentRecord:
        job = item.job
        kwargs = dict(link_url=job.link.url, article_id=job.article_id, article_url=job.article_url,
                      name=job.link.name, type=job.link.type, source=job.source, fetched_at=item.fetched_at,
                      http_status=item.status, limits=self.limits)
        pool = self._pool()
        if pool is None:  # extraction switched off: archived, with size and digest, no text
            return dataclasses.replace(
                extract_attachment(b"", item.url, item.headers, **kwargs), status="not-extracted",
                size=len(item.body), sha256=_sha256(item.body), format=None, status_detail=None)
        # The pool's attachment limits (POLICYCRAWL_ATTACHMENT_*): the same ones `policycrawl extract` applies.
        call = AttachmentCall(link_url=job.link.url, article_id=job.article_id, article_url=job.article_url,
                              name=job.link.name, type=job.link.type, source=job.source)
        return await pool.extract_attachment(item.body, item.url, item.headers, call, fetched_at=item.fetched_at,
                                             http_status=item.status)

    def _write_failure(self, job: AttachmentJob, status: str, detail: str) -> None:
        # Not fetched at all (run limit): the line is written now; nothing in the state changes, so the next run
        # tries again.
        session = ArchiveSession.of(self.crawler)
        self._writer(session).write(failed_attachment(
            job.link.url, article_id=job.article_id, article_url=job.article_url, status=status, detail=detail,
            name=job.link.name, type=job.link.type, source=job.source))

    def close_spider(self) -> None:
        if self._jsonl is not None:
            self._jsonl.close()


def _sha256(body: bytes) -> str:
    import hashlib

    return hashlib.sha256(body).hexdigest()
