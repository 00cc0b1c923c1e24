"""CDXJ indexes of WARC files: the look-up table pywb and other replay tools find captures by.

One line per capture: `SURT-KEY TIMESTAMP {"url", "mime", "status", "digest", "length", "offset", "filename"}`, the
same lines `cdxj-indexer` writes for the same file (tests/test_archive_fidelity.py compares the two on real crawls):
response, revisit, resource and metadata records are indexed (metadata/resource with `application/warc-fields` and
request, warcinfo and conversion records are not); mime is the HTTP Content-Type without parameters (`warc/revisit`
for revisits); digest keeps its `sha1:` label; length and offset are those of the record's gzip member.

Our own parser (archive.warc_check) reads the file, so indexing needs neither warcio nor cdxj-indexer at crawl time;
only `surt` (the SURT key both tools use).

`index_path(warc)` is where a WARC's own index lives: `x.warc.gz` -> `x.cdxj`, beside it. WarcWriter(index=True)
writes it when a file is completed, and `warc_repair` when it publishes a repaired file.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from archive.fsutil import fsync_dir
from archive.warc_check import iter_gzip_members, parse_record
from archive.warc_format import WarcFormatError, parse_http_head, sha1_digest

INDEXED_TYPES = ("response", "revisit", "resource", "metadata")
SUFFIX = ".cdxj"
_SPLIT_MIME = re.compile(r"[;\s]")


def index_path(warc_path: Path) -> Path:
    """`dir/x.warc.gz` (or `x.warc.gz.open`, `x.warc`) -> `dir/x.cdxj`."""
    name = Path(warc_path).name
    for suffix in (".open", ".gz", ".warc"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    return Path(warc_path).with_name(name + SUFFIX)


def surt_key(url: str) -> str:
    import surt  # imports tldextract (~0.3 s): only when an index is actually built

    try:
        return surt.surt(url)
    except Exception:  # what cdxj-indexer does with a URL surt cannot parse
        return url


def _timestamp(warc_date: str) -> str:
    return re.sub(r"\D", "", warc_date[:19])


def _header_text(value: bytes) -> str:
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("iso-8859-1")


def _mime(value: str | None) -> str | None:
    if value:
        return _SPLIT_MIME.split(value, 1)[0].strip()
    return value


def iter_index_lines(warc_path: Path, filename: str | None = None) -> Iterator[str]:
    """Index lines of one `.warc.gz`, in file order. Stops at a truncated or corrupt member (nothing after it is
    reachable by offset anyway)."""
    warc_path = Path(warc_path)
    filename = filename or warc_path.name.removesuffix(".open")
    with open(warc_path, "rb") as stream:
        for member in iter_gzip_members(stream):
            if not member.complete:
                return
            rec, used = parse_record(member.data, member.start, member.end)
            if rec is None or used < 0:
                return
            line = _index_line(rec.rec_type, rec.headers, rec.block, member.start, member.end - member.start, filename)
            if line is not None:
                yield line


def _index_line(rec_type: str, headers, block: bytes, offset: int, length: int, filename: str) -> str | None:
    if rec_type not in INDEXED_TYPES:
        return None
    content_type = headers.get("Content-Type")
    if rec_type in ("metadata", "resource") and content_type == "application/warc-fields":
        return None
    url = headers.get("WARC-Target-URI") or ""
    http = None
    if rec_type in ("response", "revisit") and (content_type or "").lower().startswith("application/http"):
        try:
            http = parse_http_head(block)
        except WarcFormatError:
            http = None
    entry: dict[str, str] = {"url": url}
    if rec_type == "revisit":
        mime: str | None = "warc/revisit"
    elif rec_type == "response":
        value = http.header(b"Content-Type") if http else None
        mime = _mime(_header_text(value)) if value is not None else None
    else:
        mime = _mime(content_type)
    if mime is not None:
        entry["mime"] = mime
    if http is not None and http.status is not None:
        entry["status"] = str(http.status)
    digest = headers.get("WARC-Payload-Digest")
    if not digest and rec_type != "revisit":
        payload = block[http.head_length :] if http else block
        digest = sha1_digest(payload)
    if digest:
        entry["digest"] = digest
    entry["length"] = str(length)
    entry["offset"] = str(offset)
    entry["filename"] = filename
    return f"{surt_key(url)} {_timestamp(headers.get('WARC-Date') or '')} {json.dumps(entry)}"


def _write_atomically(lines: Iterable[str], output: Path) -> Path:
    output = Path(output)
    partial = output.with_name(f".{output.name}.{os.getpid()}.partial")
    try:
        with open(partial, "w", encoding="ascii", newline="\n") as fh:
            for line in lines:
                fh.write(line + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(partial, output)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    fsync_dir(output.parent)
    return output


def write_index(warc_path: Path, output: Path | None = None) -> Path:
    """Write the sorted CDXJ index of one WARC beside it (`x.cdxj`), replacing any older one atomically."""
    warc_path = Path(warc_path)
    return _write_atomically(sorted(iter_index_lines(warc_path)), output or index_path(warc_path))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def ensure_indexes(directory: Path) -> list[Path]:
    """Index every finished `*.warc.gz` in `directory` that has no index yet (a crash between publishing a file and
    indexing it); return the indexes written."""
    for partial in Path(directory).glob(".*.cdxj.*.partial"):
        # Left by a killed indexer: removed unless its process still runs (a `policycrawl index` next to us).
        pid = partial.name.rsplit(".", 2)[-2]
        if not (pid.isdigit() and _alive(int(pid))):
            partial.unlink(missing_ok=True)
    written = []
    for path in sorted(Path(directory).glob("*.warc.gz")):
        if not index_path(path).exists():
            written.append(write_index(path))
    return written


def write_cdxj(warc_paths: Iterable[Path], output: Path) -> Path:
    """One sorted index over several finished WARC files (file names relative to their directory), written
    atomically to `output`."""
    lines = [line for p in warc_paths if not str(p).endswith(".open") for line in iter_index_lines(Path(p))]
    return _write_atomically(sorted(lines), Path(output))
