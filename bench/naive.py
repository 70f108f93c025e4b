"""The benchmark's naive baseline: the same job as an analyst would write it without pingan.

Per file: ``pandas.read_excel(engine="openpyxl")`` of every sheet, one Great Expectations validation
of that file's figures (the first suite's rules: counts non-negative, 调解成功数 ≤ 调解民间纠纷数, every
required indicator present), row inserts into DuckDB with ``executemany``. Then the marts: dbt's own
compiled SQL (``dbt compile`` once, before the clock starts), each model run directly with DuckDB in
dependency order, after loading the reference CSVs — no dbt, no tests. Then each bulletin of the year as
a workbook of four sheets written with ``DataFrame.to_excel``.

The GX context, suite and checkpoint are set up once (an analyst would not rebuild them per file) and
run per file, the mechanism pingan uses once per batch. ``details['gx_fresh_context_s']`` also reports
what a validation costs when a fresh context is built for every file, as quick scripts often do.

A full naive run takes minutes per thousand files. Files are taken in a spread order (every unit and
month early on), so any prefix is a fair sample: with ``sample`` the per-file part stops after that many
files and its time is scaled linearly to all of them (marked ``extrapolated``); the raw tables for the
marts then come from pingan's own run of the same files (a copy, not timed).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd

from base import catalogue, layout
from base.calendar import parse_period
from base.settings import Home, Settings
from bench.measure import Stage, measured
from ingest.load import RAW_SCHEMA_SQL
from orchestration.warehouse import run_dbt

NAIVE_BUDGET_SECONDS = 15 * 60  # auto mode: a full per-file run only when projected to fit
PROBE_FILES = 20  # files timed before the auto mode decides
DEFAULT_SAMPLE = 200


@dataclass(frozen=True)
class Model:
    relation: str
    materialized: str
    sql: str


# --------------------------------------------------------------------------------------------------
# dbt's compiled SQL, in dependency order


def compile_models(work: Path, reference_dir: Path) -> tuple[list[Model], dict[str, dict]]:
    """(models in dependency order, seed nodes by name) from one ``dbt compile`` into ``work``."""
    home = Home(work / "dbt-home")
    settings = Settings(home=home, reference_dir=Path(reference_dir).resolve())
    completed = run_dbt(settings, ["compile", "--quiet"], warehouse=work / "warehouse.duckdb")
    if completed.returncode != 0:
        raise RuntimeError(f"dbt compile failed: {(completed.stdout + completed.stderr)[-2000:]}")
    manifest = json.loads((home.dbt_target / "manifest.json").read_text(encoding="utf-8"))
    nodes = {k: v for k, v in manifest["nodes"].items() if v["resource_type"] == "model"}
    ordered: list[str] = []

    def visit(key: str) -> None:
        if key in ordered:
            return
        for parent in nodes[key]["depends_on"]["nodes"]:
            if parent in nodes:
                visit(parent)
        ordered.append(key)

    for key in sorted(nodes):
        visit(key)
    models = [
        Model(nodes[k]["relation_name"], nodes[k]["config"]["materialized"], nodes[k]["compiled_code"])
        for k in ordered
    ]
    seeds = {v["name"]: v for v in manifest["nodes"].values() if v["resource_type"] == "seed"}
    return models, seeds


def run_models(
    connection: duckdb.DuckDBPyConnection, models: list[Model], seeds: dict, reference: Path
) -> None:
    """Load the reference CSVs as dbt would (its column types), then every model's SQL in order."""
    for schema in ("reference", "staging", "intermediate", "marts"):
        connection.execute(f"create schema if not exists {schema}")
    for name, node in seeds.items():
        types = {column: kind.upper() for column, kind in (node["config"].get("column_types") or {}).items()}
        connection.execute(
            f"create or replace table {node['relation_name']} as "
            f"select * from read_csv(?, header = true, types = {_struct(types)})",
            [str(reference / f"{name}.csv")],
        )
    for model in models:
        kind = "view" if model.materialized == "view" else "table"
        connection.execute(f"create or replace {kind} {model.relation} as (\n{model.sql}\n)")


def _struct(types: dict[str, str]) -> str:
    return "{" + ", ".join(f"'{column}': '{kind}'" for column, kind in types.items()) + "}"


# --------------------------------------------------------------------------------------------------
# One file, the naive way


def _label_map(columns: tuple[layout.Column, ...], header: list[object]) -> dict[str, int]:
    labels = {column.label: column.field for column in columns}
    return {labels[str(text).strip()]: i for i, text in enumerate(header) if str(text).strip() in labels}


def read_report(path: Path) -> dict:
    """Every sheet with pandas (openpyxl), the three tables picked out as an analyst would."""
    sheets = pd.read_excel(path, sheet_name=None, header=None, engine="openpyxl")
    if layout.TARGETS_SHEET in sheets:
        frame = sheets[layout.TARGETS_SHEET]
        where = _label_map(layout.TARGET_COLUMNS, list(frame.iloc[1]))
        rows = frame.iloc[2:].dropna(how="all")
        return {
            "kind": "targets",
            "targets": [{f: row.iloc[i] for f, i in where.items()} for _, row in rows.iterrows()],
        }
    info_frame = sheets[layout.INFO_SHEET]
    labels = {column.label: column.field for column in layout.INFO_FIELDS}
    info = {
        labels[str(row.iloc[0]).strip()]: row.iloc[1]
        for _, row in info_frame.iterrows()
        if str(row.iloc[0]).strip() in labels
    }
    indicator_frame = sheets[layout.INDICATOR_SHEET]
    where = _label_map(layout.INDICATOR_COLUMNS, list(indicator_frame.iloc[1]))
    indicators = indicator_frame.iloc[2:]
    township_frame = sheets[layout.TOWNSHIP_SHEET]
    township_where = _label_map(layout.TOWNSHIP_COLUMNS, list(township_frame.iloc[1]))
    townships = township_frame.iloc[2:]
    townships = townships[
        ~townships.iloc[:, township_where["township_name"]].astype(str).map(layout.is_total_row)
    ]
    return {
        "kind": "monthly_report",
        "info": {k: None if pd.isna(v) else str(v) for k, v in info.items()},
        "indicators": pd.DataFrame(
            {
                "indicator_code": indicators.iloc[:, where["indicator_code"]].astype(str),
                "value": pd.to_numeric(indicators.iloc[:, where["value"]], errors="coerce"),
                "value_last_year": pd.to_numeric(
                    indicators.iloc[:, where["value_last_year"]], errors="coerce"
                ),
                "remark": indicators.iloc[:, where["remark"]],
            }
        ),
        "townships": [{f: row.iloc[i] for f, i in township_where.items()} for _, row in townships.iterrows()],
    }


class Validator:
    """The first suite, per file: one GX checkpoint run over that file's figures."""

    def __init__(self) -> None:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        import great_expectations as gx
        import great_expectations.expectations as gxe
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self.gx, self.gxe, self.progress_bars = gx, gxe, ProgressBarsConfig
        context = gx.get_context(mode="ephemeral")
        context.variables.progress_bars = ProgressBarsConfig(globally=False)
        self.context = context
        self.checkpoint = self._checkpoint(context, "naive")

    def _checkpoint(self, context, name: str):
        gx, gxe = self.gx, self.gxe
        required = [i.code for i in catalogue.submitted_indicators()]
        batch = (
            context.data_sources.add_pandas(name)
            .add_dataframe_asset("report")
            .add_batch_definition_whole_dataframe("file")
        )
        suite = context.suites.add(gx.ExpectationSuite(name=name))
        suite.add_expectation(gxe.ExpectColumnValuesToBeBetween(column="count_value", min_value=0))
        suite.add_expectation(
            gxe.ExpectColumnDistinctValuesToContainSet(column="indicator_code", value_set=required)
        )
        suite.add_expectation(
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="D02", column_B="D03", or_equal=True)
        )
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(data=batch, suite=suite, name=name)
        )
        return context.checkpoints.add(
            gx.Checkpoint(
                name=name, validation_definitions=[definition], result_format={"result_format": "COMPLETE"}
            )
        )

    @staticmethod
    def frame(report: dict) -> pd.DataFrame:
        figures = report["indicators"]
        counts = {i.code for i in catalogue.indicators() if i.value_type == "count"}
        value = dict(zip(figures["indicator_code"], figures["value"], strict=False))
        return pd.DataFrame(
            {
                "indicator_code": figures["indicator_code"],
                "count_value": figures["value"].where(figures["indicator_code"].isin(counts)),
                "D02": value.get("D02"),
                "D03": value.get("D03"),
            }
        )

    def failed(self, report: dict) -> list[str]:
        """The expectations the file fails."""
        result = self.checkpoint.run(batch_parameters={"dataframe": self.frame(report)})
        (run,) = result.run_results.values()
        return [r.expectation_config.type for r in run.results if not r.success]

    def fresh_context_seconds(self, report: dict) -> float:
        """One validation with a context, suite and checkpoint built for just this file."""
        import time

        started = time.perf_counter()
        context = self.gx.get_context(mode="ephemeral")
        context.variables.progress_bars = self.progress_bars(globally=False)
        self._checkpoint(context, "fresh").run(batch_parameters={"dataframe": self.frame(report)})
        return time.perf_counter() - started


class Loader:
    """Row inserts, statement by statement, into the raw tables pingan's marts read."""

    def __init__(self, connection: duckdb.DuckDBPyConnection) -> None:
        self.connection = connection
        self.versions: dict[tuple, int] = {}
        self.zone = ZoneInfo(catalogue.settings()["timezone"])

    def insert(self, path: Path, report: dict, failed: list[str]) -> None:
        content = path.read_bytes()
        sha = hashlib.sha256(content).hexdigest()
        received = dt.datetime.fromtimestamp(path.stat().st_mtime, self.zone).replace(tzinfo=None)
        now = dt.datetime.now(self.zone).replace(tzinfo=None)
        status = "rejected" if failed else "accepted"
        if report["kind"] == "targets":
            rows = report["targets"]
            year = int(rows[0]["year"]) if rows else None
            key = ("targets", None, str(year))
            self.versions[key] = self.versions.get(key, 0) + 1
            self._submission(
                sha, "targets", path, len(content), received, now, None, str(year), key, status, 0, {}
            )
            self.connection.executemany(
                "insert into raw.targets values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    [
                        sha,
                        int(r["year"]),
                        str(r["unit_code"]),
                        r["indicator_code"],
                        r["target_type"],
                        float(r["target_value"]),
                        float(r["points"]),
                        r.get("is_veto") == "是",
                        None if pd.isna(r.get("note")) else r.get("note"),
                        None,
                    ]
                    for r in rows
                ],
            )
            return
        info = report["info"]
        unit, period = info.get("unit_code"), info.get("period")
        key = ("monthly_report", unit, period)
        self.versions[key] = self.versions.get(key, 0) + 1
        self._submission(
            sha,
            "monthly_report",
            path,
            len(content),
            received,
            now,
            unit,
            period,
            key,
            status,
            len(failed),
            info,
        )
        figures = report["indicators"]
        self.connection.executemany(
            "insert into raw.indicator_values values (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                [
                    sha,
                    code,
                    _float(value),
                    _float(last),
                    None if pd.isna(remark) else str(remark),
                    None,
                    None,
                    None,
                ]
                for code, value, last, remark in figures.itertuples(index=False)
            ],
        )
        self.connection.executemany(
            "insert into raw.township_values values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                [
                    sha,
                    number,
                    str(t["township_name"]),
                    _float(t.get("d02")),
                    _float(t.get("d03")),
                    t.get("has_centre") == "是",
                    _float(t.get("p02")),
                    _float(t.get("c01")),
                    _float(t.get("g03")),
                ]
                for number, t in enumerate(report["townships"], start=3)
            ],
        )
        if failed:
            self.connection.executemany(
                "insert into raw.findings values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [[sha, name, "error", None, None, None, None, name, None] for name in failed],
            )

    def _submission(
        self, sha, kind, path, size, received, now, unit, period, key, status, errors, info
    ) -> None:
        self.connection.execute(
            "insert into raw.submissions values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                sha,
                kind,
                path.name,
                str(path),
                size,
                received,
                now,
                unit,
                unit,
                period,
                self.versions[key],
                status,
                errors,
                0,
                info.get("reporter"),
                info.get("phone"),
                info.get("reviewer"),
                info.get("fill_date"),
            ],
        )


def _float(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if pd.isna(number) else number


def spread(files: list[Path]) -> list[Path]:
    """Files reordered so every prefix covers the units and months evenly (stride through the list)."""
    count = len(files)
    stride = max(1, round(count**0.5))
    return [files[i] for start in range(stride) for i in range(start, count, stride)]


# --------------------------------------------------------------------------------------------------
# Bulletins with DataFrame.to_excel


def write_bulletin(connection: duckdb.DuckDBPyConnection, period: str, out_dir: Path) -> Path:
    about = parse_period(period)
    ranking_type = "ytd" if about.period_type == "month" else about.period_type
    months = ", ".join(f"'{m}'" for m in about.scope_months)
    frames = {
        "综合排名": connection.execute(
            "select u.unit_name, s.* exclude (unit_code), s.unit_code from marts.fct_unit_scores s "
            "join marts.dim_units u using (unit_code) where s.period_type = ? and s.period = ? order by s.rank",
            [about.period_type, period],
        ).df(),
        "目标考评": connection.execute(
            "select u.unit_name, t.* from marts.fct_target_attainment t join marts.dim_units u using (unit_code) "
            "where t.period_type = ? and t.period = ? order by u.sort_order, t.indicator_code",
            [about.period_type, period],
        ).df(),
        "指标排名": connection.execute(
            "select i.indicator_name, u.unit_name, r.* from marts.fct_indicator_rankings r "
            "join marts.dim_units u using (unit_code) join marts.dim_indicators i using (indicator_code) "
            "where r.period_type = ? and r.period = ? order by i.sort_order, r.rank",
            [ranking_type, period],
        ).df(),
        "报送情况": connection.execute(
            "select u.unit_name, s.* from marts.fct_submission_status s join marts.dim_units u using (unit_code) "
            f"where s.period in ({months}) order by s.period, u.sort_order"
        ).df(),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"排名通报_{period}.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in frames.items():
            frame.to_excel(writer, sheet_name=name, index=False)
    return path


# --------------------------------------------------------------------------------------------------
# The baseline


def run_naive(
    files: list[Path],
    reference_dir: Path,
    work: Path,
    periods: list[str],
    *,
    sample: int | None = None,
    raw_source: Path | None = None,
    progress: Callable[[str], None] = print,
) -> list[Stage]:
    """Run the naive baseline on ``files`` (the targets workbook first); stages naive.*.

    ``sample``: None decides (full when the first files project under NAIVE_BUDGET_SECONDS, else
    DEFAULT_SAMPLE files), 0 runs every file, K runs K files and extrapolates. ``raw_source`` is a
    warehouse holding the raw tables of all files (pingan's), used for the marts when sampling."""
    work.mkdir(parents=True, exist_ok=True)
    progress("naive: dbt compile (not timed) …")
    models, seeds = compile_models(work, reference_dir)
    database = work / "warehouse.duckdb"
    database.unlink(missing_ok=True)
    ordered = [files[0], *spread(files[1:])]
    stages: list[Stage] = []
    connection = duckdb.connect(str(database))
    try:
        connection.execute(RAW_SCHEMA_SQL.read_text(encoding="utf-8"))
        with measured() as setup:
            validator = Validator()
            loader = Loader(connection)
        limit = len(ordered) if sample == 0 else sample
        timings = {"read": 0.0, "validate": 0.0, "insert": 0.0}
        done = 0
        with measured() as loop:
            for path in ordered:
                if limit is not None and done >= limit:
                    break
                _one_file(path, validator, loader, timings)
                done += 1
                if limit is None and done == PROBE_FILES:
                    per_file = sum(timings.values()) / done
                    projected = per_file * len(ordered)
                    limit = len(ordered) if projected <= NAIVE_BUDGET_SECONDS else DEFAULT_SAMPLE
                    progress(
                        f"naive: {per_file * 1000:.0f} ms a file, {projected / 60:.1f} min projected for "
                        f"{len(ordered)} files → {'full run' if limit == len(ordered) else f'sample of {limit}'}"
                    )
        sampled = done < len(ordered)
        scale = len(ordered) / done if done else 1.0
        loop_seconds = loop.seconds
        fresh = [validator.fresh_context_seconds(read_report(path)) for path in ordered[1:4]]  # not timed
        stages.append(
            Stage(
                "naive.per_file",
                setup.seconds + loop_seconds * scale,
                max(setup.peak_mib, loop.peak_mib),
                len(ordered),
                extrapolated=sampled,
                note=f"read+GX+insert measured on {done} of {len(ordered)} files, scaled ×{scale:.2f}"
                if sampled
                else "read+GX+insert, every file",
                details={
                    "files_measured": done,
                    "setup_s": setup.seconds,
                    "measured_loop_s": loop_seconds,
                    **{f"{k}_s_measured": v for k, v in timings.items()},
                    "gx_checkpoint_s_per_file": timings["validate"] / done if done else None,
                    "gx_fresh_context_s": sum(fresh) / len(fresh) if fresh else None,
                },
            )
        )
        if sampled:
            if raw_source is None:
                raise ValueError("a sampled naive run needs raw_source (pingan's warehouse) for the marts")
            _copy_raw(connection, raw_source)
        progress("naive: marts SQL …")
        with measured() as sql:
            run_models(connection, models, seeds, reference_dir)
        stages.append(
            Stage(
                "naive.marts_sql",
                sql.seconds,
                sql.peak_mib,
                len(ordered),
                note=f"{len(models)} models' compiled SQL + {len(seeds)} seeds"
                + (" (raw tables copied from pingan's run of the same files)" if sampled else ""),
            )
        )
        progress("naive: bulletins (DataFrame.to_excel) …")
        with measured() as bulletins:
            for period in periods:
                write_bulletin(connection, period, work / "reports")
        stages.append(
            Stage(
                "naive.bulletins",
                bulletins.seconds,
                bulletins.peak_mib,
                len(ordered),
                note=f"{len(periods)} bulletins",
            )
        )
    finally:
        connection.close()
    total = sum(s.seconds for s in stages)
    stages.append(
        Stage(
            "naive.total",
            total,
            max(s.peak_mib for s in stages),
            len(ordered),
            extrapolated=sampled,
            note="per_file + marts_sql + bulletins",
        )
    )
    return stages


def _one_file(path: Path, validator: Validator, loader: Loader, timings: dict[str, float]) -> None:
    import time

    started = time.perf_counter()
    report = read_report(path)
    read = time.perf_counter()
    failed = validator.failed(report) if report["kind"] == "monthly_report" else []
    validated = time.perf_counter()
    loader.insert(path, report, failed)
    timings["read"] += read - started
    timings["validate"] += validated - read
    timings["insert"] += time.perf_counter() - validated


def _copy_raw(connection: duckdb.DuckDBPyConnection, source: Path) -> None:
    """Replace the raw tables with those of ``source`` (a copy of pingan's warehouse, opened read-only)."""
    copy = source.with_name(source.stem + ".naive-copy.duckdb")
    shutil.copyfile(source, copy)
    connection.execute(f"attach '{copy}' as pingan_raw (read_only)")
    try:
        for table in ("submissions", "indicator_values", "township_values", "findings", "targets"):
            connection.execute(f"delete from raw.{table}")
            connection.execute(f"insert into raw.{table} select * from pingan_raw.raw.{table}")
    finally:
        connection.execute("detach pingan_raw")
        copy.unlink(missing_ok=True)
