"""The dbt project's configuration, read from the manifest of the scenario build: settings that can be
wrong without failing (a misspelt key silently does nothing) are pinned here."""

from __future__ import annotations

import json
import shutil

import duckdb
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


def declared_constraints(manifest: dict) -> set[tuple[str, str, str]]:
    """(mart, column, 'NOT NULL' or the CHECK expression) of every column constraint in _marts.yml."""
    return {
        (mart["name"], column["name"], "NOT NULL" if c["type"] == "not_null" else c["expression"])
        for mart in models(manifest)
        if mart["fqn"][1] == "marts"
        for column in mart["columns"].values()
        for c in column.get("constraints", [])
    }


def test_the_marts_columns_not_null_and_allowed_values_are_enforced_by_the_warehouse(
    manifest, scenario_warehouse, tmp_path
):
    # The marts' not-null and allowed-values rules are contract constraints (_marts.yml), not dbt tests:
    # each must be in the built tables, or a row breaking it would pass unseen.
    declared = declared_constraints(manifest)
    assert {(m, c) for m, c, rule in declared if rule == "NOT NULL"} >= {
        ("fct_indicator_values", "unit_code"),
        ("fct_indicator_values", "period"),
        ("fct_unit_scores", "rank_change_status"),
        ("fct_target_attainment", "reason"),
    }
    assert (
        "fct_indicator_values",
        "period_type",
        "period_type in ('month', 'ytd', 'quarter', 'year')",
    ) in declared
    rows = scenario_warehouse.rows(
        "select table_name, unnest(constraint_column_names), constraint_type, expression"
        " from duckdb_constraints() where schema_name = 'marts' and constraint_type in ('NOT NULL', 'CHECK')"
    )
    built = {
        (table, column, kind if kind == "NOT NULL" else expression)
        for table, column, kind, expression in rows
    }

    def normal(rule: str) -> str:  # DuckDB writes a CHECK back as "(kind IN ('flow', ...))"
        rule = rule.replace(" ", "").lower()
        return rule[1:-1] if rule.startswith("(") and rule.endswith(")") else rule

    assert {(m, c, normal(rule)) for m, c, rule in declared} == {(m, c, normal(rule)) for m, c, rule in built}

    # And DuckDB refuses a row that breaks one, as a model's insert would.
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(scenario_warehouse.path, copy)
    wal = scenario_warehouse.path.with_name(scenario_warehouse.path.name + ".wal")
    if wal.exists():  # the scenario's build may not have folded its log into the file yet
        shutil.copyfile(wal, copy.with_name(copy.name + ".wal"))
    with duckdb.connect(str(copy)) as connection:
        row = connection.execute("select * from marts.fct_indicator_values limit 1").fetchone()
        columns = [d[0] for d in connection.description]
        insert = f"insert into marts.fct_indicator_values values ({', '.join('?' * len(columns))})"
        for column, value, rule in (("unit_code", None, "NOT NULL"), ("period_type", "week", "CHECK")):
            broken = [value if name == column else v for name, v in zip(columns, row, strict=True)]
            with pytest.raises(duckdb.ConstraintException, match=rule):
                connection.execute(insert, broken)


def test_the_reference_tag_marks_what_reads_the_reference_seeds_alone(manifest):
    # A partial build leaves the tagged models and seeds out (orchestration/warehouse.py): a model that
    # reads a raw table, however indirectly, must never carry the tag, and one that reads seeds alone
    # should, or every partial build loads and tests it again.
    parents = manifest["parent_map"]

    def reads_raw(unique_id: str) -> bool:
        return unique_id.startswith("source.") or any(reads_raw(p) for p in parents.get(unique_id, []))

    built = [n for n in manifest["nodes"].values() if n["resource_type"] in ("model", "seed")]
    tagged = {n["name"] for n in built if "reference" in n["config"]["tags"]}
    assert tagged == {n["name"] for n in built if not reads_raw(n["unique_id"])}
    assert {"units", "stg_units", "int_settings", "dim_units"} <= tagged and len(tagged) == 16


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
