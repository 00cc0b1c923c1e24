"""Refuse requests that could be steered where a crawler does not belong.

Every hop passes process_request (start URLs, links, redirects, robots.txt), so each is checked: the scheme
must be http/https, the host must belong to the request's source, and every address the host resolves to
must be public. Loopback is allowed only with POLICYCRAWL_ALLOW_LOOPBACK; private, link-local, multicast
and cloud-metadata ranges never are.

DNS rebinding: the check above and the connection look the name up separately, so a resolver answering a
public address first and 169.254.169.254 next got requests to the metadata service. `CheckingResolver` (the
reactor's resolver) therefore checks every address at connect time, the one the connection will use, and
fails the lookup for a forbidden one. After the download the connected address is checked once more.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from functools import lru_cache
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.resolver import CachingThreadedResolver
from twisted.internet.error import DNSLookupError

logger = logging.getLogger(__name__)

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class RefusedRequest(IgnoreRequest):
    pass


@lru_cache(maxsize=4096)
def _resolve(host: str) -> tuple[str, ...]:
    infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    return tuple(sorted({info[4][0] for info in infos}))


def address_verdict(ip: IpAddress, *, allow_loopback: bool, loopback_only: bool) -> str | None:
    """None when the address may be fetched, else the reason it may not."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return None if (allow_loopback or loopback_only) else "loopback"
    if loopback_only:
        return "not-loopback"
    if ip.is_link_local:  # includes 169.254.169.254, the cloud metadata service
        return "link-local"
    if ip.is_private or ip.is_reserved or ip.is_multicast or ip.is_unspecified:
        return "private"
    if not ip.is_global:
        return "not-global"
    return None


class SafetyMiddleware:
    def __init__(self, crawler: Crawler, *, allow_loopback: bool, loopback_only: bool):
        self.crawler = crawler
        self.allow_loopback = allow_loopback
        self.loopback_only = loopback_only

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SafetyMiddleware:
        return cls(
            crawler,
            allow_loopback=crawler.settings.getbool("POLICYCRAWL_ALLOW_LOOPBACK"),
            loopback_only=crawler.settings.getbool("POLICYCRAWL_LOOPBACK_ONLY"),
        )

    def _refuse(self, request: Request, reason: str) -> None:
        stats = self.crawler.stats
        stats.inc_value("policycrawl/safety/refused")
        stats.inc_value(f"policycrawl/safety/refused/{reason}")
        logger.warning("refused %s: %s", request.url, reason)
        raise RefusedRequest(f"refused ({reason}): {request.url}")

    def verdict_for_url(self, url: str) -> str | None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return "scheme"
        host = parts.hostname
        if not host:
            return "no-host"
        try:
            addresses = [ipaddress.ip_address(host)]
        except ValueError:
            try:
                addresses = [ipaddress.ip_address(a.split("%")[0]) for a in _resolve(host)]
            except OSError:
                return None  # let the download fail with Scrapy's own DNS error, counted there
        for ip in addresses:
            reason = address_verdict(ip, allow_loopback=self.allow_loopback, loopback_only=self.loopback_only)
            if reason:
                return reason
        return None

    def process_request(self, request: Request) -> None:
        reason = self.verdict_for_url(request.url)
        if reason:
            self._refuse(request, reason)
        profile = request.meta.get("policycrawl_profile")
        parts = urlsplit(request.url)
        # robots.txt of an allowed host is fine; anything else must stay on the source's hosts.
        if profile is not None and not profile.allows(request.url) and parts.path != "/robots.txt":
            self._refuse(request, "offsite")



class ConnectedAddressMiddleware(SafetyMiddleware):
    """Checks the address a response really came from; sits next to the downloader, before capture."""

    def process_request(self, request: Request) -> None:
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        if response.ip_address is not None:
            reason = address_verdict(
                response.ip_address, allow_loopback=self.allow_loopback, loopback_only=self.loopback_only
            )
            if reason:
                self._refuse(request, f"connected-{reason}")
        return response


class CheckingResolver(CachingThreadedResolver):
    """Scrapy's resolver, refusing at connect time any address the crawl may not reach (see module doc).

    Installed on the reactor through TWISTED_DNS_RESOLVER (crawler/settings.py); the crawl's loopback settings
    are read from the process settings, where the command line puts them.
    """

    allow_loopback = False
    loopback_only = False

    @classmethod
    def from_crawler(cls, crawler, reactor):
        resolver = super().from_crawler(crawler, reactor)
        resolver.allow_loopback = crawler.settings.getbool("POLICYCRAWL_ALLOW_LOOPBACK")
        resolver.loopback_only = crawler.settings.getbool("POLICYCRAWL_LOOPBACK_ONLY")
        return resolver

    def getHostByName(self, name, timeout=()):
        d = super().getHostByName(name, timeout)
        d.addCallback(self._check, name)
        return d

    def _check(self, address: str, name: str) -> str:
        try:
            ip = ipaddress.ip_address(address.split("%")[0])
        except ValueError:
            raise DNSLookupError(f"{name}: unusable address {address!r}") from None
        reason = address_verdict(ip, allow_loopback=self.allow_loopback, loopback_only=self.loopback_only)
        if reason:
            logger.warning("refused to connect to %s at %s: %s (its address changed after the check?)",
                           name, address, reason)
            raise DNSLookupError(f"refused ({reason}): {name} resolves to {address}")
        return address
