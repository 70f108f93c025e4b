"""Why a rank has no change, as the marts say it (rank_change_status), on a real dbt build of a year that
was reported but never assessed (unassessed_year.py explains every number). Regression (issue 14): the
2022 annual bulletin called every unit 新 although every unit had reported all of 2021; there was simply
no 2021 composite score."""

from __future__ import annotations

import pytest

from tests.warehouse import unassessed_year as scenario
from tests.warehouse.unassessed_year import BIJIE, DAFANG, JINSHA, ZHIJIN
from tests.warehouse.warehouse_builder import RawWarehouse, build_marts, query

RANKED = (BIJIE, DAFANG, ZHIJIN, JINSHA)  # 100.0, 96.8, 90.5, 88.0 in every 2022 period


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    work = tmp_path_factory.mktemp("unassessed")
    raw = RawWarehouse(work / "warehouse.duckdb")
    scenario.build(raw)
    scenario.add_2022_targets(raw)
    build_marts(raw.path, work)
    return raw.path


def unit_ranks(warehouse, period_type: str, period: str) -> list[tuple]:
    return query(
        warehouse,
        "select unit_code, score, rank, rank_change, rank_change_status from marts.fct_unit_scores "
        "where period_type = ? and period = ? order by rank",
        [period_type, period],
    )


@pytest.mark.parametrize(
    ("period_type", "period"), [("year", "2022"), ("quarter", "2022Q1"), ("month", "2022-01")]
)
def test_a_year_without_targets_leaves_next_years_first_ranks_not_new_but_not_assessed(
    warehouse, period_type, period
):
    # The previous year, quarter or month is in 2021: reported, but without targets nobody was scored.
    scores = (100.0, 96.8, 90.5, 88.0)
    assert unit_ranks(warehouse, period_type, period) == [
        (unit, score, rank, None, "previous_year_not_assessed")
        for rank, (unit, score) in enumerate(zip(RANKED, scores, strict=True), start=1)
    ]
    assert query(warehouse, "select count(*) from marts.fct_unit_scores where year = 2021") == [(0,)]


def test_ranks_within_a_year_are_compared_and_a_month_after_a_gap_has_no_previous_period(warehouse):
    february = unit_ranks(warehouse, "month", "2022-02")
    assert [(unit, rank, change, status) for unit, _, rank, change, status in february] == [
        (BIJIE, 1, 0, "compared"),
        (DAFANG, 2, 0, "compared"),
        (ZHIJIN, 3, 0, "compared"),
        (JINSHA, 4, 0, "compared"),
    ]
    # Nothing from March to November: December's previous month and Q4's previous quarter have no data.
    for period_type, period in (("month", "2022-12"), ("quarter", "2022Q4")):
        statuses = {row[4] for row in unit_ranks(warehouse, period_type, period)}
        assert statuses == {"no_previous_period"}, period


def test_league_table_of_january_compares_with_last_december_and_new_means_absent_then(warehouse):
    rows = query(
        warehouse,
        "select period, unit_code, value, rank, rank_change, rank_change_status from marts.fct_indicator_rankings "
        "where indicator_code = 'R04' and period_type = 'ytd' and period in ('2021-12', '2022-01') "
        "order by period, rank",
    )
    assert rows == [
        ("2021-12", JINSHA, 0.96, 1, None, "no_previous_period"),
        ("2021-12", BIJIE, 0.9, 2, None, "no_previous_period"),
        ("2021-12", DAFANG, 0.76, 3, None, "no_previous_period"),
        ("2022-01", BIJIE, 0.96, 1, 1, "compared"),  # league tables need no targets: 2021 is compared
        ("2022-01", DAFANG, 0.9, 2, 1, "compared"),
        ("2022-01", ZHIJIN, 0.8, 3, None, "new"),  # no 2021 report: absent from December's table
        ("2022-01", JINSHA, 0.76, 4, -3, "compared"),
    ]
