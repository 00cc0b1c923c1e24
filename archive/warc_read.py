"""Reading WARC files back: iterate records with their exact stored bytes, and fetch one response by its WarcPointer."""

from __future__ import annotations

import logging
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from archive.warc_format import HeaderList, HttpHead, WarcFormatError, WarcHeaderFields, parse_http_head, sha1_digest
from archive.pointer import WarcPointer

logger = logging.getLogger(__name__)

HTTP_TYPES = ("response", "request", "revisit")


@dataclass(frozen=True)
class StoredRecord(WarcHeaderFields):
    """One WARC record as stored: WARC headers, the raw block, and the HTTP head when the block is application/http."""

    offset: int  # start of the record (its gzip member in a .warc.gz)
    rec_type: str
    headers: HeaderList
    block: bytes
    http: HttpHead | None

    @property
    def payload(self) -> bytes:
        """The HTTP entity body as stored (still content-encoded), or the whole block for non-HTTP records."""
        return self.block[self.http.head_length :] if self.http else self.block


@dataclass(frozen=True)
class StoredResponse:
    """What re-extraction needs from an archived response."""

    url: str
    status: int
    reason: bytes
    headers: tuple[tuple[bytes, bytes], ...]  # in stored order, raw bytes
    body: bytes  # as received on the wire (content-encoded if Content-Encoding says so)
    record_id: str
    date: str

    def header(self, name: bytes) -> bytes | None:
        lname = name.lower()
        return next((v for k, v in self.headers if k.lower() == lname), None)

    def content(self) -> bytes:
        """The body with Content-Encoding (gzip, deflate, br; several in order) undone."""
        return decode_content(self.body, self.header(b"Content-Encoding"))


class BodyTooLarge(ValueError):
    """A decoded body would exceed the caller's limit (a compression bomb, or just a huge page)."""


def _zlib_bounded(body: bytes, wbits: int, limit: int) -> bytes:
    decompressor = zlib.decompressobj(wbits)
    out = decompressor.decompress(body, limit + 1)
    if len(out) > limit:
        raise BodyTooLarge(f"decoded body exceeds {limit} bytes")
    # gzip-in-gzip and concatenated members: keep going while input remains, still bounded.
    while decompressor.unused_data and wbits >= 16:
        rest = decompressor.unused_data
        decompressor = zlib.decompressobj(wbits)
        out += decompressor.decompress(rest, limit + 1 - len(out))
        if len(out) > limit:
            raise BodyTooLarge(f"decoded body exceeds {limit} bytes")
    return out


def _brotli_bounded(body: bytes, limit: int) -> bytes:
    import brotli

    decompressor = brotli.Decompressor()
    if not hasattr(decompressor, "process"):
        # `brotlipy` (pulled in by pywb) installs a `brotli` package that shadows Google's `brotli` module and has
        # only decompress(): feed it small slices so the output is checked against the limit as it grows.
        out = b""
        for start in range(0, len(body), 1024):
            out += decompressor.decompress(body[start : start + 1024])
            if len(out) > limit:
                raise BodyTooLarge(f"decoded body exceeds {limit} bytes")
        return out
    out = decompressor.process(body, output_buffer_limit=limit + 1)
    while len(out) <= limit and not decompressor.is_finished() and not decompressor.can_accept_more_data():
        chunk = decompressor.process(b"", output_buffer_limit=limit + 1 - len(out))
        if not chunk:
            break
        out += chunk
    if len(out) > limit:
        raise BodyTooLarge(f"decoded body exceeds {limit} bytes")
    return out


def decode_content(body: bytes, content_encoding: bytes | None, max_size: int = 64 * 1024 * 1024) -> bytes:
    """Undo Content-Encoding (gzip, deflate, br; several in order), never producing more than max_size bytes."""
    if not content_encoding:
        return body
    codings = [c.strip().lower() for c in content_encoding.split(b",") if c.strip()]
    for coding in reversed(codings):  # the last coding listed was applied last
        if coding in (b"gzip", b"x-gzip"):
            body = _zlib_bounded(body, 16 + zlib.MAX_WBITS, max_size)
        elif coding == b"deflate":
            try:
                body = _zlib_bounded(body, zlib.MAX_WBITS, max_size)
            except zlib.error:  # raw deflate without the zlib wrapper, as some servers send
                body = _zlib_bounded(body, -zlib.MAX_WBITS, max_size)
        elif coding == b"br":
            body = _brotli_bounded(body, max_size)
        elif coding != b"identity":
            raise ValueError(f"unsupported Content-Encoding {coding!r}")
    return body


# A record block larger than this is not read into memory (skipped with a warning by the tolerant readers): the
# crawl never archives a body over DOWNLOAD_MAXSIZE (32 MiB), and a hostile file may claim 10 GiB.
MAX_RECORD = 64 * 1024 * 1024


class DamagedWarc(ValueError):
    """The file is no WARC, or a record in it cannot be read."""


def looks_like_warc(path: Path) -> bool:
    """Does the file start with a WARC record (after gzip)? Checked on the first 64 bytes of output only, so a
    gzip bomb (10 GiB of zeros named .warc.gz) is recognised without inflating it."""
    with open(path, "rb") as fh:
        head = fh.read(65536)
    if head[:2] == b"\x1f\x8b":
        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 64)
        except zlib.error:
            return False
    return head.startswith(b"WARC/")


def _to_stored(offset: int | None, record, it: ArchiveIterator, max_block: int | None = None) -> StoredRecord:
    headers = HeaderList(tuple(record.rec_headers.headers))
    block = record.raw_stream.read() if max_block is None else record.raw_stream.read(max_block + 1)
    if offset is None:  # warcio knows the offset only once the record has been read to its end
        offset = it.get_record_offset()
    http = None
    content_type = (headers.get("Content-Type") or "").lower()
    if record.rec_type in HTTP_TYPES and content_type.startswith("application/http") and block:
        try:
            http = parse_http_head(block)
        except WarcFormatError:
            http = None
    return StoredRecord(offset, record.rec_type, headers, block, http)


def iter_records(path: Path, *, tolerant: bool = False, max_block: int = MAX_RECORD) -> Iterator[StoredRecord]:
    """Yield every record in a .warc or .warc.gz (warcio does the framing; HTTP heads are parsed here, as bytes).

    tolerant=True (re-extraction of files from anywhere): a file that is no WARC is skipped, a record declaring
    more than `max_block` bytes or shorter than it declares is skipped, and damage that breaks the framing ends
    the file, each with a warning naming the file; otherwise these raise DamagedWarc.
    """
    def damaged(message: str) -> None:
        if not tolerant:
            raise DamagedWarc(f"{path}: {message}")
        logger.warning("%s: %s", path, message)

    if not looks_like_warc(path):
        damaged("not a WARC file; skipped")
        return
    with open(path, "rb") as stream:
        it = ArchiveIterator(stream, no_record_parse=True, ensure_http_headers=False)
        number = 0
        try:
            for record in it:
                number += 1
                declared = int(getattr(record, "length", 0) or 0)
                if declared > max_block:
                    damaged(f"record {number} declares {declared} bytes (more than {max_block}); skipped")
                    continue
                stored = _to_stored(None, record, it, max_block)
                if len(stored.block) < declared:
                    damaged(f"record {number} at offset {stored.offset} is {declared - len(stored.block)} bytes "
                            "short of its Content-Length; skipped")
                    continue
                yield stored
        except (ArchiveLoadFailed, EOFError, zlib.error, OSError, ValueError) as exc:
            if isinstance(exc, DamagedWarc):
                raise
            damaged(f"unreadable after record {number} ({type(exc).__name__}: {exc}); the rest is skipped")


def iter_headers(path: Path) -> Iterator[tuple[int, HeaderList]]:
    """(offset, WARC headers) of every record, without keeping the blocks."""
    with open(path, "rb") as stream:
        it = ArchiveIterator(stream, no_record_parse=True, ensure_http_headers=False)
        for record in it:
            headers = HeaderList(tuple(record.rec_headers.headers))
            yield it.get_record_offset(), headers


def read_record(path: Path, offset: int) -> StoredRecord:
    with open(path, "rb") as stream:
        stream.seek(offset)
        it = ArchiveIterator(stream, no_record_parse=True, ensure_http_headers=False)
        record = next(iter(it), None)
        if record is None:
            raise ValueError(f"no WARC record at offset {offset} of {path}")
        return _to_stored(offset, record, it)


def read_response(pointer: WarcPointer, directory: Path) -> StoredResponse:
    """Read the response a pointer names; a file still being written (`.open`) is found too."""
    path = Path(directory) / pointer.filename
    if not path.exists() and (Path(directory) / (pointer.filename + ".open")).exists():
        path = Path(directory) / (pointer.filename + ".open")
    rec = read_record(path, pointer.offset)
    if rec.record_id != pointer.record_id:
        raise ValueError(
            f"{pointer.filename}@{pointer.offset} holds {rec.record_id or 'no record id'}, not {pointer.record_id}: "
            "the pointer is stale or the file was rewritten"
        )
    if rec.rec_type != "response" or rec.http is None or rec.http.status is None:
        raise ValueError(f"{pointer.filename}@{pointer.offset} is a {rec.rec_type} record, not an HTTP response")
    digest = rec.headers.get("WARC-Block-Digest")
    if digest and digest.lower().startswith("sha1:") and sha1_digest(rec.block) != "sha1:" + digest[5:].upper():
        raise ValueError(f"{pointer.filename}@{pointer.offset}: block digest mismatch, the stored record is damaged")
    return StoredResponse(
        url=rec.target_uri or "",
        status=rec.http.status,
        reason=rec.http.reason,
        headers=rec.http.headers,
        body=rec.payload,
        record_id=rec.record_id,
        date=rec.headers.get("WARC-Date") or "",
    )
