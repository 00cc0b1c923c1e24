"""The page's declared metadata: <meta name|property|itemprop|http-equiv> tags, JSON-LD datePublished/headline, and
the CMS's publish time in inline page-config JSON or script variables (string or Unix seconds)."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

_INLINE_PUBTIME = re.compile(
    r"""["']?(?:pubtime|pub_time|pubTime|publish_time|publishTime|publishtime|publishDate|publish_date|pubDate|"""
    r"""datePublished|firstPublishTime|ptime)["']?\s*[:=]\s*["'](?P<v>(?:19|20)\d{2}[-/.]\d{1,2}[-/.]\d{1,2}[^"']{0,20})["']"""
)


# Unix seconds under a key that names the publish time and nothing else (anchored: a whole key, not the end of
# "xpublish_time"); keys a site uses for it under another name ("var ct" on WeChat) are declared for that site
# (ExtractionHints.script_epoch_keys, extractors/data/publishers/). "create_time" is not one: it is any object's.
_EPOCH_KEYS = ("publish_time", "publishTime", "pubtime", "pub_time", "publishtime")


def _epoch_pattern(keys: tuple[str, ...]) -> re.Pattern:
    names = "|".join(re.escape(k) for k in keys)
    return re.compile(
        rf"""(?:\bvar\s+|\blet\s+|\bconst\s+|(?<![\w$.])["']?)(?:{names})["']?\s*[:=]\s*["']?(?P<v>1[0-9]{{9}})(?![0-9])"""
    )


_INLINE_EPOCH = _epoch_pattern(_EPOCH_KEYS)
_CHINA = timezone(timedelta(hours=8))


def _epoch_pubtime(script: str, site_keys: tuple[str, ...] = ()) -> str | None:
    m = _INLINE_EPOCH.search(script) or (_epoch_pattern(site_keys).search(script) if site_keys else None)
    if not m:
        return None
    # Ten digits starting with 1: 2001-09 .. 2033-05. No comparison with the clock: extraction stays a pure
    # function of the page, so re-extracting an old WARC gives the same record.
    return datetime.fromtimestamp(int(m.group("v")), _CHINA).strftime("%Y-%m-%d %H:%M:%S")


def meta_tags(root, epoch_keys: tuple[str, ...] = ()) -> dict[str, str]:
    """<meta name|property|itemprop=… content=…> lower-cased, first wins; JSON-LD datePublished/headline too."""
    out: dict[str, str] = {}
    prefixed: dict[str, str] = {}
    for el in root.iter("meta"):
        key = (el.get("name") or el.get("property") or el.get("itemprop") or el.get("http-equiv") or "").strip().lower()
        value = el.get("content")
        if key and value and key not in out:
            out[key] = value.strip()
            # Government CMSs write the same tag as "PubDate", "pubdate" or "meta-PubDate" (NFCMS on some portals):
            # the prefixed name also answers for the bare one, unless the page has that one too.
            if key.startswith("meta-") and len(key) > 5:
                prefixed.setdefault(key[5:], value.strip())
    for key, value in prefixed.items():
        out.setdefault(key, value)
    for el in root.iter("script"):
        if not el.text:
            continue
        if (el.get("type") or "").lower() != "application/ld+json":
            # Inline page-config JSON ("pubtime": "2019-09-07 19:02:26"): the CMS's own publish time.
            if "json:pubtime" not in out:
                m = _INLINE_PUBTIME.search(el.text)
                if m:
                    out["json:pubtime"] = m.group("v")
                else:
                    stamp = _epoch_pubtime(el.text, epoch_keys)
                    if stamp:
                        out["json:pubtime"] = stamp
            continue
        try:
            data = json.loads(el.text)
        except ValueError:
            continue
        for item in data if isinstance(data, list) else [data]:
            if not isinstance(item, dict):
                continue
            for src, dst in (("datePublished", "datepublished"), ("headline", "ld:headline")):
                if isinstance(item.get(src), str) and dst not in out:
                    out[dst] = item[src]
    return out


def declared_article(tags: dict[str, str]) -> bool:
    """The page declares itself an article: og:type article or an article:published_time."""
    return (tags.get("og:type") or "").lower() == "article" or "article:published_time" in tags
