"""`policycrawl` command line: crawl, fetch, extract, sources, demo, serve-demo."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from crawler import exitcodes
from crawler.sources import Profile, ProfileError, adhoc_profile, load_profiles, select_profiles

logger = logging.getLogger("policycrawl")

SEED_SITES = ("jiemian", "ccpa", "tuituisoft", "netease", "dutenews")


# -- settings -------------------------------------------------------------------------------------
def _parse_set(values: Sequence[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or name != name.strip():
            raise UsageError(f"-s expects NAME=VALUE, got {item!r}")
        out[name] = value
    return out


def _check_setting_types(defaults, settings, names: Sequence[str]) -> None:
    """A -s value must parse as the type of the setting's default (a typo must not surface mid-crawl)."""
    for name in names:
        getter = {bool: settings.getbool, int: settings.getint, float: settings.getfloat,
                  dict: settings.getdict, list: settings.getlist}.get(type(defaults.get(name)))
        if getter is None:
            continue
        try:
            getter(name)
        except (TypeError, ValueError) as exc:
            raise UsageError(f"-s {name}={settings.get(name)!r}: {exc}") from None


def _load_profiles(files: Sequence[Path] | None) -> dict[str, Profile]:
    for path in files or []:
        if not Path(path).is_file():
            raise UsageError(f"{path}: no such source profile file")
    return load_profiles(files or [])


def build_settings(args: argparse.Namespace, extra: dict[str, Any] | None = None):
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    if hasattr(args, "out"):  # `extract` writes no output directory
        settings.set("POLICYCRAWL_OUT", str(args.out), priority="cmdline")
    settings.set("POLICYCRAWL_SOURCES_FILES", [str(p) for p in getattr(args, "sources", []) or []], priority="cmdline")
    if getattr(args, "allow_loopback", False):
        settings.set("POLICYCRAWL_ALLOW_LOOPBACK", True, priority="cmdline")
    verbose = getattr(args, "verbose", 0) or 0
    if getattr(args, "quiet", False):
        settings.set("LOG_LEVEL", "WARNING", priority="cmdline")
        settings.set("POLICYCRAWL_PROGRESS", "off", priority="cmdline")
    elif verbose >= 2:
        settings.set("LOG_LEVEL", "DEBUG", priority="cmdline")
    settings.set("POLICYCRAWL_TERMINAL_LEVEL", {0: "ERROR", 1: "INFO"}.get(verbose, "DEBUG"), priority="cmdline")
    for name, value in (extra or {}).items():
        settings.set(name, value, priority="cmdline")
    # Types of the defaults as they are before -s overrides them (Scrapy's own and the add-on's).
    from crawler.addon import PolicycrawlAddon

    probe = settings.copy()
    PolicycrawlAddon().update_settings(probe)
    given = _parse_set(getattr(args, "set", []) or [])
    for name, value in given.items():
        settings.set(name, value, priority="cmdline")
    _check_setting_types(probe, settings, list(given))
    return settings


def _slots(profiles: Sequence[Profile]) -> dict[str, dict[str, float]]:
    """Per-host politeness a profile declares (Scrapy's DOWNLOAD_SLOTS); undeclared values fall back to the
    crawl-wide DOWNLOAD_DELAY and CONCURRENT_REQUESTS_PER_DOMAIN."""
    slots: dict[str, dict[str, float]] = {}
    for profile in profiles:
        declared = {"delay": profile.download_delay, "concurrency": profile.concurrency}
        declared = {k: v for k, v in declared.items() if v is not None}
        if declared:
            for host in profile.allowed_hosts:
                slots[host.split(":")[0]] = declared
    return slots


# -- running a crawl ------------------------------------------------------------------------------
# Scrapy's CloseSpider extension stops a run on purpose: a bounded crawl, not a failure.
_CLOSESPIDER_OK = ("closespider_timeout", "closespider_itemcount", "closespider_pagecount",
                   "closespider_timeout_no_item")


def crawl_exit_code(stats: dict[str, Any], profiles: Sequence[Profile], every_page: bool = False) -> tuple[int, str]:
    """(exit code, note for the user) of a crawl that ran to its end; `every_page`: each request must succeed."""
    reason = stats.get("finish_reason", "finished")
    if reason in _CLOSESPIDER_OK:
        return exitcodes.OK, f"stopped by {reason.upper()} as configured"
    if reason == "shutdown":
        return exitcodes.INTERRUPTED, ""
    if reason == "out-of-space":
        return exitcodes.OUT_OF_SPACE, ""
    if reason != "finished":
        return exitcodes.FATAL, f"crawl stopped: {reason}"
    requests = stats.get("downloader/request_count", 0)
    if requests and not stats.get("downloader/response_count", 0):
        return exitcodes.INCOMPLETE, f"no host answered any of {requests} requests"
    if every_page:
        failed = {}
        for profile in profiles:
            prefix = f"policycrawl/source/{profile.id}/failures/"
            for key, value in stats.items():
                if key.startswith(prefix):
                    failed[key[len(prefix):]] = failed.get(key[len(prefix):], 0) + value
        if failed:
            total = sum(failed.values())
            detail = ", ".join(f"{k}={v}" for k, v in sorted(failed.items()))
            return exitcodes.INCOMPLETE, f"{total} page(s) not archived ({detail})"
    return exitcodes.OK, ""


def run_crawl(settings, profiles: Sequence[Profile], every_page: bool = False) -> int:
    from scrapy.crawler import CrawlerProcess

    from archive.fsutil import LockedError, RunLock
    from crawler.spiders.policy import PolicySpider

    out = Path(settings.get("POLICYCRAWL_OUT"))
    try:  # fail fast, before Scrapy starts, when another run holds this output directory
        if not settings.get("POLICYCRAWL_REDIS_URL"):  # distributed workers lock per worker (state/workers/ID)
            RunLock(out / "state").acquire().release()
    except LockedError as exc:
        print(f"policycrawl: locked: {exc}", file=sys.stderr)
        return exitcodes.LOCKED
    if not settings.getdict("DOWNLOAD_SLOTS"):
        settings.set("DOWNLOAD_SLOTS", _slots(profiles), priority="cmdline")
    log_file = _log_to_file(settings, out)
    process = CrawlerProcess(settings)
    _terminal_log(settings.get("POLICYCRAWL_TERMINAL_LEVEL") or "ERROR")
    signalled = _track_shutdown_signals(process)
    crawler = process.create_crawler(PolicySpider)
    errors: list[BaseException] = []
    deferred = process.crawl(crawler, profiles=list(profiles))
    deferred.addErrback(lambda failure: errors.append(failure.value))
    started = time.monotonic()
    process.start()
    elapsed = time.monotonic() - started
    stats = crawler.stats.get_stats() if crawler.stats else {}
    # A second SIGTERM stops the reactor before spider_closed: close the files here (idempotent otherwise).
    from crawler.session import ArchiveSession

    outcome = ArchiveSession.close_after_reactor(crawler, "interrupted" if signalled else "finished")
    if outcome == "out-of-space":
        print_summary(stats, profiles, elapsed, log_file)
        return exitcodes.OUT_OF_SPACE
    if signalled:
        print_summary(stats, profiles, elapsed, log_file)
        print(f"policycrawl: interrupted by signal {signalled[0]}; the next run resumes", file=sys.stderr)
        return exitcodes.INTERRUPTED
    if errors:
        if isinstance(errors[0], Interrupted):
            raise errors[0]
        if isinstance(errors[0], LockedError):
            print(f"policycrawl: locked: {errors[0]}", file=sys.stderr)
            return exitcodes.LOCKED
        print(f"policycrawl: fatal: {errors[0]!r}", file=sys.stderr)
        return exitcodes.FATAL
    print_summary(stats, profiles, elapsed, log_file)
    code, note = crawl_exit_code(stats, profiles, every_page)
    if note:
        print(f"policycrawl: {note}" + (f" (exit code {code})" if code else ""), file=sys.stderr)
    return code


def _log_to_file(settings, out: Path) -> Path | None:
    """Scrapy's log goes to OUT/logs/<run>.log (unless LOG_FILE is set): the terminal is for the user."""
    import uuid

    run_id = settings.get("POLICYCRAWL_RUN_ID") or uuid.uuid4().hex[:12]
    settings.set("POLICYCRAWL_RUN_ID", run_id, priority="cmdline")
    if settings.get("LOG_FILE"):
        return Path(settings.get("LOG_FILE"))
    logs = out / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    path = logs / f"{run_id}.log"
    settings.set("LOG_FILE", str(path), priority="cmdline")
    # Append, although the file is new: Scrapy re-opens its root handler when the crawler is made and again after
    # the extensions are built, and in "w" mode each re-open emptied the file, taking the start-up warnings of
    # ArchiveSession (repaired WARCs, quarantined JSONL lines, a rebuilt state) with it.
    settings.set("LOG_FILE_APPEND", True, priority="cmdline")
    return path


def _terminal_log(level: str) -> None:
    """Errors (or, with -v, more) also reach stderr as one short line each; so do warnings about the user's
    data on disk (crawler/logformat.py DataNotices), whatever the level."""
    from crawler.logformat import DataNotices, OneLineFormatter

    handler = logging.StreamHandler(sys.stderr)
    chosen = logging.getLevelName(level.upper())
    handler.setLevel(min(chosen, logging.WARNING))
    handler.addFilter(DataNotices(chosen))
    handler.setFormatter(OneLineFormatter("policycrawl: %(levelname)s: %(message)s"))
    logging.getLogger().addHandler(handler)


def _track_shutdown_signals(process) -> list[int]:
    """Record SIGINT/SIGTERM: after a forced (second-signal) shutdown Scrapy may never set a finish reason,
    and the exit code must still say "interrupted"."""
    received: list[int] = []
    for name in ("_signal_shutdown", "_signal_kill"):
        original = getattr(process, name, None)
        if original is None:
            continue

        def handler(signum, frame, _original=original):
            received.append(signum)
            _original(signum, frame)

        setattr(process, name, handler)
    return received


def print_summary(stats: dict[str, Any], profiles: Sequence[Profile], elapsed: float,
                  log_file: Path | None = None) -> None:
    """One table per run on stderr: per source requests, articles, known URLs and failures by reason."""
    rows = []
    for profile in profiles:
        prefix = f"policycrawl/source/{profile.id}/"
        failures = {k[len(prefix) + len("failures/"):]: v for k, v in stats.items() if k.startswith(prefix + "failures/")}
        if stats.get(prefix + "budget_exhausted"):
            # Not a failure of any page, but the run did not see everything: say so next to the failures.
            failures["not-fetched-over-budget"] = stats[prefix + "budget_exhausted"]
        if stats.get(prefix + "retry_later"):
            # Linked again, but failed transiently before and its back-off is not over (crawler/retry.py).
            failures["retry-later"] = stats[prefix + "retry_later"]
        rows.append(
            (
                profile.id,
                stats.get(prefix + "requests", 0),
                stats.get(prefix + "articles", 0),
                stats.get(prefix + "known", 0),
                ", ".join(f"{k}={v}" for k, v in sorted(failures.items())) or "-",
            )
        )
    header = ("source", "requests", "articles", "known", "failures")
    refused = stats.get("policycrawl/safety/refused", 0)
    total = (
        f"{stats.get('policycrawl/warc/responses', 0)} HTTP responses archived, "
        f"{stats.get('policycrawl/records/written', 0)} records written, {refused} requests refused, "
        f"{elapsed:.1f}s; finish reason: {stats.get('finish_reason', '?')}"
    )
    where = f"log: {log_file}" if log_file else ""
    err = sys.stderr
    if err.isatty():
        from rich.console import Console
        from rich.table import Table

        table = Table(*header, box=None, header_style="bold", pad_edge=False, caption=total, caption_justify="left")
        for row in rows:
            table.add_row(*map(str, row))
        console = Console(stderr=True)
        console.print(table)
        if where:
            console.print(where, style="dim", highlight=False)
        return
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    print("", file=err)
    for row in [header, *rows]:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip(), file=err)
    print(f"\n{total}", file=err)
    if where:
        print(where, file=err)


def _profiles_for(args: argparse.Namespace) -> list[Profile]:
    available = _load_profiles(args.sources)
    if getattr(args, "start", None) and args.source_ids:
        raise UsageError(f"crawl: give source ids ({' '.join(args.source_ids)}) or --start URL, not both")
    if getattr(args, "follow", None) and not getattr(args, "start", None):
        raise UsageError("crawl: --follow only applies to --start crawls")
    if getattr(args, "start", None):
        from crawler.spiders.policy import GENERIC_ARTICLE_PATTERN

        return [adhoc_profile(args.start, args.follow or GENERIC_ARTICLE_PATTERN)]
    return select_profiles(available, args.source_ids)


# -- commands -------------------------------------------------------------------------------------
def cmd_crawl(args: argparse.Namespace) -> int:
    profiles = _profiles_for(args)
    extra: dict[str, Any] = {}
    if args.max_pages:
        extra["POLICYCRAWL_PAGE_BUDGET"] = args.max_pages
    if getattr(args, "redis", None):
        extra["POLICYCRAWL_REDIS_URL"] = args.redis
    if getattr(args, "worker_id", None):
        extra["POLICYCRAWL_WORKER_ID"] = args.worker_id
    return run_crawl(build_settings(args, extra), profiles)


def _archive_inputs(inputs: Sequence[str]) -> list[str]:
    """A directory stands for every finished WARC in it (or in its warc/): several workers' files are one archive."""
    out: list[str] = []
    for name in inputs:
        path = Path(name)
        if path.is_dir():
            folder = path / "warc" if (path / "warc").is_dir() else path
            out += sorted(str(p) for p in folder.iterdir() if p.name.endswith((".warc.gz", ".warc")))
        else:
            out.append(name)
    return out


def cmd_fetch(args: argparse.Namespace) -> int:
    urls = list(args.urls)
    if args.urls_file:
        if args.urls_file == "-":
            text = sys.stdin.read()
        elif not Path(args.urls_file).is_file():
            raise UsageError(f"{args.urls_file}: no such URL list")
        else:
            text = Path(args.urls_file).read_text("utf-8")
        urls += [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    if not urls:
        raise UsageError("fetch: give URLs or --urls FILE ('-' reads them from stdin)")
    profile = adhoc_profile([], article_urls=urls, source_id="fetch")
    settings = build_settings(args)
    if not args.verbose and not args.quiet and "POLICYCRAWL_TERMINAL_LEVEL" not in _parse_set(args.set):
        # Every page was asked for by name: why one failed is worth a line on the terminal.
        settings.set("POLICYCRAWL_TERMINAL_LEVEL", "WARNING", priority="cmdline")
    return run_crawl(settings, [profile], every_page=True)


def cmd_sources(args: argparse.Namespace) -> int:
    for profile in _load_profiles(args.sources).values():
        region = " ".join(x for x in (profile.region.province, profile.region.city, profile.region.code) if x)
        family = profile.family or "-"
        print(f"{profile.id:14} {family:7} {profile.region.code or '-':6}  {profile.name}  [{region or '全国'}]  "
              f"{', '.join(profile.allowed_hosts)}")
    return exitcodes.OK


class UsageError(Exception):
    """A bad command line or input: one line naming the file or flag, exit code 2."""


# Input kinds `extract` recognises by name before looking inside: each refused one gets a line saying what to do.
_REFUSED_INPUTS = (
    ((".warc.gz.open", ".warc.open"), "a WARC file still being written, or left open by a killed run; the next "
                                       "`policycrawl crawl` on its --out repairs and closes it"),
    ((".wacz",), "a WACZ package: extract its WARC files (unzip, then archive/*.warc.gz)"),
    ((".jsonl", ".json"), "already JSON records, not a WARC or HTML page"),
    ((".cdxj", ".cdx"), "a CDXJ index, not a WARC; give the .warc.gz beside it"),
)
_WARC_SUFFIXES = (".warc.gz", ".warc")
# Never written by `extract -o`: archived data and its indexes.
_PROTECTED_SUFFIXES = (*_WARC_SUFFIXES, ".warc.gz.open", ".warc.open", ".wacz", ".cdxj", ".sqlite")


def _classify_input(name: str) -> str:
    """"warc", "html" or "stdin" for one `extract` input; UsageError for anything else."""
    if name == "-":
        return "stdin"
    path = Path(name)
    lower = path.name.lower()
    for suffixes, why in _REFUSED_INPUTS:
        if lower.endswith(suffixes):
            raise UsageError(f"{path}: {why}")
    if not path.is_file():
        raise UsageError(f"{path}: no such file" if not path.exists() else f"{path}: not a file")
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if lower.endswith(_WARC_SUFFIXES):
        return "warc"
    if head.startswith(b"\x1f\x8b") or head.startswith(b"WARC/"):
        return "warc"  # a WARC under another name
    if b"\x00" in head or b"<" not in head:
        raise UsageError(f"{path}: neither a WARC file nor an HTML page")
    return "html"


def _check_output(out: Path, inputs: Sequence[str]) -> None:
    """An output path must never be an input, a WARC or anything in a crawl's warc/ directory."""
    resolved = out.resolve()
    for name in inputs:
        if name == "-":
            continue
        src = Path(name)
        if src.resolve() == resolved or (out.exists() and src.exists() and os.path.samefile(src, out)):
            raise UsageError(f"{out}: is also an input; refusing to overwrite it")
    if out.name.lower().endswith(_PROTECTED_SUFFIXES):
        raise UsageError(f"{out}: refusing to write records over archived data (a WARC, WACZ, index or state file)")
    if "warc" in resolved.parent.parts:
        raise UsageError(f"{out}: is inside a warc/ directory; write records elsewhere")
    if out.is_dir():
        raise UsageError(f"{out}: is a directory")


def _warn_damaged(warcs: Sequence[Path]) -> int:
    """check_warc on every input: a truncated or damaged file is extracted as far as it reads, with a warning."""
    from archive.warc_check import check_warc
    from archive.warc_read import looks_like_warc

    damaged = 0
    for path in warcs:
        if not looks_like_warc(path):
            continue  # never inflated (a gzip bomb under a WARC name); re-extraction says it skipped the file
        problems = check_warc(path)
        if problems:
            damaged += 1
            print(f"policycrawl extract: warning: {path}: {len(problems)} problem(s), e.g. {problems[0]}; "
                  "records after the damage may be missing", file=sys.stderr)
    return damaged


def _extract_settings(args: argparse.Namespace):
    """The crawl's settings (crawler.config.DEFAULTS under -s), for the extraction pool of `extract`."""
    from crawler.config import DEFAULTS

    settings = build_settings(args)
    for name, value in DEFAULTS.items():
        settings.setdefault(name, value)
    return settings


def cmd_extract(args: argparse.Namespace) -> int:
    from archive.fsutil import fsync_dir
    from archive.jsonl import JsonlWriter
    from archive.reextract import ExtractionJob, extraction_jobs
    from crawler.pool import ExtractionPool
    from extractors import SourceInfo

    kinds = [(name, _classify_input(name)) for name in _archive_inputs(args.inputs)]
    if sum(1 for _, kind in kinds if kind == "stdin") > 1:
        raise UsageError("extract: '-' (stdin) may be given once")
    to_stdout = args.output == "-"
    out = Path(args.output)
    if not to_stdout:
        _check_output(out, args.inputs)
    profiles = _load_profiles(args.sources)
    by_host = {host: p for p in profiles.values() for host in p.allowed_hosts}

    def source_for(previous: dict | None, url: str) -> SourceInfo:
        from urllib.parse import urlsplit

        from extractors.record import Record

        source_id = previous.get("source") if previous else None
        if source_id in profiles:
            return profiles[source_id].source_info
        if previous:  # a source declared only for that crawl (ad hoc, fetch): keep what the crawl knew
            earlier = Record.from_dict(previous)
            return SourceInfo(id=source_id or "adhoc", site_name=earlier.site_name or "", region=earlier.region)
        profile = by_host.get(urlsplit(url).netloc.lower())
        if profile:
            return profile.source_info
        return SourceInfo(id="adhoc")

    warcs = [Path(n) for n, kind in kinds if kind == "warc"]
    html_inputs = [n for n, kind in kinds if kind in ("html", "stdin")]
    _warn_damaged(warcs)

    def html_jobs():
        for name in html_inputs:
            if name == "-":
                body, base_name = sys.stdin.buffer.read(MAX_BODY + 1), "stdin.html"
            else:
                path = Path(name)
                if path.stat().st_size > MAX_BODY:  # the crawl never archives more (DOWNLOAD_MAXSIZE)
                    print(f"policycrawl extract: {path}: larger than {MAX_BODY} bytes; skipped", file=sys.stderr)
                    continue
                body, base_name = path.read_bytes(), path.name
            if len(body) > MAX_BODY:
                print(f"policycrawl extract: stdin: larger than {MAX_BODY} bytes; skipped", file=sys.stderr)
                continue
            if args.base_url:
                url = args.base_url.rstrip("/") + "/" + base_name
            else:
                url = Path(name).resolve().as_uri() if name != "-" else "file:///dev/stdin"
            # not in a WARC: no pointer (warc null), no capture time or status, as extract()'s defaults
            yield ExtractionJob(body=body, url=url, headers=(), source=source_for(None, url), fetched_at=None,
                                http_status=None, pointer=None)

    from collections import Counter
    from itertools import chain

    from archive.reextract import MAX_BODY

    # The crawl's pool, from the same settings (-s POLICYCRAWL_EXTRACTOR, POLICYCRAWL_EXTRACT_TIMEOUT,
    # POLICYCRAWL_ATTACHMENT_*): a page that hangs the extractor is killed after the time limit and counted.
    try:
        pool = ExtractionPool.from_settings(_extract_settings(args), workers=args.workers)
    except ValueError as exc:  # POLICYCRAWL_EXTRACTOR naming no function
        raise UsageError(str(exc)) from None
    counts = {"ok": 0, "skipped": 0, "attachments": 0, "why": Counter()}
    with pool:
        records = pool.run_jobs(chain(extraction_jobs(warcs, source_for), html_jobs()))
        if to_stdout:
            for line in records:
                if getattr(line.record, "record_type", None) == "attachment":
                    counts["attachments"] += 1
                    sys.stdout.write(line.to_json() + "\n")
                    continue
                _count(line.record, counts)
                if line.record.status == "ok":
                    sys.stdout.write(line.to_json() + "\n")
            sys.stdout.flush()
        else:
            # Readers of OUT see the old file or the complete new one, never a half-written one; a failed run
            # leaves no partial file behind. Attachment records (crawler/attachments.py) go beside OUT, as the
            # crawl keeps them beside its records.
            partial = out.with_name(f".{out.name}.partial")
            attachments_out = out.with_name(out.stem + ".attachments.jsonl")
            attachments_partial = out.with_name(f".{attachments_out.name}.partial")
            partial.unlink(missing_ok=True)
            attachments_partial.unlink(missing_ok=True)
            writer = attachment_writer = None
            try:
                writer = JsonlWriter(partial)
                for line in records:
                    if getattr(line.record, "record_type", None) == "attachment":
                        attachment_writer = attachment_writer or JsonlWriter(attachments_partial)
                        attachment_writer.write(line, sync=False)
                        counts["attachments"] += 1
                        continue
                    _count(line.record, counts)
                    if line.record.status == "ok":
                        writer.write(line, sync=False)
                writer.close()
                if attachment_writer is not None:
                    attachment_writer.close()
                    os.replace(attachments_partial, attachments_out)
                os.replace(partial, out)
            except BaseException:
                for w in (writer, attachment_writer):
                    if w is not None:
                        try:
                            w.close()
                        except OSError:
                            pass
                partial.unlink(missing_ok=True)  # never a half-made output left behind
                attachments_partial.unlink(missing_ok=True)
                raise
            fsync_dir(out.parent.resolve())
    where = "stdout" if to_stdout else out
    why = ", ".join(f"{status} {n}" for status, n in sorted(counts["why"].items()))
    print(f"{counts['ok']} records written to {where} ({counts['skipped']} pages without an article"
          f"{': ' + why if why else ''})", file=sys.stderr)
    if counts["attachments"]:
        print(f"{counts['attachments']} attachment records written", file=sys.stderr)
    return exitcodes.OK


def _count(record, counts: dict[str, int]) -> None:
    if record.status == "ok":
        counts["ok"] += 1
    else:
        counts["skipped"] += 1
        counts["why"][record.status] += 1
        logger.info("%s: %s %s", record.status, record.url, record.status_detail or "")


def cmd_index(args: argparse.Namespace) -> int:
    from archive.cdxj import write_cdxj, write_index

    paths = [Path(p) for p in _archive_inputs(args.inputs)]
    if args.output:
        print(write_cdxj(paths, Path(args.output)), file=sys.stderr)
    else:
        for path in paths:
            print(write_index(path), file=sys.stderr)
    return exitcodes.OK


def _pages_jsonl(records_dir: Path, warc_names: set[str], target: Path) -> int:
    """WACZ pages.jsonl from our JSONL records: one page per article whose capture is in the packed WARCs."""
    pages = {}
    for path in sorted(records_dir.glob("*.jsonl")):
        for line in path.read_text("utf-8").splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue  # a half-written last line of a killed run
            if (record.get("warc") or {}).get("filename") in warc_names:
                pages[record["url"]] = {"url": record["url"], "ts": record.get("fetched_at"),
                                        "title": record.get("title") or record["url"]}
    with open(target, "w", encoding="utf-8") as fh:
        fh.write(json.dumps({"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}) + "\n")
        for page in pages.values():
            fh.write(json.dumps(page, ensure_ascii=False) + "\n")
    return len(pages)


def cmd_pack(args: argparse.Namespace) -> int:
    import tempfile

    try:
        from wacz.main import main as wacz_main
    except ImportError:
        print("policycrawl pack needs py-wacz: pip install 'policycrawl[pack]'", file=sys.stderr)
        return exitcodes.USAGE
    out = Path(args.out)
    warcs = [Path(p) for p in args.inputs] or sorted((out / "warc").glob("*.warc.gz"))
    if not warcs:
        print(f"policycrawl pack: no finished WARC files in {out / 'warc'}", file=sys.stderr)
        return exitcodes.USAGE
    target = Path(args.output or out / "policycrawl.wacz")
    if target.exists():
        print(f"policycrawl pack: {target} exists; not overwriting it", file=sys.stderr)
        return exitcodes.USAGE
    with tempfile.TemporaryDirectory() as tmp:
        pages = Path(tmp) / "pages.jsonl"
        count = _pages_jsonl(out / "records", {w.name for w in warcs}, pages)
        partial = Path(tmp) / "partial.wacz"
        code = wacz_main(["create", "-o", str(partial), "-p", str(pages), "--title", args.title,
                          *map(str, warcs)])
        if code == 0:
            code = wacz_main(["validate", "-f", str(partial)])
        if code != 0:
            print("policycrawl pack: wacz create/validate failed", file=sys.stderr)
            return exitcodes.FATAL
        import shutil

        shutil.copyfile(partial, target)
    print(f"{target}: {len(warcs)} WARC files, {count} pages; validated", file=sys.stderr)
    return exitcodes.OK


def cmd_repair(args: argparse.Namespace) -> int:
    """Repair WARCs left open and rebuild the frontier state from the archive (archive/rebuild.py)."""
    from archive.fsutil import LockedError, RunLock
    from archive.rebuild import archive_present, move_state_aside, rebuild_state, state_problem
    from archive.state import CrawlState
    from archive.warc_repair import repair_open_files
    from crawler.session import frontier_key

    out = Path(args.out)
    if not archive_present(out):
        print(f"policycrawl repair: no records under {out / 'records'}; nothing to rebuild the state from",
              file=sys.stderr)
        return exitcodes.FATAL
    try:
        lock = RunLock(out / "state").acquire()
    except LockedError as exc:
        print(f"policycrawl: locked: {exc}", file=sys.stderr)
        return exitcodes.LOCKED
    try:
        warcs = repair_open_files(out / "warc", index=True)
        for f in warcs.files:
            print(f"{f.path.name}: {f.outcome}, {f.cut_bytes} bytes cut", file=sys.stderr)
        path = out / "state" / "frontier.sqlite"
        problem = state_problem(path) or "requested"
        moved = move_state_aside(path, "damaged" if problem.startswith("unreadable") else "replaced")
        state = CrawlState(path)
        try:
            report = rebuild_state(out, state, frontier_key, problem)
        finally:
            state.close()
        report.moved_aside = moved
        print(f"policycrawl repair: {report}", file=sys.stderr)
    finally:
        lock.release()
    return exitcodes.OK


def cmd_report(args: argparse.Namespace) -> int:
    from archive.fsutil import atomic_write_bytes
    from crawler.report import collect, render

    out = Path(args.out)
    if not out.is_dir():
        raise UsageError(f"{out}: no such output directory (give the --out of a crawl)")
    html = render(collect(out))
    if args.output == "-":
        sys.stdout.write(html)
        return exitcodes.OK
    target = Path(args.output) if args.output else out / "report.html"
    _check_output(target, [])
    atomic_write_bytes(target, html.encode("utf-8"))
    print(f"report written to {target}", file=sys.stderr)
    return exitcodes.OK


def cmd_serve_demo(args: argparse.Namespace) -> int:
    from crawler.demo.replica import ReplicaServer

    with ReplicaServer(host=args.host, base_port=args.port) as server:
        for site, url in server.base_urls.items():
            print(f"{site:12} {url}/", flush=True)
        print("serving the replica network; Ctrl-C stops it", file=sys.stderr, flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    return exitcodes.OK


def demo_settings(base_urls: dict[str, str]) -> dict[str, Any]:
    return {
        "POLICYCRAWL_REBASE": base_urls,
        "POLICYCRAWL_ALLOW_LOOPBACK": True,
        # The demo must never leave the machine.
        "POLICYCRAWL_LOOPBACK_ONLY": True,
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 4,
        "DOWNLOAD_SLOTS": {"127.0.0.1": {"delay": 0, "concurrency": 4}},
        # The replica serves one oversized attachment (crawler/demo/attachments.py OVERSIZE) to show the limit.
        "POLICYCRAWL_ATTACHMENT_MAX_SIZE": 1024 * 1024,
    }


DEMO_PORT = 8870  # first port of the demo's replica sites; the same each run, so a second run is incremental


def cmd_demo(args: argparse.Namespace) -> int:
    from crawler.demo.replica import ReplicaServer

    available = _load_profiles(args.sources)
    server = ReplicaServer(host="127.0.0.1", base_port=args.port)
    try:
        server.start()
    except OSError as exc:
        if args.port == 0:
            raise
        # Other ports would make the archived URLs differ from the last run's: everything is fetched again.
        print(f"policycrawl demo: ports {args.port}+ are busy ({exc.strerror}); using free ports, so this run "
              "cannot reuse an earlier run's archive (pick another --port for that)", file=sys.stderr)
        server = ReplicaServer(host="127.0.0.1").start()
    with server:
        ids = [s for s in server.base_urls if s in available]
        profiles = [available[s].rebased(server.base_urls[s]) for s in ids]
        first = min(int(u.rsplit(":", 1)[1]) for u in server.base_urls.values())
        print(f"replica of {len(ids)} sites on 127.0.0.1:{first}+: {', '.join(ids)}", file=sys.stderr)
        code = run_crawl(build_settings(args, demo_settings(server.base_urls)), profiles)
    out = Path(args.out)
    warcs = sorted((out / "warc").glob("*.warc.gz"))
    records = sorted((out / "records").glob("*.jsonl"))
    size = sum(p.stat().st_size for p in warcs) / 1e6
    print(f"WARC files: {out / 'warc'}/ ({len(warcs)} files, {size:.1f} MB)")
    print(f"records:    {out / 'records'}/ ({len(records)} JSONL files)")
    print(f"report:     policycrawl report --out {out}")
    return code


# -- argument parsing -----------------------------------------------------------------------------
def _common(parser: argparse.ArgumentParser, writes: bool = True) -> None:
    parser.add_argument("--sources", action="append", type=Path, default=[], metavar="FILE",
                        help="extra source profiles (TOML or YAML); may be repeated")
    if writes:
        parser.add_argument("--out", type=Path, default=Path("data"), help="output directory (default: ./data)")
        parser.add_argument("--allow-loopback", action="store_true",
                            help="allow requests to 127.0.0.0/8 and ::1 (local mirrors, tests)")
        parser.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                            help="set any Scrapy or POLICYCRAWL_* setting")
    verbosity = parser.add_mutually_exclusive_group()
    verbosity.add_argument("-q", "--quiet", action="store_true",
                           help="no progress display; only warnings, errors and the summary")
    verbosity.add_argument("-v", "--verbose", action="count", default=0,
                           help="more detail in the log (-v: INFO on the terminal too, -vv: DEBUG)")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("policycrawl")
    except PackageNotFoundError:  # running from a checkout that was never installed
        return "0+unknown"


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="policycrawl", description=__doc__)
    import scrapy

    parser.add_argument("--version", action="version",
                        version=f"policycrawl {_version()} (Scrapy {scrapy.__version__}, Python {sys.version.split()[0]})")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("crawl", help="crawl sources (all built-in ones by default)")
    p.add_argument("source_ids", nargs="*", metavar="SOURCE")
    p.add_argument("--start", action="append", metavar="URL", help="crawl an undeclared site from this listing page")
    p.add_argument("--follow", metavar="REGEX", help="with --start: links matching this are articles")
    p.add_argument("--max-pages", type=int, default=0, help="request budget per source for this run")
    p.add_argument("--redis", metavar="URL", help="be one worker of a cluster sharing its frontier in Redis "
                   "(redis://host:6379/0); see README 'Many workers'")
    p.add_argument("--worker-id", metavar="NAME", help="with --redis: this worker's name (default HOSTNAME-PID)")
    _common(p)
    p.set_defaults(func=cmd_crawl)

    p = sub.add_parser("fetch", help="archive and extract the given pages, without following links")
    p.add_argument("urls", nargs="*", metavar="URL")
    p.add_argument("--urls", dest="urls_file", metavar="FILE", help="file with one URL per line")
    _common(p)
    p.set_defaults(func=cmd_fetch)

    p = sub.add_parser("extract", help="WARC or HTML files in, JSONL out; no network")
    p.add_argument("inputs", nargs="+", metavar="INPUT")
    p.add_argument("-o", "--output", required=True, metavar="OUT.jsonl")
    p.add_argument("--base-url", help="URL prefix for HTML file inputs")
    p.add_argument("--workers", type=int, default=None,
                   help="extraction processes (default: POLICYCRAWL_EXTRACT_WORKERS, one per CPU)")
    p.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                   help="a POLICYCRAWL_* setting, as for crawl (POLICYCRAWL_EXTRACTOR, POLICYCRAWL_EXTRACT_TIMEOUT, …)")
    _common(p, writes=False)
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("index", help="write the CDXJ index of WARC files (x.cdxj beside x.warc.gz)")
    p.add_argument("inputs", nargs="+", metavar="WARC")
    p.add_argument("-o", "--output", metavar="OUT.cdxj", help="one sorted index over all inputs instead")
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("pack", help="package finished WARCs and their pages as a validated WACZ (needs py-wacz)")
    p.add_argument("inputs", nargs="*", metavar="WARC", help="default: every finished WARC under --out")
    p.add_argument("--out", type=Path, default=Path("data"), help="output directory of the crawl (default: ./data)")
    p.add_argument("-o", "--output", metavar="FILE.wacz", help="default: OUT/policycrawl.wacz")
    p.add_argument("--title", default="policycrawl archive")
    p.set_defaults(func=cmd_pack)

    p = sub.add_parser("repair", help="repair open WARCs and rebuild the frontier state from WARCs + JSONL")
    p.add_argument("--out", type=Path, default=Path("data"), help="output directory of the crawl (default: ./data)")
    p.set_defaults(func=cmd_repair)

    p = sub.add_parser("report", help="an HTML report of an output directory and its runs (offline, inline SVG)")
    p.add_argument("--out", type=Path, default=Path("data"), help="output directory of the crawl (default: ./data)")
    p.add_argument("-o", "--output", metavar="FILE.html", help="default: OUT/report.html; '-' for stdout")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("sources", help="list known source profiles")
    _common(p, writes=False)
    p.set_defaults(func=cmd_sources)

    p = sub.add_parser("demo", help="crawl the built-in offline replica of the seed sites")
    p.add_argument("--port", type=int, default=DEMO_PORT,
                   help=f"first port of the replica sites (default {DEMO_PORT}; 0 = any free ports)")
    _common(p)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("serve-demo", help="serve the offline replica network for other tools")
    p.add_argument("--port", type=int, default=8800, help="first port; site i listens on PORT+i")
    p.add_argument("--host", default="127.0.0.1")
    p.set_defaults(func=cmd_serve_demo)
    return parser


class Interrupted(KeyboardInterrupt):
    """SIGINT/SIGTERM before Scrapy installed its own handlers (start-up, the repair of a large .open file)."""


def _interrupt_early(signum, frame) -> None:
    raise Interrupted(signum)


def main(argv: Sequence[str] | None = None) -> int:
    import signal

    # Until Scrapy takes over the signals (once its reactor runs), a signal must still end the run with code 4
    # and one line, not 143/130 and a traceback: whatever start-up wrote is valid, and the next run resumes.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _interrupt_early)
    try:
        args = make_parser().parse_args(argv)
        return args.func(args)
    except Interrupted as exc:
        print(f"policycrawl: interrupted by signal {exc.args[0]}; the next run resumes", file=sys.stderr)
        return exitcodes.INTERRUPTED
    except (ProfileError, UsageError) as exc:
        print(f"policycrawl: {exc}", file=sys.stderr)
        return exitcodes.USAGE
    except KeyboardInterrupt:
        print("policycrawl: interrupted", file=sys.stderr)
        return exitcodes.INTERRUPTED
    except OSError as exc:
        from archive.fsutil import is_out_of_space

        where = f"{exc.filename}: " if exc.filename else ""
        if is_out_of_space(exc):
            print(f"policycrawl: out of disk space: {where}{exc.strerror or exc}", file=sys.stderr)
            return exitcodes.OUT_OF_SPACE
        logger.debug("fatal error", exc_info=True)
        print(f"policycrawl: {where}{exc.strerror or exc}", file=sys.stderr)
        return exitcodes.FATAL
    except Exception as exc:  # noqa: BLE001 - one clear line and a stable exit code for cron, not a traceback
        from archive.fsutil import is_out_of_space

        if is_out_of_space(exc):
            print(f"policycrawl: out of disk space: {exc}", file=sys.stderr)
            return exitcodes.OUT_OF_SPACE
        logger.debug("fatal error", exc_info=True)
        print(f"policycrawl: fatal: {exc!r}", file=sys.stderr)
        return exitcodes.FATAL


if __name__ == "__main__":
    sys.exit(main())
