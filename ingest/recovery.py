"""Receipts for archived files the ledger cannot account for, found again from what is left.

A kill during a ledger append leaves a torn line, and older damage may leave others. The archived copy
itself is whole (written under a temporary name and renamed only when complete), so the file is never
lost: only what the ledger said about it (its name, when it arrived, the unit folder it came from).
``recover_receipts`` finds that again, best source first:

1. the damaged line itself, up to the tear (its archive path names the sha256);
2. the raw tables of the warehouse being replaced (one row per file: name, time, folder);
3. the archived copy alone: its name is its sha256, its arrival the time pingan wrote the copy (a time
   pingan observed), and its unit is then read from its content.

Each recovered receipt says how it was found (``Receipt.recovered``); ``rebuild`` writes it back into
the ledger, so the ledger accounts for every archived file again.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb

from base import calendar
from ingest.archive import LedgerAudit, Receipt

_FIELD = r'"{name}":\s*("(?:[^"\\]|\\.)*"|null)'
FROM_LEDGER_LINE = "账本中不完整的记录"
FROM_WAREHOUSE = "数据仓库的原始表"
FROM_ARCHIVE = "归档文件本身"


def _salvaged_fields(line: str) -> dict:
    """The complete ``"name": value`` pairs of a torn ledger line."""
    found = {}
    for name in ("file_name", "filed_under", "received_at"):
        match = re.search(_FIELD.format(name=name), line)
        if match:
            found[name] = json.loads(match.group(1))
    return found


def _from_damaged_lines(audit: LedgerAudit) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for _, line in audit.damaged:
        for sha256 in set(re.findall(r"[0-9a-f]{64}", line)) & audit.unrecorded.keys():
            fields = _salvaged_fields(line)
            if "file_name" in fields and "received_at" in fields:
                found[sha256] = fields
    return found


def _from_warehouse(warehouse: Path | None, wanted: set[str]) -> dict[str, dict]:
    """Name, time and folder of the wanted files from a warehouse's raw tables (if it still opens)."""
    if warehouse is None or not wanted or not warehouse.exists():
        return {}
    try:
        with duckdb.connect(str(warehouse), read_only=True) as connection:
            rows = connection.execute(
                "select sha256, file_name, received_at, filed_under from raw.submissions "
                "where sha256 in (select unnest(?))",
                [sorted(wanted)],
            ).fetchall()
    except duckdb.Error:
        return {}
    return {
        sha: {"file_name": name, "received_at": received.isoformat(), "filed_under": folder}
        for sha, name, received, folder in rows
    }


def recover_receipts(audit: LedgerAudit, old_warehouse: Path | None = None) -> list[Receipt]:
    """A receipt for every archived file the ledger has no readable line for, oldest first."""
    wanted = set(audit.unrecorded)
    torn = _from_damaged_lines(audit)
    stored = _from_warehouse(old_warehouse, wanted - torn.keys())
    receipts = []
    for sha256, path in audit.unrecorded.items():
        fields, how = (
            (torn.get(sha256), FROM_LEDGER_LINE) if sha256 in torn else (stored.get(sha256), FROM_WAREHOUSE)
        )
        if fields is None:
            written = calendar.from_timestamp(path.stat().st_mtime).isoformat()
            fields, how = {"file_name": path.name, "received_at": written, "filed_under": None}, FROM_ARCHIVE
        receipts.append(
            Receipt(
                path=path,
                file_name=fields["file_name"],
                sha256=sha256,
                size_bytes=path.stat().st_size,
                received_at=fields["received_at"],
                filed_under=fields.get("filed_under"),
                recovered=how,
            )
        )
    return sorted(receipts, key=lambda r: (r.received_at, r.file_name))


def merged_in_order(ledger: list[Receipt], recovered: list[Receipt]) -> list[Receipt]:
    """The ledger's receipts in their order, each recovered one before the first received after it (a
    torn line is most often the last, so versions keep the order the files came in)."""
    merged, waiting = [], list(recovered)
    for receipt in ledger:
        while waiting and waiting[0].received_at < receipt.received_at:
            merged.append(waiting.pop(0))
        merged.append(receipt)
    return merged + waiting
