"""Who has reported for a month: the list behind ``pingan status`` and the deadline-day reminder.

The answer comes from ``marts.fct_submission_status`` when the marts were built from everything received
(``warehouse.marts_are_current``) and already list the month. Otherwise (a file came in since the last
build, or on the deadline day no county of that month has reported yet, so the marts' calendar does not
reach it) it is worked out from ``raw.submissions`` with the same rule as ``int_submission_status.sql``:
the latest accepted version counts; accepted by the deadline = 已报, later = 逾期; something received but
nothing accepted = 退回; nothing = 未报.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from ingest import catalogue
from orchestration import periods
from orchestration.settings import Home
from orchestration.warehouse import marts_are_current

OUTSTANDING = ("未报", "退回")

FROM_MARTS = """
    select unit_code, status_label, version, received_at::varchar, error_count
    from marts.fct_submission_status
    where period = ?
"""

FROM_RAW = """
    with reports as (
        select * from raw.submissions
        where kind = 'monthly_report' and unit_code is not null and period = ?
    ),
    used as (
        select unit_code, max(version) as version, arg_max(received_at, version) as received_at
        from reports
        where status in ('accepted', 'accepted_with_warnings')
        group by unit_code
    ),
    latest_rejected as (
        select unit_code, arg_max(sha256, version) as sha256, arg_max(error_count, version) as error_count
        from reports
        where status = 'rejected'
        group by unit_code
    )
    select
        coalesce(used.unit_code, latest_rejected.unit_code) as unit_code,
        case
            when used.unit_code is null then '退回'
            when used.received_at::date <= ?::date then '已报'
            else '逾期'
        end as status_label,
        used.version,
        used.received_at::varchar,
        case when used.unit_code is null then latest_rejected.error_count else 0 end as error_count
    from used
    full outer join latest_rejected on used.unit_code = latest_rejected.unit_code
"""

REJECTION_REASON = """
    select arg_min(f.message, f.rule_id)
    from raw.submissions s join raw.findings f using (sha256)
    where s.kind = 'monthly_report' and s.unit_code = ? and s.period = ? and s.status = 'rejected'
      and f.severity = 'error'
      and s.version = (select max(version) from raw.submissions
                       where kind = 'monthly_report' and unit_code = ? and period = ? and status = 'rejected')
"""


@dataclass(frozen=True)
class UnitStatus:
    unit_code: str
    unit_name: str
    status: str  # 已报 | 逾期 | 未报 | 退回
    version: int | None = None
    received_at: str | None = None
    errors: int = 0
    reason: str | None = None  # first error of the latest rejected file, for 退回

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class PeriodStatus:
    period: str
    deadline: dt.date
    source: str  # 'marts' | 'raw'
    units: list[UnitStatus]

    @property
    def outstanding(self) -> list[UnitStatus]:
        return [u for u in self.units if u.status in OUTSTANDING]

    def as_dict(self) -> dict:
        return {
            "period": self.period,
            "deadline": self.deadline.isoformat(),
            "source": self.source,
            "units": [u.as_dict() for u in self.units],
            "outstanding": [u.unit_code for u in self.outstanding],
        }


def submission_status(home: Home, period: str) -> PeriodStatus:
    """Every unit of the catalogue with its status for the month ``period`` ('YYYY-MM')."""
    periods.parse_period(period)
    if len(period) != 7:
        raise ValueError(f"报送情况按月查询，期间应为 YYYY-MM，例如 2022-11：{period!r}")
    deadline = periods.deadline(period)
    found: dict[str, tuple] = {}
    source = "raw"
    if home.warehouse.exists():
        current = marts_are_current(home)
        with duckdb.connect(str(home.warehouse), read_only=True) as connection:
            if current and _has_marts(connection):
                rows = connection.execute(FROM_MARTS, [period]).fetchall()
                if rows:
                    found, source = {r[0]: r[1:] for r in rows}, "marts"
            if source == "raw" and _has_raw(connection):
                rows = connection.execute(FROM_RAW, [period, deadline]).fetchall()
                found = {r[0]: r[1:] for r in rows}
            units = [
                _unit_status(connection, unit, period, found.get(unit.code)) for unit in catalogue.units()
            ]
    else:
        units = [_unit_status(None, unit, period, None) for unit in catalogue.units()]
    units.sort(key=lambda u: catalogue.unit_by_code()[u.unit_code].sort_order)
    return PeriodStatus(period, deadline, source, units)


def _has_marts(connection: duckdb.DuckDBPyConnection) -> bool:
    return _has_table(connection, "marts", "fct_submission_status")


def _has_raw(connection: duckdb.DuckDBPyConnection) -> bool:
    return _has_table(connection, "raw", "submissions")


def _has_table(connection: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        connection.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )


def _unit_status(connection, unit: catalogue.Unit, period: str, row: tuple | None) -> UnitStatus:
    if row is None:
        return UnitStatus(unit.code, unit.name, "未报")
    label, version, received_at, errors = row
    reason = None
    if label == "退回" and connection is not None:
        reason = connection.execute(REJECTION_REASON, [unit.code, period, unit.code, period]).fetchone()[0]
    return UnitStatus(unit.code, unit.name, label, version, received_at, int(errors or 0), reason)


def reminder_text(status: PeriodStatus, as_of: dt.datetime) -> str:
    """The deadline-day reminder, in Chinese: who has not reported, who was sent back and why."""
    label = periods.period_label(status.period)
    deadline = f"{status.deadline.year}年{status.deadline.month}月{status.deadline.day}日"
    missing = [u for u in status.units if u.status == "未报"]
    rejected = [u for u in status.units if u.status == "退回"]
    lines = [
        f"{label}综治工作月报 未报送及被退回单位",
        f"报送截止：{deadline}（含当日）  统计时间：{as_of:%Y-%m-%d %H:%M}",
        "",
    ]
    if not missing and not rejected:
        lines.append("各单位均已报送，无未报或被退回单位。")
    if missing:
        lines.append(f"未报送（{len(missing)} 个）：")
        lines += [f"  {u.unit_name}" for u in missing]
    if rejected:
        lines.append(f"已报送但被退回、尚未重新报送合格报表（{len(rejected)} 个）：")
        lines += [f"  {u.unit_name}（{u.reason or '详见数据质量反馈表'}）" for u in rejected]
    if missing or rejected:
        lines += [
            "",
            f"请以上单位尽快报送（截止 {deadline}，含当日；退回的请按数据质量反馈表修改后重新报送）。",
        ]
    return "\n".join(lines) + "\n"


def reminder_path(home: Home, period: str) -> Path:
    return home.reminders / f"{period}_未报单位.txt"


def write_reminder(home: Home, period: str, as_of: dt.datetime | None = None) -> tuple[Path, PeriodStatus]:
    """Write ``<home>/reminders/<period>_未报单位.txt`` and return it with the status it lists."""
    status = submission_status(home, period)
    moment = as_of or dt.datetime.now(periods.office_zone())
    path = reminder_path(home, period)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(reminder_text(status, moment), encoding="utf-8")
    partial.replace(path)
    return path, status


def rejections_outstanding(home: Home, period: str) -> list[tuple[str, UnitStatus]]:
    """(month, unit) for each unit whose newest file for a month of ``period`` was rejected (退回).

    ``period`` is a bulletin period: a month, a quarter ('2022Q2') or a year; its own months are checked.
    """
    return [
        (month, unit)
        for month in periods.parse_period(period).months
        for unit in submission_status(home, month).units
        if unit.status == "退回"
    ]
