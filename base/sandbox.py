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

Each call of ``run_sandboxed`` has workers of its own, stopped when it returns. Starting one (a fresh
interpreter, then the task's imports: ~0.4 s for the reader) is paid by every call, which a batch does
not notice and one upload waiting for its verdict does. A long-lived caller (the county portal's intake
worker) therefore ``prepare``s the next call's workers while it waits: started, task module imported,
nothing else done. The next ``run_sandboxed`` of that task takes them instead of starting its own; they
are still fresh interpreters that serve that one call and then stop.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import subprocess
import sys
import threading
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


def worker_main(read_fd: int, write_fd: int, memory_bytes: int, parent: int, task: str | None) -> None:
    """The worker loop: receive (index, task, kwargs), answer (index, Outcome), until told to stop (or
    killed with ``parent``: ``base.children``). A prepared worker imports its ``task`` first."""
    import resource

    from base.children import die_with_parent

    die_with_parent(parent)
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    if task is not None:
        with contextlib.suppress(BaseException):  # a task that cannot be imported fails on its call
            _resolve(task)
    tasks, answers = Connection(read_fd, writable=False), Connection(write_fd, readable=False)
    while True:
        try:
            message = tasks.recv()
        except EOFError:  # the parent closed the pipe (a prepared worker it no longer needs)
            return
        if message is None:
            return
        index, task, kwargs = message
        try:
            outcome = Outcome(_resolve(task)(**kwargs))
        except BaseException as error:  # noqa: BLE001 - every failure becomes an answer
            outcome = Outcome(failure=Failure("error", type(error).__name__, str(error)[:500]))
        answers.send((index, outcome))


class _Worker:
    """One worker process, started as ``python -m base.sandbox`` (nothing inherited but two pipes); a
    prepared one (``task``) imports its task's module before it waits for calls."""

    def __init__(self, memory_bytes: int, task: str | None = None) -> None:
        task_read, task_write = os.pipe()
        answer_read, answer_write = os.pipe()
        # BLAS threads and a capped address space do not mix; a reader's panic report is not for the office.
        environment = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "RUST_BACKTRACE": "0"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "base.sandbox"]
            + [str(task_read), str(answer_write), str(memory_bytes), str(os.getpid())]
            + ([task] if task else []),
            pass_fds=(task_read, answer_write),
            env=environment,
            stdin=subprocess.DEVNULL,
        )
        os.close(task_read)
        os.close(answer_write)
        self.tasks = Connection(task_write, readable=False)
        self.connection = Connection(answer_read, writable=False)
        self.prepared = task is not None
        self.sent: deque[int] = deque()  # indexes sent and not yet answered, oldest (being worked on) first
        self.deadline = 0.0  # when the oldest must be answered

    def alive(self) -> bool:
        return self.process.poll() is None

    def send(self, index: int, task: str, kwargs: dict, seconds: float) -> None:
        if not self.sent:
            self.deadline = time.monotonic() + seconds
        self.tasks.send((index, task, kwargs))
        self.sent.append(index)

    def stop(self, kill: bool = False) -> None:
        """Tell the worker to exit (or kill it). Its exit is awaited on a thread of its own, so that the
        answers a caller waits for do not also wait for an interpreter's shutdown (~0.1 s)."""
        if not kill:
            try:
                self.tasks.send(None)
            except OSError:
                kill = True
        if kill:
            self.process.kill()
        self.tasks.close()
        self.connection.close()
        threading.Thread(target=self._reap, args=(kill,), name="pingan-sandbox-reaper", daemon=True).start()

    def _reap(self, killed: bool) -> None:
        try:
            self.process.wait(timeout=None if killed else 5)
        except subprocess.TimeoutExpired:  # told to exit and still running: it does not get to stay
            self.process.kill()
            self.process.wait()


_prepared: dict[tuple[str, int], list[_Worker]] = {}  # (task, memory_bytes) -> workers waiting for it
_prepared_lock = threading.Lock()


def prepare(task: str, memory_bytes: int, count: int = 1) -> None:
    """Have ``count`` workers waiting, with ``task``'s module imported, for the next ``run_sandboxed`` of
    ``task`` with this ``memory_bytes`` (see the module). Call it from the thread that will run the task:
    the kernel kills a worker when the thread that started it ends (``base.children``)."""
    key = (task, memory_bytes)
    with _prepared_lock:
        waiting = _prepared.setdefault(key, [])
        for worker in [w for w in waiting if not w.alive()]:
            waiting.remove(worker)
            worker.stop(kill=True)
        waiting += [_Worker(memory_bytes, task) for _ in range(count - len(waiting))]


def discard_prepared() -> None:
    """Stop every prepared worker (the caller that prepared them is stopping)."""
    with _prepared_lock:
        workers = [w for waiting in _prepared.values() for w in waiting]
        _prepared.clear()
    for worker in workers:
        worker.stop()


def _workers_for(task: str, memory_bytes: int, count: int) -> list[_Worker]:
    """``count`` workers for one call: the prepared ones still alive, then new ones."""
    with _prepared_lock:
        waiting = _prepared.get((task, memory_bytes), [])
        taken, waiting[:] = waiting[:count], waiting[count:]
    pool = []
    for worker in taken:
        if worker.alive():
            pool.append(worker)
        else:
            worker.stop(kill=True)
    return pool + [_Worker(memory_bytes) for _ in range(count - len(pool))]


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
    pool = _workers_for(task, memory_bytes, count)
    done = 0
    try:
        while pending or any(w.sent for w in pool):
            for position, worker in enumerate(pool):  # each has the next call waiting in its pipe
                while len(worker.sent) < QUEUED_PER_WORKER and pending:
                    index = pending.popleft()
                    try:
                        worker.send(index, task, calls[index], seconds)
                    except OSError:
                        if worker.sent or not worker.prepared:
                            raise
                        # A prepared worker that died while it waited: no call reached it.
                        pending.appendleft(index)
                        worker.stop(kill=True)
                        pool[position] = worker = _Worker(memory_bytes)
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

    arguments = sys.argv[1:]
    sandbox.worker_main(*map(int, arguments[:4]), arguments[4] if len(arguments) > 4 else None)
