"""The submission calendar in plain Python: deadlines, when a bulletin is due, which period is which.

A month's report is due on the ``deadline_day`` (scoring_settings.csv) of the next month, inclusive;
its bulletin is published at 08:00 the morning after. A quarter's or a year's bulletin is published
with the bulletin of its last month. Times are in the office's time zone (``timezone`` setting).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from exports.bulletin_data import parse_period
from ingest import catalogue

PUBLISH_HOUR = 8  # the bulletin is on the desk at 08:00 the morning after the deadline
REMIND_HOUR = 9  # the reminder of who has not reported goes out at 09:00 on the deadline day


def office_zone() -> ZoneInfo:
    return ZoneInfo(catalogue.settings()["timezone"])


def deadline_day() -> int:
    """The day of the month reports are due; the morning after must exist in every month."""
    day = int(catalogue.settings()["deadline_day"])
    if not 1 <= day <= 27:
        raise ValueError(f"scoring_settings.csv: deadline_day 应在 1–27 之间，现为 {day}")
    return day


def first_period() -> str:
    return catalogue.settings()["first_period"]


def month_after(month: str) -> tuple[int, int]:
    year, number = int(month[:4]), int(month[5:7])
    return (year + 1, 1) if number == 12 else (year, number + 1)


def month_before(year: int, month: int) -> str:
    return f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"


def deadline(period: str) -> dt.date:
    """The last day a report for the period's last month is on time."""
    year, month = month_after(parse_period(period).months[-1])
    return dt.date(year, month, deadline_day())


def publication_time(period: str) -> dt.datetime:
    """When the period's bulletin is due: 08:00 the day after its last month's deadline."""
    day = deadline(period) + dt.timedelta(days=1)
    return dt.datetime(day.year, day.month, day.day, PUBLISH_HOUR, tzinfo=office_zone())


def is_published_by(period: str, moment: dt.datetime) -> bool:
    """Whether the period's bulletin is due (or out) at ``moment``."""
    return moment >= publication_time(period)


def quarter_of(month: str) -> str:
    return f"{month[:4]}Q{(int(month[5:7]) - 1) // 3 + 1}"


def quarter_keys(first_year: int, last_year: int) -> list[str]:
    return [f"{year}Q{q}" for year in range(first_year, last_year + 1) for q in range(1, 5)]


def bulletin_periods_of_month(month: str) -> list[str]:
    """The month; its quarter when it ends one; its year when it is December."""
    periods = [month]
    number = int(month[5:7])
    if number % 3 == 0:
        periods.append(quarter_of(month))
    if number == 12:
        periods.append(month[:4])
    return periods


def period_label(period: str) -> str:
    return parse_period(period).label
