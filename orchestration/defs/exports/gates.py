"""The period gate: a period's bulletin is not published while one of its files has errors outstanding.

An error-level finding rejects the file before anything of it is loaded, so the warehouse never holds a
wrong figure. What the error must still stop is the *period*: ranking the counties of May while 赫章's
May report is sent back would print 赫章 as if it had reported nothing. So each bulletin waits behind a
gate asset of the same partitions (``monthly_submissions``, ``quarterly_submissions``,
``annual_submissions``: where every unit's files of the period stand), whose **blocking** check
``no_rejected_files`` fails while some unit has, for a month of the period, only rejected files (退回;
a rejected resubmission after an accepted one leaves the accepted figures standing and holds nothing).
The failure stops that period's bulletin and is written to alerts.log; other periods are not held.
When the corrected file arrives, the inbox sensor republishes the months whose bulletin was due, and
the gate opens. A run over a range of months is held whole when any of its months is blocked.

When the office sets ``PINGAN_BULLETIN_WAITS_FOR_ACCEPTANCE``, a second blocking check, ``units_accepted``,
also holds the bulletin until the office has accepted (受理) in the county portal every unit's report of
each month of the period (``orchestration.status.acceptance_outstanding``); by default it passes at once
and the bulletin's 填报情况 shows where each report stands.

The office can still publish on purpose from the command line (``pingan report --period``), which prints
the rejected files and ranks those units as 退回.
"""

import warnings
from collections import Counter

import dagster as dg

from base.calendar import parse_period
from orchestration.alerts import ACCEPTANCE_CHECK, GATE_CHECK
from orchestration.defs.partitions import PeriodPartitions
from orchestration.defs.resources import PinganHome
from orchestration.defs.retry import LOCK_RETRY_POLICY
from orchestration.status import acceptance_outstanding, rejections_outstanding, submission_status

STATUS_ORDER = ("已报", "逾期", "退回", "未报")
SUBMISSION_STATUS = dg.AssetKey(["marts", "fct_submission_status"])


def period_gate(name: str, partitions_def: dg.PartitionsDefinition, what: str):
    """The gate asset of one kind of period, and its blocking check."""
    with warnings.catch_warnings():  # single-run backfills are "beta", partitioned checks "preview"
        warnings.simplefilter("ignore", dg.BetaWarning)
        warnings.simplefilter("ignore", dg.PreviewWarning)
        return _period_gate(name, partitions_def, what)


def _period_gate(name: str, partitions_def: dg.PartitionsDefinition, what: str):
    @dg.asset(
        name=name,
        backfill_policy=dg.BackfillPolicy.single_run(),
        group_name="exports",
        deps=[SUBMISSION_STATUS],
        partitions_def=partitions_def,
        pool="warehouse",
        description=f"{what}报表收齐情况：本期各月各单位的报送状态（已报、逾期、退回、未报）",
    )
    def _gate(context: dg.AssetExecutionContext, pingan: PinganHome) -> dg.MaterializeResult:
        counts: dict[str, Counter] = {}
        for period in context.partition_keys:
            counts[period] = Counter(
                unit.status
                for month in parse_period(period).months
                for unit in submission_status(pingan.home, month).units
            )
        return dg.MaterializeResult(
            metadata={
                period: dg.MetadataValue.json({s: tally[s] for s in STATUS_ORDER})
                for period, tally in counts.items()
            }
        )

    @dg.asset_check(
        asset=_gate,
        name=GATE_CHECK,
        blocking=True,
        partitions_def=partitions_def,
        pool="warehouse",
        retry_policy=LOCK_RETRY_POLICY,
        description="本期有报表被退回且尚未重报时不发布本期通报",
    )
    def _no_rejected_files(context: dg.AssetCheckExecutionContext, pingan: PinganHome) -> dg.AssetCheckResult:
        rejected = [
            (month, unit)
            for period in context.partition_keys
            for month, unit in rejections_outstanding(pingan.home, period)
        ]
        lines = [
            f"{month} {unit.unit_name}：{unit.reason or '详见数据质量反馈表'}" for month, unit in rejected
        ]
        return _held_back(
            lines,
            f"有 {len(lines)} 份报表被退回尚未重报",
            "本期没有被退回未重报的报表",
            ("rejected", "files"),
        )

    @dg.asset_check(
        asset=_gate,
        name=ACCEPTANCE_CHECK,
        blocking=True,
        partitions_def=partitions_def,
        pool="warehouse",
        retry_policy=LOCK_RETRY_POLICY,
        description="设置 PINGAN_BULLETIN_WAITS_FOR_ACCEPTANCE 时，本期各单位月报均经综治办受理后才发布本期通报",
    )
    def _units_accepted(context: dg.AssetCheckExecutionContext, pingan: PinganHome) -> dg.AssetCheckResult:
        if not pingan.settings.bulletin_waits_for_acceptance:
            return dg.AssetCheckResult(
                passed=True, description="不等待受理（未设置 PINGAN_BULLETIN_WAITS_FOR_ACCEPTANCE）"
            )
        waiting = [
            (month, unit, where)
            for period in context.partition_keys
            for month, unit, where in acceptance_outstanding(pingan.home, period)
        ]
        lines = [f"{month} {unit.unit_name}：{where}" for month, unit, where in waiting]
        return _held_back(
            lines, f"有 {len(lines)} 份月报尚未经综治办受理", "本期各单位月报均已受理", ("waiting", "reports")
        )

    return _gate, _no_rejected_files, _units_accepted


GATE_NAMES = {
    "monthly": "monthly_submissions",
    "quarterly": "quarterly_submissions",
    "annual": "annual_submissions",
}


def period_gates(
    partitions: PeriodPartitions,
) -> dict[str, tuple[dg.AssetsDefinition, dg.AssetChecksDefinition, dg.AssetChecksDefinition]]:
    """The gate and its blocking checks of each kind of period: {"monthly": (gate, check, check), …}."""
    return {
        "monthly": period_gate(GATE_NAMES["monthly"], partitions.monthly, "月度"),
        "quarterly": period_gate(GATE_NAMES["quarterly"], partitions.quarterly, "季度"),
        "annual": period_gate(GATE_NAMES["annual"], partitions.annual, "年度"),
    }


def _held_back(lines: list[str], why: str, clear: str, names: tuple[str, str]) -> dg.AssetCheckResult:
    """A blocking gate's answer: passed when ``lines`` (what holds the bulletin back, one per report) is
    empty; otherwise why, with each line, in the description and as a list in the metadata (``names``:
    the metadata keys of the count and of the list)."""
    count, listed = names
    return dg.AssetCheckResult(
        passed=not lines,
        severity=dg.AssetCheckSeverity.ERROR,
        description=f"{why}，本期通报暂不发布：" + "；".join(lines) if lines else clear,
        metadata={
            count: len(lines),
            listed: dg.MetadataValue.md("\n".join(f"- {line}" for line in lines) or "无"),
        },
    )
