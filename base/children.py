"""A pingan process owns its children: they die with it, and what a killed run left behind is cleared.

Killing ``pingan report`` used to leave its dbt build running on the copy of the warehouse (the next
report then failed on DuckDB's lock), and a killed intake left its Great Expectations worker alive a
minute later. Every child pingan starts therefore asks the kernel to kill it when its parent dies
(``PR_SET_PDEATHSIG``, Linux):

- Python children call ``die_with_parent(parent)`` as they start (the sandbox workers, the Great
  Expectations worker);
- other programs are started through ``owned_command`` (``python -m base.children PARENT -- program …``),
  which sets the same signal and then becomes the program (``exec``), so dbt dies with its run.

Programs that fork daemons of their own (LibreOffice) get a work folder named after the pingan process
that owns it (``work_folder_prefix``); ``sweep_orphaned_work_folders`` kills what still runs in the
folders of processes that are gone, and removes those folders.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import re
import shutil
import signal
import sys
import tempfile
from pathlib import Path

PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """Have the kernel kill this process when ``parent`` dies; exit now if it is already gone."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the signal was set
        os._exit(1)


def owned_command(command: list[str]) -> list[str]:
    """``command`` started so that it dies when this process dies (see the module)."""
    return [sys.executable, "-m", "base.children", str(os.getpid()), "--", *command]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def work_folder_prefix(kind: str) -> str:
    """The prefix of a temporary work folder of ``kind`` owned by this process."""
    return f"pingan-{kind}-{os.getpid()}-"


def _processes_using(folder: Path) -> list[int]:
    """Processes whose command line names ``folder`` (Linux /proc)."""
    found = []
    needle = str(folder).encode()
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if needle in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def sweep_orphaned_work_folders(kind: str, root: Path | None = None) -> list[Path]:
    """Kill what still runs in, and remove, the work folders of ``kind`` whose owner is gone."""
    root = Path(root or tempfile.gettempdir())
    pattern = re.compile(rf"^pingan-{re.escape(kind)}-(\d+)-")
    swept = []
    for folder in root.glob(f"pingan-{kind}-*"):
        match = pattern.match(folder.name)
        if not match or alive(int(match.group(1))):
            continue
        for pid in _processes_using(folder):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        shutil.rmtree(folder, ignore_errors=True)
        swept.append(folder)
    return swept


if __name__ == "__main__":
    # python -m base.children PARENT -- program arguments…
    parent, separator, *program = sys.argv[1:]
    die_with_parent(int(parent))
    os.execvp(program[0], program)
