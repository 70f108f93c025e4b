"""Turning what a county typed into a number, a period or a yes/no, without guessing.

Every function returns the value and, when the text cannot be read with one obvious meaning, the
reason (Chinese, for the county) instead of a value. Unknown is never zero: blank, "—", "－", "/"
mean "not reported" (None); "无" means zero only for counts.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from decimal import Decimal
from typing import NamedTuple

from base import catalogue

NOT_REPORTED = {"", "-", "—", "－", "–", "/", "／", "\\", "--", "——", "－－", "空", "暂无数据"}
ZERO_WORDS = {"无", "零", "没有"}


class Reading(NamedTuple):  # a tuple, not a frozen dataclass: a national intake makes millions
    value: float | None
    problem: str | None = None  # Chinese reason when the text has no single obvious reading
    fraction: Decimal | None = None  # a percentage typed as a fraction: the factor it was multiplied by

    @property
    def ok(self) -> bool:
        return self.problem is None


def _text(raw: object) -> str:
    return unicodedata.normalize("NFKC", str(raw)).strip()


def parse_number(raw: object, value_type: str = "count") -> Reading:
    """A cell as a number in the catalogue's scale for ``value_type``.

    count/amount/rank: plain numbers, text with thousands separators, full-width digits, "无" = 0.
    percent (0–100 scores): "96%", "96.0％", 96, or 0.96 (a cell formatted as a percentage stores the
    fraction; a score of at most 1 point is not a real survey result, so it is read as the fraction,
    by the catalogue's factor for 小数 -> %, and ``fraction`` says so: the caller reports it).
    ratio (targets on derived rates, stored as fractions): "95%" → 0.95; 95 → 0.95; 0.95 → 0.95.
    """
    if raw is None or isinstance(raw, bool):
        return Reading(None) if raw is None else Reading(None, "应为数字，不能是逻辑值")
    if isinstance(raw, (dt.date, dt.datetime, dt.time)):
        return Reading(None, "应为数字，单元格却是日期")
    if isinstance(raw, (int, float)):
        return _scaled(_float(raw), value_type, had_percent_sign=False)
    text = _text(raw)
    if text in NOT_REPORTED:
        return Reading(None)
    if text in ZERO_WORDS:
        if value_type in {"count", "amount"}:
            return Reading(0.0)
        return Reading(None, f"「{text}」只能用于个数类指标，此处应填写数值")
    had_percent_sign = text.endswith("%")
    body = text.rstrip("%").strip()
    body = re.sub(r"(?<=\d)[,，](?=\d{3}(\D|$))", "", body)  # thousands separators only
    body = body.replace(" ", "")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", body):
        return Reading(None, f"「{raw}」不是有效数字")
    return _scaled(_float(body), value_type, had_percent_sign)


def _float(number: int | float | str) -> float:
    """``number`` as a float; infinity where it is too large for one (a 400-digit integer)."""
    try:
        return float(number)
    except OverflowError:
        return math.inf


def _scaled(number: float, value_type: str, had_percent_sign: bool) -> Reading:
    if not math.isfinite(number):  # a numeric cell can hold infinity or NaN; no count or score is either
        return Reading(None, "不是有限的数值（无穷大或非数字），请填写实际数字")
    if value_type == "percent":
        if not had_percent_sign and 0 < number <= 1:
            factor = catalogue.fraction_factor("%")
            return Reading(scaled(number, factor), fraction=factor)
        return Reading(number)
    if value_type == "ratio":
        if had_percent_sign or number > 1.5:
            return Reading(round(number / 100, 8))
        return Reading(number)
    if had_percent_sign:
        return Reading(None, "此项为数量，不应带百分号")
    return Reading(number)


def scaled(number: float, factor: Decimal) -> float:
    """``number`` times ``factor`` in decimal arithmetic: 123456 元 x 0.0001 is 12.3456 万元, not
    12.345600000000001."""
    return float(Decimal(repr(number)) * factor)


def number_text(number: float) -> str:
    """A number as messages show it: 12.3456, 1500, 0.0001 (no exponent, no trailing zeros)."""
    return format(Decimal(repr(number)).normalize(), "f")


def parse_year(raw: object) -> int | None:
    text = _text(raw).removesuffix("年度").removesuffix("年")
    if isinstance(raw, float) and raw.is_integer():
        text = str(int(raw))
    return int(text) if re.fullmatch(r"\d{4}", text) else None


YES_WORDS = {"是", "有", "已建", "已建成", "√", "✓", "y", "yes", "1"}
NO_WORDS = {"否", "无", "未建", "未建成", "没有", "×", "n", "no", "0"}


def parse_yes_no(raw: object) -> tuple[bool | None, str | None]:
    if raw is None or raw == "":
        return None, None
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        raw = int(raw) if float(raw).is_integer() else raw
    text = _text(raw).lower()
    if text in YES_WORDS:
        return True, None
    if text in NO_WORDS:
        return False, None
    return None, f"「{raw}」应填写 是 或 否"


def cell_text(raw: object) -> str | None:
    """The cell as the county typed it, for audit columns; None for empty."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, float) and raw.is_integer() and abs(raw) < 2**53:  # whole, and exact as a float
        return str(int(raw))
    return str(raw)  # 1e+20 as Excel shows it, not the 21 digits of its binary value
