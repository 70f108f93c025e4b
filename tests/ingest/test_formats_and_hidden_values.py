"""Formats from other writers, and values a reader would silently lose (formulas, error cells)."""

import zipfile

import pytest

from ingest.intake import ingest_files
from tests.ingest.test_read_layouts import read, values_of
from tests.ingest.workbooks import (
    consistent_values,
    rewrite_with_other_writer,
    set_cached_error,
    write_report,
)

EXPECTED = {k: (float(v) if v is not None else None) for k, v in consistent_values().items()}


@pytest.mark.parametrize("suffix", [".xls", ".ods"])
def test_other_writers_and_formats_read_the_same_values(tmp_path, suffix):
    source = write_report(tmp_path / "source.xlsx")
    report = read(rewrite_with_other_writer(source, tmp_path / f"other{suffix}"))
    assert report.findings == []
    assert values_of(report) == EXPECTED


def test_xlsm_is_read_for_values_and_noted(tmp_path):
    source = write_report(tmp_path / "macro.xlsm")
    (result,) = ingest_files([source], tmp_path / "home")
    assert result.status == "accepted_with_warnings"
    assert [e["rule_id"] for e in result.errors] == ["STR10"]


def test_external_links_are_noted_and_the_cached_values_read(tmp_path):
    source = write_report(tmp_path / "linked.xlsx")
    linked = tmp_path / "大方县_linked.xlsx"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(linked, "w") as copy:
        for entry in original.infolist():
            copy.writestr(entry, original.read(entry))
        copy.writestr("xl/externalLinks/externalLink1.xml", EXTERNAL_LINK)
    (plain, noted) = ingest_files([source, linked], tmp_path / "home")
    assert (plain.status, plain.errors) == ("accepted", [])
    assert noted.status == "accepted_with_warnings"
    assert [(e["rule_id"], e["severity"]) for e in noted.errors] == [("STR11", "warning")]
    assert "外部链接" in noted.errors[0]["message"]
    assert values_of(read(linked)) == EXPECTED


EXTERNAL_LINK = (
    '<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<externalBook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="rId1">'
    '<sheetNames><sheetName val="Sheet1"/></sheetNames></externalBook></externalLink>'
)


def test_formula_without_cached_value_names_the_cell(tmp_path):
    report = read(write_report(tmp_path / "f.xlsx", values=consistent_values() | {"D02": "=SUM(D40:D41)"}))
    (problem,) = report.findings
    assert (problem.rule_id, problem.sheet, problem.cell, problem.severity) == (
        "STR09",
        "指标填报",
        "D14",
        "error",
    )
    assert "没有保存计算结果" in problem.message


def test_cached_error_value_is_an_error_not_a_blank(tmp_path):
    path = set_cached_error(write_report(tmp_path / "e.xlsx"), sheet_index=2, address="D14")
    (problem,) = read(path).findings
    assert (problem.rule_id, problem.cell, problem.value) == ("VAL06", "D14", "#DIV/0!")


def test_period_disagreeing_with_the_file_name_is_rejected(tmp_path):
    source = write_report(tmp_path / "大方县_2022年05月_综治月报.xlsx", period="2022-04")
    (result,) = ingest_files([source], tmp_path / "home")
    assert result.status == "rejected"
    assert [(e["rule_id"], e["message"]) for e in result.errors] == [
        ("ID06", "文件名显示为「2022-05」，表内报送期间为「2022-04」")
    ]


def test_future_period_is_rejected(tmp_path):
    (result,) = ingest_files([write_report(tmp_path / "x.xlsx", period="2099-01")], tmp_path / "home")
    assert [e["rule_id"] for e in result.errors] == ["ID05"]
