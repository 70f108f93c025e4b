"""计量单位 as counties type them: a synonym (起 for 件) is no change; another magnitude (元 for 万元, 千人
for 人, 0.95 for 95%) is converted with a warning naming the cell, the unit typed and the factor; a unit of
another kind is an error and the figure is not read.

The cases are built from the catalogue's table (``dbt_project/seeds/measure_units.csv``) and the
indicators' own units, so a unit added there is tested here without a new line.
"""

import csv
from decimal import Decimal

import duckdb
import openpyxl
import pytest

from base import catalogue
from base.catalogue import fold_label
from base.settings import reference_dir
from ingest.intake import ingest_files
from tests.ingest.test_read_layouts import read, values_of
from tests.ingest.workbooks import WRITERS, consistent_values, write_report, write_report_in

SUBMITTED = catalogue.submitted_indicators()
ROWS = {i.code: 3 + n for n, i in enumerate(SUBMITTED)}  # write_report: a title row, the header, then these


def seed_rows() -> list[dict[str, str]]:
    with open(reference_dir() / "measure_units.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def typed_figure(row: dict[str, str]) -> float:
    """A figure as a county would type it in ``row``'s unit."""
    factor = Decimal(row["factor"])
    if row["typed_unit"] == catalogue.FRACTION_UNIT:
        return 0.95
    return 7.0 if factor == 1 else 123456.0 if factor < 1 else 1.5


def workbooks_of_cases() -> list[dict[str, dict[str, str]]]:
    """The seed's rows spread over as few workbooks as can hold them, each indicator used once per
    workbook: [{indicator code: seed row}]."""
    books: list[dict[str, dict[str, str]]] = []
    for row in seed_rows():
        fitting = [i.code for i in SUBMITTED if fold_label(i.measure_unit) == fold_label(row["measure_unit"])]
        assert fitting, row
        for book in [*books, {}]:
            free = [code for code in fitting if code not in book]
            if free:
                book[free[0]] = row
                if book not in books:
                    books.append(book)
                break
    return books


@pytest.mark.parametrize("suffix", WRITERS)
def test_every_unit_the_catalogue_lists_is_read_in_the_catalogues_unit(tmp_path, suffix):
    books = workbooks_of_cases()
    assert sum(len(cases) for cases in books) == len(seed_rows())
    for n, cases in enumerate(books):
        values = consistent_values() | {code: typed_figure(row) for code, row in cases.items()}
        relabel = {code: {"measure_unit": row["typed_unit"]} for code, row in cases.items()}
        report = read(write_report_in(suffix, tmp_path / f"u{n}", values=values, relabel=relabel))
        expected_findings = []
        for code, row in cases.items():
            factor = Decimal(row["factor"])
            figure = typed_figure(row)
            expected = float(Decimal(str(figure)) * factor)
            assert values_of(report)[code] == expected, (code, row)
            if factor != 1:
                expected_findings.append(("UNT01", "warning", f"D{ROWS[code]}", code))
        found = [(f.rule_id, f.severity, f.cell, f.field) for f in report.findings]
        assert sorted(found) == sorted(expected_findings), cases
        for item in report.findings:
            row = cases[item.field]
            assert f"（C{ROWS[item.field]}）" in item.message  # the unit's cell
            assert f"「{row['typed_unit']}」" in item.message and f"乘以 {row['factor']}" in item.message


def test_funds_typed_in_yuan_name_the_cell_and_the_factor(tmp_path):
    relabel = {"G06": {"measure_unit": "元"}}
    report = read(
        write_report(tmp_path / "g.xlsx", values=consistent_values() | {"G06": 500000}, relabel=relabel)
    )
    (converted,) = report.findings
    assert (converted.rule_id, converted.severity, converted.sheet, converted.cell, converted.value) == (
        "UNT01",
        "warning",
        "指标填报",
        "D32",
        "500000",
    )
    assert converted.message == (
        "综治工作经费到位(万元)（D32）的计量单位填为「元」（C32），目录为「万元」：「500000」已乘以 0.0001，按 50万元 读取"
    )
    g06 = next(r for r in report.indicators if r.indicator_code == "G06")
    assert (g06.value, g06.raw_value) == (50.0, "500000")


@pytest.mark.parametrize("suffix", WRITERS)
def test_a_percentage_typed_as_a_fraction_is_converted_with_a_warning(tmp_path, suffix):
    values = consistent_values() | {"S01": 0.9235, "S03": "88.5%"}
    report = read(write_report_in(suffix, tmp_path / "f", values=values))
    (converted,) = report.findings
    assert (converted.rule_id, converted.severity, converted.cell, converted.value) == (
        "UNT03",
        "warning",
        "D19",
        "0.9235",
    )
    assert (
        converted.message
        == "群众安全感测评得分(%)（D19）填报的「0.9235」是小数形式的百分比，已乘以 100，按 92.35% 读取"
    )
    assert (values_of(report)["S01"], values_of(report)["S03"]) == (92.35, 88.5)


def test_a_fraction_in_a_cell_shown_as_a_percentage_is_what_the_county_saw(tmp_path):
    # Typing 92.35% into Excel stores 0.9235 in a cell formatted 0.00%: nothing was converted.
    path = write_report(tmp_path / "p.xlsx", values=consistent_values() | {"S01": 0.9235})
    workbook = openpyxl.load_workbook(path)
    workbook["指标填报"]["D19"].number_format = "0.00%"
    workbook.save(path)
    report = read(path)
    assert report.findings == []
    assert values_of(report)["S01"] == 92.35


def test_a_unit_of_another_kind_is_an_error_and_the_figure_is_not_read(tmp_path):
    # For each unit of the catalogue, a unit of another indicator that is not listed as convertible to it.
    units = sorted({i.measure_unit for i in SUBMITTED})
    cases = {}
    for unit in units:
        other = next(u for u in units if catalogue.unit_factor(unit, u) is None)
        code = next(i.code for i in SUBMITTED if i.measure_unit == unit)
        cases[code] = other
    relabel = {code: {"measure_unit": other} for code, other in cases.items()}
    report = read(write_report_in(".xls", tmp_path / "k", relabel=relabel))
    found = sorted((f.rule_id, f.severity, f.cell, f.value) for f in report.findings)
    assert found == sorted(("UNT02", "error", f"C{ROWS[code]}", other) for code, other in cases.items())
    assert all(values_of(report)[code] is None for code in cases)
    c01 = next(f for f in report.findings if f.field == "C01")
    assert c01.message == (
        f"刑事案件立案数的计量单位填为「{cases['C01']}」（C3），与目录的「件」不是同一种计量，无法确定本行数字的含义"
    )


def test_nothing_a_county_sends_is_stored_changed_without_a_finding(tmp_path):
    # 起 for 件 is the same count (no finding); 元 for 万元 is stored converted, the cell as typed kept.
    relabel = {"C01": {"measure_unit": "起"}, "G06": {"measure_unit": "元"}}
    values = consistent_values() | {"G06": 500000}
    (result,) = ingest_files(
        [write_report(tmp_path / "a.xlsx", values=values, relabel=relabel)], tmp_path / "home"
    )
    assert result.status == "accepted_with_warnings"
    assert [(e["rule_id"], e["cell"]) for e in result.errors] == [("UNT01", "D32")]
    with duckdb.connect(str(tmp_path / "home" / "warehouse.duckdb"), read_only=True) as connection:
        stored = connection.execute(
            "select indicator_code, value, raw_value from raw.indicator_values "
            "where indicator_code in ('C01', 'G06') order by 1"
        ).fetchall()
        findings = connection.execute("select rule_id, cell, message from raw.findings").fetchall()
    assert stored == [("C01", 20.0, "20"), ("G06", 50.0, "500000")]
    assert findings == [("UNT01", "D32", result.errors[0]["message"])]
