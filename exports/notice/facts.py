"""The figures a 通报's prose states, read once from the marts of a warehouse opened read-only.

Only the marts are read (``marts.*``; the contract is ``dbt_project/models/marts/_marts.yml``), with this
module's own SQL, so the notice does not depend on how the ranking workbook is written. Every query sorts
explicitly (rank, then the catalogue's unit order, then codes): the same warehouse gives the same text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from base.calendar import Period, parse_period
from exports.bulletin.data import connect_read_only

Row = dict[str, Any]

# A 公文 names units by their official names (威宁彝族回族苗族自治县, 百里杜鹃管委会), not the tables' short ones.
_UNIT = "coalesce(u.unit_name, t.unit_code) as unit_name, coalesce(u.sort_order, 1000000) as unit_order"
_UNIT_JOIN = "left join marts.dim_units u on u.unit_code = t.unit_code"


@dataclass(frozen=True)
class Score:
    unit_code: str
    unit_name: str
    score: float
    grade: str
    rank: int
    units_ranked: int
    rank_change: int | None
    rank_change_status: str  # why there is no rank_change (the marts' words; exports/bulletin/format.py)
    veto: bool
    veto_reason: str | None
    yellow_card: bool
    yellow_card_reason: str | None


@dataclass(frozen=True)
class Target:
    unit_code: str
    unit_name: str
    indicator_code: str
    indicator_name: str
    value_type: str
    measure_unit: str
    is_survey: bool
    indicator_order: int
    target_type: str
    target_value: float
    evaluated: bool
    attained: bool | None


@dataclass(frozen=True)
class Report:
    """One unit's monthly report of a month in the period, as fct_submission_status has it."""

    unit_code: str
    unit_name: str
    month: str
    status: str  # 已报 | 逾期 | 未报 | 退回
    deadline: dt.date
    received_at: dt.datetime | None


@dataclass(frozen=True)
class Finding:
    """One validation finding of a file received for a month of the year up to the period's end."""

    sha256: str
    unit_code: str
    unit_name: str
    month: str
    rule_id: str
    severity: str
    message: str


@dataclass(frozen=True)
class NoticeFacts:
    period: Period
    scores: tuple[Score, ...]  # by rank, then the catalogue's unit order
    targets: tuple[Target, ...]
    reports: tuple[Report, ...]  # the period's months only
    findings: tuple[Finding, ...]  # January to the period's end
    # False only when the year's targets workbook is not loaded yet: no score, no grade, no ranking; the
    # notice says so and reports what it can (reports, data quality). As the bulletin's data.py decides.
    scored: bool = True

    @property
    def units_assessed(self) -> int:
        return len(self.scores)


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> list[Row]:
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def _marks(values: tuple[str, ...]) -> str:
    return ", ".join("?" * len(values))


def read_notice_facts(warehouse: str | Path, period: str | Period) -> NoticeFacts:
    """The period's figures; ValueError when the period has no unit scores although the year's targets
    are loaded (nothing to report on). Without the year's targets the facts have no scores
    (``scored`` False)."""
    period = period if isinstance(period, Period) else parse_period(period)
    path = Path(warehouse)
    if not path.is_file():
        raise FileNotFoundError(f"找不到数据仓库文件 / warehouse not found: {path}")
    con = connect_read_only(path)
    try:
        return _read(con, period)
    finally:
        con.close()


def _read(con: duckdb.DuckDBPyConnection, period: Period) -> NoticeFacts:
    scores = _rows(
        con,
        f"select t.unit_code, {_UNIT}, t.score, t.grade, t.rank, t.units_ranked, t.rank_change, "
        "t.rank_change_status, t.veto, t.veto_reason, t.yellow_card, t.yellow_card_reason "
        "from marts.fct_unit_scores t "
        f"{_UNIT_JOIN} where t.period_type = ? and t.period = ? and t.score is not null "
        "order by t.rank nulls last, unit_order, t.unit_code",
        [period.period_type, period.key],
    )
    targets_loaded = con.execute(
        "select count(*) > 0 from marts.fct_target_files where year = ?", [period.year]
    ).fetchone()[0]
    if not scores and targets_loaded:
        raise ValueError(
            f"数据仓库中没有{period.label}的考评得分，无法起草通报 / "
            f"no unit scores in marts.fct_unit_scores for period {period.key}"
        )
    targets = _rows(
        con,
        f"select t.unit_code, {_UNIT}, t.indicator_code, coalesce(i.indicator_name, t.indicator_code) "
        "as indicator_name, coalesce(i.value_type, 'count') as value_type, coalesce(i.measure_unit, '') "
        "as measure_unit, coalesce(i.is_survey, false) as is_survey, coalesce(i.sort_order, 1000000) "
        "as indicator_order, t.target_type, t.target_value, t.evaluated, t.attained "
        f"from marts.fct_target_attainment t {_UNIT_JOIN} "
        "left join marts.dim_indicators i on i.indicator_code = t.indicator_code "
        "where t.period_type = ? and t.period = ? "
        "order by indicator_order, t.indicator_code, t.target_type, t.target_value, unit_order, t.unit_code",
        [period.period_type, period.key],
    )
    reports = _rows(
        con,
        f"select t.unit_code, {_UNIT}, t.period as month, t.status_label as status, t.deadline, "
        f"t.received_at from marts.fct_submission_status t {_UNIT_JOIN} "
        f"where t.period in ({_marks(period.months)}) order by t.period, unit_order, t.unit_code",
        list(period.months),
    )
    findings = _rows(
        con,
        f"select t.sha256, t.unit_code, {_UNIT}, t.period as month, t.rule_id, t.severity, t.message "
        f"from marts.fct_validation_findings t {_UNIT_JOIN} "
        f"where t.period in ({_marks(period.scope_months)}) "
        "order by t.period, unit_order, t.unit_code, t.sha256, t.rule_id, t.message",
        list(period.scope_months),
    )
    return NoticeFacts(
        period,
        tuple(Score(**{k: v for k, v in r.items() if k != "unit_order"}) for r in scores),
        tuple(Target(**{k: v for k, v in r.items() if k != "unit_order"}) for r in targets),
        tuple(Report(**{k: v for k, v in r.items() if k != "unit_order"}) for r in reports),
        tuple(Finding(**{k: v for k, v in r.items() if k != "unit_order"}) for r in findings),
        scored=bool(scores),
    )
