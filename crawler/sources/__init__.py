"""Source profiles: a site is a declaration (TOML or YAML), never a new spider class.

Built-in profiles live beside this module as `<id>.toml`; users add their own with `--sources FILE` (a file
holding one profile, or a list of them under `[[source]]`). `Profile.rebased()` points a profile at a local
mirror (the offline demo) while its URL patterns keep matching the real site's URLs.

A profile may name a CMS family (`family = "nfcms"`): `families/<name>.toml` beside this module is a template
holding what every site of that CMS shares (article URL patterns, pagination, listing selectors, extraction
hints). The family's values are the defaults, the profile's own values override them key by key (tables such
as `[extraction]` are merged per key, lists are replaced whole). In family files `{host}` stands for the
profile's `host` and `{host_re}` for it escaped as a regular expression, so a site of a known family needs
only id, name, host, region and start columns.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from extractors.record import Region
from extractors.source import ExtractionHints, SourceInfo


class ProfileError(ValueError):
    """A profile file is malformed; the message names the file and the field."""


@dataclass(frozen=True)
class GkmlptApi:
    """Discovery through a gkmlpt (政府信息公开目录管理平台) site's JSON listing API instead of HTML listings."""

    sid: str
    categories: tuple[str, ...] = ("0",)
    # Path of one API page; {cat}, {page} and {sid} are filled in.
    api: str = "/gkmlpt/api/all/{cat}?page={page}&sid={sid}"
    # Keys of an item in the response's `articles` list, first present wins.
    url_fields: tuple[str, ...] = ("url",)
    title_fields: tuple[str, ...] = ("title",)
    date_fields: tuple[str, ...] = ("date",)
    doc_no_fields: tuple[str, ...] = ()

    def page_url(self, homepage: str, cat: str, page: int) -> str:
        return urljoin(homepage, self.api.format(cat=cat, page=page, sid=self.sid))


@dataclass(frozen=True)
class Profile:
    id: str
    name: str
    allowed_hosts: tuple[str, ...]
    family: str | None = None
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
    # Listings whose pager is drawn by a script (createPageHTML(total, current, "index", "html") / var totalPage):
    # the next page's URL is built from the page count the script is given (crawler/pagers.py).
    script_pager: bool = False
    # The number in the second page's file name: 2 when page N is index_N (NFCMS), 1 when it is index_{N-1} (TRS).
    script_pager_second: int = 2
    # The site serves no listing page beyond this one (www.gz.gov.cn: `var pages_limit=100`).
    pages_limit: int | None = None
    # Also look for article links inside inline scripts (listings whose records sit in a script, e.g. Hanweb).
    links_in_scripts: bool = False
    # (regex, replacement) rewrites giving an article URL its canonical form before it is queued, e.g. a
    # mobile twin content/mpost_N.html → content/post_N.html: one frontier key and one record id for both.
    canonical_urls: tuple[tuple[str, str], ...] = ()
    gkmlpt: GkmlptApi | None = None
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
        rewrites = []
        for pattern, replacement in self.canonical_urls:
            try:
                rewrites.append((re.compile(pattern), replacement))
            except re.error as exc:
                raise ProfileError(f"source {self.id!r}: bad canonical_urls pattern {pattern!r}: {exc}") from None
        object.__setattr__(self, "_rewrites", tuple(rewrites))

    def canonical(self, url: str) -> str:
        """The address the article is known by: the profile's canonical_urls rewrites applied in order."""
        for regex, replacement in self._rewrites:  # type: ignore[attr-defined]
            url = regex.sub(replacement, url)
        return url

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

    def local_url(self, url: str) -> str:
        """A real-site URL (as an API answer on a mirror may give it) moved onto the mirror it is served from."""
        parts = urlsplit(url)
        for local, (_scheme, netloc) in self.real_hosts.items():
            if parts.netloc == netloc:
                return urlunsplit((urlsplit(self.homepage).scheme or "http", local, parts.path, parts.query, parts.fragment))
        return url

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


def _int(data: Mapping[str, Any], key: str, origin: str, default: int | None) -> int | None:
    value = data.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ProfileError(f"{origin}: {key!r} must be a whole number >= 0, not {value!r}")
    return value


def _bool(data: Mapping[str, Any], key: str, origin: str) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise ProfileError(f"{origin}: {key!r} must be true or false, not {value!r}")
    return value


def _pairs(value: Any, key: str, origin: str) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(
        isinstance(v, list) and len(v) == 2 and all(isinstance(x, str) for x in v) for v in value
    ):
        raise ProfileError(f"{origin}: {key!r} must be a list of [pattern, replacement] pairs")
    return tuple((a, b) for a, b in value)


_HINT_FIELDS = {f.name for f in dataclasses.fields(ExtractionHints)}
_GKMLPT_FIELDS = {f.name for f in dataclasses.fields(GkmlptApi)}
_TOP_FIELDS = {f.name for f in dataclasses.fields(Profile)} - {"region", "hints", "real_hosts", "gkmlpt"}
_TABLES = ("region", "extraction", "gkmlpt")
FAMILIES = "families"


def family_names() -> list[str]:
    folder = resources.files(__package__).joinpath(FAMILIES)
    return sorted(e.name[:-5] for e in folder.iterdir() if e.name.endswith(".toml"))


@functools.cache
def _family_file(name: str) -> tuple[str, dict[str, Any]]:
    entry = resources.files(__package__).joinpath(FAMILIES, f"{name}.toml")
    origin = f"crawler/sources/{FAMILIES}/{name}.toml"
    try:
        data = tomllib.loads(entry.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{origin}: {exc}") from None
    unknown = set(data) - _TOP_FIELDS - set(_TABLES) - {"id", "name", "family", "host"}
    if unknown or {"id", "name", "family", "host"} & set(data):
        raise ProfileError(f"{origin}: a family may not set {sorted(unknown | ({'id', 'name', 'family', 'host'} & set(data)))}")
    return origin, data


def _fill(value: Any, host: str) -> Any:
    """Family values with {host} / {host_re} replaced (str.replace, not format: regexes hold braces)."""
    if isinstance(value, str):
        return value.replace("{host_re}", re.escape(host)).replace("{host}", host)
    if isinstance(value, list):
        return [_fill(v, host) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, host) for k, v in value.items()}
    return value


def resolve(data: Mapping[str, Any], origin: str = "<profile>") -> dict[str, Any]:
    """The profile's mapping with its family's values filled in under it (profile wins, tables per key), and
    `host` expanded into allowed_hosts / homepage / absolute start URLs."""
    data = dict(data)
    host = data.get("host")
    if host is not None and (not isinstance(host, str) or not re.fullmatch(r"[a-z0-9.-]+(?::\d+)?", host)):
        raise ProfileError(f"{origin}: 'host' must be a lower-case host name such as \"www.gz.gov.cn\", not {host!r}")
    family = data.get("family")
    if family is not None:
        if not isinstance(family, str) or family not in family_names():
            raise ProfileError(f"{origin}: family {family!r} unknown (known: {', '.join(family_names())})")
        if not host:
            raise ProfileError(f"{origin}: 'host' is required with a family")
        _, template = _family_file(family)
        merged = _fill(template, host)
        for key, value in data.items():
            if key in _TABLES and isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
                merged[key] = {**merged[key], **value}
            else:
                merged[key] = value
        data = merged
    if host:
        data.setdefault("allowed_hosts", [host])
        data.setdefault("homepage", f"https://{host}/")
    homepage = data.get("homepage") or ""
    for key in ("start_urls", "feeds", "sitemaps", "article_urls"):
        urls = data.get(key)
        if isinstance(urls, list) and homepage:
            # "/xw/tzgg/" is a column of the profile's own site.
            data[key] = [urljoin(homepage, u) if isinstance(u, str) and u.startswith("/") else u for u in urls]
    return data


def profile_from_mapping(data: Mapping[str, Any], origin: str = "<profile>") -> Profile:
    unknown = set(data) - _TOP_FIELDS - set(_TABLES) - {"host"}
    if unknown:
        raise ProfileError(f"{origin}: unknown keys {sorted(unknown)}")
    for key in ("id", "name"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise ProfileError(f"{origin}: {key!r} is required")
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,63}", data["id"]):
        raise ProfileError(f"{origin}: id {data['id']!r} must be lower-case letters, digits, '_' or '-'")
    data = resolve(data, origin)
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
    gkmlpt = None
    if data.get("gkmlpt") is not None:
        g = data["gkmlpt"]
        unknown_g = set(g) - _GKMLPT_FIELDS
        if unknown_g:
            raise ProfileError(f"{origin}: unknown [gkmlpt] keys {sorted(unknown_g)}")
        if g.get("sid") is not None:  # a family may prepare the table; the site gives its sid
            if not isinstance(g["sid"], (str, int)) or isinstance(g["sid"], bool) or not str(g["sid"]).isdigit():
                raise ProfileError(f"{origin}: [gkmlpt] 'sid' must be the site's number, not {g['sid']!r}")
            api = g.get("api", GkmlptApi.api)
            if not isinstance(api, str) or not api.startswith("/"):
                raise ProfileError(f"{origin}: [gkmlpt] 'api' must be a path starting with '/', not {api!r}")
            cats = g.get("categories", ["0"])
            if not isinstance(cats, list) or not cats or not all(isinstance(c, (str, int)) for c in cats):
                raise ProfileError(f"{origin}: [gkmlpt] 'categories' must be a non-empty list of category ids")
            gkmlpt = GkmlptApi(
                sid=str(g["sid"]), categories=tuple(str(c) for c in cats), api=api,
                **{k: _tuple(g[k], f"gkmlpt.{k}", origin)
                   for k in ("url_fields", "title_fields", "date_fields", "doc_no_fields") if k in g},
            )
    start_urls = _tuple(data.get("start_urls"), "start_urls", origin)
    feeds = _tuple(data.get("feeds"), "feeds", origin)
    sitemaps = _tuple(data.get("sitemaps"), "sitemaps", origin)
    article_urls = _tuple(data.get("article_urls"), "article_urls", origin)
    allowed = _tuple(data.get("allowed_hosts"), "allowed_hosts", origin)
    if not allowed:
        allowed = tuple(sorted({urlsplit(u).netloc for u in (*start_urls, *feeds, *sitemaps, *article_urls)}))
    if not allowed:
        raise ProfileError(f"{origin}: give host, allowed_hosts or at least one start URL")
    for url in (*start_urls, *feeds, *sitemaps, *article_urls):
        if urlsplit(url).scheme not in ("http", "https"):
            raise ProfileError(f"{origin}: only http and https URLs are crawled, not {url!r}")
    if gkmlpt is not None and not data.get("homepage"):
        raise ProfileError(f"{origin}: [gkmlpt] needs 'host' or 'homepage' to build the API address")
    if region.get("code") is not None and not re.fullmatch(r"\d{6}", str(region["code"])):
        raise ProfileError(f"{origin}: [region] 'code' must be the 6-digit GB/T 2260 code, not {region['code']!r}")
    second = _int(data, "script_pager_second", origin, 2)
    if second not in (1, 2):
        raise ProfileError(f"{origin}: 'script_pager_second' must be 1 (index_1 is page 2) or 2 (index_2 is page 2)")
    try:
        return Profile(
            id=data["id"],
            name=data["name"],
            family=data.get("family"),
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
            max_listing_pages=_int(data, "max_listing_pages", origin, 5) or 1,
            page_budget=_int(data, "page_budget", origin, 300) or 1,
            script_pager=_bool(data, "script_pager", origin),
            script_pager_second=second,
            pages_limit=_int(data, "pages_limit", origin, None),
            links_in_scripts=_bool(data, "links_in_scripts", origin),
            canonical_urls=_pairs(data.get("canonical_urls"), "canonical_urls", origin),
            gkmlpt=gkmlpt,
            download_delay=float(data["download_delay"]) if data.get("download_delay") is not None else None,
            concurrency=int(data["concurrency"]) if data.get("concurrency") is not None else None,
            region=Region(province=region.get("province") or None, city=region.get("city") or None,
                          code=str(region["code"]) if region.get("code") else None),
            hints=hints,
        )
    except ProfileError as exc:  # a bad regex: say which file it is in
        raise ProfileError(f"{origin}: {exc}") from None


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
    profiles = []
    for i, item in enumerate(items):
        try:
            profiles.append(profile_from_mapping(item, f"{path}[{i}]"))
        except ProfileError:
            raise
        except (TypeError, ValueError, AttributeError) as exc:  # a value of the wrong type, e.g. delay = "3s"
            raise ProfileError(f"{path}[{i}]: {exc}") from None
    return profiles


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
