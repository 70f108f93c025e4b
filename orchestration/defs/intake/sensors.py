"""The inbox sensor: settled, new, attributable files start the intake → warehouse (→ bulletins) run.

The rules live in orchestration/inbox.py. Each tick: files still changing wait; content already taken
never starts a run; files that cannot be attributed are skipped with the reason in the sensor log; the
rest go to one run whose run_key is the set of their sha256s. When a new report belongs to a month whose
bulletin is already out (a late file or a resubmission), or a new targets workbook to a year with months
already out (published without scores until it came), the run also republishes those months' bulletins
(``monthly_bulletin_job`` over those months); otherwise it only ingests and rebuilds the warehouse
(``refresh_job``), and the bulletin waits for its schedule. The sensor is built with the jobs it starts
(``inbox_sensor``), when the definitions are loaded.
"""

import time

import dagster as dg

from base import calendar
from orchestration.defs.resources import PinganHome
from orchestration.inbox import InboxScan, archived_hashes, scan_inbox, unit_name

INTERVAL_SECONDS = 30
REFRESH_JOB = "refresh_job"
MONTHLY_BULLETIN_JOB = "monthly_bulletin_job"


def run_request_for(scan: InboxScan, moment) -> dg.RunRequest:
    run_config = {
        "ops": {"raw_tables": {"config": {"files": scan.files_to_ingest(), "first_seen": scan.first_seen()}}}
    }
    due = scan.due_periods(moment)
    tags = {"pingan/files": str(len(scan.ready)), "pingan/periods": ",".join(due)}
    if not due:
        return dg.RunRequest(run_key=scan.run_key, job_name=REFRESH_JOB, run_config=run_config, tags=tags)
    if len(due) == 1:
        return dg.RunRequest(
            run_key=scan.run_key,
            job_name=MONTHLY_BULLETIN_JOB,
            run_config=run_config,
            partition_key=due[0],
            tags=tags,
        )
    tags |= {"dagster/asset_partition_range_start": due[0], "dagster/asset_partition_range_end": due[-1]}
    return dg.RunRequest(
        run_key=scan.run_key, job_name=MONTHLY_BULLETIN_JOB, run_config=run_config, tags=tags
    )


def skip_reason(scan: InboxScan) -> str:
    parts = []
    if scan.waiting:
        parts.append(f"{len(scan.waiting)} 个文件仍在写入或刚刚放入，等它们稳定后再处理")
    if scan.duplicates:
        parts.append(f"{len(scan.duplicates)} 个文件的内容已接收过，不再处理")
    if scan.skipped:
        names = "；".join(f"{path.name}：{reason}" for path, reason in scan.skipped)
        parts.append(f"{len(scan.skipped)} 个文件无法确定报送单位，未处理（{names}）")
    return "。".join(parts) or "收件箱里没有新文件"


def evaluate_inbox(context: dg.SensorEvaluationContext, pingan: PinganHome) -> dg.SensorResult:
    """One tick of the inbox sensor (the decorated sensor of ``inbox_sensor`` calls this)."""
    settings = pingan.settings
    home = settings.home
    scan = scan_inbox(
        home.inbox,
        context.cursor,
        now=time.time(),
        settle_seconds=settings.settle_seconds,
        archived=archived_hashes(home.archive),
        limits=settings.limits,
    )
    for path, reason in scan.skipped:
        context.log.warning(f"未处理 {path.relative_to(home.inbox)}：{reason}")
    if not scan.ready:
        return dg.SensorResult(skip_reason=skip_reason(scan), cursor=scan.cursor_text)
    for item in scan.ready:
        context.log.info(
            f"接收 {item.path.relative_to(home.inbox)}（{unit_name(item.unit_code)} {item.period or ''}）"
        )
    request = run_request_for(scan, calendar.now())
    return dg.SensorResult(run_requests=[request], cursor=scan.cursor_text)


def inbox_sensor(refresh_job, monthly_bulletin_job) -> dg.SensorDefinition:
    """The inbox sensor, starting ``refresh_job`` or ``monthly_bulletin_job``."""

    @dg.sensor(
        name="inbox_sensor",
        jobs=[refresh_job, monthly_bulletin_job],
        minimum_interval_seconds=INTERVAL_SECONDS,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="收件箱监视：新报表稳定后自动接收、入库、更新数据仓库（迟报或重报已发布月份时重发该月通报）",
    )
    def _inbox_sensor(context: dg.SensorEvaluationContext, pingan: PinganHome):
        return evaluate_inbox(context, pingan)

    return _inbox_sensor
