"""HTTP download handler that keeps the server's reason phrase and every response header, which Scrapy drops.

A WARC response record must carry the status line as received ("HTTP/1.1 404 Nicht Gefunden" stays that),
so the phrase is copied from Twisted's response into request.meta before Scrapy builds its Response.

Headers: Twisted files Connection, Keep-Alive, Transfer-Encoding, Content-Length, TE, Trailers, Upgrade and
Proxy-Connection as "connection control" headers apart from the response's headers, and Scrapy puts back only a
Content-Length it computes itself (first, whatever the server sent). A parser subclass records every header line
as received (name case, order, duplicates); the Scrapy Response gets all of them (each name's values in order),
and `raw_response_headers(request, response)` gives the exact list for the WARC.
Everything else is Scrapy's own HTTP/1.1 handler.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.core.downloader.handlers import http11
from scrapy.http import Headers, Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.web import _newclient

# Bounds on one response's header section (POLICYCRAWL_MAX_HEADERS / _MAX_HEADER_BYTES, set by the handler from
# the crawl's settings). Without them a server sending header lines forever filled memory (6 GB in a minute):
# Twisted keeps every line, and so does the parser below. Past a bound the response fails and is not archived.
MAX_HEADERS = 1000
MAX_HEADER_BYTES = 1 << 20

REASON_META = "policycrawl_reason"
RAW_HEADERS_META = "policycrawl_raw_headers"
_RAW_ATTR = "_policycrawl_raw_headers"


class HeadersTooLarge(ValueError):
    """A response's header section passed MAX_HEADERS lines or MAX_HEADER_BYTES bytes."""


def _raw_header_parser(base: type) -> type:
    class _RawHeaderParser(base):
        """The response parser Scrapy uses, also keeping every header line as received."""

        _policycrawl_raw = True

        def connectionMade(self) -> None:  # also resets the parser after a 1xx response
            super().connectionMade()
            self._raw_headers = []
            self._raw_header_bytes = 0

        def headerReceived(self, name: bytes, value: bytes) -> None:
            raw = self.__dict__.setdefault("_raw_headers", [])
            size = self.__dict__.get("_raw_header_bytes", 0) + len(name) + len(value) + 4
            self._raw_header_bytes = size
            if len(raw) >= MAX_HEADERS or size > MAX_HEADER_BYTES:
                # Raised inside Twisted's dataReceived: the connection is dropped and the request fails.
                raise HeadersTooLarge(f"response headers exceed {MAX_HEADERS} lines or {MAX_HEADER_BYTES} bytes")
            raw.append((name, value))
            super().headerReceived(name, value)

        def allHeadersReceived(self) -> None:
            setattr(self.response, _RAW_ATTR, tuple(self.__dict__.get("_raw_headers", ())))
            super().allHeadersReceived()

    return _RawHeaderParser


# Scrapy's protocol swaps the class of Twisted's parser for its own lenient one after creating it (looking the
# name up in its module each time); Twisted's HTTP11ClientProtocol looks up HTTPClientParser in its module.
if hasattr(http11, "_LenientHTTPClientParser"):
    if not getattr(http11._LenientHTTPClientParser, "_policycrawl_raw", False):
        http11._LenientHTTPClientParser = _raw_header_parser(http11._LenientHTTPClientParser)
elif not getattr(_newclient.HTTPClientParser, "_policycrawl_raw", False):
    _newclient.HTTPClientParser = _raw_header_parser(_newclient.HTTPClientParser)


def raw_response_headers(request: Request, response: Response) -> tuple[tuple[bytes, bytes], ...] | None:
    """The response's header lines exactly as received, or None when this response did not come through
    ReasonKeepingDownloadHandler (a cache hit, another scheme): then use response.headers."""
    stored = request.meta.get(RAW_HEADERS_META)
    if stored and stored[0] == response.url and stored[1] == response.status:
        return stored[2]
    return None


class _ReasonKeepingAgent(http11._ScrapyAgent):
    def _cb_latency(self, result: Any, request: Request, start_time: float) -> Any:
        phrase = getattr(result, "phrase", b"") or b""
        request.meta[REASON_META] = phrase.decode("latin-1") if isinstance(phrase, bytes) else str(phrase)
        raw = getattr(result, _RAW_ATTR, None)
        if raw is not None:
            request.meta[RAW_HEADERS_META] = (request.url, getattr(result, "code", None), raw)
        else:
            request.meta.pop(RAW_HEADERS_META, None)  # never a previous hop's headers
        return super()._cb_latency(result, request, start_time)


class ReasonKeepingDownloadHandler(http11.HTTP11DownloadHandler):
    def __init__(self, crawler, *args: Any, **kwargs: Any):
        super().__init__(crawler, *args, **kwargs)
        global MAX_HEADERS, MAX_HEADER_BYTES  # one crawl per process: the parser classes read these
        MAX_HEADERS = crawler.settings.getint("POLICYCRAWL_MAX_HEADERS", MAX_HEADERS)
        MAX_HEADER_BYTES = crawler.settings.getint("POLICYCRAWL_MAX_HEADER_BYTES", MAX_HEADER_BYTES)

    async def download_request(self, request: Request) -> Response:
        agent = _ReasonKeepingAgent(
            contextFactory=self._contextFactory,
            bindAddress=self._bind_address,
            pool=self._pool,
            maxsize=self._default_maxsize,
            warnsize=self._default_warnsize,
            fail_on_dataloss=self._fail_on_dataloss,
            crawler=self._crawler,
            tls_verbose_logging=self._tls_verbose_logging,
        )
        try:
            with http11.wrap_twisted_exceptions():
                response = await maybe_deferred_to_future(agent.download_request(request))
                raw = raw_response_headers(request, response)
                if raw is not None:
                    grouped: dict[bytes, list[bytes]] = {}
                    for name, value in raw:
                        grouped.setdefault(name.lower(), []).append(value)
                    response = response.replace(headers=Headers(grouped))
                return response
        except http11.ResponseDataLossError:
            if not self._fail_on_dataloss_warned:
                http11.logger.warning(http11.get_dataloss_msg(request.url))
                self._fail_on_dataloss_warned = True
            raise
