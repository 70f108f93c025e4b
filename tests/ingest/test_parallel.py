"""Work written side by side comes back in the order it was given, from other processes."""

import os
import time

from base.parallel import run_side_by_side
from exports.feedback import feedback_file_name


def test_results_keep_the_order_of_the_calls():
    calls = [
        {"unit_name": unit, "period": "2022-05", "version": 1, "file_name": "x.xlsx"}
        for unit in ("赫章县", "大方县", "金沙县", "织金县")
    ]
    assert [name.split("_")[0] for name in run_side_by_side(feedback_file_name, calls)] == [
        "赫章县",
        "大方县",
        "金沙县",
        "织金县",
    ]


def test_work_runs_in_other_processes_when_there_is_enough_of_it():
    pids = set(run_side_by_side(os.getpid, [{}] * 4))
    if (os.cpu_count() or 1) > 1:
        assert os.getpid() not in pids
    assert run_side_by_side(os.getpid, [{}], at_least=2) == [os.getpid()]  # one call stays here


def started_at(pause: float) -> float:
    started = time.monotonic()  # one clock for every process
    time.sleep(pause)
    return started


def test_the_longest_calls_start_first_and_results_keep_the_order_of_the_calls():
    calls = [{"pause": 0.05}, {"pause": 0.05}, {"pause": 0.3}, {"pause": 0.2}]
    starts = run_side_by_side(started_at, calls, size=lambda call: call["pause"])
    if (os.cpu_count() or 1) > 1:
        # the two longest (0.3 s and 0.2 s) are handed out first, one to each process; which of the two
        # processes reads its clock first is up to the machine
        assert set(sorted(range(4), key=lambda i: starts[i])[:2]) == {2, 3}
