"""目标完成情况: one row per unit, one column per target, laid out to be read on A4 landscape paper.

A target every unit shares (调解成功率 ≥95.0%) puts the target in the column header and the unit's actual
value in its cell, with a mark: "96.2% √" on green, "93.6% ×" on red, "未评价" on grey. The cells stay
numbers (the mark is part of the number format), so they still sort and sum in Excel. Targets that differ
per unit, such as the survey targets (前60位 for some units, 上升≥5位 for others), share one column
(e.g. 群众安全感目标) whose cells say the unit's own target and result. Below the table: the legend and
the numbered list of targets not met, each with its reason.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property

from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from exports import styles as st
from exports.bulletin import layout
from exports.bulletin.data import BulletinData, Row
from exports.bulletin.format import (
    actual_format,
    actual_text,
    mark_of,
    result_of,
    show,
    target_text,
    with_suffix,
)
from exports.bulletin.sheets import Masthead, cell_ref, new_sheet

HEADER_WRAP = 10  # header lines wrap at about this many display columns (5 CJK characters)
CELL_WRAP = 20  # per-unit target cells wrap beyond this width
NAME_WRAP = 14  # unit names longer than 7 CJK characters take two lines
LINE_HEIGHT = 15


@dataclass
class TargetColumn:
    """One column of the matrix: the rows of one target (or of one group of per-unit targets)."""

    name: str
    rows: dict[str, Row] = field(default_factory=dict)  # by unit_code
    order: tuple = ()

    @cached_property
    def uniform(self) -> bool:
        """Every unit has the same indicator, target type and (pro-rated) target value (asked once per
        cell, so computed once: the column is complete when it is first asked)."""
        kinds = {(r["indicator_code"], r["target_type"], _rounded(_target(r))) for r in self.rows.values()}
        return len(kinds) == 1

    @property
    def veto(self) -> bool:
        return any(r["is_veto"] for r in self.rows.values())

    @property
    def header(self) -> str:
        first = next(iter(self.rows.values()))
        text = f"{self.name}\n{target_text(first)}" if self.uniform else f"{self.name}\n（目标，实际）"
        return f"{text}\n（否决项）" if self.veto else text


def _target(r: Row) -> float | None:
    return r["target_value"] if r["target_value_effective"] is None else r["target_value_effective"]


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def _survey_name(names: list[str]) -> str:
    """'群众安全感测评得分(%)', '群众安全感全省排名' -> '群众安全感目标' (their common start + 目标)."""
    prefix = os.path.commonprefix(names).rstrip("(（")
    return f"{prefix}目标" if len(prefix) >= 2 else "群众测评目标"


def target_columns(rows: list[Row], indicators: dict[str, Row]) -> list[TargetColumn]:
    """The matrix's columns in catalogue order: one per (indicator, target type); the survey targets
    together in one column when no unit has two of them."""

    def order(r: Row) -> tuple:
        return (r["indicator_order"], r["indicator_code"], r["target_type"])

    survey = [r for r in rows if (indicators.get(r["indicator_code"]) or {}).get("is_survey")]
    units = [r["unit_code"] for r in survey]
    together = {id(r) for r in survey} if len(units) == len(set(units)) else set()
    grouped: dict[tuple, list[Row]] = {}
    for r in rows:
        key = ("survey",) if id(r) in together else (r["indicator_code"], r["target_type"])
        grouped.setdefault(key, []).append(r)
    columns = []
    for key, members in grouped.items():
        names = sorted({r["indicator_name"] or r["indicator_code"] for r in members})
        column = TargetColumn(names[0], order=min(map(order, members)))
        for r in members:
            column.rows.setdefault(r["unit_code"], r)
        if len(names) > 1:
            column.name = _survey_name(names)
        elif key == ("survey",) and not column.uniform:
            column.name = f"{names[0]}目标"
        columns.append(column)
    return sorted(columns, key=lambda c: c.order)


def _cell_text(column: TargetColumn, r: Row) -> str:
    """The text a cell shows (for sizing, and as the value of per-unit target cells)."""
    mark = mark_of(r)
    if not mark:
        result = "未评价"
    elif r["actual_value"] is None:
        result = f"无数据 {mark}"  # evaluated without a value (e.g. nothing reported): counts as not met
    elif column.uniform and r["target_type"] not in {"rank_within", "rank_up", "improve"}:
        result = f"{show(r['actual_value'], r.get('value_type'))} {mark}"
    else:
        result = f"{actual_text(r)} {mark}"
    return result if column.uniform else f"{target_text(r)}，{result}"


def _put_target(ws: Worksheet, row: int, col: int, column: TargetColumn, r: Row | None) -> None:
    if r is None:
        layout.put(ws, row, col, "/", st.CENTER)
        return
    _, style = result_of(r)
    if column.uniform and r["evaluated"] and r["attained"] is not None and r["actual_value"] is not None:
        fmt = actual_format(r)
        if r["target_type"] == "rank_within":
            fmt = '"第"0"位"'
        layout.put(ws, row, col, r["actual_value"], style, with_suffix(fmt, f" {mark_of(r)}"))
    else:
        layout.put(ws, row, col, _cell_text(column, r), style)


def write_attainment(wb: Workbook, data: BulletinData, mh: Masthead) -> Worksheet:
    """The unit × target matrix, its legend and the numbered list of targets not met (two columns)."""
    ws = new_sheet(wb, "目标完成情况")
    columns = target_columns(data.attainment, data.indicators)
    units = [u for u in data.units if any(u["unit_code"] in c.rows for c in columns)]
    first_target, n = 3, 3 + len(columns) + 1
    header = mh.start(ws, n, f"目标完成情况（{data.period.basis}）")
    headers = ["序号", "单位名称", *(c.header for c in columns), "达标/已评价", "综合得分"]
    for col, text in enumerate(headers, start=1):
        layout.put(ws, header, col, text, st.HEADER)

    widths = {
        1: 5.0,
        2: min(max((layout.display_width(u["unit_name"]) for u in units), default=8), NAME_WRAP) + 2,
    }
    for i, column in enumerate(columns):
        cells = [_cell_text(column, r) for r in column.rows.values()]
        content = min(
            max(layout.display_width(line) for text in cells for line in text.split("\n")), CELL_WRAP
        )
        heading = max(min(layout.display_width(line), HEADER_WRAP) for line in column.header.split("\n"))
        widths[first_target + i] = max(content, heading, 7) + 1.5
    widths[n - 1], widths[n] = 8.0, 7.0
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.row_dimensions[header].height = (
        LINE_HEIGHT * max(layout.text_lines(text, widths[col]) for col, text in enumerate(headers, start=1))
        + 6
    )

    scores = {s["unit_code"]: s for s in data.scores}
    row, failed = header, []
    for i, unit in enumerate(units, start=1):
        row += 1
        code = unit["unit_code"]
        layout.put(ws, row, 1, i, st.CENTER)
        layout.put(ws, row, 2, unit["unit_name"])
        lines = layout.text_lines(unit["unit_name"], widths[2])
        for offset, column in enumerate(columns):
            r = column.rows.get(code)
            _put_target(ws, row, first_target + offset, column, r)
            if r is not None:
                lines = max(lines, layout.text_lines(_cell_text(column, r), widths[first_target + offset]))
                if r["evaluated"] and r["attained"] is False:
                    reason = (r["reason"] or r["indicator_name"] or r["indicator_code"]).replace(
                        "，未达标", ""
                    )
                    failed.append((unit["unit_name"], reason))
        own = [c.rows[code] for c in columns if code in c.rows]
        evaluated = [r for r in own if r["evaluated"] and r["attained"] is not None]
        layout.put(
            ws, row, n - 1, f"{sum(bool(r['attained']) for r in evaluated)}/{len(evaluated)}", st.CENTER
        )
        score = scores.get(code)
        layout.put(ws, row, n, score["score"] if score else None, st.DECIMAL, "0.0")
        ws.row_dimensions[row].height = LINE_HEIGHT * lines + 9
    st.print_setup(
        ws, f"{header}:{header}", freeze=f"C{header + 1}", table_ref=f"A{header}:{cell_ref(n, row)}"
    )

    legend = (
        "注：√ 达标（绿色）；× 未达标（红色），“否决”为一票否决项未达标；未评价（灰色）指本期尚无该指标的统计"
        "或测评结果，不计入已评价分值；“/”表示该单位无此项目标。表头为各单位共同的目标，流量指标的年度目标已按"
        "已过月数折算；各单位目标不同的，单元格内注明本单位目标。"
    )
    row = layout.note_rows(ws, row + 1, [legend], n) + 1
    layout.section(ws, row, "未达标项目说明", n)
    items = [f"{i}. {unit}：{reason}" for i, (unit, reason) in enumerate(failed, start=1)]
    if items:
        layout.note_columns(ws, row + 1, items, n)
    else:
        layout.note_rows(ws, row + 1, ["本期各单位已评价的目标均已达标。"], n)
    layout.fit_one_page_if_readable(ws, n)
    return ws
