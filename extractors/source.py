"""What the extractor may know about the site a page came from: identity, region and optional per-site hints."""

from __future__ import annotations

from dataclasses import dataclass, field

from extractors.record import Region
from extractors.template import SiteTemplate


@dataclass(frozen=True)
class ExtractionHints:
    """Per-site help for the extractor. Every field is optional; general mechanisms run without them."""

    # CSS selectors. body: the article container; drop: chrome to remove before extraction.
    title_selector: str | None = None
    body_selector: str | None = None
    date_selector: str | None = None
    author_selector: str | None = None
    drop_selectors: tuple[str, ...] = ()
    # Whole lines that are chrome on this site (matched after whitespace is normalised), e.g. a fixed slogan.
    drop_lines: tuple[str, ...] = ()
    # Regular expressions (searched in each normalised line) of lines that are chrome on this site, e.g. an account
    # box's counters "218文章数 6744关注度".
    drop_line_patterns: tuple[str, ...] = ()
    # Script variables / JSON keys in which this site's pages keep the publish time as Unix seconds (`var ct = "…"`).
    script_epoch_keys: tuple[str, ...] = ()
    # Suffixes the site appends to <title>, e.g. "_界面新闻".
    title_suffixes: tuple[str, ...] = ()
    # Prefixes the site puts before the headline in <title>, e.g. "广东省发展和改革委员会 - ".
    title_prefixes: tuple[str, ...] = ()
    # Separators after which the rest of <title> is site or column name, e.g. "--" in "标题--通知公告"
    # (cut at the last one, so a headline holding the separator keeps it).
    title_separators: tuple[str, ...] = ()
    # Charset to prefer when neither HTTP nor <meta> declares one.
    encoding: str | None = None


@dataclass(frozen=True)
class SourceInfo:
    id: str
    site_name: str = ""
    region: Region = field(default_factory=Region)
    hints: ExtractionHints = field(default_factory=ExtractionHints)
    # The site's template learned from its archived pages (extractors/template.py), when the crawl has one.
    template: SiteTemplate | None = None
