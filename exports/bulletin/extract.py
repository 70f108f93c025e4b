"""A unit's own extract of the bulletin, to send back to the county: its score, rank among N, each target
with the reason it was or was not met, its key-indicator ranks, its trend over the year, its reports."""

from __future__ import annotations

from openpyxl.chart import Reference
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook

from base.calendar import month_label
from exports import styles as st
from exports.bulletin import layout
from exports.bulletin.charts import axis_floor, trend_line_chart
from exports.bulletin.data import BulletinData
from exports.bulletin.format import (
    DIRECTIONS,
    SEVERITIES,
    actual_format,
    mean_format,
    rank_change_text,
    rank_of,
    result_of,
    target_text,
    target_type_label,
    targets_not_loaded,
    value_format,
)
from exports.bulletin.records import FMT_DATE, FMT_TIME, status_colours
from exports.bulletin.sheets import Masthead, cell_ref, new_sheet

SUMMARY_HEADERS = ("综合得分", "等级", "名次/参评", "名次变化", "一票否决", "黄牌警告", "情况说明")
TARGET_HEADERS = (
    "序号",
    "指标名称",
    "目标类型",
    "年度目标",
    "本期目标",
    "实际值",
    "结果",
    "分值",
    "得分",
    "否决项",
    "说明",
)


def write_extract_sheets(wb: Workbook, data: BulletinData, unit: dict, mh: Masthead) -> None:
    """Add the extract's sheets for ``unit`` (``data`` already narrowed with ``for_unit``)."""
    _write_assessment(wb, data, unit, mh)
    _write_rankings(wb, data, unit, mh)
    if data.scored:  # no targets loaded for the year: no score to follow month by month
        _write_trend(wb, data, mh)
    _write_reports(wb, data, mh)


def _write_assessment(wb: Workbook, data: BulletinData, unit: dict, mh: Masthead) -> None:
    ws = new_sheet(wb, "考评情况")
    n = len(TARGET_HEADERS)
    row = mh.start(ws, n, f"{unit['unit_name']} · 考评情况（{data.period.basis}）")
    layout.header_row(ws, row, SUMMARY_HEADERS)
    s = data.scores[0] if data.scores else None
    row += 1
    if s:
        reasons = "；".join(r for r in (s["veto_reason"], s["yellow_card_reason"]) if r)
        values = [
            (s["score"], st.DECIMAL, "0.0"),
            (s["grade"], st.CENTER, None),
            (rank_of(s["rank"], s["units_ranked"]), st.CENTER, None),
            (rank_change_text(s), st.CENTER, None),
            ("否决" if s["veto"] else "无", st.CENTER, None),
            ("黄牌" if s["yellow_card"] else "无", st.CENTER, None),
            (reasons, st.TEXT, None),
        ]
    else:
        why = "" if data.scored else targets_not_loaded(data.period.year)
        values = [(None, st.DECIMAL, None), ("", st.CENTER, None), ("未参评", st.CENTER, None)]
        values += [("", st.CENTER, None)] * 3 + [(why, st.TEXT, None)]
    for col, (value, style, fmt) in enumerate(values, start=1):
        layout.put(ws, row, col, value, style, fmt)
    ws.merge_cells(start_row=row - 1, start_column=7, end_row=row - 1, end_column=n)
    ws.merge_cells(start_row=row, start_column=7, end_row=row, end_column=n)
    row += 2
    layout.section(ws, row, "目标完成情况")
    row += 1
    header = row
    layout.header_row(ws, header, TARGET_HEADERS)
    for i, r in enumerate(data.attainment, start=1):
        row += 1
        text, style = result_of(r)
        values = [
            (i, st.CENTER, None),
            (r["indicator_name"] or r["indicator_code"], st.TEXT, None),
            (target_type_label(r["target_type"]), st.CENTER, None),
            (target_text(r, effective=False), st.CENTER, None),
            (target_text(r), st.CENTER, None),
            (r["actual_value"], st.DECIMAL, actual_format(r)),
            (text, style, None),
            (r["points"], st.DECIMAL, "0.0"),
            (r["points_earned"], st.DECIMAL, "0.0"),
            ("是" if r["is_veto"] else "", st.CENTER, None),
            (r["reason"], st.TEXT, None),
        ]
        for col, (value, style_name, fmt) in enumerate(values, start=1):
            layout.put(ws, row, col, value, style_name, fmt)
    layout.fit_columns(ws, header, minimum=8, fixed={n: 50})
    st.print_setup(
        ws,
        f"{header}:{header}",
        freeze=f"C{header + 1}",
        table_ref=f"A{header}:{cell_ref(n, max(row, header + 1))}",
    )


def _write_rankings(wb: Workbook, data: BulletinData, unit: dict, mh: Masthead) -> None:
    ws = new_sheet(wb, "指标排名")
    headers = (
        "指标名称",
        "计量单位",
        "比较方向",
        "本期值",
        "比较口径",
        "比较值",
        "全市平均",
        "名次/参评",
        "名次变化",
    )
    header = mh.start(ws, len(headers), f"{unit['unit_name']} · 重点指标排名")
    layout.header_row(ws, header, headers)
    row = header
    for r in (x for x in data.rankings if x["unit_code"] == unit["unit_code"]):
        row += 1
        per_10k = r["rank_basis"] == "per_10k"
        fmt = st.FMT_DECIMAL if per_10k else value_format(r["value_type"])
        values = [
            (r["indicator_name"], st.TEXT, None),
            (r["measure_unit"], st.CENTER, None),
            (DIRECTIONS.get(r["direction"], ""), st.CENTER, None),
            (r["value"], st.DECIMAL, value_format(r["value_type"])),
            ("每万人" if per_10k else "数值", st.CENTER, None),
            (r["ranked_value"], st.DECIMAL, fmt),
            (r["prefecture_mean"], st.DECIMAL, mean_format(r["value_type"], per_10k)),
            (rank_of(r["rank"], r["units_ranked"]) if r["rank"] is not None else "无数据", st.CENTER, None),
            (rank_change_text(r), st.CENTER, None),
        ]
        for col, (value, style, fmt_) in enumerate(values, start=1):
            layout.put(ws, row, col, value, style, fmt_)
    layout.fit_columns(ws, header, minimum=8)
    st.print_setup(
        ws,
        f"{header}:{header}",
        freeze=f"B{header + 1}",
        table_ref=f"A{header}:{cell_ref(len(headers), max(row, header + 1))}",
    )


TREND_HEADERS = ("月份", "综合得分", "等级", "名次", "名次/参评", "名次变化")
TREND_WIDTHS = (8, 10, 8, 7, 10, 9)
CHART_COLUMNS, CHART_COLUMN_WIDTH = 10, 8.1  # the charts' area right of the table (about 15 cm)


def _write_trend(wb: Workbook, data: BulletinData, mh: Masthead) -> None:
    """The unit's month-by-month score and rank, with a score chart and a rank chart to the right."""
    ws = new_sheet(wb, "得分走势")
    n = len(TREND_HEADERS)
    first_chart_col = n + 2
    last = first_chart_col + CHART_COLUMNS - 1
    header = mh.start(ws, last, f"{data.period.year}年各月考评情况")
    layout.header_row(ws, header, TREND_HEADERS)
    by_month = {t["period"]: t for t in data.trend}
    row = header
    for month in data.period.scope_months:
        row += 1
        t = by_month.get(month)
        values = [
            (month_label(month), st.CENTER, None),
            (t and t["score"], st.DECIMAL, "0.0"),
            (t["grade"] if t else "", st.CENTER, None),
            (t and t["rank"], st.CENTER, None),
            (rank_of(t["rank"], t["units_ranked"]) if t else "未参评", st.CENTER, None),
            (rank_change_text(t) if t else "", st.CENTER, None),
        ]
        for col, (value, style, fmt) in enumerate(values, start=1):
            layout.put(ws, row, col, value, style, fmt)
        ws.row_dimensions[row].height = 16
    for col, width in enumerate(TREND_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.column_dimensions[get_column_letter(n + 1)].width = 2
    for col in range(first_chart_col, last + 1):
        ws.column_dimensions[get_column_letter(col)].width = CHART_COLUMN_WIDTH
    last_ranked = max((t["units_ranked"] or 0 for t in data.trend), default=0)
    anchor = get_column_letter(first_chart_col)
    for column, title, y_title, top, bounds in (
        (
            2,
            "各月综合得分",
            "综合得分",
            header,
            {"y_min": axis_floor(t["score"] for t in data.trend), "y_max": 100},
        ),
        (4, "各月名次", "名次", header + 13, {"y_min": 1, "y_max": max(last_ranked, 2), "reverse": True}),
    ):
        trend_line_chart(
            ws,
            data_ref=Reference(ws, min_col=column, min_row=header, max_row=row),
            categories=Reference(ws, min_col=1, min_row=header + 1, max_row=row),
            anchor=f"{anchor}{top}",
            caption=title,
            y_title=y_title,
            width=CHART_COLUMNS * CHART_COLUMN_WIDTH * layout.POINTS_PER_WIDTH_UNIT / 72 * 2.54,
            height=6.6,
            **bounds,
        )
    for r in range(row + 1, header + 30):
        ws.row_dimensions[r].height = 16
    st.print_setup(ws, f"{header}:{header}", freeze=f"B{header + 1}")


REPORT_HEADERS = ("月份", "报送状态", "截止日期", "收到时间", "采用版本", "收到版本数", "错误数", "警告数")
REPORT_WIDTHS = (8, 10, 12, 18, 10, 11, 12, 12)
FINDING_HEADERS = ("月份", "版本", "级别", "位置", "填报值", "问题说明及修改建议")


def _write_reports(wb: Workbook, data: BulletinData, mh: Masthead) -> None:
    """The unit's reports month by month, then the data-quality findings of the period's reports."""
    ws = new_sheet(wb, "报送情况")
    n = len(REPORT_HEADERS)
    header = mh.start(ws, n, "月报报送与数据质量")
    layout.header_row(ws, header, REPORT_HEADERS)
    row = header
    for s in data.status:
        row += 1
        values = [
            (month_label(s["period"]), st.CENTER, None),
            (s["status_label"], st.CENTER, None),
            (s["deadline"], st.CENTER, FMT_DATE),
            (s["received_at"], st.CENTER, FMT_TIME),
            (s["version"], st.CENTER, None),
            (s["versions_received"], st.CENTER, None),
            (s["error_count"], st.CENTER, None),
            (s["warning_count"], st.CENTER, None),
        ]
        for col, (value, style, fmt) in enumerate(values, start=1):
            layout.put(ws, row, col, value, style, fmt)
    status_colours(ws, f"B{header + 1}:B{max(row, header + 1)}")
    table_end = row
    row += 2
    layout.section(ws, row, f"{data.period.label}数据质量问题", n)
    row += 1
    layout.header_row(ws, row, FINDING_HEADERS)
    for col in range(len(FINDING_HEADERS) + 1, n + 1):
        layout.put(ws, row, col, None, st.HEADER)
    ws.merge_cells(start_row=row, start_column=len(FINDING_HEADERS), end_row=row, end_column=n)
    for f in data.findings:
        row += 1
        advice = f"{(f['message'] or '').rstrip('。')}。修改建议：{f['hint']}" if f["hint"] else f["message"]
        values = [
            month_label(f["period"]),
            f["version"],
            SEVERITIES.get(f["severity"], f["severity"]),
            " ".join(str(x) for x in (f["sheet"], f["cell"]) if x),
            f["value"],
            advice,
        ]
        for col, value in enumerate(values, start=1):
            layout.put(ws, row, col, value, st.TEXT if col >= 4 else st.CENTER)
        for col in range(len(values) + 1, n + 1):
            layout.put(ws, row, col, None, st.TEXT)
        ws.merge_cells(start_row=row, start_column=len(values), end_row=row, end_column=n)
    if not data.findings:
        row += 1
        layout.note_rows(ws, row, ["本期报送数据未发现问题。"], n)
    for col, width in enumerate(REPORT_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    layout.fit_rows(ws, header + 1)
    st.print_setup(
        ws,
        f"{header}:{header}",
        freeze=f"A{header + 1}",
        table_ref=f"A{header}:{cell_ref(n, max(table_end, header + 1))}",
    )
