"""The benchmark's memory figure: the process tree's resident memory, each memory counted once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from bench.measure import tree_rss_kib

MIB = 1024


@pytest.fixture
def three_hundred_mib():
    held = bytearray(300 * 1024 * 1024)
    for offset in range(0, len(held), 4096):  # resident, not just reserved
        held[offset] = 1
    yield held


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="/proc is Linux's")
def test_a_child_not_yet_execed_is_its_parents_memory_and_is_not_counted_again(three_hundred_mib):
    alone = tree_rss_kib()
    child = os.fork()  # what a spawn is between fork and exec, held there
    if child == 0:
        time.sleep(30)
        os._exit(0)
    try:
        time.sleep(0.2)
        with_child = tree_rss_kib()
    finally:
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
    assert alone > 300 * MIB
    assert with_child < alone + 50 * MIB  # counted twice, it would be alone + 300 MiB or more


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="/proc is Linux's")
def test_a_started_program_is_counted_with_its_own_memory():
    alone = tree_rss_kib()
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; b = bytearray(200 << 20); print(1, flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
    )
    try:
        child.stdout.readline()  # its 200 MiB are resident
        with_child = tree_rss_kib()
    finally:
        child.kill()
        child.wait()
    assert with_child > alone + 200 * MIB
