"""Numbers no county can have are errors, never stored as figures: infinity or NaN in a numeric cell, a
figure too long for a number, and a count beyond what the indicator can be for the unit (the catalogue's
bound per 10,000 residents, rule VAL08).

The cases come from the catalogue (``indicators.csv``: max_per_10k_residents), so a bound added or changed
there is tested here without a new line.
"""

import pytest

from base import catalogue
from ingest.intake import ingest_files
from tests.ingest.test_read_layouts import read
from tests.ingest.workbooks import consistent_values, rewrite_xml, write_report

UNIT = catalogue.resolve_unit("大方县")
SUBMITTED = catalogue.submitted_indicators()
ROWS = {i.code: 3 + n for n, i in enumerate(SUBMITTED)}  # write_report: a title row, the header, then these
BOUNDED = [i for i in SUBMITTED if i.max_per_10k_residents is not None]


def bound(indicator: catalogue.Indicator) -> int:
    value = catalogue.upper_bound(indicator, UNIT)
    assert value is not None and value == int(value), indicator  # the cases below type whole numbers
    return int(value)


def findings_of(result, rule_id: str) -> dict[str, dict]:
    return {f["field"]: f for f in result.errors if f["rule_id"] == rule_id}


def test_every_submitted_count_and_amount_has_a_bound():
    unbounded = [i.code for i in SUBMITTED if i.value_type in {"count", "amount"} and i not in BOUNDED]
    assert unbounded == []


@pytest.fixture(scope="module")
def answers(tmp_path_factory):
    """One batch: every bounded indicator one above its bound; every one exactly at it."""
    root = tmp_path_factory.mktemp("absurd")
    over = write_report(
        root / "in" / "大方县" / "over.xlsx",
        values=consistent_values() | {i.code: bound(i) + 1 for i in BOUNDED},
    )
    at = write_report(
        root / "in" / "大方县" / "at.xlsx",
        period="2022-02",
        values=consistent_values() | {i.code: bound(i) for i in BOUNDED},
    )
    results = ingest_files([over, at], root / "home")
    return {r.file: r for r in results}


def test_a_count_above_its_bound_is_an_error_naming_the_cell_the_bound_and_what_it_rests_on(answers):
    over = answers["over.xlsx"]
    assert over.status == "rejected"
    found = findings_of(over, "VAL08")
    assert sorted(found) == sorted(i.code for i in BOUNDED)
    for indicator in BOUNDED:
        item = found[indicator.code]
        assert (item["severity"], item["sheet"], item["cell"], item["value"]) == (
            "error",
            "指标填报",
            f"D{ROWS[indicator.code]}",
            str(bound(indicator) + 1),
        )
    c01 = found["C01"]
    assert c01["message"] == (
        "刑事案件立案数填报的是「7801」，超出该指标可能的上限 7,800"
        "（按本单位常住人口 780,000 人、每万人至多 100 计），不可能是实际数字"
    )


def test_a_count_at_its_bound_is_not_refused_for_it(answers):
    assert findings_of(answers["at.xlsx"], "VAL08") == {}


@pytest.mark.parametrize(
    ("typed", "shown"),
    [(1e20, "1e+20"), (1e308, "1e+308"), (10**30, "1e+30")],
)
def test_a_huge_figure_in_a_numeric_cell_is_refused(tmp_path, typed, shown):
    path = write_report(tmp_path / "in" / "大方县" / "huge.xlsx", values=consistent_values() | {"C01": typed})
    (result,) = ingest_files([path], tmp_path / "home")
    assert result.status == "rejected"
    item = findings_of(result, "VAL08")["C01"]
    assert (item["cell"], item["value"]) == (f"D{ROWS['C01']}", shown)


def test_infinity_nan_and_a_400_digit_figure_are_not_numbers(tmp_path):
    """A numeric cell holding inf, -inf or NaN (openpyxl will not write one: the XML is edited), and a
    text cell of 400 digits (too large for a number) are not figures: VAL01, nothing read."""
    marks = {"C01": 987654301, "D01": 987654302, "K05": 987654303}
    written = write_report(tmp_path / "w.xlsx", values=consistent_values() | marks | {"G03": "1" + "0" * 400})
    swaps = {
        "<v>987654301</v>": "<v>inf</v>",
        "<v>987654302</v>": "<v>-inf</v>",
        "<v>987654303</v>": "<v>NaN</v>",
    }
    report = read(rewrite_xml(written, tmp_path / "r.xlsx", swaps))
    unreadable = {f.field: f for f in report.findings if f.rule_id == "VAL01"}
    assert sorted(unreadable) == ["C01", "D01", "G03", "K05"]
    for code, item in unreadable.items():
        assert item.severity == "error" and item.cell == f"D{ROWS[code]}"
        assert "不是有限的数值（无穷大或非数字），请填写实际数字" in item.message
    values_read = {i.indicator_code: i.value for i in report.indicators}
    assert [values_read[code] for code in unreadable] == [None] * 4
