"""Provinces and prefecture-level cities (GB/T 2260) named in a title, from the table in data/regions.tsv."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from extractors.record import Region

# Through importlib.resources, not a path next to __file__: inside a zipped egg (scrapyd) there is no such path.
_DATA = resources.files("extractors") / "data" / "regions.tsv"


@dataclass(frozen=True)
class Division:
    code: str
    name: str  # full name, e.g. 广州市
    short: str  # e.g. 广州
    province: str  # full name of its province (itself for a province)
    level: str  # "province" | "city"
    bare: bool  # the short name alone is unambiguous enough to match


@cache
def divisions() -> tuple[Division, ...]:
    out = []
    for line in _DATA.read_text("utf-8").splitlines():
        if not line or line.startswith("#") or line.startswith("code\t"):
            continue
        code, name, short, province, level, bare = line.split("\t")
        out.append(Division(code, name, short, province, level, bare == "1"))
    return tuple(out)


@cache
def _matcher() -> tuple[re.Pattern[str], dict[str, Division]]:
    by_form: dict[str, Division] = {}
    for d in divisions():
        by_form.setdefault(d.name, d)
        if d.level == "city" and not d.name.endswith(("州", "地区")):
            by_form.setdefault(d.short + "市", d)
        if d.bare:
            # A province's short name wins over a city of the same short name (吉林 → 吉林省).
            if d.short not in by_form or d.level == "province":
                by_form[d.short] = d
    forms = sorted(by_form, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, forms))), by_form


def by_code(code: str | None) -> Division | None:
    if not code:
        return None
    for d in divisions():
        if d.code == code:
            return d
    return None


def mentioned(text: str | None) -> tuple[str, ...]:
    """Full names of provinces and cities named in text, in order of first mention, without repeats."""
    if not text:
        return ()
    pattern, by_form = _matcher()
    out: list[str] = []
    for m in pattern.finditer(text):
        name = by_form[m.group()].name
        if name not in out:
            out.append(name)
    return tuple(out)


def record_region(src: Region, title: str | None) -> Region:
    """The record's region: the source's (province/city filled from its GB/T 2260 code) and what the title names."""
    division = by_code(src.code)
    province = src.province or (division.province if division else None)
    city = src.city or (division.name if division and division.level == "city" else None)
    return Region(province=province, city=city, code=src.code, mentioned=mentioned(title))
