"""Reading untrusted workbooks in worker processes with time and memory budgets.

A reader can hang or abort its whole process on a hostile file (STACK.md lists measured cases), so
files are parsed in a small pool of long-lived worker processes. A worker that passes the time budget
is killed; one that dies (abort, out of memory) is replaced; either way that one file gets a clear
answer and the others carry on. Workers are fresh interpreters (``python -m ingest.sandbox``), so they
carry none of the parent's threads, open warehouse connections or imported libraries.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path

from ingest.limits import Limits
from ingest.parse import ParsedWorkbook

Progress = Callable[[int, int], None]
QUEUED_PER_WORKER = 2  # the file being read and the next one, so no worker waits for the parent


@dataclass
class ReadOutcome:
    parsed: ParsedWorkbook | None
    failure: str | None  # Chinese reason when the file could not be read


def read_and_parse(path: str) -> ParsedWorkbook:
    """Runs inside a worker: read every sheet with calamine and find the tables."""
    from ingest.parse import parse_workbook
    from ingest.read import read_sheets

    return parse_workbook(read_sheets(path))


def precheck_read_and_parse(path: str, limits: Limits | None) -> ReadOutcome:
    """Runs inside a worker: the cheap checks on the bytes (``ingest.precheck``, when ``limits`` are
    given), then, for a file they pass, ``read_and_parse``. The checks run in the workers so that they
    share the cores with the reading instead of running one file at a time before it."""
    from ingest.precheck import precheck

    refused = precheck(Path(path), limits) if limits is not None else None
    if refused:
        return ReadOutcome(None, refused)
    return ReadOutcome(read_and_parse(path), None)


def describe_read_error(error: BaseException) -> str:
    text = str(error)
    lowered = text.lower()
    if "password" in lowered or "encrypt" in lowered or "cfb" in lowered and "xlsx" in lowered:
        return "文件设置了打开密码或已加密，无法读取"
    if isinstance(error, MemoryError) or "memerror" in lowered or "memory" in lowered:
        return "读取时内存超出上限，疑似异常文件，已拒收"
    if type(error).__name__ == "PanicException":
        return "工作簿结构异常，读取程序无法处理（文件可能已损坏或为恶意构造）"
    if "zip" in lowered or "archive" in lowered or "xml" in lowered or "eof" in lowered:
        return f"工作簿文件已损坏或格式不正确（{text[:120]}）"
    return f"无法读取工作簿（{type(error).__name__}: {text[:120]}）"


def worker_main(read_fd: int, write_fd: int, memory_bytes: int) -> None:
    """The worker loop: receive (index, path, limits or None), answer (index, ReadOutcome), until told
    to stop."""
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    tasks, answers = Connection(read_fd, writable=False), Connection(write_fd, readable=False)
    while True:
        task = tasks.recv()
        if task is None:
            return
        index, path, precheck_limits = task
        try:
            outcome = precheck_read_and_parse(path, precheck_limits)
        except BaseException as error:  # noqa: BLE001 - every failure becomes an answer for the county
            outcome = ReadOutcome(None, describe_read_error(error))
        answers.send((index, outcome))


class _Worker:
    """One reader process, started as ``python -m ingest.sandbox`` (nothing inherited but two pipes)."""

    def __init__(self, memory_bytes: int) -> None:
        task_read, task_write = os.pipe()
        answer_read, answer_write = os.pipe()
        # BLAS threads and a capped address space do not mix; a reader's panic report is not for the office.
        environment = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "RUST_BACKTRACE": "0"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ingest.sandbox", str(task_read), str(answer_write), str(memory_bytes)],
            pass_fds=(task_read, answer_write),
            env=environment,
            stdin=subprocess.DEVNULL,
        )
        os.close(task_read)
        os.close(answer_write)
        self.tasks = Connection(task_write, readable=False)
        self.connection = Connection(answer_read, writable=False)
        self.sent: deque[int] = deque()  # indexes sent and not yet answered, oldest (being read) first
        self.deadline = 0.0  # when the oldest must be answered

    def send(self, index: int, path: Path, limits: Limits | None, read_seconds: float) -> None:
        if not self.sent:
            self.deadline = time.monotonic() + read_seconds
        self.tasks.send((index, str(path), limits))
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


def read_files(
    paths: list[Path],
    limits: Limits,
    workers: int | None = None,
    progress: Progress | None = None,
    *,
    precheck: bool = True,
) -> list[ReadOutcome]:
    """Precheck (unless ``precheck`` is False), read and parse every file; the result list is in the order
    of ``paths``. A refused or unreadable file's outcome carries the reason. ``progress(done, total)``
    is called as files are answered."""
    if not paths:
        return []
    outcomes: list[ReadOutcome | None] = [None] * len(paths)
    pending = deque(enumerate(paths))
    count = max(1, min(workers or os.cpu_count() or 1, len(paths)))
    pool = [_Worker(limits.read_memory_bytes) for _ in range(count)]
    done = 0
    try:
        while pending or any(w.sent for w in pool):
            for worker in pool:  # each worker has the next file waiting in its pipe: it never idles
                while len(worker.sent) < QUEUED_PER_WORKER and pending:
                    index, path = pending.popleft()
                    worker.send(index, path, limits if precheck else None, limits.read_seconds)
            if progress:
                progress(done, len(paths))
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
                        worker.deadline = time.monotonic() + limits.read_seconds  # the next one starts
                        continue
                    except (EOFError, OSError):
                        reason = "读取进程异常终止（文件可能已损坏或为恶意构造），已拒收"
                elif time.monotonic() >= worker.deadline:
                    reason = f"读取超时（超过 {limits.read_seconds:g} 秒），疑似异常文件，已拒收"
                else:
                    continue
                # The file being read gets the answer; those queued behind it go to another worker.
                stuck = worker.sent.popleft()
                outcomes[stuck] = ReadOutcome(None, reason)
                done += 1
                pending.extendleft((i, paths[i]) for i in reversed(worker.sent))
                worker.sent.clear()
                worker.stop(kill=True)
                pool[position] = _Worker(limits.read_memory_bytes)
        if progress:
            progress(len(paths), len(paths))
    finally:
        for worker in pool:
            worker.stop(kill=bool(worker.sent))
    return [o if o is not None else ReadOutcome(None, "未能读取") for o in outcomes]


if __name__ == "__main__":
    from ingest import sandbox  # the real module, so answers unpickle as ingest.sandbox.ReadOutcome

    sandbox.worker_main(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))
