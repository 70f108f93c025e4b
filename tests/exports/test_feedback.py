"""The data-quality feedback workbook (数据质量反馈表), written from real county workbooks and reopened."""

from __future__ import annotations

import datetime as dt
import math
import warnings
from pathlib import Path

import openpyxl
import pytest
from openpyxl.cell.cell import MergedCell
from openpyxl.utils import get_column_letter
from openpyxl.utils.escape import unescape

from base.rules import finding
from exports import feedback
from exports.feedback import ERROR_FILL, WARNING_FILL, write_feedback_workbook
from ingest.read import read_workbook
from tests.exports.feedback_fixture import (
    INJECTION,
    formula_elements,
    hand_made_report,
    laid_out_report,
    template_findings,
    template_report,
    xls_report,
)
from tests.ingest.test_peer_corpus import CORPUS

LIST_HEADER = ("序号", "严重程度", "工作表", "单元格", "填报值", "规则编号", "问题说明", "修改建议")


def _summary(wb) -> dict[str, object]:
    ws = wb[feedback.SUMMARY_SHEET]
    return {ws.cell(row=r, column=1).value: ws.cell(row=r, column=2).value for r in range(2, ws.max_row + 1)}


def _listed(wb) -> list[dict[str, object]]:
    ws = wb[feedback.LIST_SHEET]
    header = [c.value for c in ws[2]]
    return [
        dict(zip(header, (c.value for c in row), strict=True)) | {"_link": row[3].hyperlink}
        for row in ws.iter_rows(min_row=3)
        if isinstance(row[0].value, int)
    ]


def _fill(cell) -> str | None:
    return cell.fill.fgColor.rgb[-6:] if cell.fill.fill_type == "solid" else None


@pytest.fixture(scope="module")
def dafang(tmp_path_factory):
    """大方县 2022-05, version 2, rejected: CON01 on D03 (error), CON02 on C04 (warning), STR04 (no cell)."""
    folder = tmp_path_factory.mktemp("feedback")
    report = template_report(folder / "大方_2022年05月_综治月报.xlsx")
    path = write_feedback_workbook(
        folder / "out",
        original=report.path,
        file_name="大方_2022年05月_综治月报.xlsx",
        unit_name="大方县",
        period="2022-05",
        version=2,
        status="rejected",
        findings=template_findings(report),
        received_at="2022-06-03T10:15:00",
        deadline_text="2022年6月5日",
    )
    return report, path, openpyxl.load_workbook(path)


def test_file_is_named_for_unit_period_and_version(dafang):
    _, path, _ = dafang
    assert path.name == "大方县_2022-05_v2_数据质量反馈表.xlsx"
    assert path.is_file() and not list(path.parent.glob(".*.tmp"))


def test_sheets_are_summary_list_then_the_countys_own_sheets(dafang):
    _, _, wb = dafang
    assert wb.sheetnames == ["反馈说明", "问题清单", "填报说明", "基本信息", "指标填报", "乡镇明细"]
    assert wb.active.title == "反馈说明"


def test_summary_states_outcome_counts_and_next_step(dafang):
    _, _, wb = dafang
    summary = _summary(wb)
    assert wb[feedback.SUMMARY_SHEET]["A1"].value == "数据质量反馈表"
    assert summary["单位"] == "大方县"
    assert summary["报送期间"] == "2022年5月"
    assert summary["文件名"] == "大方_2022年05月_综治月报.xlsx"
    assert summary["版本"] == "第2版"
    assert summary["接收时间"] == "2022年6月3日 10:15"
    assert summary["处理结果"] == "退回（请修改后重新报送）"
    assert (summary["错误数"], summary["提示数"]) == (2, 1)
    assert "“错误”的 2 处" in summary["下一步"]
    assert "请于2022年6月5日前重新报送完整的月报" in summary["下一步"]
    assert "“提示”的 1 处请一并核对" in summary["下一步"]


def test_summary_names_the_period_as_the_calendar_labels_it(tmp_path):
    # The labels are base.calendar's: a targets workbook's year reads 2022年度 (before they were
    # parsed here a second time, and the year read 2022年); text that is no period key is shown as given.
    def period_shown(period: str) -> str:
        path = write_feedback_workbook(
            tmp_path / period,
            original=None,
            file_name="x.xlsx",
            unit_name="大方县",
            period=period,
            version=1,
            status="accepted",
            findings=[],
        )
        return _summary(openpyxl.load_workbook(path))["报送期间"]

    assert [period_shown(p) for p in ("2022-05", "2022Q2", "2022", "2022年13月")] == [
        "2022年5月",
        "2022年第2季度",
        "2022年度",
        "2022年13月",
    ]


def test_list_has_one_row_per_finding_errors_first(dafang):
    report, _, wb = dafang
    rows = _listed(wb)
    assert tuple(c.value for c in wb[feedback.LIST_SHEET][2]) == LIST_HEADER
    assert [(r["序号"], r["严重程度"], r["规则编号"], r["单元格"]) for r in rows] == [
        (1, "错误", "CON01", report.cells["D03"]),
        (2, "错误", "STR04", None),
        (3, "提示", "CON02", report.cells["C04"]),
    ]
    first = rows[0]
    assert first["工作表"] == "指标填报"
    assert first["填报值"] == "120"
    assert first["问题说明"] == "调解成功数（120）大于调解民间纠纷数（100）"
    assert first["修改建议"] == "调解成功数不能超过调解纠纷数，请核对两项是否填反"


def test_cell_column_links_to_the_cell_in_the_copy(dafang):
    report, _, wb = dafang
    rows = _listed(wb)
    assert rows[0]["_link"].location == f"'指标填报'!{report.cells['D03']}"
    assert rows[0]["_link"].target is None  # an internal link, not a file or web address
    assert rows[2]["_link"].location == f"'指标填报'!{report.cells['C04']}"
    assert rows[1]["_link"] is None  # STR04 has no cell: listed only


def test_list_is_print_ready_with_frozen_header_filter_and_error_colour(dafang):
    _, _, wb = dafang
    ws = wb[feedback.LIST_SHEET]
    assert ws.freeze_panes == "A3"
    assert ws.auto_filter.ref == "A2:H5"
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4) and ws.page_setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_title_rows == "$1:$2"
    formulas = [rule.formula[0] for rng in ws.conditional_formatting for rule in rng.rules]
    assert '$B3="错误"' in formulas


def test_offending_cells_are_filled_and_commented(dafang):
    report, _, wb = dafang
    ws = wb["指标填报"]
    error = ws[report.cells["D03"]]
    assert error.value == 120
    assert _fill(error) == ERROR_FILL
    assert error.comment.author == "pingan"
    assert error.comment.text == (
        "规则 CON01：调解成功数（120）大于调解民间纠纷数（100）\n建议：调解成功数不能超过调解纠纷数，请核对两项是否填反"
    )
    warning = ws[report.cells["C04"]]
    assert _fill(warning) == WARNING_FILL
    assert warning.comment.text.startswith("规则 CON02：八类案件破案数（7）大于立案数（5）\n建议：")


def test_unflagged_cells_are_copied_without_fill_or_comment(dafang):
    report, _, wb = dafang
    ws = wb["指标填报"]
    plain = ws[report.cells["D02"]]
    assert plain.value == 100
    assert _fill(plain) is None and plain.comment is None
    assert wb["基本信息"]["B2"].value == "大方县"


def test_formula_looking_text_from_the_county_stays_text(dafang):
    report, path, wb = dafang
    remark = wb["指标填报"][report.remark_cell]
    assert remark.value == INJECTION and remark.data_type == "s"
    assert formula_elements(path) == []


def test_formula_cell_is_copied_as_its_cached_value_and_renamed_sheet_is_found(tmp_path):
    original = hand_made_report(tmp_path / "自制.xlsx")
    findings = [
        finding(
            "VAL02", sheet="指标填报", cell="D3", field="D02", value="3", name="调解民间纠纷数"
        ).as_dict(),
        finding("STR06", sheet="指标填报", cell="B4", value=INJECTION, row=4).as_dict(),
        finding("STR03", sheet="指标填报", cell="B1", labels="本期数").as_dict(),  # inside the merged title
    ]
    path = write_feedback_workbook(
        tmp_path / "out",
        original=original,
        file_name="自制.xlsx",
        unit_name="大方县",
        period="2022-05",
        version=1,
        status="rejected",
        findings=findings,
    )
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["反馈说明", "问题清单", "指标填报（5月）", "说明"]
    ws = wb["指标填报（5月）"]
    assert ws["D3"].value == 3 and ws["D3"].data_type == "n"  # the cached result, not '=1+2'
    assert _fill(ws["D3"]) == ERROR_FILL
    assert ws["B4"].value == INJECTION and ws["B4"].data_type == "s"
    assert _fill(ws["B4"]) == WARNING_FILL
    assert "A1:D1" in {r.coord for r in ws.merged_cells.ranges}
    assert _fill(ws["A1"]) == ERROR_FILL and ws["A1"].comment.text.startswith("规则 STR03：")
    assert ws.column_dimensions["B"].width == 30
    rows = _listed(wb)
    assert rows[0]["工作表"] == "指标填报（5月）"
    assert rows[0]["_link"].location == "'指标填报（5月）'!D3"
    listed_value = next(r["填报值"] for r in rows if r["规则编号"] == "STR06")
    assert listed_value == INJECTION
    assert formula_elements(path) == []


def test_xls_is_copied_through_calamine(tmp_path):
    pytest.importorskip("xlwt")
    original = xls_report(tmp_path / "大方5月.xls")
    findings = [finding("CON01", cell="D3", field="D03", value=120, a_value=120, b_value=100).as_dict()]
    path = write_feedback_workbook(
        tmp_path / "out",
        original=original,
        file_name="大方5月.xls",
        unit_name="大方县",
        period="2022-05",
        version=1,
        status="rejected",
        findings=findings,
    )
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["反馈说明", "问题清单", "基本信息", "指标填报"]
    ws = wb["指标填报"]
    assert ws["D2"].value == 100 and _fill(ws["D2"]) is None
    assert ws["D3"].value == 120 and _fill(ws["D3"]) == ERROR_FILL
    assert ws["D3"].comment.text.startswith("规则 CON01：调解成功数（120）")
    assert ws["F3"].value == "=1+1" and ws["F3"].data_type == "s"
    assert _listed(wb)[0]["_link"].location == "'指标填报'!D3"
    assert formula_elements(path) == []


def _write_copy(tmp_path, original, findings=()) -> openpyxl.Workbook:
    path = write_feedback_workbook(
        tmp_path / "out",
        original=original,
        file_name=original.name,
        unit_name="大方县",
        period="2022-05",
        version=1,
        status="rejected" if findings else "accepted",
        findings=list(findings),
    )
    return openpyxl.load_workbook(path)


def _same_value(copied: object, original: object) -> bool:
    if isinstance(original, str):  # openpyxl leaves OOXML's escapes (_x000D_) in; the reader reads them
        return copied == unescape(original)
    if isinstance(original, int | float) and not isinstance(original, bool):
        return isinstance(copied, int | float) and math.isclose(copied, original)
    return copied == original


def assert_copy_is_the_original(copy: openpyxl.Workbook, original: Path) -> None:
    """Every sheet of ``original`` as openpyxl reads it (cached values, number formats, widths, heights,
    merged ranges, frozen pane, visibility) is in ``copy`` under the same name, cell by cell."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # what openpyxl thinks of odd files is not the question here
        source = openpyxl.load_workbook(original, data_only=True)
    assert copy.sheetnames[2:] == source.sheetnames
    for ws in source.worksheets:
        out = copy[ws.title]
        for (row, column), cell in ws._cells.items():
            if cell.value in (None, "") or isinstance(cell, MergedCell):
                continue
            copied = out.cell(row=row, column=column)
            assert _same_value(copied.value, cell.value), (ws.title, cell.coordinate, copied.value)
            if not isinstance(cell.value, str):
                assert copied.number_format == cell.number_format, (ws.title, cell.coordinate)
        assert {r.coord for r in out.merged_cells.ranges} == {r.coord for r in ws.merged_cells.ranges}
        assert out.freeze_panes == ws.freeze_panes
        assert (out.sheet_state == "visible") == (ws.sheet_state == "visible")
        for dimension in ws.column_dimensions.values():
            if dimension.width and dimension.min <= ws.max_column:
                for column in range(dimension.min, min(dimension.max, ws.max_column) + 1):
                    width = out.column_dimensions[get_column_letter(column)].width
                    assert width == dimension.width, (ws.title, column)
        for row, dimension in ws.row_dimensions.items():
            if dimension.ht:
                assert out.row_dimensions[row].height == dimension.ht, (ws.title, row)


def test_copy_keeps_what_the_county_saw(tmp_path):
    original = laid_out_report(tmp_path / "排版.xlsx")
    wb = _write_copy(tmp_path, original)
    assert_copy_is_the_original(wb, original)
    ws = wb["指标填报"]
    assert ws["E4"].value == "#DIV/0!" and ws["D4"].value == 3  # an error's text, a formula's result
    assert ws["E3"].number_format == "0.00%" and ws["F3"].number_format == 'yyyy"年"m"月"d"日"'
    assert ws["F3"].value == dt.datetime(2022, 6, 3)
    assert [ws.column_dimensions[c].width for c in "BDEF"] == [30, 14, 14, 14]  # D:F is one <col>
    assert ws.freeze_panes == "C3" and ws.row_dimensions[2].height == 31.5
    assert wb["底稿"].sheet_state == "hidden"
    assert ws.page_setup.orientation == "portrait"  # six columns


@pytest.mark.parametrize("make", [template_report, hand_made_report], ids=["template", "hand_made"])
def test_copy_of_a_county_workbook_is_the_original_cell_by_cell(tmp_path, make):
    made = make(tmp_path / "报表.xlsx")
    original = getattr(made, "path", made)
    assert_copy_is_the_original(_write_copy(tmp_path, original), original)


def _peer_workbooks() -> list[Path]:
    return sorted(CORPUS.glob("*.xls[xm]")) if CORPUS.is_dir() else []


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"peer corpus not found at {CORPUS}")
@pytest.mark.parametrize("original", _peer_workbooks(), ids=lambda path: path.name)
def test_copy_of_an_odd_workbook_is_what_the_reader_read(tmp_path, original):
    """Other projects' odd files: where the reader reads one, the copy is openpyxl's view of it, cell by
    cell (or, where openpyxl sees no sheet, the reader's sheets); where it cannot, there is no copy."""
    try:
        sheets = read_workbook(original).sheets
    except Exception:  # noqa: BLE001 - the reader's own refusal; the ingest tests name it
        sheets = None
    wb = _write_copy(tmp_path, original)
    if sheets is None:
        assert wb.sheetnames == [feedback.SUMMARY_SHEET, feedback.LIST_SHEET]
        return
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            seen_by_openpyxl = openpyxl.load_workbook(original, data_only=True).sheetnames
    except Exception:  # noqa: BLE001 - files openpyxl cannot open are copied as the reader read them
        seen_by_openpyxl = []
    if seen_by_openpyxl:
        assert_copy_is_the_original(wb, original)
    else:
        assert wb.sheetnames[2:] == [sheet.name for sheet in sheets]


def test_a_copy_that_fails_part_way_is_dropped_and_the_list_stays(tmp_path, monkeypatch):
    report = template_report(tmp_path / "in.xlsx")
    copy_sheet = feedback._copy_sheet
    copied = []

    def fail_on_the_third(wb, sheet, taken):
        if len(copied) == 2:
            raise ValueError("a cell openpyxl cannot hold")
        copied.append(sheet.name)
        return copy_sheet(wb, sheet, taken)

    monkeypatch.setattr(feedback, "_copy_sheet", fail_on_the_third)
    path = write_feedback_workbook(
        tmp_path / "out",
        original=report.path,
        file_name="in.xlsx",
        unit_name="大方县",
        period="2022-05",
        version=3,
        status="rejected",
        findings=template_findings(report),
    )
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["反馈说明", "问题清单"]
    assert "未附原表副本" in _summary(wb)["本表说明"]
    assert [r["规则编号"] for r in _listed(wb)] == ["CON01", "STR04", "CON02"]  # errors first
    assert all(r["_link"] is None for r in _listed(wb))


def test_unreadable_file_is_not_opened_and_findings_are_only_listed(tmp_path):
    original = tmp_path / "坏文件.xlsx"
    original.write_bytes(b"\x00not a workbook")
    findings = [finding("STR01", detail="不是 Excel 工作簿").as_dict()]
    path = write_feedback_workbook(
        tmp_path / "out",
        original=original,
        file_name="坏文件.xlsx",
        unit_name=None,
        period=None,
        version=None,
        status="rejected",
        findings=findings,
    )
    assert path.name == "未识别单位_未识别期间_坏文件_数据质量反馈表.xlsx"
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["反馈说明", "问题清单"]
    summary = _summary(wb)
    assert summary["单位"] == "未识别" and summary["报送期间"] == "未识别" and summary["版本"] == "未编号"
    assert "未附原表副本" in summary["本表说明"]
    assert [r["规则编号"] for r in _listed(wb)] == ["STR01"]


def test_warning_only_submission_is_accepted_and_told_to_check(tmp_path):
    report = template_report(tmp_path / "in.xlsx")
    warning_only = [f for f in template_findings(report) if f["severity"] == "warning"]
    path = write_feedback_workbook(
        tmp_path / "out",
        original=report.path,
        file_name="in.xlsx",
        unit_name="大方县",
        period="2022-05",
        version=1,
        status="accepted_with_warnings",
        findings=warning_only,
    )
    summary = _summary(openpyxl.load_workbook(path))
    assert summary["处理结果"] == "已接收（有提示，请核对）"
    assert (summary["错误数"], summary["提示数"]) == (0, 1)
    assert "“备注”栏" in summary["下一步"] and "重新报送" in summary["下一步"]


def test_no_findings_still_writes_a_clean_answer(tmp_path):
    report = template_report(tmp_path / "in.xlsx")
    path = write_feedback_workbook(
        tmp_path / "out",
        original=report.path,
        file_name="in.xlsx",
        unit_name="大方县",
        period="2022-05",
        version=1,
        status="accepted",
        findings=[],
    )
    wb = openpyxl.load_workbook(path)
    summary = _summary(wb)
    assert summary["处理结果"] == "已接收"
    assert (summary["错误数"], summary["提示数"]) == (0, 0)
    assert summary["下一步"] == "本次报送已接收，未发现问题，无需再做处理。"
    assert wb[feedback.LIST_SHEET]["A3"].value == "未发现问题。"


def test_oversized_original_is_listed_not_copied(tmp_path, monkeypatch):
    report = template_report(tmp_path / "in.xlsx")
    monkeypatch.setattr(feedback, "MAX_COPY_BYTES", 1_000)  # the template's sheet XML is ~30 KB
    path = write_feedback_workbook(
        tmp_path / "out",
        original=report.path,
        file_name="in.xlsx",
        unit_name="大方县",
        period="2022-05",
        version=1,
        status="rejected",
        findings=template_findings(report),
    )
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["反馈说明", "问题清单"]
    assert "原表过大" in _summary(wb)["本表说明"]
    assert all(r["_link"] is None for r in _listed(wb)) and len(_listed(wb)) == 3
