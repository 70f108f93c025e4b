"""Header cells as narrow columns force them, and the words counties add to a figure column's label.

The variants are built from the header-mapping table and its vocabulary (``base.layout``), not from a
list of strings: a label, alias or word added to the table is tested here without a new line.
"""

import itertools

import duckdb
import pytest

from base import catalogue, layout
from ingest.headings import read_heading
from ingest.intake import ingest_files
from ingest.year_to_date import convert_running_totals
from tests.ingest.test_read_layouts import read, values_of
from tests.ingest.workbooks import WRITERS, consistent_values, write_report_in

FIGURES = {c.field: c for c in layout.INDICATOR_COLUMNS if c.bases}
EXPECTED = {k: (float(v) if v is not None else None) for k, v in consistent_values().items()}
LAST_YEAR = {k: v + 1 for k, v in consistent_values().items() if isinstance(v, int)}
FLOWS = [i.code for i in catalogue.submitted_indicators() if i.kind == "flow"]

# How narrow columns and hurried typing break a label: line breaks, spaces of every kind, and
# invisible characters between its characters.
BREAKS = ("\n", " ", "  ", "\u3000", "\r\n", "\u200b")
# A note after a label, in brackets of every width and shape.
BRACKETS = ("（{}）", "({})", "【{}】", "[{}]", "［{}］", "〔{}〕", "\n（{}）", " ({})")


def broken(name: str, n: int) -> str:
    """``name`` with the n-th kind of break after every second character."""
    gap = BREAKS[n % len(BREAKS)]
    return gap.join(name[i : i + 2] for i in range(0, len(name), 2))


def words(field: str, code: str) -> tuple[str, ...]:
    (basis,) = [b for b in FIGURES[field].bases if b.code == code]
    return basis.words


def spelled(word: str, month: int) -> str:
    """A vocabulary word as a county types it: N as the month's number, '-' as a dash."""
    return word.replace("N", str(month)).replace("-", "—" if month % 2 else "-")


def shown(label: str) -> str:
    """A header as messages quote it: line breaks and runs of spaces as one space."""
    return " ".join(label.split())


def names(column: layout.Column) -> tuple[str, ...]:
    return (column.label, *column.aliases)


VARIANTS = max(
    max(len(names(c)) for c in layout.INDICATOR_COLUMNS),
    *(len(words(f, layout.MONTH)) for f in FIGURES),
)


def header_variant(n: int) -> dict[str, str]:
    """The n-th header: each column under one of its names, broken the n-th way; each figure column
    with the n-th word that only restates it, in the n-th bracket."""
    labels = {}
    for column in layout.INDICATOR_COLUMNS:
        label = broken(names(column)[n % len(names(column))], n)
        if column.bases:
            restating = words(column.field, layout.MONTH)
            label += BRACKETS[n % len(BRACKETS)].format(restating[n % len(restating)])
        labels[column.field] = label
    return labels


@pytest.mark.parametrize("suffix", WRITERS)
def test_headers_broken_by_narrow_columns_read_the_exact_values(tmp_path, suffix):
    for n in range(VARIANTS):
        labels = header_variant(n)
        path = write_report_in(suffix, tmp_path / f"h{n}", header_labels=labels, last_year=LAST_YEAR)
        report = read(path)
        assert report.findings == [], labels
        assert values_of(report) == EXPECTED, labels
        got_last_year = {r.indicator_code: r.value_last_year for r in report.indicators}
        assert got_last_year == {k: LAST_YEAR.get(k) for k in EXPECTED}, labels
        assert report.value_heading.basis == layout.MONTH


@pytest.mark.parametrize("field", FIGURES)
def test_every_word_of_the_vocabulary_reads_as_its_basis_in_every_form(field):
    column = FIGURES[field]
    value_words = {w for b in FIGURES["value"].bases for w in b.words}
    for basis in column.bases:
        for word, name, bracket in itertools.product(basis.words, names(column), BRACKETS):
            typed = spelled(word, 3)
            forms = [name + bracket.format(typed), broken(name, 1) + typed]  # 本期数（累计）, 本期 数累计
            if basis.code == layout.YEAR_TO_DATE and (field == "value" or word not in value_words):
                forms.append(typed)  # alone: 1-3月累计
            for form in forms:
                heading = read_heading(form, layout.INDICATOR_COLUMNS, 1, 3)
                assert heading is not None, form
                said = (heading.field, heading.basis, heading.through_month, heading.unknown, heading.cell)
                assert said == (field, basis.code, 3 if "N" in word else None, None, "D2"), form


def test_a_note_the_vocabulary_does_not_know_is_named_and_the_column_read(tmp_path):
    report = read(write_report_in(".xlsx", tmp_path / "u", header_labels={"value": "本期数\n（万元）"}))
    (note,) = report.findings
    assert (note.rule_id, note.severity, note.sheet, note.cell) == ("STR14", "warning", "指标填报", "D2")
    assert note.message == "表头「本期数 （万元）」（D2）中的「万元」无法识别，本列按本期数读取"
    assert values_of(report) == EXPECTED


@pytest.mark.parametrize("suffix", WRITERS)
def test_a_column_that_is_not_the_months_figure_is_never_read_as_it(tmp_path, suffix):
    for n, word in enumerate(words("value", layout.OTHER)):
        label = "本期数" + BRACKETS[n % len(BRACKETS)].format(word)
        report = read(write_report_in(suffix, tmp_path / f"o{n}", header_labels={"value": label}))
        (problem,) = report.findings
        assert (problem.rule_id, problem.severity, problem.sheet, problem.cell) == (
            "STR15",
            "error",
            "指标填报",
            "D2",
        )
        assert problem.message == (
            f"表头「{shown(label)}」（D2）是增减、目标或其他时期的数，不是本月数；本表没有本月数列，无法读取本期数"
        )
        assert report.indicators == []


def test_the_months_own_column_wins_over_a_running_total_beside_it(tmp_path):
    # 本月 | 1-3月累计 side by side: the month's column is read, the running total left alone.
    report = read(
        write_report_in(
            ".xlsx", tmp_path / "both", period="2022-03", header_labels={"value_last_year": "1-3月累计"}
        )
    )
    assert report.findings == []
    assert values_of(report) == EXPECTED
    assert report.value_heading.text == "本期数"


def test_a_running_total_through_another_month_is_rejected(tmp_path):
    path = write_report_in(
        ".xlsx", tmp_path / "m", period="2022-05", header_labels={"value": "本期数(1-3月累计)"}
    )
    report = read(path)
    (problem,) = report.findings
    assert (problem.rule_id, problem.severity, problem.cell) == ("STR16", "error", "D2")
    assert problem.message == "表头「本期数(1-3月累计)」（D2）是1至3月的累计数，与报送期间「2022年5月」不符"


def running_totals(period: str) -> dict[str, object]:
    """The figures a county keeping running totals types in ``period``: flows times the month's number
    (every month of the year had the consistent figures), stocks as they are."""
    month = int(period[5:7])
    return {k: v * month if k in FLOWS and v is not None else v for k, v in consistent_values().items()}


def accepted(unit: str, months: list[str]) -> dict[tuple[str, str, str], float]:
    """History: the consistent figures accepted for ``unit`` in each of ``months``."""
    return {(unit, m, k): float(v) for m in months for k, v in consistent_values().items() if v is not None}


@pytest.mark.parametrize("suffix", WRITERS)
def test_a_running_total_becomes_the_months_figure_less_the_months_accepted_before(tmp_path, suffix):
    ytd = words("value", layout.YEAR_TO_DATE)
    for n, word in enumerate(ytd[:: max(1, len(ytd) // 4)]):
        label = "本期数" + BRACKETS[n % len(BRACKETS)].format(spelled(word, 3))
        path = write_report_in(
            suffix,
            tmp_path / f"y{n}",
            period="2022-03",
            values=running_totals("2022-03"),
            header_labels={"value": label},
        )
        report = read(path)
        assert report.findings == [], label
        assert {
            r.indicator_code: r.value for r in report.indicators if r.indicator_code in FLOWS
        } == dict.fromkeys(FLOWS), "a running total is never the month's figure before it is converted"
        convert_running_totals([report], accepted("522422", ["2022-01", "2022-02"]))
        assert values_of(report) == EXPECTED, label
        converted = [(f.rule_id, f.severity, f.field) for f in report.findings]
        assert converted == [("CUM01", "warning", code) for code in FLOWS if EXPECTED[code] is not None]
    c01 = next(f for f in report.findings if f.field == "C01")
    assert (c01.sheet, c01.cell, c01.value) == ("指标填报", "D3", "60")
    assert c01.message == (
        f"刑事案件立案数（D3）填报的「60」是1月至本月的累计数（表头「{shown(label)}」），"
        "减去截至上月已接收的累计 40，按本月数 20 读取"
    )


def test_a_running_total_without_the_months_before_is_rejected_and_never_stored_as_the_month(tmp_path):
    path = write_report_in(
        ".xlsx",
        tmp_path / "gap",
        period="2022-04",
        values=running_totals("2022-04"),
        header_labels={"value": "1-4月累计"},
    )
    report = read(path)
    convert_running_totals([report], accepted("522422", ["2022-01", "2022-03"]))
    (problem,) = report.findings
    assert (problem.rule_id, problem.severity, problem.sheet, problem.cell) == (
        "CUM02",
        "error",
        "指标填报",
        "D2",
    )
    assert problem.message == (
        "表头「1-4月累计」（D2）是1月至本月的累计数；换算为本月数需要本单位2022年2月已接收的月报，系统中没有，无法换算"
    )
    c01 = next(r for r in report.indicators if r.indicator_code == "C01")
    assert (c01.value, c01.raw_value) == (None, "80")
    assert values_of(report)["P01"] == EXPECTED["P01"], "a stock's running total is its level"


def test_a_running_total_below_what_was_accepted_is_rejected_cell_by_cell(tmp_path):
    values = running_totals("2022-02") | {"C01": 30}  # January alone was accepted with 20: 30 - 20 = 10
    history = accepted("522422", ["2022-01"]) | {("522422", "2022-01", "C02"): 50.0}  # 24 - 50 < 0
    report = read(
        write_report_in(
            ".xlsx", tmp_path / "neg", period="2022-02", values=values, header_labels={"value": "本期累计数"}
        )
    )
    convert_running_totals([report], history)
    c02 = next(f for f in report.findings if f.field == "C02")
    assert (c02.rule_id, c02.severity, c02.cell) == ("CUM03", "error", "D4")
    assert c02.message == (
        "刑事案件破案数（D4）填报的「24」是1月至本月的累计数，截至上月已接收的累计为 50，大于所填的累计数，无法换算为本月数"
    )
    assert values_of(report)["C01"] == 10.0 and values_of(report)["C02"] is None


def test_in_january_a_running_total_is_the_months_figure(tmp_path):
    report = read(
        write_report_in(".xlsx", tmp_path / "jan", period="2022-01", header_labels={"value": "本年累计"})
    )
    assert report.findings == [] and values_of(report) == EXPECTED


def test_months_of_one_batch_convert_in_period_order_whatever_the_order_received(tmp_path):
    march, february = (
        read(
            write_report_in(
                ".xlsx", tmp_path / p, period=p, values=running_totals(p), header_labels={"value": "累计"}
            )
        )
        for p in ("2022-03", "2022-02")
    )
    convert_running_totals([march, february], accepted("522422", ["2022-01"]))
    assert values_of(february) == EXPECTED and values_of(march) == EXPECTED
    assert {f.rule_id for f in march.findings + february.findings} == {"CUM01"}


def test_last_years_running_total_is_not_read_for_flows(tmp_path):
    last_year = {k: v * 3 if k in FLOWS else v for k, v in LAST_YEAR.items()}
    path = write_report_in(
        ".ods",
        tmp_path / "ly",
        period="2022-03",
        last_year=last_year,
        header_labels={"value_last_year": "去年同期累计数"},
    )
    report = read(path)
    (note,) = report.findings
    assert (note.rule_id, note.severity, note.cell) == ("STR17", "warning", "E2")
    assert note.message == (
        "表头「去年同期累计数」（E2）是去年1月至同月的累计数，本列中按月发生的指标（案件、纠纷、上访、调研次数等）未读取"
    )
    got = {r.indicator_code: r.value_last_year for r in report.indicators}
    assert {k: got[k] for k in FLOWS} == dict.fromkeys(FLOWS)
    assert got["P01"] == LAST_YEAR["P01"] and values_of(report) == EXPECTED


def test_intake_converts_a_running_total_against_the_batch_and_keeps_the_cell_as_typed(tmp_path):
    # February's running total arrives before January's report, in the same batch. Arrival is the
    # kernel's change time, which no one can set back, so February is simply written first.
    february = write_report_in(
        ".xls",
        tmp_path / "in" / "feb",
        period="2022-02",
        values=running_totals("2022-02"),
        header_labels={"value": "1-2月\n累计"},
    )
    january = write_report_in(".xlsx", tmp_path / "in" / "jan", period="2022-01")
    home = tmp_path / "home"
    second, first = ingest_files([february, january], home)
    assert (first.file, first.status, second.file, second.status) == (
        "jan.xlsx",
        "accepted",
        "feb.xls",
        "accepted_with_warnings",
    )
    assert {e["rule_id"] for e in second.errors} == {"CUM01"}
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as connection:
        stored = connection.execute(
            "select v.indicator_code, v.value, v.raw_value from raw.indicator_values v "
            "join raw.submissions s using (sha256) where s.period = '2022-02' and v.indicator_code in ('C01', 'P01') "
            "order by 1"
        ).fetchall()
    assert stored == [("C01", 20.0, "40"), ("P01", 10.0, "10")]
