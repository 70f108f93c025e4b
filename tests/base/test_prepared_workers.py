"""Sandbox workers started ahead of the call that uses them (``base.sandbox.prepare``): the county
portal's next upload is read by a worker that is already up, with the reader imported, and that worker is
still a fresh interpreter serving that one call."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from base.sandbox import discard_prepared, prepare, run_sandboxed
from ingest.sandbox import READ_TASK
from tests.processes import alive, children_of, wait_until

MEMORY = 1 << 30
PID = "os:getpid"  # a task that says which worker ran it


@pytest.fixture(autouse=True)
def _nothing_prepared_left():
    yield
    discard_prepared()


def served_by(task: str = PID) -> int:
    (outcome,) = run_sandboxed(task, [{}], seconds=30, memory_bytes=MEMORY)
    assert outcome.failure is None, outcome.failure
    return outcome.value


def test_the_next_call_is_served_by_the_worker_started_ahead():
    before = children_of(os.getpid())
    prepare(PID, MEMORY)
    (waiting,) = children_of(os.getpid()) - before
    assert served_by() == waiting


def test_a_prepared_worker_has_imported_its_task_before_any_call():
    before = children_of(os.getpid())
    prepare(READ_TASK, MEMORY)
    (waiting,) = children_of(os.getpid()) - before

    def reader_loaded() -> bool:  # python-calamine's native library, mapped by `import ingest.sandbox`
        return "python_calamine" in Path(f"/proc/{waiting}/maps").read_text()

    assert wait_until(reader_loaded, 30)


def test_a_prepared_worker_serves_one_call_and_then_exits():
    prepare(PID, MEMORY)
    first = served_by()
    assert served_by() != first  # the second call starts its own worker: nothing prepared is left
    assert wait_until(lambda: not alive({first}), 10)


def test_a_prepared_worker_that_died_while_it_waited_is_replaced_and_the_call_answered():
    before = children_of(os.getpid())
    prepare(PID, MEMORY)
    (waiting,) = children_of(os.getpid()) - before
    os.kill(waiting, signal.SIGKILL)
    assert wait_until(lambda: not alive({waiting}), 10)
    assert served_by() not in (waiting, os.getpid())


def test_workers_are_prepared_per_task_and_budget():
    before = children_of(os.getpid())
    prepare(PID, MEMORY)
    (waiting,) = children_of(os.getpid()) - before
    (outcome,) = run_sandboxed(PID, [{}], seconds=30, memory_bytes=MEMORY // 2)  # another budget
    assert outcome.value != waiting
    assert served_by() == waiting


def test_preparing_again_keeps_the_waiting_worker_and_discarding_stops_it():
    before = children_of(os.getpid())
    prepare(PID, MEMORY)
    prepare(PID, MEMORY)
    waiting = children_of(os.getpid()) - before
    assert len(waiting) == 1
    discard_prepared()
    assert wait_until(lambda: not alive(waiting), 10)
