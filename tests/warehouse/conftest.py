"""The hand-worked scenario, built once per test session (a dbt build costs seconds) and read by the
modules of this folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
import warehouse_scenario
from warehouse_builder import RawWarehouse, build_marts, query


@dataclass(frozen=True)
class BuiltWarehouse:
    path: Path
    work_dir: Path
    files: dict[str, str]

    def rows(self, sql: str, params: list | None = None) -> list[tuple]:
        return query(self.path, sql, params)

    def one(self, sql: str, params: list | None = None):
        rows = self.rows(sql, params)
        assert len(rows) == 1, f"expected one row, got {rows}"
        return rows[0][0] if len(rows[0]) == 1 else rows[0]


@pytest.fixture(scope="session")
def scenario_warehouse(tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    work_dir = tmp_path_factory.mktemp("scenario")
    raw = RawWarehouse(work_dir / "warehouse.duckdb")
    files = warehouse_scenario.build(raw)
    build_marts(raw.path, work_dir)
    return BuiltWarehouse(raw.path, work_dir, files)
