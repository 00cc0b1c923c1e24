"""Source profiles: a site is a declaration (TOML or YAML), never a new spider class.

Built-in profiles live beside this module as `<id>.toml`; users add their own with `--sources FILE` (a file
holding one profile, or a list of them under `[[source]]`). `Profile.rebased()` points a profile at a local
mirror (the offline demo) while its URL patterns keep matching the real site's URLs.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from extractors.record import Region
from extractors.source import ExtractionHints, SourceInfo


class ProfileError(ValueError):
    """A profile file is malformed; the message names the file and the field."""


@dataclass(frozen=True)
class Profile:
    id: str
    name: str
    allowed_hosts: tuple[str, ...]
    start_urls: tuple[str, ...] = ()
    homepage: str = ""
    next_page: str | None = None
    article_patterns: tuple[str, ...] = ()
    article_area: str | None = None
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    # URLs fetched as articles directly, without discovery (`policycrawl fetch`).
    article_urls: tuple[str, ...] = ()
    encoding: str | None = None
    max_listing_pages: int = 5
    page_budget: int = 300
    # None: the crawl's own DOWNLOAD_DELAY / CONCURRENT_REQUESTS_PER_DOMAIN apply (polite by default).
    download_delay: float | None = None
    concurrency: int | None = None
    region: Region = field(default_factory=Region)
    hints: ExtractionHints = field(default_factory=ExtractionHints)
    # Set by rebased(): the real scheme+netloc for each local one, so patterns written for the real site match.
    real_hosts: Mapping[str, tuple[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        compiled = []
        for pattern in self.article_patterns:
            try:
                compiled.append(re.compile(pattern))
            except re.error as exc:
                raise ProfileError(f"source {self.id!r}: bad article pattern {pattern!r}: {exc}") from None
        object.__setattr__(self, "_compiled", tuple(compiled))

    @property
    def source_info(self) -> SourceInfo:
        hints = self.hints
        if self.encoding and not hints.encoding:
            hints = dataclasses.replace(hints, encoding=self.encoding)
        return SourceInfo(id=self.id, site_name=self.name, region=self.region, hints=hints)

    def real_url(self, url: str) -> str:
        """The URL as it would be on the real site (identity unless the profile was rebased)."""
        parts = urlsplit(url)
        real = self.real_hosts.get(parts.netloc)
        if real is None:
            return url
        return urlunsplit((real[0], real[1], parts.path, parts.query, parts.fragment))

    def is_article(self, url: str) -> bool:
        real = self.real_url(url)
        return any(p.search(real) for p in self._compiled)  # type: ignore[attr-defined]

    def allows(self, url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and parts.netloc.lower() in self.allowed_hosts

    def rebased(self, base_url: str) -> Profile:
        """The same profile served from base_url (e.g. http://127.0.0.1:8001): every host maps onto it."""
        base = urlsplit(base_url)

        def move(url: str) -> str:
            parts = urlsplit(url)
            return urlunsplit((base.scheme, base.netloc, parts.path, parts.query, parts.fragment))

        first_real = urlsplit(self.homepage or (self.start_urls or self.article_urls or ("https://x/",))[0])
        return dataclasses.replace(
            self,
            allowed_hosts=(base.netloc,),
            start_urls=tuple(move(u) for u in self.start_urls),
            feeds=tuple(move(u) for u in self.feeds),
            sitemaps=tuple(move(u) for u in self.sitemaps),
            article_urls=tuple(move(u) for u in self.article_urls),
            homepage=move(self.homepage) if self.homepage else "",
            real_hosts={base.netloc: (first_real.scheme, first_real.netloc)},
        )


def _tuple(value: Any, key: str, origin: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ProfileError(f"{origin}: {key!r} must be a string or a list of strings")
    return tuple(value)


_HINT_FIELDS = {f.name for f in dataclasses.fields(ExtractionHints)}
_TOP_FIELDS = {f.name for f in dataclasses.fields(Profile)} - {"region", "hints", "real_hosts"}


def profile_from_mapping(data: Mapping[str, Any], origin: str = "<profile>") -> Profile:
    unknown = set(data) - _TOP_FIELDS - {"region", "extraction"}
    if unknown:
        raise ProfileError(f"{origin}: unknown keys {sorted(unknown)}")
    for key in ("id", "name"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise ProfileError(f"{origin}: {key!r} is required")
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,63}", data["id"]):
        raise ProfileError(f"{origin}: id {data['id']!r} must be lower-case letters, digits, '_' or '-'")
    region = data.get("region") or {}
    hints_data = data.get("extraction") or {}
    unknown_hints = set(hints_data) - _HINT_FIELDS
    if unknown_hints:
        raise ProfileError(f"{origin}: unknown [extraction] keys {sorted(unknown_hints)}")
    hints = ExtractionHints(
        **{
            k: (_tuple(v, k, origin) if isinstance(getattr(ExtractionHints(), k), tuple) else (v or None))
            for k, v in hints_data.items()
        }
    )
    start_urls = _tuple(data.get("start_urls"), "start_urls", origin)
    feeds = _tuple(data.get("feeds"), "feeds", origin)
    sitemaps = _tuple(data.get("sitemaps"), "sitemaps", origin)
    article_urls = _tuple(data.get("article_urls"), "article_urls", origin)
    allowed = _tuple(data.get("allowed_hosts"), "allowed_hosts", origin)
    if not allowed:
        allowed = tuple(sorted({urlsplit(u).netloc for u in (*start_urls, *feeds, *sitemaps, *article_urls)}))
    if not allowed:
        raise ProfileError(f"{origin}: give allowed_hosts or at least one start URL")
    for url in (*start_urls, *feeds, *sitemaps, *article_urls):
        if urlsplit(url).scheme not in ("http", "https"):
            raise ProfileError(f"{origin}: only http and https URLs are crawled, not {url!r}")
    return Profile(
        id=data["id"],
        name=data["name"],
        homepage=data.get("homepage", ""),
        allowed_hosts=tuple(h.lower() for h in allowed),
        start_urls=start_urls,
        next_page=data.get("next_page") or None,
        article_patterns=_tuple(data.get("article_patterns"), "article_patterns", origin),
        article_area=data.get("article_area") or None,
        feeds=feeds,
        sitemaps=sitemaps,
        article_urls=article_urls,
        encoding=data.get("encoding") or None,
        max_listing_pages=int(data.get("max_listing_pages", 5)),
        page_budget=int(data.get("page_budget", 300)),
        download_delay=float(data["download_delay"]) if data.get("download_delay") is not None else None,
        concurrency=int(data["concurrency"]) if data.get("concurrency") is not None else None,
        region=Region(province=region.get("province") or None, city=region.get("city") or None,
                      code=str(region["code"]) if region.get("code") else None),
        hints=hints,
    )


def load_file(path: Path) -> list[Profile]:
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix in (".yaml", ".yml"):
            import yaml

            data = yaml.safe_load(text)
        else:
            data = tomllib.loads(text)
    except Exception as exc:  # both parsers raise their own error types
        raise ProfileError(f"{path}: {exc}") from None
    if isinstance(data, Mapping) and "source" in data:
        items = data["source"]
    elif isinstance(data, list):
        items = data
    else:
        items = [data]
    return [profile_from_mapping(item, f"{path}[{i}]") for i, item in enumerate(items)]


def builtin_profiles() -> dict[str, Profile]:
    found: dict[str, Profile] = {}
    for entry in sorted(resources.files(__package__).iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            with resources.as_file(entry) as path:
                for profile in load_file(path):
                    found[profile.id] = profile
    return found


def load_profiles(extra_files: Iterable[Path] = ()) -> dict[str, Profile]:
    profiles = builtin_profiles()
    for path in extra_files:
        for profile in load_file(Path(path)):
            profiles[profile.id] = profile
    return profiles


def select_profiles(available: Mapping[str, Profile], wanted: Iterable[str]) -> list[Profile]:
    """The named profiles (all of them when none is named); unknown names are a ProfileError naming them."""
    names = list(wanted) or sorted(available)
    unknown = [s for s in names if s not in available]
    if unknown:
        raise ProfileError(f"unknown source(s): {', '.join(unknown)} (known: {', '.join(sorted(available))})")
    return [available[s] for s in names]


def adhoc_profile(start_urls: Iterable[str], follow: str | None = None, *, article_urls: Iterable[str] = (),
                  source_id: str = "adhoc") -> Profile:
    """A profile for a site nobody declared: stay on the start hosts, treat links matching `follow` as articles."""
    starts = tuple(start_urls)
    articles = tuple(article_urls)
    hosts = tuple(sorted({urlsplit(u).netloc.lower() for u in (*starts, *articles)}))
    return profile_from_mapping(
        {
            "id": source_id,
            "name": source_id,
            "allowed_hosts": list(hosts),
            "start_urls": list(starts),
            "article_urls": list(articles),
            "article_patterns": [follow] if follow else [],
        },
        "<command line>",
    )
