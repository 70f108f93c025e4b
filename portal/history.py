"""What a unit has sent: every file and version, when, the verdict, who uploaded it; one upload's answer.

Read from what intake leaves (never the warehouse): the archive's ledger says which files came in, when
and under which unit (``filed_under``: the account's unit for an upload, the inbox folder otherwise); the
result records (``ingest.results``) say what intake answered; the portal's store says who uploaded
which bytes. A file belongs to the unit it was filed under, or, for a file dropped at the top of the
inbox, to the unit it names. A file sent by one unit that names another unit stays the sender's (it
was rejected for it, ID04): no unit sees what another unit sent.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass

from base.settings import Home
from ingest.archive import read_ledger
from ingest.results import FileResult, read_record
from portal.store import connected

# The four words a county reads (issue: 已接收 / 有提示 / 退回 / 重复).
VERDICTS = {
    "accepted": "已接收",
    "accepted_with_warnings": "有提示",
    "rejected": "退回",
    "duplicate": "重复",
}
VERDICT_TONES = {
    "accepted": "good",
    "accepted_with_warnings": "warn",
    "rejected": "bad",
    "duplicate": "plain",
}
INBOX = "收件箱"  # who "uploaded" a file that came through the inbox or the command line


@dataclass(frozen=True)
class FileEntry:
    sha256: str
    file_name: str
    received_at: str
    unit_code: str | None  # whose file it is (see the module)
    result: FileResult | None  # None: archived, its record not written yet
    uploaded_by: str

    @property
    def verdict(self) -> str:
        return VERDICTS.get(self.result.status, "") if self.result else "检查中"

    @property
    def errors(self) -> int:
        return sum(f["severity"] == "error" for f in self.result.errors) if self.result else 0

    @property
    def warnings(self) -> int:
        return sum(f["severity"] == "warning" for f in self.result.errors) if self.result else 0


_ledger_cache: dict[str, tuple[tuple[int, int], list[dict]]] = {}
_ledger_lock = threading.Lock()


def receipts(home: Home) -> list[dict]:
    """The ledger's distinct receipts, first received first (re-read only when the ledger changed)."""
    path = home.archive / "ledger.jsonl"
    try:
        stat = path.stat()
    except FileNotFoundError:
        return []
    key = (stat.st_size, stat.st_mtime_ns)
    with _ledger_lock:
        cached = _ledger_cache.get(str(path))
    if cached and cached[0] == key:
        return cached[1]
    found, seen = [], set()
    for record in read_ledger(home.archive):
        if record["sha256"] not in seen:
            seen.add(record["sha256"])
            found.append(record)
    with _ledger_lock:
        _ledger_cache[str(path)] = (key, found)
    return found


def _uploaders(home: Home, hashes: list[str]) -> dict[str, str]:
    if not hashes:
        return {}
    query = (
        "select u.sha256, a.name from uploads u join accounts a on a.id = u.account_id"
        " where u.state = 'answered' and u.status <> 'duplicate'"
    )
    few = len(hashes) <= 500  # else every answered upload, filtered here (SQLite bounds a statement's values)
    with connected(home) as connection:
        if few:
            rows = connection.execute(f"{query} and u.sha256 in ({','.join('?' * len(hashes))})", hashes)
        else:
            rows = connection.execute(query)
        found = {row["sha256"]: row["name"] for row in rows}
    wanted = set(hashes)
    return found if few else {sha: name for sha, name in found.items() if sha in wanted}


def _entry(home: Home, receipt: dict, uploaders: dict[str, str]) -> FileEntry:
    result = read_record(home, receipt["sha256"])
    owner = receipt.get("filed_under") or (result.unit_code if result else None)
    return FileEntry(
        sha256=receipt["sha256"],
        file_name=receipt["file_name"],
        received_at=receipt["received_at"],
        unit_code=owner,
        result=result,
        uploaded_by=uploaders.get(receipt["sha256"], INBOX),
    )


def unit_files(home: Home, unit_code: str) -> list[FileEntry]:
    """Every file of the unit, newest first."""
    mine = []
    for receipt in receipts(home):
        if receipt.get("filed_under") == unit_code:
            mine.append(receipt)
        elif receipt.get("filed_under") is None:
            record = read_record(home, receipt["sha256"])
            if record is not None and record.unit_code == unit_code:
                mine.append(receipt)
    uploaders = _uploaders(home, [r["sha256"] for r in mine])
    entries = [_entry(home, r, uploaders) for r in mine]
    return sorted(entries, key=lambda e: e.received_at, reverse=True)


def file_entry(home: Home, sha256: str) -> FileEntry | None:
    receipt = next((r for r in receipts(home) if r["sha256"] == sha256), None)
    if receipt is None:
        return None
    return _entry(home, receipt, _uploaders(home, [sha256]))


COUNTED = ("accepted", "accepted_with_warnings")  # the statuses whose figures count


def counted_versions(entries: list[FileEntry]) -> dict[tuple[str, str], FileEntry]:
    """(unit, month) → the file whose figures count for it: its latest accepted version, the rule the
    marts follow (``int_submission_status.sql``), read here from intake's answers so that a version can
    be signed off the moment it is answered, before the marts are rebuilt."""
    counted: dict[tuple[str, str], FileEntry] = {}
    for entry in entries:
        result = entry.result
        if result is None or result.kind != "monthly_report" or result.status not in COUNTED:
            continue
        if not (result.unit_code and result.period and result.version):
            continue
        key = (result.unit_code, result.period)
        held = counted.get(key)
        if held is None or result.version > held.result.version:
            counted[key] = entry
    return counted


def all_files(home: Home) -> list[FileEntry]:
    """Every file of every unit (the office's board), first received first."""
    receipts_now = receipts(home)
    uploaders = _uploaders(home, [r["sha256"] for r in receipts_now])
    return [_entry(home, r, uploaders) for r in receipts_now]


@dataclass(frozen=True)
class Upload:
    """One upload through the portal and, once intake has run, its answer."""

    id: str
    account_name: str
    unit_code: str
    file_name: str
    size_bytes: int
    sha256: str
    received_at: str
    state: str  # queued | answered | failed
    note: str | None
    answer: dict | None  # intake's FileResult as ``pingan ingest --json`` prints it

    @property
    def verdict(self) -> str | None:
        return VERDICTS.get(self.answer["status"]) if self.answer else None


def upload(home: Home, upload_id: str) -> Upload | None:
    if not upload_id.isalnum() or len(upload_id) > 64:
        return None
    with connected(home) as connection:
        row = connection.execute(
            "select u.*, a.name from uploads u join accounts a on a.id = u.account_id where u.id = ?",
            [upload_id],
        ).fetchone()
    if row is None:
        return None
    return Upload(
        id=row["id"],
        account_name=row["name"],
        unit_code=row["unit_code"],
        file_name=row["file_name"],
        size_bytes=row["size_bytes"],
        sha256=row["sha256"],
        received_at=row["received_at"],
        state=row["state"],
        note=row["note"],
        answer=json.loads(row["answer"]) if row["answer"] else None,
    )


def queued_uploads(home: Home, unit_code: str) -> list[Upload]:
    """The unit's uploads still waiting for intake (shown at the top of its history)."""
    with connected(home) as connection:
        ids = [
            row["id"]
            for row in connection.execute(
                "select id from uploads where unit_code = ? and state = 'queued' order by received_at",
                [unit_code],
            )
        ]
    return [u for u in (upload(home, i) for i in ids) if u is not None]


def uploads_counted(home: Home, account_id: int, day: str) -> tuple[int, int]:
    """(queued now, uploaded on ``day``) for an account: the upload limits' counts."""
    with connected(home) as connection:
        queued = connection.execute(
            "select count(*) from uploads where account_id = ? and state = 'queued'", [account_id]
        ).fetchone()[0]
        today = connection.execute(
            "select count(*) from uploads where account_id = ? and received_day = ?", [account_id, day]
        ).fetchone()[0]
    return int(queued), int(today)
