"""Byte formats of WARC/1.1 and HTTP/1.x shared by writer, reader, checker and repairer: digests, dates, heads, URIs."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit

CRLF = b"\r\n"
WARC_VERSION = "WARC/1.1"
ACCEPTED_VERSIONS = ("WARC/1.1", "WARC/1.0")
RECORD_END = b"\r\n\r\n"
GZIP_MAGIC = b"\x1f\x8b"

REVISIT_PROFILES = {
    "identical-payload-digest": "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest",
    "server-not-modified": "http://netpreserve.org/warc/1.1/revisit/server-not-modified",
}

_RECORD_ID = re.compile(r"^<urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}>$")
_WARC_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$")


class WarcFormatError(ValueError):
    """Bytes that are not a well-formed WARC record or HTTP message head."""


def sha1_digest(*parts: bytes) -> str:
    """`sha1:` + base32, the labelled form warcio, FastWARC and pywb all verify."""
    h = hashlib.sha1()
    for part in parts:
        h.update(part)
    return "sha1:" + base64.b32encode(h.digest()).decode("ascii")


def warc_date(moment: datetime) -> str:
    """WARC/1.1 date with microseconds, always UTC with a `Z`."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment!r}: pass an aware UTC datetime (datetime.now(UTC))")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def is_warc_date(value: str) -> bool:
    return bool(_WARC_DATE.match(value))


def is_record_id(value: str) -> bool:
    return bool(_RECORD_ID.match(value))


def ascii_target_uri(url: str, request_target: str | None = None) -> str:
    """WARC-Target-URI in ASCII.

    The request target is what went on the wire, so when it is an ASCII origin-form path it decides the path and query
    bytes (a GBK query stays GBK, percent-encoded). Otherwise non-ASCII characters of `url` are percent-encoded as UTF-8
    and an internationalised host is IDNA-encoded. Existing %XX escapes are kept as they are.
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    if not host.isascii():
        host = host.encode("idna").decode("ascii")
    netloc = host if ":" not in host else f"[{host}]"
    if parts.port is not None:
        netloc += f":{parts.port}"
    if parts.username is not None:
        userinfo = _pct(parts.username) + (":" + _pct(parts.password) if parts.password is not None else "")
        netloc = userinfo + "@" + netloc
    if request_target and request_target.startswith("/") and request_target.isascii() and " " not in request_target:
        return f"{parts.scheme}://{netloc}{request_target}"
    path = _pct(parts.path) or "/"
    uri = f"{parts.scheme}://{netloc}{path}"
    if parts.query or url.endswith("?"):
        uri += "?" + _pct(parts.query)
    return uri


def _pct(text: str) -> str:
    # Everything printable ASCII except space stays; % stays so existing escapes survive.
    return quote(text, safe="!#$%&'()*+,/:;=?@[]~-._")


@dataclass(frozen=True)
class HeaderList:
    """Header fields in stored order, duplicates kept; look-ups are case-insensitive."""

    items: tuple[tuple[str, str], ...]

    def get(self, name: str, default: str | None = None) -> str | None:
        lname = name.lower()
        for key, value in self.items:
            if key.lower() == lname:
                return value
        return default

    def get_all(self, name: str) -> list[str]:
        lname = name.lower()
        return [value for key, value in self.items if key.lower() == lname]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None


@dataclass(frozen=True)
class HttpHead:
    """A parsed HTTP/1.x message head, header bytes exactly as stored."""

    first_line: bytes
    protocol: str
    status: int | None  # responses
    reason: bytes
    method: str | None  # requests
    target: str | None
    headers: tuple[tuple[bytes, bytes], ...]
    head_length: int  # bytes up to and including the blank line; the payload starts here

    def header(self, name: bytes) -> bytes | None:
        lname = name.lower()
        for key, value in self.headers:
            if key.lower() == lname:
                return value
        return None

    def header_all(self, name: bytes) -> list[bytes]:
        lname = name.lower()
        return [value for key, value in self.headers if key.lower() == lname]


def serialize_warc_head(fields: Iterable[tuple[str, str]]) -> bytes:
    lines = [WARC_VERSION.encode("ascii")]
    for name, value in fields:
        if "\r" in value or "\n" in value or "\r" in name or "\n" in name or ":" in name:
            raise WarcFormatError(f"WARC header {name!r} has a line break or a colon in its name: {value!r}")
        # Header values are ASCII except a few UTF-8 ones WARC 1.1 allows (e.g. warcinfo fields live in the block).
        lines.append(f"{name}: {value}".encode())
    return CRLF.join(lines) + CRLF + CRLF


def parse_warc_head(data: bytes) -> tuple[str, HeaderList, int]:
    """Parse `WARC/1.1` + header lines + blank line at the start of `data`; return (version, headers, head_length)."""
    end = data.find(RECORD_END)
    if end < 0:
        raise WarcFormatError("WARC header block has no terminating blank line (truncated record?)")
    lines = data[:end].split(CRLF)
    version = lines[0].decode("ascii", "replace")
    if version not in ACCEPTED_VERSIONS:
        raise WarcFormatError(f"record starts with {lines[0][:40]!r}, not WARC/1.1 or WARC/1.0")
    items = []
    for line in lines[1:]:
        if line[:1] in (b" ", b"\t"):
            raise WarcFormatError(f"folded WARC header line {line[:60]!r}: WARC 1.1 writers must not fold")
        name, sep, value = line.partition(b":")
        if not sep:
            raise WarcFormatError(f"WARC header line without a colon: {line[:60]!r}")
        items.append((name.decode("utf-8", "replace").strip(), value.decode("utf-8", "replace").strip()))
    return version, HeaderList(tuple(items)), end + 4


def serialize_http_head(first_line: bytes, headers: Iterable[tuple[bytes, bytes]]) -> bytes:
    parts = [first_line, CRLF]
    for name, value in headers:
        if not name or b"\r" in name or b"\n" in name or b":" in name:
            raise WarcFormatError(f"HTTP header name {name!r} is empty or has a colon/line break")
        # A bare CR inside a value is kept as received (Twisted splits lines at LF only, so it reaches us; RFC 9110
        # lets a recipient keep or replace it, and an archive keeps it). warcio, FastWARC and our reader split
        # header lines at LF, so it reads back unchanged; a LF, or CR LF, would start a new header line.
        if b"\n" in value or value.endswith(b"\r"):
            raise WarcFormatError(f"HTTP header {name!r} value has a line break (folded?); pass each value unfolded")
        parts += [name, b": ", value, CRLF]
    parts.append(CRLF)
    return b"".join(parts)


def parse_http_head(block: bytes) -> HttpHead:
    """Parse the HTTP head of an application/http block. Bare-LF line ends are accepted, as warcio does."""
    pos = 0
    lines: list[bytes] = []
    while True:
        nl = block.find(b"\n", pos)
        if nl < 0:
            raise WarcFormatError("HTTP head has no terminating blank line")
        line = block[pos:nl]
        pos = nl + 1
        if line.endswith(b"\r"):
            line = line[:-1]
        if not line:
            if not lines:
                raise WarcFormatError("HTTP block starts with a blank line")
            break
        lines.append(line)
    first = lines[0]
    headers = []
    for line in lines[1:]:
        if line[:1] in (b" ", b"\t") and headers:
            # Obsolete line folding in an archived message from elsewhere: keep it attached to its header.
            name, value = headers[-1]
            headers[-1] = (name, value + b" " + line.strip())
            continue
        name, sep, value = line.partition(b":")
        if not sep:
            raise WarcFormatError(f"HTTP header line without a colon: {line[:60]!r}")
        headers.append((name.strip(), value.strip(b" \t")))
    words = first.split(b" ", 2)
    if first.startswith(b"HTTP/"):
        if len(words) < 2 or not words[1].isdigit():
            raise WarcFormatError(f"bad HTTP status line {first[:60]!r}")
        return HttpHead(first, words[0].decode("ascii", "replace"), int(words[1]), words[2] if len(words) > 2 else b"",
                        None, None, tuple(headers), pos)
    if len(words) != 3 or not words[2].startswith(b"HTTP/"):
        raise WarcFormatError(f"bad HTTP request line {first[:60]!r}")
    return HttpHead(first, words[2].decode("ascii", "replace"), None, b"", words[0].decode("ascii", "replace"),
                    words[1].decode("ascii", "replace"), tuple(headers), pos)


class WarcHeaderFields:
    """Shortcuts for records that carry their WARC headers as `self.headers` (a HeaderList)."""

    headers: HeaderList

    @property
    def record_id(self) -> str:
        return self.headers.get("WARC-Record-ID") or ""

    @property
    def target_uri(self) -> str | None:
        return self.headers.get("WARC-Target-URI")
