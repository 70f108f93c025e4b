"""Getting a home ready before anything runs in it: its folders, Dagster's instance settings, dbt's manifest.

The command line calls ``prepare_home`` before it loads the definitions or starts Dagster, so loading
them (and importing anything) never writes to disk.
"""

from __future__ import annotations

from base.settings import Home, Settings

# Dagster's instance settings for a pingan home. One concurrency pool, "warehouse", holds every step that
# opens the DuckDB file (DuckDB allows one writing process per file): its limit of 1 serialises them
# across runs, so a sensor run, a scheduled run and a run started by hand never collide. Every pool
# pingan uses should be limited to 1, hence default_limit. Telemetry off: the office's data stays home.
# The instance class is Dagster's, with its SQLite storage keeping database engines between connections
# (orchestration/dagster_storage.py).
DAGSTER_YAML = """\
# Written by pingan (orchestration/prepare.py); edits are replaced on the next start.
instance_class:
  module: orchestration.dagster_storage
  class: PinganInstance
concurrency:
  pools:
    default_limit: 1
telemetry:
  enabled: false
"""


def create_dagster_storage(home: Home) -> None:
    """Create the SQLite databases of the home's Dagster instance (runs, event log index, schedules), for
    the commands that start several Dagster processes at once on it (``pingan serve``, ``pingan ui``).

    Each Dagster process creates the tables it finds missing; two starting together on a new home can
    both try, and the second stops with "table runs already exists" (1 start in 8 of two processes
    measured here), so ``pingan serve`` stopped with it."""
    import dagster as dg

    with dg.DagsterInstance.from_config(str(home.dagster_home)) as instance:
        instance.get_runs(limit=1)
        instance.all_instigator_state()
        instance.get_asset_keys(limit=1)


def prepare_home(settings: Settings, *, dbt: bool = True) -> Settings:
    """Create the home's folders and Dagster's instance settings; parse the dbt project when ``dbt``."""
    home = settings.home.ensure()
    instance_settings = home.dagster_home / "dagster.yaml"
    if not instance_settings.exists() or instance_settings.read_text(encoding="utf-8") != DAGSTER_YAML:
        instance_settings.write_text(DAGSTER_YAML, encoding="utf-8")
    if dbt:
        # Imported here: dagster-dbt takes seconds to import, and only the commands that load the
        # definitions need the manifest (``pingan users``, ``status`` and the like start without it).
        from orchestration.defs.warehouse.dbt import prepare_dbt

        prepare_dbt(settings)
    return settings
