"""Intake as assets: files from the inbox taken into the raw tables the dbt sources read.

A thin wrapper over ``orchestration.intake.take_in`` (archive by sha256, read in the sandbox, validate,
version, store, quarantine, record; then the feedback workbooks). ``raw/findings`` (the validation
results) is shown in the quality group.
"""

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
    settle_seconds: float | None = None  # files changed more recently than this are left (default: settings)
    first_seen: dict[str, float] = {}  # the sensor's first sighting of each named file (epoch seconds)


def files_to_take(inbox: Path, config: IntakeConfig) -> list[Path]:
    """The sensor's list (those still there), or the whole inbox (intake then applies the settle rule)."""
    if config.files:
        return [Path(name) for name in config.files if Path(name).exists() or Path(name).is_symlink()]
    return [inbox]


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
    settle = settings.settle_seconds if config.settle_seconds is None else config.settle_seconds
    with retry_when_busy(), writer_lock(settings):
        results = take_in(
            files_to_take(home.inbox, config),
            settings,
            consume_from=home.inbox,
            settle_seconds=settle,
            first_seen=config.first_seen,
        )
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
