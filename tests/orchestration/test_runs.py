"""Real runs on a real home: one month's partition, two runs at once, a killed run and its rerun, the
failure alert. Each run is a Dagster run on the home's own instance (intake, checks, dbt build, bulletin)."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb
import openpyxl
import pytest

from base.settings import Home
from exports.notice.issue import DRAFT_SUFFIX
from ingest.intake import ingest_files
from orchestration.defs.alerts.sensors import failure_alerts
from orchestration.defs.resources import PinganHome
from orchestration.runs import execute_job
from orchestration.warehouse import build_warehouse
from sampledata.demo import state_demo_arrivals
from tests.orchestration.conftest import copy_home, definitions_for, instance_for, settings_for
from tests.orchestration.demo_files import demo_file, write_demo_file

pytestmark = pytest.mark.e2e

RUN_JOB = Path(__file__).with_name("run_job.py")
POOL_STEPS = ("raw_tables", "warehouse_models")


def marts(home: Home) -> dict[str, list]:
    """Every marts table, every row, in a stable order."""
    with duckdb.connect(str(home.warehouse), read_only=True) as connection:
        tables = [
            t
            for (t,) in connection.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        return {t: connection.execute(f"select * from marts.{t} order by all").fetchall() for t in tables}


def start_run(home: Home, job: str, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(RUN_JOB), str(home.root), job, *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,  # its own process group: dbt, its child, is killed with it
        cwd=Path(__file__).resolve().parents[2],
    )


def finished(process: subprocess.Popen, timeout: float = 180) -> dict:
    out, _ = process.communicate(timeout=timeout)
    return json.loads(out.strip().splitlines()[-1])


def step_windows(instance: dg.DagsterInstance, run_id: str) -> list[tuple[float, float, str]]:
    starts, windows = {}, []
    for record in instance.all_logs(run_id):
        event = record.dagster_event
        if event is None or record.step_key not in POOL_STEPS:
            continue
        if event.event_type_value == "STEP_START":
            starts[record.step_key] = record.timestamp
        elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE"):
            windows.append((starts[record.step_key], record.timestamp, record.step_key))
    return windows


def resubmission(folder: Path, home: Home) -> Path:
    """大方县 sends December again with more disputes mediated (a new version, received later), its
    arrival stated in ``home`` as the demo's are (so two homes given it agree on when it came)."""
    item = demo_file("522422", "2022-12")
    values = {**item.values, "D01": int(item.values["D01"]) + 7, "D02": int(item.values["D02"]) + 5}
    path = write_demo_file(folder, item, name="大方县_2022年12月_更正.xlsx", values=values)
    state_demo_arrivals(home.archive, [path])
    return path


def test_one_month_partition_is_materialised(built_home):
    home = built_home.home
    with instance_for(home) as instance:
        run = instance.get_run_by_id(built_home.run_id)
        assert run.tags["dagster/partition"] == "2022-12"
        materialised = instance.get_materialized_partitions(dg.AssetKey("monthly_bulletin"))
        assert materialised == {"2022-12"}
        event = instance.get_latest_materialization_event(dg.AssetKey("monthly_bulletin"))
        path = event.asset_materialization.metadata["bulletins"].value["2022-12"]
        for key in (["raw", "submissions"], ["marts", "fct_unit_scores"]):
            latest = instance.get_latest_materialization_event(dg.AssetKey(key))
            assert latest.run_id == built_home.run_id
    assert Path(path).parent == home.reports / "2022-12"
    # With the PDFs the office prints and sends: the bulletin's and the 公文 draft's.
    assert Path(path).with_suffix(".pdf").stat().st_size > 10_000
    (draft,) = (home.reports / "2022-12").glob("*.docx")
    assert draft.with_name(draft.stem + DRAFT_SUFFIX + ".pdf").stat().st_size > 10_000
    sheet = openpyxl.load_workbook(path)["综合排名"]
    text = {str(value) for row in sheet.iter_rows(values_only=True) for value in row if value}
    assert {"大方县", "赫章县"} <= text
    assert not (home.reports / "2022-11").exists()  # only the partition asked for


def test_two_runs_started_at_once_both_succeed(built_home, tmp_path):
    home = copy_home(built_home.home, tmp_path / "home")
    first = resubmission(home.inbox / "大方县", home)
    hezhang = demo_file("522428", "2022-12")
    values = {**hezhang.values, "D01": int(hezhang.values["D01"]) + 3}
    second = write_demo_file(home.inbox / "赫章县", hezhang, name="赫章县_再次报送.xlsx", values=values)
    build = start_run(home, "refresh_job", "--file", str(first))  # intake + dbt build
    intake = start_run(home, "refresh_job", "--intake-only", "--file", str(second))  # intake only
    results = [finished(build), finished(intake)]
    assert [r["success"] for r in results] == [True, True]
    with instance_for(home) as instance:
        windows = sorted(w for r in results for w in step_windows(instance, r["run_id"]))
    assert {w[2] for w in windows} >= {"raw_tables", "warehouse_models"}
    for (_, end, _), (start, _, _) in zip(windows, windows[1:], strict=False):
        assert end <= start  # the "warehouse" pool let one step at a time touch the DuckDB file
    with duckdb.connect(str(home.warehouse), read_only=True) as connection:
        names = {n for (n,) in connection.execute("select file_name from raw.submissions").fetchall()}
    assert {first.name, second.name} <= names


def test_killed_run_leaves_marts_untouched_and_rerun_equals_uninterrupted_build(built_home, tmp_path):
    before = marts(built_home.home)

    # Uninterrupted: the same new file, taken and built in one go.
    plain = copy_home(built_home.home, tmp_path / "plain")
    (result,) = ingest_files([resubmission(tmp_path / "in" / "大方县", plain)], plain.root)
    assert result.version == 2 and result.status.startswith("accepted")
    build_warehouse(settings_for(plain))
    expected = marts(plain)
    assert expected != before

    # Killed in the middle of its dbt build.
    home = copy_home(built_home.home, tmp_path / "killed")
    new_file = resubmission(home.inbox / "大方县", home)
    process = start_run(home, "refresh_job", "--file", str(new_file))
    deadline = time.monotonic() + 120
    while not home.staging_warehouse.exists():
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.2)
    time.sleep(4)  # dbt is building tables in the copy
    assert process.poll() is None
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert marts(home) == before  # no partial marts

    # The rerun (its stuck pool slot released) gives what the uninterrupted build gave.
    definitions = definitions_for(home)
    with instance_for(home) as instance:
        rerun = execute_job(definitions, "refresh_job", instance)
        killed = [r for r in instance.get_runs() if r.run_id != rerun.run_id][0]
        assert killed.status == dg.DagsterRunStatus.FAILURE
    assert rerun.success
    assert marts(home) == expected


def test_failed_run_writes_a_plain_chinese_alert(new_home):
    home = new_home
    definitions = definitions_for(home)
    with instance_for(home) as instance:
        result = execute_job(
            definitions,
            "monthly_bulletin_job",
            instance,
            partition_key="2022-11",
            asset_selection=[dg.AssetKey("monthly_bulletin")],
        )
        assert not result.success  # nothing built yet: no bulletin from stale marts
        run = instance.get_run_by_id(result.run_id)
        (failure,) = [
            r.dagster_event
            for r in instance.all_logs(result.run_id)
            if r.dagster_event and r.dagster_event.is_run_failure
        ]
        context = dg.build_run_status_sensor_context(
            sensor_name="failure_alerts",
            dagster_event=failure,
            dagster_instance=instance,
            dagster_run=run,
            resources={"pingan": PinganHome(root=str(home.root))},
        ).for_run_failure()
        failure_alerts(context)
    (line,) = home.alerts_log.read_text(encoding="utf-8").splitlines()
    assert "月度通报（2022-11）运行失败" in line
    assert "在“生成月度通报”这一步出错：数据仓库还没有用最新收到的报表成功更新" in line
    assert result.run_id[:8] in line
