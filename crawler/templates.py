"""Learning each source's site template during the crawl (the model: extractors/template.py; on disk: archive/templates.py).

A source's model comes from the previous run (`<out>/templates/<source>.json`) or, on a first run, is learned as soon
as LEARN_AT of the source's pages extracted as articles; pages after that are extracted with it. At the end of the run
a model is learned again from up to KEEP of this run's pages and saved for the next run. Each record names the model
it was made with (`template`), and the model goes into the WARC file of that record (ArchivePipeline calls
ensure_in_warc), so `policycrawl extract` re-extracts with the same model. POLICYCRAWL_TEMPLATES=False turns it off.
"""

from __future__ import annotations

import dataclasses
import logging

from scrapy import signals
from scrapy.crawler import Crawler

from archive.templates import TemplateStore, write_to_warc
from extractors import template
from extractors.source import SourceInfo

logger = logging.getLogger(__name__)

LEARN_AT = 8  # article pages of a source before a first model is learned in-run
KEEP = 12  # pages kept per source (their bytes, in memory) to learn from


class SiteTemplates:
    def __init__(self, crawler: Crawler):
        settings = crawler.settings
        self.enabled = settings.getbool("POLICYCRAWL_TEMPLATES") and settings.getbool("POLICYCRAWL_EXTRACT")
        self.store = TemplateStore(settings.get("POLICYCRAWL_OUT"))
        self.models: dict[str, template.SiteTemplate | None] = {}
        self.pages: dict[str, list[tuple[bytes, str, tuple]]] = {}
        self.in_warc: set[tuple[str, str]] = set()  # (WARC file name, model id) already written
        self.crawler = crawler
        crawler.signals.connect(self._closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteTemplates:
        return cls(crawler)

    @staticmethod
    def of(crawler: Crawler) -> SiteTemplates | None:
        keeper = crawler.get_extension(SiteTemplates)
        return keeper if keeper is not None and keeper.enabled else None

    def model(self, source_id: str) -> template.SiteTemplate | None:
        if source_id not in self.models:
            self.models[source_id] = self.store.load(source_id)
        return self.models[source_id]

    def source_for(self, source: SourceInfo) -> SourceInfo:
        model = self.model(source.id)
        return dataclasses.replace(source, template=model) if model is not None else source

    def observe(self, source_id: str, body: bytes, url: str, headers, status: str) -> None:
        """A page of the source was extracted: keep it to learn from (articles only, up to KEEP)."""
        if status != "ok":
            return
        kept = self.pages.setdefault(source_id, [])
        if len(kept) >= KEEP:
            return
        kept.append((bytes(body), url, tuple(headers)))
        if len(kept) == LEARN_AT and self.model(source_id) is None:
            self.models[source_id] = template.learn(source_id, kept)
            if self.models[source_id] is not None:
                logger.info("site template for %s learned from %d pages (%d blocks)", source_id, len(kept),
                            len(self.models[source_id].blocks))
                self.crawler.stats.inc_value("policycrawl/templates/learned")

    def ensure_in_warc(self, warc, record, item) -> None:
        """Write the model the record was made with into the record's WARC file, once per file."""
        if not record.template or item.warc is None:
            return
        key = (item.warc.filename, record.template)
        if key in self.in_warc:
            return
        model = self.models.get(item.source.id)
        if model is None or model.id != record.template:
            logger.warning("record %s names site template %s, which this run does not hold", record.url, record.template)
            return
        write_to_warc(warc, model, item.warc, item.url)
        self.in_warc.add(key)

    def _closed(self, spider, reason: str) -> None:
        if not self.enabled:
            return
        for source_id, kept in self.pages.items():
            if len(kept) < LEARN_AT:
                continue  # too few new pages this run: the model it had stays
            model = template.learn(source_id, kept)
            if model is None:
                continue
            try:
                self.store.save(model)
            except OSError as exc:
                logger.error("could not save the site template of %s: %s", source_id, exc)
        self.pages.clear()
