"""The answer intake gave each file, kept in the home: one record per file (``<home>/results/``).

``FileResult`` is what the command line prints (``--json``), the Dagster step reports and a county's page
shows. Intake writes each file's record once the file is stored, before the file leaves the inbox; what
later steps add (the path of the 数据质量反馈表) is written into the same record. So anyone who asks
about a file again (the same bytes sent twice, a county's page, a rerun after a crash) reads the answer
intake gave then, without opening the warehouse. A record whose file has findings but no feedback yet
is *owed* its feedback until it exists (``owed_feedback``); a rejected file is owed its quarantine copy
the same way (``owed_quarantine``, completed by ``ingest.owed``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from pathlib import Path

import duckdb

from base.files import write_text_replacing
from base.settings import Home

RESULTS_FOLDER = "results"
NOT_TAKEN = "not_taken"  # left where it was found (not a regular file, too large, still changing)


@dataclass
class FileResult:
    """What happened to one file: the answer the office and the county get."""

    file: str
    status: str  # accepted | accepted_with_warnings | rejected | duplicate | not_taken
    sha256: str
    kind: str | None = None
    unit_code: str | None = None
    period: str | None = None
    version: int | None = None
    errors: list[dict] = field(default_factory=list)  # every finding, errors first
    feedback: str | None = None
    received_at: str | None = None  # ISO, the office's wall clock
    quarantine: str | None = None  # a rejected file's copy under quarantine/ (``ingest.owed``)
    message: str | None = None  # the answer in words (Chinese), where a status alone says too little

    def as_dict(self) -> dict:
        """The --json contract: each finding also carries its rule id as ``rule``."""
        return {**vars(self), "errors": [{**e, "rule": e["rule_id"]} for e in self.errors]}

    @classmethod
    def from_record(cls, record: dict) -> FileResult:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in record.items() if k in names})


def results_folder(home: Home) -> Path:
    return home.root / RESULTS_FOLDER


def record_path(home: Home, sha256: str) -> Path:
    return results_folder(home) / sha256[:2] / f"{sha256}.json"


def write_record(home: Home, result: FileResult) -> None:
    """Write (or replace) the record of ``result``'s file, atomically."""
    path = record_path(home, result.sha256)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_replacing(path, json.dumps(vars(result), ensure_ascii=False, sort_keys=True))


def read_record(home: Home, sha256: str) -> FileResult | None:
    try:
        return FileResult.from_record(json.loads(record_path(home, sha256).read_text(encoding="utf-8")))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def owed_feedback(result: FileResult) -> bool:
    """A file with findings is owed its 数据质量反馈表 until the workbook exists."""
    return bool(result.errors) and not (result.feedback and Path(result.feedback).is_file())


def owed_quarantine(result: FileResult) -> bool:
    """A rejected file is owed its copy under quarantine/ until the copy exists."""
    return result.status == "rejected" and not (result.quarantine and Path(result.quarantine).is_file())


def result_from_warehouse(connection: duckdb.DuckDBPyConnection, sha256: str) -> FileResult | None:
    """The answer intake gave a file, rebuilt from the raw tables (for a file whose record is missing:
    one taken in before records existed, or whose record a kill left unwritten)."""
    row = connection.execute(
        "select file_name, status, kind, unit_code, period, version, received_at "
        "from raw.submissions where sha256 = ?",
        [sha256],
    ).fetchone()
    if row is None:
        return None
    file_name, status, kind, unit_code, period, version, received_at = row
    columns = ("rule_id", "severity", "sheet", "cell", "field", "value", "message", "hint")
    findings = connection.execute(
        f"select {', '.join(columns)} from raw.findings where sha256 = ? order by severity <> 'error', rowid",
        [sha256],
    ).fetchall()
    return FileResult(
        file=file_name,
        status=status,
        sha256=sha256,
        kind=kind,
        unit_code=unit_code,
        period=period,
        version=version,
        errors=[dict(zip(columns, f, strict=True)) for f in findings],
        received_at=received_at.isoformat() if received_at else None,
    )
