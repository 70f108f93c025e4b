import datetime as dt

import pytest

from base.calendar import period_from_text as parse_period
from ingest.normalise import parse_number, parse_yes_no


@pytest.mark.parametrize(
    ("raw", "value_type", "expected"),
    [
        (40988.0, "count", 40988.0),
        ("40,988", "count", 40988.0),
        ("１２３", "count", 123.0),
        (" 12 ", "count", 12.0),
        ("无", "count", 0.0),
        ("96%", "percent", 96.0),
        ("96.0％", "percent", 96.0),
        (96, "percent", 96.0),
        (0.96, "percent", 96.0),
        ("95%", "ratio", 0.95),
        (0.95, "ratio", 0.95),
    ],
)
def test_numbers_as_counties_type_them(raw, value_type, expected):
    reading = parse_number(raw, value_type)
    assert reading.ok and reading.value == pytest.approx(expected)


@pytest.mark.parametrize("raw", [None, "", "—", "－", "/", "-"])
def test_unknown_is_never_zero(raw):
    assert parse_number(raw, "count").value is None
    assert parse_number(raw, "count").ok


@pytest.mark.parametrize(
    ("raw", "problem"), [("abc", "不是有效数字"), ("5%", "不应带百分号"), ("无", "只能用于个数")]
)
def test_unreadable_values_say_why(raw, problem):
    value_type = "percent" if raw == "无" else "count"
    reading = parse_number(raw, value_type)
    assert reading.value is None and problem in reading.problem


@pytest.mark.parametrize(
    "raw",
    ["2022-01", "2022年1月", "2022.1", 2022.1, "202201", "2022/01", dt.date(2022, 1, 1), "２０２２年１月"],
)
def test_periods_in_every_written_form(raw):
    assert parse_period(raw) == ("2022-01", None)


def test_impossible_period_is_refused():
    period, problem = parse_period("2022年13月")
    assert period is None and "不是有效的年月" in problem


def test_yes_no():
    assert parse_yes_no("是") == (True, None)
    assert parse_yes_no("否") == (False, None)
    assert parse_yes_no("也许")[1] is not None
