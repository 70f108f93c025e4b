"""Pausing Python's cycle collector while a large piece of work holds millions of objects.

A province's bulletin is about a million small objects (cells, their styles, rows of marts) that all live
until the workbook is saved; a national intake holds two batches of parsed workbooks at a time. Python's
cycle collector walks every live object again each time their number grows by a quarter: 15 full
collections in a national month bulletin (15-25% of its time), 28 in a national intake (~17 s of the main
process), and they free next to nothing (what the work throws away is freed by reference counting as it
goes). So the collector is paused for such work, and collects the objects made during it once at the end
(a young collection: the rest of the process, a portal's imports say, is not walked again); work done in
steps (an intake's batches) collects what each step left (``collect_young_garbage``), so garbage never
piles up.

The switch is the process's: in a threaded process (the portal) other threads run without the collector
while one upload is taken in. A pause that found the collector on turns it back on when it ends, whatever
the threads did in between, so it is never left off.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """No automatic cycle collection inside the block; the objects made in it are collected after it, if
    the collector was on."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
            collect_young_garbage()


def collect_young_garbage() -> None:
    """Free the unreachable cycles among the objects made since the last collection (after a step of
    paused work, or at its end); the survivors join the old generation, walked by full collections only."""
    gc.collect(1)


def builds_many_objects(function: Callable[P, R]) -> Callable[P, R]:
    """Run ``function`` with the cycle collector paused (``cycle_collection_paused``)."""

    @functools.wraps(function)
    def paused(*args: P.args, **kwargs: P.kwargs) -> R:
        with cycle_collection_paused():
            return function(*args, **kwargs)

    return paused
