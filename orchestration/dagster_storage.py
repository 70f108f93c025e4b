"""The Dagster instance of a pingan home: Dagster's own SQLite storage, whose event log keeps its engines.

Dagster's SQLite event log makes a SQLAlchemy engine for every connection and throws it away after
(``SqliteEventLogStorage._connect``, ``has_table``). SQLAlchemy keeps its compiled statements in the
engine, so each event a run stores compiles its INSERT statements again. A warehouse build stores over a
thousand events: each model's materialisation and each dbt test's check evaluation, planned and then
recorded. A demo full build run took 4.7–5.8 s of CPU in the process running it (dbt's own process
aside), and 2.8–3.3 s with the engines kept (three runs each, alternating).

Here each database file keeps one engine. The pool is still ``NullPool``, so every use opens and closes
its own SQLite connection as before; only the engine and its statement cache live on. The files and
folders are those of Dagster's default storage for the instance folder (``DagsterSqliteStorage``), so a
home's run history stays where it was.

The instance class exists only to name this storage without a path in ``dagster.yaml``: Dagster asks the
class for its defaults with the instance folder, so a home that is copied or moved needs no edit.
``orchestration.prepare.DAGSTER_YAML`` names it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import yaml
from dagster import DagsterInstance
from dagster._core.instance.ref import InstanceRef
from dagster._core.storage.base_storage import DagsterStorage
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    INDEX_SHARD_NAME,
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
)
from dagster._core.storage.runs.sqlite.sqlite_run_storage import SqliteRunStorage
from dagster._core.storage.schedules.sqlite.sqlite_schedule_storage import SqliteScheduleStorage
from dagster._core.storage.sqlite_storage import (
    DagsterSqliteStorage,
    _event_logs_directory,
    _runs_directory,
    _schedule_directory,
)
from dagster._serdes import ConfigurableClassData
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

KEPT_ENGINES = 8  # runs (each has a database of its own) whose engines are kept, besides the index's


class EngineKeepingEventLogStorage(SqliteEventLogStorage):
    """Dagster's SQLite event log, with one engine per database file kept for the next connection."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None) -> None:
        # Set first: the parent's constructor may connect. The engines have a lock of their own:
        # ``has_table`` is called while a connection holds the parent's (``_db_lock``).
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._engines_lock = threading.Lock()
        super().__init__(base_dir, inst_data)

    def _engine(self, shard: str) -> Engine:
        with self._engines_lock:
            engine = self._engines.get(shard)
            if engine is None:
                engine = create_engine(
                    self.conn_string_for_shard(shard),
                    poolclass=NullPool,
                    connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
                )
                self._engines[shard] = engine
                runs = [name for name in self._engines if name != INDEX_SHARD_NAME]
                for name in runs[:-KEPT_ENGINES]:
                    self._engines.pop(name).dispose()
            else:
                self._engines.move_to_end(shard)
            return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        # As SqliteEventLogStorage._connect, with the shard's kept engine.
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as connection, connection.begin():
                yield connection

    def has_table(self, table_name: str) -> bool:
        engine = self._engine(INDEX_SHARD_NAME)
        with engine.connect() as connection:
            return bool(engine.dialect.has_table(connection, table_name))

    def dispose(self) -> None:
        super().dispose()
        with self._engines_lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()


class PinganSqliteStorage(DagsterSqliteStorage):
    """``DagsterSqliteStorage`` (the same databases in the same folders) with the engine-keeping event log."""

    # DagsterSqliteStorage's constructor and from_config_value, each naming its own class where the
    # parent's names SqliteEventLogStorage and DagsterSqliteStorage directly.
    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None) -> None:
        self.base_dir = base_dir
        self._run_storage = SqliteRunStorage.from_local(_runs_directory(base_dir))
        self._event_log_storage = EngineKeepingEventLogStorage(_event_logs_directory(base_dir))
        self._schedule_storage = SqliteScheduleStorage.from_local(_schedule_directory(base_dir))
        self._inst_data = inst_data
        DagsterStorage.__init__(self)

    @classmethod
    def from_config_value(
        cls, inst_data: ConfigurableClassData, config_value: Mapping
    ) -> PinganSqliteStorage:
        return cls.from_local(inst_data=inst_data, **config_value)


class PinganInstance(DagsterInstance):
    """A Dagster instance whose storage defaults to ``PinganSqliteStorage`` in the instance folder."""

    @classmethod
    def config_schema(cls) -> dict:
        return {}

    @staticmethod
    def config_defaults(base_dir: str) -> Mapping[str, ConfigurableClassData | None]:
        storage = ConfigurableClassData(
            __name__,
            PinganSqliteStorage.__name__,
            yaml.dump({"base_dir": base_dir}, default_flow_style=False),
        )
        return {**InstanceRef.config_defaults(base_dir), "storage": storage}
