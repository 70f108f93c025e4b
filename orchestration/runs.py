"""Running the Dagster jobs from the command line, in-process, against the home's own instance.

Runs started here are tagged with this process's id. A run whose process died (killed, power cut) stays
"started" in Dagster's storage and would hold its slot in the "warehouse" pool for ever, blocking
every later run; ``release_abandoned_runs`` marks such runs failed and frees their slots. It is called
before every run started from the command line.
"""

from __future__ import annotations

import os
import socket

import dagster as dg
from dagster._core.storage.dagster_run import DagsterRunStatus

from base.children import alive

PID_TAG = "pingan/pid"
HOST_TAG = "pingan/host"
QUIET_LOGS = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
UNFINISHED = [DagsterRunStatus.STARTED, DagsterRunStatus.STARTING, DagsterRunStatus.CANCELING]


def release_abandoned_runs(instance: dg.DagsterInstance) -> list[str]:
    """Fail and unblock the unfinished runs started on this machine by a process that no longer exists."""
    released = []
    for run in instance.get_runs(filters=dg.RunsFilter(statuses=UNFINISHED)):
        pid, host = run.tags.get(PID_TAG), run.tags.get(HOST_TAG)
        if not pid or host != socket.gethostname() or alive(int(pid)):
            continue
        instance.report_run_failed(run, "运行进程已不存在（被终止或机器重启），此运行标记为失败")
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        released.append(run.run_id)
    return released


def execute_job(
    definitions: dg.Definitions,
    job_name: str,
    instance: dg.DagsterInstance,
    *,
    partition_key: str | None = None,
    asset_selection: list[dg.AssetKey] | None = None,
    run_config: dict | None = None,
    tags: dict[str, str] | None = None,
) -> dg.ExecuteInProcessResult:
    """Run a job of ``definitions`` in this process (the pool and the writer lock still apply)."""
    release_abandoned_runs(instance)
    job = definitions.resolve_job_def(job_name)
    return job.execute_in_process(
        run_config={**QUIET_LOGS, **(run_config or {})},
        instance=instance,
        partition_key=partition_key,
        asset_selection=asset_selection,
        tags={PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname(), **(tags or {})},
        raise_on_error=False,
    )
