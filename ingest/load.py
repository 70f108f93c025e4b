"""Writing received files into the warehouse's raw tables (schema ``raw``, see raw_schema.sql).

One transaction per batch: a batch is either all in or not at all, so a crash never leaves half a
file behind, and a rerun from the ledger finishes the job.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from functools import cache
from operator import attrgetter
from pathlib import Path

import duckdb
import pandas as pd

from base.rules import Finding
from ingest.parse import IndicatorRow, ParsedWorkbook

TOWNSHIP_VALUES = ("d02", "d03", "p02", "c01", "g03")  # the number columns of raw.township_values

RAW_SCHEMA_SQL = Path(__file__).with_name("raw_schema.sql")


@dataclass
class StoredSubmission:
    """A received file with its outcome, as it goes into raw.submissions and its child tables."""

    sha256: str
    kind: str
    file_name: str
    archive_path: str
    size_bytes: int
    received_at: str
    ingested_at: str
    filed_under: str | None
    unit_code: str | None
    period: str | None
    version: int | None
    status: str
    findings: list[Finding] = field(default_factory=list)
    parsed: ParsedWorkbook | None = None

    @property
    def error_count(self) -> int:
        return sum(f.severity == "error" for f in self.findings)

    @property
    def warning_count(self) -> int:
        return sum(f.severity == "warning" for f in self.findings)


def connect(warehouse: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    connection = duckdb.connect(str(warehouse), read_only=read_only)
    if not read_only:
        connection.execute(RAW_SCHEMA_SQL.read_text(encoding="utf-8"))
    return connection


def known_hashes(connection: duckdb.DuckDBPyConnection) -> set[str]:
    return {row[0] for row in connection.execute("select sha256 from raw.submissions").fetchall()}


def latest_versions(
    connection: duckdb.DuckDBPyConnection, *, accepted: bool = False
) -> dict[tuple[str, str | None, str], int]:
    """The newest version of each (kind, unit, period); with ``accepted``, the newest accepted one (the
    version that counts)."""
    only_accepted = "and status in ('accepted', 'accepted_with_warnings')" if accepted else ""
    rows = connection.execute(
        "select kind, unit_code, period, max(version) from raw.submissions "
        f"where version is not null {only_accepted} group by all"
    ).fetchall()
    return {(kind, unit, period): version for kind, unit, period, version in rows}


def accepted_history(
    connection: duckdb.DuckDBPyConnection, units: set[str]
) -> dict[tuple[str, str, str], float]:
    """Every value of the latest accepted monthly report per month of each of ``units``, for the
    history rules (which compare a report with its own unit's earlier months only)."""
    rows = connection.execute(
        """
        with latest as (
            select sha256, unit_code, period,
                   row_number() over (partition by unit_code, period order by version desc) as newest
            from raw.submissions
            where kind = 'monthly_report' and status in ('accepted', 'accepted_with_warnings')
              and list_contains(?, unit_code)
        )
        select l.unit_code, l.period, v.indicator_code, v.value
        from latest l join raw.indicator_values v using (sha256)
        where l.newest = 1 and v.value is not null
        """,
        [sorted(units)],
    ).fetchall()
    return {(unit, period, code): value for unit, period, code, value in rows}


class AcceptedHistory:
    """The accepted values an intake's reports are checked against (``values``): the warehouse's, read
    for a unit when a batch first names it (one upload reads its own unit's months, not the province's
    history), under what the intake's earlier batches added (``values`` is replaced with it)."""

    def __init__(self, connection: duckdb.DuckDBPyConnection | None) -> None:
        self._connection = connection
        self._read: set[str] = set()
        self.values: dict[tuple[str, str, str], float] = {}

    def covering(self, units: set[str]) -> dict[tuple[str, str, str], float]:
        """``values``, with the warehouse's values of ``units`` read first where not read yet."""
        unread = units - self._read
        if unread and self._connection is not None:
            self.values = {**accepted_history(self._connection, unread), **self.values}
        self._read |= unread
        return self.values


def store_submissions(connection: duckdb.DuckDBPyConnection, submissions: list[StoredSubmission]) -> None:
    """Insert the batch into raw.* in one transaction."""
    if not submissions:
        return
    frames = _frames(submissions)
    connection.execute("begin transaction")
    try:
        for table, frame in frames.items():
            if frame.empty:
                continue
            connection.register("incoming", frame)
            columns = ", ".join(frame.columns)
            connection.execute(f"insert into raw.{table} ({columns}) select {columns} from incoming")
            connection.unregister("incoming")
        connection.execute("commit")
    except BaseException:
        connection.execute("rollback")
        raise


def _frames(submissions: list[StoredSubmission]) -> dict[str, pd.DataFrame]:
    submission_rows, value_rows, township_rows, finding_rows, target_rows = [], [], [], [], []
    stored_fields = attrgetter(*_stored_names(IndicatorRow))  # a row's stored columns, as a tuple
    for s in submissions:
        info = s.parsed.info if s.parsed else {}
        submission_rows.append(
            {
                "sha256": s.sha256,
                "kind": s.kind,
                "file_name": s.file_name,
                "archive_path": s.archive_path,
                "size_bytes": s.size_bytes,
                "received_at": s.received_at,
                "ingested_at": s.ingested_at,
                "filed_under": s.filed_under,
                "unit_code": s.unit_code,
                "period": s.period,
                "version": s.version,
                "status": s.status,
                "error_count": s.error_count,
                "warning_count": s.warning_count,
                "reporter": info.get("reporter"),
                "phone": info.get("phone"),
                "reviewer": info.get("reviewer"),
                "fill_date": info.get("fill_date"),
            }
        )
        finding_rows += [{"sha256": s.sha256, **f.as_dict()} for f in s.findings]
        if s.parsed is None:
            continue
        value_rows += [(s.sha256, *stored_fields(i)) for i in s.parsed.indicators]
        township_rows += [
            (s.sha256, t.row_number, t.township_name, t.has_centre, *map(t.values.get, TOWNSHIP_VALUES))
            for t in s.parsed.townships
        ]
        target_rows += [{"sha256": s.sha256, **vars(t)} for t in s.parsed.targets]
    return {
        "submissions": _typed(
            pd.DataFrame(submission_rows),
            timestamps=("received_at", "ingested_at"),
            integers=("version", "error_count", "warning_count", "size_bytes"),
        ),
        "indicator_values": _typed(
            pd.DataFrame(value_rows, columns=["sha256", *_stored_names(IndicatorRow)]),
            floats=("value", "value_last_year"),
        ),
        "township_values": _typed(
            pd.DataFrame(
                township_rows,
                columns=["sha256", "row_number", "township_name", "has_centre", *TOWNSHIP_VALUES],
            ),
            floats=TOWNSHIP_VALUES,
        ),
        "findings": pd.DataFrame(finding_rows),
        "targets": _typed(pd.DataFrame(target_rows), floats=("target_value", "points")),
    }


@cache
def _stored_names(row_type: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(row_type) if f.metadata.get("stored", True))


def _typed(frame: pd.DataFrame, *, timestamps=(), integers=(), floats=()) -> pd.DataFrame:
    if frame.empty:
        return frame
    for column in timestamps:
        frame[column] = pd.to_datetime(frame[column])
    for column in integers:
        frame[column] = frame[column].astype("Int64")
    for column in floats:
        frame[column] = frame[column].astype("float64")
    return frame
