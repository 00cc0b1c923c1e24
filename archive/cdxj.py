"""A sorted CDXJ index of finished WARC files (what pywb and other replay tools look captures up by)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path


def write_cdxj(warc_paths: Iterable[Path], output: Path) -> Path:
    """Index `warc_paths` (file names relative to their directory) into `output`, replacing it atomically."""
    from cdxj_indexer.main import CDXJIndexer  # a test/replay extra, not needed to crawl

    paths = [str(p) for p in warc_paths if not str(p).endswith(".open")]
    output = Path(output)
    partial = output.with_name(output.name + ".partial")
    CDXJIndexer(output=str(partial), inputs=paths, sort=True).process_all()
    with open(partial, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(partial, output)
    return output
