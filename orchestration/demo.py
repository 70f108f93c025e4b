"""``pingan demo``: the built-in demo prefecture through the whole job, as Dagster runs it."""

from __future__ import annotations

from collections.abc import Callable

import dagster as dg
import duckdb

from exports.sample import write_demo_files
from orchestration.defs.build import build_definitions
from orchestration.settings import Home

QUIET_LOGS = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


def run_demo(home: Home, progress: Callable[[str], None] = print) -> dict:
    """Drop the demo workbooks in the inbox, materialise every asset in-process, summarise."""
    home.ensure().export_environment()
    progress(f"① 生成演示工作簿到收件箱 {home.inbox} …")
    files = write_demo_files(home.inbox)
    progress(f"   {len(files)} 个工作簿")
    progress("② 加载流程定义（Dagster + dbt）…")
    definitions = build_definitions(home)
    job = definitions.resolve_implicit_global_asset_job_def()
    progress("③ 接收、检查、入库 → dbt build → 生成通报 …")
    with dg.DagsterInstance.get() as instance:
        result = job.execute_in_process(instance=instance, run_config=QUIET_LOGS, raise_on_error=True)
    intake = _metadata(result, "raw_tables", ["raw", "submissions"])
    bulletins = _metadata(result, "bulletins", ["bulletins"]).get("bulletins", {})
    return {
        "home": str(home.root),
        "files": int(intake.get("files", 0)),
        "accepted": int(intake.get("accepted", 0)) + int(intake.get("accepted_with_warnings", 0)),
        "accepted_with_warnings": int(intake.get("accepted_with_warnings", 0)),
        "rejected": int(intake.get("rejected", 0)),
        "duplicate": int(intake.get("duplicate", 0)),
        "bulletins": bulletins,
        "warehouse": str(home.warehouse),
        "feedback": sorted(str(p) for p in home.quarantine.rglob("*.原因.json")),
        "run_id": result.run_id,
        "submissions_in_warehouse": _submission_counts(home),
    }


def _metadata(result: dg.ExecuteInProcessResult, node: str, key: list[str]) -> dict:
    for event in result.asset_materializations_for_node(node):
        if event.asset_key == dg.AssetKey(key):
            return {name: value.value for name, value in event.metadata.items()}
    return {}


def _submission_counts(home: Home) -> dict[str, int]:
    with duckdb.connect(str(home.warehouse), read_only=True) as connection:
        rows = connection.execute("select status, count(*) from raw.submissions group by status").fetchall()
    return dict(sorted(rows))
