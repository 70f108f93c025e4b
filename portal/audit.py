"""The audit log: one line per thing a person did through the portal or ``pingan users``, never rewritten.

``<home>/portal/audit.jsonl``, like the archive's ledger: each record is appended (O_APPEND, under an
advisory lock, fsynced) and nothing in pingan rewrites or deletes a line. A record holds the time (the
office's wall clock), the account's name, role and unit, the action, the period, the sha256 of the file
it concerns, the result and the client's address; an approval step also the unit and version it
concerns and a return's note, so the approval state can be rebuilt from the log alone
(``portal.approvals.replay_audit``). An upload's record joins the archive's ledger by
sha256 (``uploads_with_receipts``): who sent which bytes, and what the office received.
"""

from __future__ import annotations

import fcntl
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from base import calendar
from base.settings import Home
from ingest.archive import read_ledger
from portal.access import Account

FILE_NAME = "audit.jsonl"
COMMAND_LINE = "命令行"  # the "user" of what ``pingan users`` does


@dataclass(frozen=True)
class AuditRecord:
    time: str
    user: str
    role: str | None
    unit: str | None
    action: str  # login, login_failed, logout, upload, download_feedback, download_template, user_added, …
    period: str | None = None
    sha256: str | None = None
    result: str | None = None
    client: str | None = None
    about_unit: str | None = None  # the unit an approval step concerns (the office acts on every unit)
    version: int | None = None  # the file version an approval step concerns
    note: str | None = None  # a return's note (the county reads it)


def audit_path(home: Home) -> Path:
    return home.portal / FILE_NAME


def record(
    home: Home,
    account: Account | None,
    action: str,
    *,
    user: str | None = None,
    period: str | None = None,
    sha256: str | None = None,
    result: str | None = None,
    client: str | None = None,
    about_unit: str | None = None,
    version: int | None = None,
    note: str | None = None,
    time: str | None = None,
) -> AuditRecord:
    """Append one record (``user`` names who acted when there is no account: a name typed at login, or
    the command line; ``time`` is now unless the caller stamps what it records elsewhere too)."""
    entry = AuditRecord(
        time=time or calendar.local_now().isoformat(),
        user=account.name if account else (user or ""),
        role=account.role.value if account else None,
        unit=account.unit_code if account else None,
        action=action,
        period=period,
        sha256=sha256,
        result=result,
        client=client,
        about_unit=about_unit,
        version=version,
        note=note,
    )
    path = audit_path(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(asdict(entry), ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        os.write(descriptor, line)
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    return entry


def read_audit(home: Home) -> list[AuditRecord]:
    """Every record in the order written; a torn last line (a crash mid-write) is ignored."""
    path = audit_path(home)
    if not path.exists():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            records.append(AuditRecord(**json.loads(line)))
        except (json.JSONDecodeError, TypeError):
            continue
    return records


def uploads_with_receipts(home: Home) -> list[tuple[AuditRecord, dict | None]]:
    """Each upload record with the archive ledger's receipt of the same bytes (None when intake never
    archived them: refused at the door, or still queued)."""
    receipts: dict[str, dict] = {}
    for receipt in read_ledger(home.archive):
        receipts.setdefault(receipt["sha256"], receipt)
    return [(r, receipts.get(r.sha256 or "")) for r in read_audit(home) if r.action == "upload"]
