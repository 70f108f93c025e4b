"""Assemble the definitions for one pingan home, from its settings (nothing here runs on import)."""

import dagster as dg

from base.settings import Settings
from orchestration.defs.alerts.sensors import failure_alerts
from orchestration.defs.exports.assets import bulletin_assets, reminder_asset
from orchestration.defs.exports.gates import period_gates
from orchestration.defs.exports.schedules import build_schedules
from orchestration.defs.intake.assets import raw_tables
from orchestration.defs.intake.sensors import inbox_sensor
from orchestration.defs.jobs import build_jobs
from orchestration.defs.partitions import period_partitions
from orchestration.defs.resources import PinganHome
from orchestration.defs.warehouse.dbt import build_dbt_assets, dbt_resource, loaded_dbt_project


def build_definitions(settings: Settings) -> dg.Definitions:
    """Every asset, check, job, schedule and sensor of the home of ``settings`` (prepared beforehand:
    ``orchestration.prepare.prepare_home``)."""
    project = loaded_dbt_project(settings)
    partitions = period_partitions()
    gates = period_gates(partitions)
    bulletins = bulletin_assets(partitions, gates)
    reminder = reminder_asset(partitions)
    jobs = build_jobs(partitions, gates, bulletins, reminder)
    return dg.Definitions(
        assets=[
            raw_tables,
            build_dbt_assets(project),
            *(gate for gate, *_ in gates.values()),
            *bulletins.values(),
            reminder,
        ],
        asset_checks=[check for _, *checks in gates.values() for check in checks],
        jobs=jobs.all(),
        schedules=build_schedules(jobs),
        sensors=[inbox_sensor(jobs.refresh, jobs.monthly_bulletin), failure_alerts],
        resources={"pingan": PinganHome(root=str(settings.home.root)), "dbt": dbt_resource(project)},
    )
