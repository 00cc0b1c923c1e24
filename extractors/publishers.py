"""Publisher declarations: what the extractor knows about one publisher, as data (extractors/data/publishers/*.toml).

A generic rule must hold on any site; knowledge of one publisher (its sidebar counters, its "back to the portal"
link, the script variable its pages keep the publish time in) is declared here instead, one file per publisher,
with the hosts it applies to, a golden fixture (a real page of that publisher, by its evaluation page id, and
text its extraction must not contain) and the lines its patterns exist to drop (`drops`):
tests/extractors/test_publishers.py checks the fixture, and that each `drops` line goes with the declaration and
stays without it. A crawl's source profile ([extraction] in crawler/sources/*.toml) has the same fields; the
profile's own values win, its lists are joined with the declaration's.

File format:
    name = "…"
    hosts = ["163.com"]                    # the host or any subdomain of it
    fixture = "unlabeled/gne_tests/x"      # evaldata page id (without .html)
    fixture_absent = ["申请入驻"]           # never in that page's extracted text
    drops = ["218文章数 6744关注度"]        # lines the [extraction] patterns drop
    [extraction]                           # ExtractionHints fields
    drop_line_patterns = ["^申请入驻$"]
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

from extractors.source import ExtractionHints

# importlib.resources, not a path beside __file__: inside a zipped egg (scrapyd) there is no such path.
DECLARATIONS = resources.files("extractors") / "data" / "publishers"


@dataclass(frozen=True)
class Publisher:
    id: str
    name: str
    hosts: tuple[str, ...]
    hints: ExtractionHints
    fixture: str | None = None
    fixture_absent: tuple[str, ...] = ()
    drops: tuple[str, ...] = ()

    def serves(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        return any(host == h or host.endswith("." + h) for h in self.hosts)


@dataclass(frozen=True)
class Registry:
    publishers: tuple[Publisher, ...] = ()

    def for_url(self, url: str) -> tuple[Publisher, ...]:
        try:
            host = urlsplit(url).hostname or ""
        except ValueError:
            return ()
        return tuple(p for p in self.publishers if p.serves(host))

    def without_domain(self, domain: str) -> Registry:
        """Every declaration about `domain` or its subdomains switched off (leave-one-domain-out evaluation)."""
        domain = domain.lower()
        return Registry(tuple(p for p in self.publishers
                              if not any(h == domain or h.endswith("." + domain) for h in p.hosts)))


def load(path: Path) -> Publisher:
    data = tomllib.loads(path.read_text("utf-8"))
    fields = {f.name: f for f in dataclasses.fields(ExtractionHints)}
    hints_data = data.get("extraction") or {}
    unknown = set(hints_data) - set(fields)
    if unknown:
        raise ValueError(f"{path}: unknown [extraction] keys {sorted(unknown)}")
    hints = ExtractionHints(**{k: tuple(v) if isinstance(v, list) else v for k, v in hints_data.items()})
    hosts = tuple(h.lower() for h in data.get("hosts") or ())
    if not hosts:
        raise ValueError(f"{path}: a publisher declaration names its hosts")
    stem = Path(path.name).stem
    return Publisher(id=stem, name=data.get("name") or stem, hosts=hosts, hints=hints,
                     fixture=data.get("fixture"), fixture_absent=tuple(data.get("fixture_absent") or ()),
                     drops=tuple(data.get("drops") or ()))


@lru_cache(maxsize=1)
def registry() -> Registry:
    files = sorted((p for p in DECLARATIONS.iterdir() if p.name.endswith(".toml")), key=lambda p: p.name)
    return Registry(tuple(load(p) for p in files))


def merged(hints: ExtractionHints, publishers: tuple[Publisher, ...]) -> ExtractionHints:
    """The source's own hints with the publishers' added: lists are joined, a value the source sets wins."""
    for pub in publishers:
        changes = {}
        for f in dataclasses.fields(ExtractionHints):
            mine, theirs = getattr(hints, f.name), getattr(pub.hints, f.name)
            if isinstance(mine, tuple):
                if theirs:
                    changes[f.name] = mine + tuple(x for x in theirs if x not in mine)
            elif mine is None and theirs is not None:
                changes[f.name] = theirs
        if changes:
            hints = dataclasses.replace(hints, **changes)
    return hints
