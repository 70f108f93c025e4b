"""The jobs the sensor, the schedules and ``pingan demo`` run.

Every job starts with intake and the warehouse build, so a scheduled bulletin (or the deadline-day
reminder) is always made from everything in the inbox at that moment, and never from a failed build
(the later steps are skipped when the build fails in the same run). The jobs are built with their
partitions when the definitions are loaded (``build_jobs``).
"""

from dataclasses import dataclass

import dagster as dg
from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition

from orchestration.defs.partitions import PeriodPartitions

INTAKE_AND_WAREHOUSE = dg.AssetSelection.groups("intake", "quality", "warehouse")

# Plain names for alerts (alerts.log is read by office staff).
JOB_TITLES = {
    "refresh_job": "接收报表并更新数据仓库",
    "monthly_bulletin_job": "月度通报",
    "quarterly_bulletin_job": "季度通报",
    "annual_bulletin_job": "年度通报",
    "reminder_job": "截止日提醒",
    "__ASSET_JOB": "手动运行",
}


@dataclass(frozen=True)
class Jobs:
    refresh: UnresolvedAssetJobDefinition
    monthly_bulletin: UnresolvedAssetJobDefinition
    quarterly_bulletin: UnresolvedAssetJobDefinition
    annual_bulletin: UnresolvedAssetJobDefinition
    reminder: UnresolvedAssetJobDefinition

    def all(self) -> list[UnresolvedAssetJobDefinition]:
        return [
            self.refresh,
            self.monthly_bulletin,
            self.quarterly_bulletin,
            self.annual_bulletin,
            self.reminder,
        ]


def build_jobs(
    partitions: PeriodPartitions, gates: dict[str, tuple], bulletins: dict[str, dg.AssetsDefinition], reminder
) -> Jobs:
    def bulletin_job(kind: str, what: str) -> UnresolvedAssetJobDefinition:
        return dg.define_asset_job(
            f"{kind}_bulletin_job",
            selection=INTAKE_AND_WAREHOUSE | dg.AssetSelection.assets(gates[kind][0], bulletins[kind]),
            partitions_def=getattr(partitions, kind),
            description=f"接收报表、更新数据仓库，发布{what}排名通报",
        )

    return Jobs(
        refresh=dg.define_asset_job(
            "refresh_job",
            selection=INTAKE_AND_WAREHOUSE,
            description="接收收件箱中的报表，检查、入库，更新数据仓库",
        ),
        monthly_bulletin=bulletin_job("monthly", "月度"),
        quarterly_bulletin=bulletin_job("quarterly", "季度"),
        annual_bulletin=bulletin_job("annual", "年度"),
        reminder=dg.define_asset_job(
            "reminder_job",
            selection=INTAKE_AND_WAREHOUSE | dg.AssetSelection.assets(reminder),
            partitions_def=partitions.monthly,
            description="截止日提醒：接收报表、更新数据仓库，列出未报送和被退回的单位",
        ),
    )
