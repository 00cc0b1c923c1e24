"""The one spider: a source profile says where listings, feeds and sitemaps are and which links are articles.

Listing pages are walked through their pagination (bounded by the profile), feeds and sitemaps are read
when declared, and article URLs go through the SQLite frontier: a URL already archived is not fetched
again, one left in flight by a killed run is fetched first.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Iterator
from pathlib import Path
from typing import Any

from lxml import etree
from scrapy import Request, Spider
from scrapy.http import Response
from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap
from twisted.python.failure import Failure
from w3lib.url import safe_url_string

from crawler.capture import FETCHED_META, WARC_META
from crawler.items import ArticlePage
from crawler.safety import RefusedRequest
from crawler.session import ArchiveSession, frontier_key
from crawler.sources import Profile, adhoc_profile, load_profiles

logger = logging.getLogger(__name__)

PROFILE_META = "policycrawl_profile"
KIND_META = "policycrawl_kind"
FRONTIER_META = "policycrawl_frontier_url"

# Links a listing page uses for "next page" when the profile names no selector.
_NEXT_TEXTS = ("下一页", "下页", "下一頁", "后页", "Next", "next", "›", "»", "next page")
# Ad-hoc crawls without --follow: URLs that look like articles on Chinese news and government CMSs.
GENERIC_ARTICLE_PATTERN = (
    r"(?:/t\d{8}_\d+\.s?html?|/content/post_\d+\.html|/\d{4}-?\d{2}-?\d{2}/[^/]+\.s?html?"
    r"|/(?:article|news|detail|content|a)/[^/?#]*\d{4,}[^/?#]*)(?:\?.*)?$"
)
_SECURE_XML = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False)


class PolicySpider(Spider):
    name = "policy"

    def __init__(
        self,
        source: str | None = None,
        start: str | None = None,
        follow: str | None = None,
        profiles: Iterable[Profile] | None = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self._source_arg = source
        self._start_arg = start
        self._follow_arg = follow
        self.profiles: list[Profile] = list(profiles or [])
        self.requests_per_source: Counter[str] = Counter()
        self.known_streak: Counter[str] = Counter()

    # -- setup -------------------------------------------------------------------------------------
    def _resolve_profiles(self) -> list[Profile]:
        if self.profiles:
            return self.profiles
        settings = self.crawler.settings
        if self._start_arg:
            starts = [u for u in self._start_arg.split(",") if u]
            return [adhoc_profile(starts, self._follow_arg or GENERIC_ARTICLE_PATTERN)]
        available = load_profiles(Path(p) for p in settings.getlist("POLICYCRAWL_SOURCES_FILES"))
        wanted = [s for s in (self._source_arg or "").split(",") if s] or sorted(available)
        unknown = [s for s in wanted if s not in available]
        if unknown:
            raise ValueError(f"unknown source(s) {unknown}; known: {sorted(available)}")
        rebase = settings.getdict("POLICYCRAWL_REBASE")
        return [available[s].rebased(rebase[s]) if s in rebase else available[s] for s in wanted]

    @property
    def session(self) -> ArchiveSession:
        return ArchiveSession.of(self.crawler)

    async def start(self) -> AsyncIterator[Request]:
        self.profiles = self._resolve_profiles()
        for profile in self.profiles:
            for request in self._initial_requests(profile):
                yield request

    def _initial_requests(self, profile: Profile) -> Iterator[Request]:
        # Articles left pending or in flight by an interrupted run come first.
        for url in self.session.state.pending(profile.id):
            yield from self._article_request(profile, url, via=None, resumed=True)
        for url in profile.article_urls:
            yield from self._article_request(profile, url, via=None, force=True)
        for url in profile.start_urls:
            yield from self._request(profile, url, "listing", self.parse_listing, listing_page=1)
        for url in profile.feeds:
            yield from self._request(profile, url, "feed", self.parse_feed)
        for url in profile.sitemaps:
            yield from self._request(profile, url, "sitemap", self.parse_sitemap)

    # -- request helpers ---------------------------------------------------------------------------
    def _budget_left(self, profile: Profile) -> bool:
        budget = min(profile.page_budget, self.crawler.settings.getint("POLICYCRAWL_PAGE_BUDGET"))
        if self.requests_per_source[profile.id] >= budget:
            self.crawler.stats.inc_value(f"policycrawl/source/{profile.id}/budget_exhausted")
            return False
        return True

    def _request(self, profile: Profile, url: str, kind: str, callback, **meta: Any) -> Iterator[Request]:
        url = safe_url_string(url)
        if not profile.allows(url):
            self.crawler.stats.inc_value(f"policycrawl/source/{profile.id}/offsite")
            return
        if not self._budget_left(profile):
            return
        self.requests_per_source[profile.id] += 1
        self.crawler.stats.inc_value(f"policycrawl/source/{profile.id}/requests")
        yield Request(
            url,
            callback=callback,
            errback=self.on_error,
            meta={PROFILE_META: profile, KIND_META: kind, **meta},
        )

    def _article_request(
        self, profile: Profile, url: str, *, via: str | None, force: bool = False, resumed: bool = False
    ) -> Iterator[Request]:
        url = safe_url_string(url.split("#", 1)[0])
        key = frontier_key(url)
        state = self.session.state
        known = state.get(key)
        if known is not None and known.state in ("done", "failed") and not force:
            self.crawler.stats.inc_value(f"policycrawl/source/{profile.id}/known")
            return
        if known is None:
            state.discover(key, profile.id)
        if not resumed and not force and known is not None and known.state == "leased":
            return
        for request in self._request(profile, url, "article", self.parse_article):
            request.meta[FRONTIER_META] = key
            if via:
                request.headers.setdefault(b"Referer", via.encode("ascii", "ignore"))
            state.lease(key)
            yield request

    # -- callbacks ---------------------------------------------------------------------------------
    def parse_listing(self, response: Response) -> Iterator[Request]:
        profile: Profile = response.meta[PROFILE_META]
        page = response.meta.get("listing_page", 1)
        if not hasattr(response, "css"):
            self.crawler.stats.inc_value(f"policycrawl/source/{profile.id}/listing_not_html")
            return
        areas = response.css(profile.article_area) if profile.article_area else [response]
        new = seen = 0
        for area in areas:
            for href in area.css("a::attr(href)").getall():
                url = response.urljoin(href.strip())
                if not profile.allows(url) or not profile.is_article(url):
                    continue
                seen += 1
                requests = list(self._article_request(profile, url, via=response.url))
                new += bool(requests)
                yield from requests
        self.crawler.stats.inc_value(f"policycrawl/source/{profile.id}/listing_pages")
        # Incremental runs: a listing page with nothing new means the rest of the pagination is older.
        if seen and not new:
            self.known_streak[profile.id] += 1
        else:
            self.known_streak[profile.id] = 0
        if self.known_streak[profile.id] >= self.crawler.settings.getint("POLICYCRAWL_KNOWN_PAGES", 1):
            self.crawler.stats.inc_value(f"policycrawl/source/{profile.id}/pagination_stopped_at_known")
            return
        if page >= profile.max_listing_pages:
            return
        next_url = self._next_page(response, profile)
        if next_url:
            yield from self._request(profile, next_url, "listing", self.parse_listing, listing_page=page + 1)

    @staticmethod
    def _next_page(response: Response, profile: Profile) -> str | None:
        if profile.next_page:
            href = response.css(profile.next_page).css("::attr(href)").get()
        else:
            href = None
            for anchor in response.css("a[href]"):
                text = "".join(anchor.css("::text").getall()).strip()
                if text in _NEXT_TEXTS:
                    href = anchor.attrib["href"]
                    break
        if not href or href.strip().lower().startswith("javascript:"):
            return None
        return response.urljoin(href.strip())

    def parse_feed(self, response: Response) -> Iterator[Request]:
        profile: Profile = response.meta[PROFILE_META]
        try:
            root = etree.fromstring(response.body, parser=_SECURE_XML)
        except etree.XMLSyntaxError as exc:
            self._count_failure(profile, "feed-invalid", response.url, str(exc))
            return
        links = [el.text for el in root.iter("link") if el.text] + [
            el.get("href") for el in root.iter("{http://www.w3.org/2005/Atom}link") if el.get("href")
        ]
        for link in links:
            url = response.urljoin(link.strip())
            if profile.allows(url) and (not profile.article_patterns or profile.is_article(url)):
                yield from self._article_request(profile, url, via=response.url)

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        profile: Profile = response.meta[PROFILE_META]
        body = response.body
        if body[:2] == b"\x1f\x8b":
            try:
                body = gunzip(body, max_size=self.crawler.settings.getint("DOWNLOAD_MAXSIZE"))
            except Exception as exc:  # scrapy raises its own _DecompressionMaxSizeExceeded or OSError
                self._count_failure(profile, "sitemap-gzip", response.url, str(exc))
                return
        try:
            sitemap = Sitemap(body)
            entries = list(sitemap)
        except Exception as exc:  # lxml errors on malformed XML; entities are never resolved
            self._count_failure(profile, "sitemap-invalid", response.url, str(exc))
            return
        for entry in entries:
            loc = (entry.get("loc") or "").strip()
            if not loc:
                continue
            url = response.urljoin(loc)
            if sitemap.type == "sitemapindex":
                yield from self._request(profile, url, "sitemap", self.parse_sitemap)
            elif profile.allows(url) and (not profile.article_patterns or profile.is_article(url)):
                yield from self._article_request(profile, url, via=response.url)

    def parse_article(self, response: Response) -> Iterator[ArticlePage]:
        profile: Profile = response.meta[PROFILE_META]
        headers = tuple(
            (bytes(name).decode("latin-1"), bytes(value).decode("latin-1"))
            for name, values in response.headers.items()
            for value in values
        )
        self.crawler.stats.inc_value(f"policycrawl/source/{profile.id}/article_pages")
        yield ArticlePage(
            frontier_url=response.meta[FRONTIER_META],
            url=response.url,
            status=response.status,
            headers=headers,
            body=response.body,
            source=profile.source_info,
            fetched_at=response.meta.get(FETCHED_META, ""),
            warc=response.meta.get(WARC_META),
        )

    # -- failures ----------------------------------------------------------------------------------
    def _count_failure(self, profile: Profile, reason: str, url: str, detail: str = "") -> None:
        self.crawler.stats.inc_value(f"policycrawl/source/{profile.id}/failures/{reason}")
        logger.warning("%s: %s %s", reason, url, detail)

    def on_error(self, failure: Failure) -> None:
        request = failure.request
        profile: Profile | None = request.meta.get(PROFILE_META)
        if failure.check(HttpError):
            reason = f"http-{failure.value.response.status}"
            status = failure.value.response.status
        elif failure.check(RefusedRequest):
            reason, status = "refused", None
        elif failure.check(IgnoreRequest) and "robots.txt" in str(failure.value):
            reason, status = "robots-disallowed", None
        else:
            reason = type(failure.value).__name__
            status = None
        if profile is not None:
            self._count_failure(profile, reason, request.url, str(failure.value)[:200])
        key = request.meta.get(FRONTIER_META)
        if key:
            self.session.state.mark_failed(key, reason, status)
