"""Measuring a benchmark stage (wall seconds, peak memory of the process tree).

The peak is the largest sum of resident memory (RSS) of this process and all its descendants (the
sandboxed readers, dbt, LibreOffice …), sampled every ``SAMPLE_SECONDS`` from /proc; this process's
own exact peak (VmHWM, reset at the start of each stage through /proc/self/clear_refs) is a floor
under it. No psutil: /proc is enough on Linux, and elsewhere the numbers fall back to getrusage.

"""

from __future__ import annotations

import contextlib
import os
import resource
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field

SAMPLE_SECONDS = 0.1
_PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024


@dataclass
class Stage:
    """One measured stage. ``files`` is what it processed (for files/s); ``extrapolated`` marks a
    naive stage run on a sample and scaled linearly to every file."""

    name: str
    seconds: float
    peak_mib: float
    files: int | None = None
    extrapolated: bool = False
    note: str = ""
    details: dict = field(default_factory=dict)

    @property
    def files_per_second(self) -> float | None:
        return self.files / self.seconds if self.files and self.seconds > 0 else None

    def as_dict(self) -> dict:
        out = asdict(self)
        out["files_per_second"] = self.files_per_second
        out["ms_per_file"] = 1000 * self.seconds / self.files if self.files else None
        return out


def _status_kib(pid: int | str, key: str) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as handle:
            for line in handle:
                if line.startswith(key):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


_FORKED_NOT_EXECED = 0x40  # PF_FORKNOEXEC in /proc/<pid>/stat's flags


@dataclass(frozen=True)
class _Process:
    parent: int
    rss_kib: int
    layout: tuple[int, int, int]  # start and end of code, start of stack: where its memory is laid out
    not_execed: bool  # forked and not (yet) replaced by a program of its own


def _processes() -> dict[int, _Process]:
    found = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                text = handle.read()
        except OSError:
            continue
        # pid (comm) state ppid ... ; comm may hold spaces or parentheses: split after the last ')'
        fields = text[text.rfind(b")") + 2 :].split()
        found[int(entry.name)] = _Process(
            parent=int(fields[1]),
            rss_kib=int(fields[21]) * _PAGE_KIB,
            layout=(int(fields[23]), int(fields[24]), int(fields[25])),
            not_execed=bool(int(fields[6]) & _FORKED_NOT_EXECED),
        )
    return found


def tree_rss_kib(root: int | None = None) -> int:
    """Resident memory of ``root`` (default: this process) and all its descendants, KiB.

    A child caught between fork and exec (every process pingan starts is spawned: fork, then exec) still
    runs in its parent's memory (vfork) or on a copy that shares every page: /proc shows it with its
    parent's resident size, and adding it would count the parent twice (a 1 GiB process starting
    children was sampled at 2 GiB). Such a child, with its parent's memory layout, is not added."""
    root = root or os.getpid()
    processes = _processes()
    children: dict[int, list[int]] = {}
    for pid, process in processes.items():
        children.setdefault(process.parent, []).append(pid)
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        process = processes.get(pid)
        if process is None:
            continue
        parent = processes.get(process.parent)
        in_parents_memory = (
            pid != root and process.not_execed and parent is not None and parent.layout == process.layout
        )
        if not in_parents_memory:
            total += process.rss_kib
        todo.extend(children.get(pid, ()))
    return total


def _reset_own_peak() -> None:
    with contextlib.suppress(OSError), open("/proc/self/clear_refs", "w", encoding="ascii") as handle:
        handle.write("5")


class _Sampler(threading.Thread):
    def __init__(self) -> None:
        super().__init__(daemon=True, name="bench-memory")
        self.peak_kib = 0
        self.stopping = threading.Event()

    def run(self) -> None:
        while True:
            self.peak_kib = max(self.peak_kib, tree_rss_kib())
            if self.stopping.wait(SAMPLE_SECONDS):
                return


@dataclass
class _Running:
    seconds: float = 0.0
    peak_mib: float = 0.0


@contextlib.contextmanager
def measured() -> Iterator[_Running]:
    """Measure the block; the yielded object holds seconds and peak_mib once the block ends."""
    running = _Running()
    available = os.path.isdir("/proc/self")
    sampler = _Sampler() if available else None
    if sampler:
        _reset_own_peak()
        sampler.start()
    started = time.perf_counter()
    try:
        yield running
    finally:
        running.seconds = time.perf_counter() - started
        if sampler:
            sampler.stopping.set()
            sampler.join()
            own = _status_kib("self", "VmHWM:")
            running.peak_mib = max(sampler.peak_kib, own, tree_rss_kib()) / 1024
        else:  # no /proc: this process's lifetime peak (ru_maxrss is KiB on Linux, bytes on macOS)
            running.peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def release_memory() -> float:
    """Collect garbage and hand freed heap back to the system (glibc ``malloc_trim``), so a stage's
    peak is not the previous stage's leftovers; returns the process tree's resident MiB after."""
    import ctypes
    import ctypes.util
    import gc

    gc.collect()
    with contextlib.suppress(OSError, AttributeError, TypeError):
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)
    return tree_rss_kib() / 1024 if os.path.isdir("/proc/self") else 0.0


def largest_child_mib() -> float:
    """The largest resident peak of any child process this process waited for (lifetime)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
