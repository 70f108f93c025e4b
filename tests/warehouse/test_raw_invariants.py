"""The raw tables' invariants (dbt_project/tests/raw/): dbt singular tests on the staging views of the raw
tables, so raw tables that contradict themselves fail ``dbt build`` before any model is built on them. Each invariant is broken
once here and names exactly the offending rows; the hand-worked scenario keeps every one of them, and
its rejected files that were never corrected only warn."""

from __future__ import annotations

import json

import duckdb
import pytest
from warehouse_builder import RawWarehouse, Target, query, run_dbt

ERROR_TESTS = {
    "raw_accepted_files_have_rows",
    "raw_rows_belong_to_a_submission",
    "raw_versions_are_unique",
    "raw_status_agrees_with_errors",
    "raw_values_are_finite",
}
WARNING_TESTS = {"raw_no_outstanding_rejections"}


def invariant_results(run_results: dict) -> dict[str, tuple[str, int]]:
    """test name -> (status, failing rows) of the raw tests in a dbt run_results.json."""
    return {
        r["unique_id"].split(".")[-1]: (r["status"], r["failures"])
        for r in run_results["results"]
        if r["unique_id"].startswith("test.pingan.raw_")
    }


def test_the_scenario_keeps_every_invariant_and_its_uncorrected_rejections_warn(scenario_warehouse):
    run_results = json.loads((scenario_warehouse.work_dir / "dbt_target" / "run_results.json").read_text())
    results = invariant_results(run_results)
    assert results == {
        **dict.fromkeys(ERROR_TESTS, ("pass", 0)),
        "raw_no_outstanding_rejections": ("warn", 2),  # 大方县 2022-03 v2 and 织金县 2022-03
    }


@pytest.fixture(scope="module")
def broken(tmp_path_factory):
    """A raw warehouse breaking each invariant once; dbt tests it, keeping the failing rows."""
    work_dir = tmp_path_factory.mktemp("broken")
    raw = RawWarehouse(work_dir / "warehouse.duckdb")
    infinite = raw.add_report("522422", "2022-01", {"D02": 10})  # consistent but for one value
    emptied = raw.add_report("522422", "2022-02", {"D02": 10})
    raw.add_report("522424", "2022-01", {"D02": 10})
    doubled = raw.add_report("522424", "2022-01", {"D02": 11})
    raw.add_report("522425", "2022-01", {"D02": 10}, status="rejected", error_count=0)
    raw.add_targets(2022, [Target("522422", "D02", "min", 100, 100)])
    lineless = raw.add_targets(2023, [Target("522422", "D02", "min", 100, 100)])
    raw.add_finding("0" * 64, "VAL01", "error")
    with duckdb.connect(str(raw.path)) as con:
        con.execute("delete from raw.indicator_values where sha256 = ?", [emptied])
        con.execute("delete from raw.targets where sha256 = ?", [lineless])
        con.execute("update raw.submissions set version = 1 where sha256 = ?", [doubled])
        con.execute("update raw.indicator_values set value = 'inf'::double where sha256 = ?", [infinite])
    result = run_dbt(["build", "--select", "+path:tests/raw", "--store-failures"], raw.path, work_dir)
    assert not result.success  # error-level failures fail the command
    return raw.path, work_dir


def failing_rows(warehouse, test: str) -> list[tuple]:
    return sorted(query(warehouse, f"select * from dbt_test__audit.{test}"))


def test_each_broken_invariant_fails_with_exactly_its_rows(broken):
    warehouse, work_dir = broken
    results = invariant_results(json.loads((work_dir / "dbt_target" / "run_results.json").read_text()))
    assert results == {
        **dict.fromkeys(ERROR_TESTS, ("fail", 1)),
        "raw_accepted_files_have_rows": ("fail", 2),
        "raw_no_outstanding_rejections": ("warn", 1),
    }
    assert failing_rows(warehouse, "raw_accepted_files_have_rows") == [
        ("monthly_report", "522422_2022-02_v1.xlsx"),
        ("targets", "targets_2023_v1.xlsx"),
    ]
    assert failing_rows(warehouse, "raw_rows_belong_to_a_submission") == [("0" * 64,)]
    assert failing_rows(warehouse, "raw_versions_are_unique") == [
        ("monthly_report", "522424", "2022-01", 1, 2)
    ]
    assert failing_rows(warehouse, "raw_status_agrees_with_errors") == [("522425_2022-01_v1.xlsx",)]
    assert failing_rows(warehouse, "raw_values_are_finite") == [
        ("522422_2022-01_v1.xlsx", None, float("inf"))
    ]
    assert failing_rows(warehouse, "raw_no_outstanding_rejections") == [
        ("522425", "2022-01", "522425_2022-01_v1.xlsx", 0)
    ]


def test_invariants_are_errors_and_outstanding_rejections_only_a_warning(broken):
    warehouse, work_dir = broken
    manifest = json.loads((work_dir / "dbt_target" / "manifest.json").read_text())
    severity = {
        node["name"]: node["config"]["severity"].lower()
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test" and node["name"].startswith("raw_")
    }
    assert severity == {**dict.fromkeys(ERROR_TESTS, "error"), **dict.fromkeys(WARNING_TESTS, "warn")}
