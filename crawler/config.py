"""Every POLICYCRAWL_* setting, its default and what it means: the one place our own settings are declared."""

from __future__ import annotations

DEFAULTS: dict[str, object] = {
    # Output directory; warc/, records/ and state/ are created beneath it.
    "POLICYCRAWL_OUT": "data",
    # Built-in profiles are always loaded; these TOML/YAML files add or override sources.
    "POLICYCRAWL_SOURCES_FILES": [],
    # {source_id: base_url}: crawl a local mirror of a source instead of the real host (the offline demo).
    "POLICYCRAWL_REBASE": {},
    # Loopback (127.0.0.0/8, ::1) is refused unless this is set; private and link-local ranges always are.
    "POLICYCRAWL_ALLOW_LOOPBACK": False,
    # Refuse every host that is not loopback: tests set this so that no request can leak to the internet.
    "POLICYCRAWL_LOOPBACK_ONLY": False,
    "POLICYCRAWL_WARC_PREFIX": "policycrawl",
    "POLICYCRAWL_WARC_MAX_SIZE": 1_000_000_000,
    # Who runs the crawl, written into every warcinfo record and the User-Agent.
    "POLICYCRAWL_OPERATOR": "https://github.com/policycrawl/policycrawl",
    # Worker processes for extraction; 0 = number of CPUs.
    "POLICYCRAWL_EXTRACT_WORKERS": 0,
    # Seconds one page may spend in the extractor before it is killed and recorded as "timeout".
    "POLICYCRAWL_EXTRACT_TIMEOUT": 60.0,
    # Upper bound of requests per source in one run (a profile's own page_budget may be lower).
    "POLICYCRAWL_PAGE_BUDGET": 100_000,
    # Print a progress line on stderr (only when stderr is a terminal unless forced).
    "POLICYCRAWL_PROGRESS": "auto",
}
