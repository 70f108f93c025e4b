"""What a warehouse build reads, as one digest, kept inside the warehouse it built.

A ``dbt build`` reads the raw tables (schema ``raw``, written by intake), the reference seeds
(``settings.reference_dir``) and the dbt project (models, macros, tests, its YAML), run by one dbt and
one DuckDB. None of the models reads the clock. So two builds from equal inputs make equal marts, and a
build whose inputs equal those the live warehouse was built from has nothing to do.

``build_inputs`` digests all of it: every raw table's columns, row count and an order-free sum of its
rows' hashes; every file's path and bytes in the two folders; the versions and the build's arguments.
A successful build records the digest, and how each dbt test came out, in the copy it swaps in
(``record_build``, schema ``pingan_build``), so the file itself says what its marts were built from: a
warehouse replaced by another file (a rebuild from the archive, a restored copy) carries its own record
or none, and is then built again.
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
# dbt's own output folders, were anybody to run dbt inside the project folder: not inputs.
NOT_PROJECT_FILES = {"target", "logs", "dbt_packages"}


def build_inputs(settings: Settings, warehouse: Path, build_arguments: tuple[str, ...]) -> str:
    """The digest of what ``dbt build`` (with ``build_arguments``) reads from ``warehouse`` and the
    project; ``warehouse`` is open to nobody else (the caller holds the writer lock)."""
    digest = hashlib.sha256()
    for package in ("dbt-core", "dbt-duckdb", "duckdb"):
        digest.update(f"{package}={importlib.metadata.version(package)}\n".encode())
    digest.update(f"arguments={' '.join(build_arguments)}\n".encode())
    _digest_folder(digest, "project", DBT_PROJECT_DIR)
    _digest_folder(digest, "reference", Path(settings.reference_dir))
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        for line in raw_table_lines(connection):
            digest.update(f"{line}\n".encode())
    return digest.hexdigest()


def raw_table_lines(connection: duckdb.DuckDBPyConnection) -> list[str]:
    """One line per raw table: its name, columns and types, row count and the sum of its rows' hashes
    (the order rows were written in does not change a model's result, so it does not change this)."""
    columns = connection.execute(
        "select table_name, string_agg(column_name || ' ' || data_type, ', ' order by ordinal_position) "
        "from information_schema.columns where table_schema = 'raw' group by table_name order by table_name"
    ).fetchall()
    lines = []
    for table, described in columns:
        count, total = connection.execute(
            f'select count(*), coalesce(sum(hash(row_)::hugeint), 0) from raw."{table}" as row_'
        ).fetchone()
        lines.append(f"raw.{table} ({described}) rows={count} hash_sum={total}")
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

    inputs: str
    tests: dict[str, tuple[str, int | None]]


def record_build(warehouse: Path, inputs: str | None, run_results: dict) -> None:
    """Say in ``warehouse`` (the staged copy, before it is swapped in) what it was built from, and how
    its tests came out (dbt's ``run_results.json`` of the build); ``inputs`` None removes the record a
    copy inherited (a partial build: not every model was built from these inputs)."""
    tests = [
        (r["unique_id"], r.get("status"), r.get("failures"))
        for r in run_results.get("results", [])
        if r.get("unique_id", "").startswith("test.")
    ]
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute(f"drop schema if exists {SCHEMA} cascade")
        if inputs is None:
            return
        connection.execute(f"create schema {SCHEMA}")
        connection.execute(f"create table {SCHEMA}.inputs as select ? as digest", [inputs])
        connection.execute(
            f"create table {SCHEMA}.tests (unique_id varchar, status varchar, failures bigint)"
        )
        if tests:
            connection.executemany(f"insert into {SCHEMA}.tests values (?, ?, ?)", tests)


def recorded_build(warehouse: Path) -> RecordedBuild | None:
    """What ``warehouse`` says its build read and gave; None for a file no build has recorded."""
    if not warehouse.exists():
        return None
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        tables = {
            name
            for (name,) in connection.execute(
                "select table_name from information_schema.tables where table_schema = ?", [SCHEMA]
            ).fetchall()
        }
        if not {"inputs", "tests"} <= tables:
            return None
        (inputs,) = connection.execute(f"select digest from {SCHEMA}.inputs").fetchone()
        tests = connection.execute(f"select unique_id, status, failures from {SCHEMA}.tests").fetchall()
    return RecordedBuild(inputs, {unique_id: (status, failures) for unique_id, status, failures in tests})
