"""Assemble the definitions for one pingan home (PINGAN_HOME, or the default home)."""

import dagster as dg

from orchestration.defs.alerts.sensors import failure_alerts
from orchestration.defs.exports.assets import (
    annual_bulletin,
    monthly_bulletin,
    quarterly_bulletin,
    submission_reminder,
)
from orchestration.defs.exports.gates import (
    GATE_CHECKS,
    annual_submissions,
    monthly_submissions,
    quarterly_submissions,
)
from orchestration.defs.exports.schedules import SCHEDULES
from orchestration.defs.intake.assets import raw_tables
from orchestration.defs.intake.checks import no_outstanding_rejections, raw_tables_consistent
from orchestration.defs.intake.sensors import inbox_sensor
from orchestration.defs.jobs import JOBS
from orchestration.defs.resources import PinganHome
from orchestration.defs.warehouse.dbt import build_dbt_assets, dbt_project_for, dbt_resource
from orchestration.settings import Home


def build_definitions(home: Home | None = None) -> dg.Definitions:
    home = (home or Home.from_env()).ensure()
    project = dbt_project_for(home)
    return dg.Definitions(
        assets=[
            raw_tables,
            build_dbt_assets(project),
            monthly_submissions,
            quarterly_submissions,
            annual_submissions,
            monthly_bulletin,
            quarterly_bulletin,
            annual_bulletin,
            submission_reminder,
        ],
        asset_checks=[raw_tables_consistent, no_outstanding_rejections, *GATE_CHECKS],
        jobs=JOBS,
        schedules=SCHEDULES,
        sensors=[inbox_sensor, failure_alerts],
        resources={"pingan": PinganHome(root=str(home.root)), "dbt": dbt_resource(project)},
    )
