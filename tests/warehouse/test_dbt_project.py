"""The dbt project's configuration, read from the manifest of the scenario build: settings that can be
wrong without failing (a misspelt key silently does nothing) are pinned here."""

from __future__ import annotations

import json

import pytest
from warehouse_builder import DBT_PROJECT_DIR

SCHEMAS = {"staging": "staging", "intermediate": "intermediate", "marts": "marts"}


@pytest.fixture(scope="module")
def manifest(scenario_warehouse) -> dict:
    path = scenario_warehouse.work_dir / "dbt_target" / "manifest.json"
    return json.loads(path.read_text(encoding="utf-8"))


def models(manifest: dict) -> list[dict]:
    return [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["package_name"] == "pingan"
    ]


def test_every_model_has_a_yaml_description(manifest):
    undocumented = [
        m["name"] for m in models(manifest) if not m["description"].strip() or not m["patch_path"]
    ]
    assert undocumented == []


def test_every_mart_has_an_enforced_contract_with_typed_columns(manifest):
    marts = [m for m in models(manifest) if m["fqn"][1] == "marts"]
    assert {m["name"] for m in marts} >= {
        "dim_units",
        "dim_indicators",
        "fct_indicator_values",
        "fct_prefecture_values",
        "fct_target_attainment",
        "fct_unit_scores",
        "fct_indicator_rankings",
        "fct_submission_status",
        "fct_period_submission_rates",
        "fct_validation_findings",
    }
    for mart in marts:
        assert mart["config"]["contract"]["enforced"], mart["name"]
        assert mart["columns"] and all(c["data_type"] for c in mart["columns"].values()), mart["name"]
        # A table either way: incremental ones are rebuilt by period (dbt_project.yml, &rebuilt_by_period).
        assert mart["config"]["materialized"] in {"table", "incremental"}, mart["name"]
        if mart["config"]["materialized"] == "incremental":
            assert mart["config"]["on_schema_change"] == "fail", mart["name"]


def test_models_land_in_their_schema_by_folder(manifest):
    for model in models(manifest):
        folder = model["fqn"][1]
        assert model["schema"] == SCHEMAS[folder], model["name"]
        assert model["name"].startswith(
            {"staging": "stg_", "intermediate": "int_", "marts": ("dim_", "fct_")}[folder]
        ), model["name"]


def test_seeds_load_into_reference_with_codes_as_text(manifest):
    seeds = {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "seed"}
    assert set(seeds) == {p.stem for p in (DBT_PROJECT_DIR / "seeds").glob("*.csv")}
    assert {s["schema"] for s in seeds.values()} == {"reference"}
    assert seeds["units"]["config"]["column_types"]["unit_code"] == "varchar"
    assert seeds["indicators"]["config"]["column_types"]["indicator_code"] == "varchar"


def test_codes_stay_text_in_the_warehouse(scenario_warehouse):
    assert (
        scenario_warehouse.one(
            "select data_type from information_schema.columns"
            " where table_schema = 'reference' and table_name = 'units' and column_name = 'unit_code'"
        )
        == "VARCHAR"
    )


def test_unit_tests_cover_the_rules_that_are_easy_to_get_wrong(manifest):
    tested = {(t["model"], t["name"]) for t in manifest["unit_tests"].values()}
    assert {model for model, _ in tested} >= {
        "int_unit_score_ranks",
        "int_unit_score_history",
        "int_target_actuals",
        "int_target_attainment",
        "int_ratio_values",
    }


def test_measure_unit_conversions_are_one_row_per_unit_pair_of_a_catalogue_unit(manifest):
    # The reader trusts measure_units.csv (one factor per catalogue unit and unit typed): dbt checks it.
    tests = [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test" and node.get("attached_node") == "seed.pingan.measure_units"
    ]
    checks = {(t["test_metadata"]["name"], t["column_name"]) for t in tests}
    assert checks >= {("unique_combination", None), ("relationships", "measure_unit"), ("not_null", "factor")}
    (combination,) = [t for t in tests if t["test_metadata"]["name"] == "unique_combination"]
    assert combination["test_metadata"]["kwargs"]["columns"] == ["measure_unit", "typed_unit"]
    assert manifest["nodes"]["seed.pingan.measure_units"]["config"]["column_types"]["factor"] == "varchar"
