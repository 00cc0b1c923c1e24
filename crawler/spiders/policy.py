"""The one spider: a source profile says where listings, feeds and sitemaps are and which links are articles.

Listing pages are walked through their pagination (bounded by the profile), feeds and sitemaps are read
when declared, and article URLs go through the SQLite frontier: a URL already archived is not fetched
again unless it is due for a re-check (crawler/recheck.py), one left in flight by a killed run is fetched
first.

Pagination stops early, per listing, in two cases: a page whose article links were all archived by earlier
runs, POLICYCRAWL_KNOWN_PAGES times in a row (the watermark; only when the listing's previous walk finished,
since otherwise the older pages were never read), and a page whose links were all already seen in this run
(repeated content: an endless `?page=N` trap).
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from lxml import etree
from scrapy import Request, Spider
from scrapy.http import Response
from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap
from twisted.python.failure import Failure
from w3lib.url import safe_url_string

from archive.warc_format import sha1_digest
from crawler import pagers
from crawler.capture import DIGEST_META, FETCHED_META, WARC_DATE_META, WARC_META
from crawler.items import ArticlePage
from extractors.listing_hints import listing_hint
from crawler.politeness import HostGivenUp
from crawler.recheck import RECHECK_META, REFETCH_META, UNCHANGED_META, RecheckPolicy
from crawler.retry import RetryPolicy
from crawler.safety import RefusedRequest
from crawler.session import ArchiveSession, frontier_key
from crawler.traps import UnrequestedEncoding
from crawler.sources import Profile, adhoc_profile, load_profiles, select_profiles

logger = logging.getLogger(__name__)

ARTICLE_PRIORITY = 10
PROFILE_META = "policycrawl_profile"
KIND_META = "policycrawl_kind"
FRONTIER_META = "policycrawl_frontier_url"
LISTING_META = "policycrawl_listing"  # the start URL a listing page's pagination began at
REPLACES_META = "policycrawl_replaces"  # WARC-Record-ID of the version an unconditional re-fetch replaces
LISTING_HINT_META = "policycrawl_listing_hint"  # what the listing said about an article (extractors/listing_hints.py)
# Set by the distributed scheduler on a request it did not queue because the cluster's run already queued it
# (another worker listed or resumed the same URL): not a redirect loop, the queued copy gets fetched.
QUEUED_ELSEWHERE_META = "policycrawl_queued_elsewhere"
GKMLPT_CAT_META = "policycrawl_gkmlpt_cat"
GKMLPT_PER_PAGE_META = "policycrawl_gkmlpt_per_page"
# href="…" inside inline script text (listings whose records sit in a script).
_SCRIPT_HREF = re.compile(r"""href\s*=\s*["']([^"'<>\s]+)["']""")

# Failures that say nothing about the page: the URL goes back to pending and the next run tries again
# (up to POLICYCRAWL_MAX_ATTEMPTS, after a back-off: crawler/retry.py). Everything else (404, robots, refused)
# marks it failed for good.
_TRANSIENT_STATUSES = {408, 425, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524}

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
        self.known_streak: Counter[str] = Counter()  # per listing start URL
        self.seen_this_run: set[str] = set()  # frontier keys requested in this run (bounded by the page budget)
        self.listed_this_run: set[str] = set()  # frontier keys of article links found on listing pages this run

    # -- setup -------------------------------------------------------------------------------------
    def _resolve_profiles(self) -> list[Profile]:
        if self.profiles:
            return self.profiles
        settings = self.crawler.settings
        if self._start_arg:
            starts = [u for u in self._start_arg.split(",") if u]
            return [adhoc_profile(starts, self._follow_arg or GENERIC_ARTICLE_PATTERN)]
        available = load_profiles(Path(p) for p in settings.getlist("POLICYCRAWL_SOURCES_FILES"))
        chosen = select_profiles(available, [s for s in (self._source_arg or "").split(",") if s])
        rebase = settings.getdict("POLICYCRAWL_REBASE")
        return [p.rebased(rebase[p.id]) if p.id in rebase else p for p in chosen]

    @property
    def session(self) -> ArchiveSession:
        return ArchiveSession.of(self.crawler)

    async def start(self) -> AsyncIterator[Request]:
        self.profiles = self._resolve_profiles()
        from scrapy import signals

        self.crawler.signals.connect(self._request_dropped, signal=signals.request_dropped)
        for profile in self.profiles:
            for request in self._initial_requests(profile):
                yield request

    def _request_dropped(self, request: Request, spider=None) -> None:
        """An article request the scheduler filtered (a redirect to itself, or to a page fetched this run) gets
        no answer and no errback: without this it stayed leased and was fetched again every run."""
        key = request.meta.get(FRONTIER_META)
        session = self.session
        if not key or session.stopping or request.meta.get(RECHECK_META) is not None \
                or request.meta.get(QUEUED_ELSEWHERE_META):
            return
        session.gate.settle(key)
        known = session.state.get(key)
        if known is not None and known.state == "leased":
            session.state.mark_failed(key, "redirect-loop" if request.url == key else "duplicate-of-fetched", None)

    @property
    def recheck(self) -> RecheckPolicy:
        return self.session.recheck

    def _initial_requests(self, profile: Profile) -> Iterator[Request]:
        # Articles left pending or in flight by an interrupted run come first.
        for url in self.session.state.pending(profile.id):
            yield from self._article_request(profile, url, via=None, resumed=True)
        for url in profile.article_urls:
            yield from self._article_request(profile, url, via=None, force=True)
        if self.recheck.enabled:
            # Archived articles no listing links to any more are re-checked too, oldest first, a batch per run.
            for url in self.session.state.due_for_recheck(profile.id, self.recheck.checked_before(), self.recheck.batch):
                yield from self._article_request(profile, url, via=None)
        for url in profile.start_urls:
            yield from self._request(profile, url, "listing", self.parse_listing, listing_page=1,
                                     **{LISTING_META: url})
        if profile.gkmlpt is not None:
            for cat in profile.gkmlpt.categories:
                url = profile.gkmlpt.page_url(profile.homepage, cat, 1)
                yield from self._request(profile, url, "gkmlpt", self.parse_gkmlpt, listing_page=1,
                                         **{LISTING_META: url, GKMLPT_CAT_META: cat})
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
            # Articles before the next listing page: the scheduler then holds about one listing's links, not
            # the whole site's (measured: 100,000 queued requests kept ~170 MB in Scrapy's memory queue).
            priority=ARTICLE_PRIORITY if kind == "article" else 0,
        )

    def _article_request(
        self, profile: Profile, url: str, *, via: str | None, force: bool = False, resumed: bool = False,
        hint: dict | None = None,
    ) -> Iterator[Request]:
        # The canonical address is the one fetched: a mobile twin (mpost_N) and its page (post_N) are one
        # article with one frontier key and one record id, and the desktop page is what the selectors fit.
        url = safe_url_string(profile.canonical(url.split("#", 1)[0]))
        key = frontier_key(url)
        if key in self.seen_this_run and not resumed:
            return
        state = self.session.state
        known = state.get(key)
        recheck = known is not None and key not in self.seen_this_run and (
            self.recheck.is_due(known) if not force
            # Asked for by name (`policycrawl fetch`) but archived already: a re-check, due or not, so an unchanged
            # page becomes a WARC revisit and no second identical JSONL line; a changed one a new version.
            else known.state == "done" and bool(known.record_warc_id))
        if known is not None and known.state in ("done", "failed") and not force and not recheck:
            self.crawler.stats.inc_value(f"policycrawl/source/{profile.id}/known")
            return
        if not force and not resumed and RetryPolicy.waiting(known):  # failed transiently; its back-off is not over
            self.crawler.stats.inc_value(f"policycrawl/source/{profile.id}/retry_later")
            return
        if known is None:
            state.discover(key, profile.id, url)
        if not resumed and not force and known is not None and known.state == "leased":
            return
        for request in self._request(profile, url, "article", self.parse_article):
            self.seen_this_run.add(key)
            request.meta[FRONTIER_META] = key
            if hint:
                request.meta[LISTING_HINT_META] = hint
            if via:
                request.headers.setdefault(b"Referer", via.encode("ascii", "ignore"))
            if recheck:
                # Conditional GET; the URL stays "done" (its stored version is still the current one) until
                # the answer is archived, so a kill during a re-check loses nothing.
                assert known is not None
                request.meta[RECHECK_META] = known
                request.meta["handle_httpstatus_list"] = [304]
                for name, value in self.recheck.conditional_headers(known).items():
                    request.headers[name] = value
                self.crawler.stats.inc_value(f"policycrawl/source/{profile.id}/rechecks")
            else:
                state.lease(key)
            yield request

    # -- callbacks ---------------------------------------------------------------------------------
    def parse_listing(self, response: Response) -> Iterator[Request]:
        profile: Profile = response.meta[PROFILE_META]
        if not hasattr(response, "css"):
            self.crawler.stats.inc_value(f"policycrawl/source/{profile.id}/listing_not_html")
            return
        links = [(url, None) for url in self.listing_links(response, profile)]
        yield from self._walk(response, profile, links, lambda: self._next_page(response, profile))

    @staticmethod
    def listing_links(response: Response, profile: Profile) -> list[str]:
        """The article links of an HTML listing page, in page order (before canonical rewriting)."""
        areas = response.css(profile.article_area) if profile.article_area else [response]
        hrefs = [href for area in areas for href in area.css("a::attr(href)").getall()]
        if profile.links_in_scripts:
            # Listings that keep their records in a script (Hanweb's <script type="text/xml"> datastore).
            for script in response.xpath("//script[not(@src)]/text()").getall():
                hrefs += _SCRIPT_HREF.findall(script)
        links = []
        for href in hrefs:
            url = response.urljoin(href.strip())
            if profile.allows(url) and profile.is_article(url):
                links.append(url)
        return links

    def _walk(self, response: Response, profile: Profile, links: list[tuple[str, dict | None]],
              next_url: Callable[[], str | None]) -> Iterator[Request]:
        """One page of a listing (HTML or API): queue its new articles, then go on to the next page unless the
        walk may stop (watermark of known pages, repeated content, the profile's page limit, the end)."""
        page = response.meta.get("listing_page", 1)
        listing = response.meta.get(LISTING_META) or response.url
        stats = self.crawler.stats
        state = self.session.state
        if page == 1:
            # Whether the previous walk finished decides if this one may stop at known pages.
            self.known_streak[listing] = 0
            response.meta["policycrawl_may_stop_early"] = state.listing_complete(listing)
            state.listing_started(listing, profile.id, links[0][0] if links else None)
        state.listing_page(listing, page)
        new = repeated = 0
        found: list[Request] = []
        with state.batch():  # one commit for the page's links, not one per link
            for url, hint in links:
                key = frontier_key(safe_url_string(profile.canonical(url.split("#", 1)[0])))
                if key in self.listed_this_run:
                    repeated += 1
                    continue
                self.listed_this_run.add(key)
                requests = list(self._article_request(profile, url, via=response.url, hint=hint))
                new += bool(requests)
                found += requests
        yield from found
        stats.inc_value(f"policycrawl/source/{profile.id}/listing_pages")
        may_stop_early = response.meta.get("policycrawl_may_stop_early", True)
        if links and repeated == len(links) and page > 1:
            # Every link was already on an earlier page of this run: repeated content, an endless pagination.
            stats.inc_value("policycrawl/traps/repeated_listing")
            logger.warning("trap: listing %s page %d repeats earlier pages; stopping its pagination", listing, page)
            state.listing_finished(listing, "repeated")
            return
        # Incremental runs: a listing page with nothing new means the rest of the pagination is older.
        if links and not new:
            self.known_streak[listing] += 1
        else:
            self.known_streak[listing] = 0
        if may_stop_early and self.known_streak[listing] >= self.crawler.settings.getint("POLICYCRAWL_KNOWN_PAGES"):
            stats.inc_value(f"policycrawl/source/{profile.id}/pagination_stopped_at_known")
            state.listing_finished(listing, "known")
            return
        if page >= profile.max_listing_pages or (profile.pages_limit and page >= profile.pages_limit):
            state.listing_finished(listing, "max-pages")  # as deep as the profile ever walks
            return
        nxt = next_url()
        if not nxt:
            state.listing_finished(listing, "end")
            return
        # Out of budget: the walk stays unfinished, so the next run does not stop at its watermark.
        yield from self._request(profile, nxt, response.meta[KIND_META], response.request.callback,
                                 listing_page=page + 1, policycrawl_may_stop_early=may_stop_early,
                                 **{LISTING_META: listing})

    @staticmethod
    def _next_page(response: Response, profile: Profile) -> str | None:
        if profile.script_pager:
            # A pager drawn by a script: its page count decides, whether or not links were also rendered.
            has_pager, url = pagers.next_page(response.text, response.url, second=profile.script_pager_second,
                                              limit=profile.pages_limit)
            if has_pager:
                return url
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

    def parse_gkmlpt(self, response: Response) -> Iterator[Request]:
        """A page of a gkmlpt JSON listing API: its `articles` are queued with their dates and 文号 as listing
        hints; `classify.post_count` and the first page's size give the number of pages."""
        profile: Profile = response.meta[PROFILE_META]
        page = response.meta.get("listing_page", 1)
        try:
            api_page = gkmlpt_page(response.body, response.url, profile)
        except ValueError as exc:
            # The walk stays unfinished, so the next run walks this category in full.
            self._count_failure(profile, "gkmlpt-invalid", response.url, str(exc)[:200])
            return
        cat = response.meta[GKMLPT_CAT_META]
        per_page = response.meta.get(GKMLPT_PER_PAGE_META) or api_page.size

        def next_url() -> str | None:
            return api_page.next_url(profile, cat, page, per_page)

        for request in self._walk(response, profile, api_page.links, next_url):
            if request.meta.get(KIND_META) == "gkmlpt":
                request.meta[GKMLPT_CAT_META] = cat
                request.meta[GKMLPT_PER_PAGE_META] = per_page
            yield request

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

    def parse_article(self, response: Response) -> Iterator[ArticlePage | Request]:
        profile: Profile = response.meta[PROFILE_META]
        key = response.meta[FRONTIER_META]
        known = response.meta.get(RECHECK_META)
        if response.meta.get(UNCHANGED_META):
            # Re-check: the stored version is current; the revisit record is written, no new JSONL line.
            self.session.state.mark_checked(key, response.status)
            self.session.gate.settle(key)
            self.crawler.stats.inc_value(f"policycrawl/source/{profile.id}/unchanged")
            return
        if response.meta.get(REFETCH_META):
            meta = {k: v for k, v in response.meta.items() if k not in (RECHECK_META, REFETCH_META, "handle_httpstatus_list")}
            meta[REPLACES_META] = known.record_warc_id if known else None
            yield response.request.replace(url=response.url, meta=meta, dont_filter=True, headers={
                k: v for k, v in response.request.headers.items()
                if k.lower() not in (b"if-none-match", b"if-modified-since")})
            return
        if known is not None:
            self.crawler.stats.inc_value(f"policycrawl/source/{profile.id}/changed")
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
            payload_digest=response.meta.get(DIGEST_META),
            content_digest=sha1_digest(response.body),
            warc_date=response.meta.get(WARC_DATE_META),
            replaces=known.record_warc_id if known is not None else response.meta.get(REPLACES_META),
            listing_hint=response.meta.get(LISTING_HINT_META),
        )

    # -- failures ----------------------------------------------------------------------------------
    def _count_failure(self, profile: Profile, reason: str, url: str, detail: str = "") -> None:
        self.crawler.stats.inc_value(f"policycrawl/source/{profile.id}/failures/{reason}")
        logger.warning("%s: %s %s", reason, url, detail)

    def on_error(self, failure: Failure) -> None:
        request = failure.request
        profile: Profile | None = request.meta.get(PROFILE_META)
        transient = False
        if failure.check(HttpError):
            reason = f"http-{failure.value.response.status}"
            status = failure.value.response.status
            transient = status in _TRANSIENT_STATUSES
        elif failure.check(HostGivenUp):
            reason, status, transient = "host-given-up", None, True
        elif failure.check(RefusedRequest):
            reason, status = "refused", None
        elif failure.check(IgnoreRequest) and "robots.txt" in str(failure.value):
            reason, status = "robots-disallowed", None
        elif failure.check(UnrequestedEncoding):
            reason, status = "unrequested-encoding", None
        elif failure.check(IgnoreRequest) and "DOWNLOAD_MAXSIZE" in str(failure.value):
            # A decompression bomb or an oversized page: archived as received (still encoded), never parsed,
            # and not worth another try.
            reason, status = "too-large", None
            self.crawler.stats.inc_value("policycrawl/hostile/too-large")
        elif failure.check(IgnoreRequest):
            reason, status = "ignored", None
            transient = True
        else:
            reason = type(failure.value).__name__  # timeouts, connection errors, DNS: try again next run
            status = None
            transient = True
        if profile is not None:
            self._count_failure(profile, reason, request.url, str(failure.value)[:200])
        key = request.meta.get(FRONTIER_META)
        if not key:
            return
        session = self.session
        session.gate.settle(key)
        if request.meta.get(RECHECK_META) is not None:
            return  # the stored version stays; the re-check is due again next run
        if session.stopping:
            return  # stopping (disk full, SIGTERM): the URL stays leased and is re-queued next start
        retry = RetryPolicy.from_settings(self.crawler.settings)
        known = session.state.get(key)
        if transient and known is not None and retry.fetch_failure_retried(known.attempts):
            session.state.release(key, reason, status, retry_at=retry.retry_at(known.attempts))
        else:
            session.state.mark_failed(key, reason, status)


def _first(item: dict, keys: Iterable[str]) -> Any:
    for key in keys:
        value = item.get(key)
        if value not in (None, ""):
            return value
    return None


@dataclass
class GkmlptPage:
    links: list[tuple[str, dict | None]]  # article URLs with their listing hints
    size: int  # items on this page
    total: int | None  # classify.post_count

    def next_url(self, profile: Profile, cat: str, page: int, per_page: int) -> str | None:
        assert profile.gkmlpt is not None
        if not self.size or not isinstance(self.total, int) or not per_page or page * per_page >= self.total:
            return None
        return profile.local_url(profile.gkmlpt.page_url(profile.homepage, cat, page + 1))


def gkmlpt_page(body: bytes, url: str, profile: Profile) -> GkmlptPage:
    """One answer of a gkmlpt listing API; ValueError when it is not the JSON object such an answer is."""
    api = profile.gkmlpt
    assert api is not None
    data = json.loads(body)  # JSONDecodeError is a ValueError
    if not isinstance(data, dict) or not isinstance(data.get("articles") or [], list):
        raise ValueError("not a gkmlpt answer: no 'articles' list")
    items = data.get("articles") or []
    links: list[tuple[str, dict | None]] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        href = _first(item, api.url_fields)
        if not isinstance(href, str) or not href.strip():
            continue
        link = profile.local_url(urljoin(url, href.strip()))
        if not (profile.allows(link) and profile.is_article(link)):
            continue
        hint = listing_hint(title=_first(item, api.title_fields), date=_first(item, api.date_fields),
                            doc_no=_first(item, api.doc_no_fields), source=url)
        links.append((link, hint))
    classify = data.get("classify") if isinstance(data.get("classify"), dict) else {}
    total = classify.get("post_count")
    return GkmlptPage(links, len(items), total if isinstance(total, int) and not isinstance(total, bool) else None)
