"""Whether a lock is held, seen from another thread (the home's locks nest within one thread)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager

from orchestration.warehouse import WarehouseBusy


def refused_to_another_thread(take: Callable[[], AbstractContextManager[None]]) -> bool:
    """Whether ``take()`` (``writer_lock(settings, timeout=0)``, say) raises WarehouseBusy in a thread
    other than the caller's."""
    refused: list[bool] = []

    def attempt() -> None:
        try:
            with take():
                refused.append(False)
        except WarehouseBusy:
            refused.append(True)

    thread = threading.Thread(target=attempt)
    thread.start()
    thread.join()
    return refused == [True]
