"""Months outside the assessment calendar are refused with a reason, not accepted and never used
(issue 19, item 10).

Regression: reports for 2000-01, 2020-12 (before the first assessed month) and the current, unfinished
month were answered 已接收 although no mart or bulletin would ever use them; only 2099-12 was refused."""

import datetime as dt

import pytest

from base import calendar
from ingest.arrivals import state_arrivals
from ingest.intake import ingest_files
from tests.ingest.workbooks import write_report


def errors(result) -> list[tuple[str, str]]:
    return [(e["rule_id"], e["message"]) for e in result.errors if e["severity"] == "error"]


@pytest.mark.parametrize(
    ("period", "rule", "message"),
    [
        (
            "2000-01",
            "ID07",
            "报送期间「2000-01」早于考核起始月份（2021年1月），不在考核期内，本报表不会被使用",
        ),
        (
            "2020-12",
            "ID07",
            "报送期间「2020-12」早于考核起始月份（2021年1月），不在考核期内，本报表不会被使用",
        ),
        ("2099-12", "ID05", "报送期间「2099-12」晚于当前月份"),
    ],
)
def test_a_month_outside_the_calendar_is_refused(tmp_path, period, rule, message):
    (result,) = ingest_files([write_report(tmp_path / f"{period}.xlsx", period=period)], tmp_path / "home")
    assert result.status == "rejected"
    assert errors(result) == [(rule, message)]
    assert result.errors[0]["cell"] == "B3" and result.errors[0]["sheet"] == "基本信息"


def test_the_current_month_is_refused_until_it_is_over(tmp_path):
    this_month = calendar.month_of(calendar.local_now())
    (result,) = ingest_files([write_report(tmp_path / "now.xlsx", period=this_month)], tmp_path / "home")
    assert result.status == "rejected"
    ((rule, message),) = errors(result)
    assert rule == "ID08"
    assert message.startswith(f"报送期间「{this_month}」在收到文件时（{result.received_at[:10]}")
    assert message.endswith("尚未结束，月报只能在该月结束后报送")
    last_month = calendar.previous_month(calendar.local_now())
    (result,) = ingest_files([write_report(tmp_path / "last.xlsx", period=last_month)], tmp_path / "home")
    assert result.status == "accepted"


def test_a_month_is_judged_against_when_the_file_arrived_not_when_it_is_read(tmp_path):
    # The office stated that the January report arrived on 31 January: January was not over then, and
    # reading it again later (a rebuild) gives the same answer.
    report = write_report(tmp_path / "jan.xlsx", period="2022-01")
    home = tmp_path / "home"
    state_arrivals(home / "archive", [(report, dt.datetime(2022, 1, 31, 16, 0))], "1月31日邮件收到")
    (result,) = ingest_files([report], home)
    assert errors(result) == [
        ("ID08", "报送期间「2022-01」在收到文件时（2022-01-31 16:00）尚未结束，月报只能在该月结束后报送")
    ]
