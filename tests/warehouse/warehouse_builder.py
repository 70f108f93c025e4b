"""Build a raw warehouse the way ingest leaves it, then run `dbt build` on it.

``RawWarehouse`` creates a DuckDB file from ``ingest/raw_schema.sql`` and inserts rows: monthly reports
(one call per unit and month, or ``add_reports`` for N units x months), targets workbooks and findings.
``build_marts`` points dbt at that file (the ``warehouse`` variable; target and log folders under a temp
folder) and runs ``dbt build`` in-process.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
RAW_SCHEMA_SQL = REPO_ROOT / "ingest" / "raw_schema.sql"

Values = Mapping[str, float | None]


def on_time_received_at(period: str) -> datetime:
    """The 3rd of the month after ``period`` ('YYYY-MM') at 10:00: well before the deadline."""
    year, month = (int(part) for part in period.split("-"))
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return datetime(year, month, 3, 10, 0)


@dataclass(frozen=True)
class Target:
    unit_code: str
    indicator_code: str
    target_type: str
    target_value: float
    points: float
    is_veto: bool = False


class RawWarehouse:
    """A DuckDB file holding schema raw, filled row by row as ingest would."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._versions: dict[tuple[str, str | None, str], int] = {}
        with self._connect() as con:
            con.execute(RAW_SCHEMA_SQL.read_text(encoding="utf-8"))

    def _connect(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.path))

    def _submission(
        self,
        con,
        *,
        kind: str,
        unit_code: str | None,
        period: str,
        status: str,
        received_at: datetime,
        error_count: int,
        warning_count: int,
    ) -> str:
        key = (kind, unit_code, period)
        version = self._versions[key] = self._versions.get(key, 0) + 1
        sha256 = hashlib.sha256(f"{kind}|{unit_code}|{period}|{version}".encode()).hexdigest()
        file_name = f"{unit_code or 'targets'}_{period}_v{version}.xlsx"
        con.execute(
            "insert into raw.submissions (sha256, kind, file_name, archive_path, size_bytes, received_at,"
            " ingested_at, filed_under, unit_code, period, version, status, error_count, warning_count)"
            " values (?, ?, ?, ?, 1000, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                sha256,
                kind,
                file_name,
                f"archive/{sha256}.xlsx",
                received_at,
                received_at,
                unit_code,
                unit_code,
                period,
                version,
                status,
                error_count,
                warning_count,
            ],
        )
        return sha256

    def add_report(
        self,
        unit_code: str,
        period: str,
        values: Values,
        *,
        last_year: Values | None = None,
        status: str = "accepted",
        received_at: datetime | None = None,
        error_count: int = 0,
        warning_count: int = 0,
    ) -> str:
        """One monthly report (the next version for its unit and period); returns its sha256."""
        with self._connect() as con:
            sha256 = self._submission(
                con,
                kind="monthly_report",
                unit_code=unit_code,
                period=period,
                status=status,
                received_at=received_at or on_time_received_at(period),
                error_count=error_count,
                warning_count=warning_count,
            )
            last_year = last_year or {}
            codes = list(dict.fromkeys([*values, *last_year]))
            con.executemany(
                "insert into raw.indicator_values (sha256, indicator_code, value, value_last_year)"
                " values (?, ?, ?, ?)",
                [[sha256, code, values.get(code), last_year.get(code)] for code in codes],
            )
        return sha256

    def add_reports(
        self,
        unit_codes: Iterable[str],
        periods: Iterable[str],
        values: Callable[[str, str], Values],
        **options,
    ) -> list[str]:
        """Accepted reports for every unit x period, with ``values(unit_code, period)``."""
        return [
            self.add_report(unit, period, values(unit, period), **options)
            for unit in unit_codes
            for period in periods
        ]

    def add_targets(
        self,
        year: int,
        targets: Iterable[Target],
        *,
        status: str = "accepted",
        received_at: datetime | None = None,
        error_count: int = 0,
    ) -> str:
        """A targets workbook (目标管理责任书) for ``year``; returns its sha256."""
        with self._connect() as con:
            sha256 = self._submission(
                con,
                kind="targets",
                unit_code=None,
                period=str(year),
                status=status,
                received_at=received_at or datetime(year, 1, 15, 9, 0),
                error_count=error_count,
                warning_count=0,
            )
            con.executemany(
                "insert into raw.targets (sha256, year, unit_code, indicator_code, target_type, target_value,"
                " points, is_veto) values (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    [
                        sha256,
                        year,
                        t.unit_code,
                        t.indicator_code,
                        t.target_type,
                        t.target_value,
                        t.points,
                        t.is_veto,
                    ]
                    for t in targets
                ],
            )
        return sha256

    def add_townships(self, sha256: str, rows: Iterable[tuple[str, float, float, bool]]) -> None:
        """乡镇明细 rows of a report: (township_name, d02, d03, has_centre), from worksheet row 3 down."""
        with self._connect() as con:
            con.executemany(
                "insert into raw.township_values (sha256, row_number, township_name, d02, d03, has_centre)"
                " values (?, ?, ?, ?, ?, ?)",
                [[sha256, number, *row] for number, row in enumerate(rows, start=3)],
            )

    def add_finding(
        self,
        sha256: str,
        rule_id: str,
        severity: str,
        *,
        sheet: str = "指标填报",
        cell: str | None = None,
        field: str | None = None,
        value: str | None = None,
        message: str = "数值有误",
        hint: str | None = None,
    ) -> None:
        with self._connect() as con:
            con.execute(
                "insert into raw.findings (sha256, rule_id, severity, sheet, cell, field, value, message, hint)"
                " values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [sha256, rule_id, severity, sheet, cell, field, value, message, hint],
            )


def dbt_arguments(warehouse: Path, work_dir: Path, reference_dir: Path | None = None) -> list[str]:
    """What dbt is told on its command line: the project, the warehouse file (a dbt variable; with
    ``reference_dir``, another copy of the seeds as pingan passes it), and target/log folders outside
    the source tree."""
    from orchestration.warehouse import dbt_seed_path

    variables = {"warehouse": str(warehouse)}
    if reference_dir is not None:
        variables["reference_dir"] = dbt_seed_path(reference_dir)
    return [
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(work_dir / "dbt_target"),
        "--log-path",
        str(work_dir / "dbt_logs"),
        "--vars",
        json.dumps(variables, ensure_ascii=False),
        "--quiet",
    ]


def run_dbt(args: list[str], warehouse: Path, work_dir: Path, reference_dir: Path | None = None):
    """Run one dbt command in-process against ``warehouse``, with the project as parsed for this
    reference folder (``parsed_project``)."""
    from dbt.cli.main import dbtRunner

    manifest = parsed_project(warehouse, work_dir, reference_dir)
    return dbtRunner(manifest=manifest).invoke([*args, *dbt_arguments(warehouse, work_dir, reference_dir)])


_PARSED: dict[Path | None, object] = {}  # reference folder -> dbt's Manifest, for this test process


def parsed_project(warehouse: Path, work_dir: Path, reference_dir: Path | None = None):
    """The dbt project parsed once per test process and reference folder (~3 s each time otherwise: every
    build here has a target folder of its own, so dbt could never parse partially). dbt reuses a parsed
    project for any command (``dbtRunner(manifest=...)``); the parse depends on the variables only through
    the seed paths (``reference_dir``), the warehouse file being the profile's, which each command reads."""
    from dbt.cli.main import dbtRunner

    if reference_dir not in _PARSED:
        parsed = dbtRunner().invoke(["parse", *dbt_arguments(warehouse, work_dir, reference_dir)])
        if not parsed.success:
            raise AssertionError(f"dbt parse failed: {parsed.exception}")
        _PARSED[reference_dir] = parsed.result
    return _PARSED[reference_dir]


def build_marts(
    warehouse: Path, work_dir: Path, reference_dir: Path | None = None, select: str | None = None
):
    """``dbt build`` (seeds, models, data tests, unit tests; only ``select`` and the tests of what it
    selects when given); raises with the failures when it fails."""
    selection = ["--select", select, "--indirect-selection", "cautious"] if select else []
    result = run_dbt(["build", *selection], warehouse, work_dir, reference_dir)
    if not result.success:
        failures = [
            f"{r.node.unique_id}: {r.status} {r.message}"
            for r in (result.result or [])
            if str(r.status) not in {"success", "pass"}
        ]
        raise AssertionError(f"dbt build failed: {result.exception or ''}\n" + "\n".join(failures))
    return result


def query(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    # Not read_only: dbt-duckdb run in this process may still hold the file open, and DuckDB refuses a
    # second connection with a different configuration in the same process.
    with duckdb.connect(str(warehouse)) as con:
        return con.execute(sql, params or []).fetchall()
