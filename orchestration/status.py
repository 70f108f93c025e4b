"""Who has reported for a month: the list behind ``pingan status`` and the deadline-day reminder.

The answer is read from ``marts.fct_submission_status`` (the rule lives in ``int_submission_status.sql``:
the latest accepted version counts; accepted by the deadline = 已报, later = 逾期; something received but
nothing accepted = 退回; nothing = 未报). A month the marts do not list yet (no county of it has
reported) is 未报 for every unit. When files came in after the last warehouse build, the answer says
so (``files_since_build``): the Dagster jobs build first; ``pingan report`` builds on demand.

A reader beside the writer (the county portal) asks with ``read_copy=True``: the answer then comes from
the warehouse's read copy (``orchestration.warehouse``: the two marts ``FROM_MARTS`` reads, as the last
build made them), never the live file, and the files received since the build are counted from the
archive's ledger instead of the live raw tables.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from base import calendar, catalogue
from base.approvals import ACCEPTED, fold, read_approval_record
from base.files import write_text_replacing
from base.settings import Home
from ingest.archive import read_ledger
from ingest.warehouse_state import check_warehouse
from orchestration.warehouse import raw_submission_count, read_marker

OUTSTANDING = ("未报", "退回")

FROM_MARTS = """
    select s.unit_code, s.status_label, s.version, s.received_at::varchar, s.error_count,
           (select arg_min(f.message, f.rule_id) from marts.fct_validation_findings f
            where f.sha256 = s.counted_sha256 and f.severity = 'error') as reason,
           s.sha256
    from marts.fct_submission_status s
    where s.period = ?
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
    sha256: str | None = None  # of the version used

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class PeriodStatus:
    period: str
    deadline: dt.date
    source: str  # 'marts' | 'none' (no warehouse built yet)
    units: list[UnitStatus]
    files_since_build: int = 0  # files received after the warehouse was last built

    @property
    def outstanding(self) -> list[UnitStatus]:
        return [u for u in self.units if u.status in OUTSTANDING]

    def as_dict(self) -> dict:
        return {
            "period": self.period,
            "deadline": self.deadline.isoformat(),
            "source": self.source,
            "files_since_build": self.files_since_build,
            "units": [u.as_dict() for u in self.units],
            "outstanding": [u.unit_code for u in self.outstanding],
        }


def submission_status(home: Home, period: str, *, read_copy: bool = False) -> PeriodStatus:
    """Every unit of the catalogue with its status for the month ``period`` ('YYYY-MM'), from the live
    warehouse, or from its read copy when ``read_copy``."""
    calendar.parse_month(period)
    deadline = calendar.deadline(period)
    found: dict[str, tuple] = {}
    source, since = "none", 0
    if not read_copy:  # the portal reads the last build's copy, which lags the archive by design
        check_warehouse(home.warehouse, home.archive)  # damaged, deleted or behind: say so, not 未报
    marker = read_marker(home)
    warehouse = home.warehouse_read_copy if read_copy else home.warehouse
    if warehouse.exists() and marker is not None:
        with duckdb.connect(str(warehouse), read_only=True) as connection:
            found = {row[0]: row[1:] for row in connection.execute(FROM_MARTS, [period]).fetchall()}
        source = "marts"
        received = _files_archived(home) if read_copy else raw_submission_count(warehouse) or 0
        since = max(0, received - (marker.get("raw_submissions") or 0))
    units = [_unit_status(unit, found.get(unit.code)) for unit in catalogue.units()]
    units.sort(key=lambda u: catalogue.unit_by_code()[u.unit_code].sort_order)
    return PeriodStatus(period, deadline, source, units, since)


def _files_archived(home: Home) -> int:
    """Distinct files in the archive's ledger (each one stored in the raw tables once taken in)."""
    return len({record["sha256"] for record in read_ledger(home.archive)})


def _unit_status(unit: catalogue.Unit, row: tuple | None) -> UnitStatus:
    if row is None:
        return UnitStatus(unit.code, unit.name, "未报")
    label, version, received_at, errors, reason, sha256 = row
    reason = reason if label == "退回" else None
    return UnitStatus(unit.code, unit.name, label, version, received_at, int(errors or 0), reason, sha256)


def reminder_text(status: PeriodStatus, as_of: dt.datetime) -> str:
    """The deadline-day reminder, in Chinese: who has not reported, who was sent back and why."""
    label = calendar.period_label(status.period)
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
    moment = as_of or calendar.now()
    path = reminder_path(home, period)
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_text_replacing(path, reminder_text(status, moment)), status


def rejections_outstanding(home: Home, period: str) -> list[tuple[str, UnitStatus]]:
    """(month, unit) for each unit whose newest file for a month of ``period`` was rejected (退回).

    ``period`` is a bulletin period: a month, a quarter ('2022Q2') or a year; its own months are checked.
    """
    return [
        (month, unit)
        for month in calendar.parse_period(period).months
        for unit in submission_status(home, month).units
        if unit.status == "退回"
    ]


def acceptance_outstanding(home: Home, period: str) -> list[tuple[str, UnitStatus, str]]:
    """(month, unit, where it stands) for each unit whose report of a month of ``period`` the office
    has not accepted (受理) in the county portal: its version used is in another approval state
    (``base.approvals``), or it has no version used at all (未报, 退回). What a scheduled bulletin waits
    for when ``PINGAN_BULLETIN_WAITS_FOR_ACCEPTANCE`` is set."""
    record = read_approval_record(home) or fold([])
    outstanding = []
    for month in calendar.parse_period(period).months:
        for unit in submission_status(home, month).units:
            if unit.sha256 is None:
                outstanding.append((month, unit, unit.status))
                continue
            state = record.version_state(unit.unit_code, month, unit.sha256)
            if state.state != ACCEPTED:
                outstanding.append((month, unit, state.label))
    return outstanding
