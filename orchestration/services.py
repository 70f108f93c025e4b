"""Long-running programs started together and stopped together (``pingan serve``, ``pingan ui``).

Each child runs in a session of its own, so a Ctrl-C typed in the terminal reaches only this process,
which then stops every child the same way as on SIGTERM: SIGTERM to each child's whole process group
(``dagster dev`` and the webserver start processes of their own), up to ``STOP_SECONDS`` for them to
finish, then SIGKILL to whatever is left. So everything is gone within 10 s of the signal. When one
child exits on its own, the others are stopped too and its exit code is returned.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

STOP_SECONDS = 7.0  # SIGTERM → SIGKILL; the whole stop stays under 10 s
POLL_SECONDS = 0.2


@dataclass(frozen=True)
class Service:
    name: str
    command: Sequence[str]


def run_services(
    services: Sequence[Service],
    environment: Mapping[str, str],
    cwd: Path,
    say: Callable[[str], None] = print,
) -> int:
    """Start every service, wait until a signal (SIGTERM, SIGINT) or until one exits; stop them all."""
    stopping: list[int] = []
    previous = {
        number: signal.signal(number, lambda number, _frame: stopping.append(number))
        for number in (signal.SIGTERM, signal.SIGINT)
    }
    children: list[tuple[Service, subprocess.Popen]] = []
    code = 0
    try:
        for service in services:
            if stopping:
                break
            child = subprocess.Popen(
                list(service.command), env=dict(environment), cwd=cwd, start_new_session=True
            )
            children.append((service, child))
        while not stopping:
            ended = next(((s, c) for s, c in children if c.poll() is not None), None)
            if ended is not None:
                say(f"{ended[0].name} 已退出（代码 {ended[1].returncode}），正在停止其他服务…")
                code = ended[1].returncode or 1
                break
            time.sleep(POLL_SECONDS)
    finally:
        stop_all([child for _, child in children])
        for number, handler in previous.items():
            signal.signal(number, handler)
    return code


def stop_all(children: list[subprocess.Popen], seconds: float = STOP_SECONDS) -> None:
    """SIGTERM each child's process group, wait up to ``seconds``, SIGKILL the groups still there."""
    for child in children:
        _signal_group(child, signal.SIGTERM)
    deadline = time.monotonic() + seconds
    for child in children:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(max(0.0, deadline - time.monotonic()))
    for child in children:
        _signal_group(child, signal.SIGKILL)  # also whatever the child left behind in its group
        child.wait()


def _signal_group(child: subprocess.Popen, number: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(child.pid, number)
