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
    # zlib level of the per-record gzip members: 3 is ~2x faster than 6 for ~10% larger files.
    "POLICYCRAWL_WARC_GZIP_LEVEL": 3,
    # Who runs the crawl, written into every warcinfo record and the User-Agent.
    "POLICYCRAWL_OPERATOR": "https://github.com/policycrawl/policycrawl",
    # Extract articles into records; off = fetch and archive only (WARC, no JSONL).
    "POLICYCRAWL_EXTRACT": True,
    # Articles made durable together: one fsync and one state commit per group (see crawler/commit.py).
    "POLICYCRAWL_COMMIT_BATCH": 32,
    "POLICYCRAWL_COMMIT_DELAY": 0.05,
    # Learn each source's site template (what recurs across its pages is chrome) and extract with it; the model is
    # kept in <out>/templates/ and in the WARC (crawler/templates.py).
    "POLICYCRAWL_TEMPLATES": True,
    # Worker processes for extraction; 0 = number of CPUs.
    "POLICYCRAWL_EXTRACT_WORKERS": 0,
    # Seconds one page may spend in the extractor before it is killed and recorded as "timeout".
    "POLICYCRAWL_EXTRACT_TIMEOUT": 60.0,
    # The extract() to run in the workers, as "module:function" with extractors.extract's signature: a research
    # group can plug in its own extractor (or a newer version) without touching the crawler.
    "POLICYCRAWL_EXTRACTOR": "extractors:extract",
    # Upper bound of requests per source in one run (a profile's own page_budget may be lower).
    "POLICYCRAWL_PAGE_BUDGET": 100_000,
    # Incremental runs: a listing's pagination stops after this many pages in a row whose article links were all
    # archived by earlier runs (only when its previous walk finished).
    "POLICYCRAWL_KNOWN_PAGES": 1,
    # Re-check archived articles this many seconds after they were last fetched (conditional GET; unchanged →
    # WARC revisit, changed → new version). 0 = never re-check.
    "POLICYCRAWL_RECHECK_AFTER": 7 * 24 * 3600,
    # At most this many due articles per source are taken from the state at the start of a run (articles
    # linked from listings, feeds and sitemaps are re-checked when due in any case, within the page budget).
    "POLICYCRAWL_RECHECK_BATCH": 100,
    # Article URLs fetched but not yet archived, at most (what a kill -9 costs in re-fetches); 0 = twice
    # CONCURRENT_REQUESTS (pages being downloaded plus pages being extracted and fsynced).
    "POLICYCRAWL_MAX_IN_FLIGHT": 0,
    # A URL failing transiently (timeout, refused connection, 5xx, 429) goes back to pending until it has been
    # fetched this often; then it is failed for good (crawler/retry.py).
    "POLICYCRAWL_MAX_ATTEMPTS": 5,
    # A page that hung or crashed the extractor is fetched at most this often in all (a poison page must not cost
    # a worker on every run).
    "POLICYCRAWL_RETRY_FAILED_EXTRACT": 2,
    # Seconds before a transiently failed URL is fetched again, doubled for each further attempt, at most
    # ..._MAX_DELAY. 0 = the next run tries again at once.
    "POLICYCRAWL_RETRY_FAILED_AFTER": 3600.0,
    "POLICYCRAWL_RETRY_FAILED_MAX_DELAY": 86400.0,
    # 403/412/429/503 answers from one host before it is given up for the run (each one doubles its delay).
    "POLICYCRAWL_BACKOFF_GIVE_UP": 5,
    # Longest back-off delay in seconds; a Retry-After beyond it gives the host up for the run.
    "POLICYCRAWL_BACKOFF_MAX_DELAY": 300.0,
    # robots.txt Crawl-delay is obeyed up to this many seconds.
    "POLICYCRAWL_MAX_CRAWL_DELAY": 120.0,
    # Requests per host per run, at most: the backstop against spider traps. 0 = no limit.
    "POLICYCRAWL_HOST_BUDGET": 20_000,
    # One response's header section, at most: lines and bytes (a server sending headers forever fills memory).
    "POLICYCRAWL_MAX_HEADERS": 1000,
    "POLICYCRAWL_MAX_HEADER_BYTES": 1 << 20,
    # Name of this run (log file OUT/logs/<run>.log, OUT/runs/<run>.json); empty = a random id. Set by the CLI.
    "POLICYCRAWL_RUN_ID": "",
    # Log records from this level up also go to stderr (the CLI sets it from -v; the full log is in the log file).
    "POLICYCRAWL_TERMINAL_LEVEL": "ERROR",
    # Seconds between the one-line progress reports on stderr when it is not a terminal.
    "POLICYCRAWL_PROGRESS_INTERVAL": 30.0,
    # Distributed mode (crawler/distributed/): redis://host:6379/0 makes this process one worker of a cluster sharing
    # its frontier and incremental state in Redis; empty = the single-machine SQLite frontier.
    "POLICYCRAWL_REDIS_URL": "",
    # Key prefix in Redis: two unrelated crawls can share one Redis under different prefixes.
    "POLICYCRAWL_REDIS_PREFIX": "policycrawl",
    # This worker's name in file names and in Redis (consumer, lease owner); empty = HOSTNAME-PID.
    "POLICYCRAWL_WORKER_ID": "",
    # Seconds a host lease lasts without renewal: after a worker dies, its hosts (and their claimed requests) go to
    # another worker this long after its last renewal. Must exceed the longest stall of a live worker.
    "POLICYCRAWL_REDIS_LEASE_TTL": 30.0,
    # Requests of one host in this worker's downloader at once (waiting for the host's delay included).
    "POLICYCRAWL_REDIS_HOST_QUEUE": 2,
    # Hosts one worker serves at once, at most; 0 = CONCURRENT_REQUESTS.
    "POLICYCRAWL_REDIS_MAX_HOSTS": 0,
    # A host with nothing queued is released after this many seconds.
    "POLICYCRAWL_REDIS_IDLE_RELEASE": 2.0,
    # A cluster run (its seen-set of queued requests) ends this many seconds after its last worker left.
    "POLICYCRAWL_REDIS_RUN_IDLE": 60.0,
    # A claimed request that nothing in the worker processes any more (its processing ended without settling it, or
    # Redis's reply to the read was lost) is processed again after this many seconds, not held until the lease goes.
    "POLICYCRAWL_REDIS_STALE_CLAIM": 15.0,
    # Redis unreachable (restart, failover): keep retrying this many seconds before the worker fails.
    "POLICYCRAWL_REDIS_RETRY_FOR": 120.0,
    # Print a progress line on stderr (only when stderr is a terminal unless forced).
    "POLICYCRAWL_PROGRESS": "auto",
    # Attachments (crawler/attachments.py): fetch the files an archived article links (附件), archive them in the
    # WARC and write an attachment record with their text to records/attachments/. Off = the article's
    # `attachments` list only.
    "POLICYCRAWL_ATTACHMENTS": True,
    # Link extensions fetched; a profile's `attachment_types` replaces this list for its source.
    "POLICYCRAWL_ATTACHMENT_TYPES": ["pdf", "doc", "docx", "xls", "xlsx", "wps", "et", "ofd", "txt"],
    # Bytes per file (larger downloads are cut and recorded "too-large") and per run, all attachments together
    # (once reached, further attachments are recorded "run-limit" without a fetch).
    "POLICYCRAWL_ATTACHMENT_MAX_SIZE": 50 * 1024 * 1024,
    "POLICYCRAWL_ATTACHMENT_RUN_BYTES": 2 * 1024 * 1024 * 1024,
    # Seconds one attachment may take to download (one that never ends is cut) and to extract in the worker.
    "POLICYCRAWL_ATTACHMENT_DOWNLOAD_TIMEOUT": 120.0,
    "POLICYCRAWL_ATTACHMENT_EXTRACT_TIMEOUT": 60.0,
    # Extra memory a worker may take while reading one attachment (address-space cap; 0 = no cap).
    "POLICYCRAWL_ATTACHMENT_MAX_MEMORY": 1024 * 1024 * 1024,
    # Pages a PDF may have, and bytes a DOCX/XLSX may inflate to, before it is recorded "too-large".
    "POLICYCRAWL_ATTACHMENT_MAX_PAGES": 500,
    "POLICYCRAWL_ATTACHMENT_MAX_UNPACKED": 200 * 1024 * 1024,
}
