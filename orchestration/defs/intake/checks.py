"""Validation results as asset checks on the submissions: outstanding rejections fail the check."""

from __future__ import annotations

import dagster as dg

from ingest.load import connect
from orchestration.defs.resources import PinganHome

OUTSTANDING_REJECTIONS = """
    with latest as (
        select *, row_number() over (partition by kind, unit_code, period order by version desc) as newest
        from raw.submissions
        where version is not null
    )
    select unit_code, period, file_name, error_count
    from latest
    where newest = 1 and status = 'rejected'
    order by period, unit_code
"""


@dg.asset_check(asset=dg.AssetKey(["raw", "submissions"]), name="no_outstanding_rejections")
def no_outstanding_rejections(pingan: PinganHome) -> dg.AssetCheckResult:
    """Every unit and period whose newest file was rejected still owes the office a corrected file."""
    connection = connect(pingan.home.warehouse)
    try:
        rejected = connection.execute(OUTSTANDING_REJECTIONS).fetchall()
        warnings = connection.execute(
            "select count(*) from raw.findings where severity = 'warning'"
        ).fetchone()[0]
    finally:
        connection.close()
    return dg.AssetCheckResult(
        passed=not rejected,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "outstanding_rejections": len(rejected),
            "warnings": int(warnings),
            "rejected": dg.MetadataValue.md(
                "\n".join(f"- {p} {u}: {f} ({e} errors)" for u, p, f, e in rejected) or "none"
            ),
        },
    )
