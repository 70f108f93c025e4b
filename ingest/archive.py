"""The archive: every file received, byte for byte, under its sha256, and the ledger of receipts.

The archive copies are on disk (fsynced) before anything is stored or taken from the inbox, and the
ledger lines after them (``archive_batch``). The ledger (``archive/ledger.jsonl``) with the archived
files is the source of truth: the warehouse's raw tables can always be rebuilt from them
(``pingan rebuild``).

A kill during an append leaves a torn last line. The next append first ends it (so the new records
start on a line of their own and stay readable), and ``audit_ledger`` finds every archived file the
ledger has no readable line for: ``rebuild`` takes those in from the archive itself
(``ingest.recovery``), never drops them.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

LEDGER_NAME = "ledger.jsonl"
PARTIAL_PREFIX = ".partial-"  # an archive copy being written; a kill may leave one (swept under the lock)
_ARCHIVED_NAME = re.compile(r"^([0-9a-f]{64})(\.[^.]*)?$")


@dataclass(frozen=True)
class Receipt:
    """One file as received: where it is now, what it was called, when and where it arrived."""

    path: Path  # the bytes to read (the original, or the archive copy on rebuild)
    file_name: str
    sha256: str
    size_bytes: int
    received_at: str  # ISO local time, Asia/Shanghai wall clock
    filed_under: str | None  # unit code of the inbox sub-folder, None at top level
    # When pingan itself saw the file arrive (``ingest.receipts.observed_time``); ``received_at`` is the
    # same unless the office stated another arrival (``arrival_stated``: who, when and why; see
    # ``ingest.arrivals``). Older ledger lines have neither.
    observed_at: str | None = None
    arrival_stated: dict | None = None
    recovered: str | None = None  # how a receipt the ledger had no readable line for was found again
    # What the file looked like when it was hashed (size, mtime_ns, ctime_ns): it is stored and leaves
    # the inbox only if it still looks the same. Not part of the ledger.
    signature: tuple[int, int, int] | None = field(default=None, compare=False)

    def ledger_record(self, archive_path: str) -> dict:
        record = {k: v for k, v in asdict(self).items() if k not in ("path", "signature")}
        for optional in ("observed_at", "arrival_stated", "recovered"):
            if record[optional] is None:
                record.pop(optional)
        record["archive_path"] = archive_path
        return record


class NotARegularFile(OSError):
    """A symlink, FIFO, device or socket where a file was expected: never opened for its bytes."""


def open_regular(path: Path) -> int:
    """A read descriptor of ``path`` if it is a regular file: links are not followed and a FIFO is not
    waited on (``O_NONBLOCK``), so a hostile inbox entry can neither redirect nor hang intake."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise NotARegularFile(f"not a regular file: {path}")
    return descriptor


def signature_of(info: os.stat_result) -> tuple[int, int, int]:
    """What changes when a file does: size, modification time, and the change time the kernel sets on
    every write (a sender can set the modification time back, never the change time)."""
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns)


def fingerprint(path: Path) -> tuple[str, tuple[int, int, int], tuple[int, int, int]]:
    """(sha256, signature before, signature after) of a regular file, read once through one descriptor;
    the two signatures differ when the file changed while it was being hashed."""
    digest = hashlib.sha256()
    with os.fdopen(open_regular(path), "rb") as handle:
        before = signature_of(os.fstat(handle.fileno()))
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
        after = signature_of(os.fstat(handle.fileno()))
    return digest.hexdigest(), before, after


def sha256_of(path: Path) -> str:
    return fingerprint(path)[0]


def archive_relative_path(sha256: str, file_name: str) -> str:
    suffix = Path(file_name).suffix.lower()[:8]
    return f"archive/{sha256[:2]}/{sha256}{suffix}"


@dataclass(frozen=True)
class Archived:
    """What ``archive_batch`` did, by sha256: the copies it made, and the files it could not archive
    because their bytes were no longer the bytes hashed (they changed since)."""

    created: set[str]
    changed: set[str]


def archive_batch(receipts: list[Receipt], home_root: Path) -> Archived:
    """Copy the files into the archive, durably (a file whose bytes are no longer those hashed is not).

    Each copy is hashed as it is written under a temporary name, fsynced, then renamed to its sha256 name
    (so an archive name never holds a torn or a wrong copy, and a rerun may trust one that exists). The
    ledger lines follow once the batch is known to be whole (``append_ledger``). (One ``sync`` for all the
    copies was tried: cheaper on a quiet disk, but it also waits for every other program's unwritten data,
    and was slower as often.)"""
    archived = Archived(set(), set())
    for receipt in receipts:
        target = home_root / archive_relative_path(receipt.sha256, receipt.file_name)
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        with (
            tempfile.NamedTemporaryFile(dir=target.parent, prefix=PARTIAL_PREFIX, delete=False) as temporary,
            os.fdopen(open_regular(receipt.path), "rb") as source,
        ):
            for block in iter(lambda: source.read(1 << 20), b""):
                digest.update(block)
                temporary.write(block)
            temporary.flush()
            os.fsync(temporary.fileno())
        if digest.hexdigest() != receipt.sha256:
            os.unlink(temporary.name)
            archived.changed.add(receipt.sha256)
            continue
        os.replace(temporary.name, target)
        archived.created.add(receipt.sha256)
    return archived


def ledger_records(receipts: list[Receipt]) -> list[dict]:
    return [r.ledger_record(archive_relative_path(r.sha256, r.file_name)) for r in receipts]


def append_lines(path: Path, records: list[dict]) -> None:
    """Append ``records`` to a JSON-lines file in one write and one fsync. A torn last line (a kill
    during an earlier append) is ended first, so it is never glued onto the first new record."""
    if not records:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records)
    with open(path, "ab+") as handle:  # "a": every write goes to the end
        size = handle.seek(0, os.SEEK_END)
        torn = False
        if size:
            handle.seek(size - 1)
            torn = handle.read(1) != b"\n"
        handle.write((b"\n" if torn else b"") + lines.encode("utf-8"))
        handle.flush()
        os.fsync(handle.fileno())


def append_ledger(archive_dir: Path, records: list[dict]) -> None:
    append_lines(archive_dir / LEDGER_NAME, records)


@dataclass
class LedgerReading:
    """A JSON-lines file's readable records, in order, and its lines that are not (torn by a kill during
    an append, or damaged), as text, with their line numbers."""

    records: list[dict] = field(default_factory=list)
    damaged: list[tuple[int, str]] = field(default_factory=list)


def read_lines(path: Path, required: set[str]) -> LedgerReading:
    """The records of a JSON-lines file that are objects with the ``required`` keys; the rest damaged."""
    reading = LedgerReading()
    if not path.exists():
        return reading
    for number, line in enumerate(path.read_bytes().decode("utf-8", "replace").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            record = None
        if isinstance(record, dict) and required <= record.keys():
            reading.records.append(record)
        else:
            reading.damaged.append((number, line))
    return reading


def read_ledger_lines(archive_dir: Path) -> LedgerReading:
    return read_lines(archive_dir / LEDGER_NAME, {"sha256", "archive_path", "file_name"})


def read_ledger(archive_dir: Path) -> list[dict]:
    """Ledger records in the order received (unreadable lines left out: see ``audit_ledger``)."""
    return read_ledger_lines(archive_dir).records


def archived_files(archive_dir: Path) -> dict[str, Path]:
    """Every complete copy in the archive, by sha256 (copies being written are not complete)."""
    found = {}
    for folder in sorted(archive_dir.glob("[0-9a-f][0-9a-f]")):
        for path in sorted(folder.iterdir()):
            match = _ARCHIVED_NAME.match(path.name)
            if match and path.is_file():
                found[match.group(1)] = path
    return found


@dataclass
class LedgerAudit:
    """What the ledger cannot account for: its unreadable lines, and the archived files it has no
    readable line for (their receipts are recovered from the archive itself on ``rebuild``)."""

    damaged: list[tuple[int, str]]
    unrecorded: dict[str, Path]  # sha256 -> archive copy

    @property
    def message(self) -> str | None:
        """What happened and what to run, in Chinese; None when the ledger accounts for every file."""
        if not self.unrecorded:
            return None
        return (
            f"归档中有 {len(self.unrecorded)} 个文件在归档账本（archive/{LEDGER_NAME}）中没有可读的记录"
            f"（账本有 {len(self.damaged)} 行不完整，多为写入时程序被中断）。文件本身完好；"
            "请运行 pingan rebuild：它从归档文件本身找回这些文件并补记账本，任何文件都不会丢。"
        )


def audit_ledger(archive_dir: Path) -> LedgerAudit:
    reading = read_ledger_lines(archive_dir)
    recorded = {record["sha256"] for record in reading.records}
    unrecorded = {sha: path for sha, path in archived_files(archive_dir).items() if sha not in recorded}
    return LedgerAudit(reading.damaged, unrecorded)


def sweep_partial_copies(archive_dir: Path) -> list[Path]:
    """Remove archive copies a killed intake left half-written (call under the writer lock)."""
    removed = []
    for partial in archive_dir.glob(f"[0-9a-f][0-9a-f]/{PARTIAL_PREFIX}*"):
        partial.unlink(missing_ok=True)
        removed.append(partial)
    return removed
