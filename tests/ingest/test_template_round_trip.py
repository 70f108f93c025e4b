"""The generated template: filled in by code it is accepted unchanged; left blank it is not mistaken for zeros."""

from base import catalogue
from exports.template import write_submission_workbook
from ingest.intake import ingest_files
from tests.ingest.workbooks import consistent_values


def test_template_filled_by_code_is_accepted_unchanged(tmp_path):
    unit = catalogue.resolve_unit("大方县")
    values = consistent_values() | {"G01": unit.townships, "G02": unit.townships}
    path = write_submission_workbook(tmp_path / "大方县" / "filled.xlsx", unit, "2022-01", values=values)
    (result,) = ingest_files([path], tmp_path / "home")
    assert (result.status, result.unit_code, result.period, result.errors) == (
        "accepted",
        unit.code,
        "2022-01",
        [],
    )


def test_blank_template_is_accepted_as_not_reported_with_a_warning_per_indicator(tmp_path):
    unit = catalogue.resolve_unit("金沙")
    path = write_submission_workbook(tmp_path / "blank.xlsx", unit, "2022-01")
    (result,) = ingest_files([path], tmp_path / "home")
    assert result.status == "accepted_with_warnings"
    expected = {i.code for i in catalogue.submitted_indicators() if not i.is_survey}
    assert {e["field"] for e in result.errors if e["rule_id"] == "VAL07"} == expected
