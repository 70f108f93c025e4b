"""The office's calendar (Asia/Shanghai; the deadline day from scoring_settings.csv):

- 09:00 on the deadline day: the reminder of who has not reported for the previous month (or was sent
  back), written to <home>/reminders/<month>_未报单位.txt;
- 08:00 the morning after the deadline: the previous month's bulletin;
- the same morning in January, April, July and October: the previous quarter's bulletin;
- the same morning in January: the previous year's bulletin.

Each tick names its period explicitly (run_key = job and period), so a tick evaluated late, or twice,
still publishes the right period once. The schedules are built when the definitions are loaded
(``build_schedules``): their hours come from the calendar's settings.
"""

import datetime as dt

import dagster as dg

from base import calendar
from orchestration.defs.jobs import Jobs


def _request(job, period: str) -> dg.RunRequest:
    return dg.RunRequest(run_key=f"{job.name}:{period}", partition_key=period, tags={"pingan/period": period})


def _local(context: dg.ScheduleEvaluationContext) -> dt.datetime:
    return context.scheduled_execution_time.astimezone(calendar.office_zone())


def _schedule(name: str, job, cron: str, description: str, period_of) -> dg.ScheduleDefinition:
    """A schedule that runs ``job`` for the period ``period_of(local tick time)``."""

    @dg.schedule(
        name=name,
        job=job,
        cron_schedule=cron,
        execution_timezone=calendar.office_zone().key,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description=description,
    )
    def _tick(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        return _request(job, period_of(_local(context)))

    return _tick


def build_schedules(jobs: Jobs) -> list[dg.ScheduleDefinition]:
    day, remind, publish = calendar.deadline_day(), calendar.REMIND_HOUR, calendar.PUBLISH_HOUR
    last_month = calendar.previous_month
    return [
        _schedule(
            "deadline_reminder",
            jobs.reminder,
            f"0 {remind} {day} * *",
            "截止日 09:00：列出上月未报送和被退回的单位",
            last_month,
        ),
        _schedule(
            "monthly_bulletin_schedule",
            jobs.monthly_bulletin,
            f"0 {publish} {day + 1} * *",
            "截止日次日 08:00：发布上月排名通报",
            last_month,
        ),
        _schedule(
            "quarterly_bulletin_schedule",
            jobs.quarterly_bulletin,
            f"0 {publish} {day + 1} 1,4,7,10 *",
            "每季度首月截止日次日 08:00：发布上季度排名通报",
            lambda moment: calendar.quarter_of(last_month(moment)),
        ),
        _schedule(
            "annual_bulletin_schedule",
            jobs.annual_bulletin,
            f"0 {publish} {day + 1} 1 *",
            "每年 1 月截止日次日 08:00：发布上年度排名通报",
            lambda moment: str(moment.year - 1),
        ),
    ]
