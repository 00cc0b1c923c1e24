"""HTTP download handler that keeps the server's reason phrase, which Scrapy's Response drops.

A WARC response record must carry the status line as received ("HTTP/1.1 404 Nicht Gefunden" stays that),
so the phrase is copied from Twisted's response into request.meta before Scrapy builds its Response.
Everything else is Scrapy's own HTTP/1.1 handler.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.core.downloader.handlers import http11
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future

REASON_META = "policycrawl_reason"


class _ReasonKeepingAgent(http11._ScrapyAgent):
    def _cb_latency(self, result: Any, request: Request, start_time: float) -> Any:
        phrase = getattr(result, "phrase", b"") or b""
        request.meta[REASON_META] = phrase.decode("latin-1") if isinstance(phrase, bytes) else str(phrase)
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
                return await maybe_deferred_to_future(agent.download_request(request))
        except http11.ResponseDataLossError:
            if not self._fail_on_dataloss_warned:
                http11.logger.warning(http11.get_dataloss_msg(request.url))
                self._fail_on_dataloss_warned = True
            raise
