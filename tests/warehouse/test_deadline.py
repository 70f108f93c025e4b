"""The warehouse's submission deadline (macro submission_deadline, int_submission_calendar) is the
calendar's (base/calendar.py ``deadline``) for every month, with the deadline day as configured and with
it changed in scoring_settings.csv."""

from __future__ import annotations

import datetime as dt

import pytest
from warehouse_builder import RawWarehouse, build_marts, query

from base import calendar
from tests.reference_copy import ReferenceCopy

MONTHS = [f"{year}-{month:02d}" for year in (2021, 2022, 2023) for month in range(1, 13)]


def built_deadlines(work_dir, reference_dir=None) -> dict[str, dt.date]:
    """period -> deadline of the warehouse's calendar, reports received from 2021-01 to 2023-12."""
    raw = RawWarehouse(work_dir / "warehouse.duckdb")
    raw.add_report("522422", MONTHS[0], {"D02": 1})
    raw.add_report("522422", MONTHS[-1], {"D02": 1})
    build_marts(raw.path, work_dir, reference_dir, select="+int_submission_calendar")
    return dict(query(raw.path, "select distinct period, deadline from intermediate.int_submission_calendar"))


def test_sql_deadline_is_the_calendars_for_every_month(tmp_path):
    deadlines = built_deadlines(tmp_path)
    assert sorted(deadlines) == MONTHS
    assert deadlines == {month: calendar.deadline(month) for month in MONTHS}
    assert deadlines["2022-12"] == dt.date(2023, 1, calendar.deadline_day())


@pytest.mark.parametrize("day", [1, 27])
def test_a_changed_deadline_day_moves_both_alike(tmp_path, reference_copy: ReferenceCopy, use_reference, day):
    reference_copy.change("scoring_settings", "setting", "deadline_day", value=str(day))
    deadlines = built_deadlines(tmp_path, reference_copy.folder)
    use_reference(reference_copy)
    assert calendar.deadline_day() == day
    assert deadlines == {month: calendar.deadline(month) for month in MONTHS}
    assert deadlines["2023-01"] == dt.date(2023, 2, day)
