"""The bulletins (排名通报) and the deadline-day reminder, one partition per period.

Thin wrappers over orchestration/publish.py (exports.bulletin) and orchestration/status.py. They read
the marts, so they wait for the warehouse in the same run and refuse stale marts (publish.py). They are
built with their partitions when the definitions are loaded (``bulletin_assets``).
"""

import warnings

import dagster as dg

from exports.bulletin.data import BULLETIN_MARTS
from orchestration.defs.partitions import PeriodPartitions
from orchestration.defs.resources import PinganHome
from orchestration.defs.retry import retry_when_busy
from orchestration.publish import MartsNotCurrent, publish_bulletins
from orchestration.status import write_reminder
from orchestration.warehouse import reader_lock

MART_KEYS = [dg.AssetKey(["marts", name]) for name in BULLETIN_MARTS]


def _publish(context: dg.AssetExecutionContext, pingan: PinganHome) -> dg.MaterializeResult:
    periods = list(context.partition_keys)
    try:
        with retry_when_busy():
            written = publish_bulletins(pingan.settings, periods)
    except MartsNotCurrent as error:
        raise dg.Failure(description=str(error)) from error
    for item in written:
        what = (
            "unchanged" if item.reused else f"correction {item.correction}" if item.correction else "original"
        )
        context.log.info(f"bulletin {item.period} ({what}): {item.path}")
        if not item.scored:
            context.log.warning(
                f"bulletin {item.period}: the year's targets are not loaded, no composite score"
            )
    return dg.MaterializeResult(
        metadata={
            "bulletins": dg.MetadataValue.json({b.period: str(b.path) for b in written}),
            "corrections": sum(1 for b in written if b.correction and not b.reused),
            "units_ranked": dg.MetadataValue.json({b.period: b.units_ranked for b in written}),
            # False for a period published before its year's targets workbook was loaded (no scores yet)
            "scores_computed": dg.MetadataValue.json({b.period: b.scored for b in written}),
        }
    )


def bulletin_asset(
    name: str, partitions_def: dg.PartitionsDefinition, what: str, gate: dg.AssetsDefinition
) -> dg.AssetsDefinition:
    """The bulletin of one kind of period; it waits for the marts and for its period's gate (gates.py)."""
    with warnings.catch_warnings():  # backfill_policy is "beta"; a range of months is one run either way
        warnings.simplefilter("ignore", dg.BetaWarning)

        @dg.asset(
            name=name,
            group_name="exports",
            deps=[*MART_KEYS, gate],
            partitions_def=partitions_def,
            backfill_policy=dg.BackfillPolicy.single_run(),
            pool="warehouse",
            description=f"{what}综治考评排名通报：<home>/reports/<期间>/（再次发布时内容有变则出更正版）",
        )
        def _bulletin(context: dg.AssetExecutionContext, pingan: PinganHome) -> dg.MaterializeResult:
            return _publish(context, pingan)

    return _bulletin


def bulletin_assets(
    partitions: PeriodPartitions, gates: dict[str, tuple[dg.AssetsDefinition, object]]
) -> dict[str, dg.AssetsDefinition]:
    """{"monthly": monthly_bulletin, "quarterly": …, "annual": …}."""
    return {
        "monthly": bulletin_asset("monthly_bulletin", partitions.monthly, "月度", gates["monthly"][0]),
        "quarterly": bulletin_asset(
            "quarterly_bulletin", partitions.quarterly, "季度", gates["quarterly"][0]
        ),
        "annual": bulletin_asset("annual_bulletin", partitions.annual, "年度", gates["annual"][0]),
    }


def reminder_asset(partitions: PeriodPartitions) -> dg.AssetsDefinition:
    """The deadline-day reminder, one partition per month."""

    @dg.asset(
        name="submission_reminder",
        group_name="exports",
        deps=[dg.AssetKey(["marts", "fct_submission_status"])],
        partitions_def=partitions.monthly,
        pool="warehouse",
        description="截止日提醒：<home>/reminders/<月份>_未报单位.txt，列出未报送和被退回的单位",
    )
    def submission_reminder(context: dg.AssetExecutionContext, pingan: PinganHome) -> dg.MaterializeResult:
        with retry_when_busy(), reader_lock(pingan.settings):
            path, status = write_reminder(pingan.home, context.partition_key)
        outstanding = status.outstanding
        context.log.info(f"reminder {context.partition_key}: {len(outstanding)} units outstanding → {path}")
        return dg.MaterializeResult(
            metadata={
                "path": str(path),
                "source": status.source,
                "outstanding": dg.MetadataValue.json([f"{u.unit_name}（{u.status}）" for u in outstanding]),
            }
        )

    return submission_reminder
