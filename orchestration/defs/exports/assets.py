"""The bulletins (排名通报) and the deadline-day reminder, one partition per period.

Thin wrappers over orchestration/publish.py (exports.bulletin) and orchestration/status.py. They read
the marts, so they wait for the warehouse in the same run and refuse stale marts (publish.py).
"""

import warnings

import dagster as dg

from orchestration.defs.exports.gates import annual_submissions, monthly_submissions, quarterly_submissions
from orchestration.defs.partitions import annual_partitions, monthly_partitions, quarterly_partitions
from orchestration.defs.resources import PinganHome
from orchestration.publish import MartsNotCurrent, publish_bulletins
from orchestration.status import write_reminder
from orchestration.warehouse import is_lock_error

# The marts a bulletin reads (a test checks each is a dbt model, so a rename cannot cut the lineage).
BULLETIN_MARTS = (
    "dim_units",
    "dim_indicators",
    "fct_unit_scores",
    "fct_target_attainment",
    "fct_indicator_rankings",
    "fct_indicator_values",
    "fct_prefecture_values",
    "fct_submission_status",
    "fct_period_submission_rates",
    "fct_validation_findings",
)
MART_KEYS = [dg.AssetKey(["marts", name]) for name in BULLETIN_MARTS]
LOCK_RETRY = {"max_retries": 3, "seconds_to_wait": 20}


def _publish(context: dg.AssetExecutionContext, pingan: PinganHome) -> dg.MaterializeResult:
    periods = list(context.partition_keys)
    try:
        written = publish_bulletins(pingan.home, periods)
    except MartsNotCurrent as error:
        raise dg.Failure(description=str(error)) from error
    except Exception as error:
        if is_lock_error(error):
            raise dg.RetryRequested(**LOCK_RETRY) from error
        raise
    for item in written:
        what = (
            "unchanged" if item.reused else f"correction {item.correction}" if item.correction else "original"
        )
        context.log.info(f"bulletin {item.period} ({what}): {item.path}")
    return dg.MaterializeResult(
        metadata={
            "bulletins": dg.MetadataValue.json({b.period: str(b.path) for b in written}),
            "corrections": sum(1 for b in written if b.correction and not b.reused),
            "units_ranked": dg.MetadataValue.json({b.period: b.units_ranked for b in written}),
        }
    )


def bulletin_asset(
    name: str, partitions_def: dg.PartitionsDefinition, what: str, gate: dg.AssetsDefinition
) -> dg.AssetsDefinition:
    """The bulletin of one kind of period; it waits for the marts and for its period's gate (gates.py)."""
    with warnings.catch_warnings():  # backfill_policy is "beta"; a range of months is one run either way
        warnings.simplefilter("ignore", dg.BetaWarning)
        return _bulletin_asset(name, partitions_def, what, gate)


def _bulletin_asset(
    name: str, partitions_def: dg.PartitionsDefinition, what: str, gate: dg.AssetsDefinition
) -> dg.AssetsDefinition:
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


monthly_bulletin = bulletin_asset("monthly_bulletin", monthly_partitions, "月度", monthly_submissions)
quarterly_bulletin = bulletin_asset("quarterly_bulletin", quarterly_partitions, "季度", quarterly_submissions)
annual_bulletin = bulletin_asset("annual_bulletin", annual_partitions, "年度", annual_submissions)


@dg.asset(
    group_name="exports",
    deps=[dg.AssetKey(["raw", "submissions"]), dg.AssetKey(["marts", "fct_submission_status"])],
    partitions_def=monthly_partitions,
    pool="warehouse",
    description="截止日提醒：<home>/reminders/<月份>_未报单位.txt，列出未报送和被退回的单位",
)
def submission_reminder(context: dg.AssetExecutionContext, pingan: PinganHome) -> dg.MaterializeResult:
    try:
        path, status = write_reminder(pingan.home, context.partition_key)
    except Exception as error:
        if is_lock_error(error):
            raise dg.RetryRequested(**LOCK_RETRY) from error
        raise
    outstanding = status.outstanding
    context.log.info(f"reminder {context.partition_key}: {len(outstanding)} units outstanding → {path}")
    return dg.MaterializeResult(
        metadata={
            "path": str(path),
            "source": status.source,
            "outstanding": dg.MetadataValue.json([f"{u.unit_name}（{u.status}）" for u in outstanding]),
        }
    )
