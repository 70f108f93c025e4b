"""Building the warehouse: one writer at a time, and a failed build never leaves partial marts.

**One writer, or readers.** DuckDB allows one writing process per file, and no other process may open
it while a writer has it, not even to read. Inside Dagster the "warehouse" concurrency pool (limit 1,
see settings.DAGSTER_YAML) orders the steps; across processes (a ``pingan ingest`` typed while a
bulletin is written) every writer takes ``writer_lock`` and every reader ``reader_lock``, an
exclusive or shared advisory lock on ``<home>/warehouse.lock``: each waits its turn, up to
``PINGAN_LOCK_SECONDS``, then raises ``WarehouseBusy``; the Dagster assets turn that (and DuckDB's own
lock errors) into a retry.

**All or nothing.** ``dbt build`` does not touch the warehouse in place. ``staged_warehouse`` copies the
file to ``warehouse.building.duckdb``, dbt builds and tests there, and only when every model and every
error-level test passed is the copy swapped in with one atomic rename. A failed test, a crash or a
killed run leaves the previous good warehouse exactly as it was (the stale copy is discarded by the
next build). Readers are never blocked by a build: the file they opened is replaced, not rewritten.
The swap records what it saw in ``<home>/dbt/last_build.json``; ``marts_are_current`` compares that
with the raw tables, so bulletins are published only from marts built from everything received.

**Only when something changed, only what changed.** ``warehouse_build`` wraps the copy: the copy records
the digests of everything the build read (``orchestration.build_inputs``), and a build whose inputs equal
the live warehouse's record is not run at all (it would make the same marts): a scheduled run after the
inbox sensor already built, or the portal publishing what was built at its last upload, costs no dbt
build. When only some months' raw rows changed (a late report, a correction), the build is partial: the
models keyed by period compute again only the periods those months reach and keep the rows of the
others (``StagedBuild.changed_months``, dbt_project/macros/rebuilt_periods.sql); what reads the
reference seeds alone (dbt tag ``reference``) is not built again, and its tests keep their last outcomes;
every other model and every test runs as in a full build. Anything else changed (a seed, a model, a
targets workbook), or no record: a full build, every model from scratch (``--full-refresh``).

**A read copy.** DuckDB lets no other process open the file while a writer has it, not even to read.
Each successful build therefore also leaves ``<home>/warehouse.read.duckdb``, replaced atomically: the
county portal reads each unit's status from it while intake and builds write. It holds the tables the
portal reads (``READ_COPY_TABLES``) as the build made them, not the whole warehouse: a national
warehouse is ~0.9 GB, and copying it (and freeing the copy it replaced) took 1-4 s of every build.

dbt runs as a child process. What it needs is passed on its command line (``dbt_arguments``): the
warehouse file and the reference folder as dbt variables, target and log folders under the home, so
nothing is written into the source tree, nothing is set in this process's environment, and a dbt
failure is an answer, not a crash.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from base.children import owned_command
from base.files import partial_path, write_text_replacing
from base.offline_pages import localise
from base.settings import DBT_PROJECT_DIR, DEFAULT_REFERENCE_DIR, Home, Settings
from ingest.warehouse_state import check_warehouse, is_duckdb_lock_error
from orchestration.build_inputs import (
    RecordedBuild,
    build_inputs,
    changed_months,
    record_build,
    recorded_build,
    write_build_scope,
)

# A production build: seeds, models and data tests. dbt's unit tests check the SQL's logic on fixed
# inputs, not the data, so they run in the test suite (tests/warehouse), not on every build.
BUILD_ARGS = ("build", "--exclude-resource-type", "unit_test")
# A partial build leaves out the nodes tagged `reference` (dbt_project.yml): the seeds, the models built
# from them alone, and the tests that read nothing else. Only raw rows of some months changed, so the copy
# holds them as the last build made and tested them. Cautious indirect selection keeps a test that also
# reads a node that is built (the marts' relationships to dim_units); dbt's default would leave it out.
PARTIAL_BUILD_ARGS = ("--exclude", "tag:reference", "--indirect-selection", "cautious")


# What the county portal's pages read from the read copy (orchestration.status): each unit's status in
# each month, and the findings that say why a file was returned.
READ_COPY_TABLES = ("marts.fct_submission_status", "marts.fct_validation_findings")


class WarehouseBuildError(RuntimeError):
    """dbt build failed; the message names the failing models and tests."""


class WarehouseBusy(RuntimeError):
    """Another process kept the warehouse's writer lock for longer than we were willing to wait."""


@dataclass(frozen=True)
class BuildSummary:
    passed: int
    warned: int
    failed: int
    seconds: float
    unchanged: bool = False  # not run: the warehouse was built from these very inputs (then passed and
    # warned count that build's tests only: the record keeps no model outcomes)
    changed_months: tuple[str, ...] = ()  # a partial build: the months ('YYYY-MM') whose periods it built


@dataclass(frozen=True)
class StagedBuild:
    """A copy of the warehouse to build in (``path``) and what to build there: the periods the
    ``changed_months`` ('YYYY-MM') reach, the others kept (a partial build), or, when there are none,
    everything from scratch. A partial build's tests that do not run keep the outcomes the copy's last
    build recorded (``kept_tests``: unique_id -> (status, failing rows))."""

    path: Path
    changed_months: tuple[str, ...]
    kept_tests: dict[str, tuple[str, int | None]] = field(default_factory=dict)

    @property
    def arguments(self) -> tuple[str, ...]:
        """``dbt build``'s arguments (without the variables)."""
        if self.changed_months:
            return (*BUILD_ARGS, *PARTIAL_BUILD_ARGS)
        return (*BUILD_ARGS, "--full-refresh")


_held = threading.local()  # per thread: {lock file: mode held}, so a holder may nest (see writer_lock)


@contextlib.contextmanager
def _home_lock(
    settings: Settings, mode: int, timeout: float | None, on_wait: Callable[[str], None] | None
) -> Iterator[None]:
    home = settings.home
    held = getattr(_held, "modes", None)
    if held is None:
        held = _held.modes = {}
    key = str(home.warehouse_lock)
    if key in held and (held[key] == fcntl.LOCK_EX or mode == fcntl.LOCK_SH):
        yield  # this thread already holds it (as writer, or as reader and asks to read): nested
        return
    home.root.mkdir(parents=True, exist_ok=True)
    timeout = settings.lock_seconds if timeout is None else timeout
    with open(home.warehouse_lock, "a+") as handle:
        deadline = time.monotonic() + timeout
        told = False
        while True:
            try:
                fcntl.flock(handle, mode | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise WarehouseBusy(
                        f"数据仓库正在被另一个任务使用，等待 {timeout:g} 秒后仍未释放，请稍后再试"
                        "（等待时间可用 PINGAN_LOCK_SECONDS 调整）"
                    ) from None
                if on_wait and not told:
                    on_wait("数据仓库正在被另一个任务使用，等待其完成…")
                    told = True
                time.sleep(0.2)
        held[key] = mode
        try:
            yield
        finally:
            del held[key]
            fcntl.flock(handle, fcntl.LOCK_UN)


def writer_lock(
    settings: Settings, timeout: float | None = None, on_wait: Callable[[str], None] | None = None
) -> contextlib.AbstractContextManager[None]:
    """Hold the home's lock alone (intake, a build, a whole ``pingan report``): wait up to
    ``settings.lock_seconds`` for other writers and readers, then raise ``WarehouseBusy``. A thread that
    holds it may take it (or ``reader_lock``) again inside: ``report`` holds it from the build until its
    bulletins and their warnings are out, so no intake slips in between."""
    return _home_lock(settings, fcntl.LOCK_EX, timeout, on_wait)


def reader_lock(
    settings: Settings, timeout: float | None = None, on_wait: Callable[[str], None] | None = None
) -> contextlib.AbstractContextManager[None]:
    """Hold the home's lock beside other readers (status, bulletins): DuckDB lets nobody open the file
    while a writer has it, and no writer while a reader has it, so each waits its turn (bounded)
    instead of failing with DuckDB's lock error."""
    return _home_lock(settings, fcntl.LOCK_SH, timeout, on_wait)


def is_lock_error(error: BaseException) -> bool:
    """Another process holds the warehouse: our writer lock timed out, or DuckDB refused to open the
    file (worth a retry either way)."""
    return isinstance(error, WarehouseBusy) or is_duckdb_lock_error(error)


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _discard(path: Path) -> None:
    path.unlink(missing_ok=True)
    _wal(path).unlink(missing_ok=True)


def _checkpoint(path: Path) -> None:
    """Fold the write-ahead log into the file, so the file alone is the whole database."""
    with duckdb.connect(str(path)) as connection:
        connection.execute("checkpoint")


def raw_submission_count(path: Path) -> int | None:
    if not path.exists():
        return None
    with duckdb.connect(str(path), read_only=True) as connection:
        found = connection.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'raw' and table_name = 'submissions'"
        ).fetchone()[0]
        if not found:
            return None
        return int(connection.execute("select count(*) from raw.submissions").fetchone()[0])


@contextlib.contextmanager
def staged_warehouse(home: Home) -> Iterator[Path]:
    """Yield a copy of the warehouse to build in; swap it in when the block ends without an error.

    The caller holds ``writer_lock`` and has checked the warehouse (``warehouse_build``: never marts
    built from a damaged or stale file). An error (or a kill) inside the block leaves the warehouse as
    it was.
    """
    from ingest.load import connect  # creates the raw schema in a fresh home, so dbt's sources exist

    staging = home.staging_warehouse
    _discard(staging)
    if home.warehouse.exists():
        if _wal(home.warehouse).exists():
            _checkpoint(home.warehouse)
        shutil.copyfile(home.warehouse, staging)
    connect(staging).close()
    try:
        yield staging
    except BaseException:
        _discard(staging)
        raise
    _checkpoint(staging)
    raw_count = raw_submission_count(staging)
    read_copy = _write_read_copy(staging, home.warehouse_read_copy)
    os.replace(staging, home.warehouse)
    os.replace(read_copy, home.warehouse_read_copy)
    _fsync_folder(home.root)
    _write_marker(home, raw_count)


def _write_read_copy(built: Path, read_copy: Path) -> Path:
    """The tables of ``READ_COPY_TABLES`` that ``built`` holds, copied into a new file beside
    ``read_copy``, to be swapped in for it; returns the new file."""
    partial = partial_path(read_copy)
    _discard(partial)
    with duckdb.connect(str(partial)) as connection:
        connection.execute(f"attach '{_quoted(built)}' as built (read_only)")
        held = {
            f"{schema}.{name}"
            for schema, name in connection.execute(
                "select schema_name, table_name from duckdb_tables() where database_name = 'built'"
            ).fetchall()
        }
        for table in READ_COPY_TABLES:
            if table in held:  # a build of some models only (in Dagster's UI) may not have made it
                connection.execute(f"create schema if not exists {table.split('.')[0]}")
                connection.execute(f"create table {table} as select * from built.{table}")
    return partial


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")


@contextlib.contextmanager
def warehouse_build(
    settings: Settings, target_path: Path, *, whole: bool = True
) -> Iterator[StagedBuild | RecordedBuild]:
    """A build's place, for a caller holding ``writer_lock`` whose dbt writes into ``target_path``.

    When the live warehouse was built from exactly what a build would read now (and its marts are
    current), the block gets that build's record (``RecordedBuild``: nothing to build). Otherwise it
    gets a staged copy (``StagedBuild``, ``staged_warehouse``): partial when only months' raw rows
    changed since the recorded build, else full. When the block ends without an error, the copy records
    what it was built from and how its tests came out, and is swapped in. A build of some models only
    (``whole=False``, a selection made in Dagster's UI) is never skipped, always full, and leaves no
    record: the models it did not build were not built from its inputs."""
    home = settings.home
    check_warehouse(home.warehouse, home.archive)  # never marts built from, or reused from, a damaged file
    recorded = recorded_build(home.warehouse) if whole else None
    inputs = build_inputs(settings, home.warehouse, BUILD_ARGS) if recorded is not None else None
    if recorded is not None and recorded.inputs == inputs and marts_are_current(home):
        yield recorded
        return
    # The record is in the file its marts are in, so what changed since it is what the marts miss.
    changed = changed_months(recorded.inputs, inputs) if recorded is not None else None
    with staged_warehouse(home) as staging:
        if whole and inputs is None:  # the copy's raw tables are the live ones: the same digest
            inputs = build_inputs(settings, staging, BUILD_ARGS)
        write_build_scope(staging, changed)
        (target_path / "run_results.json").unlink(missing_ok=True)
        kept = recorded.tests if changed else {}  # a partial build's tests that do not run keep these
        yield StagedBuild(staging, tuple(changed or ()), kept)
        record_build(staging, inputs, read_run_results(target_path), kept)


def _fsync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _write_marker(home: Home, raw_count: int | None) -> None:
    home.build_marker.parent.mkdir(parents=True, exist_ok=True)
    marker = {
        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "raw_submissions": raw_count,
    }
    write_text_replacing(home.build_marker, json.dumps(marker))


def read_marker(home: Home) -> dict | None:
    try:
        return json.loads(home.build_marker.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def marts_are_current(home: Home) -> bool:
    """The last successful build saw every submission now in the raw tables (and the file was not
    replaced since, e.g. by ``rebuild``)."""
    marker = read_marker(home)
    if marker is None or not home.warehouse.exists():
        return False
    return marker.get("raw_submissions") == raw_submission_count(home.warehouse)


# --------------------------------------------------------------------------------------------------
# Running dbt


def dbt_seed_path(reference_dir: Path) -> str:
    """``reference_dir`` as a path relative to the dbt project, for dbt's seed-paths.

    dbt writes each seed's compiled and run SQL to ``<target>/{compiled,run}/pingan/<seed path>``; with
    an absolute seed path that join *is* the seed path, so dbt overwrites the reference CSVs with SQL
    and fails writing test SQL "into" _seeds.yml. Relative to the project, those copies land under the
    home's dbt folder instead (``<home>/dbt/<reference path>``)."""
    relative = os.path.relpath(Path(reference_dir).resolve(), DBT_PROJECT_DIR)
    ups = relative.split(os.sep).count("..")
    if ups > 4:  # <home>/dbt/target/run/pingan climbs at most 4 levels and stays in <home>/dbt
        raise ValueError(
            f"reference folder too far from the dbt project for dbt's seed-paths: {reference_dir}"
        )
    return relative


def dbt_variables(settings: Settings, warehouse: Path) -> str:
    """The ``--vars`` of every dbt invocation: the warehouse file, and the reference folder when it is
    not the project's own seeds."""
    variables = {"warehouse": str(warehouse)}
    if Path(settings.reference_dir).resolve() != DEFAULT_REFERENCE_DIR.resolve():
        variables["reference_dir"] = dbt_seed_path(settings.reference_dir)
    return json.dumps(variables, ensure_ascii=False)


def dbt_executable() -> str:
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def dbt_arguments(
    settings: Settings,
    arguments: list[str],
    *,
    warehouse: Path | None = None,
    target_path: Path | None = None,
) -> list[str]:
    """A whole dbt command line for the home of ``settings`` (the live warehouse unless ``warehouse``)."""
    home = settings.home
    return [
        dbt_executable(),
        *arguments,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(target_path or home.dbt_target),
        "--log-path",
        str(home.dbt_logs),
        "--vars",
        dbt_variables(settings, warehouse or home.warehouse),
    ]


def run_dbt(
    settings: Settings,
    arguments: list[str],
    *,
    warehouse: Path | None = None,
    target_path: Path | None = None,
) -> subprocess.CompletedProcess:
    settings.home.ensure()
    environment = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    return subprocess.run(
        owned_command(dbt_arguments(settings, arguments, warehouse=warehouse, target_path=target_path)),
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def build_warehouse(settings: Settings, on_wait: Callable[[str], None] | None = None) -> BuildSummary:
    """``dbt build`` (seeds, models, tests) into the home's warehouse, all or nothing; raises
    WarehouseBuildError when a model or an error-level test fails (the warehouse is then unchanged)."""
    home = settings.home
    with writer_lock(settings, on_wait=on_wait), warehouse_build(settings, home.dbt_target) as staging:
        if isinstance(staging, RecordedBuild):
            statuses = [status for status, _ in staging.tests.values()]
            return BuildSummary(statuses.count("pass"), statuses.count("warn"), 0, 0.0, unchanged=True)
        completed = run_dbt(settings, [*staging.arguments, "--quiet"], warehouse=staging.path)
        results = read_run_results(home.dbt_target)
        failures = [r for r in results.get("results", []) if r.get("status") in {"error", "fail"}]
        if completed.returncode != 0 or failures:
            names = ", ".join(f"{r['unique_id']}（{r.get('message') or r['status']}）" for r in failures[:8])
            detail = names or (completed.stdout + completed.stderr)[-2000:]
            raise WarehouseBuildError(f"dbt build 未通过，数据仓库保持上一次成功构建的状态：{detail}")
    statuses = [r.get("status") for r in results.get("results", [])]
    return BuildSummary(
        passed=sum(s in {"success", "pass"} for s in statuses),
        warned=statuses.count("warn"),
        failed=0,
        seconds=float(results.get("elapsed_time", 0.0)),
        changed_months=staging.changed_months,
    )


def generate_docs(settings: Settings) -> Path:
    """``dbt docs generate`` into ``<home>/docs/`` (index.html, manifest, catalog of the warehouse).

    The index is dbt's static page (manifest and catalog inside it), so it opens from the file system,
    and it loads nothing from the internet (``base.offline_pages``)."""
    home = settings.home
    home.docs.mkdir(parents=True, exist_ok=True)
    with writer_lock(settings):
        check_warehouse(home.warehouse, home.archive)
        completed = run_dbt(settings, ["docs", "generate", "--static", "--quiet"], target_path=home.docs)
    if completed.returncode != 0:
        raise WarehouseBuildError(f"dbt docs generate 失败：{(completed.stdout + completed.stderr)[-2000:]}")
    index = home.docs / "index.html"
    os.replace(home.docs / "static_index.html", index)
    localise(home.docs, [index])
    return index


def read_run_results(target: Path) -> dict:
    path = target / "run_results.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
