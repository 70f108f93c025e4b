"""The submission workbook (综治月报) counties fill in, and the office's targets workbook (目标管理责任书).

``write_submission_workbook`` writes the blank template for a unit and period; given figures it writes
a filled-in report (the demo data uses it). Sheet names and header labels come from ``base.layout``,
indicators, townships and settings from the catalogue, so the writer and the reader cannot drift apart.
Workbooks are written with fixed timestamps: the same inputs give the same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from base import calendar, catalogue, layout
from base.catalogue import Unit
from exports import styles
from exports.safe import set_text
from exports.xlsx_file import save_workbook_file

TARGET_BLANK_ROWS = 200  # rows prepared with dropdowns in a blank targets workbook
HEADER_ROWS = "1:2"  # a sheet's title and column headers, printed on every page

# Number formats by the catalogue's value_type.
_NUMBER_FORMATS = {"percent": "0.00", "rank": "0", "amount": "#,##0.0", "count": styles.FMT_INTEGER}

_INDICATOR_WIDTHS = {
    "indicator_code": 10,
    "indicator_name": 34,
    "measure_unit": 10,
    "value": 15,
    "value_last_year": 15,
    "remark": 36,
}
_TOWNSHIP_WIDTHS = {"township_name": 18, "has_centre": 14}
_TARGET_WIDTHS = {
    "unit_name": 26,
    "unit_code": 14,
    "year": 8,
    "indicator_code": 10,
    "indicator_name": 26,
    "target_type": 13,
    "target_value": 11,
    "points": 8,
    "is_veto": 13,
    "note": 40,
}


def _year_month(period: str) -> tuple[int, int]:
    month = calendar.parse_month(period)
    return month.year, month.last_month


# --------------------------------------------------------------------------------------------------
# Saving with fixed timestamps


def save_workbook(wb: Workbook, path: str | Path, stamp: datetime) -> Path:
    """Save ``wb`` with document properties and zip entry times fixed to ``stamp`` (byte-reproducible)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.properties.created = stamp
    wb.properties.modified = stamp
    wb.properties.creator = "pingan"
    wb.properties.lastModifiedBy = "pingan"
    save_workbook_file(wb, path, date_time=stamp.timetuple()[:6])
    return path


# --------------------------------------------------------------------------------------------------
# Sheet helpers


def _title(ws: Worksheet, text: str, width: int) -> None:
    set_text(ws.cell(row=1, column=1), text).style = styles.FORM_TITLE
    if width > 1:
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.row_dimensions[1].height = 28


def _header(ws: Worksheet, columns: Sequence[layout.Column], widths: Mapping[str, int], row: int = 2) -> None:
    for col, column in enumerate(columns, start=1):
        set_text(ws.cell(row=row, column=col), column.label).style = styles.FORM_HEADER
        width = widths.get(column.field, max(12, 2 * len(column.label) + 4))
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.row_dimensions[row].height = 30


def _protect(ws: Worksheet) -> None:
    """Sheet protection without a password: labels locked, input cells (style INPUT) open."""
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # allowed: widening a column does no harm
    ws.protection.formatRows = False


def _add_validation(ws: Worksheet, ranges: list[str], **kwargs) -> None:
    if ranges:
        validation = DataValidation(allow_blank=True, showErrorMessage=True, showInputMessage=True, **kwargs)
        validation.sqref = " ".join(ranges)  # type: ignore[assignment]
        ws.add_data_validation(validation)


def _write_value(cell, value: object, number_format: str | None = None) -> None:
    """A value as given: numbers stay numbers, text stays text (never a formula), booleans become 是/否."""
    if isinstance(value, bool):
        value = "是" if value else "否"
    set_text(cell, value)
    cell.style = styles.FORM_INPUT
    if number_format:
        cell.number_format = number_format


def _instructions(ws: Worksheet, title: str, lines: Sequence[str]) -> None:
    _title(ws, title, 1)
    ws.column_dimensions["A"].width = 110
    for row, line in enumerate(lines, start=2):
        set_text(ws.cell(row=row, column=1), line).style = styles.FORM_NOTE
        ws.row_dimensions[row].height = 18 * (1 + len(line) // 55)
    styles.print_setup(ws, landscape=False, document=False)
    _protect(ws)


# --------------------------------------------------------------------------------------------------
# The monthly report


def _report_instructions(unit: Unit, period: str) -> list[str]:
    year, month = _year_month(period)
    due = calendar.deadline(period)
    settings = catalogue.settings()
    submitted = catalogue.submitted_indicators()
    stocks = "、".join(i.name for i in submitted if i.kind == "stock" and not i.is_survey)
    survey = "、".join(i.name for i in submitted if i.is_survey)
    short = unit.short_name
    return [
        f"1. 填报单位：{unit.name}（行政区划代码 {unit.code}）综治办。本表为{year}年{month}月综治工作月报，每月一份。",
        f"2. 报送时限：每月数据于次月{settings['deadline_day']}日（含当日）前报送地区综治办；"
        f"本期截止日期为{calendar.date_text(due)}，逾期视为迟报，不报视为未报。",
        f"3. 文件命名：{layout.submission_file_name(short, period)}。请勿修改工作表名称、表头和指标代码、名称、计量单位，"
        "只在淡黄色单元格中填写。",
        f"4. “{layout.INFO_SHEET}”：单位名称、行政区划代码、报送期间已预填，请填写填报人、联系电话、审核人和填报日期。",
        f"5. “{layout.INDICATOR_SHEET}”：填“本期数”和“去年同期数”两列。案件数、调解数、上访数、调研次数等填本月发生数"
        f"（不是累计数）；{stocks}填月末实有数；综治工作经费到位填年初至本月末累计到位数。",
        "6. 空白表示未报（不等于零）；确实为零的请填 0（填“无”也视为 0）。数字请直接填写，不加单位。",
        f"7. {survey}来自全省群众安全感测评，只在公布测评结果的月份（一般为6月和12月）填写，其他月份留空。"
        f"得分按百分制填写（如 92.35，不填 0.9235）；全省排名填 1–{settings['province_unit_count']} 的整数。",
        f"8. “{layout.TOWNSHIP_SHEET}”：逐乡镇（办事处）填写。各乡镇调解民间纠纷数、调解成功数、平安村(社区)数、"
        "刑事案件立案数、视频监控点位数之和应等于“指标填报”中的相应数字；“是否建成维稳中心”选“是”或“否”，"
        "“是”的个数应等于建成信访综治维稳中心乡镇数。调解成功数不得大于调解民间纠纷数。",
        "9. 更正：已报送的月报如需更正，请重新报送完整的月报（文件名后加“_更正”），以最后一次报送的为准。",
        "10. 报送前请审核人核对；有疑问请与地区综治办联系。",
        *_accepted_labels(),
    ]


def _accepted_labels() -> list[str]:
    """Item 11: the header names the reader accepts, from the one header-mapping table (base.layout)."""
    tables = (
        (layout.INFO_SHEET, layout.INFO_FIELDS),
        (layout.INDICATOR_SHEET, layout.INDICATOR_COLUMNS),
        (layout.TOWNSHIP_SHEET, layout.TOWNSHIP_COLUMNS),
    )
    lines = ["11. 不用本模板、自行制表时，各表的栏目名称可用下列写法（括号内为可替代的写法）："]
    for sheet, columns in tables:
        names = "；".join(f"{c.label}（{'、'.join(c.aliases)}）" if c.aliases else c.label for c in columns)
        lines.append(f"    “{sheet}”：{names}")
    figures = [c for c in layout.INDICATOR_COLUMNS if c.bases]
    lines.append(
        f"    {'、'.join(f'“{c.label}”' for c in figures)}后可在括号内或紧接栏目名称注明口径"
        "（N 为月份，如 1-3月累计）："
    )
    for column in figures:
        for basis in column.bases:
            lines.append(f"    “{column.label}”{basis.label}：{'、'.join(basis.words)}；{basis.effect}")
    return lines


def _info_sheet(ws: Worksheet, unit: Unit, period: str, info: Mapping[str, object]) -> None:
    year, month = _year_month(period)
    _title(ws, f"{unit.name}综治工作月报基本信息", 2)
    defaults: dict[str, object] = {"unit_name": unit.name, "unit_code": unit.code, "period": period}
    locked = {"unit_name", "unit_code"}
    for row, field in enumerate(layout.INFO_FIELDS, start=2):
        set_text(ws.cell(row=row, column=1), field.label).style = styles.FORM_LABEL
        value = info.get(field.field, defaults.get(field.field))
        cell = ws.cell(row=row, column=2)
        _write_value(cell, value)
        if field.field in locked:
            cell.style = styles.FORM_LABEL
        ws.row_dimensions[row].height = 20
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 40
    styles.print_setup(ws, landscape=False, document=False)
    _protect(ws)


def _indicator_sheet(
    ws: Worksheet,
    unit: Unit,
    period: str,
    values: Mapping[str, object],
    last_year: Mapping[str, object],
    remarks: Mapping[str, object],
) -> None:
    year, month = _year_month(period)
    columns = layout.INDICATOR_COLUMNS
    position = {column.field: index for index, column in enumerate(columns, start=1)}
    _title(ws, f"{unit.name}综治工作月报（{year}年{month}月）", len(columns))
    _header(ws, columns, _INDICATOR_WIDTHS)
    value_cols = [get_column_letter(position["value"]), get_column_letter(position["value_last_year"])]
    by_type: dict[str, list[str]] = {"percent": [], "rank": [], "other": []}
    first = 3
    for row, indicator in enumerate(catalogue.submitted_indicators(), start=first):
        fixed = {
            "indicator_code": indicator.code,
            "indicator_name": indicator.name,
            "measure_unit": indicator.measure_unit,
        }
        for field, text in fixed.items():
            set_text(ws.cell(row=row, column=position[field]), text).style = styles.FORM_LABEL
        number_format = _NUMBER_FORMATS.get(indicator.value_type)
        _write_value(ws.cell(row=row, column=position["value"]), values.get(indicator.code), number_format)
        _write_value(
            ws.cell(row=row, column=position["value_last_year"]), last_year.get(indicator.code), number_format
        )
        _write_value(ws.cell(row=row, column=position["remark"]), remarks.get(indicator.code))
        kind = indicator.value_type if indicator.value_type in by_type else "other"
        by_type[kind].extend(f"{col}{row}" for col in value_cols)
        ws.row_dimensions[row].height = 18
    rank_max = int(catalogue.settings()["province_unit_count"])
    _add_validation(
        ws,
        by_type["percent"],
        type="decimal",
        operator="between",
        formula1="0",
        formula2="100",
        errorStyle="stop",
        errorTitle="得分超出范围",
        error="请按百分制填写 0–100 之间的数，如 92.35。",
        promptTitle="百分制得分",
        prompt="填 0–100 的数，如 92.35；无测评结果的月份留空。",
    )
    _add_validation(
        ws,
        by_type["rank"],
        type="whole",
        operator="between",
        formula1="1",
        formula2=str(rank_max),
        errorStyle="stop",
        errorTitle="排名超出范围",
        error=f"全省排名应为 1–{rank_max} 的整数。",
        promptTitle="全省排名",
        prompt=f"填 1–{rank_max} 的整数；无测评结果的月份留空。",
    )
    _add_validation(
        ws,
        by_type["other"],
        type="decimal",
        operator="greaterThanOrEqual",
        formula1="0",
        errorStyle="warning",
        errorTitle="请填写数字",
        error="应为不小于 0 的数字；为零可填 0。",
        promptTitle="本期数",
        prompt="填数字；空白表示未报，为零填 0。",
    )
    ws.freeze_panes = ws.cell(row=first, column=position["value"])
    styles.print_setup(ws, HEADER_ROWS, landscape=False, document=False)
    _protect(ws)


def _township_sheet(ws: Worksheet, unit: Unit, rows: Sequence[Mapping[str, object]] | None) -> None:
    columns = layout.TOWNSHIP_COLUMNS
    _title(ws, f"{unit.name}乡镇（办事处）明细", len(columns))
    _header(ws, columns, _TOWNSHIP_WIDTHS)
    if rows is None:
        rows = [{"township_name": name} for name in catalogue.townships().get(unit.code, ())]
    numeric_ranges, centre_ranges = [], []
    first = 3
    for row, township in enumerate(rows, start=first):
        for col, column in enumerate(columns, start=1):
            cell = ws.cell(row=row, column=col)
            if column.field == "township_name":
                set_text(cell, township.get("township_name")).style = styles.FORM_LABEL
                continue
            _write_value(
                cell, township.get(column.field), None if column.field == "has_centre" else styles.FMT_INTEGER
            )
            (centre_ranges if column.field == "has_centre" else numeric_ranges).append(cell.coordinate)
    last = first + len(rows) - 1
    if rows and any(len(township) > 1 for township in rows):
        _township_total_row(ws, columns, rows, last + 1)
    _add_validation(
        ws,
        centre_ranges,
        type="list",
        formula1='"是,否"',
        errorStyle="stop",
        errorTitle="请选择",
        error="请选择“是”或“否”。",
    )
    _add_validation(
        ws,
        _compress(numeric_ranges),
        type="whole",
        operator="greaterThanOrEqual",
        formula1="0",
        errorStyle="warning",
        errorTitle="请填写数字",
        error="应为不小于 0 的整数；为零可填 0。",
    )
    ws.freeze_panes = ws.cell(row=first, column=2)
    styles.print_setup(ws, HEADER_ROWS, document=False)
    _protect(ws)


def _township_total_row(ws: Worksheet, columns, rows, row: int) -> None:
    """A 合计 row as plain numbers (openpyxl cannot store a formula's cached value)."""
    set_text(ws.cell(row=row, column=1), "合计").style = styles.FORM_HEADER
    for col, column in enumerate(columns[1:], start=2):
        cell = ws.cell(row=row, column=col)
        cell.style = styles.FORM_HEADER
        if column.field == "has_centre":
            continue
        numbers = [r.get(column.field) for r in rows]
        if numbers and all(isinstance(n, int | float) and not isinstance(n, bool) for n in numbers):
            cell.value = sum(numbers)
            cell.number_format = styles.FMT_INTEGER


def _compress(cells: list[str]) -> list[str]:
    """Cell addresses grouped into column ranges (B3:B40) to keep the validation list short."""
    by_col: dict[str, list[int]] = {}
    for address in cells:
        col = address.rstrip("0123456789")
        by_col.setdefault(col, []).append(int(address[len(col) :]))
    ranges = []
    for col, numbers in by_col.items():
        numbers.sort()
        start = prev = numbers[0]
        for n in [*numbers[1:], None]:
            if n is not None and n == prev + 1:
                prev = n
                continue
            ranges.append(f"{col}{start}" if start == prev else f"{col}{start}:{col}{prev}")
            if n is not None:
                start = prev = n
    return ranges


def write_submission_workbook(
    path: str | Path,
    unit: Unit,
    period: str,
    *,
    values: Mapping[str, object] | None = None,
    last_year: Mapping[str, object] | None = None,
    remarks: Mapping[str, object] | None = None,
    townships: Sequence[Mapping[str, object]] | None = None,
    info: Mapping[str, object] | None = None,
) -> Path:
    """Write the monthly report workbook for ``unit`` and ``period`` ('YYYY-MM').

    With no figures it is the blank template (填报模板). ``values``/``last_year`` map indicator code to
    the value as typed (a number, or text such as "1,234" or "无"; None = blank); ``remarks`` map code to
    text; ``townships`` are rows keyed by the fields of ``layout.TOWNSHIP_COLUMNS`` (default: the unit's
    townships, figures blank); ``info`` overrides fields of ``layout.INFO_FIELDS`` (reporter, phone ...).
    """
    year, month = _year_month(period)
    wb = Workbook()
    styles.add_form_styles(wb)
    year_month = f"{year}年{month}月"
    _instructions(
        wb.active, f"{unit.name}综治工作月报填报说明（{year_month}）", _report_instructions(unit, period)
    )
    wb.active.title = layout.INSTRUCTIONS_SHEET
    _info_sheet(wb.create_sheet(layout.INFO_SHEET), unit, period, info or {})
    _indicator_sheet(
        wb.create_sheet(layout.INDICATOR_SHEET), unit, period, values or {}, last_year or {}, remarks or {}
    )
    _township_sheet(wb.create_sheet(layout.TOWNSHIP_SHEET), unit, townships)
    wb.active = 1 if values is None else 2
    return save_workbook(wb, path, datetime(year, month, 1))


# --------------------------------------------------------------------------------------------------
# The targets workbook


def _targets_instructions(year: int) -> list[str]:
    lines = [
        f"1. 本表为{year}年度各县（市、区）、管委会综治工作目标管理责任书的考核目标，由地区综治办填写维护。",
        "2. 每行一个单位、一个考核指标：填单位名称（或行政区划代码）、年度、指标代码、目标类型、目标值、分值、是否一票否决。",
        "3. 目标类型（下拉选择）：",
        *(f"   {t.code}（{t.label}）：{t.description}" for t in catalogue.target_types()),
        f"4. 目标值：比率类指标（如调解成功率）和{catalogue.target_type_by_code()['growth'].label}按百分比填写（95% 即 0.95，单元格显示为 95.0%）；"
        "排名、位次、件数、次数填数字；群众安全感得分按百分制。",
        "5. 流量指标的目标为全年目标，月度、季度考评按已过月份折算。",
        f"6. 每个单位各项分值合计应为 100 分；“是否一票否决”选“是”的指标未达标时，考评等级直接定为{catalogue.veto_grade()}。",
    ]
    return lines


def _target_format(indicator_code: str, target_type: str) -> str:
    indicator = catalogue.indicator_by_code().get(indicator_code)
    if target_type == "growth" or (indicator is not None and indicator.value_type == "ratio"):
        return styles.FMT_PERCENT
    if indicator is not None and indicator.value_type == "percent":
        return "0.00"
    return "0"


def write_targets_workbook(
    path: str | Path, year: int, rows: Sequence[Mapping[str, object]] | None = None
) -> Path:
    """Write the office's targets workbook for ``year``; ``rows`` are dicts keyed by the fields of
    ``layout.TARGET_COLUMNS`` (is_veto may be a bool). Rates and growth targets are fractions shown as %."""
    wb = Workbook()
    styles.add_form_styles(wb)
    _instructions(wb.active, f"{year}年度综治工作目标管理责任书填报说明", _targets_instructions(year))
    wb.active.title = layout.INSTRUCTIONS_SHEET
    ws = wb.create_sheet(layout.TARGETS_SHEET)
    columns = layout.TARGET_COLUMNS
    position = {column.field: index for index, column in enumerate(columns, start=1)}
    _title(ws, f"{year}年度综治工作目标管理责任书考核目标", len(columns))
    _header(ws, columns, _TARGET_WIDTHS)
    rows = list(rows or [])
    first = 3
    for row, target in enumerate(rows, start=first):
        for column in columns:
            cell = ws.cell(row=row, column=position[column.field])
            value = target.get(column.field)
            if column.field == "is_veto" and isinstance(value, bool):
                value = "是" if value else "否"
            set_text(cell, value)
            cell.style = styles.FORM_LABEL
        value_cell = ws.cell(row=row, column=position["target_value"])
        value_cell.number_format = _target_format(
            str(target.get("indicator_code")), str(target.get("target_type"))
        )
    last = first + max(len(rows), TARGET_BLANK_ROWS) - 1

    def span(field: str) -> list[str]:
        letter = get_column_letter(position[field])
        return [f"{letter}{first}:{letter}{last}"]

    _add_validation(
        ws,
        span("target_type"),
        type="list",
        formula1='"' + ",".join(t.code for t in catalogue.target_types()) + '"',
        errorStyle="stop",
        errorTitle="目标类型",
        error="请从下拉列表选择目标类型。",
    )
    _add_validation(
        ws,
        span("is_veto"),
        type="list",
        formula1='"是,否"',
        errorStyle="stop",
        errorTitle="是否一票否决",
        error="请选择“是”或“否”。",
    )
    _add_validation(
        ws,
        span("points"),
        type="decimal",
        operator="between",
        formula1="0",
        formula2="100",
        errorStyle="stop",
        errorTitle="分值",
        error="分值应为 0–100 之间的数。",
    )
    ws.freeze_panes = ws.cell(row=first, column=1)
    ws.auto_filter.ref = f"A2:{get_column_letter(len(columns))}{max(first, first + len(rows) - 1)}"
    styles.print_setup(ws, HEADER_ROWS, document=False)
    wb.active = 1
    return save_workbook(wb, path, datetime(year, 1, 1))
