"""Intake as assets: files from the inbox taken into the raw tables the dbt sources read.

A thin wrapper over ``orchestration.intake.take_in`` (archive by sha256, read in the sandbox, validate,
version, store, quarantine, record; then the feedback workbooks). ``raw/findings`` (the validation
results) is shown in the quality group.
"""

import time
from collections import Counter
from pathlib import Path

import dagster as dg

from orchestration.defs.resources import PinganHome
from orchestration.defs.retry import retry_when_busy
from orchestration.intake import take_in
from orchestration.warehouse import writer_lock

RAW_TABLES = ("submissions", "indicator_values", "township_values", "findings", "targets")


class IntakeConfig(dg.Config):
    files: list[str] = []  # the files to take (the inbox sensor names them); empty: the whole inbox
    settle_seconds: float | None = None  # whole-inbox mode skips files changed more recently than this


def files_to_take(inbox: Path, config: IntakeConfig, now: float, settle_seconds: float) -> list[Path]:
    """The sensor's list (those still there), or every inbox file that has not changed for a while."""
    if config.files:
        return [Path(name) for name in config.files if Path(name).is_file()]
    settle = settle_seconds if config.settle_seconds is None else config.settle_seconds
    return [
        path
        for path in sorted(p for p in inbox.rglob("*") if p.is_file())
        if now - path.stat().st_mtime >= settle
    ]


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["raw", table],
            group_name="quality" if table == "findings" else "intake",
            description=f"raw.{table}：各县报表入库后的原始数据（由 ingest 写入）",
        )
        for table in RAW_TABLES
    ],
    pool="warehouse",
)
def raw_tables(context: dg.AssetExecutionContext, config: IntakeConfig, pingan: PinganHome):
    """Ingest the inbox's files: archive by sha256, read, validate, version, store in raw.*."""
    settings = pingan.settings
    home = settings.home
    paths = files_to_take(home.inbox, config, time.time(), settings.settle_seconds)
    with retry_when_busy(), writer_lock(settings):
        results = take_in(paths, settings, consume_from=home.inbox)
    counts = Counter(r.status for r in results)
    context.log.info(f"ingested {len(results)} files: {dict(counts)}")
    rejected = [r for r in results if r.status == "rejected"]
    metadata = {
        "files": len(results),
        **{status: n for status, n in sorted(counts.items())},
        "periods": dg.MetadataValue.json(sorted({r.period for r in results if r.period})),
        "rejected_files": dg.MetadataValue.md(
            "\n".join(f"- {r.file}: {r.errors[0]['message'] if r.errors else ''}" for r in rejected) or "无"
        ),
    }
    for table in RAW_TABLES:
        yield dg.MaterializeResult(
            asset_key=["raw", table], metadata=metadata if table == "submissions" else {}
        )
