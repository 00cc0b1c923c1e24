"""The replica's data model: resources as served, per-site ground truth, and a small builder the site modules share."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Callable, Mapping

# Replaced by "http://host:port" at serve time, so feeds, sitemaps and absolute links point at the serving socket.
BASE = "__BASE__"


class Page:
    """One resource exactly as the server sends it (body before gzip).

    `body` may be given as a function: real attachment files (PDF/DOCX/XLSX made by crawler/demo/attachments.py)
    take ~0.3 s each to render, so they are made on first use, not when the replica is built."""

    __slots__ = ("status", "headers", "_body")

    def __init__(self, status: int, headers: tuple[tuple[str, str], ...], body: "bytes | Callable[[], bytes]"):
        self.status = status
        self.headers = headers
        self._body = body

    @property
    def body(self) -> bytes:
        if callable(self._body):
            self._body = self._body()  # deterministic, so a race between threads only renders twice
        return self._body

    def __repr__(self) -> str:
        return f"Page(status={self.status}, headers={self.headers!r})"


@dataclass(frozen=True)
class AttachmentTruth:
    """A file an article links as its attachment, served by the replica at `path`."""

    path: str
    name: str  # the link text as the page shows it
    type: str  # lower-case extension without the dot, as the record's attachments[].type
    content_type: str
    kind: str  # crawler/demo/attachments.py kind the bytes were made as ("pdf", "docx", "pdf-scanned", …)


@dataclass(frozen=True)
class ArticleTruth:
    """What a correct record for one replica article contains; tests compare records against it."""

    path: str
    title: str
    paragraphs: tuple[str, ...]
    published: str
    author: str | None
    script: str
    listed: bool
    # The 信息公开 block: normalised key -> value (dates as ISO days), as the record's `gov` carries them
    # (index_no, doc_no, issuer, written_date, published_date, title, topic, category, subject_words, validity).
    gov: tuple[tuple[str, str], ...] = ()
    # The same block as the page prints it: (label without padding and colon, value as shown), in page order.
    gov_labels: tuple[tuple[str, str], ...] = ()
    attachments: tuple[AttachmentTruth, ...] = ()
    # Where a trustworthy `published` comes from on this page: "label" (发布日期 field), "header" (date by the
    # headline), "meta" (no visible date at all). None: not stated (the news sites).
    published_from: str | None = None
    # Named traps this page carries (see crawler/demo/sites/govdocs.py TRAPS), for tests that need one of each.
    traps: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReplicaSite:
    id: str
    pages: Mapping[str, Page]
    articles: tuple[ArticleTruth, ...]
    chrome_lines: tuple[str, ...]
    disallowed_paths: tuple[str, ...]
    # Old servers (ccpa) never compress; the others gzip text when the client asks.
    compress: bool = True


@dataclass
class SiteDraft:
    """Mutable collector a site module fills, then freezes with finish()."""

    id: str
    compress: bool = True
    pages: dict[str, Page] = field(default_factory=dict)
    articles: list[ArticleTruth] = field(default_factory=list)
    chrome: list[str] = field(default_factory=list)
    disallowed: list[str] = field(default_factory=list)

    def add(self, path: str, body: "bytes | Callable[[], bytes]", content_type: str | None, status: int = 200,
            extra: tuple[tuple[str, str], ...] = ()) -> None:
        if path in self.pages:
            raise ValueError(f"{self.id}: path {path} defined twice")
        headers = ((("Content-Type", content_type),) if content_type else ()) + extra
        self.pages[path] = Page(status, headers, body)

    def add_html(self, path: str, html: str, *, encoding: str = "utf-8",
                 content_type: str | None = "text/html; charset=utf-8") -> None:
        self.add(path, html.encode(encoding), content_type)

    def add_redirect(self, old_path: str, new_path: str) -> None:
        self.add(old_path, b"", "text/html", status=301, extra=(("Location", BASE + new_path),))

    def add_chrome(self, *lines: str) -> None:
        for line in lines:
            line = " ".join(line.split())
            if line and line not in self.chrome:
                self.chrome.append(line)

    def finish(self) -> ReplicaSite:
        for a in self.articles:
            if a.path not in self.pages:
                raise ValueError(f"{self.id}: article {a.path} has no page")
        return ReplicaSite(
            id=self.id,
            pages=MappingProxyType(dict(self.pages)),
            articles=tuple(self.articles),
            chrome_lines=tuple(self.chrome),
            disallowed_paths=tuple(self.disallowed),
            compress=self.compress,
        )


def chunks(items: list, size: int) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)]
