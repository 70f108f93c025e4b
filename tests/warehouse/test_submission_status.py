"""Submission calendar, statuses, rates and findings of the hand-worked scenario."""

from __future__ import annotations

import pytest
from warehouse_scenario import BIJIE, DAFANG, JINSHA, ZHIJIN

NAYONG = "522426"


def status(warehouse, unit: str, period: str) -> tuple:
    return warehouse.one(
        "select status_label, on_time, late, missing, rejected, version, versions_received, error_count,"
        " warning_count from marts.fct_submission_status where unit_code = ? and period = ?",
        [unit, period],
    )


def test_every_unit_is_expected_every_month_from_first_to_last_report(scenario_warehouse):
    assert scenario_warehouse.one(
        "select count(distinct unit_code), count(distinct period), min(period), max(period), count(*)"
        " from marts.fct_submission_status"
    ) == (9, 15, "2021-01", "2022-03", 135)


def test_status_labels(scenario_warehouse):
    assert status(scenario_warehouse, BIJIE, "2022-01") == ("已报", True, False, False, False, 1, 1, 0, 0)
    assert status(scenario_warehouse, DAFANG, "2022-01") == ("逾期", False, True, False, False, 1, 1, 0, 0)
    assert status(scenario_warehouse, NAYONG, "2022-03") == (
        "未报",
        False,
        False,
        True,
        False,
        None,
        0,
        None,
        None,
    )
    assert status(scenario_warehouse, ZHIJIN, "2022-03") == ("退回", False, False, False, True, None, 1, 1, 0)


def test_report_received_on_the_deadline_day_is_on_time(scenario_warehouse):
    # Received 2022-03-05 23:30; February's deadline is the 5th of March, inclusive.
    assert status(scenario_warehouse, JINSHA, "2022-02") == ("已报", True, False, False, False, 1, 1, 0, 2)
    assert (
        scenario_warehouse.one(
            "select deadline::varchar from marts.fct_submission_status where unit_code = ? and period = '2022-02'",
            [JINSHA],
        )
        == "2022-03-05"
    )


def test_status_describes_the_version_used(scenario_warehouse):
    files = scenario_warehouse.files
    assert scenario_warehouse.one(
        "select version, versions_received, sha256, received_at::varchar from marts.fct_submission_status"
        " where unit_code = ? and period = '2022-02'",
        [BIJIE],
    ) == (2, 2, files["bijie_feb_v2"], "2022-03-04 09:00:00")
    # Version 2 of 大方县 March was rejected after version 1 was accepted: version 1 still counts.
    assert scenario_warehouse.one(
        "select status_label, version, versions_received, sha256 from marts.fct_submission_status"
        " where unit_code = ? and period = '2022-03'",
        [DAFANG],
    ) == ("已报", 1, 2, files["dafang_mar_v1"])


def test_period_completeness_and_timeliness(scenario_warehouse):
    rows = scenario_warehouse.rows(
        "select period, units_expected, units_received, units_on_time, units_late, units_missing,"
        " units_rejected, completeness_rate, timeliness_rate from marts.fct_period_submission_rates"
        " where period in ('2022-01', '2022-03') order by period"
    )
    assert rows == [
        ("2022-01", 9, 3, 2, 1, 6, 0, pytest.approx(3 / 9), pytest.approx(2 / 9)),
        ("2022-03", 9, 3, 3, 0, 5, 1, pytest.approx(3 / 9), pytest.approx(3 / 9)),
    ]


def test_timeliness_indicator_counts_on_time_months(scenario_warehouse):
    # 大方县: January late, February and March on time.
    assert scenario_warehouse.one(
        "select value from marts.fct_indicator_values"
        " where unit_code = ? and indicator_code = 'Q01' and period_type = 'quarter' and period = '2022Q1'",
        [DAFANG],
    ) == pytest.approx(2 / 3)


def test_findings_carry_their_file(scenario_warehouse):
    assert scenario_warehouse.rows(
        "select unit_code, period, version, rule_id, severity, cell, message, status"
        " from marts.fct_validation_findings"
    ) == [
        (ZHIJIN, "2022-03", 1, "D03_LE_D02", "error", "D17", "调解成功数不能大于调解民间纠纷数", "rejected")
    ]
