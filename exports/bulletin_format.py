"""How bulletin values read: rank changes (↑2 ↓1 — 新), "r / N", target texts, number formats by type."""

from __future__ import annotations

from datetime import date, datetime

from exports import bulletin_styles as st

TARGET_TYPES = {
    "min": "不低于",
    "max": "不高于",
    "rank_within": "排名进入",
    "rank_up": "排名上升",
    "improve": "较上年提高",
    "growth": "同比增长",
}
DIRECTIONS = {"higher": "越高越好", "lower": "越低越好"}
SEVERITIES = {"error": "错误", "warning": "警告"}


def rank_change_text(rank_change: int | None, rank: int | None = 1) -> str:
    """↑2 moved up two places, ↓1 down one, — unchanged, 新 not ranked last period; '' when not ranked now."""
    if rank is None:
        return ""
    if rank_change is None:
        return "新"
    if rank_change > 0:
        return f"↑{rank_change}"
    if rank_change < 0:
        return f"↓{-rank_change}"
    return "—"


def rank_of(rank: int | None, units_ranked: int | None) -> str:
    return "未参评" if rank is None else f"{rank} / {units_ranked}"


def value_format(value_type: str | None) -> str:
    return st.VALUE_FORMATS.get(value_type or "", "#,##0.00")


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
        return f"提高>{show(value, vt)}"
    if kind == "growth":
        return f"同比≥{value:.1%}"
    return show(value, vt)


def actual_format(row: dict) -> str:
    kind = row["target_type"]
    if kind == "growth":
        return st.FMT_PERCENT
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


def date_text(moment: date | datetime) -> str:
    text = f"{moment.year}年{moment.month}月{moment.day}日"
    return f"{text} {moment:%H:%M}" if isinstance(moment, datetime) else text


def prefecture_title(prefecture: str) -> str:
    """'毕节' -> '毕节市'; names already ending in 市/州/盟/地区 are kept."""
    return prefecture if prefecture.endswith(("市", "州", "盟", "地区")) else f"{prefecture}市"
