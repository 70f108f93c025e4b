"""Whether the warehouse file can be worked on: it opens, and it holds every file the archive took in.

The archive and its ledger are the source of truth; the warehouse is rebuilt from them
(``pingan rebuild``). A warehouse file that is damaged, deleted, or replaced by an older copy must not be
worked on as if it were whole: intake would start afresh and tell a county "v1" for what the archive
knows is its version 2, and a bulletin would "withdraw" reports it never saw. Every door that writes or
reads it (intake, ``pingan status``, the warehouse build) checks it here first and, when it cannot be
trusted, says what happened and what to run (``WarehouseUnusable``), instead of a DuckDB traceback.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import duckdb

from ingest.archive import read_ledger

REBUILD = "请运行 pingan rebuild 从归档重建数据仓库（原文件会改名保留），然后再运行本命令。"


class WarehouseUnusable(RuntimeError):
    """The warehouse file is damaged, missing or behind the archive; the message says what to run."""


def is_duckdb_lock_error(error: BaseException) -> bool:
    """DuckDB refused the file because another process holds it (worth waiting for, not damage)."""
    return isinstance(error, duckdb.IOException) and "lock" in str(error).lower()


@contextlib.contextmanager
def damage_explained(warehouse: Path) -> Iterator[None]:
    """DuckDB's errors inside the block, other than another process's lock, as ``WarehouseUnusable``."""
    try:
        yield
    except duckdb.Error as error:
        if is_duckdb_lock_error(error):
            raise
        raise damaged(warehouse, error) from error


def opened(warehouse: Path, connect, **options) -> duckdb.DuckDBPyConnection:
    """``connect(warehouse, **options)``, a damaged file answered with ``WarehouseUnusable``."""
    with damage_explained(warehouse):
        return connect(warehouse, **options)


def damaged(warehouse: Path, error: duckdb.Error) -> WarehouseUnusable:
    detail = str(error).splitlines()[0][:200]
    return WarehouseUnusable(
        f"数据仓库文件 {warehouse} 无法读取，可能已损坏（{detail}）。归档中的文件都完好：{REBUILD}"
    )


def require_whole(
    warehouse: Path, archive_dir: Path, known: set[str], arriving: set[str] | frozenset[str] = frozenset()
) -> None:
    """The warehouse holds (``known``, its sha256s; empty when the file is missing) every file of the
    archive's ledger, except those ``arriving`` now (a rebuild brings them all)."""
    missing = {record["sha256"] for record in read_ledger(archive_dir)} - known - set(arriving)
    if not missing:
        return
    if not warehouse.exists():
        raise WarehouseUnusable(
            f"数据仓库文件 {warehouse} 不存在，但归档中已有 {len(missing)} 个文件"
            "（新文件的版本号要接着归档中的算）。" + REBUILD
        )
    raise WarehouseUnusable(
        f"数据仓库中缺少归档中已接收的 {len(missing)} 个文件（仓库文件可能被换成了旧的副本，"
        "或上次接收在写入数据仓库前被中断）。" + REBUILD
    )


def stored_hashes(warehouse: Path) -> set[str]:
    """The sha256s of ``raw.submissions`` in the warehouse file (none when there is no file or table yet)."""
    if not warehouse.exists():
        return set()
    with damage_explained(warehouse), duckdb.connect(str(warehouse), read_only=True) as connection:
        tables = connection.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'raw' and table_name = 'submissions'"
        ).fetchone()[0]
        if not tables:
            return set()
        return {row[0] for row in connection.execute("select sha256 from raw.submissions").fetchall()}


def check_warehouse(warehouse: Path, archive_dir: Path) -> None:
    """Raise ``WarehouseUnusable`` unless the warehouse opens and holds every archived file."""
    require_whole(warehouse, archive_dir, stored_hashes(warehouse))
