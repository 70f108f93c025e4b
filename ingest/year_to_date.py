"""Running totals typed where the month's figure belongs, turned into the month's figure.

A county that keeps a running total since January types it under 本期数（累计）, 1-3月累计, 本年累计 … The
reader (``ingest.parse``) never reads such a figure of a flow indicator as the month's: it keeps it
apart (``IndicatorRow.year_to_date``, value unknown). The month's figure is that total less what the
office has accepted for the months before it, and only the office side knows that: the reader runs in
a sandbox without the warehouse. So the conversion runs here, in the parent process, after reading and
before the value rules (which then check the month's figure), against the same accepted history the
history rules use: the warehouse's latest accepted version of each month, overlaid with this batch's
readable reports.

Each converted figure is a warning naming its cell, the total typed and the amount subtracted; the
cell as typed stays in ``raw_value``. A figure that cannot be converted stays unknown, with an error
that says why: an earlier month the office has not accepted (one error on the header), a month that
did not report the indicator, or a total smaller than what was already accepted (one error per cell).
"""

from __future__ import annotations

from base.calendar import shift_month
from base.catalogue import indicator_by_code
from base.rules import finding
from ingest.normalise import number_text
from ingest.parse import ParsedWorkbook, heading_finding
from ingest.validate import History


def convert_running_totals(reports: list[ParsedWorkbook], earlier: History) -> None:
    """Turn, in place, the running totals of ``reports`` (in the order received) into month figures.

    The reports are taken in period order, so a batch holding a unit's February and March totals
    converts February first and March against it; a report with errors never serves as history."""
    history = dict(earlier)
    accepted = {(unit, period) for unit, period, _ in history}
    monthly = [r for r in reports if r.kind == "monthly_report" and r.unit_code and r.period]
    for report in sorted(monthly, key=lambda r: r.period):
        if any(row.year_to_date is not None for row in report.indicators):
            _convert(report, history, accepted)
        if not report.has_errors:
            accepted.add((report.unit_code, report.period))
            history.update(
                {
                    (report.unit_code, report.period, row.indicator_code): row.value
                    for row in report.indicators
                    if row.value is not None
                }
            )


def _months_before(period: str) -> list[str]:
    """January to the month before ``period``, of the same year."""
    return [shift_month(period, -n) for n in range(int(period[5:7]) - 1, 0, -1)]


def _months_text(months: list[str]) -> str:
    """'2022年2月、3月'."""
    return f"{months[0][:4]}年" + "、".join(f"{int(m[5:7])}月" for m in months)


def _convert(report: ParsedWorkbook, history: History, accepted: set[tuple[str, str]]) -> None:
    heading, sheet = report.value_heading, report.indicator_sheet
    months = _months_before(report.period)
    missing = [m for m in months if (report.unit_code, m) not in accepted]
    if missing:
        report.findings.append(heading_finding("CUM02", sheet, heading, months=_months_text(missing)))
        return
    for row in report.indicators:
        if row.year_to_date is None:
            continue
        about = {
            "sheet": sheet,
            "cell": row.cell,
            "field": row.indicator_code,
            "value": row.raw_value,
            "name": indicator_by_code()[row.indicator_code].name,
        }
        earlier = [history.get((report.unit_code, m, row.indicator_code)) for m in months]
        unreported = [m for m, v in zip(months, earlier, strict=True) if v is None]
        prior = sum(v for v in earlier if v is not None)
        month_value = row.year_to_date - prior
        if unreported:
            detail = f"{_months_text(unreported)}已接收的月报中本指标未填报"
            report.findings.append(finding("CUM03", **about, detail=detail))
        elif month_value < 0:
            detail = f"截至上月已接收的累计为 {number_text(prior)}，大于所填的累计数"
            report.findings.append(finding("CUM03", **about, detail=detail))
        else:
            row.value = month_value
            converted = {"b_value": number_text(prior), "a_value": number_text(month_value)}
            report.findings.append(finding("CUM01", **about, heading=heading.text, **converted))
