"""``pingan demo``: the built-in demo prefecture through the whole job, as Dagster runs it.

The demo workbooks go into the inbox; then, in this process and on the home's own Dagster instance
(so the runs show in ``pingan ui``), the monthly bulletin job for the demo's last month (intake →
dbt build with its tests → bulletin), and the bulletins of its quarter and year.
"""

from __future__ import annotations

from collections.abc import Callable

import dagster as dg
import duckdb

from base.calendar import quarter_of
from base.settings import Home, Settings
from orchestration.defs.build import build_definitions
from orchestration.runs import execute_job
from sampledata.demo import REPORT_YEARS, state_demo_arrivals, write_demo_files

DEMO_MONTH = f"{REPORT_YEARS[-1]}-12"
# The county portal's demo accounts (name, role, unit), created by ``pingan demo`` with fresh passwords.
DEMO_ACCOUNTS = (
    ("大方县填报员", "填报员", "大方县"),
    ("赫章县填报员", "填报员", "赫章县"),
    ("大方县审核人", "审核人", "大方县"),
    ("综治办", "综治办", None),
    ("领导", "领导", None),
)
TAKE_EVERYTHING = {"ops": {"raw_tables": {"config": {"settle_seconds": 0}}}}


class DemoFailed(RuntimeError):
    pass


def run_demo(settings: Settings, progress: Callable[[str], None] = print) -> dict:
    """Drop the demo workbooks in the inbox, run the jobs in-process, summarise (the home is prepared:
    ``orchestration.prepare.prepare_home``)."""
    home = settings.home
    progress(f"① 生成演示工作簿到收件箱 {home.inbox} …")
    files = write_demo_files(home.inbox)
    state_demo_arrivals(home.archive, files)  # the office states when each arrived (see the function)
    progress(f"   {len(files)} 个工作簿（到达时间按演示设定登记）")
    progress("② 加载流程定义（Dagster + dbt）…")
    definitions = build_definitions(settings)
    bulletins: dict[str, str] = {}
    with dg.DagsterInstance.from_config(str(home.dagster_home)) as instance:
        progress(f"③ 接收、检查、入库 → dbt build → {DEMO_MONTH} 月度通报 …")
        monthly = execute_job(
            definitions,
            "monthly_bulletin_job",
            instance,
            partition_key=DEMO_MONTH,
            run_config=TAKE_EVERYTHING,
        )
        _require(monthly)
        intake = _metadata(monthly, dg.AssetKey(["raw", "submissions"]))
        bulletins |= _metadata(monthly, dg.AssetKey("monthly_bulletin")).get("bulletins", {})
        for job, asset, period in (
            ("quarterly_bulletin_job", "quarterly_bulletin", quarter_of(DEMO_MONTH)),
            ("annual_bulletin_job", "annual_bulletin", DEMO_MONTH[:4]),
        ):
            progress(f"④ {period} 通报 …")
            result = execute_job(
                definitions, job, instance, partition_key=period, asset_selection=[dg.AssetKey(asset)]
            )
            _require(result)
            bulletins |= _metadata(result, dg.AssetKey(asset)).get("bulletins", {})
    return {
        "home": str(home.root),
        "files": int(intake.get("files", 0)),
        "accepted": int(intake.get("accepted", 0)) + int(intake.get("accepted_with_warnings", 0)),
        "accepted_with_warnings": int(intake.get("accepted_with_warnings", 0)),
        "rejected": int(intake.get("rejected", 0)),
        "duplicate": int(intake.get("duplicate", 0)),
        "bulletins": bulletins,
        "warehouse": str(home.warehouse),
        "quality_docs": str(home.quality_index),
        "feedback": sorted(str(p) for p in home.feedback.rglob("*数据质量反馈表.xlsx")),
        "run_id": monthly.run_id,
        "submissions_in_warehouse": _submission_counts(home),
    }


def _require(result: dg.ExecuteInProcessResult) -> None:
    if result.success:
        return
    failures = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    detail = "; ".join(f"{e.step_key}: {e.message}" for e in failures) or "run failed"
    raise DemoFailed(f"演示运行失败（运行 {result.run_id[:8]}）：{detail}")


def _metadata(result: dg.ExecuteInProcessResult, key: dg.AssetKey) -> dict:
    for event in result.get_asset_materialization_events():
        if event.asset_key == key:
            return {name: value.value for name, value in event.materialization.metadata.items()}
    return {}


def _submission_counts(home: Home) -> dict[str, int]:
    with duckdb.connect(str(home.warehouse), read_only=True) as connection:
        rows = connection.execute("select status, count(*) from raw.submissions group by status").fetchall()
    return dict(sorted(rows))
