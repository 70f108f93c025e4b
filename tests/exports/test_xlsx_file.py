"""Saving with the bulk cell writer gives the same package as openpyxl's own writer, part by part.

Each part is compared in canonical XML (C14N): the bulk writer's empty elements come out as ``<c/>``
where openpyxl writes ``<c></c>``, which is the same XML. Everything else is compared as it is.
"""

from __future__ import annotations

import io
import math
from datetime import date, datetime
from zipfile import ZIP_DEFLATED, ZipFile

import openpyxl
import pytest
from lxml import etree
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.writer.excel import ExcelWriter

from exports.bulletin import publish as publish_module
from exports.bulletin import write_bulletin
from exports.xlsx_file import ROWS_PER_CHUNK, save_workbook_file
from tests.exports.bulletin_fixture import build_fixture_warehouse


def _openpyxl_package(wb) -> bytes:
    out = io.BytesIO()
    ExcelWriter(wb, ZipFile(out, "w", ZIP_DEFLATED, allowZip64=True)).save()
    return out.getvalue()


def _bulk_package(wb) -> bytes:
    out = io.BytesIO()
    save_workbook_file(wb, ZipFile(out, "w", ZIP_DEFLATED, allowZip64=True))
    return out.getvalue()


def _parts(package: bytes) -> dict[str, bytes]:
    with ZipFile(io.BytesIO(package)) as z:
        return {
            name: (
                etree.tostring(etree.fromstring(z.read(name)), method="c14n")
                if name.endswith((".xml", ".rels"))
                else z.read(name)
            )
            for name in z.namelist()
        }


def assert_same_package(wb) -> dict[str, bytes]:
    expected, written = _parts(_openpyxl_package(wb)), _parts(_bulk_package(wb))
    assert list(written) == list(expected)
    different = [name for name in expected if written[name] != expected[name]]
    assert different == []
    return written


def _every_kind_of_cell() -> openpyxl.Workbook:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "cells"
    bold, fill = Font(bold=True, name="仿宋"), PatternFill("solid", fgColor="FFEEDD")
    texts = [
        "大方县",
        "a & b < c > d",
        "\"quoted\" 'single'",
        "  leading and trailing  ",
        "line\nbreak\r\nand\rreturn\ttab",
        "",
        "=SUM(A1:A2)",  # text, not a formula: set_text stores county text as data type s
        "]]> <![CDATA[",
        "✓ ≥ — ×",
        "<?pingan-set-aside 0?>",  # a county's text posing as the writer's placeholder stays text
    ]
    for row, text in enumerate(texts, start=1):
        ws.cell(row=row, column=1).value = text
        ws.cell(row=row, column=1).data_type = "s"
        ws.cell(row=row, column=2).font = bold
    numbers = [0, -7, 2**40, 1.5, 1 / 3, 1e-12, 123456789.123, math.nan, math.inf, True, False]
    for row, number in enumerate(numbers, start=1):
        ws.cell(row=row, column=3, value=number).number_format = "0.00%"
    ws.cell(row=2, column=30, value="far right").fill = fill  # column AD
    ws.cell(row=3, column=705, value="AAC")  # three letters
    ws.row_dimensions[5].height = 40
    ws.row_dimensions[6].hidden = True
    ws.row_dimensions[40].height = 22  # a row with a height and no cells
    ws.cell(row=41, column=2).fill = fill  # a styled cell with no value
    ws.merge_cells("D10:F12")
    ws["D10"] = "merged"
    ws["D10"].alignment = Alignment(horizontal="center", wrap_text=True)
    ws.conditional_formatting.add("C1:C11", CellIsRule(operator="lessThan", formula=["1"], font=bold))
    # Rows openpyxl writes itself: a formula, a date, a comment, a link, rich text.
    ws["A20"] = "=SUM(C1:C3)"
    ws["B21"] = date(2022, 3, 31)
    ws["C22"] = datetime(2022, 4, 8, 9, 30)
    ws["D23"] = "note"
    ws["D23"].comment = Comment("批注", "pingan")
    ws["E24"] = "link"
    ws["E24"].hyperlink = "https://example.org/"
    ws["F25"] = CellRichText("plain ", TextBlock(InlineFont(b=True), "bold"))
    ws["G20"] = "<?pingan-set-aside 1?>"  # and in a row openpyxl writes itself
    ws["G20"].data_type = "s"
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=3, min_row=1, max_row=5))
    ws.add_chart(chart, "H2")
    many = wb.create_sheet("many rows")
    for row in range(1, 2 * ROWS_PER_CHUNK + 7):  # set aside in several chunks
        many.cell(row=row, column=1, value=f"第{row}行")
        many.cell(row=row, column=2, value=row * 0.1)
    wb.create_sheet("empty")
    return wb


def test_every_kind_of_cell_is_written_as_openpyxl_writes_it():
    written = assert_same_package(_every_kind_of_cell())
    sheet = written["xl/worksheets/sheet1.xml"].decode()
    assert 'r="AAC3"' in sheet and "<f>SUM(C1:C3)</f>" in sheet  # the fast rows and openpyxl's, both there


def test_what_is_saved_reads_back_with_the_values_written(tmp_path):
    path = tmp_path / "bulk.xlsx"
    save_workbook_file(_every_kind_of_cell(), path)
    ws = openpyxl.load_workbook(path)["cells"]
    assert ws["A2"].value == "a & b < c > d"
    assert ws["A4"].value == "  leading and trailing  "
    assert ws["A5"].value == "line\nbreak\r\nand\rreturn\ttab"
    assert ws["A7"].value == "=SUM(A1:A2)" and ws["A7"].data_type == "s"
    assert ws["C5"].value == pytest.approx(1 / 3) and ws["C10"].value is True
    assert ws["A20"].value == "=SUM(C1:C3)"
    assert ws["A10"].value == "<?pingan-set-aside 0?>" and ws["G20"].value == "<?pingan-set-aside 1?>"
    assert [str(r) for r in ws.merged_cells.ranges] == ["D10:F12"]
    assert openpyxl.load_workbook(path)["many rows"]["A2006"].value == "第2006行"


def test_a_bulletin_is_saved_as_openpyxl_would_save_it(tmp_path, monkeypatch):
    warehouse = build_fixture_warehouse(tmp_path / "warehouse.duckdb")
    compared = []

    def save_and_compare(wb, target):
        # Compared here, before publishing lets go of the saved workbook's cells; after a first save, as
        # openpyxl's writer sets the sheet format's outline levels when it first saves a sheet.
        save_workbook_file(wb, target)
        compared.append((wb.sheetnames, assert_same_package(wb)))

    monkeypatch.setattr(publish_module, "save_workbook_file", save_and_compare)
    write_bulletin(warehouse, "2022-03", tmp_path / "out", as_of="2022-04-08T09:30:00", pdf=False)
    [(sheet_names, written)] = compared
    sheets = [name for name in written if name.startswith("xl/worksheets/sheet")]
    assert len(sheets) == len(sheet_names)
    assert all(written[name].count(b"<c ") > 20 for name in sheets)  # every sheet compared with its cells
