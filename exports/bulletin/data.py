"""What a bulletin shows, read once from the marts of a warehouse opened read-only.

The bulletin reads the marts named in ``BULLETIN_MARTS`` and nothing else: no ``raw`` table (which
targets workbook and which report versions a period used are the warehouse's to say, in
``fct_target_files`` and ``fct_submission_status``). dbt builds every one of them, so a missing one is an
error (``MissingMart``), never an empty sheet. Every query sorts explicitly (rank, then the units'
catalogue order, then codes), so the same warehouse always gives the same rows in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from base.approvals import ApprovalRecord, VersionState
from base.calendar import Period, parse_period, period_label

Row = dict[str, Any]

# The marts a bulletin reads: Dagster draws the bulletin's lineage from them, and a test holds the list
# equal to what ``read_bulletin_data`` reads (it reads with only these; it fails without any one of them).
BULLETIN_MARTS = (
    "dim_units",
    "dim_indicators",
    "fct_unit_scores",
    "fct_target_attainment",
    "fct_target_files",
    "fct_indicator_rankings",
    "fct_submission_status",
    "fct_period_submission_rates",
    "fct_validation_findings",
)


class MissingMart(LookupError):
    """The warehouse lacks a mart the bulletin reads: not built yet, or built by an older pingan."""


@dataclass
class BulletinData:
    period: Period
    units: list[Row]
    indicators: dict[str, Row]
    scores: list[Row]
    trend: list[Row]
    attainment: list[Row]
    rankings: list[Row]
    ranking_period_type: str | None  # which rankings of fct_indicator_rankings (a month: ytd, else month)
    status: list[Row]
    rates: list[Row]
    findings: list[Row]
    targets_file: Row | None  # None when no targets workbook was accepted for the year
    # False only for a year whose targets workbook is not loaded yet: no unit has a score, and the
    # bulletin holds what does not need targets (league tables, reports, data quality). A period without
    # scores for any other reason is refused (read_bulletin_data).
    scored: bool = True
    # The approval steps taken in the county portal (base.approvals), given by whoever publishes; None
    # when none was ever taken (the bulletin then says nothing of approval).
    approvals: ApprovalRecord | None = None

    @property
    def units_ranked(self) -> int:
        return max((s["units_ranked"] or 0 for s in self.scores), default=0)

    @property
    def submissions_used(self) -> list[Row]:
        """The accepted versions the period's figures were built from (January to the period end)."""
        return [s for s in self.status if s["version"] is not None]

    def approval(self, submission: Row) -> VersionState | None:
        """The approval state of a submission version used (a row of ``submissions_used``)."""
        if self.approvals is None:
            return None
        return self.approvals.version_state(
            submission["unit_code"], submission["period"], submission["sha256"]
        )

    def for_unit(self, unit_code: str) -> BulletinData:
        """The same data narrowed to one unit (rankings keep every unit: a rank needs the others)."""

        def own(rows: list[Row]) -> list[Row]:
            return [r for r in rows if r["unit_code"] == unit_code]

        return BulletinData(
            self.period,
            own(self.units),
            self.indicators,
            own(self.scores),
            own(self.trend),
            own(self.attainment),
            self.rankings,
            self.ranking_period_type,
            own(self.status),
            self.rates,
            own(self.findings),
            self.targets_file,
            self.scored,
            self.approvals,
        )


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | tuple = ()) -> list[Row]:
    cursor = con.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


_UNIT_JOIN = "left join marts.dim_units u on u.unit_code = t.unit_code"
_UNIT_COLUMNS = (
    "coalesce(u.unit_name, t.unit_code) as unit_name, coalesce(u.short_name, u.unit_name, "
    "t.unit_code) as short_name, coalesce(u.sort_order, 1000000) as unit_order"
)


def _in(values: tuple[str, ...]) -> str:
    return ", ".join("?" * len(values))


def _targets_file(con: duckdb.DuckDBPyConnection, year: int) -> Row | None:
    """The targets workbook the year's scores use, as the warehouse picked it (``fct_target_files``)."""
    found = _rows(
        con,
        "select sha256, file_name, version, status, received_at from marts.fct_target_files where year = ?",
        [year],
    )
    return found[0] if found else None


def connect_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    """The warehouse opened to read the marts (the bulletin's and the 公文's one way in)."""
    try:
        return duckdb.connect(str(path), read_only=True)
    except duckdb.ConnectionException as error:
        if "different configuration" not in str(error):
            raise
        # This process already holds the file open read-write (dbt run in-process does): DuckDB allows one
        # configuration per file and process, so read through that one. Only SELECTs are issued.
        return duckdb.connect(str(path))


def read_bulletin_data(warehouse_path: str | Path, period: str | Period) -> BulletinData:
    """Read everything a bulletin for ``period`` shows. ValueError when there is nothing to publish: no
    scores although the year's targets are loaded, or (targets not loaded) no accepted report of the
    period's last month."""
    period = period if isinstance(period, Period) else parse_period(period)
    path = Path(warehouse_path)
    if not path.is_file():
        raise FileNotFoundError(f"找不到数据仓库文件 / warehouse not found: {path}")
    con = connect_read_only(path)
    try:
        return _read(con, period)
    except duckdb.CatalogException as error:
        raise MissingMart(
            f"数据仓库 {path} 缺少通报所需的数据表，请先更新数据仓库（pingan report） / "
            f"a mart the bulletin reads is missing: {error}"
        ) from error
    finally:
        con.close()


def _read(con: duckdb.DuckDBPyConnection, period: Period) -> BulletinData:
    key, ptype, months, scope = period.key, period.period_type, period.months, period.scope_months
    scores = _rows(
        con,
        f"select t.*, {_UNIT_COLUMNS} from marts.fct_unit_scores t {_UNIT_JOIN} "
        "where t.period_type = ? and t.period = ? "
        "order by t.rank nulls last, unit_order, t.unit_code",
        [ptype, key],
    )
    targets_file = _targets_file(con, period.year)
    if not scores and targets_file is not None:
        raise ValueError(
            f"数据仓库中没有{period.label}的考评得分，无法生成通报 / "
            f"no unit scores in marts.fct_unit_scores for period {key} ({ptype})"
        )
    units = _rows(con, "select * from marts.dim_units order by sort_order, unit_code")
    indicators = {
        r["indicator_code"]: r
        for r in _rows(con, "select * from marts.dim_indicators order by sort_order, indicator_code")
    }
    trend = _rows(
        con,
        f"select t.*, {_UNIT_COLUMNS} from marts.fct_unit_scores t {_UNIT_JOIN} "
        f"where t.period_type = 'month' and t.period in ({_in(scope)}) "
        "order by t.period, unit_order, t.unit_code",
        scope,
    )
    attainment = _rows(
        con,
        f"select t.*, {_UNIT_COLUMNS}, i.indicator_name, i.value_type, i.measure_unit, "
        "coalesce(i.sort_order, 1000000) as indicator_order from marts.fct_target_attainment t "
        f"{_UNIT_JOIN} left join marts.dim_indicators i on i.indicator_code = t.indicator_code "
        "where t.period_type = ? and t.period = ? "
        "order by unit_order, t.unit_code, indicator_order, t.indicator_code, t.target_type",
        [ptype, key],
    )
    rankings, ranking_type = [], None
    for candidate in period.ranking_types:
        rankings = _rows(
            con,
            f"select t.*, {_UNIT_COLUMNS}, i.indicator_name, i.measure_unit, i.direction, i.value_type, "
            "i.sort_order as indicator_order from marts.fct_indicator_rankings t "
            f"{_UNIT_JOIN} join marts.dim_indicators i on i.indicator_code = t.indicator_code "
            "where t.period_type = ? and t.period = ? and i.is_key and i.direction <> 'none' "
            "order by indicator_order, t.indicator_code, t.rank nulls last, unit_order, t.unit_code",
            [candidate, key],
        )
        if rankings:
            ranking_type = candidate
            break
    status = _rows(
        con,
        f"select t.*, {_UNIT_COLUMNS} from marts.fct_submission_status t {_UNIT_JOIN} "
        f"where t.period in ({_in(scope)}) order by unit_order, t.unit_code, t.period",
        scope,
    )
    if not scores and not any(s["period"] == period.last and s["version"] is not None for s in status):
        raise ValueError(
            f"数据仓库中没有{period_label(period.last)}已接收的月报，无法生成{period.label}的通报 / "
            f"no accepted monthly report for {period.last} in marts.fct_submission_status"
        )
    rates = _rows(
        con,
        f"select * from marts.fct_period_submission_rates where period in ({_in(months)}) order by period",
        months,
    )
    findings = _rows(
        con,
        f"select t.*, {_UNIT_COLUMNS} from marts.fct_validation_findings t {_UNIT_JOIN} "
        f"where t.period in ({_in(months)}) order by unit_order, t.unit_code, t.period, t.version, "
        "case t.severity when 'error' then 0 else 1 end, t.sheet, t.cell, t.rule_id, t.field, t.value, "
        "t.message",
        months,
    )
    return BulletinData(
        period,
        units,
        indicators,
        scores,
        trend,
        attainment,
        rankings,
        ranking_type,
        status,
        rates,
        findings,
        targets_file,
        scored=bool(scores),
    )
