"""A fresh home: dbt builds on raw tables that ingest has created but not yet filled."""

from __future__ import annotations

import pytest
from warehouse_builder import RawWarehouse, build_marts, query

MARTS = (
    "fct_indicator_values",
    "fct_target_attainment",
    "fct_unit_scores",
    "fct_submission_status",
    "fct_period_submission_rates",
    "fct_indicator_rankings",
    "fct_validation_findings",
)


@pytest.fixture(scope="module")
def empty_warehouse(tmp_path_factory: pytest.TempPathFactory):
    work_dir = tmp_path_factory.mktemp("empty")
    raw = RawWarehouse(work_dir / "warehouse.duckdb")
    build_marts(raw.path, work_dir)
    return raw.path


def test_empty_raw_tables_build_empty_marts(empty_warehouse):
    assert {
        table: query(empty_warehouse, f"select count(*) from marts.{table}")[0][0] for table in MARTS
    } == {table: 0 for table in MARTS}


def test_dimensions_are_loaded_from_the_catalogue(empty_warehouse):
    from base import catalogue

    assert query(empty_warehouse, "select unit_code from marts.dim_units order by sort_order") == [
        (unit.code,) for unit in catalogue.units()
    ]
    assert query(empty_warehouse, "select count(*) from marts.dim_indicators")[0][0] == len(
        catalogue.indicators()
    )
