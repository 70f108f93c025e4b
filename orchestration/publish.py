"""Which bulletins to publish, and publishing them from marts that passed their build.

Publishing goes through ``exports.bulletin.publish_bulletin``: the first bulletin of a period is the
original; publishing again from the same inputs keeps it; changed inputs (a late or corrected report)
give a numbered correction (更正) and keep every earlier file. Bulletins are written only from marts
built from everything received (``warehouse.marts_are_current``): a later run of just the bulletin
never publishes what an earlier failed build left behind.

Each bulletin records the approval state of every version it used (the record the county portal keeps
in the home, ``base.approvals``): every door (``pingan report``, the schedules, the portal's 发布)
publishes through here, so every bulletin says the same.

Each published bulletin gets the draft of its 公文 beside it (``exports.notice``): the document the
office reads, signs and issues with ``pingan issue``. A bulletin already issued gets no new draft.
Before the year's targets workbook is loaded, both say so and carry no score (their next publication
once the targets are in is a 更正).
"""

from __future__ import annotations

import duckdb

from base.approvals import read_approval_record
from base.calendar import bulletin_periods_of_month, parse_period
from base.children import sweep_orphaned_work_folders
from base.parallel import run_side_by_side
from base.settings import Home, Settings
from exports.bulletin import BulletinResult, publish_bulletin
from exports.notice.issue import write_draft
from orchestration.warehouse import marts_are_current, reader_lock


class MartsNotCurrent(RuntimeError):
    """The raw tables hold submissions the last successful warehouse build did not see."""


def default_bulletin_periods(home: Home) -> list[str]:
    """The latest month with an accepted report; its quarter when the month ends one; its year when it is
    December. Scored or not: a month of a year whose targets are not loaded yet is published without
    scores (exports.bulletin), not skipped for the last scored month."""
    with duckdb.connect(str(home.warehouse), read_only=True) as connection:
        row = connection.execute(
            "select max(period) from marts.fct_submission_status where version is not null"
        ).fetchone()
    if not row or row[0] is None:
        return []
    return bulletin_periods_of_month(row[0])


def require_current_marts(home: Home) -> None:
    if not marts_are_current(home):
        raise MartsNotCurrent(
            "数据仓库还没有用最新收到的报表成功更新（上一次更新失败或尚未运行），为避免发布过时的数据，本次不生成通报。"
            "请先运行 pingan report 或在 Dagster 界面中重新运行数据仓库更新。"
        )


def publish_bulletins(settings: Settings, periods: list[str] | None = None) -> list[BulletinResult]:
    """Publish the bulletin of each period under <home>/reports/<period>/ (with its PDF unless
    ``PINGAN_BULLETIN_PDF=0``)."""
    home = settings.home
    with reader_lock(settings):  # no intake may open the warehouse for writing while bulletins read it
        require_current_marts(home)
        sweep_orphaned_work_folders("pdf")  # what a killed publish left (base.children)
        chosen = periods or default_bulletin_periods(home)
        pdf = settings.bulletin_pdf
        # Each period has its own folder and reads the warehouse read-only: written side by side.
        calls = [{"home": home, "period": p, "pdf": pdf} for p in chosen]
        return run_side_by_side(publish_with_draft, calls, size=bulletin_size)


def bulletin_size(call: dict) -> int:
    """How long a period's bulletin takes, in order: the year's (a trend over every month) is the longest,
    then a quarter's, then a month's (a national month bulletin ~10 s, a quarter ~11 s, the year ~15 s)."""
    return ("month", "quarter", "year").index(parse_period(call["period"]).period_type)


def publish_with_draft(home: Home, period: str, pdf: bool) -> BulletinResult:
    """The period's bulletin, then the draft 公文 describing it (written from the same marts)."""
    out_dir = home.reports / period
    bulletin = publish_bulletin(
        warehouse_path=home.warehouse,
        period=period,
        out_dir=out_dir,
        pdf=pdf,
        approvals=read_approval_record(home),  # the county portal's sign-offs and acceptances
    )
    write_draft(home.warehouse, period, out_dir, register_dir=home.notices, config_dir=home.config, pdf=pdf)
    return bulletin
