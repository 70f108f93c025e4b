"""The archive: every file received, byte for byte, under its sha256, and the ledger of receipts.

The archive copies are on disk (fsynced) before anything is stored or taken from the inbox, and the
ledger lines after them (``archive_batch``). The ledger (``archive/ledger.jsonl``) with the archived
files is the source of truth: the warehouse's raw tables can always be rebuilt from them
(``pingan rebuild``).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

LEDGER_NAME = "ledger.jsonl"


@dataclass(frozen=True)
class Receipt:
    """One file as received: where it is now, what it was called, when and where it arrived."""

    path: Path  # the bytes to read (the original, or the archive copy on rebuild)
    file_name: str
    sha256: str
    size_bytes: int
    received_at: str  # ISO local time, Asia/Shanghai wall clock
    filed_under: str | None  # unit code of the inbox sub-folder, None at top level

    def ledger_record(self, archive_path: str) -> dict:
        record = asdict(self)
        record.pop("path")
        record["archive_path"] = archive_path
        return record


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def archive_relative_path(sha256: str, file_name: str) -> str:
    suffix = Path(file_name).suffix.lower()[:8]
    return f"archive/{sha256[:2]}/{sha256}{suffix}"


def archive_batch(receipts: list[Receipt], home_root: Path) -> list[str]:
    """Copy the files into the archive and record them in the ledger, durably; return each one's path
    relative to the home (same order).

    Each copy is written under a temporary name, fsynced, then renamed to its sha256 name (so an archive
    name never holds a torn copy, and a rerun may trust one that exists). The ledger lines of the whole
    batch follow in one append and one fsync. (One ``sync`` for all the copies was tried: cheaper on a
    quiet disk, but it also waits for every other program's unwritten data, and was slower as often.)"""
    relatives = []
    for receipt in receipts:
        relative = archive_relative_path(receipt.sha256, receipt.file_name)
        relatives.append(relative)
        target = home_root / relative
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with (
            tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as temporary,
            open(receipt.path, "rb") as source,
        ):
            shutil.copyfileobj(source, temporary)
            temporary.flush()
            os.fsync(temporary.fileno())
        os.replace(temporary.name, target)
    records = [r.ledger_record(a) for r, a in zip(receipts, relatives, strict=True)]
    append_ledger(home_root / "archive", records)
    return relatives


def append_ledger(archive_dir: Path, records: list[dict]) -> None:
    if not records:
        return
    archive_dir.mkdir(parents=True, exist_ok=True)
    lines = "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records)
    with open(archive_dir / LEDGER_NAME, "a", encoding="utf-8") as ledger:
        ledger.write(lines)
        ledger.flush()
        os.fsync(ledger.fileno())


def read_ledger(archive_dir: Path) -> list[dict]:
    """Ledger records in the order received; a torn last line (crash mid-write) is ignored."""
    ledger = archive_dir / LEDGER_NAME
    if not ledger.exists():
        return []
    records = []
    for line in ledger.read_text(encoding="utf-8").splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return records
