"""Where WARCs are written: HTTP exchanges become WARC/1.1 records, one gzip member each, durable on flush.

Why our own serializer: warcio's writer re-serialises HTTP headers (`StatusAndHeaders.to_ascii_bytes`) and
percent-encodes non-ASCII header bytes, so a raw GBK `Content-Disposition` would not be archived as received. Here the
HTTP block is built from the header bytes exactly as given and the digests are computed over those bytes. warcio and
FastWARC are used only to read and to validate (see tests/test_warc_writer.py).

Files are created exclusively as `<name>.warc.gz.open` (and flock-ed while written, so `warc_repair` leaves a live file
alone), and hard-linked to the final name, never overwriting, when they are finished. With `index=True` the file's CDXJ
index (`<name>.cdxj`, see archive/cdxj.py) is written beside it then; `on_complete(path)` is called after that.

Records that are not captures of a URL (`conversion` and `metadata`, e.g. the extracted record as JSON) get a
`urn:policycrawl:<type>:<url>` WARC-Target-URI, as browsertrix does with `urn:pageinfo:`: pywb indexes conversion and
metadata records under their target URI, so with the page's own URL there it replayed the JSON as the page's latest
capture.

One deliberate change to the stored headers: the body we receive is already de-chunked (Twisted does it), so a
`Transfer-Encoding` header is stored as `X-Archive-Orig-Transfer-Encoding`. Storing `Transfer-Encoding: chunked` over a
de-chunked body makes replay tools (warcio's ChunkedDataReader, pywb) try to de-chunk it again.
"""

from __future__ import annotations

import fcntl
import http
import logging
import os
import platform
import re
import socket
import threading
import uuid
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType

from archive.fsutil import fsync_dir
from archive.warc_format import (
    REVISIT_PROFILES,
    ascii_target_uri,
    serialize_http_head,
    serialize_warc_head,
    sha1_digest,
    warc_date,
)
from archive.pointer import WarcPointer

logger = logging.getLogger(__name__)

OPEN_SUFFIX = ".open"
NON_CAPTURE_URN = "urn:policycrawl:"
CONFORMS_TO = "http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"
# zlib level 3 compresses real pages at ~140 MB/s to 4.5x; level 6 at ~65 MB/s to 5.1x (measured on
# shared/evaldata). Capture runs on the crawl's event loop, so the faster level is the default.
GZIP_LEVEL = 3
_RENAMED_HEADERS = {b"transfer-encoding": b"X-Archive-Orig-Transfer-Encoding"}


@dataclass(frozen=True)
class HttpExchange:
    """One HTTP request and its response, as bytes on the wire (bodies de-chunked, never content-decoded)."""

    url: str  # as requested; WARC-Target-URI is its ASCII form (see warc_format.ascii_target_uri)
    method: str
    request_target: str  # path?query as sent on the request line (ASCII)
    request_headers: tuple[tuple[bytes, bytes], ...]  # in order, each value separately
    request_body: bytes
    protocol: str  # "HTTP/1.1"
    status: int
    reason: str  # as received; "" means the standard phrase
    response_headers: tuple[tuple[bytes, bytes], ...]  # in order, duplicates kept, raw bytes
    body: bytes  # as received after de-chunking, still gzip/br if Content-Encoding says so
    ip_address: str | None
    fetched_at: datetime  # aware UTC


def _software() -> str:
    try:
        from importlib.metadata import version

        own = version("policycrawl")
    except Exception:  # running from a checkout that was never installed
        own = "0+unknown"
    try:
        import warcio

        warcio_version = getattr(warcio, "__version__", None) or version("warcio")
    except Exception:
        warcio_version = "absent"
    return f"policycrawl/{own} (Python/{platform.python_version()}; warcio/{warcio_version})"


def _new_record_id() -> str:
    return f"<urn:uuid:{uuid.uuid4()}>"


def _gzip_member(parts: tuple[bytes, ...], level: int = GZIP_LEVEL) -> bytes:
    # Parts are fed one by one, so a large body is never copied into a joined buffer first.
    comp = zlib.compressobj(level, zlib.DEFLATED, 31)
    return b"".join([*(comp.compress(part) for part in parts), comp.flush()])


def final_name(path: Path) -> Path:
    """`x.warc.gz.open` -> `x.warc.gz`."""
    return path.with_name(path.name[: -len(OPEN_SUFFIX)]) if path.name.endswith(OPEN_SUFFIX) else path


def publish(open_path: Path) -> Path:
    """Give a finished `.open` file its final name without ever replacing an existing file, durably."""
    final = final_name(open_path)
    try:
        os.link(open_path, final)
    except FileExistsError:
        if not final.exists() or not os.path.samefile(open_path, final):
            raise FileExistsError(f"{final} already exists; refusing to overwrite it with {open_path.name}") from None
    os.unlink(open_path)
    fsync_dir(open_path.parent)
    return final


def _record(fields: list[tuple[str, str]], *block: bytes) -> tuple[bytes, ...]:
    fields.append(("Content-Length", str(sum(map(len, block)))))
    return (serialize_warc_head(fields), *block, b"\r\n\r\n")


class WarcWriter:
    """Writes WARC/1.1 files of at most about `max_size` bytes; one gzip member per record.

    Not safe for use by several processes on one file; safe for several threads (one lock).
    """

    def __init__(
        self,
        directory: Path,
        *,
        prefix: str = "policycrawl",
        max_size: int = 1_000_000_000,
        info: Mapping[str, str | None] = MappingProxyType({}),
        clock: Callable[[], datetime] | None = None,
        record_id_factory: Callable[[], str] | None = None,
        index: bool = False,
        on_complete: Callable[[Path], None] | None = None,
        gzip_level: int = GZIP_LEVEL,
    ) -> None:
        self.directory = Path(directory)
        self.gzip_level = gzip_level
        self.directory.mkdir(parents=True, exist_ok=True)
        self.prefix = prefix
        self.max_size = max_size
        self.info = dict(info)
        self._clock = clock or (lambda: datetime.now(UTC))
        self._new_id = record_id_factory or _new_record_id
        self._hostname = re.sub(r"[^A-Za-z0-9.-]", "-", socket.gethostname()) or "localhost"
        self._lock = threading.Lock()
        self._serial = 0
        self._fd: int | None = None
        self._size = 0
        self._records_in_file = 0
        self._dir_synced = True
        self._warcinfo_id = ""
        self._closed = False
        self.current_path: Path | None = None
        self.completed: list[Path] = []
        self.index = index
        self.on_complete = on_complete

    # -- public API -------------------------------------------------------------------------------------------------

    def write_exchange(self, ex: HttpExchange) -> WarcPointer:
        """Write the request and response records of `ex` (request first); return a pointer to the response."""
        response_id = self._new_id()
        head = self._response_head(ex)
        fields = [("WARC-Type", "response"), ("WARC-Record-ID", response_id)]
        digests = [("WARC-Block-Digest", sha1_digest(head, ex.body)), ("WARC-Payload-Digest", sha1_digest(ex.body))]
        return self._write_pair(ex, fields, digests, (head, ex.body))

    def _write_pair(
        self,
        ex: HttpExchange,
        main_fields: list[tuple[str, str]],
        main_digests: list[tuple[str, str]],
        main_block: tuple[bytes, ...],
    ) -> WarcPointer:
        """Write `ex`'s request record and then the main (response or revisit) record; return the main pointer.

        Both share WARC-Date and Target-URI, the request is WARC-Concurrent-To the main record, and the pair
        is appended in one write so that it never straddles two files.
        """
        target = ascii_target_uri(ex.url, ex.request_target)
        date = warc_date(ex.fetched_at)
        main_id = main_fields[1][1]
        main_fields[2:2] = [("WARC-Date", date), ("WARC-Target-URI", target)]
        request_head = serialize_http_head(
            f"{ex.method} {ex.request_target or '/'} {ex.protocol}".encode("ascii"), ex.request_headers
        )
        request_fields = [
            ("WARC-Type", "request"),
            ("WARC-Record-ID", self._new_id()),
            ("WARC-Date", date),
            ("WARC-Target-URI", target),
            ("WARC-Concurrent-To", main_id),
        ]
        with self._lock:
            self._before_write(rotate=True)
            for fields, kind in ((request_fields, "request"), (main_fields, "response")):
                if ex.ip_address:
                    fields.append(("WARC-IP-Address", ex.ip_address))
                fields.append(("WARC-Warcinfo-ID", self._warcinfo_id))
                fields.append(("Content-Type", f"application/http; msgtype={kind}"))
            request_fields += [
                ("WARC-Block-Digest", sha1_digest(request_head, ex.request_body)),
                ("WARC-Payload-Digest", sha1_digest(ex.request_body)),
            ]
            main_fields += main_digests
            offset = self._append(
                self._gzip(_record(request_fields, request_head, ex.request_body)),
                self._gzip(_record(main_fields, *main_block)),
            )[1]
            return WarcPointer(self._final_name(), offset, main_id)

    def write_metadata(
        self,
        refers_to: WarcPointer,
        url: str,
        payload: bytes,
        content_type: str = "application/json",
        record_type: str = "conversion",
        target_uri: str | None = None,
    ) -> WarcPointer:
        """Write a conversion/metadata/resource record about an earlier capture (e.g. the extracted Record as JSON).

        `url` is the page the record is about. Unless `target_uri` says otherwise, a conversion or metadata record's
        WARC-Target-URI is `urn:policycrawl:<record_type>:<url>` (a resource record's is `url` itself), so replay
        tools never serve it as the page.
        """
        if record_type not in ("conversion", "metadata", "resource"):
            raise ValueError(f"record_type {record_type!r}: use conversion, metadata or resource")
        if target_uri is None:
            target_uri = ascii_target_uri(url)
            if record_type != "resource":
                target_uri = f"{NON_CAPTURE_URN}{record_type}:{target_uri}"
        with self._lock:
            self._before_write(rotate=False)
            record_id = self._new_id()
            fields = [
                ("WARC-Type", record_type),
                ("WARC-Record-ID", record_id),
                ("WARC-Date", warc_date(self._clock())),
                ("WARC-Target-URI", target_uri),
                ("WARC-Refers-To", refers_to.record_id),
                ("WARC-Warcinfo-ID", self._warcinfo_id),
                ("Content-Type", content_type),
                ("WARC-Block-Digest", sha1_digest(payload)),
            ]
            if record_type != "metadata":
                fields.append(("WARC-Payload-Digest", sha1_digest(payload)))
            offset = self._append(self._gzip(_record(fields, payload)))[0]
            return WarcPointer(self._final_name(), offset, record_id)

    def write_revisit(
        self, ex: HttpExchange, refers_to: WarcPointer, refers_to_uri: str, refers_to_date: str, profile: str
    ) -> WarcPointer:
        """Write a revisit record (HTTP head only) and its request; return a pointer to the revisit.

        `profile` is "identical-payload-digest", "server-not-modified" or the full profile URI. For
        identical-payload-digest, WARC-Payload-Digest is the digest of `ex.body`, which equals the earlier capture's.
        """
        profile_uri = REVISIT_PROFILES.get(profile, profile)
        if profile_uri not in REVISIT_PROFILES.values():
            raise ValueError(f"unknown revisit profile {profile!r}; use one of {sorted(REVISIT_PROFILES)}")
        revisit_id = self._new_id()
        head = self._response_head(ex)
        fields = [
            ("WARC-Type", "revisit"),
            ("WARC-Record-ID", revisit_id),
            ("WARC-Profile", profile_uri),
            ("WARC-Refers-To", refers_to.record_id),
            ("WARC-Refers-To-Target-URI", ascii_target_uri(refers_to_uri)),
            ("WARC-Refers-To-Date", refers_to_date),
        ]
        digests = [("WARC-Block-Digest", sha1_digest(head))]
        if profile_uri == REVISIT_PROFILES["identical-payload-digest"]:
            digests.append(("WARC-Payload-Digest", sha1_digest(ex.body)))
        return self._write_pair(ex, fields, digests, (head,))

    def flush(self, fsync: bool = True) -> None:
        """Make every record written so far durable (file data, and the new file's directory entry)."""
        with self._lock:
            if self._fd is None or not fsync:
                return  # writes go straight to the OS (no user-space buffer); only fsync adds anything
            os.fsync(self._fd)
            if not self._dir_synced:
                fsync_dir(self.directory)
                self._dir_synced = True

    def close(self) -> list[Path]:
        """Finish the current file (fsync, publish under its final name) and return every file completed so far."""
        with self._lock:
            self._finish_file()
            self._closed = True
            return list(self.completed)

    def __enter__(self) -> WarcWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- internals --------------------------------------------------------------------------------------------------

    def _response_head(self, ex: HttpExchange) -> bytes:
        reason = ex.reason
        if not reason:
            try:
                reason = http.HTTPStatus(ex.status).phrase
            except ValueError:
                reason = ""
        try:
            reason_bytes = reason.encode("latin-1")
        except UnicodeEncodeError:
            reason_bytes = reason.encode("utf-8")
        status_line = f"{ex.protocol} {ex.status} ".encode("ascii") + reason_bytes
        headers = tuple((_RENAMED_HEADERS.get(name.lower(), name), value) for name, value in ex.response_headers)
        return serialize_http_head(status_line.rstrip(b" ") if not reason_bytes else status_line, headers)

    def _gzip(self, parts: tuple[bytes, ...]) -> bytes:
        return _gzip_member(parts, self.gzip_level)

    def _final_name(self) -> str:
        assert self.current_path is not None
        return final_name(self.current_path).name

    def _before_write(self, *, rotate: bool) -> None:
        if self._closed:
            raise RuntimeError("WarcWriter is closed; create a new one")
        if self._fd is not None and rotate and self._records_in_file > 0 and self._size >= self.max_size:
            self._finish_file()
        if self._fd is None:
            self._start_file()

    def _start_file(self) -> None:
        self._serial += 1
        stamp = self._clock().astimezone(UTC).strftime("%Y%m%d%H%M%S%f")
        name = f"{self.prefix}-{stamp}-{self._serial:05d}-{self._hostname}.warc.gz"
        final = self.directory / name
        if final.exists():
            raise FileExistsError(f"{final} already exists; WARC files are never overwritten")
        path = self.directory / (name + OPEN_SUFFIX)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | getattr(os, "O_CLOEXEC", 0), 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise
        self._fd, self.current_path, self._size, self._records_in_file = fd, path, 0, 0
        self._dir_synced = False
        self._warcinfo_id = self._new_id()
        fields_ = {
            "software": _software(),
            "format": "WARC File Format 1.1",
            "conformsTo": CONFORMS_TO,
            "hostname": socket.gethostname(),
        }
        fields_.update((k, v) for k, v in self.info.items() if v is not None)  # the caller may refine any default
        block = b"".join(f"{k}: {' '.join(str(v).splitlines())}\r\n".encode() for k, v in fields_.items())
        fields = [
            ("WARC-Type", "warcinfo"),
            ("WARC-Record-ID", self._warcinfo_id),
            ("WARC-Date", warc_date(self._clock())),
            ("WARC-Filename", name),
            ("Content-Type", "application/warc-fields"),
            ("WARC-Block-Digest", sha1_digest(block)),
        ]
        self._append(self._gzip(_record(fields, block)))
        self._records_in_file = 0  # warcinfo does not count towards "has content"

    def _append(self, *members: bytes) -> list[int]:
        """Append whole members with one write; on failure cut the file back so no partial member is left."""
        assert self._fd is not None
        offsets, pos = [], self._size
        for member in members:
            offsets.append(pos)
            pos += len(member)
        data = b"".join(members)
        try:
            view = memoryview(data)
            while view:
                written = os.write(self._fd, view)
                view = view[written:]
        except BaseException:
            try:
                os.ftruncate(self._fd, self._size)
            except OSError:
                pass  # warc_repair cuts the partial member on the next start
            raise
        self._size = pos
        self._records_in_file += len(members)
        return offsets

    def _finish_file(self) -> None:
        if self._fd is None or self.current_path is None:
            return
        os.fsync(self._fd)
        os.close(self._fd)  # releases the flock
        self._fd = None
        final = publish(self.current_path)
        self.completed.append(final)
        self.current_path = None
        self._completed_hooks(final)

    def _completed_hooks(self, final: Path) -> None:
        # The WARC is durable and published: a failing index or callback must not fail the crawl (or skip the rest
        # of a clean shutdown). A missing index is rebuilt by `ensure_indexes` / `policycrawl index`.
        if self.index:
            try:
                from archive.cdxj import write_index

                write_index(final)
            except Exception:
                logger.exception("could not write the CDXJ index of %s", final.name)
        if self.on_complete is not None:
            try:
                self.on_complete(final)
            except Exception:
                logger.exception("on_complete(%s) failed", final.name)
