"""Value and consistency checks as Great Expectations suites, run once per batch of submissions.

The suites are built in code from the rule catalogue (``base/rules/validation_rules.csv``): every
expectation carries its rule id in ``meta``. All submissions of a batch are checked together, in two
frames — one row per indicator value, one row per submission — and each unexpected row is mapped
back to its file, sheet and cell. One GX run per suite, never one per file.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from base import catalogue, layout
from base.calendar import shift_month
from base.rules import Finding, Rule, finding, rules_with_check
from ingest.parse import ParsedWorkbook

VALUE_FRAME = "indicator_values"
SUBMISSION_FRAME = "submissions"
DOCS_SITE = "pingan"  # the Data Docs site, <home>/quality


@dataclass(frozen=True)
class Check:
    """One expectation (a Great Expectations class name and its arguments: plain data, so a suite can be
    built in another process) and how to turn its unexpected rows into findings."""

    rule: Rule
    frame: str
    expectation: str
    arguments: dict
    field: str | None = None  # indicator the finding points at (submission frame)
    compare_to: str | None = None  # column holding the value it was compared with


def _between(rule: Rule, column: str, low: float | None = None, high: float | None = None, **where) -> Check:
    bounds = {k: v for k, v in (("min_value", low), ("max_value", high)) if v is not None}
    return Check(rule, VALUE_FRAME, "ExpectColumnValuesToBeBetween", {"column": column, **bounds}, **where)


def _value_checks() -> list[Check]:
    province_units = float(catalogue.settings()["province_unit_count"])
    checks = []
    for rule in rules_with_check("count_whole_non_negative"):
        checks += [_between(rule, "count_value", low=0), _between(rule, "count_fraction", high=0)]
    for rule in rules_with_check("value_reported"):
        checks.append(Check(rule, VALUE_FRAME, "ExpectColumnValuesToNotBeNull", {"column": "expected_value"}))
    for rule in rules_with_check("value_within_bounds"):
        checks.append(_between(rule, "bound_excess", high=0, compare_to="upper_bound"))
    for rule in rules_with_check("percent_range"):
        checks.append(_between(rule, "percent_value", low=0, high=100))
    for rule in rules_with_check("flow_vs_last_year"):
        low, high = float(rule.params["low"]), float(rule.params["high"])
        checks.append(_between(rule, "ratio_to_last_year", low, high, compare_to="last_year_value"))
    for rule in rules_with_check("stock_vs_previous_month"):
        low = float(rule.params["min_ratio"])
        checks.append(_between(rule, "ratio_to_previous", low, compare_to="previous_value"))
    for rule in rules_with_check("rank_move"):
        high = float(rule.params["max_move"])
        checks.append(_between(rule, "rank_move", high=high, compare_to="previous_rank"))
    for rule in rules_with_check("rank_range"):
        checks += [
            _between(rule, "rank_value", low=1, high=province_units),
            _between(rule, "rank_fraction", high=0),
        ]
    return checks


def _submission_checks() -> list[Check]:
    checks = []
    for rule in rules_with_check("pair_le"):
        a, b, factor = rule.params["a"], rule.params["b"], float(rule.params.get("factor", 1))
        limit = b if factor == 1 else f"{b}_x{factor:g}"
        arguments = {
            "column_A": limit,
            "column_B": a,
            "or_equal": True,
            "ignore_row_if": "either_value_is_missing",
        }
        checks.append(
            Check(
                rule,
                SUBMISSION_FRAME,
                "ExpectColumnPairValuesAToBeGreaterThanB",
                arguments,
                field=a,
                compare_to=limit,
            )
        )
    pairs = [
        (rule, f"township_{key}", code, key)
        for rule in rules_with_check("township_sum")
        for key, code in layout.TOWNSHIP_SUM_INDICATORS.items()
    ]
    pairs += [(rule, "township_centres", "G02", "has_centre") for rule in rules_with_check("centre_count")]
    for rule, column_a, column_b, field in pairs:
        arguments = {"column_A": column_a, "column_B": column_b, "ignore_row_if": "either_value_is_missing"}
        checks.append(
            Check(
                rule,
                SUBMISSION_FRAME,
                "ExpectColumnPairValuesToBeEqual",
                arguments,
                field=field,
                compare_to=column_b,
            )
        )
    return checks


History = dict[tuple[str, str, str], float]  # (unit_code, 'YYYY-MM', indicator_code) -> accepted value


HISTORY_COLUMNS = (
    "last_year_value",
    "ratio_to_last_year",
    "previous_value",
    "ratio_to_previous",
    "previous_rank",
    "rank_move",
)
BOUND_COLUMNS = ("upper_bound", "population", "per_10k")
_NAN = float("nan")
_NO_HISTORY = (_NAN,) * len(HISTORY_COLUMNS)
_RANK_LOOKBACK_MONTHS = 24


def _history_columns(
    unit: str | None,
    period: str | None,
    indicator: catalogue.Indicator,
    value: float | None,
    history: History,
) -> tuple[float, ...]:
    """The comparisons the history rules check (``HISTORY_COLUMNS``), NaN where there is no history to
    compare with."""
    if unit is None or period is None or value is None:
        return _NO_HISTORY
    code = indicator.code
    if indicator.kind == "flow":
        (rule,) = rules_with_check("flow_vs_last_year") or (None,)
        last_year = history.get((unit, _months_before(period)[11], code))
        if rule and last_year is not None and max(value, last_year) >= float(rule.params["min_base"]):
            ratio = value / last_year if last_year > 0 else float("inf")
            return (last_year, ratio, _NAN, _NAN, _NAN, _NAN)
    elif indicator.value_type == "rank":
        previous = next(
            (history[k] for month in _months_before(period) if (k := (unit, month, code)) in history),
            None,
        )
        if previous is not None:
            return (_NAN, _NAN, _NAN, _NAN, previous, abs(value - previous))
    elif not indicator.is_survey:
        (rule,) = rules_with_check("stock_vs_previous_month") or (None,)
        restarts = rule.params.get("restarts_in_january", "").split(",") if rule else []
        previous = history.get((unit, _months_before(period)[0], code))
        if code in restarts and period.endswith("-01"):
            previous = None  # a year-to-date amount (G06) starts again from zero each January
        if rule and previous is not None and previous >= float(rule.params["min_base"]):
            return (_NAN, _NAN, previous, value / previous, _NAN, _NAN)
    return _NO_HISTORY


@cache
def _months_before(period: str) -> tuple[str, ...]:
    """The months before ``period``, latest first, as far back as a rank is compared."""
    return tuple(shift_month(period, -n) for n in range(1, _RANK_LOOKBACK_MONTHS + 1))


def _bound_columns(unit_code: str | None, indicator: catalogue.Indicator) -> tuple:
    """The most the unit can report of the indicator (catalogue: per 10,000 residents) and what that
    rests on (``BOUND_COLUMNS``); NaN where there is no bound (no such bound, or the unit is unknown)."""
    unit = catalogue.unit_by_code().get(unit_code or "")
    bound = catalogue.upper_bound(indicator, unit) if unit else None
    if bound is None:
        return (_NAN, None, None)
    return (bound, unit.population, indicator.max_per_10k_residents)


def _bound_context(row: pd.Series) -> dict:
    """What a VAL08 message says the bound rests on (nothing for a row without a bound)."""
    if pd.isna(row["upper_bound"]):
        return {}
    return {"population": _number(row["population"]), "per_10k": _number(row["per_10k"])}


def value_frame(reports: list[ParsedWorkbook], history: History | None = None) -> pd.DataFrame:
    """One row per indicator value of every report, with the columns the value suite checks."""
    indicators = catalogue.indicator_by_code()
    history = history or {}
    bounds: dict[tuple[str | None, str], tuple] = {}  # the same for every report of a unit
    rows = []
    for position, report in enumerate(reports):
        unit, period = report.unit_code, report.period
        for i in report.indicators:
            indicator = indicators[i.indicator_code]
            key = (unit, i.indicator_code)
            if key not in bounds:
                bounds[key] = _bound_columns(unit, indicator)
            rows.append(
                (
                    position,
                    i.indicator_code,
                    i.value,
                    indicator.value_type,
                    i.cell,
                    i.raw_value,
                    i.value is None and i.year_to_date is not None,  # unconverted_total
                    *bounds[key],
                    *_history_columns(unit, period, indicator, i.value, history),
                )
            )
    columns = ["report", "indicator_code", "value", "value_type", "cell", "raw_value", "unconverted_total"]
    frame = pd.DataFrame(rows, columns=[*columns, *BOUND_COLUMNS, *HISTORY_COLUMNS])
    frame["value"] = frame["value"].astype("float64")
    survey = {i.code for i in catalogue.indicators() if i.is_survey}
    # Survey results (S01–S03) are blank in months without a survey; every other indicator is expected.
    # A running total that could not be turned into the month's figure was reported: its error says why.
    may_be_blank = frame["indicator_code"].isin(survey) | frame["unconverted_total"]
    frame["expected_value"] = frame["value"].where(~may_be_blank, 0.0)
    for value_type in ("count", "percent", "rank"):
        frame[f"{value_type}_value"] = frame["value"].where(frame["value_type"] == value_type)
    frame["bound_excess"] = frame["value"] - frame["upper_bound"]  # NaN where no bound or no value
    frame["count_fraction"] = frame["count_value"] - np.floor(frame["count_value"])
    frame["rank_fraction"] = frame["rank_value"] - np.floor(frame["rank_value"])
    frame["row_key"] = range(len(frame))
    return frame


def submission_frame(reports: list[ParsedWorkbook]) -> pd.DataFrame:
    """One row per report: its indicator values as columns, plus township sums and the 是 count."""
    codes = [i.code for i in catalogue.submitted_indicators()]
    records = []
    for position, report in enumerate(reports):
        record: dict[str, object] = {"report": position, **dict.fromkeys(codes)}
        record.update({i.indicator_code: i.value for i in report.indicators})
        if report.townships:
            for key in layout.TOWNSHIP_SUM_INDICATORS:
                values = [t.values.get(key) for t in report.townships if t.values.get(key) is not None]
                record[f"township_{key}"] = float(sum(values)) if values else None
            answered = [t.has_centre for t in report.townships if t.has_centre is not None]
            record["township_centres"] = float(sum(answered)) if answered else None
        records.append(record)
    frame = pd.DataFrame.from_records(records)
    for column in [f"township_{k}" for k in layout.TOWNSHIP_SUM_INDICATORS] + ["township_centres"]:
        if column not in frame:
            frame[column] = None
    frame = frame.astype({c: "float64" for c in frame.columns if c != "report"})
    for rule in rules_with_check("pair_le"):
        factor = float(rule.params.get("factor", 1))
        if factor != 1:
            frame[f"{rule.params['b']}_x{factor:g}"] = frame[rule.params["b"]] * factor
    frame["row_key"] = range(len(frame))
    return frame


SuiteOutcome = list[tuple[Check, list[int]]]  # each check with the row keys it found unexpected
Suite = tuple[pd.DataFrame, list[Check], str]  # a frame, the checks on it, the suite's name
SuitesRunner = Callable[[list[Suite], "Path | None"], list[SuiteOutcome]]


def run_suites(suites: list[Suite], docs_dir: Path | None) -> list[SuiteOutcome]:
    """Validate each frame with its checks' expectations (one GX checkpoint run per suite, in this
    process) and write the runs' Data Docs into ``docs_dir`` (when given)."""
    outcomes, write_docs = run_suites_docs_later(suites, docs_dir)
    write_docs()
    return outcomes


def run_suites_docs_later(
    suites: list[Suite], docs_dir: Path | None
) -> tuple[list[SuiteOutcome], Callable[[], None]]:
    """Validate as ``run_suites`` does; the Data Docs are written when the returned function is called
    (it holds the runs' ephemeral GX context until then)."""
    return SuitesContext(docs_dir).run(suites)


class SuitesContext:
    """An ephemeral Great Expectations context with pingan's suites in it, which may run them batch after
    batch: a long-lived intake (the county portal's worker) keeps one, so that an upload does not set up a
    context, its data sources, suites and checkpoints again (~0.1 s of a one-file verdict). Suites whose
    checks differ from those set up (rules edited meanwhile) get a context of their own.

    The suites share the context, and their pages are written together: GX's site index removes every
    page whose result its context does not hold, so a context per suite would leave only the last
    suite's pages. Each run first drops the results of the runs before it, so the site shows the latest
    batch, whole, as a fresh context's does (and a long-lived one holds one batch's results only)."""

    def __init__(self, docs_dir: Path | None) -> None:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self.docs_dir = docs_dir
        self._context = gx.get_context(mode="ephemeral")
        self._context.variables.progress_bars = ProgressBarsConfig(globally=False)
        if docs_dir is not None:
            self._context.add_data_docs_site(
                site_name=DOCS_SITE,
                site_config={
                    "class_name": "SiteBuilder",
                    "store_backend": {
                        "class_name": "TupleFilesystemStoreBackend",
                        "base_directory": str(docs_dir),
                    },
                    "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
                },
            )
        self._checkpoints: dict[str, tuple[list[Check], object]] = {}  # suite name -> (checks, checkpoint)

    def run(self, suites: list[Suite]) -> tuple[list[SuiteOutcome], Callable[[], None]]:
        """Each frame validated with its checks' expectations (one checkpoint run per suite); and the
        function that writes these runs' Data Docs."""
        if any(
            name in self._checkpoints and self._checkpoints[name][0] != checks for _, checks, name in suites
        ):
            return SuitesContext(self.docs_dir).run(suites)
        from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

        results_store = self._context.validation_results_store
        for earlier in results_store.list_keys():
            results_store.remove_key(earlier)
        outcomes, documented = [], []
        for frame, checks, name in suites:
            checkpoint = self._checkpoint(name, checks)
            ((identifier, result),) = checkpoint.run(
                batch_parameters={"dataframe": frame}
            ).run_results.items()
            documented += [identifier, ExpectationSuiteIdentifier(name=result.suite_name)]
            outcome = []
            for expectation_result in result.results:
                check = checks[expectation_result.expectation_config.meta["check"]]
                unexpected = expectation_result.result.get("unexpected_index_list") or []
                outcome.append((check, [int(item["row_key"]) for item in unexpected]))
            outcomes.append(outcome)

        def write_docs() -> None:
            """The runs' pages and the site's index, as GX's UpdateDataDocsAction writes them."""
            if self.docs_dir is not None and documented:
                self._context.build_data_docs(
                    site_names=[DOCS_SITE], resource_identifiers=documented, build_index=True
                )

        return outcomes, write_docs

    def _checkpoint(self, name: str, checks: list[Check]):
        """The checkpoint of suite ``name``, set up on its first run."""
        if name in self._checkpoints:
            return self._checkpoints[name][1]
        import great_expectations as gx

        context = self._context
        batch_definition = (
            context.data_sources.add_pandas(f"pingan_{name}")
            .add_dataframe_asset(name)
            .add_batch_definition_whole_dataframe(f"{name}_batch")
        )
        suite = gx.ExpectationSuite(name=f"pingan_{name}")
        for index, check in enumerate(checks):
            expectation = getattr(gx.expectations, check.expectation)(**check.arguments)
            expectation.meta = {"rule_id": check.rule.rule_id, "check": index}
            suite.add_expectation(expectation)
        suite = context.suites.add(suite)
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(data=batch_definition, suite=suite, name=f"pingan_{name}")
        )
        checkpoint = context.checkpoints.add(
            gx.Checkpoint(
                name=f"pingan_{name}",
                validation_definitions=[definition],
                result_format={"result_format": "COMPLETE", "unexpected_index_column_names": ["row_key"]},
            )
        )
        self._checkpoints[name] = (list(checks), checkpoint)
        return checkpoint


class DocsAfterwards:
    """A suites runner (``SuitesRunner``) for an answer that must not wait for the Data Docs: it
    validates at once and writes the pages of its runs when ``write_docs`` is called. The county portal
    answers an upload first and writes the office's quality pages after. It validates in ``context``
    (one kept for batch after batch) when that writes to the same Data Docs folder, else in a new one."""

    def __init__(self, context: SuitesContext | None = None) -> None:
        self._context = context
        self._pending: list[Callable[[], None]] = []

    def __call__(self, suites: list[Suite], docs_dir: Path | None) -> list[SuiteOutcome]:
        context = self._context
        if context is None or context.docs_dir != docs_dir:
            context = SuitesContext(docs_dir)
        outcomes, write = context.run(suites)
        self._pending.append(write)
        return outcomes

    def write_docs(self) -> None:
        pending, self._pending = self._pending, []
        for write in pending:
            write()


def validate_reports(
    reports: list[ParsedWorkbook],
    history: History | None = None,
    docs_dir: Path | None = None,
    runner: SuitesRunner = run_suites,
) -> list[list[Finding]]:
    """The findings of the value, consistency and history suites, per report (same order as ``reports``).

    ``history`` holds accepted values of earlier months (the warehouse's, and this batch's own). With
    ``docs_dir``, GX Data Docs of the run are written there (index.html). ``runner`` runs the suites: in
    this process by default, or in the one ``ingest.validation_process`` started ahead."""
    findings: list[list[Finding]] = [[] for _ in reports]
    position_of = {id(r): i for i, r in enumerate(reports) if r.kind == "monthly_report" and r.indicators}
    checked = [r for r in reports if id(r) in position_of]
    if not checked:
        return findings
    values, submissions = value_frame(checked, history), submission_frame(checked)
    value_outcome, submission_outcome = runner(
        [(values, _value_checks(), VALUE_FRAME), (submissions, _submission_checks(), SUBMISSION_FRAME)],
        docs_dir,
    )
    for check, keys in value_outcome:
        for key in keys:
            row = values.iloc[key]
            report = checked[int(row["report"])]
            name = catalogue.indicator_by_code()[row["indicator_code"]].name
            findings[position_of[id(report)]].append(
                finding(
                    check.rule.rule_id,
                    cell=row["cell"],
                    field=row["indicator_code"],
                    value=row["raw_value"],
                    name=name,
                    max_rank=catalogue.settings()["province_unit_count"],
                    b_value=_number(row[check.compare_to]) if check.compare_to else None,
                    **_bound_context(row),
                )
            )
    for check, keys in submission_outcome:
        for key in keys:
            row = submissions.iloc[key]
            report = checked[int(row["report"])]
            findings[position_of[id(report)]].append(_submission_finding(check, row, report))
    for position in position_of.values():
        findings[position] = _unique(findings[position])
    return findings


def _submission_finding(check: Check, row: pd.Series, report: ParsedWorkbook) -> Finding:
    cells = {i.indicator_code: i.cell for i in report.indicators}
    if check.rule.check in {"township_sum", "centre_count"}:
        label = next(c.label for c in layout.TOWNSHIP_COLUMNS if c.field == check.field)
        column = "township_centres" if check.field == "has_centre" else f"township_{check.field}"
        return finding(  # points at the total on 指标填报 that the township rows disagree with
            check.rule.rule_id,
            sheet=layout.INDICATOR_SHEET,
            cell=cells.get(check.compare_to),
            field=check.field,
            value=_number(row[column]),
            label=label,
            a_value=_number(row[column]),
            b_value=_number(row[check.compare_to]),
        )
    b_value = row[check.rule.params["b"]]
    return finding(
        check.rule.rule_id,
        cell=cells.get(check.field),
        field=check.field,
        value=_number(row[check.field]),
        a_value=_number(row[check.field]),
        b_value=_number(b_value),
    )


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _unique(items: list[Finding]) -> list[Finding]:
    seen, kept = set(), []
    for item in items:
        key = (item.rule_id, item.cell, item.field)
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return kept
