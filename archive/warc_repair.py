"""After a crash: turn leftover `*.warc.gz.open` files into valid WARCs and name the URLs whose captures were lost.

A file is cut after its last complete, digest-correct record, then further back so that no request is left without its
response (or the reverse). The bytes cut away are kept in `quarantine/<name>.tail` so nothing is destroyed. Files with
nothing left worth keeping, or that still fail `check_warc` after the cut, move to `quarantine/` whole.
Files another live writer holds (flock) are skipped.
"""

from __future__ import annotations

import fcntl
import os
from dataclasses import dataclass, field
from pathlib import Path

from archive.fsutil import fsync_dir
from archive.warc import OPEN_SUFFIX, final_name, publish
from archive.warc_check import ParsedRecord, check_record, check_warc, iter_gzip_members, parse_record
from archive.warc_format import WarcFormatError, parse_warc_head

QUARANTINE = "quarantine"


@dataclass
class FileRepair:
    path: Path  # the `.open` file found
    outcome: str  # "published" | "quarantined" | "skipped-live" | "already-published"
    final: Path | None = None  # where the file is now
    kept_records: int = 0
    cut_bytes: int = 0
    lost_uris: list[str] = field(default_factory=list)  # responses (or requests) cut: re-queue these
    lost_records: list[tuple[str, str]] = field(default_factory=list)  # (WARC-Type, Target-URI) of every cut record
    problems: list[str] = field(default_factory=list)


@dataclass
class RepairReport:
    files: list[FileRepair] = field(default_factory=list)

    @property
    def lost_uris(self) -> list[str]:
        return list(dict.fromkeys(uri for f in self.files for uri in f.lost_uris))

    @property
    def repaired(self) -> list[Path]:
        return [f.final for f in self.files if f.outcome == "published" and f.final]

    @property
    def quarantined(self) -> list[Path]:
        return [f.final for f in self.files if f.outcome == "quarantined" and f.final]


def repair_open_files(directory: Path, index: bool = False) -> RepairReport:
    """Repair every `*.warc.gz.open` in `directory` that no live writer holds.

    With `index=True`, every finished WARC in `directory` without its CDXJ index (repaired just now, or published by
    a run killed before it could index it) gets one (archive/cdxj.py).
    """
    report = RepairReport()
    for path in sorted(Path(directory).glob("*.warc.gz" + OPEN_SUFFIX)):
        report.files.append(repair_open_file(path))
    if index:
        from archive.cdxj import ensure_indexes

        ensure_indexes(directory)
    return report


def repair_open_file(path: Path) -> FileRepair:
    result = FileRepair(path, "published")
    fd = os.open(path, os.O_RDWR)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            result.outcome = "skipped-live"
            return result
        final = final_name(path)
        if final.exists() and os.path.samefile(path, final):
            # Crash between link and unlink while publishing: the final file is complete.
            os.unlink(path)
            result.outcome, result.final = "already-published", final
            return result
        _repair_locked(path, fd, result)
        return result
    finally:
        os.close(fd)


def _repair_locked(path: Path, fd: int, result: FileRepair) -> None:
    kept, end, tail_records = _complete_prefix(path)
    # A request without its response (or the reverse) is half a capture: cut it too.
    while kept and kept[-1].rec_type in ("request", "response", "revisit") and not _has_partner(kept[-1], kept):
        tail_records.insert(0, (kept[-1].rec_type, kept[-1].target_uri or ""))
        end = kept[-1].offset
        kept.pop()
    result.lost_records = tail_records
    result.lost_uris = list(
        dict.fromkeys(uri for rec_type, uri in tail_records if rec_type in ("request", "response", "revisit") and uri)
    )
    size = os.fstat(fd).st_size
    result.cut_bytes = size - end
    result.kept_records = len(kept)
    quarantine = path.parent / QUARANTINE
    if not any(rec.rec_type != "warcinfo" for rec in kept):
        result.problems.append("no complete capture in the file")
        result.outcome, result.final = "quarantined", _move(path, quarantine)
        return
    if result.cut_bytes:
        quarantine.mkdir(exist_ok=True)
        with open(path, "rb") as src, open(_free_name(quarantine / (final_name(path).name + ".tail")), "wb") as dst:
            src.seek(end)
            while chunk := src.read(1 << 20):
                dst.write(chunk)
            dst.flush()
            os.fsync(dst.fileno())
        os.ftruncate(fd, end)
    os.fsync(fd)
    problems = check_warc(path)
    if problems:
        result.problems = problems
        result.outcome, result.final = "quarantined", _move(path, quarantine)
        return
    try:
        result.final = publish(path)
    except FileExistsError as exc:
        result.problems.append(str(exc))
        result.outcome, result.final = "quarantined", _move(path, quarantine)


def _complete_prefix(path: Path) -> tuple[list[ParsedRecord], int, list[tuple[str, str]]]:
    """Records of the leading run of complete, one-record, digest-correct members; where that run ends; what follows."""
    kept: list[ParsedRecord] = []
    end = 0
    tail: list[tuple[str, str]] = []
    with open(path, "rb") as stream:
        for member in iter_gzip_members(stream):
            if not tail and member.complete:
                rec, used = parse_record(member.data, member.start, member.end)
                if rec is not None and used == len(member.data):
                    check_record(rec)
                    rec.block = b""  # headers are all the pairing needs; keep memory flat on 1 GB files
                    if not any("Digest" in p for p in rec.problems):
                        kept.append(rec)
                        end = member.end
                        continue
            # From here on everything is cut; name what we can still read of it.
            try:
                _, headers, _ = parse_warc_head(member.data)
                tail.append((headers.get("WARC-Type") or "", headers.get("WARC-Target-URI") or ""))
            except WarcFormatError:
                tail.append(("", ""))
    return kept, end, [t for t in tail if t != ("", "")]


def _has_partner(rec: ParsedRecord, records: list[ParsedRecord]) -> bool:
    if rec.rec_type == "request":
        wanted = set(rec.headers.get_all("WARC-Concurrent-To"))
        return any(r.record_id in wanted and r.rec_type in ("response", "revisit") for r in records)
    return any(r.rec_type == "request" and rec.record_id in r.headers.get_all("WARC-Concurrent-To") for r in records)


def _free_name(path: Path) -> Path:
    candidate, n = path, 1
    while candidate.exists():
        candidate = path.with_name(f"{path.name}.{n}")
        n += 1
    return candidate


def _move(path: Path, quarantine: Path) -> Path:
    quarantine.mkdir(exist_ok=True)
    target = _free_name(quarantine / path.name)
    os.rename(path, target)
    fsync_dir(path.parent)
    return target
