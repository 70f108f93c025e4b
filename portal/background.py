"""A worker thread of the portal: runs until stopped, waits between rounds unless woken.

The intake worker (uploads) and the publisher (bulletins) each take stored requests in order on one
daemon thread; a page that stores a request wakes it (``wake``) instead of waiting for its next round.
"""

from __future__ import annotations

import threading


class WakeableThread:
    """A daemon thread running ``_run`` (``start``/``stop``); ``wake`` cuts its wait short."""

    thread_name = "pingan-worker"

    def __init__(self) -> None:
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)
        self._thread.start()

    def stop(self, seconds: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(seconds)

    def wake(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        raise NotImplementedError
