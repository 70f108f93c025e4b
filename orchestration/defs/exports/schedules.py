"""The office's calendar (Asia/Shanghai; the deadline day from scoring_settings.csv):

- 09:00 on the deadline day: the reminder of who has not reported for the previous month (or was sent
  back), written to <home>/reminders/<month>_未报单位.txt;
- 08:00 the morning after the deadline: the previous month's bulletin;
- the same morning in January, April, July and October: the previous quarter's bulletin;
- the same morning in January: the previous year's bulletin.

Each tick names its period explicitly (run_key = job and period), so a tick evaluated late, or twice,
still publishes the right period once.
"""

import datetime as dt

import dagster as dg

from orchestration import periods
from orchestration.defs.jobs import (
    annual_bulletin_job,
    monthly_bulletin_job,
    quarterly_bulletin_job,
    reminder_job,
)

ZONE = periods.office_zone().key
DAY = periods.deadline_day()


def previous_month(moment: dt.datetime) -> str:
    return periods.month_before(moment.year, moment.month)


def _request(job, period: str) -> dg.RunRequest:
    return dg.RunRequest(run_key=f"{job.name}:{period}", partition_key=period, tags={"pingan/period": period})


def _local(context: dg.ScheduleEvaluationContext) -> dt.datetime:
    return context.scheduled_execution_time.astimezone(periods.office_zone())


@dg.schedule(
    name="deadline_reminder",
    job=reminder_job,
    cron_schedule=f"0 {periods.REMIND_HOUR} {DAY} * *",
    execution_timezone=ZONE,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="截止日 09:00：列出上月未报送和被退回的单位",
)
def deadline_reminder(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    return _request(reminder_job, previous_month(_local(context)))


@dg.schedule(
    name="monthly_bulletin_schedule",
    job=monthly_bulletin_job,
    cron_schedule=f"0 {periods.PUBLISH_HOUR} {DAY + 1} * *",
    execution_timezone=ZONE,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="截止日次日 08:00：发布上月排名通报",
)
def monthly_bulletin_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    return _request(monthly_bulletin_job, previous_month(_local(context)))


@dg.schedule(
    name="quarterly_bulletin_schedule",
    job=quarterly_bulletin_job,
    cron_schedule=f"0 {periods.PUBLISH_HOUR} {DAY + 1} 1,4,7,10 *",
    execution_timezone=ZONE,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="每季度首月截止日次日 08:00：发布上季度排名通报",
)
def quarterly_bulletin_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    return _request(quarterly_bulletin_job, periods.quarter_of(previous_month(_local(context))))


@dg.schedule(
    name="annual_bulletin_schedule",
    job=annual_bulletin_job,
    cron_schedule=f"0 {periods.PUBLISH_HOUR} {DAY + 1} 1 *",
    execution_timezone=ZONE,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="每年 1 月截止日次日 08:00：发布上年度排名通报",
)
def annual_bulletin_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    return _request(annual_bulletin_job, str(_local(context).year - 1))


SCHEDULES = [
    deadline_reminder,
    monthly_bulletin_schedule,
    quarterly_bulletin_schedule,
    annual_bulletin_schedule,
]
