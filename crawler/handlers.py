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

REASON_META = "policycrawl_reason"
RAW_HEADERS_META = "policycrawl_raw_headers"
_RAW_ATTR = "_policycrawl_raw_headers"


def _raw_header_parser(base: type) -> type:
    class _RawHeaderParser(base):
        """The response parser Scrapy uses, also keeping every header line as received."""

        _policycrawl_raw = True

        def connectionMade(self) -> None:  # also resets the parser after a 1xx response
            super().connectionMade()
            self._raw_headers = []

        def headerReceived(self, name: bytes, value: bytes) -> None:
            self.__dict__.setdefault("_raw_headers", []).append((name, value))
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
