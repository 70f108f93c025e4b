"""The dbt project as Dagster assets: one ``dbt build`` (seeds, models, tests as asset checks).

One unpartitioned step, on purpose (see defs/partitions.py): a change to some months' reports computes
only the periods those months reach (a partial build, orchestration/warehouse.py).
The step builds in a copy of the warehouse and swaps it in only when every model and every error-level
test passed (orchestration/warehouse.py), so a failed or killed build leaves the previous good marts.
When nothing the build reads changed since the live warehouse was built, dbt is not run: the step
reports every model as it stands, with the reason, and every test as it last came out
(``kept_outputs``, ``kept_check_results``). A partial build reports the reference data (dbt tag
``reference``, which it does not build again) the same way.
The raw tables' invariants are dbt tests too (dbt_project/tests/raw, shown as checks on stg_submissions):
raw tables that contradict themselves fail the build before any mart is made from them; a rejected file
not yet corrected is a warning, not a failure.
Asset keys are dagster-dbt's defaults, schema/name: ``marts/fct_unit_scores`` is the table
``marts.fct_unit_scores``; sources keep the ``raw/<table>`` keys intake materialises.

The assets are drawn from dbt's manifest, which ``prepare_dbt`` writes into the home (``dbt parse``)
when it is missing or older than the project: the command line does this before it loads the
definitions, and so does loading them under ``dagster dev``. Loading never parses otherwise.
"""

import importlib.metadata
import os
import shutil
from collections.abc import Iterator
from functools import cached_property
from graphlib import TopologicalSorter

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets
from dagster_dbt.asset_utils import DAGSTER_DBT_UNIQUE_ID_METADATA_KEY
from packaging import version

from base.settings import DBT_PROJECT_DIR, Home, Settings
from orchestration.build_inputs import REFERENCE_KEPT, UNCHANGED, RecordedBuild, partial_build_note
from orchestration.defs.resources import PinganHome
from orchestration.defs.retry import retry_when_busy
from orchestration.warehouse import (
    dbt_executable,
    dbt_variables,
    run_dbt,
    warehouse_build,
    writer_lock,
)

QUALITY_MODELS = {"fct_validation_findings", "stg_findings"}
REFERENCE_TAG = "reference"  # dbt_project.yml: what reads the reference seeds alone


class PinganDbtTranslator(DagsterDbtTranslator):
    """Validation results in group 'quality'; every other model and seed in group 'warehouse'."""

    def get_group_name(self, dbt_resource_props) -> str | None:
        return "quality" if dbt_resource_props.get("name") in QUALITY_MODELS else "warehouse"


class ManifestMissing(RuntimeError):
    """The home has no (current) dbt manifest; ``prepare_dbt`` writes it."""


def dbt_project_for(home: Home) -> DbtProject:
    """The dbt project with its target folder (and so its manifest) under the home."""
    return DbtProject(project_dir=DBT_PROJECT_DIR, target_path=home.dbt_target, profiles_dir=DBT_PROJECT_DIR)


def prepare_dbt(settings: Settings) -> DbtProject:
    """Parse the project into the home when its manifest is missing or stale (a code update)."""
    project = dbt_project_for(settings.home)
    if manifest_is_stale(project):
        # Parsed with the variables the builds use (they build in the staging copy), so builds parse
        # partially.
        parsed = run_dbt(settings, ["parse", "--quiet"], warehouse=settings.home.staging_warehouse)
        if parsed.returncode != 0:
            raise RuntimeError(f"dbt parse failed:\n{parsed.stdout}{parsed.stderr}")
    return project


def loaded_dbt_project(settings: Settings) -> DbtProject:
    """The project for loading the definitions: prepared under ``dagster dev``; elsewhere it must have
    been prepared already (by the command line)."""
    if os.environ.get("DAGSTER_IS_DEV_CLI"):
        return prepare_dbt(settings)
    project = dbt_project_for(settings.home)
    if manifest_is_stale(project):
        raise ManifestMissing(
            f"{project.manifest_path} 不存在或已过期：请用 pingan ui / pingan serve 启动（会先准备数据仓库定义）"
        )
    return project


def manifest_is_stale(project: DbtProject) -> bool:
    """No manifest yet, or a project file changed since it was written (a code update)."""
    if not project.manifest_path.exists():
        return True
    written = project.manifest_path.stat().st_mtime
    return any(path.stat().st_mtime > written for path in DBT_PROJECT_DIR.rglob("*") if path.is_file())


class BuildFailed(Exception):
    pass


def build_dbt_assets(project: DbtProject) -> dg.AssetsDefinition:
    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        dagster_dbt_translator=PinganDbtTranslator(),
        pool="warehouse",
    )
    def warehouse_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, pingan: PinganHome):
        """Staging → intermediate → marts with every dbt test, built in a copy and swapped in on success."""
        settings = pingan.settings
        home = settings.home
        _share_partial_parse(home)
        events = []
        try:
            with (
                retry_when_busy(),
                writer_lock(settings),
                warehouse_build(settings, home.dbt_build_target, whole=not context.is_subset) as staging,
            ):
                if isinstance(staging, RecordedBuild):
                    context.log.info(UNCHANGED)
                    events = [
                        *kept_outputs(context, UNCHANGED),
                        *kept_check_results(context, staging.tests, UNCHANGED),
                    ]
                else:
                    if staging.changed_months:  # the reference data is not built again: as it stands
                        context.log.info(partial_build_note(staging.changed_months))
                        events = list(kept_outputs(context, REFERENCE_KEPT, only_tagged=REFERENCE_TAG))
                    invocation = dbt.cli(
                        [*staging.arguments, "--vars", dbt_variables(settings, staging.path)],
                        context=context,
                        raise_on_error=False,
                        target_path=home.dbt_build_target,
                    )
                    events += invocation.stream()
                    if not invocation.is_successful():
                        raise BuildFailed(str(invocation.get_error() or "dbt build failed"))
                    if staging.changed_months:  # the reference data's tests, as they last came out
                        reported = {
                            dg.AssetCheckKey(e.asset_key, e.check_name)
                            for e in events
                            if isinstance(e, dg.AssetCheckResult)
                        }
                        events += kept_check_results(
                            context, staging.kept_tests, REFERENCE_KEPT, leaving_out=reported
                        )
        except BuildFailed as error:
            yield from (e for e in events if isinstance(e, dg.AssetCheckResult))
            failed = [e.check_name for e in events if isinstance(e, dg.AssetCheckResult) and not e.passed]
            raise dg.Failure(
                description="数据仓库更新（dbt build）未通过，已保留上一次成功构建的数据，本次不发布通报。"
                + (f" 未通过的检查：{', '.join(failed[:10])}" if failed else ""),
                metadata={"dbt_error": str(error)[-2000:]},
            ) from error
        yield from events

    return warehouse_models


def kept_outputs(
    context: dg.AssetExecutionContext, reason: str, only_tagged: str | None = None
) -> Iterator[dg.Output]:
    """Every selected model and seed (or those with the dbt tag ``only_tagged``) as the last build left
    them, saying why (``reason``), in dependency order, as Dagster requires, so the steps after the build
    run."""
    assets = context.assets_def
    selected = {
        key
        for key in context.selected_asset_keys
        if only_tagged is None or only_tagged in assets.tags_by_key.get(key, {})
    }
    said = {"pingan/unchanged": dg.MetadataValue.text(reason)}
    order = TopologicalSorter({key: assets.asset_deps.get(key, set()) & selected for key in selected})
    for key in order.static_order():
        yield dg.Output(None, output_name=assets.get_output_name_for_asset_key(key), metadata=said)


def kept_check_results(
    context: dg.AssetExecutionContext,
    outcomes: dict[str, tuple[str, int | None]],
    reason: str,
    leaving_out: set[dg.AssetCheckKey] = frozenset(),
) -> Iterator[dg.AssetCheckResult]:
    """Each selected dbt test not in ``leaving_out`` (those this run reported) as it came out in the
    last build (``outcomes``: unique_id -> (status, failing rows)), saying why (``reason``): its inputs
    were these very ones."""
    assets = context.assets_def
    said = {"pingan/unchanged": dg.MetadataValue.text(reason)}
    for check in context.selected_asset_check_keys - leaving_out:
        spec = assets.get_spec_for_check_key(check)
        status, failures = outcomes[spec.metadata[DAGSTER_DBT_UNIQUE_ID_METADATA_KEY]]
        yield dg.AssetCheckResult(
            asset_key=check.asset_key,
            check_name=check.name,
            passed=status == "pass",
            severity=dg.AssetCheckSeverity.ERROR if spec.blocking else dg.AssetCheckSeverity.WARN,
            metadata={**said, "status": status, "dagster_dbt/failed_row_count": failures},
        )


def _share_partial_parse(home: Home) -> None:
    """Start the build's target folder from the parse's state, so dbt does not parse the project again."""
    state = home.dbt_target / "partial_parse.msgpack"
    copy = home.dbt_build_target / "partial_parse.msgpack"
    if state.exists() and (not copy.exists() or copy.stat().st_mtime < state.stat().st_mtime):
        home.dbt_build_target.mkdir(parents=True, exist_ok=True)
        shutil.copy2(state, copy)


class PinganDbtCli(DbtCliResource):
    """dagster-dbt's resource without two things it does before every dbt command that pingan has no
    use for, each a few seconds of every run: it starts ``dbt --version`` in a child process (the dbt
    pingan runs is this environment's own, ``dbt_executable``, so its version is the installed
    package's), and it opens a dbt adapter in this process, which serves only to fetch row counts and
    column metadata (pingan asks for neither)."""

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args) -> None:
        return None


def dbt_resource(project: DbtProject) -> DbtCliResource:
    return PinganDbtCli(
        project_dir=project, profiles_dir=str(DBT_PROJECT_DIR), dbt_executable=dbt_executable()
    )
