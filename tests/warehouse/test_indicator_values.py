"""Indicator values, prefecture totals and league tables of the hand-worked scenario."""

from __future__ import annotations

import pytest
from warehouse_scenario import BIJIE, DAFANG, JINSHA, ZHIJIN


def value(warehouse, unit: str, code: str, period_type: str, period: str, column: str = "value"):
    return warehouse.one(
        f"select {column} from marts.fct_indicator_values"
        " where unit_code = ? and indicator_code = ? and period_type = ? and period = ?",
        [unit, code, period_type, period],
    )


def test_latest_accepted_version_supersedes_the_earlier_one(scenario_warehouse):
    assert value(scenario_warehouse, BIJIE, "C02", "month", "2022-02") == 10.0  # v1 said 99
    assert value(scenario_warehouse, BIJIE, "P01", "month", "2022-02") == 1010.0  # v1 said 999


def test_rejected_version_never_reaches_the_values(scenario_warehouse):
    assert value(scenario_warehouse, DAFANG, "D03", "month", "2022-03") == 96.0  # rejected v2 said 5000
    assert (
        scenario_warehouse.one(
            "select count(*) from marts.fct_indicator_values where unit_code = ? and indicator_code != 'Q01'",
            [ZHIJIN],
        )
        == 0
    )


def test_flows_add_up_over_year_to_date_quarter_and_year(scenario_warehouse):
    sums = scenario_warehouse.rows(
        "select period_type, period, value from marts.fct_indicator_values"
        " where unit_code = ? and indicator_code = 'C02' order by period_type, period",
        [BIJIE],
    )
    assert sums == [
        ("month", "2021-01", 5.0),
        ("month", "2021-12", 10.0),
        ("month", "2022-01", 10.0),
        ("month", "2022-02", 10.0),
        ("month", "2022-03", 10.0),
        ("quarter", "2021Q1", 5.0),
        ("quarter", "2021Q4", 10.0),
        ("quarter", "2022Q1", 30.0),
        ("year", "2021", 15.0),
        ("year", "2022", 30.0),
        ("ytd", "2021-01", 5.0),
        ("ytd", "2021-12", 15.0),
        ("ytd", "2022-01", 10.0),
        ("ytd", "2022-02", 20.0),
        ("ytd", "2022-03", 30.0),
    ]


def test_stocks_take_the_latest_reported_month(scenario_warehouse):
    # P01 is 1000 in January, 1010 in February, blank (unknown, not zero) in March.
    assert value(scenario_warehouse, BIJIE, "P01", "month", "2022-03") is None
    assert value(scenario_warehouse, BIJIE, "P01", "ytd", "2022-03") == 1010.0
    assert value(scenario_warehouse, BIJIE, "P01", "quarter", "2022Q1") == 1010.0


def test_period_keys_and_dates(scenario_warehouse):
    assert scenario_warehouse.rows(
        "select period_type, period, year, period_start::varchar, period_end::varchar"
        " from marts.fct_indicator_values where unit_code = ? and indicator_code = 'C02' and year = 2022"
        " and period in ('2022-02', '2022Q1', '2022') order by period_type",
        [BIJIE],
    ) == [
        ("month", "2022-02", 2022, "2022-02-01", "2022-02-28"),
        ("quarter", "2022Q1", 2022, "2022-01-01", "2022-03-31"),
        ("year", "2022", 2022, "2022-01-01", "2022-12-31"),
        ("ytd", "2022-02", 2022, "2022-01-01", "2022-02-28"),
    ]


def test_last_year_comes_from_the_warehouse_when_complete_else_from_the_county(scenario_warehouse):
    # January 2021 is in the warehouse (5), so the county's 去年同期数 (8) is not used for January 2022.
    columns = "value_last_year, yoy_change, change_vs_last_year, last_year_source"
    assert value(scenario_warehouse, BIJIE, "C02", "month", "2022-01", columns) == (
        5.0,
        1.0,
        5.0,
        "warehouse",
    )
    # January to March 2021 is not complete in the warehouse: the county's own figures, 3 x 8.
    assert value(scenario_warehouse, BIJIE, "C02", "ytd", "2022-03", columns) == (24.0, 0.25, 6.0, "reported")


def test_counts_per_10k_residents(scenario_warehouse):
    assert value(scenario_warehouse, BIJIE, "C02", "ytd", "2022-03", "value_per_10k") == pytest.approx(
        30 * 10_000 / 1_130_000
    )
    assert value(scenario_warehouse, BIJIE, "R04", "ytd", "2022-03", "value_per_10k") is None


def test_rates_are_ratios_of_the_period_sums(scenario_warehouse):
    assert value(scenario_warehouse, DAFANG, "R04", "ytd", "2022-03") == pytest.approx(288 / 300)
    assert value(scenario_warehouse, BIJIE, "R09", "ytd", "2022-03") == pytest.approx(60 * 10_000 / 1_130_000)


def test_zero_denominator_gives_null_not_an_error(scenario_warehouse):
    # Every unit reported C05 = 0 (no homicides) and 毕节市 K03 = 0: R03 and R08 have no value.
    assert scenario_warehouse.rows(
        "select distinct value from marts.fct_indicator_values where indicator_code = 'R03'"
    ) == [(None,)]
    assert value(scenario_warehouse, BIJIE, "R08", "ytd", "2022-03") is None
    assert (
        scenario_warehouse.one(
            "select value from marts.fct_prefecture_values"
            " where indicator_code = 'R03' and period_type = 'ytd' and period = '2022-03'"
        )
        is None
    )
    assert (
        scenario_warehouse.one(
            "select count(*) from marts.fct_indicator_rankings where indicator_code in ('R03', 'R08')"
        )
        == 0
    )


def test_prefecture_rate_is_the_ratio_of_summed_figures(scenario_warehouse):
    # (133 + 96 + 97) x 3 settled / (200 + 100 + 100) x 3 mediated.
    assert scenario_warehouse.one(
        "select value from marts.fct_prefecture_values"
        " where indicator_code = 'R04' and period_type = 'ytd' and period = '2022-03'"
    ) == pytest.approx(978 / 1200)
    assert scenario_warehouse.one(
        "select value, value_last_year, yoy_change from marts.fct_prefecture_values"
        " where indicator_code = 'C02' and period_type = 'ytd' and period = '2022-03'"
    ) == (84.0, 72.0, pytest.approx(84 / 72 - 1))


def test_league_table_ties_and_direction(scenario_warehouse):
    # D04 群体性事件数: lower is better; 金沙县 had one incident.
    assert scenario_warehouse.rows(
        "select unit_code, ranked_value, rank, units_ranked from marts.fct_indicator_rankings"
        " where indicator_code = 'D04' and period_type = 'ytd' and period = '2022-03' order by unit_code"
    ) == [(BIJIE, 0.0, 1, 3), (DAFANG, 0.0, 1, 3), (JINSHA, 1.0, 3, 3)]


def test_league_table_ranks_counts_per_10k_with_a_prefecture_mean(scenario_warehouse):
    rows = scenario_warehouse.rows(
        "select unit_code, rank_basis, ranked_value, rank, prefecture_mean from marts.fct_indicator_rankings"
        " where indicator_code = 'C01' and period_type = 'month' and period = '2022-03' order by rank"
    )
    per_10k = {BIJIE: 20 * 10_000 / 1_130_000, DAFANG: 10 * 10_000 / 780_000, JINSHA: 30 * 10_000 / 560_000}
    assert [(unit, basis, rank) for unit, basis, _, rank, _ in rows] == [
        (DAFANG, "per_10k", 1),
        (BIJIE, "per_10k", 2),
        (JINSHA, "per_10k", 3),
    ]
    assert [row[2] for row in rows] == pytest.approx([per_10k[DAFANG], per_10k[BIJIE], per_10k[JINSHA]])
    assert rows[0][4] == pytest.approx(sum(per_10k.values()) / 3)
