"""The run-failure sensor: every failed run becomes one plain line in <home>/alerts.log."""

import dagster as dg

from base.calendar import now
from orchestration.alerts import FailedStep, alert_line, append_alert
from orchestration.defs.jobs import JOB_TITLES
from orchestration.defs.resources import PinganHome


def failed_steps(context: dg.RunFailureSensorContext) -> list[FailedStep]:
    steps = []
    for event in context.get_step_failure_events():
        data = event.step_failure_data
        user = data.user_failure_data
        message = (user.description if user and user.description else None) or (
            data.error.message if data.error else ""
        )
        steps.append(FailedStep(event.step_key or "", message.strip()))
    return steps


@dg.run_failure_sensor(
    name="failure_alerts",
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="运行失败时在 <home>/alerts.log 写一行中文说明",
)
def failure_alerts(context: dg.RunFailureSensorContext, pingan: PinganHome) -> None:
    run = context.dagster_run
    period = run.tags.get("dagster/partition") or run.tags.get("pingan/periods") or None
    if not period and run.tags.get("dagster/asset_partition_range_start"):
        period = f"{run.tags['dagster/asset_partition_range_start']}–{run.tags['dagster/asset_partition_range_end']}"
    line = alert_line(
        JOB_TITLES.get(run.job_name, run.job_name), period, run.run_id, failed_steps(context), now()
    )
    append_alert(pingan.home, line)
    context.log.info(line)
