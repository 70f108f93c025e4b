"""The definitions as Dagster loads them: groups, partitions, checks (dbt tests included), jobs, sensors,
schedules, the instance's pool limit; and ``dagster definitions validate`` on a fresh home."""

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from base.settings import Settings
from orchestration.defs.exports.assets import MART_KEYS
from orchestration.prepare import prepare_home
from tests.orchestration.conftest import definitions_for, instance_for
from tests.orchestration.test_checks import OUTSTANDING_REJECTIONS, RAW_INVARIANTS

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def definitions(new_home) -> dg.Definitions:
    return definitions_for(new_home)


def group_of(graph, *key: str) -> str:
    return graph.get(dg.AssetKey(list(key))).group_name


def test_assets_are_grouped_intake_quality_warehouse_exports(definitions):
    graph = definitions.resolve_asset_graph()
    assert group_of(graph, "raw", "submissions") == "intake"
    assert group_of(graph, "raw", "findings") == "quality"
    assert group_of(graph, "marts", "fct_validation_findings") == "quality"
    assert group_of(graph, "marts", "fct_unit_scores") == "warehouse"
    assert group_of(graph, "reference", "units") == "warehouse"
    for name in ("monthly_bulletin", "quarterly_bulletin", "annual_bulletin", "submission_reminder"):
        assert group_of(graph, name) == "exports"
    groups = {graph.get(key).group_name for key in graph.get_all_asset_keys()}
    assert groups == {"intake", "quality", "warehouse", "exports"}


def test_bulletins_are_partitioned_by_period_and_the_warehouse_is_not(definitions):
    graph = definitions.resolve_asset_graph()
    months = graph.get(dg.AssetKey("monthly_bulletin")).partitions_def
    assert months.get_partition_keys()[:2] == ["2021-01", "2021-02"]
    assert graph.get(dg.AssetKey("quarterly_bulletin")).partitions_def.get_partition_keys()[:2] == [
        "2021Q1",
        "2021Q2",
    ]
    assert graph.get(dg.AssetKey("annual_bulletin")).partitions_def.get_partition_keys()[:2] == [
        "2021",
        "2022",
    ]
    for key in (["raw", "submissions"], ["marts", "fct_unit_scores"]):
        assert graph.get(dg.AssetKey(key)).partitions_def is None


def test_bulletins_depend_on_marts_dbt_really_builds(definitions):
    # Regression guard (cf. a misspelt key that silently does nothing): a renamed model would leave the
    # bulletin depending on an asset nobody materialises.
    graph = definitions.resolve_asset_graph()
    models = {key for key in graph.get_all_asset_keys() if graph.get(key).is_materializable}
    assert set(MART_KEYS) <= models
    for kind in ("monthly", "quarterly", "annual"):
        parents = set(graph.get(dg.AssetKey(f"{kind}_bulletin")).parent_keys)
        assert parents == {*MART_KEYS, dg.AssetKey(f"{kind}_submissions")}  # the marts and its period gate
        gate = graph.get(dg.AssetKey(f"{kind}_submissions"))
        assert gate.partitions_def == graph.get(dg.AssetKey(f"{kind}_bulletin")).partitions_def


def test_validation_and_dbt_tests_are_asset_checks(definitions):
    graph = definitions.resolve_asset_graph()
    checks = {(c.asset_key.to_user_string(), c.name) for c in graph.asset_check_keys}
    # The raw tables' invariants are dbt singular tests (dbt_project/tests/raw), shown on stg_submissions.
    raw_checks = {
        name for key, name in checks if key == "staging/stg_submissions" and name.startswith("raw_")
    }
    assert raw_checks == {*RAW_INVARIANTS, OUTSTANDING_REJECTIONS}
    assert (
        "marts/fct_unit_scores",
        "relationships_fct_unit_scores_unit_code__unit_code__ref_dim_units_",
    ) in checks
    dbt_checks = [c for c in checks if not c[0].startswith("raw/")]
    assert len(dbt_checks) >= 100  # every dbt data test on a model or seed
    on_submissions = dg.AssetKey(["staging", "stg_submissions"])
    specs = {k.name: graph.get_check_spec(k) for k in graph.asset_check_keys if k.asset_key == on_submissions}
    assert all(specs[name].blocking for name in RAW_INVARIANTS)  # dbt severity error
    assert not specs[OUTSTANDING_REJECTIONS].blocking  # dbt severity warn
    for kind in ("monthly", "quarterly", "annual"):
        assert (f"{kind}_submissions", "no_rejected_files") in checks
    gate_checks = [
        spec
        for check in definitions.asset_checks or []
        for spec in check.check_specs
        if spec.name == "no_rejected_files"
    ]
    assert len(gate_checks) == 3 and all(spec.blocking for spec in gate_checks)


def test_jobs_schedules_and_sensors(definitions):
    assert {s.name for s in definitions.schedules} == {
        "deadline_reminder",
        "monthly_bulletin_schedule",
        "quarterly_bulletin_schedule",
        "annual_bulletin_schedule",
    }
    assert {s.name for s in definitions.sensors} == {"inbox_sensor", "failure_alerts"}
    for name in (
        "refresh_job",
        "monthly_bulletin_job",
        "quarterly_bulletin_job",
        "annual_bulletin_job",
        "reminder_job",
    ):
        definitions.resolve_job_def(name)


def test_every_step_that_opens_the_warehouse_is_in_the_one_writer_pool(definitions, new_home):
    graph = definitions.resolve_asset_graph()
    for key in (
        ["raw", "submissions"],
        ["marts", "fct_unit_scores"],
        ["monthly_bulletin"],
        ["monthly_submissions"],
        ["submission_reminder"],
    ):
        assert graph.get(dg.AssetKey(key)).pools == {"warehouse"}
    with instance_for(new_home) as instance:
        assert instance.get_concurrency_config().pool_config.default_pool_limit == 1


def _dagster_validate(home: Path, cwd: Path) -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "PINGAN_HOME": str(home),
        "DAGSTER_HOME": str(home / "dagster"),
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.run(
        [
            str(Path(sys.executable).with_name("dagster")),
            "definitions",
            "validate",
            "-m",
            "orchestration.definitions",
        ],
        capture_output=True,
        text=True,
        env=environment,
        cwd=cwd,
        timeout=180,
    )


def test_dagster_definitions_validate_on_a_prepared_home(tmp_path):
    home = tmp_path / "home"
    prepare_home(Settings.from_env(home))
    assert (home / "dagster" / "dagster.yaml").exists() and (
        home / "dbt" / "target" / "manifest.json"
    ).exists()
    completed = _dagster_validate(home, tmp_path)
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "Validation successful" in completed.stderr + completed.stdout


def test_loading_an_unprepared_home_writes_nothing_and_says_what_to_run(tmp_path):
    home = tmp_path / "home"
    (home / "dagster").mkdir(parents=True)
    completed = _dagster_validate(home, tmp_path)
    assert completed.returncode != 0
    assert "pingan ui" in completed.stderr + completed.stdout
    # Dagster keeps its own instance storage under <home>/dagster; pingan's loader wrote nothing.
    assert [p for p in home.iterdir() if p.name != "dagster"] == []


def test_importing_the_definitions_touches_no_disk_and_no_environment(tmp_path):
    # Regression: importing used to create the home's folders, write dagster.yaml, set os.environ and run
    # dbt parse. Now it only defines the loader; Dagster calls it when it loads the code location.
    code = (
        "import os, json; before = dict(os.environ); import orchestration.definitions as d; "
        "print(json.dumps([dict(os.environ) == before, callable(d.defs)]))"
    )
    environment = {**os.environ, "PINGAN_HOME": str(tmp_path / "home"), "PYTHONPATH": str(ROOT)}
    completed = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=environment,
        cwd=tmp_path,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert completed.stdout.strip().splitlines()[-1] == "[true, true]"
    assert list(tmp_path.iterdir()) == []
