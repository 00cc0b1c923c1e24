"""Exit codes of `policycrawl crawl`, stable so that cron wrappers and systemd units can act on them."""

OK = 0
FATAL = 1
USAGE = 2
LOCKED = 3  # another run holds the same output directory; nothing was written
INTERRUPTED = 4  # stopped by SIGINT/SIGTERM; everything written so far is valid, the next run resumes
OUT_OF_SPACE = 5  # the disk filled up; the next run resumes once space is back
# Finished, but the work asked for was not done: no host answered a crawl, or a page given to `fetch` failed
# (refused, 404, timeout...). The summary names the reasons; nothing written is invalid.
INCOMPLETE = 6
