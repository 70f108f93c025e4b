"""Assemble the definitions for one pingan home (PINGAN_HOME, or the default home)."""

from __future__ import annotations

import dagster as dg

from orchestration.defs.exports.assets import bulletins
from orchestration.defs.intake.assets import raw_tables
from orchestration.defs.intake.checks import no_outstanding_rejections
from orchestration.defs.resources import PinganHome
from orchestration.defs.warehouse.dbt import build_dbt_assets, dbt_project_for, dbt_resource
from orchestration.settings import Home


def build_definitions(home: Home | None = None) -> dg.Definitions:
    home = (home or Home.from_env()).ensure()
    project = dbt_project_for(home)
    return dg.Definitions(
        assets=[raw_tables, build_dbt_assets(project), bulletins],
        asset_checks=[no_outstanding_rejections],
        resources={"pingan": PinganHome(root=str(home.root)), "dbt": dbt_resource(project)},
    )
