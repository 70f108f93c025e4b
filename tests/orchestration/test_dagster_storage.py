"""The Dagster instance of a home: ``pingan serve`` and ``pingan ui`` create its databases before they
start the Dagster processes, which would otherwise create them at the same moment and one of them stop
(orchestration.prepare.create_dagster_storage); its event log keeps an engine per database, in Dagster's
own files, so a home's run history from before is still there (orchestration.dagster_storage)."""

import shutil
import sqlite3

import dagster as dg

from base.settings import Home, Settings
from orchestration.dagster_storage import KEPT_ENGINES, EngineKeepingEventLogStorage, PinganInstance
from orchestration.prepare import create_dagster_storage, prepare_home

DATABASES = {  # each SQLite file of the instance and a table every Dagster process needs in it
    "history/runs.db": "runs",
    "history/runs/index.db": "event_logs",
    "schedules/schedules.db": "instigators",
}


def tables(path) -> set[str]:
    with sqlite3.connect(path) as connection:
        return {name for (name,) in connection.execute("select name from sqlite_master where type = 'table'")}


def test_a_new_homes_dagster_databases_are_created_before_any_dagster_process_starts(tmp_path):
    home = prepare_home(Settings.from_env(tmp_path / "home"), dbt=False).home
    assert not any((home.dagster_home / name).exists() for name in DATABASES)

    create_dagster_storage(home)
    for name, table in DATABASES.items():
        assert table in tables(home.dagster_home / name), name

    create_dagster_storage(home)  # a home whose databases exist: nothing to create, nothing fails
    assert all(table in tables(home.dagster_home / name) for name, table in DATABASES.items())


EARLIER_DAGSTER_YAML = """\
concurrency:
  pools:
    default_limit: 1
telemetry:
  enabled: false
"""


@dg.op
def say_something() -> int:
    return 1


@dg.job
def small_job() -> None:
    say_something()


def test_the_instance_keeps_dagsters_files_so_earlier_runs_stay_and_copies_use_their_own(tmp_path):
    home = prepare_home(Settings.from_env(tmp_path / "home"), dbt=False).home
    # A home as pingan set it up before: Dagster's default instance, which stores the same files.
    settings = home.dagster_home / "dagster.yaml"
    settings.write_text(EARLIER_DAGSTER_YAML, encoding="utf-8")
    with dg.DagsterInstance.from_config(str(home.dagster_home)) as instance:
        assert type(instance) is dg.DagsterInstance
        earlier = small_job.execute_in_process(instance=instance).run_id

    prepare_home(Settings.from_env(home.root), dbt=False)
    with dg.DagsterInstance.from_config(str(home.dagster_home)) as instance:
        assert isinstance(instance, PinganInstance)
        assert isinstance(instance.event_log_storage, EngineKeepingEventLogStorage)
        assert instance.get_run_by_id(earlier).is_success
        steps = [e.step_key for e in instance.all_logs(earlier) if e.step_key]
        assert "say_something" in steps
        later = small_job.execute_in_process(instance=instance).run_id
    assert {"runs.db", "runs"} <= {p.name for p in (home.dagster_home / "history").iterdir()}
    assert (home.dagster_home / "history" / "runs" / f"{later}.db").exists()

    # The settings name no folder: a copy of the home keeps its runs to itself.
    copy = Home.from_env(tmp_path / "copy")
    shutil.copytree(home.root, copy.root)
    with dg.DagsterInstance.from_config(str(copy.dagster_home)) as instance:
        third = small_job.execute_in_process(instance=instance).run_id
        assert {r.run_id for r in instance.get_runs()} == {earlier, later, third}
    with dg.DagsterInstance.from_config(str(home.dagster_home)) as instance:
        assert {r.run_id for r in instance.get_runs()} == {earlier, later}


def test_the_event_log_keeps_the_index_engine_and_only_the_latest_runs_engines(tmp_path):
    home = prepare_home(Settings.from_env(tmp_path / "home"), dbt=False).home
    with dg.DagsterInstance.from_config(str(home.dagster_home)) as instance:
        storage = instance.event_log_storage
        run_ids = [small_job.execute_in_process(instance=instance).run_id for _ in range(KEPT_ENGINES + 3)]
        index = storage._engines["index"]
        assert set(storage._engines) == {"index", *run_ids[-KEPT_ENGINES:]}
        # reading an early run opens its database again, in place of the run used longest ago
        assert instance.get_run_by_id(run_ids[0]).is_success and storage.get_logs_for_run(run_ids[0])
        assert set(storage._engines) == {"index", run_ids[0], *run_ids[-KEPT_ENGINES + 1 :]}
        assert storage._engines["index"] is index
    assert storage._engines == {}  # closing the instance disposes them
