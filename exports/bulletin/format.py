"""How bulletin values read: rank changes (↑2 ↓1 — 新), "r / N", target texts, number formats by type."""

from __future__ import annotations

from base import catalogue
from exports import styles as st

DIRECTIONS = {"higher": "越高越好", "lower": "越低越好"}
SEVERITIES = {"error": "错误", "warning": "警告"}
MET, MISSED = "√", "×"  # the marks Chinese office forms use (in every GB2312 font)
FMT_SIGNED_PERCENT = "+0.0%;-0.0%;0.0%"


def target_type_label(code: str) -> str:
    """The Chinese label of a target type (target_types.csv), or the code when it is not known."""
    known = catalogue.target_type_by_code().get(code)
    return known.label if known else code


def lowest_grade() -> str:
    """The grade shown in red wherever grades are listed: the last of grades.csv."""
    return catalogue.grades()[-1][0]


# Why a rank has no change, as the marts say it (rank_change_status; the rule is the dbt macro
# rank_change_status): the words of its 名次变化 cell and what the legend under the table says of them.
# "新" is said of a unit only when the previous period ranked others without it (its meaning depends on
# the table: RANK_CHANGE_NEW); a previous period nobody was ranked in never makes a unit new.
RANK_CHANGE_NEW = {
    "score": "上期未参评",
    "indicator": "上期本单位未列入排名",
}
RANK_CHANGE_WORDS = {
    "previous_year_not_assessed": ("上年未考评", "上年没有目标管理责任书，未计算综合得分，名次无从比较"),
    "previous_not_ranked": ("上期无排名", "上期没有单位列入排名，名次无从比较"),
    "no_previous_period": ("上期无数据", "数据仓库中没有上期的月报，名次无从比较"),
}


def rank_change_text(row: dict) -> str:
    """A 名次变化 cell of a ranking row (fct_unit_scores, fct_indicator_rankings): ↑2 moved up two
    places, ↓1 down one, — unchanged, 新 not ranked last period while others were, else the words of
    why there is nothing to compare (上年未考评, 上期无排名, 上期无数据); '' when not ranked now."""
    status = row["rank_change_status"]
    if row["rank"] is None or status == "not_ranked":
        return ""
    if status == "new":
        return "新"
    if status in RANK_CHANGE_WORDS:
        return RANK_CHANGE_WORDS[status][0]
    change = row["rank_change"]
    if change > 0:
        return f"↑{change}"
    if change < 0:
        return f"↓{-change}"
    return "—"


def rank_change_legend(rows: list[dict], table: str) -> str:
    """What the 名次变化 column of ``rows`` means: the arrows and 新 (for a ``table`` of RANK_CHANGE_NEW),
    then each of RANK_CHANGE_WORDS the rows use, e.g. '…，新=上期未参评；上年未考评=上年没有…'."""
    used = {r["rank_change_status"] for r in rows}
    words = [f"{text}={meaning}" for status, (text, meaning) in RANK_CHANGE_WORDS.items() if status in used]
    legend = f"名次变化与上期比较：↑上升，↓下降，—不变，新={RANK_CHANGE_NEW[table]}"
    return "；".join([legend, *words]) + "。"


def targets_not_loaded(year: int) -> str:
    """What a bulletin of a year without its targets workbook says instead of a ranking."""
    return f"{year}年度目标管理责任书尚未载入，本期不计算综合得分，不评定等级，不排综合名次。"


def rank_of(rank: int | None, units_ranked: int | None) -> str:
    return "未参评" if rank is None else f"{rank} / {units_ranked}"


# How a value of each catalogue value_type is shown (S01/S03 percents are on a 0-100 scale).
VALUE_FORMATS = {
    "count": st.FMT_INTEGER,
    "amount": "#,##0.0",
    "percent": "0.0",
    "ratio": st.FMT_PERCENT,
    "timeliness": st.FMT_PERCENT,
    "per_10k": st.FMT_DECIMAL,
    "rank": "0",
    "rank_change": st.FMT_SIGNED,
}


def value_format(value_type: str | None) -> str:
    return VALUE_FORMATS.get(value_type or "", "#,##0.00")


MEAN_FORMATS = {"count": "#,##0.0", "rank": "0.0"}  # a mean of whole numbers needs a decimal


def mean_format(value_type: str | None, per_10k: bool = False) -> str:
    """Number format of a prefecture mean of an indicator's compared values."""
    if per_10k:
        return st.FMT_DECIMAL
    return MEAN_FORMATS.get(value_type or "", value_format(value_type))


def show(value: float | None, value_type: str | None) -> str:
    """A number as text in the indicator's own format (for target texts and reasons)."""
    if value is None:
        return "—"
    if value_type in {"ratio", "timeliness"}:
        return f"{value:.1%}"
    if value_type == "percent":  # survey scores, on a 0-100 scale
        return f"{value:.1f}%"
    if value_type == "per_10k":
        return f"{value:.2f}"
    if value_type in {"rank", "rank_change"}:
        return f"{value:g}"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def target_text(row: dict, effective: bool = True) -> str:
    """'≥95.0%', '≤0', '前60位', '上升≥5位', '提高>0.00', '同比≥0.0%' for a target-attainment row.

    ``effective`` shows the target as pro-rated for the period (flows), else the annual target.
    """
    kind, vt = row["target_type"], row.get("value_type")
    value = row["target_value"]
    if effective and row["target_value_effective"] is not None:
        value = row["target_value_effective"]
    if value is None:
        return "—"
    if kind == "min":
        return f"≥{show(value, vt)}"
    if kind == "max":
        return f"≤{show(value, vt)}"
    if kind == "rank_within":
        return f"前{value:g}位"
    if kind == "rank_up":
        return f"上升≥{value:g}位"
    if kind == "improve":
        if value == 0:
            return target_type_label(kind)  # 较上年提高
        return f"提高>{value:g}个百分点" if vt == "percent" else f"提高>{show(value, vt)}"
    if kind == "growth":
        return f"同比≥{value:.1%}"
    return show(value, vt)


def actual_format(row: dict) -> str:
    kind = row["target_type"]
    if kind == "growth":
        return FMT_SIGNED_PERCENT
    if kind == "rank_up":
        return st.FMT_SIGNED  # places moved up since last year
    if kind == "rank_within":
        return "0"
    return value_format(row.get("value_type"))


def result_of(row: dict) -> tuple[str, str]:
    """Text and named style of an attainment result cell."""
    if not row["evaluated"] or row["attained"] is None:
        return "未评价", st.NOT_EVALUATED
    if row["attained"]:
        return "达标", st.OK
    return ("未达标（否决）" if row["veto_failed"] else "未达标"), st.FAIL


def actual_text(row: dict) -> str:
    """The actual value of an attainment row in words: '第48位', '上升5位', '+3.3个百分点', '同比+8.4%'."""
    kind, vt, v = row["target_type"], row.get("value_type"), row["actual_value"]
    if v is None:
        return "—"
    if kind == "rank_within":
        return f"第{v:g}位"
    if kind == "rank_up":
        return f"上升{v:g}位" if v > 0 else (f"下降{-v:g}位" if v < 0 else "名次持平")
    if kind == "improve":
        return f"{v:+.1f}个百分点" if vt == "percent" else f"{'+' if v >= 0 else '-'}{show(abs(v), vt)}"
    if kind == "growth":
        return f"同比{v:+.1%}"
    return show(v, vt)


def mark_of(row: dict) -> str:
    """'√' met, '×' missed ('× 否决' for a failed veto target), '' not evaluated."""
    if not row["evaluated"] or row["attained"] is None:
        return ""
    if row["attained"]:
        return MET
    return f"{MISSED} 否决" if row["veto_failed"] else MISSED


def with_suffix(number_format: str, suffix: str) -> str:
    """Append literal text to every section of a number format: '0.0%' -> '0.0%" √"'."""
    literal = '"' + suffix.replace('"', "") + '"'
    return ";".join(section + literal for section in number_format.split(";"))


def prefecture_title(prefecture: str) -> str:
    """'毕节' -> '毕节市'; names already ending in 市/州/盟/地区 are kept."""
    return prefecture if prefecture.endswith(("市", "州", "盟", "地区")) else f"{prefecture}市"
