"""``<home>/alerts.log``: one plain line in Chinese per failed run, for staff who do not open Dagster."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

from base.settings import Home

STEP_TITLES = {
    "raw_tables": "接收入库",
    "warehouse_models": "数据仓库更新（dbt build）",
    "monthly_bulletin": "生成月度通报",
    "quarterly_bulletin": "生成季度通报",
    "annual_bulletin": "生成年度通报",
    "submission_reminder": "生成截止日提醒",
}


@dataclass(frozen=True)
class FailedStep:
    step_key: str
    message: str


# The period gate's blocking check (defs/exports/gates.py). Its step fails with Dagster's own English
# message; what the office needs instead is GATE_REASON.
GATE_CHECK = "no_rejected_files"
GATE_REASON = (
    "本期有报表被退回且尚未重新报送，本期通报暂不发布；用 pingan status --period 月份 查看被退回的单位和原因，"
    "更正报表收到后会自动重新发布"
)


# The gate's other blocking check, when the office asks scheduled bulletins to wait for acceptance.
ACCEPTANCE_CHECK = "units_accepted"
ACCEPTANCE_REASON = (
    "本期尚有单位的月报未经综治办受理，按设置（PINGAN_BULLETIN_WAITS_FOR_ACCEPTANCE）本期通报暂不发布；"
    "在报送门户的各单位报送总表中查看待受理的单位，全部受理后在门户中发布，或运行 pingan report"
)


def step_title(step_key: str) -> str:
    if step_key in STEP_TITLES:
        return STEP_TITLES[step_key]
    if GATE_CHECK in step_key:
        return "本期报表退回检查"
    if ACCEPTANCE_CHECK in step_key:
        return "本期报表受理检查"
    return step_key


def step_reason(step_key: str, message: str) -> str:
    if GATE_CHECK in step_key:
        return GATE_REASON
    return ACCEPTANCE_REASON if ACCEPTANCE_CHECK in step_key else message


def alert_line(
    job_title: str, period: str | None, run_id: str, steps: list[FailedStep], when: dt.datetime
) -> str:
    what = f"{job_title}（{period}）" if period else job_title
    if steps:
        first = steps[0]
        reason = " ".join(step_reason(first.step_key, first.message).split())[:300].rstrip("。.")
        where = f"在“{step_title(first.step_key)}”这一步出错：{reason}"
    else:
        where = "运行中断（进程退出或被终止）"
    return (
        f"{when:%Y-%m-%d %H:%M} {what}运行失败，{where}。"
        f"运行编号 {run_id[:8]}，详情请用 pingan ui 打开 Dagster 界面查看；问题解决后重新运行即可。"
    )


def append_alert(home: Home, line: str) -> None:
    home.root.mkdir(parents=True, exist_ok=True)
    with open(home.alerts_log, "a", encoding="utf-8") as log:
        log.write(line.rstrip("\n") + "\n")
        log.flush()
        os.fsync(log.fileno())
