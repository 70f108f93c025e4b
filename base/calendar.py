"""The office's calendar in one place: periods, their labels, deadlines and local time.

A period key is '2022-12' (a month), '2022Q4' (a quarter) or '2022' (a year). A month's report is due on
the ``deadline_day`` (scoring_settings.csv) of the next month, inclusive; its bulletin is published at
08:00 the morning after. A quarter's or a year's bulletin is published with the bulletin of its last
month. Times are wall-clock times in the office's time zone (the ``timezone`` setting), whatever the
machine's own zone.

Two ways in: ``parse_period`` for keys pingan itself writes (strict), ``period_from_text`` for what a
county typed in its workbook ('2022年1月', '2022.1', a date cell; lenient, with a reason when it cannot
be read), and ``period_in_file_name`` for a month named in a file's name. The warehouse's calendar
(``int_submission_calendar.sql``) computes the same deadline from the same setting with the
``submission_deadline`` macro; a test holds the two equal.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from base import catalogue

PUBLISH_HOUR = 8  # the bulletin is on the desk at 08:00 the morning after the deadline
REMIND_HOUR = 9  # the reminder of who has not reported goes out at 09:00 on the deadline day

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


# --------------------------------------------------------------------------------------------------
# Periods


@dataclass(frozen=True)
class Period:
    """A period: '2022-12' (month), '2022Q4' (quarter) or '2022' (year)."""

    key: str
    period_type: str  # month | quarter | year
    year: int
    first_month: int
    last_month: int

    def _months(self, first: int) -> tuple[str, ...]:
        return tuple(f"{self.year}-{m:02d}" for m in range(first, self.last_month + 1))

    @property
    def months(self) -> tuple[str, ...]:
        """The months the period itself covers (one for a month)."""
        return self._months(self.first_month)

    @property
    def scope_months(self) -> tuple[str, ...]:
        """January to the period's last month: everything the scores of the period can depend on."""
        return self._months(1)

    @property
    def last(self) -> str:
        """The period's last month, 'YYYY-MM'."""
        return self.months[-1]

    @property
    def label(self) -> str:
        if self.period_type == "month":
            return f"{self.year}年{self.last_month}月"
        if self.period_type == "quarter":
            return f"{self.year}年第{self.last_month // 3}季度"
        return f"{self.year}年度"

    @property
    def basis(self) -> str:
        """What the figures of a bulletin of the period cover, for subtitles."""
        if self.period_type == "month":
            return f"{self.last_month}月" if self.last_month == 1 else f"1—{self.last_month}月累计"
        if self.period_type == "quarter":
            return f"第{self.last_month // 3}季度（{self.first_month}—{self.last_month}月）"
        return "全年"

    @property
    def ranking_types(self) -> tuple[str, ...]:
        """Period types of fct_indicator_rankings to use, in order of preference."""
        return ("ytd", "month") if self.period_type == "month" else (self.period_type,)


def parse_period(text: str) -> Period:
    """A period key as pingan writes it; anything else is a ValueError (Chinese and English)."""
    text = str(text).strip()
    if m := _MONTH.match(text):
        month = int(m[2])
        return Period(text, "month", int(m[1]), month, month)
    if m := _QUARTER.match(text):
        q = int(m[2])
        return Period(text, "quarter", int(m[1]), 3 * q - 2, 3 * q)
    if m := _YEAR.match(text):
        return Period(text, "year", int(m[1]), 1, 12)
    raise ValueError(
        f"期间格式应为 2022-12、2022Q4 或 2022 / period must look like 2022-12, 2022Q4 or 2022: {text!r}"
    )


def parse_month(text: str) -> Period:
    """A month key ('2022-01'); a quarter, a year or anything else is a ValueError."""
    period = parse_period(text) if _MONTH.match(str(text).strip()) else None
    if period is None:
        raise ValueError(f"报送期间应为 YYYY-MM，例如 2022-01：{text!r}")
    return period


def period_label(period: str) -> str:
    return parse_period(period).label


def month_label(month: str) -> str:
    """'2022-03' -> '3月'."""
    return f"{int(month[5:7])}月"


def shift_month(month: str, months: int) -> str:
    """The month ``months`` after (or before, when negative) 'YYYY-MM'."""
    year, index = divmod(int(month[:4]) * 12 + int(month[5:7]) - 1 + months, 12)
    return f"{year:04d}-{index + 1:02d}"


def month_of(moment: dt.date) -> str:
    return f"{moment.year:04d}-{moment.month:02d}"


def previous_month(moment: dt.date) -> str:
    """The month before the one ``moment`` falls in: the month being reported in ``moment``'s month."""
    return shift_month(month_of(moment), -1)


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


def first_period() -> str:
    """The first month assessed (the ``first_period`` setting)."""
    return catalogue.settings()["first_period"]


# --------------------------------------------------------------------------------------------------
# Deadlines and publication


def deadline_day() -> int:
    """The day of the month reports are due; the morning after must exist in every month."""
    day = int(catalogue.settings()["deadline_day"])
    if not 1 <= day <= 27:
        raise ValueError(f"scoring_settings.csv: deadline_day 应在 1–27 之间，现为 {day}")
    return day


def deadline(period: str) -> dt.date:
    """The last day a report for the period's last month is on time (inclusive)."""
    due = shift_month(parse_period(period).last, 1)
    return dt.date(int(due[:4]), int(due[5:7]), deadline_day())


def publication_time(period: str) -> dt.datetime:
    """When the period's bulletin is due: 08:00 the day after its last month's deadline."""
    day = deadline(period) + dt.timedelta(days=1)
    return dt.datetime(day.year, day.month, day.day, PUBLISH_HOUR, tzinfo=office_zone())


def is_published_by(period: str, moment: dt.datetime) -> bool:
    """Whether the period's bulletin is due (or out) at ``moment``."""
    return moment >= publication_time(period)


# --------------------------------------------------------------------------------------------------
# Local time


def office_zone() -> ZoneInfo:
    return ZoneInfo(catalogue.settings()["timezone"])


def now() -> dt.datetime:
    """The current moment, aware, in the office's time zone."""
    return dt.datetime.now(office_zone())


def local_now() -> dt.datetime:
    """The office's wall-clock time now, naive, to the second."""
    return now().replace(tzinfo=None, microsecond=0)


def local_time(moment: dt.datetime | str | None) -> dt.datetime:
    """``moment`` (aware, naive or ISO text; None = now) as a naive office wall-clock time, to the second."""
    if moment is None:
        moment = now()
    elif isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    if moment.tzinfo is not None:
        moment = moment.astimezone(office_zone()).replace(tzinfo=None)
    return moment.replace(microsecond=0)


def from_timestamp(seconds: float) -> dt.datetime:
    """A POSIX time as a naive office wall-clock time, to the second."""
    return dt.datetime.fromtimestamp(seconds, office_zone()).replace(tzinfo=None, microsecond=0)


def parse_local_time(text: str) -> dt.datetime:
    """An office wall-clock time as staff type it ('2022-02-04', '2022-02-04 09:30', '2022-02-04T09:30:15');
    anything else is a ValueError in Chinese."""
    try:
        moment = dt.datetime.fromisoformat(str(text).strip())
    except ValueError:
        raise ValueError(f"时间应写成 2022-02-04 或 2022-02-04 09:30：{text!r}") from None
    return local_time(moment)


def date_text(moment: dt.date | dt.datetime) -> str:
    """'2023年1月5日' (with ' 08:30' for a time), as Chinese documents write dates."""
    text = f"{moment.year}年{moment.month}月{moment.day}日"
    return f"{text} {moment:%H:%M}" if isinstance(moment, dt.datetime) else text


# --------------------------------------------------------------------------------------------------
# Periods as counties write them


_TEXT_PATTERNS = (
    re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(月份?|月)?(\s*[-/.]?\s*\d{1,2}日?)?$"),
    re.compile(r"^(\d{4})(\d{2})$"),
)
_IN_FILE_NAME = re.compile(r"(20\d{2})\s*(?:年|-|_|\.)\s*(\d{1,2})\s*(?:月|(?!\d))")


def period_from_text(raw: object) -> tuple[str | None, str | None]:
    """('YYYY-MM', None) from '2022-01', '2022年1月', '2022.1', '202201' or a date cell; else (None, reason)."""
    if raw is None or raw == "":
        return None, "报送期间未填写"
    if isinstance(raw, (dt.date, dt.datetime)):
        return f"{raw.year:04d}-{raw.month:02d}", None
    if isinstance(raw, float) and not raw.is_integer():
        raw = f"{raw:.2f}".rstrip("0")  # 2022.1 typed as a number
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    if isinstance(raw, (int, float)):
        text = str(int(raw)) if float(raw).is_integer() else text
    for pattern in _TEXT_PATTERNS:
        match = pattern.match(text)
        if match:
            year, month = int(match.group(1)), int(match.group(2))
            if 2000 <= year <= 2100 and 1 <= month <= 12:
                return f"{year:04d}-{month:02d}", None
            return None, f"报送期间「{raw}」不是有效的年月"
    return None, f"报送期间「{raw}」无法识别，应写成 2022-01 或 2022年1月"


def period_in_file_name(file_name: str) -> str | None:
    """'YYYY-MM' when the file name names one month unambiguously (赫章县_2022年05月_综治月报.xlsx)."""
    found = {
        f"{int(y):04d}-{int(m):02d}"
        for y, m in _IN_FILE_NAME.findall(Path(file_name).stem)
        if 1 <= int(m) <= 12
    }
    return found.pop() if len(found) == 1 else None
