"""The bulletin's score sheets: 综合排名 (with the bar chart), 指标排名 (league tables), 得分走势 (trend chart).

Each writer takes the workbook, the data read from the marts and the masthead, adds one sheet with a
title block, its tables, print set-up and conditional formats, and returns it. 目标完成情况 is in
attainment.py. Layouts are made for A4 landscape paper first: the PDF is what leaders read.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from openpyxl.chart import Reference
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from base.calendar import date_text, month_label
from exports import styles as st
from exports.bulletin import layout
from exports.bulletin.charts import axis_floor, score_bar_chart, trend_line_chart
from exports.bulletin.data import BulletinData, Row
from exports.bulletin.format import (
    DIRECTIONS,
    lowest_grade,
    mean_format,
    rank_change_legend,
    rank_change_text,
    rank_of,
    targets_not_loaded,
    value_format,
)
from exports.safe import safe_sheet_title


@dataclass(frozen=True)
class Masthead:
    """What every sheet's title block says."""

    title: str  # e.g. 毕节市社会治安综合治理考评排名通报
    issued_by: str
    as_of: datetime
    period_label: str

    def start(self, ws: Worksheet, columns: int, caption: str) -> int:
        """Write the title block; returns the header row."""
        return layout.title_block(
            ws,
            columns,
            self.title,
            f"{self.period_label} · {caption}",
            f"发布单位：{self.issued_by}",
            f"数据截止：{date_text(self.as_of)}",
        )


def new_sheet(wb: Workbook, title: str) -> Worksheet:
    ws = wb.create_sheet(safe_sheet_title(title, set(wb.sheetnames)))
    ws.sheet_view.showGridLines = False
    return ws


def cell_ref(columns: int, row: int) -> str:
    return f"{get_column_letter(columns)}{row}"


RANKING_HEADERS = (
    "名次",
    "单位名称",
    "综合得分",
    "等级",
    "名次变化",
    "名次/参评",
    "实得分值",
    "考评分值",
    "一票否决",
    "黄牌警告",
    "情况说明",
)


def ranking_cells(s: Row) -> list[tuple[object, str, str | None]]:
    """A ranked unit's row of 综合排名: (value, named style, number format) per column of RANKING_HEADERS
    (also what the portal's leaders' page shows: ``tables``)."""
    reasons = "；".join(r for r in (s["veto_reason"], s["yellow_card_reason"]) if r)
    return [
        (s["rank"], st.CENTER, None),
        (s["unit_name"], st.TEXT, None),
        (s["score"], st.DECIMAL, "0.0"),
        (s["grade"], st.CENTER, None),
        (rank_change_text(s), st.CENTER, None),
        (rank_of(s["rank"], s["units_ranked"]), st.CENTER, None),
        (s["points_earned"], st.DECIMAL, "0.0"),
        (s["points_evaluated"], st.DECIMAL, "0.0"),
        ("否决" if s["veto"] else "", st.CENTER, None),
        ("黄牌" if s["yellow_card"] else "", st.CENTER, None),
        (reasons, st.TEXT, None),
    ]


def unranked_units(data: BulletinData) -> list[Row]:
    """The units listed under the ranked ones: no score this period."""
    scored = {s["unit_code"] for s in data.scores}
    return [u for u in data.units if u["unit_code"] not in scored]


def unranked_cells(unit: Row) -> list[object]:
    return ["", unit["unit_name"], None, "", "", "未参评", None, None, "", "", "本期无考评得分"]


def write_ranking(wb: Workbook, data: BulletinData, mh: Masthead) -> Worksheet:
    ws = new_sheet(wb, "综合排名")
    n = len(RANKING_HEADERS)
    header = mh.start(ws, n, f"综合排名（{data.period.basis}）")
    if not data.scored:
        return _write_not_scored(ws, data, header, n)
    layout.header_row(ws, header, RANKING_HEADERS)
    row = header
    for s in data.scores:
        row += 1
        for col, (value, style, fmt) in enumerate(ranking_cells(s), start=1):
            layout.put(ws, row, col, value, style, fmt)
    last_ranked = row
    for unit in unranked_units(data):
        row += 1
        for col, value in enumerate(unranked_cells(unit), start=1):
            layout.put(ws, row, col, value, st.TEXT if col in (2, 11) else st.CENTER)
    first = header + 1
    layout.score_bars(ws, f"C{first}:C{row}")
    layout.highlight_text(ws, f"E{first}:E{row}", "↑", None, st.GREEN_FONT)
    layout.highlight_text(ws, f"E{first}:E{row}", "↓", None, st.RED_FONT)
    layout.highlight_text(ws, f"D{first}:D{row}", lowest_grade(), st.RED_FILL, st.RED_FONT)
    layout.highlight_rows(ws, f"A{first}:B{row}", f'$I{first}="否决"', st.RED_FILL)
    layout.highlight_text(ws, f"J{first}:J{row}", "黄牌", st.YELLOW_FILL)
    layout.fit_columns(ws, header, fixed={11: 40})
    notes = [
        "注：1. 综合得分相同的名次并列，其后名次顺延（如 1、2、2、4）；一票否决单位排在未被否决单位之后。",
        f"2. {rank_change_legend(data.scores, 'score')}“名次/参评”为名次与参评单位数。",
    ]
    after = layout.note_rows(ws, row + 2, notes, n)
    if last_ranked > header:
        score_bar_chart(
            ws,
            label_col=2,
            value_col=3,
            first_row=first,
            last_row=last_ranked,
            anchor=f"A{after + 1}",
            caption=f"{mh.period_label}综合得分",
        )
    st.print_setup(ws, f"{header}:{header}", freeze=f"C{first}", table_ref=f"A{header}:{cell_ref(n, row)}")
    return ws


NOT_SCORED_NOTES = (
    "本通报先行发布各单位重点指标排名（见“指标排名”表）、月报报送情况（见“填报情况”表）和数据质量问题"
    "（见“数据质量”表）。",
    "目标管理责任书载入后，本期通报将重新发布（更正），届时计算各单位综合得分、等级和名次。",
)


def _write_not_scored(ws: Worksheet, data: BulletinData, header: int, columns: int) -> Worksheet:
    """The ranking page of a year whose targets workbook is not loaded yet: it says so, and what the
    bulletin does hold, instead of a ranking (no score is computed without targets)."""
    layout.put(ws, header, 1, targets_not_loaded(data.period.year), st.GROUP)
    for col in range(2, columns + 1):
        layout.put(ws, header, col, None, st.GROUP)
    ws.merge_cells(start_row=header, start_column=1, end_row=header, end_column=columns)
    ws.row_dimensions[header].height = 24
    for col in range(1, columns + 1):
        ws.column_dimensions[get_column_letter(col)].width = 11
    layout.note_rows(ws, header + 2, list(NOT_SCORED_NOTES), columns)
    st.print_setup(ws, None)
    return ws


# 指标排名: one small league table per key indicator, three across the page ----------------------------------

BLOCK_HEADERS = ("名次", "单位名称", "本期值", "每万人", "名次变化")
BLOCKS_ACROSS = 3
TITLE_HEIGHT, HEADER_HEIGHT, ROW_HEIGHT, GAP_HEIGHT = 34, 20, 16, 10


def _league_tables(rows: list[Row]) -> list[list[Row]]:
    """The rankings split into one list per indicator (rows arrive ordered by indicator, then rank)."""
    tables: list[list[Row]] = []
    for r in rows:
        if not tables or tables[-1][0]["indicator_code"] != r["indicator_code"]:
            tables.append([])
        tables[-1].append(r)
    return tables


def _league_title(number: int, r: Row) -> str:
    name, unit = r["indicator_name"], r["measure_unit"]
    shown = f"{name}（{unit}）" if unit and not name.endswith((f"({unit})", f"（{unit}）")) else name
    basis = "按每万人口比较" if r["rank_basis"] == "per_10k" else "按数值比较"
    return f"{number}. {shown}\n{DIRECTIONS.get(r['direction'], '')}，{basis}"


def league_cells(r: Row) -> list[tuple[object, str, str | None]]:
    """A unit's row of an indicator's league table: (value, named style, number format) per column of
    BLOCK_HEADERS (每万人 empty when the indicator is compared by its value)."""
    per_10k = r["rank_basis"] == "per_10k"
    value_fmt = value_format(r["value_type"])
    return [
        (r["rank"] if r["rank"] is not None else "—", st.CENTER, None),
        (r["unit_name"], st.TEXT, None),
        (r["value"], st.DECIMAL, value_fmt),
        (r["ranked_value"] if per_10k else None, st.DECIMAL, st.FMT_DECIMAL if per_10k else value_fmt),
        (rank_change_text(r), st.CENTER, None),
    ]


def league_mean_cells(r: Row) -> list[tuple[object, str, str | None]]:
    """The 全市平均 row under a league table (under 每万人 when compared per 10,000 residents)."""
    per_10k = r["rank_basis"] == "per_10k"
    mean_fmt = mean_format(r["value_type"], per_10k)
    return [
        ("全市平均", st.CENTER, None),
        (None, st.CENTER, None),
        (None if per_10k else r["prefecture_mean"], st.DECIMAL, mean_fmt),
        (r["prefecture_mean"] if per_10k else None, st.DECIMAL, mean_fmt),
        (None, st.CENTER, None),
    ]


def _write_league(ws: Worksheet, top: int, left: int, number: int, rows: list[Row]) -> int:
    """One indicator's league table with its top-left cell at (top, left); returns its last row."""
    first = rows[0]
    per_10k = first["rank_basis"] == "per_10k"
    right = left + len(BLOCK_HEADERS) - 1
    layout.put(ws, top, left, _league_title(number, first), st.HEADER)
    for col in range(left + 1, right + 1):
        layout.put(ws, top, col, None, st.HEADER)
    merges = [(top, left, right)]
    for offset, text in enumerate(BLOCK_HEADERS):
        layout.put(ws, top + 1, left + offset, text if per_10k or offset != 3 else None, st.HEADER)
    row = top + 1
    for cells in [*map(league_cells, rows), league_mean_cells(first)]:
        row += 1
        for offset, (value, style, fmt) in enumerate(cells):
            layout.put(ws, row, left + offset, value, style, fmt)
    merges.append((row, left, left + 1))
    if not per_10k:  # the value spans the 本期值 and 每万人 columns
        merges += [(r, left + 2, left + 3) for r in range(top + 1, row + 1)]
    for r, start, end in merges:
        layout.merge(ws, r, start, end)
    column = get_column_letter(left + 4)
    layout.highlight_text(ws, f"{column}{top + 2}:{column}{row}", "↑", None, st.GREEN_FONT)
    layout.highlight_text(ws, f"{column}{top + 2}:{column}{row}", "↓", None, st.RED_FONT)
    return row


def write_indicator_rankings(wb: Workbook, data: BulletinData, mh: Masthead) -> Worksheet:
    """Key-indicator league tables, three across; a printed page never splits a row of tables."""
    ws = new_sheet(wb, "指标排名")
    tables = _league_tables(data.rankings)
    across = max(1, min(BLOCKS_ACROSS, len(tables)))
    span = len(BLOCK_HEADERS) + 1  # a narrow gap column after each table
    n = across * span - 1
    basis = data.period.basis if data.ranking_period_type != "month" else "当月"
    header = mh.start(ws, n, f"重点指标排名（{basis}）")
    names = [r["unit_name"] for r in data.rankings] or ["单位名称"]
    widths = (5, max(map(layout.display_width, names)) + 2, 10, 8, 8, 1.5)
    for col in range(1, n + 1):
        ws.column_dimensions[get_column_letter(col)].width = widths[(col - 1) % span]
    for table in tables:  # widen the value column for large numbers, the change column for words
        for offset, texts in (
            (3, [layout.number_text(r["value"]) for r in table]),
            (5, [rank_change_text(r) for r in table]),
        ):
            shown = max(map(layout.display_width, texts)) + 2
            for b in range(across):
                letter = get_column_letter(b * span + offset)
                ws.column_dimensions[letter].width = max(ws.column_dimensions[letter].width, shown)
    scale = layout.fit_scale(ws, n)
    room = layout.printable_points()[1] / scale * 0.97
    used = sum(ws.row_dimensions[r].height or ROW_HEIGHT for r in range(1, header))
    row = header
    if not tables:
        layout.put(ws, row, 1, "数据仓库中暂无本期指标排名数据。")
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=n)
        row += 2
    for start in range(0, len(tables), across):
        group = tables[start : start + across]
        height = TITLE_HEIGHT + HEADER_HEIGHT + ROW_HEIGHT * (max(map(len, group)) + 1) + GAP_HEIGHT
        if used + height > room and row > header:
            layout.page_break_before(ws, row)
            used = 0
        used += height
        last = row
        for b, table in enumerate(group):
            last = max(last, _write_league(ws, row, b * span + 1, start + b + 1, table))
        ws.row_dimensions[row].height = TITLE_HEIGHT
        ws.row_dimensions[row + 1].height = HEADER_HEIGHT
        for r in range(row + 2, last + 1):
            ws.row_dimensions[r].height = ROW_HEIGHT
        ws.row_dimensions[last + 1].height = GAP_HEIGHT
        row = last + 2
    layout.note_rows(
        ws,
        row,
        [
            "注：按指标方向排名（越高越好或越低越好）；与人口规模相关的数量指标按每万人口比较；"
            f"全市平均为各单位比较值的平均数。{rank_change_legend(data.rankings, 'indicator')}"
        ],
        n,
    )
    st.print_setup(ws, None)
    return ws


# 得分走势: units down, months across; scores, the line chart, then ranks on the next page -----------------------

CHART_ROW_HEIGHT = 16


def _month_table(
    ws: Worksheet, top: int, caption: str, units: list[Row], months: tuple[str, ...], cells: dict, field: str
) -> int:
    """A units × months table of ``field`` under a section caption; returns its last row."""
    layout.section(ws, top, caption, 1 + len(months))
    layout.header_row(ws, top + 1, ["单位名称", *map(month_label, months)])
    ws.row_dimensions[top].height = 20
    row = top + 1
    for unit in units:
        row += 1
        ws.row_dimensions[row].height = CHART_ROW_HEIGHT
        layout.put(ws, row, 1, unit["unit_name"])
        for col, month in enumerate(months, start=2):
            t = cells.get((month, unit["unit_code"]))
            value = t[field] if t else None
            if field == "score":
                layout.put(ws, row, col, value, st.DECIMAL, "0.0")
            else:
                layout.put(ws, row, col, value, st.CENTER)
    return row


def write_trend(wb: Workbook, data: BulletinData, mh: Masthead) -> Worksheet:
    """Score and rank of every unit in each month of the year up to the period, with a line chart of scores."""
    ws = new_sheet(wb, "得分走势")
    months = data.period.scope_months
    trended = {t["unit_code"] for t in data.trend}
    units = [u for u in data.units if u["unit_code"] in trended]
    n = 1 + len(months)
    header = mh.start(ws, max(n, 6), f"{data.period.year}年各月综合得分与名次")
    cells = {(t["period"], t["unit_code"]): t for t in data.trend}
    names = [u["unit_name"] for u in units] or ["单位名称"]
    ws.column_dimensions["A"].width = max(map(layout.display_width, names)) + 2
    month_width = max(7.0, min(12.0, 90 / max(len(months), 1)))
    for col in range(2, n + 1):
        ws.column_dimensions[get_column_letter(col)].width = month_width
    scores_end = _month_table(ws, header, "各月综合得分", units, months, cells, "score")
    last_ranked = max((t["units_ranked"] or 0 for t in data.trend), default=0)
    row = scores_end + 2
    if units:
        table_cm = layout.columns_width(ws, 1, n) * layout.POINTS_PER_WIDTH_UNIT / 72 * 2.54
        used = sum(ws.row_dimensions[r].height or CHART_ROW_HEIGHT for r in range(1, row))
        room_cm = (layout.printable_points()[1] * 0.95 - used) / 72 * 2.54
        if room_cm < 6:  # not enough room under the table: the chart starts a page of its own
            layout.page_break_before(ws, row)
            room_cm = 9
        height_cm = min(9.0, room_cm)
        trend_line_chart(
            ws,
            data_ref=Reference(ws, min_col=1, max_col=n, min_row=header + 2, max_row=scores_end),
            categories=Reference(ws, min_col=2, max_col=n, min_row=header + 1),
            from_rows=True,
            anchor=f"A{row}",
            caption=f"{data.period.year}年各月综合得分走势",
            y_title="综合得分",
            y_min=axis_floor(t["score"] for t in data.trend),
            y_max=100,
            width=max(16.0, min(26.0, table_cm)),
            height=height_cm,
        )
        chart_rows = math.ceil(height_cm / 2.54 * 72 / CHART_ROW_HEIGHT) + 1
        for r in range(row, row + chart_rows):
            ws.row_dimensions[r].height = CHART_ROW_HEIGHT
        row += chart_rows
        layout.page_break_before(ws, row)
    ranks_end = _month_table(ws, row, "各月名次", units, months, cells, "rank")
    first_rank = row + 2
    if last_ranked:
        rank_cells = f"B{first_rank}:{get_column_letter(n)}{ranks_end}"
        ws.conditional_formatting.add(
            rank_cells, CellIsRule(operator="equal", formula=["1"], font=Font(color=st.GREEN_FONT, bold=True))
        )
    layout.note_rows(
        ws,
        ranks_end + 2,
        ["注：各月综合得分与名次为截至该月的累计考评结果（名次第1位以绿色加粗显示）；空白表示该月未参评。"],
        max(n, 6),
    )
    st.print_setup(ws, None, freeze="B1")
    return ws
