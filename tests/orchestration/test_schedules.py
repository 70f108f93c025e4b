"""The office's calendar: each schedule evaluated at its own time names the right period, and the
deadline-day reminder lists exactly who has not reported or was sent back (the same list as
``pingan status``)."""

import datetime as dt
import json

import dagster as dg
import pytest
from dagster._utils.schedules import cron_string_iterator

from base import catalogue
from base.calendar import office_zone
from ingest.intake import ingest_files
from orchestration.cli import main
from orchestration.publish import bulletin_size
from orchestration.runs import execute_job
from sampledata.demo import state_demo_arrivals
from tests.orchestration.conftest import definitions_for, instance_for
from tests.orchestration.demo_files import demo_file, write_demo_file

ZONE = office_zone()
DAY = int(catalogue.settings()["deadline_day"])


@pytest.fixture(scope="module")
def schedules(parsed_home) -> dict[str, dg.ScheduleDefinition]:
    return {s.name: s for s in definitions_for(parsed_home).schedules}


def at(year, month, day, hour) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=ZONE)


def first_tick_after(schedule: dg.ScheduleDefinition, moment: dt.datetime) -> dt.datetime:
    ticks = cron_string_iterator(moment.timestamp(), schedule.cron_schedule, schedule.execution_timezone)
    return next(ticks).astimezone(ZONE)


def evaluate(schedule, moment: dt.datetime) -> dg.RunRequest:
    return schedule(dg.build_schedule_context(scheduled_execution_time=moment))


def test_schedules_run_in_the_office_time_zone_at_the_configured_deadline(schedules):
    deadline_reminder, monthly_bulletin_schedule = (
        schedules["deadline_reminder"],
        schedules["monthly_bulletin_schedule"],
    )
    quarterly_bulletin_schedule = schedules["quarterly_bulletin_schedule"]
    annual_bulletin_schedule = schedules["annual_bulletin_schedule"]
    assert DAY == 5  # the demo configuration; the ticks below follow it
    start = at(2022, 12, 1, 0)
    assert first_tick_after(deadline_reminder, start) == at(2022, 12, DAY, 9)
    assert first_tick_after(monthly_bulletin_schedule, start) == at(2022, 12, DAY + 1, 8)
    assert first_tick_after(quarterly_bulletin_schedule, start) == at(2023, 1, DAY + 1, 8)
    assert first_tick_after(annual_bulletin_schedule, start) == at(2023, 1, DAY + 1, 8)
    for schedule in (
        deadline_reminder,
        monthly_bulletin_schedule,
        quarterly_bulletin_schedule,
        annual_bulletin_schedule,
    ):
        assert schedule.execution_timezone == "Asia/Shanghai"


def test_morning_after_the_deadline_publishes_the_previous_month(schedules):
    monthly_bulletin_schedule = schedules["monthly_bulletin_schedule"]
    request = evaluate(monthly_bulletin_schedule, at(2022, 12, 6, 8))
    assert (request.partition_key, request.run_key) == ("2022-11", "monthly_bulletin_job:2022-11")
    assert evaluate(monthly_bulletin_schedule, at(2023, 1, 6, 8)).partition_key == "2022-12"


def test_january_morning_publishes_the_last_quarter_and_the_last_year(schedules):
    quarterly_bulletin_schedule = schedules["quarterly_bulletin_schedule"]
    annual_bulletin_schedule = schedules["annual_bulletin_schedule"]
    assert evaluate(quarterly_bulletin_schedule, at(2023, 1, 6, 8)).partition_key == "2022Q4"
    assert evaluate(quarterly_bulletin_schedule, at(2022, 7, 6, 8)).partition_key == "2022Q2"
    assert evaluate(annual_bulletin_schedule, at(2023, 1, 6, 8)).partition_key == "2022"


def test_of_a_january_morning_s_bulletins_the_year_s_starts_first_then_the_quarter_s():
    periods = ["2022-12", "2022Q4", "2022"]  # the longest first: no core waits alone at the end
    assert sorted(periods, key=lambda p: -bulletin_size({"period": p})) == ["2022", "2022Q4", "2022-12"]


def test_deadline_reminder_lists_units_not_reported_or_rejected(new_home, tmp_path, capsys, schedules):
    deadline_reminder = schedules["deadline_reminder"]
    home = new_home
    dafang = write_demo_file(tmp_path / "in" / "大方县", demo_file("522422", "2022-05"))
    hezhang_rejected = write_demo_file(tmp_path / "in" / "赫章县", demo_file("522428", "2022-05", 0))
    # Their arrivals are the demo's story, stated as the office would (pingan never trusts a file's mtime).
    state_demo_arrivals(home.archive, [dafang, hezhang_rejected])
    results = ingest_files([dafang, hezhang_rejected], home.root)
    assert [r.status for r in results] == ["accepted", "rejected"]

    request = evaluate(deadline_reminder, at(2022, 6, 5, 9))
    assert request.partition_key == "2022-05"
    definitions = definitions_for(home)
    with instance_for(home) as instance:
        result = execute_job(definitions, "reminder_job", instance, partition_key=request.partition_key)
    assert result.success

    text = (home.reminders / "2022-05_未报单位.txt").read_text(encoding="utf-8")
    others = [u.name for u in catalogue.units() if u.code not in {"522422", "522428"}]
    assert text.splitlines()[0] == "2022年5月综治工作月报 未报送及被退回单位"
    assert f"未报送（{len(others)} 个）：" in text and all(f"  {name}" in text for name in others)
    assert "被退回、尚未重新报送合格报表（1 个）：\n  赫章县（" in text
    assert "大方县" not in text

    capsys.readouterr()  # what the run printed
    assert main(["status", "--home", str(home.root), "--period", "2022-05", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    listed = {u["unit_code"]: u["status"] for u in status["units"]}
    assert status["source"] == "marts" and status["files_since_build"] == 0  # the reminder job built them
    assert listed["522422"] == "已报" and listed["522428"] == "退回"
    assert sorted(status["outstanding"]) == sorted(u.code for u in catalogue.units() if u.code != "522422")


@pytest.mark.e2e
def test_status_after_a_build_comes_from_the_marts(built_home, capsys):
    assert main(["status", "--home", str(built_home.home.root), "--period", "2022-05", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    listed = {u["unit_code"]: u["status"] for u in status["units"]}
    assert status["source"] == "marts"
    assert listed["522428"] in {"已报", "逾期"}  # rejected on the 3rd, corrected on the 4th
    assert listed["522422"] == "已报" and listed["522401"] == "未报"
