"""Validation as asset checks on raw/submissions.

Two checks, on purpose of different weight:

- ``raw_tables_consistent`` is **blocking**: when it fails, or cannot run at all, the warehouse build in
  the same run does not start. It fails only when the raw tables contradict themselves (an accepted
  report with no indicator rows, an accepted targets workbook with no targets, rows whose submission is
  missing, two files holding the same version, a status that disagrees with its error count): building
  marts from that would publish wrong numbers.
- ``no_outstanding_rejections`` **warns** (it does not block the build): a rejected county file never
  reaches the marts, and one county's error must not hold every other period. It lists every unit and
  month whose newest file was rejected, so the office can chase the corrected file. The bulletin of
  each such period is held by that period's blocking check (defs/exports/gates.py).
"""

import dagster as dg
import duckdb

from orchestration.defs.resources import PinganHome
from orchestration.defs.retry import LOCK_RETRY_POLICY

SUBMISSIONS = dg.AssetKey(["raw", "submissions"])

INCONSISTENCIES = {
    "accepted_report_without_values": """
        select s.file_name from raw.submissions s
        where s.kind = 'monthly_report' and s.status <> 'rejected'
          and not exists (select 1 from raw.indicator_values v where v.sha256 = s.sha256)""",
    "accepted_targets_without_rows": """
        select s.file_name from raw.submissions s
        where s.kind = 'targets' and s.status <> 'rejected'
          and not exists (select 1 from raw.targets t where t.sha256 = s.sha256)""",
    "rows_without_submission": """
        select distinct t.sha256 from (
            select sha256 from raw.indicator_values union all select sha256 from raw.township_values
            union all select sha256 from raw.findings union all select sha256 from raw.targets
        ) t
        where not exists (select 1 from raw.submissions s where s.sha256 = t.sha256)""",
    "version_held_twice": """
        select kind || ' ' || coalesce(unit_code, '') || ' ' || period || ' v' || version
        from raw.submissions where version is not null
        group by kind, unit_code, period, version having count(*) > 1""",
    "status_disagrees_with_errors": """
        select file_name from raw.submissions
        where (status = 'rejected') <> (error_count > 0)""",
}

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


def find_inconsistencies(connection: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Each rule with the offending rows (empty lists when the raw tables are consistent)."""
    return {
        name: [str(r[0]) for r in connection.execute(sql).fetchall()] for name, sql in INCONSISTENCIES.items()
    }


@dg.asset_check(
    asset=SUBMISSIONS,
    name="raw_tables_consistent",
    blocking=True,
    pool="warehouse",
    retry_policy=LOCK_RETRY_POLICY,
)
def raw_tables_consistent(pingan: PinganHome) -> dg.AssetCheckResult:
    """The raw tables agree with themselves; a failure (or an error running it) stops the build."""
    with duckdb.connect(str(pingan.home.warehouse), read_only=True) as connection:
        problems = find_inconsistencies(connection)
    failed = {name: rows for name, rows in problems.items() if rows}
    return dg.AssetCheckResult(
        passed=not failed,
        severity=dg.AssetCheckSeverity.ERROR,
        description="原始数据前后一致" if not failed else "原始数据自相矛盾，已停止更新数据仓库",
        metadata={
            **{name: len(rows) for name, rows in problems.items()},
            "examples": dg.MetadataValue.json({name: rows[:10] for name, rows in failed.items()}),
        },
    )


@dg.asset_check(
    asset=SUBMISSIONS, name="no_outstanding_rejections", pool="warehouse", retry_policy=LOCK_RETRY_POLICY
)
def no_outstanding_rejections(pingan: PinganHome) -> dg.AssetCheckResult:
    """Every unit and period whose newest file was rejected still owes the office a corrected file."""
    with duckdb.connect(str(pingan.home.warehouse), read_only=True) as connection:
        rejected = connection.execute(OUTSTANDING_REJECTIONS).fetchall()
        warnings = connection.execute(
            "select count(*) from raw.findings where severity = 'warning'"
        ).fetchone()[0]
    return dg.AssetCheckResult(
        passed=not rejected,
        severity=dg.AssetCheckSeverity.WARN,
        description=f"{len(rejected)} 份被退回的报表尚未重新报送" if rejected else "没有待重报的退回报表",
        metadata={
            "outstanding_rejections": len(rejected),
            "warnings": int(warnings),
            "rejected": dg.MetadataValue.md(
                "\n".join(f"- {p} {u}: {f}（{e} 处错误）" for u, p, f, e in rejected) or "无"
            ),
        },
    )
