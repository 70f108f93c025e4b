"""Every value, consistency and history rule: a failing fixture gives exactly its finding (rule, cell,
severity); the consistent fixture gives none. Rules come from base/rules/validation_rules.csv, whose
``code`` column names where each is implemented (held to the code at the end of this file)."""

import ast
import importlib
import inspect
from pathlib import Path

import pytest

from base import catalogue
from base.rules import rules
from ingest.parse import parse_workbook
from ingest.read import read_sheets
from ingest.validate import DocsAfterwards, SuitesContext, validate_reports
from tests.ingest.workbooks import TOWNSHIPS, consistent_values, write_report


def value_cell(code: str) -> str:
    """Where write_report puts an indicator's 本期数: one title row, the header, then catalogue order."""
    codes = [i.code for i in catalogue.submitted_indicators()]
    return f"D{3 + codes.index(code)}"


def findings_for(tmp_path, history=None, **report_options):
    report = parse_workbook(read_sheets(write_report(tmp_path / "r.xlsx", **report_options)))
    assert report.findings == []
    (found,) = validate_reports([report], history)
    return [(f.rule_id, f.cell, f.severity) for f in found]


def test_consistent_report_passes_every_rule(tmp_path):
    assert findings_for(tmp_path) == []


CASES = {
    "VAL02": ({"C10": -1}, "C10"),
    "VAL03": ({"S01": 120}, "S01"),
    "VAL04": ({"S02": 100}, "S02"),
    "VAL05": ({"G06": 200}, "G06"),
    "CON01": ({"D03": 190}, "D03"),
    "CON02": ({"C04": 6}, "C04"),
    "CON03": ({"C06": 2}, "C06"),
    "CON04": ({"G02": 3}, "G02"),
    "CON05": ({"K04": 11}, "K04"),
    "CON06": ({"K01": 100}, "K01"),
    "CON07": ({"C03": 25, "C04": 4}, "C03"),
    # one more 逃犯 than 大方县's population allows (the catalogue's bound per 10,000 residents)
    "VAL08": (
        {
            "C10": int(
                catalogue.upper_bound(catalogue.indicator_by_code()["C10"], catalogue.resolve_unit("大方县"))
            )
            + 1
        },
        "C10",
    ),
}


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_value_and_consistency_rules_name_the_cell(tmp_path, rule_id):
    changes, code = CASES[rule_id]
    found = findings_for(tmp_path, values=consistent_values() | changes)
    assert (rule_id, value_cell(code), rules()[rule_id].severity) in found


def test_whole_numbers_for_counts(tmp_path):
    assert findings_for(tmp_path, values=consistent_values() | {"C10": 1.5}) == [
        ("VAL02", value_cell("C10"), "error")
    ]


def test_township_sum_disagreeing_is_a_warning_on_the_total(tmp_path):
    townships = [("甲镇", 61, 55, "是", 3, 12, 40), TOWNSHIPS[1]]
    assert findings_for(tmp_path, townships=townships) == [("CON08", value_cell("D02"), "warning")]


def test_count_of_centres_disagreeing_is_a_warning(tmp_path):
    townships = [TOWNSHIPS[0], ("乙乡", 40, 35, "是", 2, 8, 20)]
    assert findings_for(tmp_path, townships=townships) == [("CON09", value_cell("G02"), "warning")]


def history(period: str, **values: float) -> dict:
    return {("522422", period, code): value for code, value in values.items()}


def test_flow_far_from_the_same_month_last_year_is_a_warning(tmp_path):
    assert findings_for(tmp_path, history=history("2021-01", D01=12)) == [
        ("HIS01", value_cell("D01"), "warning")
    ]
    assert findings_for(tmp_path, history=history("2021-01", D01=100)) == []


def test_small_counts_are_not_compared_with_last_year(tmp_path):
    assert findings_for(tmp_path, history=history("2021-01", C05=6)) == []


def test_stock_falling_by_half_since_last_month_is_a_warning(tmp_path):
    assert findings_for(tmp_path, history=history("2021-12", G03=130)) == [
        ("HIS02", value_cell("G03"), "warning")
    ]


def test_funding_received_restarts_in_january(tmp_path):
    assert findings_for(tmp_path, history=history("2021-12", G06=400)) == []


def test_rank_moving_more_than_40_places_is_a_warning(tmp_path):
    values = consistent_values() | {"S02": 70}
    assert findings_for(tmp_path, history=history("2021-06", S02=20), values=values) == [
        ("HIS03", value_cell("S02"), "warning")
    ]
    assert findings_for(tmp_path, history=history("2021-06", S02=50), values=values) == []


def test_every_catalogued_value_rule_has_a_failing_fixture_here():
    tested = set(CASES) | {"CON08", "CON09", "HIS01", "HIS02", "HIS03", "VAL07"}
    catalogued = {r.rule_id for r in rules().values() if r.category in {"values", "consistency", "history"}}
    assert catalogued - tested == {"VAL01", "VAL06"}  # reader rules, tested in test_read_layouts / formats


def test_blank_value_is_a_warning_not_a_zero(tmp_path):
    assert findings_for(tmp_path, values=consistent_values() | {"C10": "—"}) == [
        ("VAL07", value_cell("C10"), "warning")
    ]


def test_survey_results_may_be_blank(tmp_path):
    assert findings_for(tmp_path, values=consistent_values() | {"S01": None, "S02": None, "S03": None}) == []


def test_suites_run_alike_in_the_process_started_ahead(tmp_path):
    # Large batches validate in a spawned process that imported GX while the files were read.
    from ingest.validation_process import ValidationProcess

    reports = [
        parse_workbook(
            read_sheets(write_report(tmp_path / f"r{rule_id}.xlsx", values=consistent_values() | changes))
        )
        for rule_id, (changes, _) in sorted(CASES.items())
    ]
    here = validate_reports(reports)
    process = ValidationProcess()
    try:
        there = validate_reports(reports, runner=process.run_suites)
    finally:
        process.close()
    assert there == here
    assert set(CASES) <= {f.rule_id for found in there for f in found}


def test_the_data_docs_show_both_suites_of_a_batch_and_can_wait_for_the_answer(tmp_path):
    # Both suites' pages stay side by side (GX's index removes the pages of results its context does
    # not hold, so the suites share one context); the portal writes them after its verdict.
    reports = [
        parse_workbook(
            read_sheets(write_report(tmp_path / "r.xlsx", values=consistent_values() | {"D03": 190}))
        )
    ]
    now = validate_reports(reports, docs_dir=tmp_path / "now")
    later = DocsAfterwards()
    assert validate_reports(reports, docs_dir=tmp_path / "later", runner=later) == now
    assert not (tmp_path / "later").exists() or not list((tmp_path / "later").rglob("*.html"))
    later.write_docs()
    for docs in (tmp_path / "now", tmp_path / "later"):
        suites = {
            page.relative_to(docs / "validations").parts[0] for page in (docs / "validations").rglob("*.html")
        }
        assert suites == {"pingan_indicator_values", "pingan_submissions"}, docs
        index = (docs / "index.html").read_text(encoding="utf-8")
        assert "pingan_indicator_values" in index and "pingan_submissions" in index


def test_a_context_kept_for_batch_after_batch_finds_what_a_fresh_one_finds_and_shows_the_latest_batch(
    tmp_path,
):
    # The county portal keeps one context (SuitesContext) for every upload: each batch's findings are
    # those of a fresh context, and its Data Docs show that batch's results only, as a fresh one's do.
    def batch(name: str, **changes: float) -> list:
        values = consistent_values() | changes
        return [parse_workbook(read_sheets(write_report(tmp_path / f"{name}.xlsx", values=values)))]

    docs = tmp_path / "quality"
    kept = SuitesContext(docs)
    batches = [batch("a", D03=190), batch("b"), batch("c", D03=190, D04=-1), batch("a2", D03=190)]
    rules_found = []
    for reports in batches:
        runner = DocsAfterwards(kept)
        (found,) = validate_reports(reports, docs_dir=docs, runner=runner)
        assert [found] == validate_reports(reports)
        rules_found.append({f.rule_id for f in found})
        runner.write_docs()
        pages = sorted(p.relative_to(docs).as_posix() for p in (docs / "validations").rglob("*.html"))
        assert [p.split("/")[1] for p in pages] == ["pingan_indicator_values", "pingan_submissions"]
        index = (docs / "index.html").read_text(encoding="utf-8")
        assert all(page in index for page in pages)
    assert rules_found[0] == rules_found[3] and len({frozenset(r) for r in rules_found}) == 3


# --------------------------------------------------------------------------------------------------
# Each rule's code is found from its row: the catalogue's `code` column against the code itself.

PRODUCT_PACKAGES = ("base", "ingest", "exports", "orchestration")
ROOT = Path(__file__).resolve().parents[2]


def named_function(reference: str):
    module_name, _, qualified = reference.partition(":")
    target = importlib.import_module(module_name)
    for part in qualified.split("."):
        target = getattr(target, part)
    return target


def raising_calls() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Where the product code raises rules: rule id -> functions calling ``finding("ID", ...)`` (or a
    helper named ``*_finding``), and check name -> functions calling ``rules_with_check("check")``;
    functions as ``module:function``."""
    by_id: dict[str, set[str]] = {}
    by_check: dict[str, set[str]] = {}

    def visit(node: ast.AST, module: str, scope: list[str]) -> None:
        for child in ast.iter_child_nodes(node):
            inner = scope
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                inner = [*scope, child.name]
            elif isinstance(child, ast.Call) and child.args and isinstance(child.args[0], ast.Constant):
                called = getattr(child.func, "id", None) or getattr(child.func, "attr", "")
                where = f"{module}:{'.'.join(scope)}"
                if called.endswith("finding") and isinstance(child.args[0].value, str):
                    by_id.setdefault(child.args[0].value, set()).add(where)
                elif called == "rules_with_check":
                    by_check.setdefault(child.args[0].value, set()).add(where)
            visit(child, module, inner)

    for package in PRODUCT_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            visit(ast.parse(path.read_text(encoding="utf-8")), module, [])
    return by_id, by_check


def test_every_function_a_rule_names_exists_and_mentions_the_rule():
    wrong = []
    for rule in rules().values():
        assert rule.code, f"{rule.rule_id}: the code column is empty"
        for reference in rule.code:
            source = inspect.getsource(named_function(reference))
            if rule.rule_id not in source and f'"{rule.check}"' not in source:
                wrong.append((rule.rule_id, reference))
    assert wrong == []


def test_every_rule_raised_in_the_code_is_catalogued_and_every_catalogued_rule_is_raised():
    by_id, by_check = raising_calls()
    assert set(by_id) <= set(rules())
    assert set(by_check) <= {rule.check for rule in rules().values()}
    unraised = [r.rule_id for r in rules().values() if r.rule_id not in by_id and r.check not in by_check]
    assert unraised == []


def test_every_function_that_raises_a_rule_is_named_in_its_row():
    by_id, by_check = raising_calls()
    missing = {
        rule.rule_id: sorted(
            (by_id.get(rule.rule_id, set()) | by_check.get(rule.check, set())) - set(rule.code)
        )
        for rule in rules().values()
    }
    assert {rule_id: where for rule_id, where in missing.items() if where} == {}
