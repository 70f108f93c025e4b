"""Composite scores, grades, ranks, vetoes and yellow cards of the hand-worked scenario
(warehouse_scenario.py explains every number)."""

from __future__ import annotations

from warehouse_scenario import BIJIE, DAFANG, JINSHA


def scores(warehouse, period_type: str, period: str) -> dict[str, tuple]:
    rows = warehouse.rows(
        "select unit_code, score, grade, veto, rank, units_ranked, rank_change from marts.fct_unit_scores"
        " where period_type = ? and period = ?",
        [period_type, period],
    )
    return {row[0]: row[1:] for row in rows}


def test_tied_units_share_rank_one_and_vetoed_unit_ranks_last_despite_higher_score(scenario_warehouse):
    assert scores(scenario_warehouse, "month", "2022-03") == {
        BIJIE: (85.0, "良好", False, 1, 3, 0),
        DAFANG: (85.0, "良好", False, 1, 3, 0),
        JINSHA: (87.5, "不合格", True, 3, 3, 0),
    }


def test_quarter_scores_compare_year_to_date_at_quarter_end(scenario_warehouse):
    assert scores(scenario_warehouse, "quarter", "2022Q1") == {
        BIJIE: (85.0, "良好", False, 1, 3, 2),
        DAFANG: (85.0, "良好", False, 1, 3, 0),
        JINSHA: (87.5, "不合格", True, 3, 3, -2),
    }


def test_rank_change_compares_january_with_december_of_the_previous_year(scenario_warehouse):
    december = scores(scenario_warehouse, "month", "2021-12")
    assert {unit: row[3] for unit, row in december.items()} == {BIJIE: 3, DAFANG: 1, JINSHA: 1}
    assert {unit: row[5] for unit, row in december.items()} == {BIJIE: None, DAFANG: None, JINSHA: None}
    january = scores(scenario_warehouse, "month", "2022-01")
    assert {unit: row[5] for unit, row in january.items()} == {BIJIE: 2, DAFANG: 0, JINSHA: -2}


def test_points_are_counted_over_evaluated_targets_only(scenario_warehouse):
    # S02 (20 points) has no survey result, so 80 points are evaluated; 毕节市 earns 28 + 30 + 10.
    assert scenario_warehouse.one(
        "select points_earned, points_evaluated from marts.fct_unit_scores"
        " where unit_code = ? and period_type = 'month' and period = '2022-03'",
        [BIJIE],
    ) == (68.0, 80.0)


def test_veto_reason_and_yellow_cards(scenario_warehouse):
    rows = scenario_warehouse.rows(
        "select period, veto_reason, yellow_card, yellow_card_reason from marts.fct_unit_scores"
        " where unit_code = ? and period_type = 'month' and year = 2022 order by period",
        [JINSHA],
    )
    assert rows == [
        ("2022-01", "群体性事件数 1 > 目标 0，未达标", True, "综合考评等级为不合格"),
        ("2022-02", "群体性事件数 1 > 目标 0，未达标", True, "综合考评等级为不合格；连续2期排名末位"),
        ("2022-03", "群体性事件数 1 > 目标 0，未达标", True, "综合考评等级为不合格；连续3期排名末位"),
    ]
    assert (
        scenario_warehouse.one(
            "select count(*) from marts.fct_unit_scores where unit_code in (?, ?) and yellow_card and year = 2022",
            [BIJIE, DAFANG],
        )
        == 0
    )


def test_year_rows_exist_only_for_years_with_december_data(scenario_warehouse):
    rows = scenario_warehouse.rows(
        "select period, count(*) from marts.fct_unit_scores where period_type = 'year' group by period"
    )
    assert rows == [("2021", 3)]


def test_min_target_below_pro_rated_target_earns_points_in_proportion(scenario_warehouse):
    row = scenario_warehouse.one(
        "select target_value, target_value_effective, actual_value, attained, points_earned, reason"
        " from marts.fct_target_attainment"
        " where unit_code = ? and period_type = 'month' and period = '2022-03' and indicator_code = 'C02'",
        [DAFANG],
    )
    assert row == (
        120.0,
        30.0,
        18.0,
        False,
        18.0,
        "刑事案件破案数 18 < 目标 30（全年120×3/12），未达标，按比例得18.0分",
    )


def test_rate_target_reason_formats_percent(scenario_warehouse):
    assert (
        scenario_warehouse.one(
            "select reason from marts.fct_target_attainment"
            " where unit_code = ? and period_type = 'month' and period = '2022-03' and indicator_code = 'R04'",
            [DAFANG],
        )
        == "调解成功率 96.0% ≥ 目标 95.0%，达标"
    )


def test_survey_target_without_result_is_not_evaluated(scenario_warehouse):
    assert scenario_warehouse.one(
        "select evaluated, attained, points_earned, reason from marts.fct_target_attainment"
        " where unit_code = ? and period_type = 'month' and period = '2022-03' and indicator_code = 'S02'",
        [BIJIE],
    ) == (False, None, None, "本年度尚无测评结果，本项不计分")


def test_unit_without_a_report_scores_zero_and_says_so(scenario_warehouse):
    rows = scenario_warehouse.rows(
        "select indicator_code, attained, points_earned, reason from marts.fct_target_attainment"
        " where unit_code = ? and period_type = 'month' and period = '2021-01' and evaluated"
        " order by indicator_code",
        [DAFANG],
    )
    assert rows == [
        ("C02", False, 0.0, "刑事案件破案数 未报送/无数据，未达标"),
        ("D04", False, 0.0, "群体性事件数 未报送/无数据，未达标"),
        ("R04", False, 0.0, "调解成功率 未报送/无数据，未达标"),
    ]
    assert scores(scenario_warehouse, "month", "2021-01")[DAFANG][:4] == (0.0, "不合格", True, 2)
