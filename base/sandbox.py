"""Work on untrusted bytes in worker processes with time and memory budgets.

A county's file can hang or abort the library that opens it (STACK.md lists measured cases), so every
piece of work that opens one (reading it, copying its cells into the feedback workbook) runs here: in a
small pool of long-lived worker processes, each a fresh interpreter (``python -m base.sandbox``) that
inherits nothing but two pipes, with its address space capped. A worker that passes the time budget is
killed; one that dies (abort, out of memory) is replaced; either way that one call gets a ``Failure``
and the others carry on.

A task is a module-level function named ``"package.module:function"``, called with keyword arguments;
its result must pickle. The caller decides what a failure means for the county (``ingest.sandbox`` for
reading, ``orchestration.intake`` for feedback).
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait

Progress = Callable[[int, int], None]
QUEUED_PER_WORKER = 2  # the call being worked on and the next one, so no worker waits for the parent


@dataclass(frozen=True)
class Failure:
    """Why a call gave no result: ``kind`` is 'error' (the task raised), 'timeout' or 'crashed';
    for 'error', ``error_type`` and ``message`` are the exception's."""

    kind: str
    error_type: str = ""
    message: str = ""


@dataclass(frozen=True)
class Outcome:
    value: object = None
    failure: Failure | None = None


def _resolve(task: str) -> Callable[..., object]:
    module, _, name = task.partition(":")
    return getattr(importlib.import_module(module), name)


def worker_main(read_fd: int, write_fd: int, memory_bytes: int, parent: int) -> None:
    """The worker loop: receive (index, task, kwargs), answer (index, Outcome), until told to stop (or
    killed with ``parent``: ``base.children``)."""
    import resource

    from base.children import die_with_parent

    die_with_parent(parent)
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    tasks, answers = Connection(read_fd, writable=False), Connection(write_fd, readable=False)
    while True:
        message = tasks.recv()
        if message is None:
            return
        index, task, kwargs = message
        try:
            outcome = Outcome(_resolve(task)(**kwargs))
        except BaseException as error:  # noqa: BLE001 - every failure becomes an answer
            outcome = Outcome(failure=Failure("error", type(error).__name__, str(error)[:500]))
        answers.send((index, outcome))


class _Worker:
    """One worker process, started as ``python -m base.sandbox`` (nothing inherited but two pipes)."""

    def __init__(self, memory_bytes: int) -> None:
        task_read, task_write = os.pipe()
        answer_read, answer_write = os.pipe()
        # BLAS threads and a capped address space do not mix; a reader's panic report is not for the office.
        environment = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "RUST_BACKTRACE": "0"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "base.sandbox"]
            + [str(task_read), str(answer_write), str(memory_bytes), str(os.getpid())],
            pass_fds=(task_read, answer_write),
            env=environment,
            stdin=subprocess.DEVNULL,
        )
        os.close(task_read)
        os.close(answer_write)
        self.tasks = Connection(task_write, readable=False)
        self.connection = Connection(answer_read, writable=False)
        self.sent: deque[int] = deque()  # indexes sent and not yet answered, oldest (being worked on) first
        self.deadline = 0.0  # when the oldest must be answered

    def send(self, index: int, task: str, kwargs: dict, seconds: float) -> None:
        if not self.sent:
            self.deadline = time.monotonic() + seconds
        self.tasks.send((index, task, kwargs))
        self.sent.append(index)

    def stop(self, kill: bool = False) -> None:
        if not kill:
            try:
                self.tasks.send(None)
                self.process.wait(timeout=5)
            except (BrokenPipeError, OSError, subprocess.TimeoutExpired):
                kill = True
        if kill:
            self.process.kill()
            self.process.wait()
        self.tasks.close()
        self.connection.close()


def run_sandboxed(
    task: str,
    calls: list[dict],
    *,
    seconds: float,
    memory_bytes: int,
    workers: int | None = None,
    progress: Progress | None = None,
) -> list[Outcome]:
    """``task(**kwargs)`` for each kwargs in ``calls`` in worker processes; outcomes in the same order.

    Each call may take ``seconds`` of wall-clock time once a worker starts it; a worker may use
    ``memory_bytes`` of address space. ``progress(done, total)`` is called as calls are answered."""
    if not calls:
        return []
    outcomes: list[Outcome | None] = [None] * len(calls)
    pending = deque(range(len(calls)))
    count = max(1, min(workers or os.cpu_count() or 1, len(calls)))
    pool = [_Worker(memory_bytes) for _ in range(count)]
    done = 0
    try:
        while pending or any(w.sent for w in pool):
            for worker in pool:  # each worker has the next call waiting in its pipe: it never idles
                while len(worker.sent) < QUEUED_PER_WORKER and pending:
                    index = pending.popleft()
                    worker.send(index, task, calls[index], seconds)
            if progress:
                progress(done, len(calls))
            busy = [w for w in pool if w.sent]
            timeout = max(0.0, min(w.deadline for w in busy) - time.monotonic())
            ready = wait([w.connection for w in busy], timeout=timeout)
            for position, worker in enumerate(pool):
                if not worker.sent:
                    continue
                if worker.connection in ready:
                    try:
                        index, outcome = worker.connection.recv()
                        worker.sent.remove(index)
                        outcomes[index] = outcome
                        done += 1
                        worker.deadline = time.monotonic() + seconds  # the next one starts
                        continue
                    except (EOFError, OSError):
                        failure = Failure("crashed")
                elif time.monotonic() >= worker.deadline:
                    failure = Failure("timeout")
                else:
                    continue
                # The call being worked on gets the failure; those queued behind it go to another worker.
                stuck = worker.sent.popleft()
                outcomes[stuck] = Outcome(failure=failure)
                done += 1
                pending.extendleft(reversed(worker.sent))
                worker.sent.clear()
                worker.stop(kill=True)
                pool[position] = _Worker(memory_bytes)
        if progress:
            progress(len(calls), len(calls))
    finally:
        for worker in pool:
            worker.stop(kill=bool(worker.sent))
    return [o if o is not None else Outcome(failure=Failure("crashed")) for o in outcomes]


if __name__ == "__main__":
    from base import sandbox  # the real module, so answers unpickle as base.sandbox.Outcome

    sandbox.worker_main(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
