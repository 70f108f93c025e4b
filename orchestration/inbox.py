"""What the inbox sensor sees: which files are ready to take, which are still arriving, which are not ours.

Plain Python (the sensor in defs/intake/sensors.py is a thin wrapper), so each rule is tested alone:

- **Settled files only.** A file is taken once its size, modification and change times have stayed the
  same for ``settle_seconds`` of the sensor's own observations (the cursor remembers what it saw and
  since when) and by the kernel's change time (``ingest.receipts.is_settled``, the rule every door into
  intake applies), so a workbook still being copied in over the network is never read half-written.
  The first sighting of a file as it is now is its arrival, unless its change time is earlier.
- **Regular files only.** Symlinks, FIFOs and devices, and files over the size limit, are never opened:
  they are skipped with the reason (``ingest.receipts.gather``).
- **Never the same content twice.** A file is known by its sha256. Content already archived (the
  archive ledger) or already handed to a run (the cursor) never starts another run; such a duplicate
  rides along with the next run, where intake records it as ``duplicate`` and clears it from the inbox.
- **Attribution.** A file in a unit's sub-folder belongs to that unit, whatever it contains (if it is
  broken, intake rejects it and the county gets the reason). A file at the inbox's top level must say
  which unit sent it (or be the office's targets workbook). Either way the sensor learns what a file is
  from its 基本信息 sheet alone, read in the sandbox (``ingest.sandbox.identify_files``): the whole file
  is read once, by intake. A top-level file with no known unit is left where it is and skipped with the
  reason in the sensor's log; it is looked at again only when it changes or is moved (e.g. into the
  right unit's folder).
- **Affected periods.** The months of the new reports whose bulletin is already due, and for a new targets
  workbook the due months of its year; the run republishes those (an unchanged bulletin is kept, a
  changed one becomes a numbered correction: a month published before its year's targets arrived gets
  its scores in a 更正).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from base import calendar, catalogue
from base.settings import Limits
from ingest.archive import read_ledger, sha256_of, signature_of
from ingest.receipts import Gathered, filed_under, gather, is_settled
from ingest.sandbox import identify_files

TOP_LEVEL_UNKNOWN = (
    "放在收件箱根目录下，且文件内容中找不到已知的报送单位；请放入本单位的子文件夹（如 inbox/大方县/）"
)


@dataclass
class ReadyFile:
    path: Path
    sha256: str
    unit_code: str | None
    kind: str | None
    period: str | None
    first_seen: float | None = None  # when the sensor first saw the file as it is now (epoch seconds)


@dataclass
class InboxScan:
    ready: list[ReadyFile] = field(default_factory=list)  # new content, attributed: to ingest
    duplicates: list[Path] = field(default_factory=list)  # content already taken
    skipped: list[tuple[Path, str]] = field(default_factory=list)  # cannot attribute, with the reason
    waiting: list[Path] = field(default_factory=list)  # still changing
    cursor: dict = field(default_factory=dict)

    @property
    def cursor_text(self) -> str:
        return json.dumps(self.cursor, ensure_ascii=False, sort_keys=True)

    @property
    def run_key(self) -> str:
        """The set of new sha256s, as one key: the same set never starts a second run."""
        digest = hashlib.sha256("\n".join(sorted(f.sha256 for f in self.ready)).encode()).hexdigest()
        return f"inbox-{digest[:32]}"

    def files_to_ingest(self) -> list[str]:
        return [str(f.path) for f in self.ready] + [str(p) for p in self.duplicates]

    def first_seen(self) -> dict[str, float]:
        """When the sensor first saw each new file, for its arrival time (``ingest.receipts``)."""
        return {str(f.path): f.first_seen for f in self.ready if f.first_seen is not None}

    def due_periods(self, moment: dt.datetime) -> list[str]:
        """Months whose bulletin is already due at ``moment`` and that the new files change: the month of
        each new report, and every month of the year of a new targets workbook (those published before it
        arrived have no scores, or scores on the targets it replaces)."""
        months = set()
        for f in self.ready:
            if f.kind == "monthly_report" and f.period and len(f.period) == 7:
                months.add(f.period)
            elif f.kind == "targets" and f.period and len(f.period) == 4:
                months |= {f"{f.period}-{m:02d}" for m in range(1, 13)}
        first = calendar.first_period()
        return sorted(m for m in months if m >= first and calendar.is_published_by(m, moment))


def load_cursor(text: str | None) -> dict:
    try:
        cursor = json.loads(text) if text else {}
    except json.JSONDecodeError:
        cursor = {}
    return {
        "watch": cursor.get("watch", {}),
        "taken": cursor.get("taken", []),
        "held": cursor.get("held", {}),
    }


def archived_hashes(archive: Path) -> set[str]:
    return {record["sha256"] for record in read_ledger(archive)}


def scan_inbox(
    inbox: Path,
    cursor_text: str | None,
    now: float,
    settle_seconds: float,
    archived: set[str] | frozenset[str] = frozenset(),
    limits: Limits | None = None,
) -> InboxScan:
    """Look at the inbox at time ``now`` (epoch seconds) given the previous cursor."""
    cursor = load_cursor(cursor_text)
    scan = InboxScan()
    watch, held = {}, {}
    taken = set(cursor["taken"]) - set(archived)  # archived content is known from the ledger
    stable: list[tuple[str, Path, list]] = []
    gathered = (
        gather([inbox], max_bytes=(limits or Limits()).max_file_bytes) if inbox.is_dir() else Gathered()
    )
    scan.skipped += gathered.not_taken  # not regular files, too large: never opened, said each tick
    for path in gathered.files:
        relative = path.relative_to(inbox).as_posix()
        try:
            info = path.lstat()
        except FileNotFoundError:
            continue
        signature = list(signature_of(info))
        seen = cursor["watch"].get(relative)
        since = seen[-1] if seen and seen[:-1] == signature else now
        watch[relative] = [*signature, since]
        if now - since >= settle_seconds and is_settled(info, now, settle_seconds):
            stable.append((relative, path, signature))
        else:
            scan.waiting.append(path)

    fresh: list[tuple[str, Path, list, str]] = []
    for relative, path, signature in stable:
        before = cursor["held"].get(relative)
        if before and before[:-2] == signature and before[-2] not in taken | set(archived):
            held[relative] = before  # skipped before and unchanged: same answer, without reading it again
            scan.skipped.append((path, before[-1]))
            continue
        sha = sha256_of(path)
        if sha in taken or sha in archived or any(sha == f[3] for f in fresh):
            scan.duplicates.append(path)
            continue
        fresh.append((relative, path, signature, sha))

    identities = identify_files([path for _, path, _, _ in fresh], limits or Limits())
    for (relative, path, signature, sha), identity in zip(fresh, identities, strict=True):
        folder_unit = filed_under(path) if path.parent != inbox else None
        unit = folder_unit or identity.unit_code
        if unit or identity.kind == "targets":
            first_seen = watch[relative][-1]
            scan.ready.append(ReadyFile(path, sha, unit, identity.kind, identity.period, first_seen))
            continue
        reason = TOP_LEVEL_UNKNOWN
        if path.parent != inbox:
            reason = f"所在文件夹“{path.parent.name}”不是已知单位，且文件内容中找不到已知的报送单位"
        held[relative] = [*signature, sha, reason]
        scan.skipped.append((path, reason))

    taken |= {f.sha256 for f in scan.ready}
    scan.cursor = {"watch": watch, "taken": sorted(taken), "held": held}
    return scan


def unit_name(code: str | None) -> str:
    unit = catalogue.unit_by_code().get(code or "")
    return unit.name if unit else "（未识别）"
