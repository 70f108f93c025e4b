"""The submission template and the targets workbook, reopened with openpyxl."""

from __future__ import annotations

from zipfile import ZipFile

import openpyxl
import pytest

from base import catalogue, layout
from exports.template import write_submission_workbook, write_targets_workbook


@pytest.fixture(scope="module")
def dafang():
    return catalogue.resolve_unit("大方县")


@pytest.fixture(scope="module")
def blank(tmp_path_factory, dafang):
    path = write_submission_workbook(tmp_path_factory.mktemp("template") / "blank.xlsx", dafang, "2022-01")
    return openpyxl.load_workbook(path)


def _validations_for(ws, address):
    return [dv for dv in ws.data_validations.dataValidation if address in dv.sqref]


def test_blank_template_has_the_four_sheets_in_order(blank):
    assert blank.sheetnames == [
        layout.INSTRUCTIONS_SHEET,
        layout.INFO_SHEET,
        layout.INDICATOR_SHEET,
        layout.TOWNSHIP_SHEET,
    ]


def test_instructions_name_the_unit_deadline_and_blank_rules(blank):
    text = "\n".join(str(c.value) for c in blank[layout.INSTRUCTIONS_SHEET]["A"] if c.value)
    assert "大方县" in text
    assert "2022年2月5日" in text  # deadline_day 5 of the following month, from the settings seed
    assert "空白表示未报" in text and "无" in text
    assert "92.35" in text and "1–88" in text


def test_info_sheet_is_prefilled_with_unit_code_and_period(blank, dafang):
    ws = blank[layout.INFO_SHEET]
    pairs = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=2).value for r in range(2, ws.max_row + 1)}
    assert list(pairs) == [f.label for f in layout.INFO_FIELDS]
    assert pairs["单位名称"] == "大方县"
    assert pairs["行政区划代码"] == dafang.code
    assert pairs["报送期间"] == "2022-01"
    assert pairs["填报人"] is None
    assert ws["A2"].protection.locked and ws["B2"].protection.locked  # unit name locked
    assert not ws["B5"].protection.locked  # 填报人 open


def test_indicator_sheet_lists_every_submitted_indicator_under_the_layout_header(blank):
    ws = blank[layout.INDICATOR_SHEET]
    assert [c.value for c in ws[2]] == [c.label for c in layout.INDICATOR_COLUMNS]
    codes = [ws.cell(row=r, column=1).value for r in range(3, ws.max_row + 1)]
    assert codes == [i.code for i in catalogue.submitted_indicators()]
    names = [ws.cell(row=r, column=2).value for r in range(3, ws.max_row + 1)]
    assert names == [i.name for i in catalogue.submitted_indicators()]
    assert all(ws.cell(row=r, column=4).value is None for r in range(3, ws.max_row + 1))


def test_labels_are_locked_and_value_cells_open_under_protection_without_password(blank):
    for name in blank.sheetnames:
        assert blank[name].protection.sheet is True
        assert not blank[name].protection.password
    ws = blank[layout.INDICATOR_SHEET]
    assert ws["A3"].protection.locked and ws["B3"].protection.locked and ws["C3"].protection.locked
    assert (
        not ws["D3"].protection.locked and not ws["E3"].protection.locked and not ws["F3"].protection.locked
    )


def test_value_cells_carry_number_validation_by_value_type(blank):
    ws = blank[layout.INDICATOR_SHEET]
    row = {ws.cell(row=r, column=1).value: r for r in range(3, ws.max_row + 1)}
    count = _validations_for(ws, f"D{row['C01']}")
    assert [(v.type, v.operator, v.formula1) for v in count] == [("decimal", "greaterThanOrEqual", "0")]
    percent = _validations_for(ws, f"D{row['S01']}")
    assert [(v.type, v.formula1, v.formula2, v.errorStyle) for v in percent] == [
        ("decimal", "0", "100", "stop")
    ]
    rank = _validations_for(ws, f"E{row['S02']}")
    top = catalogue.settings()["province_unit_count"]
    assert [(v.type, v.formula1, v.formula2) for v in rank] == [("whole", "1", top)]
    assert _validations_for(ws, f"D{row['S03']}") == percent


def test_township_sheet_lists_the_units_townships_with_a_centre_dropdown(blank, dafang):
    ws = blank[layout.TOWNSHIP_SHEET]
    assert [c.value for c in ws[2]] == [c.label for c in layout.TOWNSHIP_COLUMNS]
    names = [ws.cell(row=r, column=1).value for r in range(3, ws.max_row + 1)]
    assert names == list(catalogue.townships()[dafang.code])
    assert len(names) == dafang.townships == 36
    centre = _validations_for(ws, "D3")
    assert [(v.type, v.formula1) for v in centre] == [("list", '"是,否"')]
    assert _validations_for(ws, f"D{ws.max_row}")  # the last township too
    assert ws["A3"].protection.locked and not ws["B3"].protection.locked


def test_print_setup_is_a4_fit_to_width_with_header_rows_repeated(blank):
    ws = blank[layout.INDICATOR_SHEET]
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$1:$2"
    assert ws.column_dimensions["B"].width >= 30


def test_filled_report_keeps_values_as_typed_and_text_never_becomes_a_formula(tmp_path, dafang):
    path = write_submission_workbook(
        tmp_path / "filled.xlsx",
        dafang,
        "2022-06",
        values={"C01": 95, "P01": "1,234", "S01": 88.5, "D04": "无"},
        last_year={"C01": 101},
        remarks={"C01": "=SUM(A1:A9)"},
        townships=[
            {"township_name": "团海镇", "d02": 3, "d03": 2, "has_centre": True, "p02": 5, "c01": 1, "g03": 20}
        ],
        info={"reporter": "李明", "fill_date": "2022-07-03"},
    )
    wb = openpyxl.load_workbook(path)
    ws = wb[layout.INDICATOR_SHEET]
    row = {ws.cell(row=r, column=1).value: r for r in range(3, ws.max_row + 1)}
    assert ws.cell(row=row["C01"], column=4).value == 95
    assert ws.cell(row=row["C01"], column=5).value == 101
    assert ws.cell(row=row["P01"], column=4).value == "1,234"
    assert ws.cell(row=row["D04"], column=4).value == "无"
    assert ws.cell(row=row["S01"], column=4).value == 88.5
    remark = ws.cell(row=row["C01"], column=6)
    assert remark.value == "=SUM(A1:A9)" and remark.data_type == "s"
    towns = wb[layout.TOWNSHIP_SHEET]
    assert [c.value for c in towns[3]] == ["团海镇", 3, 2, "是", 5, 1, 20]
    assert [c.value for c in towns[4]] == ["合计", 3, 2, None, 5, 1, 20]  # plain numbers, no formula
    info = wb[layout.INFO_SHEET]
    assert info["B5"].value == "李明" and info["B8"].value == "2022-07-03"


def test_same_inputs_give_the_same_bytes(tmp_path, dafang):
    first = write_submission_workbook(tmp_path / "a.xlsx", dafang, "2022-01", values={"C01": 1})
    second = write_submission_workbook(tmp_path / "b.xlsx", dafang, "2022-01", values={"C01": 1})
    assert first.read_bytes() == second.read_bytes()
    assert openpyxl.load_workbook(first).properties.modified.isoformat() == "2022-01-01T00:00:00"
    with ZipFile(first) as package:  # every entry carries the period's time, not the time written
        assert {entry.date_time for entry in package.infolist()} == {(2022, 1, 1, 0, 0, 0)}


def test_bad_period_is_refused(tmp_path, dafang):
    with pytest.raises(ValueError, match="YYYY-MM"):
        write_submission_workbook(tmp_path / "x.xlsx", dafang, "2022-13")


def test_targets_workbook_writes_rates_as_fractions_shown_as_percent(tmp_path):
    rows = [
        {
            "unit_name": "毕节市",
            "unit_code": "522401",
            "year": 2022,
            "indicator_code": "R04",
            "indicator_name": "调解成功率",
            "target_type": "min",
            "target_value": 0.95,
            "points": 15,
            "is_veto": False,
        },
        {
            "unit_name": "毕节市",
            "unit_code": "522401",
            "year": 2022,
            "indicator_code": "D04",
            "indicator_name": "群体性事件数",
            "target_type": "max",
            "target_value": 0,
            "points": 10,
            "is_veto": True,
        },
        {
            "unit_name": "毕节市",
            "unit_code": "522401",
            "year": 2022,
            "indicator_code": "C02",
            "indicator_name": "刑事案件破案数",
            "target_type": "growth",
            "target_value": 0.0,
            "points": 10,
            "is_veto": False,
        },
        {
            "unit_name": "毕节市",
            "unit_code": "522401",
            "year": 2022,
            "indicator_code": "S02",
            "indicator_name": "群众安全感全省排名",
            "target_type": "rank_within",
            "target_value": 60,
            "points": 15,
            "is_veto": False,
        },
    ]
    wb = openpyxl.load_workbook(write_targets_workbook(tmp_path / "targets.xlsx", 2022, rows))
    assert wb.sheetnames == [layout.INSTRUCTIONS_SHEET, layout.TARGETS_SHEET]
    ws = wb[layout.TARGETS_SHEET]
    assert [c.value for c in ws[2]] == [c.label for c in layout.TARGET_COLUMNS]
    assert [c.value for c in ws[3]][:9] == [
        "毕节市",
        "522401",
        2022,
        "R04",
        "调解成功率",
        "min",
        0.95,
        15,
        "否",
    ]
    assert ws["G3"].number_format == "0.0%" and ws["G5"].number_format == "0.0%"
    assert ws["G6"].value == 60 and ws["G6"].number_format == "0"
    assert ws["I4"].value == "是"
    kinds = _validations_for(ws, "F3")
    assert [v.formula1 for v in kinds] == ['"' + ",".join(t.code for t in catalogue.target_types()) + '"']
    assert [v.formula1 for v in _validations_for(ws, "I200")] == ['"是,否"']


def test_blank_targets_workbook_has_header_and_dropdowns_only(tmp_path):
    wb = openpyxl.load_workbook(write_targets_workbook(tmp_path / "blank_targets.xlsx", 2023))
    ws = wb[layout.TARGETS_SHEET]
    assert ws.max_row == 2
    assert "2023" in ws["A1"].value
    assert _validations_for(ws, "F3")


def instructions_text(tmp_path) -> str:
    """The 填报说明 sheet of 大方县's template, one line per cell."""
    from base import catalogue, layout

    path = write_submission_workbook(tmp_path / "t.xlsx", catalogue.resolve_unit("大方县"), "2022-01")
    return "\n".join(
        str(c)
        for row in openpyxl.load_workbook(path)[layout.INSTRUCTIONS_SHEET].iter_rows(values_only=True)
        for c in row
        if c
    )


def test_instructions_list_the_header_names_the_reader_accepts(tmp_path):
    from base import layout

    text = instructions_text(tmp_path)
    for column in layout.INDICATOR_COLUMNS:
        assert all(alias in text for alias in column.aliases), column.field


def test_instructions_list_every_word_a_figure_column_may_carry_and_what_it_does(tmp_path):
    # The words after 本期数 / 去年同期数 come from the one header-mapping table, as the reader reads them.
    from base import layout

    text = instructions_text(tmp_path)
    for column in (c for c in layout.INDICATOR_COLUMNS if c.bases):
        for basis in column.bases:
            line = next(line for line in text.splitlines() if f"“{column.label}”{basis.label}：" in line)
            assert all(word in line for word in basis.words), (column.field, basis.code)
            assert line.endswith(basis.effect)
