"""Pure extraction: raw bytes + URL + headers in, one Record out. Never imports Scrapy or Twisted."""

from extractors.api import EXTRACTOR_VERSION, extract, record_id
from extractors.record import Record
from extractors.source import ExtractionHints, SourceInfo

__all__ = ["EXTRACTOR_VERSION", "ExtractionHints", "Record", "SourceInfo", "extract", "record_id"]
