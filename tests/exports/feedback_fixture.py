"""County workbooks for the feedback-workbook tests, made in tmp_path (nothing binary checked in).

``template_report`` is the generated template filled in with one error (D03 > D02) and one warning
(C04 > C03) and a formula-looking remark; ``hand_made_report`` is a workbook "made by hand" with a
renamed sheet, a merged title, a formula with a cached result and formula-looking text;
``laid_out_report`` has what a copy must keep besides values (number formats, widths, heights, merges,
a frozen pane, a hidden sheet, an error value); ``xls_report`` is an old-Excel .xls written by xlwt (read
back through python-calamine).
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter

from base import catalogue, layout
from base.rules import finding
from exports.safe import set_text
from exports.template import write_submission_workbook
from ingest.parse import parse_workbook
from ingest.read import read_sheets

INJECTION = '=HYPERLINK("http://x","y")'


@dataclass
class Report:
    path: Path
    cells: dict[str, str]  # indicator code -> address of its 本期数 cell, as the reader found it
    remark_cell: str


def consistent_values() -> dict[str, object]:
    values: dict[str, object] = {i.code: 10 for i in catalogue.submitted_indicators()}
    values.update({"C01": 20, "C03": 5, "C04": 4, "C05": 1, "C06": 1, "D02": 100, "D03": 90})
    values.update({"S01": None, "S02": None, "S03": None, "G01": 2, "G02": 1, "K03": 10, "K04": 9})
    return values


def template_report(path: Path) -> Report:
    values = consistent_values() | {"D03": 120, "C04": 7}
    write_submission_workbook(
        path, catalogue.resolve_unit("大方县"), "2022-05", values=values, remarks={"D03": INJECTION}
    )
    parsed = parse_workbook(read_sheets(path))
    cells = {row.indicator_code: row.cell for row in parsed.indicators}
    fields = [column.field for column in layout.INDICATOR_COLUMNS]
    remark_column = get_column_letter(fields.index("remark") + 1)
    return Report(path, cells, f"{remark_column}{cells['D03'][1:]}")


def template_findings(report: Report) -> list[dict]:
    """One warning, one error and one finding without a cell, in the order intake might give them."""
    return [
        finding("CON02", cell=report.cells["C04"], field="C04", value=7, a_value=7, b_value=5).as_dict(),
        finding(
            "CON01", cell=report.cells["D03"], field="D03", value=120, a_value=120, b_value=100
        ).as_dict(),
        finding("STR04", field="K05", code="K05", name="联系点调研次数").as_dict(),
    ]


def hand_made_report(path: Path) -> Path:
    """Sheet '指标填报（5月）' with a merged title A1:D1, header in row 2, D3 a formula whose cached
    result is 3, B4 formula-looking text, and a second sheet '说明'."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "指标填报（5月）"
    ws["A1"] = "大方县综治月报"
    ws.merge_cells("A1:D1")
    for col, label in enumerate(("指标代码", "指标名称", "计量单位", "本期数"), start=1):
        ws.cell(row=2, column=col, value=label)
    ws.append(["D02", "调解民间纠纷数", "件", "=1+2"])
    ws.append(["D03", None, "件", 5])
    set_text(ws["B4"], INJECTION)
    ws.column_dimensions["B"].width = 30
    wb.create_sheet("说明")["A1"] = "自制表"
    wb.save(path)
    _give_cached_value(path, "xl/worksheets/sheet1.xml", "D3", "3")
    return path


def laid_out_report(path: Path) -> Path:
    """Sheet '指标填报' laid out as a county might: a merged title over A1:F1 and a merged block B9:C10,
    header row 2 taller than the rest, the pane frozen at C3, widths on B and (one <col> element) D:F,
    a percentage, a thousands format, a date in Chinese and a built-in format by id, an error value
    (#DIV/0!) and a formula with its cached result; then a hidden sheet '底稿'."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "指标填报"
    ws["A1"] = "大方县综治月报（5月）"
    ws.merge_cells("A1:F1")
    ws.append(["指标代码", "指标名称", "计量单位", "本期数", "完成率", "填报日期"])
    ws.row_dimensions[2].height = 31.5
    ws.append(["D02", "调解民间纠纷数", "件", 1234.5, 0.955, dt.datetime(2022, 6, 3)])
    ws["D3"].number_format = "#,##0.0"
    ws["E3"].number_format = "0.00%"
    ws["F3"].number_format = 'yyyy"年"m"月"d"日"'
    ws.append(["D03", "调解成功数", "件", "=1+2", "#DIV/0!", 7])
    ws["F4"].number_format = "0.00"  # built-in number format 2
    ws["B9"] = "合并的说明"
    ws.merge_cells("B9:C10")
    ws.freeze_panes = "C3"
    ws.column_dimensions["B"].width = 30
    ws.column_dimensions.group("D", "F", hidden=False)
    ws.column_dimensions["D"].width = 14
    hidden = wb.create_sheet("底稿")
    hidden["A1"] = "不报送"
    hidden.sheet_state = "hidden"
    wb.save(path)
    _give_cached_value(path, "xl/worksheets/sheet1.xml", "D4", "3")
    return path


def _give_cached_value(path: Path, member: str, address: str, value: str) -> None:
    """openpyxl writes formulas without a result; put one in, as Excel or WPS would have saved it."""
    with zipfile.ZipFile(path) as source:
        entries = {info.filename: source.read(info.filename) for info in source.infolist()}
    xml = entries[member].decode("utf-8")
    xml, count = re.subn(
        rf'(<c r="{address}"[^>]*>)<f>([^<]*)</f><v\s*/?>(</v>)?', rf"\1<f>\2</f><v>{value}</v>", xml
    )
    assert count == 1, "the formula cell was not found in the sheet XML"
    entries[member] = xml.encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in entries.items():
            target.writestr(name, data)


def xls_report(path: Path) -> Path:
    """An old-Excel .xls: 基本信息 and 指标填报 (header row 1; D02 in row 2 value 100, D03 in row 3
    value 120), with '=1+1' typed as text in 指标填报!F3."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    info = book.add_sheet("基本信息")
    for row, (label, value) in enumerate((("单位名称", "大方县"), ("报送期间", "2022年5月"))):
        info.write(row, 0, label)
        info.write(row, 1, value)
    sheet = book.add_sheet("指标填报")
    for col, label in enumerate(("指标代码", "指标名称", "计量单位", "本期数", "去年同期数", "备注")):
        sheet.write(0, col, label)
    sheet.write(1, 0, "D02")
    sheet.write(1, 1, "调解民间纠纷数")
    sheet.write(1, 3, 100)
    sheet.write(2, 0, "D03")
    sheet.write(2, 1, "调解成功数")
    sheet.write(2, 3, 120)
    sheet.write(2, 5, "=1+1")
    book.save(str(path))
    return path


def formula_elements(path: Path) -> list[str]:
    """Every sheet XML part of the workbook at ``path`` that holds a formula element (<f>)."""
    with zipfile.ZipFile(path) as archive:
        return [
            name
            for name in archive.namelist()
            if name.startswith("xl/worksheets/") and re.search(rb"<f[ >]", archive.read(name))
        ]
