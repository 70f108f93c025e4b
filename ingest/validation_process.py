"""Great Expectations in a process of its own, started before a large batch's files are read.

Importing Great Expectations costs 2.5–4 seconds in every fresh process (a ``pingan ingest``, a
Dagster step), and intake only needs it once the files are read. For a batch of ``AHEAD_MIN_FILES`` or
more, intake starts this process first: its import runs while the sandboxed workers read, and the suites
(``ingest.validate.run_suites``: plain-data checks and frames) run there. A process that already holds
Great Expectations (a test session, a long-lived worker), or a small batch whose reading would not hide
the import, validates in place.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from base.children import die_with_parent
from ingest.validate import Suite, SuiteOutcome, SuitesRunner, run_suites

AHEAD_MIN_FILES = 100


def _import_great_expectations() -> None:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations  # noqa: F401 - the point: paid while the parent reads


class ValidationProcess:
    """One spawned worker that imports Great Expectations at once and then runs suites on request."""

    def __init__(self) -> None:
        self._pool = ProcessPoolExecutor(
            1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=die_with_parent,  # a killed intake takes its worker with it
            initargs=(os.getpid(),),
        )
        self._pool.submit(_import_great_expectations)  # the pool starts its process on the first task

    def run_suites(self, suites: list[Suite], docs_dir: Path | None) -> list[SuiteOutcome]:
        return self._pool.submit(run_suites, suites, docs_dir).result()

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def suite_runner_for(files: int) -> tuple[SuitesRunner, ValidationProcess | None]:
    """How a batch of ``files`` is validated: (the runner, the process to close afterwards or None)."""
    if files < AHEAD_MIN_FILES or "great_expectations" in sys.modules:
        return run_suites, None
    process = ValidationProcess()
    return process.run_suites, process
