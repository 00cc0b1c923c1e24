"""A site's template, learned from several of its pages: what recurs across them is the site's chrome.

No rule can know every site's sidebar, slogan or column names, but a crawl sees many pages of one site, and an
article's own text does not repeat from page to page while the template around it does. So:

- a **block** (an element with text) that appears with the same text at the same place in the page (DOM path of
  tags and class names) on at least half of the site's pages is chrome, if most blocks beside it recur as well.
  Beside the article's paragraphs nearly every block is new on each page, so a heading or paragraph that recurs
  there (a policy document's "一、总体要求", a notice's addressees) stays;
- only whole blocks are removed, on the tree, before the text extractor runs: matching their lines in the extracted
  text instead removed a notice's signature line ("广东省人民政府办公厅") because the same name recurs in the
  site's 信息公开 table (measured on the replica: −0.005 F1 on the government sites, no gain anywhere).

learn() builds a SiteTemplate from pages (bytes, url, headers); it is plain data with a version and an id (a hash of
its content), saved with the crawl (archive/templates.py) and passed to extract() inside SourceInfo, so extraction
stays a pure function of page + source + model. apply_tree() is what extract() does with it.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

MODEL_VERSION = 1
# Fewer pages than this: no model (two pages of one site share their template, and little else).
MIN_PAGES = 2
SHARE = 0.5
MAX_ENTRIES = 4000  # a model stays small enough to travel with every page to a worker
_BLOCKS = {"div", "ul", "ol", "dl", "table", "section", "aside", "header", "footer", "nav", "form", "p", "li",
           "h1", "h2", "h3", "h4", "h5", "h6", "td", "span", "a", "dd", "dt", "center", "font", "strong"}
_PATH_DEPTH = 12


@dataclass(frozen=True)
class SiteTemplate:
    source: str
    pages: int
    blocks: frozenset[str] = field(default_factory=frozenset)  # fingerprints "path|texthash"
    version: int = MODEL_VERSION

    @property
    def id(self) -> str:
        """Content hash: the same model always has the same id, whoever built it and when."""
        return hashlib.sha256(self.to_json().encode("utf-8")).hexdigest()[:16]

    def to_json(self) -> str:
        return json.dumps(
            {"kind": "policycrawl-site-template", "version": self.version, "source": self.source, "pages": self.pages,
             "blocks": sorted(self.blocks)},
            ensure_ascii=False, separators=(",", ":"), sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> SiteTemplate:
        data = json.loads(text)
        if data.get("kind") != "policycrawl-site-template":
            raise ValueError("not a policycrawl site template")
        if data.get("version") != MODEL_VERSION:
            raise ValueError(f"site template version {data.get('version')!r}, this extractor reads {MODEL_VERSION}")
        return cls(source=str(data["source"]), pages=int(data["pages"]), blocks=frozenset(data["blocks"]))


def _key(text: str) -> str:
    from extractors.text import _key

    return _key(text)


def _hash(key: str) -> str:
    return hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()


def _step(el) -> str:
    classes = sorted(c for c in (el.get("class") or "").split() if not re.search(r"\d", c))[:2]
    return el.tag + "".join(f".{c}" for c in classes)


def _path(el, cache: dict) -> str:
    parent = el.getparent()
    if parent is None or not isinstance(parent.tag, str):
        return _step(el)
    pkey = id(parent)
    if pkey not in cache:
        cache[pkey] = (_path(parent, cache), parent)  # the element kept alive so its id stays its own
    parent_path = cache[pkey][0]
    return "/".join([*parent_path.split("/")[-(_PATH_DEPTH - 1):], _step(el)])


def _fingerprints(root) -> dict[str, tuple[str, ...]]:
    """fingerprint "path|texthash" of every block with text → fingerprints of the blocks beside it (its parent's
    children with text, itself included)."""
    body = root.find("body")
    if body is None:
        body = root
    for el in list(body.iter("script", "style", "noscript", "template")):
        if el.getparent() is not None:
            el.drop_tree()
    fp_of: dict[int, str] = {}
    key_of: dict[int, str] = {}
    keep_alive = []
    cache: dict = {}
    for el in body.iter():
        if not isinstance(el.tag, str):
            continue
        k = _key(el.text_content() or "")
        key_of[id(el)] = k
        keep_alive.append(el)
        if el.tag in _BLOCKS and len(k) >= 2:
            fp_of[id(el)] = f"{_path(el, cache)}|{_hash(k)}"
    out: dict[str, tuple[str, ...]] = {}
    for el in keep_alive:
        fp = fp_of.get(id(el))
        if fp is None or fp in out:
            continue
        # the blocks beside it: beside its outermost wrapper of the same text (<p><strong>heading</strong></p>)
        top = el
        while (up := top.getparent()) is not None and up is not body and key_of.get(id(up)) == key_of[id(el)]:
            top = up
        parent = top.getparent()
        out[fp] = tuple(fp_of.get(id(c)) or "" for c in parent if key_of.get(id(c))) if parent is not None else (fp,)
    return out


def learn(source: str, pages: Iterable[tuple[bytes, str, Sequence[tuple[str, str]]]]) -> SiteTemplate | None:
    """The template of one site from its pages; None with fewer than MIN_PAGES distinct pages.

    A block is template when its fingerprint (path + text) recurs on SHARE of the pages AND, on most of those pages,
    most blocks beside it recur too. Beside the article's paragraphs almost every block is new on each page, so a
    heading or paragraph that recurs there ("一、总体要求", a notice's addressees) is text, not chrome."""
    from extractors import dom
    from extractors.decode import decode_html

    block_count: Counter[str] = Counter()
    contexts: dict[str, list[tuple[str, ...]]] = {}
    seen: set[str] = set()
    n = 0
    for body, _url, headers in pages:
        digest = hashlib.sha256(body).hexdigest()
        if digest in seen:
            continue  # the same page twice (a revisit, a print view) would make its own text look like template
        seen.add(digest)
        root = dom.parse(decode_html(body, headers).text).root
        if root is None:
            continue
        for fp, siblings in _fingerprints(root).items():
            block_count[fp] += 1
            contexts.setdefault(fp, []).append(siblings)
        n += 1
    if n < MIN_PAGES:
        return None
    need = max(2, math.ceil(SHARE * n))
    recurring = {fp for fp, c in block_count.items() if c >= need}

    def among_template(fp: str) -> bool:
        votes = [sum(1 for s in sib if s in recurring) >= SHARE * len(sib) for sib in contexts[fp]]
        return sum(votes) >= SHARE * len(votes)

    blocks = [fp for fp, _ in block_count.most_common() if fp in recurring and among_template(fp)][:MAX_ENTRIES]
    return SiteTemplate(source=source, pages=n, blocks=frozenset(blocks))


def apply_tree(root, model: SiteTemplate, keep=None) -> int:
    """Remove the blocks the model knows (outermost first) from a parsed page; keep: an element (the headline)
    never removed with its ancestors. Returns the number of blocks removed."""
    body = root.find("body")
    if body is None:
        body = root
    keep_ids = set()
    if keep is not None:
        keep_chain = [keep, *keep.iterancestors()]  # alive while we compare
        keep_ids = {id(x) for x in keep_chain}
    cache: dict = {}
    removed = 0
    for el in list(body.iter()):
        if not isinstance(el.tag, str) or el.tag not in _BLOCKS or id(el) in keep_ids:
            continue
        if el.getparent() is None or not any(a is body for a in el.iterancestors()):
            continue
        k = _key(el.text_content() or "")
        if len(k) < 2:
            continue
        if f"{_path(el, cache)}|{_hash(k)}" in model.blocks:
            el.drop_tree()
            removed += 1
    return removed
