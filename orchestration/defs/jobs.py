"""The jobs the sensor, the schedules and ``pingan demo`` run.

Every bulletin job starts with intake and the warehouse build, so a scheduled bulletin is always made
from everything in the inbox at that moment, and never from a failed build (the bulletin step is
skipped when the build fails in the same run). The reminder only reads.
"""

import dagster as dg

from orchestration.defs.exports.assets import (
    annual_bulletin,
    monthly_bulletin,
    quarterly_bulletin,
    submission_reminder,
)
from orchestration.defs.exports.gates import annual_submissions, monthly_submissions, quarterly_submissions
from orchestration.defs.partitions import annual_partitions, monthly_partitions, quarterly_partitions

INTAKE_AND_WAREHOUSE = dg.AssetSelection.groups("intake", "quality", "warehouse")

refresh_job = dg.define_asset_job(
    "refresh_job",
    selection=INTAKE_AND_WAREHOUSE,
    description="接收收件箱中的报表，检查、入库，更新数据仓库",
)
monthly_bulletin_job = dg.define_asset_job(
    "monthly_bulletin_job",
    selection=INTAKE_AND_WAREHOUSE | dg.AssetSelection.assets(monthly_submissions, monthly_bulletin),
    partitions_def=monthly_partitions,
    description="接收报表、更新数据仓库，发布月度排名通报",
)
quarterly_bulletin_job = dg.define_asset_job(
    "quarterly_bulletin_job",
    selection=INTAKE_AND_WAREHOUSE | dg.AssetSelection.assets(quarterly_submissions, quarterly_bulletin),
    partitions_def=quarterly_partitions,
    description="接收报表、更新数据仓库，发布季度排名通报",
)
annual_bulletin_job = dg.define_asset_job(
    "annual_bulletin_job",
    selection=INTAKE_AND_WAREHOUSE | dg.AssetSelection.assets(annual_submissions, annual_bulletin),
    partitions_def=annual_partitions,
    description="接收报表、更新数据仓库，发布年度排名通报",
)
reminder_job = dg.define_asset_job(
    "reminder_job",
    selection=dg.AssetSelection.assets(submission_reminder),
    partitions_def=monthly_partitions,
    description="截止日提醒：列出未报送和被退回的单位",
)

JOBS = [refresh_job, monthly_bulletin_job, quarterly_bulletin_job, annual_bulletin_job, reminder_job]

# Plain names for alerts (alerts.log is read by office staff).
JOB_TITLES = {
    "refresh_job": "接收报表并更新数据仓库",
    "monthly_bulletin_job": "月度通报",
    "quarterly_bulletin_job": "季度通报",
    "annual_bulletin_job": "年度通报",
    "reminder_job": "截止日提醒",
    "__ASSET_JOB": "手动运行",
}
