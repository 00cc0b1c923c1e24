"""One add-on switches on policycrawl's components and polite defaults, at "addon" priority so that a
user's project settings and `-s NAME=VALUE` still win."""

from __future__ import annotations

from scrapy.settings import BaseSettings

from crawler.config import DEFAULTS

# process_response runs from high numbers to low: capture sits above HttpCompressionMiddleware (590),
# RedirectMiddleware (600) and RetryMiddleware (550), so it sees every exchange with its body still encoded.
CAPTURE_PRIORITY = 950
# process_request runs from low numbers to high: the safety check must see every hop, redirects included.
SAFETY_PRIORITY = 50


class PolicycrawlAddon:
    def update_settings(self, settings: BaseSettings) -> None:
        for name, value in DEFAULTS.items():
            settings.setdefault(name, value)
        settings.set(
            "USER_AGENT",
            f"policycrawl/0.1 (+{settings.get('POLICYCRAWL_OPERATOR')})",
            priority="addon",
        )
        settings["DOWNLOADER_MIDDLEWARES"].update(
            {
                "crawler.safety.SafetyMiddleware": SAFETY_PRIORITY,
                # Between robots.txt (100) and capture: back-off and host budget, then the in-flight bound.
                "crawler.politeness.PolitenessMiddleware": CAPTURE_PRIORITY - 20,
                "crawler.backpressure.BackpressureMiddleware": CAPTURE_PRIORITY - 5,
                # After capture, before HttpCompressionMiddleware (590): drop encodings we never asked for.
                "crawler.traps.EncodingGuardMiddleware": CAPTURE_PRIORITY - 10,
                "crawler.capture.WarcCaptureMiddleware": CAPTURE_PRIORITY,
                "crawler.safety.ConnectedAddressMiddleware": CAPTURE_PRIORITY + 10,
            }
        )
        settings["ITEM_PIPELINES"].update(
            {
                "crawler.pipelines.ExtractPipeline": 100,
                "crawler.pipelines.ArchivePipeline": 900,
                "crawler.attachments.AttachmentPipeline": 950,
                # Items leave as plain records, so Scrapy's feed exports (-O x.jsonl) can write them.
                "crawler.feeditems.RecordItemPipeline": 1000,
            }
        )
        settings["EXTENSIONS"].update(
            {
                "crawler.session.ArchiveSession": 0,
                "crawler.templates.SiteTemplates": 10,
                "crawler.progress.Progress": 500,
                # A telnet console is a shell on the crawler for anyone who can reach the port.
                "scrapy.extensions.telnet.TelnetConsole": None,
                # Scrapy 2.19's remote control runs Python code sent over HTTP (token in a file under $HOME): same.
                "scrapy.extensions.remote_control.RemoteControl": None,
            }
        )
        settings["DOWNLOAD_HANDLERS"].update(
            {
                "http": "crawler.handlers.ReasonKeepingDownloadHandler",
                "https": "crawler.handlers.ReasonKeepingDownloadHandler",
            }
        )
        if settings.get("POLICYCRAWL_REDIS_URL"):
            # Distributed mode: the frontier, the state and the host politeness are shared through Redis.
            settings.set("SCHEDULER", "crawler.distributed.scheduler.RedisScheduler", priority="addon")
            settings["EXTENSIONS"].update(
                {"crawler.session.ArchiveSession": None, "crawler.distributed.session.DistributedSession": 0}
            )
            settings["DOWNLOADER_MIDDLEWARES"].update(
                {
                    "crawler.politeness.PolitenessMiddleware": None,
                    "crawler.distributed.politeness.DistributedPolitenessMiddleware": CAPTURE_PRIORITY - 20,
                }
            )
        polite = {
            "ROBOTSTXT_OBEY": True,
            "CONCURRENT_REQUESTS": 16,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
            "DOWNLOAD_DELAY": 1.0,
            "DOWNLOAD_DELAY_JITTER": 0.5,
            "AUTOTHROTTLE_ENABLED": True,
            "AUTOTHROTTLE_START_DELAY": 1.0,
            "AUTOTHROTTLE_TARGET_CONCURRENCY": 1.0,
            "DOWNLOAD_TIMEOUT": 60,
            # Scrapy starts this many tasks per callback result; an article yields one item, and 100 tasks per
            # page showed up in profiles of the crawl loop.
            "CONCURRENT_ITEMS": 16,
            "DOWNLOAD_MAXSIZE": 32 * 1024 * 1024,
            "DOWNLOAD_WARNSIZE": 8 * 1024 * 1024,
            "RETRY_TIMES": 2,
            "RETRY_HTTP_CODES": [500, 502, 503, 504, 522, 524, 408, 429],
            "REDIRECT_MAX_TIMES": 10,
            # Depth is bounded by the profiles instead: listings are walked at most max_listing_pages deep and
            # article pages are never followed. Scrapy's DEPTH_LIMIT would count each listing page as a hop and
            # silently drop the articles of page 11 onwards.
            "DEPTH_LIMIT": 0,
            "COOKIES_ENABLED": True,
            "LOG_LEVEL": "INFO",
            # Log lines name an item by URL; Scrapy's default prints the whole item, raw page body included.
            "LOG_FORMATTER": "crawler.logformat.PolicyLogFormatter",
            "TELNETCONSOLE_ENABLED": False,
            "REMOTE_CONTROL_ENABLED": False,
            # Our own SQLite frontier carries state across runs; Scrapy's JOBDIR survives only clean stops.
            "JOBDIR": None,
            "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
            # No "br": warcio 1.8 with brotli 1.2 cannot decode brotli payloads, so pywb and `warcio check`
            # would fail on them. gzip and deflate archives replay everywhere.
            "DEFAULT_REQUEST_HEADERS": {
                "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
                "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5",
                "Accept-Encoding": "gzip, deflate",
            },
        }
        for name, value in polite.items():
            settings.set(name, value, priority="addon")
