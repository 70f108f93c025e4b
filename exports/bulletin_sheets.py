"""The bulletin's score sheets: 综合排名 (with the bar chart), 目标完成情况, 指标排名, 得分走势 (trend chart).

Each writer takes the workbook, the data read from the marts and the masthead, adds one sheet with a
title block, a frozen and filtered header, print set-up and conditional formats, and returns it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from exports import bulletin_styles as st
from exports.bulletin_data import BulletinData, Row, month_label
from exports.bulletin_format import (
    DIRECTIONS,
    actual_format,
    date_text,
    rank_change_text,
    rank_of,
    result_of,
    target_text,
    value_format,
)
from exports.charts import score_bar_chart, trend_line_chart
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
        return st.title_block(
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


def write_ranking(wb: Workbook, data: BulletinData, mh: Masthead) -> Worksheet:
    ws = new_sheet(wb, "综合排名")
    n = len(RANKING_HEADERS)
    header = mh.start(ws, n, f"综合排名（{data.period.basis}）")
    st.header_row(ws, header, RANKING_HEADERS)
    row = header
    scored = {s["unit_code"] for s in data.scores}
    for s in data.scores:
        row += 1
        reasons = "；".join(r for r in (s["veto_reason"], s["yellow_card_reason"]) if r)
        values = [
            (s["rank"], st.CENTER, None),
            (s["unit_name"], st.TEXT, None),
            (s["score"], st.DECIMAL, "0.0"),
            (s["grade"], st.CENTER, None),
            (rank_change_text(s["rank_change"], s["rank"]), st.CENTER, None),
            (rank_of(s["rank"], s["units_ranked"]), st.CENTER, None),
            (s["points_earned"], st.DECIMAL, "0.0"),
            (s["points_evaluated"], st.DECIMAL, "0.0"),
            ("否决" if s["veto"] else "", st.CENTER, None),
            ("黄牌" if s["yellow_card"] else "", st.CENTER, None),
            (reasons, st.TEXT, None),
        ]
        for col, (value, style, fmt) in enumerate(values, start=1):
            st.put(ws, row, col, value, style, fmt)
    last_ranked = row
    for unit in data.units:
        if unit["unit_code"] not in scored:
            row += 1
            for col, value in enumerate(
                ["", unit["unit_name"], None, "", "", "未参评", None, None, "", "", "本期无考评得分"], start=1
            ):
                st.put(ws, row, col, value, st.TEXT if col in (2, 11) else st.CENTER)
    first = header + 1
    st.score_bars(ws, f"C{first}:C{row}")
    st.highlight_text(ws, f"E{first}:E{row}", "↑", None, st.GREEN_FONT)
    st.highlight_text(ws, f"E{first}:E{row}", "↓", None, st.RED_FONT)
    st.highlight_text(ws, f"D{first}:D{row}", "不合格", st.RED_FILL, st.RED_FONT)
    st.highlight_rows(ws, f"A{first}:B{row}", f'$I{first}="否决"', st.RED_FILL)
    st.highlight_text(ws, f"J{first}:J{row}", "黄牌", st.YELLOW_FILL)
    st.fit_columns(ws, header, fixed={11: 40})
    notes = [
        "注：1. 综合得分相同的名次并列，其后名次顺延（如 1、2、2、4）；一票否决单位排在未被否决单位之后。",
        "2. 名次变化与上期比较：↑上升，↓下降，—不变，新=上期未参评。“名次/参评”为名次与参评单位数。",
    ]
    after = st.note_rows(ws, row + 2, notes, n)
    if last_ranked > header:
        score_bar_chart(
            ws,
            label_col=2,
            value_col=3,
            first_row=first,
            last_row=last_ranked,
            anchor=f"A{after + 1}",
            title=f"{mh.period_label}综合得分",
        )
    st.print_setup(ws, f"{header}:{header}", freeze=f"C{first}", table_ref=f"A{header}:{cell_ref(n, row)}")
    return ws


def _attainment_columns(rows: list[Row]) -> list[tuple[str, str, bool]]:
    """(indicator_code, indicator name, any veto) in catalogue order."""
    seen: dict[str, tuple[int, str, bool]] = {}
    for r in rows:
        order, name, veto = seen.get(r["indicator_code"], (r["indicator_order"], r["indicator_name"], False))
        seen[r["indicator_code"]] = (order, name or r["indicator_code"], veto or bool(r["is_veto"]))
    return [
        (code, name, veto) for code, (_, name, veto) in sorted(seen.items(), key=lambda kv: (kv[1][0], kv[0]))
    ]


def write_attainment(wb: Workbook, data: BulletinData, mh: Masthead) -> Worksheet:
    ws = new_sheet(wb, "目标完成情况")
    indicators = _attainment_columns(data.attainment)
    n = 2 + 3 * len(indicators) + 2
    top = mh.start(ws, n, f"目标完成情况（{data.period.basis}）")
    sub = top + 1
    for col, text in ((1, "序号"), (2, "单位名称"), (n - 1, "达标/已评价"), (n, "综合得分")):
        st.put(ws, top, col, text, st.HEADER)
        st.put(ws, sub, col, None, st.HEADER)
        ws.merge_cells(start_row=top, start_column=col, end_row=sub, end_column=col)
    for i, (_, name, veto) in enumerate(indicators):
        col = 3 + 3 * i
        for offset, text in enumerate(("目标", "实际", "结果")):
            st.put(
                ws,
                top,
                col + offset,
                (f"{name}（否决项）" if veto else name) if offset == 0 else None,
                st.HEADER,
            )
            st.put(ws, sub, col + offset, text, st.HEADER)
        ws.merge_cells(start_row=top, start_column=col, end_row=top, end_column=col + 2)
    ws.row_dimensions[top].height = 36
    by_unit: dict[str, dict[str, Row]] = {}
    for r in data.attainment:
        by_unit.setdefault(r["unit_code"], {})[r["indicator_code"]] = r
    scores = {s["unit_code"]: s for s in data.scores}
    row, failed = sub, []
    for unit in data.units:
        targets = by_unit.get(unit["unit_code"])
        if not targets:
            continue
        row += 1
        st.put(ws, row, 1, row - sub, st.CENTER)
        st.put(ws, row, 2, unit["unit_name"])
        for i, (code, _, _) in enumerate(indicators):
            col, r = 3 + 3 * i, targets.get(code)
            if r is None:
                for offset in range(3):
                    st.put(ws, row, col + offset, "/", st.CENTER)
                continue
            text, style = result_of(r)
            st.put(ws, row, col, target_text(r), st.CENTER)
            st.put(ws, row, col + 1, r["actual_value"], st.DECIMAL, actual_format(r))
            st.put(ws, row, col + 2, text, style)
            if style == st.FAIL:
                failed.append((unit["unit_name"], r["reason"] or f"{r['indicator_name']}未达标"))
        evaluated = [r for r in targets.values() if r["evaluated"]]
        st.put(ws, row, n - 1, f"{sum(bool(r['attained']) for r in evaluated)}/{len(evaluated)}", st.CENTER)
        score = scores.get(unit["unit_code"])
        st.put(ws, row, n, score["score"] if score else None, st.DECIMAL, "0.0")
    st.fit_columns(ws, sub, minimum=7, maximum=16)
    st.print_setup(ws, f"{top}:{sub}", freeze=f"C{sub + 1}", table_ref=f"A{sub}:{cell_ref(n, row)}")
    row += 2
    st.section(ws, row, "未达标项目说明", n)
    lines = [f"{i}. {unit}：{reason}" for i, (unit, reason) in enumerate(failed, start=1)] or [
        "本期各单位目标均已达标。"
    ]
    lines.append(
        "注：“未评价”指本期尚无该指标的统计或测评结果（如群众安全感测评），不计入已评价分值；"
        "“/”表示该单位无此项目标。"
    )
    st.note_rows(ws, row + 1, lines, n)
    return ws


RANKING_TABLE_HEADERS = (
    "指标名称",
    "计量单位",
    "比较方向",
    "比较口径",
    "名次",
    "单位名称",
    "本期值",
    "比较值",
    "全市平均",
    "名次变化",
    "名次/参评",
)


def write_indicator_rankings(wb: Workbook, data: BulletinData, mh: Masthead) -> Worksheet:
    ws = new_sheet(wb, "指标排名")
    n = len(RANKING_TABLE_HEADERS)
    basis = data.period.basis if data.ranking_period_type != "month" else "当月"
    header = mh.start(ws, n, f"重点指标排名（{basis}）")
    st.header_row(ws, header, RANKING_TABLE_HEADERS)
    row, previous = header, None
    for r in data.rankings or []:
        row += 1
        per_10k = r["rank_basis"] == "per_10k"
        compare_fmt = st.FMT_DECIMAL if per_10k else value_format(r["value_type"])
        values = [
            (r["indicator_name"], st.TEXT, None),
            (r["measure_unit"], st.CENTER, None),
            (DIRECTIONS.get(r["direction"], ""), st.CENTER, None),
            ("每万人" if per_10k else "数值", st.CENTER, None),
            (r["rank"], st.CENTER, None),
            (r["unit_name"], st.TEXT, None),
            (r["value"], st.DECIMAL, value_format(r["value_type"])),
            (r["ranked_value"], st.DECIMAL, compare_fmt),
            (r["prefecture_mean"], st.DECIMAL, compare_fmt),
            (rank_change_text(r["rank_change"], r["rank"]), st.CENTER, None),
            (rank_of(r["rank"], r["units_ranked"]) if r["rank"] is not None else "无数据", st.CENTER, None),
        ]
        for col, (value, style, fmt) in enumerate(values, start=1):
            cell = st.put(ws, row, col, value, style, fmt)
            if r["indicator_code"] != previous and previous is not None:
                cell.border = st.GROUP_TOP
        previous = r["indicator_code"]
    if row == header:
        row += 1
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=n)
        st.put(ws, row, 1, "数据仓库中暂无本期指标排名数据。")
    first = header + 1
    st.highlight_text(ws, f"J{first}:J{row}", "↑", None, st.GREEN_FONT)
    st.highlight_text(ws, f"J{first}:J{row}", "↓", None, st.RED_FONT)
    st.fit_columns(ws, header)
    st.note_rows(
        ws,
        row + 2,
        ["注：按指标方向排名；与人口规模相关的数量指标按每万人口比较；全市平均为各单位比较值的平均数。"],
        n,
    )
    st.print_setup(ws, f"{header}:{header}", freeze=f"A{first}", table_ref=f"A{header}:{cell_ref(n, row)}")
    return ws


def write_trend(wb: Workbook, data: BulletinData, mh: Masthead) -> Worksheet:
    """Score and rank of every unit per month of the year up to the period, with a line chart of scores."""
    ws = new_sheet(wb, "得分走势")
    months = data.period.scope_months
    units = [u for u in data.units if any(t["unit_code"] == u["unit_code"] for t in data.trend)]
    n = 1 + len(units)
    header = mh.start(ws, max(n, 6), f"{data.period.year}年各月综合得分与名次")
    cells = {(t["period"], t["unit_code"]): t for t in data.trend}
    row = header
    for caption, field, style, fmt in (
        ("综合得分", "score", st.DECIMAL, "0.0"),
        ("名次", "rank", st.CENTER, None),
    ):
        if caption == "名次":
            row += 2
            st.section(ws, row - 1, "各月名次")
        st.header_row(ws, row, ["月份", *(u["short_name"] for u in units)])
        table_header = row
        for month in months:
            row += 1
            st.put(ws, row, 1, month_label(month), st.CENTER)
            for col, unit in enumerate(units, start=2):
                t = cells.get((month, unit["unit_code"]))
                st.put(ws, row, col, t[field] if t else None, style, fmt)
        if field == "score":
            score_rows = (table_header, row)
    st.fit_columns(ws, header, minimum=8)
    if units:
        trend_line_chart(
            ws,
            header_row=score_rows[0],
            first_col=2,
            last_col=n,
            first_row=score_rows[0] + 1,
            last_row=score_rows[1],
            anchor=f"A{row + 2}",
            title=f"{data.period.year}年各月综合得分走势",
            y_title="综合得分",
        )
    st.print_setup(ws, f"{header}:{header}", freeze=f"B{header + 1}")
    return ws
