"""zh_gov per-field scores: body, title, publish date, each 信息公开 field, attachments, listing pages.

Run: python -m benchmarks.extraction --dataset zh_gov   (this table is printed after the usual one)

zh_gov is a DEVELOPMENT set (the extractor is tuned on it): every number here is in-sample.
- body P/R/F1 and title exact (headline) on article pages; the listing pages' column titles are reported apart;
- publish date: same calendar day as the date the page presents as published;
- 信息公开: the truth `gov` is keyed by the page's own label; each label is mapped to our normalised key
  (extractors.govpairs.VOCABULARY; an unknown label is its own key) and the value we record for that key must equal the
  page's value exactly (whitespace ignored). Scored per key over the pages that show the field;
- attachments: the set of (name, URL) pairs equals the truth's (page share) and the share of truth pairs found;
- listing pages: the share of truth items found (same URL) with the same date, and next page equal to the truth's
  (None when the page has none), plus status "not-an-article".
Pages without a URL in their truth (fragments saved without it) resolve nothing: an item or attachment URL then
matches when the truth URL ends with our href's path part.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from benchmarks.extraction import Page, prf, same_day, same_title

_WS = re.compile(r"\s+")


@dataclass
class GovScores:
    f1: list[float] = field(default_factory=list)
    p: list[float] = field(default_factory=list)
    r: list[float] = field(default_factory=list)
    title: list[bool] = field(default_factory=list)
    column_title: list[bool] = field(default_factory=list)
    date: list[bool] = field(default_factory=list)
    fields: dict[str, list[bool]] = field(default_factory=lambda: defaultdict(list))
    extra_fields: int = 0  # fields we report on pages whose truth shows none of that key
    attach_exact: list[bool] = field(default_factory=list)
    attach_found: list[float] = field(default_factory=list)
    items_with_date: list[float] = field(default_factory=list)
    items_total: int = 0
    items_hit: int = 0
    items_extra: int = 0
    next_page: list[bool] = field(default_factory=list)
    listing_status: list[bool] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _same_url(ours: str, truth: str, page_url: str) -> bool:
    if ours == truth:
        return True
    if page_url:
        return False
    tail = re.sub(r"^(?:https?:)?//[^/]+", "", ours)
    tail = re.sub(r"^(?:\.\./|\./)+", "", tail).lstrip("/")
    return bool(tail) and truth.endswith("/" + tail)


def _norm(value: str | None) -> str:
    return _WS.sub("", value or "")


def score(pages: list[Page], per_page: bool = False) -> GovScores:
    from extractors import extract
    from extractors.govpairs import LABEL_TO_KEY
    from extractors.listing import extract_listing

    sc = GovScores()
    for page in pages:
        truth = page.truth
        rec = extract(page.body, page.url, page.headers)
        flags = []
        if truth.get("page_type") == "listing":
            listing = extract_listing(page.body, page.url, page.headers)
            want = truth.get("items") or []
            hits = 0
            matched = set()
            for item in want:
                ours = next((i for i in listing.items if _same_url(i.url, item["url"], page.url)), None)
                if ours is not None:
                    matched.add(ours.url)
                    if ours.date == item["date"]:
                        hits += 1
                    else:
                        flags.append(f"date {item['title'][:12]} {ours.date}!={item['date']}")
                else:
                    flags.append(f"missing {item['title'][:16]}")
            sc.items_total += len(want)
            sc.items_hit += hits
            sc.items_extra += sum(1 for i in listing.items if i.url not in matched)
            sc.items_with_date.append(hits / len(want) if want else 1.0)
            nxt_ok = listing.next_page == truth.get("next_page")
            sc.next_page.append(nxt_ok)
            if not nxt_ok:
                flags.append(f"next={listing.next_page} want={truth.get('next_page')}")
            sc.listing_status.append(rec.status == "not-an-article")
            if rec.status != "not-an-article":
                flags.append(f"status={rec.status}")
            if truth.get("title"):
                sc.column_title.append(same_title(rec.title, truth["title"]))
            if per_page:
                print(f"zh_gov {page.id:14} listing items {hits}/{len(want)} (ours {len(listing.items)}) "
                      + " ".join(flags[:6]))
            continue
        if truth.get("body") is not None:
            p, r, f = prf(rec.text_original or rec.text, truth["body"])
            sc.p.append(p)
            sc.r.append(r)
            sc.f1.append(f)
        if truth.get("title"):
            ok = same_title(rec.title, truth["title"])
            sc.title.append(ok)
            if not ok:
                flags.append(f"title={rec.title!r}")
        if truth.get("publish_time"):
            ok = same_day(rec.published, truth["publish_time"])
            sc.date.append(ok)
            if not ok:
                flags.append(f"date={rec.published} want={truth['publish_time']}")
        ours_by_key: dict[str, str] = {}
        for f_ in rec.gov.fields if rec.gov else ():
            ours_by_key.setdefault(f_.key or f_.label, f_.value)
        want_keys = set()
        for label, value in (truth.get("gov") or {}).items():
            key = LABEL_TO_KEY.get(label, label)
            want_keys.add(key)
            ok = _norm(ours_by_key.get(key)) == _norm(value)
            sc.fields[key].append(ok)
            if not ok:
                flags.append(f"gov {label}={ours_by_key.get(key)!r} want {value!r}")
        if truth.get("gov"):
            sc.extra_fields += sum(1 for k in ours_by_key if k not in want_keys)
        want_att = {(a["name"], a["url"]) for a in truth.get("attachments") or []}
        ours_att = [(a.name, a.url) for a in rec.attachments]
        found = sum(1 for n, u in want_att if any(_norm(n) == _norm(on) and _same_url(ou, u, page.url)
                                                   for on, ou in ours_att))
        exact = found == len(want_att) and len(ours_att) == len(want_att)
        sc.attach_exact.append(exact)
        if want_att:
            sc.attach_found.append(found / len(want_att))
        if not exact:
            flags.append(f"attachments {ours_att} want {sorted(want_att)}")
        if per_page:
            body = f"F1={sc.f1[-1]:.3f}" if truth.get("body") is not None else ""
            print(f"zh_gov {page.id:14} {body} {rec.published_from} " + " | ".join(flags))
    return sc


def _m(xs) -> str:
    return f"{sum(xs) / len(xs):.3f}" if xs else "–"


def table(sc: GovScores) -> str:
    lines = [
        "**zh_gov per field — development set, in-sample** (the extractor was tuned on these pages)",
        "",
        "| measure | score | pages |",
        "|---|---|---|",
        f"| body precision / recall / F1 | {_m(sc.p)} / {_m(sc.r)} / {_m(sc.f1)} | {len(sc.f1)} |",
        f"| title exact (article headline) | {_m(sc.title)} | {len(sc.title)} |",
        f"| column title exact (listing pages) | {_m(sc.column_title)} | {len(sc.column_title)} |",
        f"| publish date (same day) | {_m(sc.date)} | {len(sc.date)} |",
    ]
    for key in sorted(sc.fields, key=lambda k: (-len(sc.fields[k]), k)):
        lines.append(f"| 信息公开 `{key}` exact | {_m(sc.fields[key])} | {len(sc.fields[key])} |")
    all_fields = [x for v in sc.fields.values() for x in v]
    lines += [
        f"| 信息公开 all fields exact (micro) | {_m(all_fields)} | {len(all_fields)} fields |",
        f"| 信息公开 fields we add beyond the truth's (on pages with a block) | {sc.extra_fields} | |",
        f"| attachments: same (name, URL) set | {_m(sc.attach_exact)} | {len(sc.attach_exact)} |",
        f"| attachments: truth pairs found | {_m(sc.attach_found)} | {len(sc.attach_found)} |",
        f"| listing items found with their date (mean per page) | {_m(sc.items_with_date)} | {len(sc.items_with_date)} |",
        f"| listing items found with their date (all items) | {sc.items_hit / sc.items_total:.3f} | "
        f"{sc.items_total} items, {sc.items_extra} extra found |" if sc.items_total else "| listing items | – | 0 |",
        f"| listing next page | {_m(sc.next_page)} | {len(sc.next_page)} |",
        f"| listing pages classified not-an-article | {_m(sc.listing_status)} | {len(sc.listing_status)} |",
    ]
    return "\n".join(lines)


def report(pages: list[Page], per_page: bool = False) -> str:
    return table(score(pages, per_page))
