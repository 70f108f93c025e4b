"""Run independent pieces of work (one workbook each) side by side, one process per core.

Fresh interpreters ("spawn"), because the caller may be a threaded process (Dagster) and fork would copy
its locks. Starting a worker costs about a second of imports, so short lists stay in this process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

Result = TypeVar("Result")


def run_side_by_side(
    function: Callable[..., Result],
    calls: list[dict],
    *,
    at_least: int = 2,
    size: Callable[[dict], float] | None = None,
) -> list[Result]:
    """``function(**kwargs)`` for each kwargs in ``calls``, results in the same order.

    ``function`` must be importable by name (a module-level function). Fewer than ``at_least`` calls, or
    one core, run here in turn. ``size`` (of a call's kwargs) says which calls take longest: they are
    started first, so that the last ones to finish are short and no core waits alone for a long one."""
    workers = min(len(calls), os.cpu_count() or 1)
    if len(calls) < at_least or workers < 2:
        return [function(**kwargs) for kwargs in calls]
    order = sorted(range(len(calls)), key=lambda i: -size(calls[i])) if size else range(len(calls))
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = {i: pool.submit(function, **calls[i]) for i in order}
        return [futures[i].result() for i in range(len(calls))]
