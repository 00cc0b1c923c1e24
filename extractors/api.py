"""The extract() entry point: the cascade decode → clean → trafilatura → metadata, returning one Record."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

import trafilatura
from w3lib.url import canonicalize_url

from extractors.record import Encoding, Record
from extractors.source import SourceInfo

EXTRACTOR_VERSION = "0.1.0"

Headers = Sequence[tuple[str, str]] | Mapping[str, str]


def record_id(url: str) -> str:
    """Stable id of an article: the same canonical URL always gives the same id."""
    return hashlib.sha256(canonicalize_url(url).encode("utf-8")).hexdigest()[:32]


def extract(
    body: bytes,
    url: str,
    headers: Headers = (),
    *,
    source: SourceInfo | None = None,
    fetched_at: str | None = None,
    http_status: int | None = None,
) -> Record:
    source = source or SourceInfo(id="adhoc")
    html = body.decode("utf-8", errors="replace")
    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, favor_precision=True)
    base = dict(
        id=record_id(url),
        url=url,
        source=source.id,
        site_name=source.site_name or None,
        region=source.region,
        fetched_at=fetched_at,
        http_status=http_status,
        encoding=Encoding("utf-8", "fallback"),
        extractor_version=EXTRACTOR_VERSION,
    )
    if doc is None or not (doc.text or "").strip():
        return Record(status="empty", **base)
    return Record(
        status="ok",
        title=doc.title,
        author=doc.author,
        published=doc.date,
        published_raw=doc.date,
        language="zh",
        text=doc.text,
        **base,
    )
