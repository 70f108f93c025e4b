"""Building the warehouse with dbt, from the command line (no Dagster start-up on this path).

dbt runs as a child process with the home's environment (warehouse path, target and log folders
under the home), so nothing is written into the source tree and a dbt failure is an answer, not a
crash of the caller.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from orchestration.settings import DBT_PROJECT_DIR, Home


class WarehouseBuildError(RuntimeError):
    """dbt build failed; the message names the failing models and tests."""


@dataclass(frozen=True)
class BuildSummary:
    passed: int
    warned: int
    failed: int
    seconds: float


def dbt_executable() -> str:
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def dbt_environment(home: Home) -> dict[str, str]:
    home.export_environment()
    return dict(os.environ)


def run_dbt(home: Home, arguments: list[str]) -> subprocess.CompletedProcess:
    home.ensure()
    command = [
        dbt_executable(),
        *arguments,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(home.dbt_target),
        "--log-path",
        str(home.dbt_logs),
    ]
    return subprocess.run(command, env=dbt_environment(home), capture_output=True, text=True, check=False)


def build_warehouse(home: Home) -> BuildSummary:
    """``dbt build`` (seeds, models, tests) into the home's warehouse; raises WarehouseBuildError on failure."""
    completed = run_dbt(home, ["build", "--quiet"])
    results = read_run_results(home)
    failures = [r for r in results.get("results", []) if r.get("status") in {"error", "fail"}]
    if completed.returncode != 0 or failures:
        names = ", ".join(f"{r['unique_id']}（{r.get('message') or r['status']}）" for r in failures[:8])
        detail = names or (completed.stdout + completed.stderr)[-2000:]
        raise WarehouseBuildError(f"dbt build failed: {detail}")
    statuses = [r.get("status") for r in results.get("results", [])]
    return BuildSummary(
        passed=sum(s in {"success", "pass"} for s in statuses),
        warned=statuses.count("warn"),
        failed=0,
        seconds=float(results.get("elapsed_time", 0.0)),
    )


def read_run_results(home: Home) -> dict:
    path = home.dbt_target / "run_results.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
