"""Publish dates from Chinese pages: 年月日 and numeric forms, labels (发布时间/时间/日期), meta tags, TRS URLs.

Results are ISO 8601 in +08:00 at the precision the page shows ("2024-01-31", "2024-01-31T10:32+08:00",
"2024-01-31T10:32:05+08:00"); a missing month or day is never padded (htmldate pads "2024年05月12日" to
2024-01-01, so it only runs when this finder found nothing and its answer is confirmed by the page's own text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_Y = r"(?P<y>(?:19|20)\d{2})"
_TIME = r"(?:\s*(?:T|\s|日|,|，)?\s*(?P<H>[0-2]?\d)[:：时](?P<M>[0-5]\d)(?:[:：分](?P<S>[0-5]\d))?)?"
_PATTERNS = [
    re.compile(_Y + r"\s*年\s*(?P<m>[01]?\d)\s*月\s*(?P<d>[0-3]?\d)\s*[日号]" + _TIME),
    re.compile(_Y + r"(?P<sep>[-/.])(?P<m>[01]?\d)(?P=sep)(?P<d>[0-3]?\d)(?![\d.])" + _TIME),
]
_LABEL = re.compile(
    r"(发布时间|發布時間|发布日期|發布日期|发表时间|發表時間|发表于|發表於|发布于|發佈於|发文日期|时间|時間|日期|更新时间|更新時間|Published|Date)\s*[:：]?\s*$"
)
# "于 2024-05-06 15:47:53 发布" vs "已于 2024-05-07 22:12:13 修改": the word after the date says which it is.
_PUBLISHED_AFTER = re.compile(r"\s*(发布|發布|发表|發表|首发|published)", re.I)
_MODIFIED_AFTER = re.compile(r"\s*(修改|更新|编辑|編輯|modified|updated)", re.I)
_NOT_PUBLISH = re.compile(r"((推荐|推薦|相关|相關|上一篇|下一篇)[^\n]*$|成文日期|印发日期|有效期|截止|截至|至\s*$|—\s*$|-\s*$|~\s*$)")

# URL forms: t20240512_123456.html (TRS), /2024-05/13/, /202311/17/, /2024/0510/, /20240510/, /2024/05/10/
_URL_PATTERNS = [
    re.compile(r"[/_]t(?P<y>20\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)_\d+"),
    re.compile(r"/(?P<y>20\d{2})-(?P<m>[01]\d)/(?P<d>[0-3]\d)/"),
    re.compile(r"/(?P<y>20\d{2})(?P<m>[01]\d)/(?P<d>[0-3]\d)/"),
    re.compile(r"/(?P<y>20\d{2})/(?P<m>[01]\d)(?P<d>[0-3]\d)/"),
    re.compile(r"/(?P<y>20\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)/"),
    re.compile(r"/(?P<y>20\d{2})/(?P<m>[01]?\d)/(?P<d>[0-3]?\d)/"),
    re.compile(r"/(?P<y>20\d{2})-(?P<m>[01]\d)-(?P<d>[0-3]\d)/"),
]

_META_NAMES = (
    "article:published_time",
    "og:article:published_time",
    "og:release_date",
    "pubdate",
    "publishdate",
    "publish_date",
    "publishtime",
    "publish-date",
    "datepublished",
    "date",
    "dc.date",
    "dc.date.issued",
    "dcterms.created",
    "sailthru.date",
    "weibo:article:create_at",
    "firstpublishedtime",
    "releasedate",
    "created",
    "json:pubtime",  # "pubtime"/"publish_time" in the page's inline config JSON (metatags.meta_tags)
)
# Update times: never a publish date by themselves, but they give the year of a visible "10-08 12:00" on the
# same month and day (baijiahao prints no year; its itemprop dateUpdate is the publish time).
META_UPDATE_NAMES = ("dateupdate", "datemodified", "article:modified_time", "og:updated_time", "lastmod", "last-modified")


@dataclass(frozen=True)
class FoundDate:
    iso: str
    raw: str
    where: str  # "label", "text", "meta", "url", "htmldate"


def _valid(y: int, m: int, d: int) -> bool:
    try:
        date(y, m, d)
    except ValueError:
        return False
    return 1990 <= y <= date.today().year + 1


def _iso(y: int, m: int, d: int, hh: str | None, mm: str | None, ss: str | None) -> str:
    out = f"{y:04d}-{m:02d}-{d:02d}"
    if hh is not None and mm is not None and int(hh) < 24:
        out += f"T{int(hh):02d}:{mm}"
        if ss is not None:
            out += f":{ss}"
        out += "+08:00"
    return out


def parse_date(text: str) -> tuple[str, str] | None:
    """(iso, raw) of the first full date in text, at the precision given; None when there is no full date."""
    best = None
    for pat in _PATTERNS:
        for m in pat.finditer(text):
            y, mo, d = int(m["y"]), int(m["m"]), int(m["d"])
            if _valid(y, mo, d):
                if best is None or m.start() < best[0]:
                    best = (m.start(), _iso(y, mo, d, m["H"], m["M"], m["S"]), m.group().strip())
                break
    return (best[1], best[2]) if best else None


def iter_dates(text: str):
    """Every full date in text as (start, iso, raw, labelled, excluded)."""
    for pat in _PATTERNS:
        for m in pat.finditer(text):
            y, mo, d = int(m["y"]), int(m["m"]), int(m["d"])
            if not _valid(y, mo, d):
                continue
            before = text[max(0, m.start() - 12): m.start()]
            after = text[m.end(): m.end() + 8]
            yield (
                m.start(),
                _iso(y, mo, d, m["H"], m["M"], m["S"]),
                m.group().strip(),
                bool(_LABEL.search(before) or _PUBLISHED_AFTER.match(after)),
                bool(_NOT_PUBLISH.search(before) or _MODIFIED_AFTER.match(after)),
            )


def from_text(text: str) -> FoundDate | None:
    """The publish date in a stretch of page text: a labelled one first, else the first with a time, else the first."""
    found = sorted(d for d in iter_dates(text) if not d[4])
    if not found:
        return None
    for start, iso, raw, labelled, _ in found:
        if labelled:
            return FoundDate(iso, raw, "label")
    for start, iso, raw, _, _ in found:
        if "T" in iso:
            return FoundDate(iso, raw, "text")
    start, iso, raw, _, _ = found[0]
    return FoundDate(iso, raw, "text")


_MONTH = re.compile(_Y + r"\s*年\s*(?P<m>[01]?\d)\s*月(?!\s*[0-3]?\d\s*[日号])")
_MONTH_NUMERIC = re.compile(_Y + r"(?P<sep>[-/.])(?P<m>[01]?\d)(?![\d.\-/])")


def month_from_text(text: str, *, labelled_only: bool = False) -> FoundDate | None:
    """A date shown only to the month ("2024年5月", "发布时间：2024-05") as "2024-05": never padded to a day.
    With labelled_only, only one after a label (发布时间/日期…) counts; otherwise the first in text."""
    for pat in (_MONTH, _MONTH_NUMERIC):
        for m in pat.finditer(text):
            y, mo = int(m["y"]), int(m["m"])
            if not (1 <= mo <= 12 and _valid(y, mo, 1)):
                continue
            before = text[max(0, m.start() - 12): m.start()]
            if _NOT_PUBLISH.search(before) or _MODIFIED_AFTER.match(text[m.end(): m.end() + 8]):
                continue
            labelled = bool(_LABEL.search(before))
            if labelled_only and not labelled:
                continue
            if pat is _MONTH_NUMERIC and not labelled:
                continue  # a bare "2024-05" is as likely a version or an id
            return FoundDate(f"{y:04d}-{mo:02d}", m.group().strip(), "label" if labelled else "text")
    return None


_YEARLESS = re.compile(
    r"(?<![\d年/\-.])(?P<m>[01]?\d)(?:[-/.]|\s*月\s*)(?P<d>[0-3]?\d)(?:\s*[日号])?(?![\d/\-.])"
    r"(?:\s*(?P<H>[0-2]?\d)[:：](?P<M>[0-5]\d)(?:[:：](?P<S>[0-5]\d))?)?"
)


def yearless_with_year(text: str, candidates) -> FoundDate | None:
    """A labelled date shown without its year ("发布时间：10-08 12:00"), completed with the year of a full date
    from the page's meta or URL that has the same month and day. The shown time is kept at the precision shown."""
    for m in _YEARLESS.finditer(text):
        if not _LABEL.search(text[max(0, m.start() - 12): m.start()]):
            continue
        mo, d = int(m["m"]), int(m["d"])
        for cand in candidates:
            if cand is None or len(cand.iso) < 10:
                continue
            y, cm, cd = int(cand.iso[:4]), int(cand.iso[5:7]), int(cand.iso[8:10])
            if (cm, cd) == (mo, d) and _valid(y, mo, d):
                return FoundDate(_iso(y, mo, d, m["H"], m["M"], m["S"]), m.group().strip(), "label+year")
    return None


def in_prose(text: str, raw: str) -> bool:
    """The date sits inside a sentence of the article ("……于2009年5月14日去世"), not on a dateline of its own."""
    pos = text.find(raw)
    if pos < 0:
        return False
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    line = text[start: end if end >= 0 else len(text)]
    return len(re.findall(r"[\u4e00-\u9fff]", line.replace(raw, ""))) >= 20


def from_meta(meta: dict[str, str], names: tuple[str, ...] = _META_NAMES) -> FoundDate | None:
    for name in names:
        value = meta.get(name)
        if not value:
            continue
        m = re.match(
            r"\s*(?P<y>(?:19|20)\d{2})[-/年.]?(?P<m>[01]?\d)[-/月.]?(?P<d>[0-3]?\d)日?"
            r"(?:[T\s]+(?P<H>[0-2]?\d):(?P<M>[0-5]\d)(?::(?P<S>[0-5]\d))?(?:\.\d+)?(?P<tz>Z|[+-]\d{2}:?\d{2})?)?",
            value,
        )
        if not m or not _valid(int(m["y"]), int(m["m"]), int(m["d"])):
            continue
        hh, mm, ss = m["H"], m["M"], m["S"]
        tz = m["tz"]
        if hh is not None and tz not in (None, "+08:00", "+0800"):
            # Convert an explicit other offset to +08:00 so all records share one zone.
            from datetime import datetime, timedelta, timezone

            offset = timedelta(0) if tz == "Z" else timedelta(hours=int(tz[:3]), minutes=int(tz[0] + tz[-2:]))
            dt = datetime(int(m["y"]), int(m["m"]), int(m["d"]), int(hh), int(mm), int(ss or 0), tzinfo=timezone(offset))
            dt = dt.astimezone(timezone(timedelta(hours=8)))
            iso = dt.strftime("%Y-%m-%dT%H:%M") + (dt.strftime(":%S") if ss else "") + "+08:00"
        else:
            iso = _iso(int(m["y"]), int(m["m"]), int(m["d"]), hh, mm, ss)
        return FoundDate(iso, value.strip(), "meta")
    return None


def from_url(url: str) -> FoundDate | None:
    for pat in _URL_PATTERNS:
        m = pat.search(url or "")
        if m and _valid(int(m["y"]), int(m["m"]), int(m["d"])):
            return FoundDate(_iso(int(m["y"]), int(m["m"]), int(m["d"]), None, None, None), m.group(), "url")
    return None


def from_htmldate(tree, page_text: str) -> FoundDate | None:
    """htmldate as the last resort, accepted only if the page shows that day in some form (no padded -01-01)."""
    try:
        from htmldate import find_date

        found = find_date(tree, original_date=True, extensive_search=False, outputformat="%Y-%m-%d")
    except Exception:  # htmldate is a best effort fallback
        return None
    if not found:
        return None
    y, m, d = found.split("-")
    forms = (
        f"{y}-{m}-{d}",
        f"{y}/{m}/{d}",
        f"{y}.{m}.{d}",
        f"{y}年{int(m)}月{int(d)}日",
        f"{y}年{m}月{d}日",
        f"{y}-{int(m)}-{int(d)}",
        f"{y}{m}{d}",
    )
    if not any(f in page_text for f in forms):
        return None
    return FoundDate(found, found, "htmldate")
