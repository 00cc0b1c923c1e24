"""Structural validation of WARC files, including the truncated last gzip member that warcio/FastWARC/cdxj miss.

`check_warc` reads every gzip member to its end, parses each record itself (bytes, not warcio) and recomputes digests,
so it can judge files independently of the library that wrote them.
"""

from __future__ import annotations

import zlib
from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from archive.warc_format import (
    WarcHeaderFields,
    GZIP_MAGIC,
    RECORD_END,
    HeaderList,
    HttpHead,
    WarcFormatError,
    is_record_id,
    is_warc_date,
    parse_http_head,
    parse_warc_head,
    sha1_digest,
)
from archive.warc_read import iter_headers

MANDATORY = ("WARC-Record-ID", "Content-Length", "WARC-Date", "WARC-Type")
NEEDS_TARGET = ("response", "request", "revisit", "resource", "conversion")
HTTP_TYPES = ("response", "request", "revisit")
# Statuses whose Content-Length need not match a body (RFC 9110 §8.6, §15.4.5).
_NO_BODY_STATUSES = {204, 304}
_CHUNK = 1 << 20


@dataclass
class Member:
    """One gzip member: where it lies in the file and what it decompressed to."""

    start: int
    end: int  # exclusive; for an incomplete member, the end of the file
    data: bytes
    complete: bool
    error: str | None = None


@dataclass
class ParsedRecord(WarcHeaderFields):
    offset: int
    end: int  # offset just after the record (its member, in a .warc.gz)
    rec_type: str
    headers: HeaderList
    block: bytes
    http: HttpHead | None = None
    problems: list[str] = field(default_factory=list)


def iter_gzip_members(stream: BinaryIO) -> Iterator[Member]:
    """Decompress member after member; the last one yielded is marked incomplete if the file ends inside it."""
    offset = 0
    pending = b""
    while True:
        if not pending:
            pending = stream.read(_CHUNK)
            if not pending:
                return
        inflater = zlib.decompressobj(31)
        out: list[bytes] = []
        fed = 0
        while True:
            if not pending:
                pending = stream.read(_CHUNK)
                if not pending:
                    out.append(inflater.flush())
                    yield Member(offset, offset + fed, b"".join(out), False,
                                 "gzip member truncated: the file ends before the member does")
                    return
            try:
                out.append(inflater.decompress(pending))
            except zlib.error as exc:
                yield Member(offset, offset + fed + len(pending), b"".join(out), False, f"corrupt gzip data ({exc})")
                return
            fed += len(pending)
            if inflater.eof:
                used = fed - len(inflater.unused_data)
                pending = inflater.unused_data
                yield Member(offset, offset + used, b"".join(out), True)
                offset += used
                break
            pending = b""


def parse_record(data: bytes, offset: int, end: int) -> tuple[ParsedRecord | None, int]:
    """Parse the record at the start of `data`; return it and the number of bytes it used (-1 when unusable)."""
    try:
        version, headers, head_len = parse_warc_head(data)
    except WarcFormatError as exc:
        return ParsedRecord(offset, end, "", HeaderList(()), b"", problems=[str(exc)]), -1
    rec = ParsedRecord(offset, end, headers.get("WARC-Type") or "", headers, b"")
    length_text = headers.get("Content-Length")
    if length_text is None or not length_text.isdigit():
        rec.problems.append(f"Content-Length {length_text!r} is missing or not a number")
        return rec, -1
    length = int(length_text)
    rec.block = data[head_len : head_len + length]
    if len(rec.block) < length:
        rec.problems.append(f"block is {len(rec.block)} bytes, Content-Length says {length} (truncated record)")
        return rec, -1
    trailer = data[head_len + length : head_len + length + 4]
    if trailer != RECORD_END:
        rec.problems.append(f"record does not end with CRLF CRLF after Content-Length bytes (found {trailer!r})")
        return rec, -1
    return rec, head_len + length + 4


def check_record(rec: ParsedRecord) -> None:
    """Per-record checks; problems are appended to `rec.problems`."""
    h = rec.headers
    for name in MANDATORY:
        if name not in h:
            rec.problems.append(f"mandatory header {name} is missing")
    if rec.record_id and not is_record_id(rec.record_id):
        rec.problems.append(f"WARC-Record-ID {rec.record_id!r} is not <urn:uuid:...>")
    date = h.get("WARC-Date")
    if date and not is_warc_date(date):
        rec.problems.append(f"WARC-Date {date!r} is not YYYY-MM-DDThh:mm:ss[.ffffff]Z")
    uri = rec.target_uri
    if rec.rec_type in NEEDS_TARGET and not uri:
        rec.problems.append(f"{rec.rec_type} record has no WARC-Target-URI")
    if uri and (not uri.isascii() or " " in uri):
        rec.problems.append(f"WARC-Target-URI {uri!r} is not ASCII without spaces; percent-encode it")
    if rec.block and "Content-Type" not in h:
        rec.problems.append("non-empty block without Content-Type")

    block_digest = h.get("WARC-Block-Digest")
    if block_digest:
        _compare_digest(rec, "WARC-Block-Digest", block_digest, rec.block)
    elif rec.rec_type != "warcinfo":
        rec.problems.append("no WARC-Block-Digest")

    content_type = (h.get("Content-Type") or "").lower()
    if rec.rec_type in HTTP_TYPES and content_type.startswith("application/http"):
        try:
            rec.http = parse_http_head(rec.block)
        except WarcFormatError as exc:
            rec.problems.append(f"HTTP block: {exc}")
            return
        want = "response" if rec.rec_type in ("response", "revisit") else "request"
        if f"msgtype={want}" not in content_type.replace(" ", ""):
            rec.problems.append(f"Content-Type {content_type!r} of a {rec.rec_type} record lacks msgtype={want}")
        if (rec.http.status is None) != (want == "request"):
            other = "request" if want == "response" else "response"
            rec.problems.append(f"{rec.rec_type} record holds an HTTP {other}")
        payload = rec.block[rec.http.head_length :]
        payload_digest = h.get("WARC-Payload-Digest")
        if rec.rec_type == "revisit":
            return  # headers only; the payload digest names the earlier capture's body
        if payload_digest:
            _compare_digest(rec, "WARC-Payload-Digest", payload_digest, payload)
        else:
            rec.problems.append("no WARC-Payload-Digest")
        if rec.http.status is not None:
            _check_http_body(rec, rec.http, payload)
    elif rec.rec_type in ("response", "request"):
        rec.problems.append(f"{rec.rec_type} record with Content-Type {content_type!r}, not application/http")


def _compare_digest(rec: ParsedRecord, name: str, value: str, data: bytes) -> None:
    algo, _, encoded = value.partition(":")
    if algo.lower() != "sha1":
        rec.problems.append(f"{name} uses {algo!r}; only sha1 is checked")
        return
    if sha1_digest(data)[5:] != encoded.upper():
        rec.problems.append(f"{name} {value} does not match the stored bytes ({sha1_digest(data)})")


def _check_http_body(rec: ParsedRecord, http: HttpHead, payload: bytes) -> None:
    transfer = http.header(b"Transfer-Encoding")
    lengths = http.header_all(b"Content-Length")
    if not transfer and lengths and http.status not in _NO_BODY_STATUSES and not 100 <= (http.status or 0) < 200:
        if len(set(lengths)) > 1:
            rec.problems.append(f"HTTP response has conflicting Content-Length headers {lengths!r}")
        elif not lengths[0].strip().isdigit():
            rec.problems.append(f"HTTP Content-Length {lengths[0]!r} is not a number")
        elif int(lengths[0]) != len(payload):
            rec.problems.append(
                f"HTTP Content-Length is {int(lengths[0])} but the stored payload is {len(payload)} bytes: "
                "replay would truncate or hang (was the body decoded after capture?)"
            )
    encoding = (http.header(b"Content-Encoding") or b"").strip().lower()
    if not payload or not encoding or b"," in encoding:
        return
    if encoding in (b"gzip", b"x-gzip"):
        if not payload.startswith(GZIP_MAGIC):
            rec.problems.append("Content-Encoding: gzip but the payload does not start with gzip magic 1f8b "
                                "(was it decoded after capture?)")
            return
        inflater = zlib.decompressobj(31)
        try:
            inflater.decompress(payload)
            ok = inflater.eof
        except zlib.error:
            ok = False
        if not ok:
            rec.problems.append("Content-Encoding: gzip payload does not decompress to its end (truncated body)")
    elif encoding == b"br":
        try:
            import brotli

            brotli.decompress(payload)
        except ImportError:
            pass
        except Exception:
            rec.problems.append("Content-Encoding: br payload is not valid brotli "
                                "(decoded after capture, or truncated)")


def scan_warc(path: Path) -> tuple[list[ParsedRecord], list[str]]:
    """Read every member and record, check each record, and return them without their blocks (memory stays flat)."""
    problems: list[str] = []
    records: list[ParsedRecord] = []
    with open(path, "rb") as stream:
        gzipped = stream.read(2) == GZIP_MAGIC
        stream.seek(0)
        if gzipped:
            chunks: Iterable[Member] = iter_gzip_members(stream)
        else:
            data = stream.read()
            chunks = [Member(0, len(data), data, True)] if data else []
        for member in chunks:
            if member.error:
                problems.append(f"offset {member.start}: {member.error}")
            pos = 0
            count = 0
            while pos < len(member.data):
                rec_offset = member.start if gzipped else pos
                rec, used = parse_record(member.data[pos:], rec_offset, member.end)
                count += 1
                if used < 0:
                    if member.complete:  # an incomplete member was reported above already
                        problems += [f"offset {rec_offset}: {p}" for p in rec.problems]
                    break
                if not gzipped:
                    rec.end = pos + used
                check_record(rec)
                rec.block = b""
                records.append(rec)
                pos += used
            if gzipped and member.complete and count != 1:
                problems.append(f"offset {member.start}: gzip member holds {count} records; expected exactly one")
    return records, problems


def check_warc(path: Path, *, known_record_ids: Iterable[str] | None = None) -> list[str]:
    """Return every problem found in one WARC file ([] when it is sound).

    A conversion record may refer to a response in an earlier file (the file rotated between capture and
    extraction). `known_record_ids` lists the ids such references may name; when it is None, the other WARC files in
    the same directory are searched, newest first, only for references this file does not resolve itself.
    """
    path = Path(path)
    known: Container[str] = (
        _SiblingIds(path) if known_record_ids is None
        else known_record_ids if isinstance(known_record_ids, (set, frozenset)) else set(known_record_ids)
    )
    records, problems = scan_warc(path)
    if not records:
        return problems + ["no complete WARC record in the file"]
    by_id: dict[str, ParsedRecord] = {}
    for rec in records:
        if rec.record_id in by_id:
            problems.append(f"offset {rec.offset}: WARC-Record-ID {rec.record_id} already used at "
                            f"offset {by_id[rec.record_id].offset}")
        else:
            by_id[rec.record_id] = rec
    for rec in records:
        if rec.rec_type == "request" and rec.http is not None and rec.http.method == "HEAD":
            # A HEAD response carries the GET's Content-Length over an empty body.
            for ref in rec.headers.get_all("WARC-Concurrent-To"):
                if ref in by_id:
                    by_id[ref].problems = [p for p in by_id[ref].problems if not p.startswith("HTTP Content-Length")]
    for rec in records:
        problems += [f"offset {rec.offset} {rec.rec_type} {rec.target_uri or ''}: {p}" for p in rec.problems]
    problems += _check_relations(path, records, by_id, known)
    return problems


class _SiblingIds:
    """Record ids of the other WARC files beside `path`, read lazily (headers only) the first time one is asked for."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.ids: set[str] | None = None

    def __contains__(self, record_id: object) -> bool:
        if self.ids is None:
            self.ids = set()
            for other in sorted(self.path.parent.glob("*.warc.gz*"), reverse=True):
                if other != self.path and other.name.endswith((".warc.gz", ".warc.gz.open")):
                    try:
                        self.ids.update(h.get("WARC-Record-ID") or "" for _, h in iter_headers(other))
                    except Exception:  # a damaged neighbour is its own check's business
                        continue
        return record_id in self.ids


def _check_relations(path: Path, records: list[ParsedRecord], by_id: dict[str, ParsedRecord],
                     known: Container[str]) -> list[str]:
    problems: list[str] = []
    first = records[0]
    name = path.name[: -len(".open")] if path.name.endswith(".open") else path.name
    if first.rec_type != "warcinfo":
        problems.append(f"first record is {first.rec_type!r}, not warcinfo")
    elif first.headers.get("WARC-Filename") != name:
        problems.append(f"warcinfo WARC-Filename {first.headers.get('WARC-Filename')!r} is not the file name {name!r}")
    warcinfo_ids = {r.record_id for r in records if r.rec_type == "warcinfo"}
    answered: set[str] = set()
    for rec in records:
        where = f"offset {rec.offset} {rec.rec_type} {rec.target_uri or ''}"
        info_id = rec.headers.get("WARC-Warcinfo-ID")
        if info_id and info_id not in warcinfo_ids and info_id not in known:
            problems.append(f"{where}: WARC-Warcinfo-ID {info_id} names no warcinfo record in this file")
        if rec.rec_type == "request":
            concurrent = rec.headers.get_all("WARC-Concurrent-To")
            partners = [by_id[c] for c in concurrent if c in by_id and by_id[c].rec_type in ("response", "revisit")]
            if not partners:
                problems.append(f"{where}: request has no WARC-Concurrent-To naming a response in this file")
            for partner in partners:
                answered.add(partner.record_id)
                if partner.target_uri != rec.target_uri:
                    problems.append(f"{where}: request and its response {partner.record_id} have different "
                                    f"target URIs ({partner.target_uri})")
        if rec.rec_type in ("conversion", "metadata"):
            for ref in rec.headers.get_all("WARC-Refers-To"):
                if ref not in by_id and ref not in known:
                    problems.append(f"{where}: WARC-Refers-To {ref} names no record in this file")
    for rec in records:
        if rec.rec_type in ("response", "revisit") and rec.record_id not in answered:
            problems.append(f"offset {rec.offset} {rec.rec_type} {rec.target_uri or ''}: no request record "
                            "points at this response with WARC-Concurrent-To")
    return problems


def check_directory(directory: Path, pattern: str = "*.warc.gz") -> dict[Path, list[str]]:
    """Check every finished file in a directory; WARC-Refers-To may cross files. Returns only files with problems."""
    paths = sorted(Path(directory).glob(pattern))
    ids: set[str] = set()
    for path in paths:
        ids.update(h.get("WARC-Record-ID") or "" for _, h in iter_headers(path))
    results = {path: check_warc(path, known_record_ids=ids) for path in paths}
    return {path: problems for path, problems in results.items() if problems}
