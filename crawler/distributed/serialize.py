"""Scrapy Request <-> JSON for the shared queue. Never pickle: anyone who can write to Redis could otherwise run code
in every worker. A request carries only what the spider needs: URL, method, headers, body, priority, callback and
errback by name, and the JSON-representable part of its meta; the source profile travels as its id and the stored
version of a re-check as the plain fields of its UrlState."""

from __future__ import annotations

import base64
import dataclasses
import json
import logging
from typing import Any

from scrapy import Request, Spider

from archive.state import UrlState

logger = logging.getLogger(__name__)

PROFILE_META = "policycrawl_profile"
RECHECK_META = "policycrawl_recheck"
CALLBACK_META = "policycrawl_callback"  # the spider method names, kept when the scheduler wraps them
ERRBACK_META = "policycrawl_errback"
CLAIM_META = "policycrawl_claim"  # [host, entry id] of the stream entry a request came from
# Per-process values that must not travel: Scrapy's slot and timing bookkeeping.
_LOCAL_META = {"download_slot", "download_latency", "_slot_delay", "download_timeout", "depth"}


def _callback_name(request: Request, meta_name: str, attr: str) -> str | None:
    name = request.meta.get(meta_name)
    if name:
        return name
    func = getattr(request, attr)
    if func is None:
        return None
    while hasattr(func, "__wrapped__"):  # the scheduler's acknowledging wrappers (a callback passed on as is)
        func = func.__wrapped__
    name = getattr(func, "__name__", None)
    if name is None or getattr(func, "__self__", None) is None:
        raise ValueError(f"{attr} of {request.url} is not a spider method: cannot be queued as JSON")
    return name


def request_to_json(request: Request) -> str:
    meta: dict[str, Any] = {}
    for key, value in request.meta.items():
        if key in _LOCAL_META or key in (CALLBACK_META, ERRBACK_META, CLAIM_META):
            continue
        if key == PROFILE_META:
            meta[key] = {"$profile": value.id}
            continue
        if key == RECHECK_META and value is not None:
            meta[key] = {"$urlstate": dataclasses.asdict(value)}
            continue
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            logger.debug("meta %s of %s is not JSON; not queued", key, request.url)
            continue
        meta[key] = value
    data = {
        "url": request.url,
        "method": request.method,
        "headers": {k.decode("latin-1"): [v.decode("latin-1") for v in vs] for k, vs in request.headers.items()},
        "body": base64.b64encode(request.body).decode("ascii") if request.body else "",
        "priority": request.priority,
        "dont_filter": request.dont_filter,
        "callback": _callback_name(request, CALLBACK_META, "callback"),
        "errback": _callback_name(request, ERRBACK_META, "errback"),
        "meta": meta,
        "cb_kwargs": request.cb_kwargs,
        "flags": request.flags,
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def request_from_json(payload: str, spider: Spider, profiles: dict[str, Any]) -> Request:
    data = json.loads(payload)
    meta = {}
    for key, value in data["meta"].items():
        if isinstance(value, dict) and "$profile" in value:
            profile = profiles.get(value["$profile"])
            if profile is None:
                raise ValueError(f"queued request for unknown source {value['$profile']!r}: {data['url']}")
            value = profile
        elif isinstance(value, dict) and "$urlstate" in value:
            value = UrlState(**value["$urlstate"])
        meta[key] = value
    callback = getattr(spider, data["callback"]) if data.get("callback") else None
    errback = getattr(spider, data["errback"]) if data.get("errback") else None
    meta[CALLBACK_META] = data.get("callback")
    meta[ERRBACK_META] = data.get("errback")
    return Request(
        data["url"],
        method=data.get("method", "GET"),
        headers={k: v for k, v in data.get("headers", {}).items()},
        body=base64.b64decode(data["body"]) if data.get("body") else None,
        priority=data.get("priority", 0),
        dont_filter=data.get("dont_filter", False),
        callback=callback,
        errback=errback,
        meta=meta,
        cb_kwargs=data.get("cb_kwargs") or {},
        flags=data.get("flags") or [],
    )
