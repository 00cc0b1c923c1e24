"""Site template models on disk and in the WARC (the models themselves: extractors/template.py).

A crawl keeps each source's current model in `<out>/templates/<source>.json` (written atomically; the next run
starts from it). Every WARC file that holds a record extracted with a model also holds that model, as a `metadata`
record of its own content type, written before the first conversion record that names it, so re-extracting a WARC
file needs nothing but the file (archive/reextract.py reads it back).
"""

from __future__ import annotations

import logging
from pathlib import Path

from archive.fsutil import atomic_write_bytes, confined, safe_name
from archive.warc_read import iter_records
from archive.pointer import WarcPointer
from extractors.template import SiteTemplate

logger = logging.getLogger(__name__)

CONTENT_TYPE = "application/vnd.policycrawl.site-template+json"


class TemplateStore:
    def __init__(self, out_dir: Path):
        self.dir = Path(out_dir) / "templates"

    def _path(self, source: str) -> Path:
        self.dir.mkdir(parents=True, exist_ok=True)
        return confined(self.dir, f"{safe_name(source)}.json")

    def load(self, source: str) -> SiteTemplate | None:
        path = self._path(source)
        if not path.exists():
            return None
        try:
            return SiteTemplate.from_json(path.read_bytes())
        except (ValueError, KeyError, TypeError) as exc:  # an old or damaged model: learn a new one, keep the file
            logger.warning("%s: unreadable site template, not used: %s", path, exc)
            return None

    def save(self, model: SiteTemplate) -> Path:
        path = self._path(model.source)
        atomic_write_bytes(path, model.to_json().encode("utf-8"))
        return path


def write_to_warc(warc, model: SiteTemplate, refers_to: WarcPointer, url: str) -> WarcPointer:
    """The model as a metadata record about the first capture extracted with it (WARC-Refers-To)."""
    return warc.write_metadata(
        refers_to, url, model.to_json().encode("utf-8"), CONTENT_TYPE, "metadata",
        target_uri=f"urn:policycrawl:site-template:{model.source}:{model.id}",
    )


def templates_in_warc(path: Path) -> dict[str, SiteTemplate]:
    """model id → model, for every site template record in a WARC file."""
    found: dict[str, SiteTemplate] = {}
    for rec in iter_records(path):
        if rec.rec_type == "metadata" and (rec.headers.get("Content-Type") or "").startswith(CONTENT_TYPE):
            try:
                model = SiteTemplate.from_json(rec.block)
            except (ValueError, KeyError, TypeError) as exc:
                logger.warning("%s: unreadable site template record: %s", path.name, exc)
                continue
            found[model.id] = model
    return found
