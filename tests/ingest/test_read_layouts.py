"""Tolerant reading: each messy layout a county sends is read to the exact values."""

from pathlib import Path

import pytest

from ingest.parse import ParsedWorkbook, parse_workbook
from ingest.read import read_sheets
from tests.ingest.workbooks import consistent_values, write_report


def read(path: Path) -> ParsedWorkbook:
    return parse_workbook(read_sheets(path))


def values_of(report: ParsedWorkbook) -> dict[str, float | None]:
    return {row.indicator_code: row.value for row in report.indicators}


def test_generated_layout_reads_every_indicator_with_its_cell(tmp_path):
    report = read(write_report(tmp_path / "a.xlsx"))
    assert report.findings == []
    assert (report.unit_code, report.period) == ("522422", "2022-01")
    assert len(report.indicators) == 35
    d02 = next(r for r in report.indicators if r.indicator_code == "D02")
    assert (d02.value, d02.cell) == (100.0, "D14")
    assert values_of(report)["S01"] is None


@pytest.mark.parametrize(
    "options",
    [
        {"title_rows": 3, "merged_title": True},
        {"title_rows": 0},
        {"code_column": False},
        {"reverse_rows": True},
        {"blank_row_every": 4},
        {
            "header_labels": {
                "value": "本期\n数",
                "indicator_name": "指标 名称",
                "value_last_year": "去年同期",
            }
        },
        {"info_layout": "inline"},
        {"extra_sheets": ("附表", "Sheet3")},
        {"sheet_names": {"indicators": "指标填报表", "info": " 基本信息 "}},
    ],
    ids=lambda o: "-".join(o),
)
def test_messy_layouts_give_the_same_values(tmp_path, options):
    report = read(write_report(tmp_path / "messy.xlsx", **options))
    assert [f.rule_id for f in report.findings] == []
    assert values_of(report) == {
        k: (float(v) if v is not None else None) for k, v in consistent_values().items()
    }
    assert (report.unit_code, report.period) == ("522422", "2022-01")


def test_values_typed_as_text_full_width_and_with_separators(tmp_path):
    values = consistent_values() | {
        "D01": "1,234",
        "C10": "１２３",
        "D04": "无",
        "S01": "92.35%",
        "S03": 0.9,
        "K05": "—",
    }
    report = read(write_report(tmp_path / "typed.xlsx", values=values))
    got = values_of(report)
    assert (got["D01"], got["C10"], got["D04"], got["S01"], got["S03"], got["K05"]) == (
        1234,
        123,
        0,
        92.35,
        90,
        None,
    )


@pytest.mark.parametrize("alias", ["威宁", "威宁县", "威宁自治县", "威宁彝族回族苗族自治县"])
def test_unit_resolves_from_any_alias(tmp_path, alias):
    assert read(write_report(tmp_path / "u.xlsx", unit=alias)).unit_code == "522427"


@pytest.mark.parametrize("period", ["2022年3月", "2022.3", "202203"])
def test_period_forms(tmp_path, period):
    assert read(write_report(tmp_path / "p.xlsx", period=period)).period == "2022-03"


def test_township_rows_drop_the_total_row(tmp_path):
    report = read(write_report(tmp_path / "t.xlsx"))
    assert [t.township_name for t in report.townships] == ["甲镇", "乙乡"]
    assert report.townships[0].values["d02"] == 60 and report.townships[0].has_centre is True


def test_missing_indicator_row_is_an_error_naming_it(tmp_path):
    values = consistent_values()
    del values["C05"]
    report = read(write_report(tmp_path / "m.xlsx", values=values))
    assert [(f.rule_id, f.field, f.severity) for f in report.findings] == [("STR04", "C05", "error")]


def test_unreadable_value_names_the_cell(tmp_path):
    report = read(write_report(tmp_path / "v.xlsx", values=consistent_values() | {"D02": "一百"}))
    (problem,) = report.findings
    assert (problem.rule_id, problem.sheet, problem.cell, problem.value) == (
        "VAL01",
        "指标填报",
        "D14",
        "一百",
    )


def test_unknown_unit_and_mismatched_code_are_errors(tmp_path):
    unknown = read(write_report(tmp_path / "x.xlsx", unit="火星县"))
    assert [(f.rule_id, f.cell) for f in unknown.findings] == [("ID01", "B2")]
    mismatch = read(write_report(tmp_path / "y.xlsx", unit="大方县", unit_code="522424"))
    assert [(f.rule_id, f.cell, f.value) for f in mismatch.findings] == [("ID02", "B3", "522424")]


def test_missing_sheet_is_an_error(tmp_path):
    report = read(write_report(tmp_path / "s.xlsx", sheet_names={"indicators": "别的表"}))
    assert ("STR02", "指标填报") in [(f.rule_id, f.sheet) for f in report.findings]


def test_locked_labels_unchanged_pass(tmp_path):
    report = read(write_report(tmp_path / "ok.xlsx"))
    assert not [f for f in report.findings if f.rule_id in ("STR12", "STR13")]


def test_name_of_another_indicator_beside_a_code_is_an_error(tmp_path):
    # The county typed 调解成功数 over D02's locked name: whose figure is row D02's?
    report = read(write_report(tmp_path / "n.xlsx", relabel={"D02": {"indicator_name": "调解成功数"}}))
    assert [(f.rule_id, f.severity, f.sheet, f.cell, f.value) for f in report.findings] == [
        ("STR12", "error", "指标填报", "B14", "调解成功数")
    ]
    assert "D02" not in {row.indicator_code for row in report.indicators}


def test_renamed_label_is_a_warning_and_the_figure_still_counts(tmp_path):
    relabel = {"C01": {"indicator_name": "刑事立案"}}
    report = read(write_report(tmp_path / "w.xlsx", relabel=relabel))
    found = [(f.rule_id, f.severity, f.cell, f.value) for f in report.findings]
    assert found == [("STR13", "warning", "B3", "刑事立案")]
    assert "指标名称被改为「刑事立案」" in report.findings[0].message
    values = {row.indicator_code: row.value for row in report.indicators}
    assert values["C01"] == consistent_values()["C01"]


def test_unit_of_another_kind_is_an_error_and_the_figure_is_not_read(tmp_path):
    # Behaviour changed (issue 14): a 计量单位 the catalogue does not know for the indicator was an STR13
    # warning, and the figure was stored as if typed in the catalogue's unit. What 10 "万人" of
    # households means cannot be known, so the figure is not read and the file goes back.
    report = read(write_report(tmp_path / "w.xlsx", relabel={"P01": {"measure_unit": "万人"}}))
    (problem,) = report.findings
    assert (problem.rule_id, problem.severity, problem.sheet, problem.cell, problem.value) == (
        "UNT02",
        "error",
        "指标填报",
        "C22",
        "万人",
    )
    assert problem.message == (
        "平安家庭户数的计量单位填为「万人」（C22），与目录的「户」不是同一种计量，无法确定本行数字的含义"
    )
    p01 = next(row for row in report.indicators if row.indicator_code == "P01")
    assert (p01.value, p01.raw_value) == (None, "10")


def test_label_variants_the_template_allows_are_not_changes(tmp_path):
    # Full-width brackets and a unit suffix on the name fold to the catalogue's label.
    relabel = {"S01": {"indicator_name": "群众安全感测评得分（％）", "measure_unit": "％"}}
    report = read(write_report(tmp_path / "v.xlsx", relabel=relabel))
    assert not [f for f in report.findings if f.rule_id in ("STR12", "STR13")]
