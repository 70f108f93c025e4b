"""What a stored file is owed until it exists: its result record and, when rejected, its quarantine copy.

Intake stores a batch in one transaction, then writes each rejected file's quarantine copy, then each
file's result record (``ingest.results``). A kill after the transaction, or a copy that cannot be
written, once lost them for good: the rerun saw every file as a duplicate and wrote nothing. Now what a
file is owed stays owed until it exists, and every time intake meets the file again (a rerun after a
crash, the county sending the same bytes) it completes it here: the record first (from the raw tables
when there is none), then the quarantine copy. The 数据质量反馈表, also owed until it exists, is written
by ``orchestration.intake`` from the record.

The quarantine copy is named after the file's sha256 and its own name, bounded (``base.names``), and
written under a temporary name and renamed, with its reasons file (``….原因.json``) before it: a copy
that exists is whole and has its reasons.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb

from base.files import replacing, write_text_replacing
from base.names import bounded_name
from base.settings import Home
from ingest.archive import archive_relative_path
from ingest.results import FileResult, owed_quarantine, read_record, result_from_warehouse, write_record

REASONS_SUFFIX = ".原因.json"
UNKNOWN_PERIOD = "未识别期间"


def quarantine_name(sha256: str, file_name: str) -> str:
    """'<sha256[:12]>_<the county's name>', bounded, keeping a short suffix such as .xlsx."""
    suffix = Path(file_name).suffix
    suffix = suffix if len(suffix.encode("utf-8")) <= 16 else ""
    return bounded_name(f"{sha256[:12]}_{file_name[: len(file_name) - len(suffix)]}", suffix)


def write_quarantine(result: FileResult, home: Home) -> Path:
    """The quarantine copy of a rejected file (from its archive copy) with its reasons beside it."""
    folder = home.quarantine / (result.period or UNKNOWN_PERIOD)
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / quarantine_name(result.sha256, result.file)
    reasons = {
        "file": result.file,
        "sha256": result.sha256,
        "unit_code": result.unit_code,
        "period": result.period,
        "version": result.version,
        "received_at": result.received_at,
        "findings": [f for f in result.errors if f["severity"] == "error"],
    }
    text = json.dumps(reasons, ensure_ascii=False, indent=2)
    write_text_replacing(copy.with_name(copy.name + REASONS_SUFFIX), text)
    archived = home.root / archive_relative_path(result.sha256, result.file)
    with replacing(copy) as partial:
        shutil.copyfile(archived, partial)
    return copy


def settle_quarantine(result: FileResult, home: Home) -> None:
    """Write the quarantine copy ``result`` is owed, if any, and note where it is; a copy that cannot be
    written stays owed (the next run that meets the file writes it) and the answer says so."""
    if not owed_quarantine(result):
        return
    try:
        result.quarantine = str(write_quarantine(result, home))
    except OSError as error:
        result.message = (
            f"退回文件的隔离副本未能写出（{error.strerror or error}），原件已归档，不会丢失；"
            "下次运行 pingan ingest 时会补写"
        )


def complete_owed(connection: duckdb.DuckDBPyConnection, home: Home, sha256s: list[str]) -> None:
    """For each stored file met again: its record (rebuilt from the raw tables when missing) and its
    quarantine copy, if owed."""
    for sha256 in dict.fromkeys(sha256s):
        record = read_record(home, sha256)
        missing = record is None
        if missing:
            record = result_from_warehouse(connection, sha256)
            if record is None:
                continue
        owed = owed_quarantine(record)
        settle_quarantine(record, home)
        if missing or owed:
            write_record(home, record)


def sweep_partial_writes(home: Home) -> list[Path]:
    """Remove the temporary files a killed intake left in results/ and quarantine/ (under the lock)."""
    swept = [*home.quarantine.glob("*/.*.partial"), *(home.root / "results").glob("*/.*.partial")]
    for path in swept:
        path.unlink(missing_ok=True)
    return swept
