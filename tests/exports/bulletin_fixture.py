"""A small warehouse with exactly the marts contract, for testing what reads the marts.

``build_fixture_warehouse(path)`` writes a DuckDB file with schema ``marts`` (every contract table, with
the contract's columns and types) and the ``raw`` tables (from ``ingest/raw_schema.sql``; the bulletin
must not need them), filled for the nine catalogue units, January to March 2022 (months, year-to-date,
2022Q1 and the year 2022).

What it pins, so tests can name it:
- March scores have a tie (大方县 and 金沙县 86.5, both 3rd, next is 5th) and a veto (赫章县 scores 95.0 but
  fails the D04 veto target, so it ranks 9th, after every unit without a veto); 百里杜鹃管委会 missed
  February, so its March rank change is null (新, rank_change_status new). January, 2022Q1 and 2022 have
  no previous period in the fixture (no_previous_period). Scores are set by hand to pin these cases; they
  are not the sums of the attainment rows.
- Attainment has 达标, 未达标 and 未评价 (survey targets outside survey months) rows.
- Submission status has 逾期 (纳雍县 March), 未报 (百里杜鹃管委会 February), 退回 (威宁 March) and a
  resubmission (大方县 January version 2).
- A finding whose value is ``=HYPERLINK("x")`` (纳雍县 March): county text that must stay text.
- The targets workbook was received three times: v1 accepted, v2 accepted with warnings, v3 rejected
  (raw.submissions); fct_target_files names v2, the one the year's scores use.
"""

from __future__ import annotations

import hashlib
import random
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb

from base import catalogue
from ingest.load import RAW_SCHEMA_SQL

YEAR = 2022
MONTHS = ("2022-01", "2022-02", "2022-03")
INJECTION = '=HYPERLINK("x")'

# Hand-set composite scores per month, in catalogue unit order (None = not scored that month).
SCORES = {
    "2022-01": (88.5, 82.0, 91.0, 76.5, 85.0, 70.0, 79.5, 65.0, 58.0),
    "2022-02": (89.0, 84.5, 90.0, 80.0, 84.5, 72.0, 81.0, 68.0, None),
    "2022-03": (92.0, 86.5, 90.5, 86.5, 83.0, 74.0, 80.0, 95.0, 55.0),
}
VETO = {("2022-03", "522428"): "群体性事件数 1 起 > 目标 0 起，一票否决"}

MARTS_DDL = """
create schema if not exists marts;
create table marts.dim_units (unit_code varchar, unit_name varchar, short_name varchar, population bigint,
    townships integer, sort_order integer);
create table marts.dim_indicators (indicator_code varchar, indicator_name varchar, measure_unit varchar,
    kind varchar, direction varchar, value_type varchar, numerator_code varchar, denominator_code varchar,
    is_survey boolean, compare_per_10k boolean, is_key boolean, sort_order integer,
    max_per_10k_residents double);
create table marts.fct_indicator_values (unit_code varchar, indicator_code varchar, period_type varchar,
    period varchar, year integer, period_start date, period_end date, value double, value_last_year double,
    yoy_change double, change_vs_last_year double, value_per_10k double);
create table marts.fct_prefecture_values (indicator_code varchar, period_type varchar, period varchar,
    year integer, value double, value_last_year double, yoy_change double, change_vs_last_year double);
create table marts.fct_target_attainment (unit_code varchar, year integer, period varchar,
    period_type varchar, indicator_code varchar, target_type varchar, target_value double,
    target_value_effective double, actual_value double, evaluated boolean, attained boolean, points double,
    points_earned double, is_veto boolean, veto_failed boolean, reason varchar);
create table marts.fct_unit_scores (unit_code varchar, year integer, period varchar, period_type varchar,
    score double, points_earned double, points_evaluated double, grade varchar, veto boolean,
    veto_reason varchar, rank integer, units_ranked integer, rank_change integer, rank_change_status varchar,
    yellow_card boolean, yellow_card_reason varchar);
create table marts.fct_indicator_rankings (indicator_code varchar, period_type varchar, period varchar,
    unit_code varchar, value double, rank_basis varchar, ranked_value double, rank integer,
    units_ranked integer, rank_change integer, rank_change_status varchar, prefecture_mean double);
create table marts.fct_submission_status (unit_code varchar, period varchar, deadline date,
    expected boolean, received_at timestamp, on_time boolean, late boolean, missing boolean,
    rejected boolean, status_label varchar, version integer, versions_received integer, sha256 varchar,
    error_count integer, warning_count integer);
create table marts.fct_period_submission_rates (period varchar, units_expected integer,
    units_received integer, units_on_time integer, units_late integer, units_missing integer,
    units_rejected integer, completeness_rate double, timeliness_rate double);
create table marts.fct_target_files (year integer, sha256 varchar, file_name varchar, version integer,
    status varchar, received_at timestamp, target_lines integer);
create table marts.fct_validation_findings (sha256 varchar, unit_code varchar, period varchar,
    version integer, file_name varchar, rule_id varchar, severity varchar, sheet varchar, cell varchar,
    field varchar, value varchar, message varchar, hint varchar);
"""


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def competition_ranks(
    values: dict[str, float | None], higher_is_better: bool = True, demoted: frozenset[str] = frozenset()
) -> dict[str, int | None]:
    """1, 2, 2, 4 ranks; ``demoted`` units (vetoed) come after all others; None values are not ranked."""
    ranked = [code for code, v in values.items() if v is not None]
    sign = -1 if higher_is_better else 1

    def key(code: str) -> tuple[int, float]:
        return (code in demoted, sign * values[code])

    ranks: dict[str, int | None] = {code: None for code in values}
    for code in ranked:
        ranks[code] = 1 + sum(1 for other in ranked if key(other) < key(code))
    return ranks


def change_status(previous: dict[str, int | None], code: str) -> str:
    """rank_change_status of a ranked unit as the marts give it: the fixture starts in January 2022, so a
    January (or any period without a previous one here) has no previous period's data at all."""
    if not previous:
        return "no_previous_period"
    return "compared" if previous.get(code) is not None else "new"


def _grade(score: float, veto: bool) -> str:
    if veto:
        return catalogue.veto_grade()
    return next(grade for grade, floor in catalogue.grades() if score >= floor)


def _score_rows(units) -> list[tuple]:
    rows, previous, previous_last = [], {}, set()
    for period in MONTHS:
        values = dict(zip([u.code for u in units], SCORES[period], strict=True))
        vetoed = frozenset(code for (p, code) in VETO if p == period)
        ranks = competition_ranks(values, demoted=vetoed)
        n = sum(1 for v in values.values() if v is not None)
        last = {code for code, r in ranks.items() if r == n}
        for code, score in values.items():
            if score is None:
                continue
            veto = code in vetoed
            grade = _grade(score, veto)
            reasons = []
            if grade == catalogue.yellow_card_grade():
                reasons.append(f"等级为{grade}")
            if code in last and code in previous_last:
                reasons.append("连续2期排名末位")
            rank_change = previous[code] - ranks[code] if previous.get(code) else None
            rows.append(
                (
                    code,
                    YEAR,
                    period,
                    "month",
                    score,
                    score,
                    100.0,
                    grade,
                    veto,
                    VETO.get((period, code)),
                    ranks[code],
                    n,
                    rank_change,
                    change_status(previous, code),
                    bool(reasons),
                    "；".join(reasons) or None,
                )
            )
        previous, previous_last = ranks, last
    march = [r for r in rows if r[2] == "2022-03"]
    for period_type, period in (("quarter", "2022Q1"), ("year", "2022")):
        rows += [
            r[:2] + (period, period_type) + r[4:12] + (None, "no_previous_period") + r[14:] for r in march
        ]
    return rows


# Targets per unit: (indicator, type, value, points, veto); the S targets follow the speech.
COMMON_TARGETS = (
    ("R04", "min", 0.95, 20.0, False),
    ("R03", "min", 0.95, 15.0, False),
    ("R05", "min", 1.0, 15.0, False),
    ("D04", "max", 0.0, 20.0, True),
    ("C02", "growth", 0.0, 10.0, False),
)
SURVEY_TARGETS = {
    "522401": ("S02", "rank_within", 60.0),
    "522425": ("S02", "rank_within", 60.0),
    "522422": ("S02", "rank_up", 5.0),
    "522423": ("S02", "rank_up", 5.0),
    "522424": ("S02", "rank_up", 5.0),
    "522428": ("S02", "rank_up", 5.0),
    "522490": ("S01", "improve", 0.0),
    "522426": ("S02", "rank_within", 70.0),
    "522427": ("S02", "rank_within", 70.0),
}
NAMES = {
    "R04": "调解成功率",
    "R03": "命案侦破率",
    "R05": "维稳中心覆盖率",
    "D04": "群体性事件数",
    "C02": "刑事案件破案数",
    "S02": "群众安全感全省排名",
    "S01": "群众安全感测评得分",
}


def _attainment_rows(units) -> list[tuple]:
    rows = []
    periods = [(p, "month", int(p[5:])) for p in MONTHS] + [("2022Q1", "quarter", 3), ("2022", "year", 3)]
    for i, unit in enumerate(units):
        targets = [*COMMON_TARGETS, (*SURVEY_TARGETS[unit.code], 20.0, False)]
        for period, period_type, m in periods:
            for code, kind, target, points, veto in targets:
                effective = target
                if kind == "min":
                    actual = (
                        round(0.93 + 0.006 * i + 0.002 * m, 4) if code != "R05" else (1.0 if i % 3 else 0.9)
                    )
                    ok = actual >= target
                    earned = points if ok else round(points * actual / target, 2)
                    shown = f"{actual:.1%} {'≥' if ok else '<'} 目标 {target:.1%}"
                    reason = f"{NAMES[code]} {shown}，{'达标' if ok else '未达标'}"
                elif kind == "max":
                    actual = 1.0 if (unit.code == "522428" and m == 3) else 0.0
                    ok = actual <= target
                    earned = points if ok else 0.0
                    reason = f"{NAMES[code]} {actual:.0f} 起 {'≤' if ok else '>'} 目标 {target:.0f} 起，" + (
                        "达标" if ok else "未达标，一票否决"
                    )
                elif kind == "growth":
                    actual = round(-0.04 + 0.02 * i, 4)
                    ok = actual >= target
                    earned = points if ok else 0.0
                    reason = f"{NAMES[code]}同比 {actual:+.1%}，{'达标' if ok else '未达标'}"
                else:  # survey targets: evaluated only in survey months (none in Q1)
                    rows.append(
                        (
                            unit.code,
                            YEAR,
                            period,
                            period_type,
                            code,
                            kind,
                            target,
                            effective,
                            None,
                            False,
                            None,
                            points,
                            0.0,
                            veto,
                            False,
                            f"{NAMES[code]}本期无测评结果，未评价",
                        )
                    )
                    continue
                rows.append(
                    (
                        unit.code,
                        YEAR,
                        period,
                        period_type,
                        code,
                        kind,
                        target,
                        effective,
                        actual,
                        True,
                        ok,
                        points,
                        earned,
                        veto,
                        veto and not ok,
                        reason,
                    )
                )
    return rows


RANKED = ("C01", "C07", "C09", "C10", "D02", "D04", "R01", "R03", "R04", "R09")


def _indicator_rows(units, indicators) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """fct_indicator_values, fct_prefecture_values and fct_indicator_rankings for the RANKED indicators."""
    rng = random.Random(2022)
    monthly: dict[tuple[str, str, int], float | None] = {}
    for code in RANKED:
        ind = indicators[code]
        for unit in units:
            for m in (1, 2, 3):
                if ind.value_type == "count":
                    scale = {"C01": 40, "C07": 12, "C09": 0.3, "C10": 6, "D02": 300, "D04": 0.2}[code]
                    value = float(round(scale * unit.population / 800_000 * rng.uniform(0.6, 1.4)))
                elif code == "R09":
                    value = round(rng.uniform(0.3, 0.9), 4)
                elif code == "R03" and unit.code == "522490":
                    value = None  # no homicides: a zero denominator gives no rate
                else:
                    value = round(rng.uniform(0.85, 1.0), 4)
                monthly[(code, unit.code, m)] = value
    values, prefecture, rankings = [], [], []
    pop = {u.code: u.population for u in units}
    periods = [(f"2022-{m:02d}", "month", (m,), m) for m in (1, 2, 3)]
    periods += [(f"2022-{m:02d}", "ytd", tuple(range(1, m + 1)), m) for m in (1, 2, 3)]
    periods += [("2022Q1", "quarter", (1, 2, 3), 3), ("2022", "year", (1, 2, 3), 3)]
    previous_ranks: dict[tuple[str, str], dict[str, int | None]] = {}
    for period, period_type, months, last in periods:
        start = date(YEAR, months[0], 1)
        end = date(YEAR + (last == 12), last % 12 + 1, 1) - timedelta(days=1)
        for code in RANKED:
            ind = indicators[code]
            by_unit: dict[str, float | None] = {}
            for unit in units:
                parts = [monthly[(code, unit.code, m)] for m in months]
                if any(p is None for p in parts):
                    value = None
                elif ind.value_type == "count":
                    value = sum(parts)
                else:
                    value = round(sum(parts) / len(parts), 4)
                by_unit[unit.code] = value
                per_10k = (
                    value * 10000 / pop[unit.code]
                    if value is not None and ind.value_type == "count"
                    else None
                )
                ly = value * 0.9 if value is not None else None
                values.append(
                    (
                        unit.code,
                        code,
                        period_type,
                        period,
                        YEAR,
                        start,
                        end,
                        value,
                        ly,
                        (value - ly) / ly if ly else None,
                        value - ly if ly is not None else None,
                        per_10k,
                    )
                )
            known = [v for v in by_unit.values() if v is not None]
            total = sum(known) if ind.value_type == "count" else round(sum(known) / len(known), 4)
            prefecture.append((code, period_type, period, YEAR, total, total * 0.9, 1 / 9, total * 0.1))
            per10k = ind.compare_per_10k and ind.value_type == "count"
            ranked = {c: (v * 10000 / pop[c] if per10k and v is not None else v) for c, v in by_unit.items()}
            ranks = competition_ranks(ranked, higher_is_better=ind.direction == "higher")
            mean = sum(v for v in ranked.values() if v is not None) / sum(
                v is not None for v in ranked.values()
            )
            before = previous_ranks.get((period_type, code), {})
            for unit in units:
                r, p = ranks[unit.code], before.get(unit.code)
                rankings.append(
                    (
                        code,
                        period_type,
                        period,
                        unit.code,
                        by_unit[unit.code],
                        "per_10k" if per10k else "value",
                        ranked[unit.code],
                        r,
                        len(known),
                        p - r if r is not None and p is not None else None,
                        "not_ranked" if r is None else change_status(before, unit.code),
                        mean,
                    )
                )
            previous_ranks[(period_type, code)] = ranks
    return values, prefecture, rankings


# Exceptions to "received on the 3rd, version 1": (period, unit) -> (label, version, versions, received day)
STATUS_EXCEPTIONS = {
    ("2022-01", "522422"): ("已报", 2, 2, 4),
    ("2022-02", "522490"): ("未报", None, 0, None),
    ("2022-03", "522426"): ("逾期", 1, 1, 8),
    ("2022-03", "522427"): ("退回", None, 1, 2),
}


def submission_sha(unit_code: str, period: str, version: int) -> str:
    return sha(f"{unit_code}/{period}/v{version}")


def _status_rows(units) -> tuple[list[tuple], list[tuple]]:
    rows, rates = [], []
    for period in MONTHS:
        m = int(period[5:])
        deadline = date(YEAR, m + 1, 5)
        counts = dict.fromkeys(("received", "on_time", "late", "missing", "rejected"), 0)
        for i, unit in enumerate(units):
            label, version, versions, day = STATUS_EXCEPTIONS.get((period, unit.code), ("已报", 1, 1, 3))
            received = datetime(YEAR, m + 1, day, 10, 5 * i) if day else None
            errors = 2 if label == "退回" else 0
            warnings = 1 if (period, unit.code) in {("2022-01", "522422"), ("2022-03", "522426")} else 0
            rows.append(
                (
                    unit.code,
                    period,
                    deadline,
                    True,
                    received,
                    label == "已报",
                    label == "逾期",
                    label == "未报",
                    label == "退回",
                    label,
                    version,
                    versions,
                    submission_sha(unit.code, period, version) if version else None,
                    errors,
                    warnings,
                )
            )
            counts["received"] += label != "未报"
            counts["on_time"] += label == "已报"
            counts["late"] += label == "逾期"
            counts["missing"] += label == "未报"
            counts["rejected"] += label == "退回"
        n = len(units)
        rates.append(
            (
                period,
                n,
                counts["received"],
                counts["on_time"],
                counts["late"],
                counts["missing"],
                counts["rejected"],
                (counts["received"] - counts["rejected"]) / n,
                counts["on_time"] / n,
            )
        )
    return rows, rates


def _findings() -> list[tuple]:
    return [
        (
            submission_sha("522422", "2022-01", 1),
            "522422",
            "2022-01",
            1,
            "大方县2022年1月月报.xlsx",
            "W_TOWNSHIP_SUM",
            "warning",
            "乡镇明细",
            "B40",
            "d02",
            "1234",
            "乡镇明细调解民间纠纷数合计 1,234 与指标填报 1,240 不一致",
            "请核对乡镇明细与指标填报",
        ),
        (
            sha("522427/2022-03/rejected"),
            "522427",
            "2022-03",
            1,
            "威宁县3月报表.xlsx",
            "E_NEGATIVE",
            "error",
            "指标填报",
            "D9",
            "C05",
            "-3",
            "命案发案数不能为负数",
            "请填写 0 或正整数",
        ),
        (
            sha("522427/2022-03/rejected"),
            "522427",
            "2022-03",
            1,
            "威宁县3月报表.xlsx",
            "E_D03_GT_D02",
            "error",
            "指标填报",
            "D17",
            "D03",
            "520",
            "调解成功数 520 大于调解民间纠纷数 480",
            "调解成功数不能大于调解数",
        ),
        (
            submission_sha("522426", "2022-03", 1),
            "522426",
            "2022-03",
            1,
            "纳雍县2022年3月.xlsx",
            "W_REMARK_FORMULA",
            "warning",
            "指标填报",
            "F12",
            "remark",
            INJECTION,
            "备注内容以等号开头，已按文本处理",
            "备注请直接填写文字",
        ),
    ]


def _targets_submissions() -> list[tuple]:
    rows = []
    for version, status in ((1, "accepted"), (2, "accepted_with_warnings"), (3, "rejected")):
        received = datetime(YEAR, 1, 10 + version, 9, 0)
        rows.append(
            (
                targets_sha(version),
                "targets",
                f"2022年目标管理责任书_v{version}.xlsx",
                f"archive/targets/{targets_sha(version)}.xlsx",
                20_000 + version,
                received,
                received,
                None,
                None,
                "2022",
                version,
                status,
                1 if status == "rejected" else 0,
                1 if status == "accepted_with_warnings" else 0,
                None,
                None,
                None,
                None,
            )
        )
    return rows


def targets_sha(version: int) -> str:
    return sha(f"targets/2022/v{version}")


def _target_files(units) -> list[tuple]:
    """fct_target_files: the latest accepted targets workbook of 2022 (v2; v3 was rejected)."""
    used = max(
        (r for r in _targets_submissions() if r[11] in ("accepted", "accepted_with_warnings")),
        key=lambda r: r[10],
    )
    sha256, file_name, received_at, version, status = used[0], used[2], used[5], used[10], used[11]
    return [(YEAR, sha256, file_name, version, status, received_at, len(units) * (len(COMMON_TARGETS) + 1))]


def build_fixture_warehouse(path: str | Path) -> Path:
    """Write the fixture warehouse at ``path`` (a new DuckDB file) and return the path."""
    path = Path(path)
    units = catalogue.units()
    indicators = catalogue.indicator_by_code()
    con = duckdb.connect(str(path))
    try:
        con.execute(MARTS_DDL)
        con.execute(RAW_SCHEMA_SQL.read_text(encoding="utf-8"))
        con.executemany(
            "insert into marts.dim_units values (?, ?, ?, ?, ?, ?)",
            [(u.code, u.name, u.short_name, u.population, u.townships, u.sort_order) for u in units],
        )
        con.executemany(
            "insert into marts.dim_indicators values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    i.code,
                    i.name,
                    i.measure_unit,
                    i.kind,
                    i.direction,
                    i.value_type,
                    i.numerator_code or None,
                    i.denominator_code or None,
                    i.is_survey,
                    i.compare_per_10k,
                    i.is_key,
                    i.sort_order,
                    i.max_per_10k_residents,
                )
                for i in indicators.values()
            ],
        )
        values, prefecture, rankings = _indicator_rows(units, indicators)
        status, rates = _status_rows(units)
        for table, rows in (
            ("fct_unit_scores", _score_rows(units)),
            ("fct_target_attainment", _attainment_rows(units)),
            ("fct_indicator_values", values),
            ("fct_prefecture_values", prefecture),
            ("fct_indicator_rankings", rankings),
            ("fct_submission_status", status),
            ("fct_period_submission_rates", rates),
            ("fct_target_files", _target_files(units)),
            ("fct_validation_findings", _findings()),
        ):
            marks = ", ".join("?" * len(rows[0]))
            con.executemany(f"insert into marts.{table} values ({marks})", rows)
        con.executemany(f"insert into raw.submissions values ({', '.join('?' * 18)})", _targets_submissions())
    finally:
        con.close()
    return path
