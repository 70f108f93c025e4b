"""``pingan serve`` and ``pingan ui`` create the Dagster instance's databases before they start the
Dagster processes, which would otherwise create them at the same moment and one of them stop
(orchestration.prepare.create_dagster_storage)."""

import sqlite3

from base.settings import Settings
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
