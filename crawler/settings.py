"""Scrapy project settings for policycrawl (`scrapy crawl policy -a source=ID` reads these too)."""

from crawler.config import DEFAULTS

BOT_NAME = "policycrawl"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# Checks every address at connect time (DNS rebinding): see crawler/safety.py.
TWISTED_DNS_RESOLVER = "crawler.safety.CheckingResolver"

ADDONS = {"crawler.addon.PolicycrawlAddon": 0}

globals().update(DEFAULTS)
