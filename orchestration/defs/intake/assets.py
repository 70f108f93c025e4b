"""Intake as assets: the inbox's files ingested into the raw tables the dbt sources read."""

from __future__ import annotations

from collections import Counter

import dagster as dg

from ingest.intake import ingest_files
from orchestration.defs.resources import PinganHome

RAW_TABLES = ("submissions", "indicator_values", "township_values", "findings", "targets")


@dg.multi_asset(
    specs=[
        dg.AssetSpec(["raw", table], group_name="intake", description=f"raw.{table} in the warehouse")
        for table in RAW_TABLES
    ],
    pool="warehouse",
)
def raw_tables(context: dg.AssetExecutionContext, pingan: PinganHome):
    """Ingest every file in the inbox: archive by sha256, read, validate, version, store in raw.*."""
    home = pingan.home
    results = ingest_files([home.inbox], home.root, consume_from=home.inbox)
    counts = Counter(r.status for r in results)
    context.log.info(f"ingested {len(results)} files: {dict(counts)}")
    metadata = {"files": len(results), **{status: n for status, n in sorted(counts.items())}}
    for table in RAW_TABLES:
        yield dg.MaterializeResult(
            asset_key=["raw", table], metadata=metadata if table == "submissions" else {}
        )
