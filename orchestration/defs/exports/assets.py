"""The bulletins as an asset: written after the marts are built."""

from __future__ import annotations

import dagster as dg

from orchestration.defs.resources import PinganHome
from orchestration.publish import publish_bulletins

MART_DEPENDENCIES = (
    "fct_unit_scores",
    "fct_target_attainment",
    "fct_indicator_rankings",
    "fct_submission_status",
)


class BulletinConfig(dg.Config):
    periods: list[str] = []  # e.g. ['2022-12', '2022']; empty = the latest month (and its quarter/year)


@dg.asset(group_name="exports", deps=[dg.AssetKey([name]) for name in MART_DEPENDENCIES])
def bulletins(
    context: dg.AssetExecutionContext, config: BulletinConfig, pingan: PinganHome
) -> dg.MaterializeResult:
    """The ranking bulletin workbooks (排名通报) under <home>/reports/<period>/."""
    written = publish_bulletins(pingan.home, config.periods or None)
    for item in written:
        context.log.info(f"bulletin {item.period}: {item.path}")
    return dg.MaterializeResult(
        metadata={"bulletins": dg.MetadataValue.json({b.period: str(b.path) for b in written})}
    )
