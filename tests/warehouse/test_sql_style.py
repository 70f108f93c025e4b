"""The dbt SQL follows the house style (dbt_project/.sqlfluff: lowercase, duckdb dialect)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from warehouse_builder import DBT_PROJECT_DIR


@pytest.mark.e2e  # about 15 s: sqlfluff renders and parses every model
def test_models_pass_sqlfluff():
    result = subprocess.run(
        [sys.executable, "-m", "sqlfluff", "lint", "models", "--nocolor"],
        cwd=DBT_PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-4000:]
