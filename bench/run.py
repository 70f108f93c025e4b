"""``make bench`` (``python -m bench``): how fast pingan is at province and national scale, against the floor and the naive way.

One invocation, one process tree, each stage measured on its own (wall seconds, peak MiB of the process
tree, files per second; see ``bench.measure``). Each pingan stage runs in a fresh process of its own,
as it does for the office (a ``pingan`` command, a step of Dagster's multiprocess executor), start-up
included:

1. generate  a synthetic province (``sampledata.province``; not part of any ratio);
2. floor     every workbook's cells read with python-calamine and nothing else, serially;
3. pingan    through its real entry points, into a fresh home under ``<home>/bench/``:
             ``take_in`` (intake + validation + feedback) → ``build_warehouse`` (dbt build) → every bulletin the
             marts give (each month, each quarter, and the year once complete; ``publish_bulletins``,
             which writes them side by side, one process per core; workbooks only: PDFs are
             LibreOffice's time and the naive bulletin is a workbook too);
4. late     one late workbook for the last month (the second unit's, held out of the province's inbox),
             taken in, the warehouse built again for the periods it reaches (a partial build,
             orchestration/warehouse.py) and the affected bulletins re-published as 更正;
5. correction  the first unit's rejected report of the correction month (default the middle one: six
             months back in a year), corrected and taken in, a partial build as in 4, and the affected
             bulletins re-published as 更正.
             Affected, in both = every bulletin whose figures reach back to the changed month: month
             bulletins show January-to-month (ytd) figures and rank changes, so every month from the
             changed one on, every quarter from its quarter on (their scope also runs from January), and
             the year. Earlier months are unchanged. A late report for the last month so re-issues that
             month, its quarter and the year; a correction six months back re-issues seven months, three
             quarters and the year.
6. portal    upload to verdict through a real ``pingan portal`` at the province's history, warm: one at a
             time to an idle portal, one right after another, several clerks at once, then every unit at
             once (``bench.portal``);
7. naive     the same job as an analyst would write it (``bench.naive``), full or sampled and scaled.

The province's reference folder is in force (PINGAN_REFERENCE_DIR, for this process and the stages'
processes) for the whole run; pingan's stages get it in their ``Settings``, and dbt as a variable. Then the ratios the issue sets (each with its target and PASS/MISS), a table, and the JSON under
``<home>/bench/bench-<timestamp>.json``. The working folders (province, homes) are removed afterwards
unless ``keep``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import multiprocessing
import os
import platform
import shutil
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from base.settings import Home, Limits, Settings
from bench.measure import Stage, largest_child_mib, measured, release_memory

if TYPE_CHECKING:
    from sampledata.province import Province

# (key, what, comparison, target)
TARGETS = (
    ("intake_vs_floor", "intake+validation / floor", "<=", 3.0),
    ("pipeline_vs_floor", "whole pipeline / floor", "<=", 10.0),
    ("naive_vs_pingan", "naive / whole pipeline", ">=", 25.0),
    ("late_vs_full", "late workbook / whole pipeline", "<=", 0.10),
    ("correction_vs_full", "correction / whole pipeline", "<=", 0.25),
    ("peak_mib", "peak MiB of pingan's stages", "<=", 2048.0),
    ("upload_p50_s", "upload to verdict p50 (s, warm)", "<=", 1.0),
    ("upload_p95_s", "upload to verdict p95 (s, warm)", "<=", 3.0),
)
NATIONAL_UNITS = 2850  # the peak-memory target is set for national scale


def scored_periods(home: Home) -> list[str]:
    """Every bulletin the marts can give: each month, quarter and year with unit scores (a year only
    once all its months are in), months first."""
    import duckdb

    order = {"month": 0, "quarter": 1, "year": 2}
    with duckdb.connect(str(home.warehouse), read_only=True) as connection:
        rows = connection.execute(
            "select distinct period_type, period from marts.fct_unit_scores where period_type in ('month', 'quarter', 'year')"
        ).fetchall()
    return [period for _, period in sorted(rows, key=lambda row: (order[row[0]], row[1]))]


def affected_periods(corrected: str, periods: list[str]) -> list[str]:
    """The bulletins whose figures include the corrected month (their scope runs January → last month)."""
    from base.calendar import parse_period

    month = int(corrected[5:7])
    return [p for p in periods if parse_period(p).last_month >= month]


def read_floor(files: list[Path]) -> int:
    """Every sheet of every workbook read with calamine, nothing else; returns the rows read."""
    from python_calamine import CalamineWorkbook

    rows = 0
    for path in files:
        workbook = CalamineWorkbook.from_path(str(path))
        for name in workbook.sheet_names:
            rows += len(workbook.get_sheet_by_name(name).to_python())
    return rows


class _Recorder:
    """The stages measured so far; each finished stage is also written to ``partial`` (JSON), so a run
    that dies (or is killed) still leaves what it measured."""

    def __init__(self, progress: Callable[[str], None], partial: Path | None = None) -> None:
        self.stages: list[Stage] = []
        self.progress = progress
        self.partial = partial

    @contextlib.contextmanager
    def stage(self, name: str, files: int | None, note: str = "") -> Iterator[Stage]:
        self.progress(f"{name} …")
        stage = Stage(name, 0.0, 0.0, files, note=note)
        stage.details["start_mib"] = release_memory()
        with measured() as run:
            yield stage
        stage.seconds, stage.peak_mib = run.seconds, run.peak_mib
        self.stages.append(stage)
        self.progress(f"  {stage.seconds:.1f} s, {stage.peak_mib:.0f} MiB")
        if self.partial is not None:
            self.partial.parent.mkdir(parents=True, exist_ok=True)
            stages = [s.as_dict() for s in self.stages]
            self.partial.write_text(
                json.dumps({"stages": stages}, ensure_ascii=False, indent=2), encoding="utf-8"
            )

    def get(self, name: str) -> Stage | None:
        return next((s for s in self.stages if s.name == name), None)


@contextlib.contextmanager
def _province_environment(province: Province) -> Iterator[None]:
    """The province's reference folder in force for this process and its children; restored after."""
    from base import catalogue

    saved = dict(os.environ)
    os.environ["PINGAN_REFERENCE_DIR"] = str(province.reference_dir.resolve())
    catalogue.forget_cached_reference()
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
        catalogue.forget_cached_reference()


def _pingan(record: _Recorder, settings: Settings, province: Province) -> tuple[dict, list[str]]:
    from orchestration.intake import take_in
    from orchestration.warehouse import build_warehouse, writer_lock

    home = settings.home
    files = len(province.files) + 1  # the targets workbook too
    with record.stage("pingan.total", files, "intake + warehouse + bulletins") as total:
        with (
            record.stage(
                "pingan.intake", files, "take_in: archive, sandboxed read, GX, raw tables, feedback"
            ),
            writer_lock(settings),
        ):
            results = in_own_process(take_in, [province.inbox], settings)
        with record.stage("pingan.warehouse", files, "build_warehouse: dbt build (seeds, models, tests)"):
            build = in_own_process(build_warehouse, settings)
        periods = scored_periods(home)  # a few ms
        with record.stage(
            "pingan.bulletins", files, f"publish_bulletins: {len(periods)} bulletin workbooks (PDF off)"
        ) as stage:
            _publish(settings, periods, stage)
    statuses = Counter(r.status for r in results)
    total.details["statuses"] = dict(statuses)
    record.get("pingan.warehouse").details.update(
        dbt_elapsed_s=build.seconds,  # dbt's own clock: nodes only, without start-up and parsing
        passed=build.passed,
        warned=build.warned,
    )
    return dict(statuses), periods


def in_own_process(function: Callable, /, *args):
    """Run a stage the way the office runs it, in a process of its own (a ``pingan`` command, a Dagster
    step in the multiprocess executor): one stage's leftover heap is not the next one's starting point.
    The start-up (a fresh interpreter and its imports) is part of the stage's time."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


def _publish(settings: Settings, periods: list[str], stage: Stage) -> list:
    """``publish_bulletins`` for the periods; a failure is recorded on the stage, not the end of the
    benchmark."""
    from orchestration.publish import publish_bulletins

    try:
        published = in_own_process(publish_bulletins, settings, periods)
        stage.details["published"] = [b.period for b in published]
        return published
    except Exception as error:  # noqa: BLE001 - reported in the table and the JSON
        stage.details.setdefault("failed", []).append(f"{type(error).__name__}: {str(error)[:300]}")
        stage.note = f"FAILED {len(stage.details['failed'])}: " + stage.details["failed"][-1][:120]
        return []


@dataclass(frozen=True)
class Change:
    """One workbook arriving after the whole pipeline ran, and what it re-issues."""

    name: str  # the stages' prefix: late | correction
    what: str
    unit_code: str
    period: str
    file: Path


def _one_change(record: _Recorder, settings: Settings, change: Change, periods: list[str]) -> dict:
    """Take in one workbook, rebuild the warehouse and re-publish the bulletins it affects, each timed."""
    from orchestration.intake import take_in
    from orchestration.warehouse import build_warehouse, writer_lock

    affected = affected_periods(change.period, periods)
    with record.stage(f"{change.name}.total", 1, f"{change.what}: intake + warehouse + affected bulletins"):
        with (
            record.stage(f"{change.name}.intake", 1, f"take_in on the {change.what}"),
            writer_lock(settings),
        ):
            (result,) = in_own_process(take_in, [change.file], settings)
        with record.stage(f"{change.name}.warehouse", 1, "build_warehouse: partial dbt build") as stage:
            built = in_own_process(build_warehouse, settings)
        stage.details["dbt_elapsed_s"] = built.seconds  # the nodes alone, as for the whole pipeline
        with record.stage(
            f"{change.name}.bulletins", 1, f"{len(affected)} affected bulletins re-published"
        ) as stage:
            published = _publish(settings, affected, stage)
    return {
        "unit_code": change.unit_code,
        "period": change.period,
        "file": change.file.name,
        "status": result.status,
        "version": result.version,
        "received_at": result.received_at,
        "rebuilt_for_months": list(built.changed_months),
        "bulletins": affected,
        "corrections_written": sum(1 for b in published if b.correction),
        "unchanged": sum(1 for b in published if b.reused),
    }


def _changes(province: Province, work: Path) -> list[Change]:
    """The late workbook for the last month, then the correction (writing them is the county's work:
    not timed)."""
    late = Change(
        "late",
        "late workbook for the last month",
        province.late_unit,
        province.late_period,
        province.write_late(work / "late"),
    )
    correction = Change(
        "correction",
        f"corrected workbook for {province.correction_period}",
        province.correction_unit,
        province.correction_period,
        province.write_correction(work / "corrections"),
    )
    return [late, correction]


def _portal(record: _Recorder, settings: Settings, province: Province, work: Path) -> None:
    """Upload to verdict through ``pingan portal`` (``bench.portal``), at the history just built."""
    from base import catalogue
    from bench.portal import measure_uploads

    latest = {
        catalogue.resolve_unit(path.parent.name).code: path for path in province.files
    }  # last month wins
    with record.stage(
        "portal.upload_to_verdict", len(latest), "pingan portal: warm upload → verdict page"
    ) as stage:
        stage.details.update(measure_uploads(settings, latest, work / "portal", record.progress))


def import_seconds(module: str) -> float:
    """What importing ``module`` costs in a fresh interpreter (a one-off cost per process)."""
    import subprocess

    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    environment = {**os.environ, "GX_ANALYTICS_ENABLED": "false"}
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environment)
    return float(completed.stdout.strip() or "nan")


def ratios(stages: list[Stage], units: int) -> list[dict]:
    """The issue's ratios from the measured stages, each with its target and PASS/MISS."""
    by_name = {s.name: s for s in stages}

    def seconds(name: str) -> float | None:
        return by_name[name].seconds if name in by_name else None

    floor, intake, total = seconds("floor"), seconds("pingan.intake"), seconds("pingan.total")
    naive, late, correction = seconds("naive.total"), seconds("late.total"), seconds("correction.total")
    peak = max(
        (s.peak_mib for s in stages if s.name.startswith(("pingan.", "late.", "correction."))), default=None
    )
    uploads = (
        by_name["portal.upload_to_verdict"].details["levels"][0]
        if "portal.upload_to_verdict" in by_name
        else {}
    )
    values = {
        "upload_p50_s": uploads.get("p50_s"),
        "upload_p95_s": uploads.get("p95_s"),
        "intake_vs_floor": intake / floor if intake and floor else None,
        "pipeline_vs_floor": total / floor if total and floor else None,
        "naive_vs_pingan": naive / total if naive and total else None,
        "late_vs_full": late / total if late and total else None,
        "correction_vs_full": correction / total if correction and total else None,
        "peak_mib": peak,
    }
    out = []
    for key, what, comparison, target in TARGETS:
        value = values[key]
        passed = None if value is None else value <= target if comparison == "<=" else value >= target
        note = ""
        if key == "peak_mib" and units < NATIONAL_UNITS:
            note = f"target set for {NATIONAL_UNITS} units"
        if key == "naive_vs_pingan" and naive and by_name["naive.total"].extrapolated:
            note = "naive per-file part extrapolated from a sample"
        if key.startswith("upload_") and uploads:
            note = f"{uploads['uploads']} uploads one at a time to an idle portal; other levels below"
        out.append(
            {
                "key": key,
                "what": what,
                "value": value,
                "target": f"{comparison} {target:g}",
                "result": "n/a" if passed is None else "PASS" if passed else "MISS",
                "note": note,
            }
        )
    return out


def format_table(result: dict) -> str:
    """The stages and ratios as plain text."""
    lines = [
        f"pingan bench: {result['scale']['units']} units × {result['scale']['months']} months = "
        f"{result['scale']['files']} workbooks ({result['host']['cpus']} CPUs)",
        "",
        f"{'stage':<32}{'seconds':>10}{'peak MiB':>10}{'from MiB':>10}{'files/s':>10}{'ms/file':>10}  note",
    ]
    for stage in result["stages"]:
        rate = stage["files_per_second"]
        per_file = stage["ms_per_file"]
        mark = " (extrapolated)" if stage["extrapolated"] else ""
        start = stage["details"].get("start_mib")
        lines.append(
            f"{stage['name']:<32}{stage['seconds']:>10.2f}{stage['peak_mib']:>10.0f}"
            f"{'' if start is None else f'{start:.0f}':>10}"
            f"{'' if rate is None else f'{rate:.1f}':>10}{'' if per_file is None else f'{per_file:.1f}':>10}"
            f"  {stage['note']}{mark}"
        )
    portal = next((s for s in result["stages"] if s["name"] == "portal.upload_to_verdict"), None)
    if portal:
        lines += [
            "",
            f"{'upload to verdict (pingan portal)':<34}{'uploads':>8}{'p50 s':>8}{'p95 s':>8}{'max s':>8}",
        ]
        for level in portal["details"]["levels"]:
            lines.append(
                f"{level['level']:<34}{level['uploads']:>8}{level['p50_s']:>8.2f}{level['p95_s']:>8.2f}"
                f"{level['max_s']:>8.2f}"
            )
    lines += ["", f"{'ratio':<34}{'value':>10}  {'target':<10}result"]
    for ratio in result["ratios"]:
        value = ratio["value"]
        shown = "" if value is None else f"{value:.3g}"
        note = f"  ({ratio['note']})" if ratio["note"] else ""
        lines.append(f"{ratio['what']:<34}{shown:>10}  {ratio['target']:<10}{ratio['result']}{note}")
    return "\n".join(lines)


def run_bench(
    home: Home | str | os.PathLike,
    units: int = 88,
    months: int = 12,
    naive: bool = True,
    json_out: bool = True,
    *,
    portal: bool = True,
    naive_sample: int | None = None,
    seed: int | None = None,
    correction_month: int = 0,
    keep: bool = False,
    progress: Callable[[str], None] = print,
) -> dict:
    """Run the benchmark (see the module docstring) and return its result; with ``json_out`` also write
    it to ``<home>/bench/bench-<timestamp>.json`` (the path is in ``result['json']``).

    ``naive_sample``: None lets the naive stage decide (full when projected under 15 minutes), 0 forces
    every file, K runs K files and scales. ``correction_month``: the month corrected in the correction
    stage (default the middle month)."""
    from sampledata.province import write_province

    home = home if isinstance(home, Home) else Home.from_env(home)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    bench_dir = home.root / "bench"
    work = bench_dir / f"run-{stamp}"
    partial = bench_dir / f"bench-{stamp}.partial.json"
    record = _Recorder(progress, partial if json_out else None)
    started = dt.datetime.now(dt.UTC)
    with record.stage("generate", None, "synthetic province (not in any ratio)") as generate:
        seeded = {} if seed is None else {"seed": seed}
        province = write_province(
            work / "province",
            units,
            months,
            correction_month=correction_month,
            hold_back_latest=True,
            **seeded,
        )
    files = [province.targets, *province.files]
    generate.files = len(files)
    try:
        with _province_environment(province):
            with record.stage("floor", len(files), "calamine: every sheet of every workbook, serially"):
                read_floor(files)
            # The naive bulletin is a workbook too; a PDF is 3–5 s of LibreOffice per bulletin.
            settings = Settings(
                home=Home(work / "pingan").ensure(),
                bulletin_pdf=False,
                reference_dir=province.reference_dir.resolve(),
                limits=Limits.from_env(),
            )
            statuses, periods = _pingan(record, settings, province)
            snapshot = work / "pingan-full.duckdb"
            if naive:
                shutil.copyfile(settings.home.warehouse, snapshot)
            changes = {c.name: _one_change(record, settings, c, periods) for c in _changes(province, work)}
            if portal:
                _portal(record, settings, province, work)
            if naive:
                from bench.naive import run_naive

                record.stages += run_naive(
                    files,
                    province.reference_dir,
                    work / "naive",
                    periods,
                    sample=naive_sample,
                    raw_source=snapshot,
                    progress=progress,
                )
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    result = {
        "started_at": started.isoformat(timespec="seconds"),
        "host": {
            "cpus": os.cpu_count(),
            "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
            "python": sys.version.split()[0],
            "platform": platform.platform(),
        },
        "scale": {"units": units, "months": months, "files": len(files), "seed": province.seed},
        "province": {"expected": province.expected, "intake_statuses": statuses},
        **changes,
        "naive": naive,
        "stages": [s.as_dict() for s in record.stages],
        "failures": [f for s in record.stages for f in s.details.get("failed", [])],
        "ratios": ratios(record.stages, units),
        "largest_child_mib": largest_child_mib(),
        "gx_import_s": import_seconds("great_expectations"),  # paid by every intake process
        "work_dir": str(work) if keep else None,
    }
    if json_out:
        bench_dir.mkdir(parents=True, exist_ok=True)
        path = bench_dir / f"bench-{stamp}.json"
        path.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
        partial.unlink(missing_ok=True)
        result["json"] = str(path)
    return result


# --------------------------------------------------------------------------------------------------
# The command line (python -m bench; make bench)


def main(argv: list[str] | None = None) -> int:
    import argparse
    import warnings

    warnings.filterwarnings("ignore")
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="性能基准：生成一个模拟省份，分别计时最低读取、朴素做法和 pingan 全流程、迟报与更正后的更新。 Benchmark.",
    )
    parser.add_argument(
        "--home", help="数据目录（默认 PINGAN_HOME 或 ./pingan-home）；结果写在 <数据目录>/bench/"
    )
    parser.add_argument("--units", type=int, default=88, help="单位数（默认 88，约一个省；全国约 2850）")
    parser.add_argument("--months", type=int, default=12, help="月数 1–12（默认 12）")
    parser.add_argument("--no-naive", dest="naive", action="store_false", help="不跑朴素基线（大规模时用）")
    parser.add_argument(
        "--no-portal", dest="portal", action="store_false", help="不测报送门户从上传到检查结果的时间"
    )
    parser.add_argument(
        "--naive-sample",
        type=int,
        metavar="K",
        help="朴素基线逐文件部分只跑 K 个文件并线性外推（0 = 全部；默认按预计耗时自动决定）",
    )
    parser.add_argument(
        "--correction-month", type=int, default=0, help="更正测试所更正的月份（默认居中的月份）"
    )
    parser.add_argument("--seed", type=int, help="生成数据的随机种子（默认固定值，结果可重复）")
    parser.add_argument("--keep", action="store_true", help="保留生成的工作簿和测试数据目录")
    parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")
    args = parser.parse_args(argv)
    if args.units < 2:
        parser.error("--units 至少为 2（一个单位的报表被更正，另一个单位迟报） / at least 2 units")

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    result = run_bench(
        Home.from_env(args.home),
        units=args.units,
        months=args.months,
        naive=args.naive,
        portal=args.portal,
        naive_sample=args.naive_sample,
        seed=args.seed,
        correction_month=args.correction_month,
        keep=args.keep,
        progress=say,
    )
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(format_table(result))
        say(f"JSON: {result['json']}")
    return 0
