"""A build with nothing to do is not run (orchestration/build_inputs.py): the warehouse records what its
build read and how its dbt tests came out; a build whose inputs equal that record reuses it, and any
change to what dbt reads (a raw row, a seed, a project file) builds again."""

import dataclasses
import itertools
import shutil

import dagster as dg
import duckdb
import pytest

import orchestration.build_inputs as build_inputs_module
from base.settings import DBT_PROJECT_DIR
from ingest.intake import ingest_files
from orchestration.build_inputs import (
    REFERENCE_KEPT,
    UNCHANGED,
    build_inputs,
    changed_months,
    recorded_build,
)
from orchestration.runs import execute_job
from orchestration.warehouse import BUILD_ARGS, build_warehouse, warehouse_build, writer_lock
from tests.orchestration.conftest import copy_home, definitions_for, instance_for, settings_for
from tests.orchestration.demo_files import demo_file, write_demo_file

OUTSTANDING_REJECTIONS = ("staging/stg_submissions", "raw_no_outstanding_rejections")  # severity warn
REFERENCE_DATA = {
    *(
        f"reference/{seed}"
        for seed in (
            "grades",
            "indicators",
            "measure_units",
            "scoring_settings",
            "target_types",
            "townships",
            "unit_aliases",
            "units",
        )
    ),
    *(
        f"staging/stg_{name}"
        for name in ("grades", "indicators", "scoring_settings", "target_types", "units")
    ),
    "intermediate/int_settings",
    "marts/dim_indicators",
    "marts/dim_units",
}


def check_outcomes(result: dg.ExecuteInProcessResult) -> dict[tuple[str, str], tuple]:
    outcomes = {}
    for event in result.all_events:
        if event.event_type_value == "ASSET_CHECK_EVALUATION":
            data = event.asset_check_evaluation_data
            failed = data.metadata.get("dagster_dbt/failed_row_count")
            key = (data.asset_key.to_user_string(), data.check_name)
            outcomes[key] = (data.passed, data.severity, failed.value if failed else None)
    return outcomes


def materialised(result: dg.ExecuteInProcessResult) -> dict[str, dict]:
    return {
        event.asset_key.to_user_string(): event.materialization.metadata
        for event in result.all_events
        if event.event_type_value == "ASSET_MATERIALIZATION"
    }


@pytest.mark.e2e
def test_a_run_with_nothing_new_reuses_the_build_with_its_test_outcomes(built_home, tmp_path):
    home = copy_home(built_home.home, tmp_path / "home")
    june = demo_file("522424", "2022-06")  # 金沙县, returned: the warn-level test fails in the build
    wrong = write_demo_file(tmp_path / "金沙县", june, values={**june.values, "D03": june.values["D02"] + 1})
    assert [r.status for r in ingest_files([wrong], home.root)] == ["rejected"]
    definitions = definitions_for(home)
    with instance_for(home) as instance:
        built = execute_job(definitions, "refresh_job", instance)
        warehouse = home.warehouse.stat()
        run_results = (home.dbt_build_target / "run_results.json").stat()
        again = execute_job(definitions, "refresh_job", instance)
    assert built.success and again.success

    # Not built again: dbt did not start, and the warehouse file was not swapped.
    assert (home.dbt_build_target / "run_results.json").stat().st_mtime_ns == run_results.st_mtime_ns
    assert home.warehouse.stat().st_ino == warehouse.st_ino
    assert home.warehouse.stat().st_mtime_ns == warehouse.st_mtime_ns
    # Every model and seed is reported with the reason, and every dbt test as it came out in the build.
    models = {key: metadata for key, metadata in materialised(again).items() if not key.startswith("raw/")}
    assert set(models) == {key for key in materialised(built) if not key.startswith("raw/")}
    assert len(models) > 40 and all(m["pingan/unchanged"].value == UNCHANGED for m in models.values())
    # The first run was a partial build (June's raw rows changed): it reported the reference data (dbt
    # tag reference), which it left out, as it stood, and built everything else.
    kept = {
        key: m["pingan/unchanged"].value for key, m in materialised(built).items() if "pingan/unchanged" in m
    }
    assert kept == dict.fromkeys(REFERENCE_DATA, REFERENCE_KEPT)
    outcomes = check_outcomes(again)
    assert outcomes == check_outcomes(built) and len(outcomes) > 120
    assert outcomes[OUTSTANDING_REJECTIONS] == (False, dg.AssetCheckSeverity.WARN, 1)
    assert sum(passed for passed, _, _ in outcomes.values()) == len(outcomes) - 1


def test_what_a_build_reads_is_its_digest_and_a_change_to_any_of_it_builds_again(
    built_home, tmp_path, reference_copy, monkeypatch
):
    home = copy_home(built_home.home, tmp_path / "home")
    settings = settings_for(home)
    built = build_inputs(settings, home.warehouse, BUILD_ARGS)
    assert recorded_build(home.warehouse).inputs == built  # the Dagster run that built it recorded it

    # Nothing changed: no dbt, the same file, what the build's tests gave.
    before = home.warehouse.stat()
    summary = build_warehouse(settings)
    assert summary.unchanged and summary.warned == 0 and summary.passed > 120
    assert home.warehouse.stat().st_ino == before.st_ino

    def digest_after(sql: str) -> str:
        copy = tmp_path / "changed.duckdb"
        shutil.copyfile(home.warehouse, copy)
        with duckdb.connect(str(copy)) as connection:
            connection.execute(sql)
        return build_inputs(settings, copy, BUILD_ARGS)

    # The order rows were written in is not an input; every value, row and column is.
    assert (
        digest_after(
            "create table raw.t as select * from raw.indicator_values order by random(); "
            "delete from raw.indicator_values; "
            "insert into raw.indicator_values select * from raw.t; drop table raw.t"
        )
        == built
    )
    changed = {
        "a value": "update raw.indicator_values set value = value + 1 where rowid = 7",
        "a row": "delete from raw.township_values where rowid = 3",
        "a status": "update raw.submissions set status = 'rejected' where rowid = 0",
        "a column": "alter table raw.targets add column added_by_hand varchar",
    }
    digests = {what: digest_after(sql) for what, sql in changed.items()}
    assert built not in digests.values()
    assert all(a != b for a, b in itertools.combinations(digests.values(), 2))
    # A row of a monthly report changes its month's digest only (a partial build reaches from there);
    # a column is outside every month (a full build).
    with duckdb.connect(str(home.warehouse), read_only=True) as connection:
        (month_of_row_7,) = connection.execute(
            "select period from raw.submissions where sha256 = "
            "(select sha256 from raw.indicator_values where rowid = 7)"
        ).fetchone()
    assert changed_months(built, digests["a value"]) == [month_of_row_7]
    assert changed_months(built, digests["a column"]) is None

    # The reference seeds and the dbt project are inputs too.
    reference_copy.change("grades", "grade", "优秀", min_score="91")
    assert (
        build_inputs(
            dataclasses.replace(settings, reference_dir=reference_copy.folder), home.warehouse, BUILD_ARGS
        )
        != built
    )
    project = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project)
    monkeypatch.setattr(build_inputs_module, "DBT_PROJECT_DIR", project)
    assert build_inputs(settings, home.warehouse, BUILD_ARGS) == built
    model = next(project.glob("models/marts/*.sql"))
    model.write_text(model.read_text(encoding="utf-8") + "\n-- a comment is a change\n", encoding="utf-8")
    assert build_inputs(settings, home.warehouse, BUILD_ARGS) != built
    monkeypatch.undo()

    # Some models only (a selection in Dagster's UI): never skipped, and the file then records nothing.
    with writer_lock(settings), warehouse_build(settings, tmp_path / "target", whole=False) as place:
        assert place.path == home.staging_warehouse
    assert recorded_build(home.warehouse) is None
    # A warehouse file no build recorded (that one, or one rebuilt from the archive) is built.
    with (
        pytest.raises(RuntimeError, match="not built here"),
        writer_lock(settings),
        warehouse_build(settings, home.dbt_target) as place,
    ):
        assert place.path == home.staging_warehouse
        raise RuntimeError("not built here")
    assert not home.staging_warehouse.exists()
