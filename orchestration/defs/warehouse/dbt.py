"""The dbt project as Dagster assets: ``dbt build`` (seeds, models, tests as asset checks)."""

from __future__ import annotations

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from orchestration.settings import DBT_PROJECT_DIR, Home


class PinganDbtTranslator(DagsterDbtTranslator):
    """Sources keep their ``raw/<table>`` keys (made by intake); models and seeds go in group 'warehouse'."""

    def get_group_name(self, dbt_resource_props) -> str | None:
        return "warehouse"


def dbt_project_for(home: Home) -> DbtProject:
    """The project with its target folder under the home; parsed once if no manifest is there yet."""
    home.ensure().export_environment()
    project = DbtProject(
        project_dir=DBT_PROJECT_DIR, target_path=home.dbt_target, profiles_dir=DBT_PROJECT_DIR
    )
    if not project.manifest_path.exists():
        project.preparer.prepare(project)
    return project


def build_dbt_assets(project: DbtProject) -> dg.AssetsDefinition:
    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        dagster_dbt_translator=PinganDbtTranslator(),
        pool="warehouse",
    )
    def warehouse_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
        """Staging → intermediate → marts on the home's DuckDB file, with every dbt test."""
        yield from dbt.cli(["build"], context=context).stream()

    return warehouse_models


def dbt_resource(project: DbtProject) -> DbtCliResource:
    return DbtCliResource(project_dir=project, profiles_dir=str(DBT_PROJECT_DIR))
