"""What a warehouse build reads, as digests kept inside the warehouse it built.

A ``dbt build`` reads the raw tables (schema ``raw``, written by intake), the reference seeds
(``settings.reference_dir``) and the dbt project (models, macros, tests, its YAML), run by one dbt and
one DuckDB. None of the models reads the clock. So two builds from equal inputs make equal marts, and a
build whose inputs equal those the live warehouse was built from has nothing to do.

``build_inputs`` digests all of it in two parts. ``months``: for each month, the raw rows of that month's
monthly reports (the submission row and every row read from the file: figures, townships, findings).
``outside_months``: everything else: every raw table's columns and its rows that belong to no month (a
targets workbook, a file whose month could not be read), every file's path and bytes in the two folders,
the versions and the build's arguments. Each part is an order-free sum of its rows' hashes with their
count, so the order rows were written in is not an input.

A change inside the months needs only the periods those months reach (``changed_months``; the dbt model
int_rebuilt_periods says which): a partial build. A change outside them (a seed, a model, a targets
workbook) needs everything built again.

A successful build records the digests, and how each dbt test came out, in the copy it swaps in
(``record_build``, schema ``pingan_build``), so the file itself says what its marts were built from: a
warehouse replaced by another file (a rebuild from the archive, a restored copy) carries its own record
or none, and is then built in full.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
from dataclasses import dataclass
from pathlib import Path

import duckdb

from base.settings import DBT_PROJECT_DIR, Settings

SCHEMA = "pingan_build"
UNCHANGED = "数据仓库的输入（原始表、参考数据、dbt 项目）自上次构建以来未变，沿用上次构建的结果，未重新构建。"
# What a partial build says of the reference data it leaves out (orchestration/warehouse.py).
REFERENCE_KEPT = "本次只有部分月份的报表有变动，参考数据与 dbt 项目未变：此项沿用上次构建的结果，未重新构建。"
# dbt's own output folders, were anybody to run dbt inside the project folder: not inputs.
NOT_PROJECT_FILES = {"target", "logs", "dbt_packages"}
# The month ('YYYY-MM') a raw.submissions row belongs to: a monthly report's period, written as the
# models read it (int_submissions_used); null for a targets workbook or a period that is not a month.
SUBMISSION_MONTH = (
    "case when kind = 'monthly_report'"
    " and strftime(try_strptime(period || '-01', '%Y-%m-%d'), '%Y-%m') = period then period end"
)


def partial_build_note(months: tuple[str, ...] | list[str]) -> str:
    """What a partial build did, for the office (the command line, Dagster's log)."""
    return f"数据仓库只重新计算了 {'、'.join(months)} 的报表所影响的期间，其余期间沿用上次构建的结果。"


@dataclass(frozen=True)
class BuildInputs:
    """What a build reads: ``months`` 'YYYY-MM' -> the digest of that month's raw rows, and
    ``outside_months`` the digest of everything else."""

    outside_months: str
    months: dict[str, str]


def build_inputs(settings: Settings, warehouse: Path, build_arguments: tuple[str, ...]) -> BuildInputs:
    """What ``dbt build`` (with ``build_arguments``) reads from ``warehouse`` and the project;
    ``warehouse`` is open to nobody else (the caller holds the writer lock)."""
    outside = hashlib.sha256()
    for package in ("dbt-core", "dbt-duckdb", "duckdb"):
        outside.update(f"{package}={importlib.metadata.version(package)}\n".encode())
    outside.update(f"arguments={' '.join(build_arguments)}\n".encode())
    _digest_folder(outside, "project", DBT_PROJECT_DIR)
    _digest_folder(outside, "reference", Path(settings.reference_dir))
    months = {}
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        for month, line in raw_table_lines(connection):
            if month is None:
                outside.update(f"{line}\n".encode())
            else:
                months.setdefault(month, hashlib.sha256()).update(f"{line}\n".encode())
    return BuildInputs(outside.hexdigest(), {month: d.hexdigest() for month, d in sorted(months.items())})


def changed_months(before: BuildInputs, now: BuildInputs) -> list[str] | None:
    """The months ('YYYY-MM') whose raw rows differ between two builds' inputs (added, changed or gone),
    when nothing outside the months changed; None when something did."""
    if before.outside_months != now.outside_months:
        return None
    return sorted(
        m for m in before.months.keys() | now.months.keys() if before.months.get(m) != now.months.get(m)
    )


def raw_table_lines(connection: duckdb.DuckDBPyConnection) -> list[tuple[str | None, str]]:
    """Lines describing the raw tables, each with the month it belongs to or None: one per table for its
    name, columns and types (None), and one per table and month for its row count and the sum of its
    rows' hashes. A row belongs to its submission's month (``SUBMISSION_MONTH``) through its sha256."""
    columns = connection.execute(
        "select table_name, string_agg(column_name || ' ' || data_type, ', ' order by ordinal_position), "
        "bool_or(column_name = 'sha256') "
        "from information_schema.columns where table_schema = 'raw' group by table_name order by table_name"
    ).fetchall()
    lines: list[tuple[str | None, str]] = []
    for table, described, has_sha256 in columns:
        lines.append((None, f"raw.{table} ({described})"))
        month = "months.month" if has_sha256 else "null"
        joined = (
            f"left join (select sha256, {SUBMISSION_MONTH} as month from raw.submissions) as months"
            " on row_.sha256 = months.sha256"
            if has_sha256
            else ""
        )
        counted = connection.execute(
            f"select {month}, count(*), coalesce(sum(hash(row_)::hugeint), 0) "
            f'from raw."{table}" as row_ {joined} group by all order by all'
        ).fetchall()
        for row_month, count, total in counted or [(None, 0, 0)]:
            lines.append((row_month, f"raw.{table} rows={count} hash_sum={total}"))
    return lines


def _digest_folder(digest, label: str, folder: Path) -> None:
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if path.is_file() and not NOT_PROJECT_FILES & set(relative.parts[:1]):
            digest.update(f"{label}/{relative.as_posix()} {path.stat().st_size}\n".encode())
            digest.update(path.read_bytes())


@dataclass(frozen=True)
class RecordedBuild:
    """What the build that made a warehouse read (``inputs``), and each dbt test's outcome there:
    unique_id -> (status, failing rows), statuses as dbt's run results give them (pass, warn)."""

    inputs: BuildInputs
    tests: dict[str, tuple[str, int | None]]


def record_build(
    warehouse: Path,
    inputs: BuildInputs | None,
    run_results: dict,
    kept_tests: dict[str, tuple[str, int | None]] | None = None,
) -> None:
    """Say in ``warehouse`` (the staged copy, before it is swapped in) what it was built from, and how
    its tests came out: dbt's ``run_results.json`` of the build, and for a test that did not run in it
    (a partial build's reference data) its outcome in ``kept_tests``; ``inputs`` None removes the record a
    copy inherited (a partial selection of models: not every model was built from these inputs)."""
    outcomes = dict(kept_tests or {})
    outcomes.update(
        (r["unique_id"], (r.get("status"), r.get("failures")))
        for r in run_results.get("results", [])
        if r.get("unique_id", "").startswith("test.")
    )
    tests = [(unique_id, status, failures) for unique_id, (status, failures) in outcomes.items()]
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute(f"drop schema if exists {SCHEMA} cascade")  # the build's scope goes too
        if inputs is None:
            return
        connection.execute(f"create schema {SCHEMA}")
        connection.execute(
            f"create table {SCHEMA}.inputs_outside_months as select ? as digest", [inputs.outside_months]
        )
        connection.execute(f"create table {SCHEMA}.inputs_by_month (month varchar, digest varchar)")
        if inputs.months:
            connection.executemany(
                f"insert into {SCHEMA}.inputs_by_month values (?, ?)", list(inputs.months.items())
            )
        connection.execute(
            f"create table {SCHEMA}.tests (unique_id varchar, status varchar, failures bigint)"
        )
        if tests:
            connection.executemany(f"insert into {SCHEMA}.tests values (?, ?, ?)", tests)


def recorded_build(warehouse: Path) -> RecordedBuild | None:
    """What ``warehouse`` says its build read and gave; None for a file no build has recorded (or one
    recorded in an earlier form)."""
    if not warehouse.exists():
        return None
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        tables = {
            name
            for (name,) in connection.execute(
                "select table_name from information_schema.tables where table_schema = ?", [SCHEMA]
            ).fetchall()
        }
        if not {"inputs_outside_months", "inputs_by_month", "tests"} <= tables:
            return None
        (outside,) = connection.execute(f"select digest from {SCHEMA}.inputs_outside_months").fetchone()
        months = connection.execute(
            f"select month, digest from {SCHEMA}.inputs_by_month order by month"
        ).fetchall()
        tests = connection.execute(f"select unique_id, status, failures from {SCHEMA}.tests").fetchall()
    return RecordedBuild(
        BuildInputs(outside, dict(months)),
        {unique_id: (status, failures) for unique_id, status, failures in tests},
    )


def write_build_scope(warehouse: Path, months: list[str] | None) -> None:
    """Tell the build in ``warehouse`` (the staged copy) which months changed ('YYYY-MM'), or that it
    builds every period (None): read by the dbt macro changed_months."""
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute(f"create schema if not exists {SCHEMA}")
        connection.execute(f"create or replace table {SCHEMA}.build_scope (month_start date)")
        if months:
            connection.executemany(
                f"insert into {SCHEMA}.build_scope values (?::date)", [[f"{month}-01"] for month in months]
            )
