"""Validation as checks: raw tables that contradict themselves fail the warehouse build (dbt singular
tests on the raw sources, dbt_project/tests/raw/) and leave the warehouse as it was, while a rejected file
not yet corrected only warns; a rejected file blocks the bulletin of its own period (and no other) until
it is corrected."""

import json
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from base.approvals import ACCEPT, Step, write_approval_record
from exports.bulletin.manifest import MANIFEST_SUFFIX
from ingest.intake import ingest_files
from orchestration.cli import main
from orchestration.defs.alerts.sensors import failure_alerts
from orchestration.defs.resources import PinganHome
from orchestration.runs import execute_job
from orchestration.status import submission_status
from orchestration.warehouse import run_dbt
from tests.orchestration.conftest import copy_home, definitions_for, instance_for, settings_for
from tests.orchestration.demo_files import demo_file, write_demo_file

RAW_INVARIANTS = (  # severity error: a violation fails dbt build
    "raw_accepted_files_have_rows",
    "raw_rows_belong_to_a_submission",
    "raw_versions_are_unique",
    "raw_status_agrees_with_errors",
    "raw_values_are_finite",
)
OUTSTANDING_REJECTIONS = "raw_no_outstanding_rejections"  # severity warn


def check_results(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    return {
        e.asset_check_evaluation_data.check_name: e.asset_check_evaluation_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    }


def raw_invariants(home, work: Path) -> dict[str, tuple[str, list[tuple]]]:
    """The raw invariants alone (and the staging views they read), built by dbt on a copy of the home's
    warehouse, keeping the failing rows: test -> (status, failing rows)."""
    work.mkdir()
    copy = work / "warehouse.duckdb"
    shutil.copyfile(home.warehouse, copy)
    arguments = ["build", "--select", "+path:tests/raw", "--store-failures", "--quiet"]
    run_dbt(settings_for(home), arguments, warehouse=copy, target_path=work)
    results = json.loads((work / "run_results.json").read_text(encoding="utf-8"))["results"]
    names = {r["unique_id"].rsplit(".", 1)[-1]: r["status"] for r in results}
    with duckdb.connect(str(copy), read_only=True) as connection:
        return {
            name: (status, sorted(connection.execute(f"select * from dbt_test__audit.{name}").fetchall()))
            for name, status in names.items()
            if name.startswith("raw_")
        }


def warehouse_tables(home) -> list[tuple]:
    with duckdb.connect(str(home.warehouse), read_only=True) as connection:
        return connection.execute(
            "select table_schema, table_name from information_schema.tables order by all"
        ).fetchall()


def test_inconsistent_raw_tables_block_the_build_and_rejections_only_warn(new_home, tmp_path):
    home = new_home
    good = write_demo_file(tmp_path / "大方县", demo_file("522422", "2022-05"))
    rejected = write_demo_file(tmp_path / "赫章县", demo_file("522428", "2022-05", 0))
    taken = ingest_files([good, rejected], home.root)
    assert [r.status for r in taken] == ["accepted", "rejected"]
    errors = sum(e["severity"] == "error" for e in taken[1].errors)
    # What intake wrote keeps every invariant; the rejected file, not yet corrected, is one warning.
    assert raw_invariants(home, tmp_path / "consistent") == {
        **dict.fromkeys(RAW_INVARIANTS, ("pass", [])),
        OUTSTANDING_REJECTIONS: ("warn", [("522428", "2022-05", rejected.name, errors)]),
    }
    with duckdb.connect(str(home.warehouse)) as connection:
        # An accepted report whose figures are missing: building marts from it would publish zeros.
        connection.execute(
            "delete from raw.indicator_values where sha256 in (select sha256 from raw.submissions where unit_code = '522422')"
        )
    assert raw_invariants(home, tmp_path / "broken") == {
        **dict.fromkeys(RAW_INVARIANTS, ("pass", [])),
        "raw_accepted_files_have_rows": ("fail", [("monthly_report", good.name)]),
        OUTSTANDING_REJECTIONS: ("warn", [("522428", "2022-05", rejected.name, errors)]),
    }
    before = warehouse_tables(home)

    definitions = definitions_for(home)
    with instance_for(home) as instance:
        result = execute_job(definitions, "refresh_job", instance)
    assert not result.success
    checks = check_results(result)
    blocking = checks["raw_accepted_files_have_rows"]
    assert not blocking.passed
    assert blocking.severity == dg.AssetCheckSeverity.ERROR
    assert blocking.metadata["dagster_dbt/failed_row_count"].value == 1
    assert all(checks[name].passed for name in RAW_INVARIANTS if name != "raw_accepted_files_have_rows")
    assert not checks[OUTSTANDING_REJECTIONS].passed
    assert checks[OUTSTANDING_REJECTIONS].severity == dg.AssetCheckSeverity.WARN
    assert checks[OUTSTANDING_REJECTIONS].metadata["dagster_dbt/failed_row_count"].value == 1
    (failure,) = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert failure.step_key == "warehouse_models"
    description = failure.step_failure_data.user_failure_data.description
    assert "已保留上一次成功构建的数据" in description and "raw_accepted_files_have_rows" in description
    built = {
        e.asset_key.to_user_string()
        for e in result.all_events
        if e.event_type_value == "ASSET_MATERIALIZATION" and e.asset_key is not None
    }
    # Nothing dbt built in the failed build's copy is reported as materialised (intake's raw tables are).
    assert {key.split("/")[0] for key in built} == {"raw"}
    after = warehouse_tables(home)
    assert after == before  # the warehouse as it was: no staging, intermediate or marts tables
    assert "marts" not in {schema for schema, _ in after}
    assert not home.staging_warehouse.exists()


@pytest.mark.e2e
def test_failed_dbt_build_leaves_the_warehouse_as_it_was(new_home, tmp_path):
    home = new_home
    ingest_files([write_demo_file(tmp_path / "大方县", demo_file("522422", "2022-05"))], home.root)
    with duckdb.connect(str(home.warehouse)) as connection:
        # The raw invariants hold (dbt_project/tests/raw), but dbt's accepted_values test refuses the status.
        connection.execute("update raw.submissions set status = 'pending'")
        before = connection.execute(
            "select table_schema, table_name from information_schema.tables order by all"
        ).fetchall()

    definitions = definitions_for(home)
    with instance_for(home) as instance:
        result = execute_job(definitions, "refresh_job", instance)
    assert not result.success
    (failure,) = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert failure.step_key == "warehouse_models"
    description = failure.step_failure_data.user_failure_data.description
    assert (
        "已保留上一次成功构建的数据" in description
        and "accepted_values_stg_submissions_status" in description
    )
    with duckdb.connect(str(home.warehouse), read_only=True) as connection:
        after = connection.execute(
            "select table_schema, table_name from information_schema.tables order by all"
        ).fetchall()
    assert after == before  # no staging, intermediate or marts tables half-built in the warehouse
    assert not home.staging_warehouse.exists()


def write_failure_alert(instance: dg.DagsterInstance, run_id: str, home) -> None:
    """What the failure_alerts sensor does when the daemon sees the run fail."""
    (failure,) = [
        r.dagster_event
        for r in instance.all_logs(run_id)
        if r.dagster_event and r.dagster_event.is_run_failure
    ]
    context = dg.build_run_status_sensor_context(
        sensor_name="failure_alerts",
        dagster_event=failure,
        dagster_instance=instance,
        dagster_run=instance.get_run_by_id(run_id),
        resources={"pingan": PinganHome(root=str(home.root))},
    ).for_run_failure()
    failure_alerts(context)


@pytest.mark.e2e
def test_a_rejected_file_blocks_its_periods_bulletin_until_corrected(built_home, tmp_path):
    home = copy_home(built_home.home, tmp_path / "home")
    june = demo_file("522424", "2022-06")  # 金沙县, not in the built home
    wrong = write_demo_file(tmp_path / "金沙县", june, values={**june.values, "D03": june.values["D02"] + 1})
    assert [r.status for r in ingest_files([wrong], home.root)] == ["rejected"]  # 调解成功数 > 调解民间纠纷数
    definitions = definitions_for(home)

    with instance_for(home) as instance:
        blocked = execute_job(definitions, "monthly_bulletin_job", instance, partition_key="2022-06")
        write_failure_alert(instance, blocked.run_id, home)
        other = execute_job(definitions, "monthly_bulletin_job", instance, partition_key="2022-07")
    assert not blocked.success and other.success
    gate = check_results(blocked)["no_rejected_files"]
    assert not gate.passed and gate.severity == dg.AssetCheckSeverity.ERROR
    assert gate.metadata["rejected"].value == 1
    assert "2022-06 金沙县" in gate.description and "通报暂不发布" in gate.description
    started = {e.step_key for e in blocked.all_events if e.event_type_value == "STEP_START"}
    assert "warehouse_models" in started and "monthly_bulletin" not in started
    assert not list((home.reports / "2022-06").glob("*.xlsx"))
    (alert,) = home.alerts_log.read_text(encoding="utf-8").splitlines()
    assert "月度通报（2022-06）运行失败，在“本期报表退回检查”这一步出错：本期有报表被退回" in alert
    assert check_results(other)["no_rejected_files"].passed
    assert list((home.reports / "2022-07").glob("*.xlsx"))  # another month is not held

    corrected = write_demo_file(tmp_path / "金沙县更正", june, name="金沙县2022年6月更正.xlsx")
    assert [r.status for r in ingest_files([corrected], home.root)] == ["accepted"]
    with instance_for(home) as instance:
        reopened = execute_job(definitions, "monthly_bulletin_job", instance, partition_key="2022-06")
    assert reopened.success and check_results(reopened)["no_rejected_files"].passed
    assert list((home.reports / "2022-06").glob("*.xlsx"))


@pytest.mark.e2e
def test_publishing_by_hand_names_the_rejected_files_it_counts_as_returned(built_home, tmp_path, capsys):
    home = copy_home(built_home.home, tmp_path / "home")
    june = demo_file("522424", "2022-06")
    wrong = write_demo_file(tmp_path / "金沙县", june, values={**june.values, "D03": june.values["D02"] + 1})
    ingest_files([wrong], home.root)
    assert main(["report", "--period", "2022-06", "--home", str(home.root)]) == 0
    said = capsys.readouterr().err
    assert (
        "注意：2022-06 有 1 份报表被退回尚未重报（定时发布会等待更正），本通报按“退回”计：2022-06 金沙县"
        in said
    )
    assert list((home.reports / "2022-06").glob("*.xlsx"))


def accept_every_report(home, month: str) -> None:
    """The office's acceptance (受理) of every unit's version used for ``month``, as the portal records it."""
    steps = [
        Step(ACCEPT, u.unit_code, month, u.version, u.sha256, "2022-08-03T10:00:00", "综治办王五", "综治办")
        for u in submission_status(home, month).units
        if u.sha256
    ]
    write_approval_record(home, steps)


@pytest.mark.e2e
def test_a_scheduled_bulletin_waits_for_acceptance_only_when_the_office_asks_it_to(
    built_home, tmp_path, monkeypatch
):
    home = copy_home(built_home.home, tmp_path / "home")
    with instance_for(home) as instance:
        by_default = execute_job(
            definitions_for(home), "monthly_bulletin_job", instance, partition_key="2022-07"
        )
    assert by_default.success
    check = check_results(by_default)["units_accepted"]
    assert check.passed and check.description == "不等待受理（未设置 PINGAN_BULLETIN_WAITS_FOR_ACCEPTANCE）"
    (workbook,) = (home.reports / "2022-07").glob("*.xlsx")
    manifest = json.loads(workbook.with_name(workbook.stem + MANIFEST_SUFFIX).read_text(encoding="utf-8"))
    assert {s["approval"]["label"] for s in manifest["submissions"]} == {"待审核"}

    monkeypatch.setenv("PINGAN_BULLETIN_WAITS_FOR_ACCEPTANCE", "1")
    shutil.rmtree(home.reports / "2022-08", ignore_errors=True)
    with instance_for(home) as instance:
        waiting = execute_job(
            definitions_for(home), "monthly_bulletin_job", instance, partition_key="2022-08"
        )
    assert not waiting.success
    check = check_results(waiting)["units_accepted"]
    reported = [u for u in submission_status(home, "2022-08").units if u.sha256]
    assert not check.passed and check.metadata["waiting"].value == len(
        submission_status(home, "2022-08").units
    )
    assert check.description.startswith(f"有 {check.metadata['waiting'].value} 份月报尚未经综治办受理")
    assert f"2022-08 {reported[0].unit_name}：待审核" in check.description
    assert not list((home.reports / "2022-08").glob("*.xlsx"))

    accept_every_report(home, "2022-08")  # the two units that reported; the others sent nothing
    unreported = [u.unit_name for u in submission_status(home, "2022-08").units if not u.sha256]
    with instance_for(home) as instance:
        again = execute_job(definitions_for(home), "monthly_bulletin_job", instance, partition_key="2022-08")
    check = check_results(again)["units_accepted"]
    assert not again.success and check.metadata["waiting"].value == len(unreported) > 0
    assert "待审核" not in check.description and f"2022-08 {unreported[0]}：未报" in check.description
