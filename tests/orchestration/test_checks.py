"""Validation as asset checks: rejections only warn (the bulletin still comes), but raw tables that
contradict themselves block the warehouse build in the same run."""

import dagster as dg
import duckdb
import pytest

from ingest.intake import ingest_files
from orchestration.defs.build import build_definitions
from orchestration.defs.intake.checks import find_inconsistencies
from orchestration.runs import execute_job
from tests.orchestration.conftest import instance_for
from tests.orchestration.demo_files import demo_file, write_demo_file


def check_results(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    return {
        e.asset_check_evaluation_data.check_name: e.asset_check_evaluation_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    }


def test_inconsistent_raw_tables_block_the_build_and_rejections_only_warn(new_home, tmp_path):
    home = new_home
    good = write_demo_file(tmp_path / "大方县", demo_file("522422", "2022-05"))
    rejected = write_demo_file(tmp_path / "赫章县", demo_file("522428", "2022-05", 0))
    assert [r.status for r in ingest_files([good, rejected], home.root)] == ["accepted", "rejected"]
    with duckdb.connect(str(home.warehouse)) as connection:
        assert not any(find_inconsistencies(connection).values())
        # An accepted report whose figures are missing: building marts from it would publish zeros.
        connection.execute(
            "delete from raw.indicator_values where sha256 in (select sha256 from raw.submissions where unit_code = '522422')"
        )
        assert find_inconsistencies(connection)["accepted_report_without_values"] == [good.name]

    definitions = build_definitions(home)
    with instance_for(home) as instance:
        result = execute_job(definitions, "refresh_job", instance)
    assert not result.success
    checks = check_results(result)
    assert not checks["raw_tables_consistent"].passed
    assert checks["raw_tables_consistent"].severity == dg.AssetCheckSeverity.ERROR
    assert not checks["no_outstanding_rejections"].passed
    assert checks["no_outstanding_rejections"].severity == dg.AssetCheckSeverity.WARN
    assert checks["no_outstanding_rejections"].metadata["outstanding_rejections"].value == 1
    started = {e.step_key for e in result.all_events if e.event_type_value == "STEP_START"}
    assert "warehouse_models" not in started  # blocked: dbt never ran
    with duckdb.connect(str(home.warehouse), read_only=True) as connection:
        schemas = {
            s for (s,) in connection.execute("select schema_name from information_schema.schemata").fetchall()
        }
    assert "marts" not in schemas


@pytest.mark.e2e
def test_failed_dbt_build_leaves_the_warehouse_as_it_was(new_home, tmp_path):
    home = new_home
    ingest_files([write_demo_file(tmp_path / "大方县", demo_file("522422", "2022-05"))], home.root)
    with duckdb.connect(str(home.warehouse)) as connection:
        # Consistent for intake's check, but a status dbt's accepted_values test does not allow.
        connection.execute("update raw.submissions set status = 'pending'")
        before = connection.execute(
            "select table_schema, table_name from information_schema.tables order by all"
        ).fetchall()

    definitions = build_definitions(home)
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
