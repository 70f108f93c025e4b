"""The benchmark's portal stage: upload to verdict through ``pingan portal``, warm, at the province's history.

After the pipeline stages the home holds the whole province (88 units × 12 months by default). A real
``pingan portal`` process serves it on a loopback port (its intake worker warm: Great Expectations
imported, one upload taken in before timing); one clerk account per unit. Each timed upload is a
resubmission of the unit's latest report with its 填报人 cell changed (new bytes, the same figures: a new
version, validated against the full history). Upload to verdict = from the start of the POST until the
verdict page is loaded with its verdict (following the queued page when the answer took longer than the
request waits). Measured one at a time to an idle portal (the issue's p50/p95: each upload ``IDLE_PAUSE``
after the previous verdict, as a clerk's upload meets a portal that has finished the previous one's
after-work, its quality pages and the next upload's sandbox workers), then one right after another, then
with several clerks at once, the last level being every unit at once (the deadline-day rush); p50/p95 per
level say how the wait grows with the load.
"""

from __future__ import annotations

import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import openpyxl
import requests

from base import layout
from base.settings import Settings

PASSWORD = "bench-password-1"
SEQUENTIAL = 20  # uploads timed one at a time, in each of the two one-at-a-time levels
IDLE_PAUSE = 2.0  # seconds between a verdict and the next upload, at the idle level
LEVELS = (4, 16)  # clerks at once (then every unit at once)
TIMEOUT = 600


def resubmission(source: Path, target: Path, mark: str) -> Path:
    """``source`` with its 填报人 changed to ``mark``: new bytes, the same figures."""
    workbook = openpyxl.load_workbook(source)
    sheet = workbook[layout.INFO_SHEET]
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value == "填报人":
                sheet.cell(row=cell.row, column=cell.column + 1, value=mark)
    target.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(target)
    return target


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


class Clerk:
    def __init__(self, base: str, name: str) -> None:
        self.base = base
        self.http = requests.Session()
        page = self.http.get(f"{base}/login", timeout=60)
        token = re.search(r'name="csrf" value="([^"]+)"', page.text)[1]
        signed = self.http.post(
            f"{base}/login", data={"username": name, "password": PASSWORD, "csrf": token}, timeout=60
        )
        self.token = re.search(r'name="csrf" value="([^"]+)"', signed.text)[1]

    def upload(self, path: Path) -> tuple[float, str]:
        """(seconds from the POST to the verdict page, the verdict's status)."""
        started = time.perf_counter()
        with open(path, "rb") as handle:
            posted = self.http.post(
                f"{self.base}/upload",
                data={"csrf": self.token},
                files={"file": (path.name, handle)},
                allow_redirects=False,
                timeout=TIMEOUT,
            )
        location = posted.headers["location"]
        while True:
            page = self.http.get(self.base + location, timeout=TIMEOUT)
            if 'http-equiv="refresh"' not in page.text:
                break
            time.sleep(0.2)
        seconds = time.perf_counter() - started
        status = self.http.get(f"{self.base}{location}/result.json", timeout=60).json()["result"]["status"]
        return seconds, status


def _wait_until_up(base: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("pingan portal exited")
        try:
            if requests.get(f"{base}/login", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError("pingan portal did not answer within 120 s")


def measure_uploads(settings: Settings, latest: dict[str, Path], work: Path, progress) -> dict:
    """Start ``pingan portal`` on the home, time uploads (see the module); ``latest``: each unit's code →
    its latest report."""
    from portal.accounts import add_account
    from portal.server import free_port

    units = sorted(latest)
    for code in units:
        add_account(settings.home, f"clerk{code}", "填报员", PASSWORD, code)
    one_by_one = units[: min(SEQUENTIAL, len(units))]
    rounds = [
        ("one at a time, idle portal", 1, one_by_one, IDLE_PAUSE),
        ("one right after another", 1, one_by_one, 0),
    ]
    rounds += [
        (f"{n} at once", n, units[: max(n, min(2 * n, len(units)))], 0) for n in LEVELS if n < len(units)
    ]
    rounds.append((f"{len(units)} at once (every unit)", len(units), units, 0))
    files: list[list[Path]] = []
    for index, (_, _, chosen, _) in enumerate([("warm-up", 1, units[:1], 0), *rounds]):
        files.append(
            [resubmission(latest[c], work / str(index) / c / latest[c].name, f"重报{index}") for c in chosen]
        )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "orchestration.cli", "portal", "--home", str(settings.home.root)]
    command += ["--port", str(port), "--refresh-after", "0"]
    process = subprocess.Popen(command, env=settings.child_environment(), stdout=subprocess.DEVNULL)
    try:
        _wait_until_up(base, process)
        clerks = {code: Clerk(base, f"clerk{code}") for code in units}
        clerks[units[0]].upload(files[0][0])  # warm: the worker's first batch imports what it needs
        levels = []
        for (name, concurrency, chosen, pause), paths in zip(rounds, files[1:], strict=True):
            progress(f"  portal: {name} ({len(paths)} uploads)")
            timings = _timed(clerks, chosen, paths, concurrency, pause)
            seconds = [s for s, _ in timings if s == s] or [float("nan")]
            levels.append(
                {
                    "level": name,
                    "concurrency": concurrency,
                    "uploads": len(paths),
                    "p50_s": percentile(seconds, 0.5),
                    "p95_s": percentile(seconds, 0.95),
                    "max_s": max(seconds),
                    "mean_s": statistics.fmean(seconds),
                    "statuses": sorted({s for _, s in timings}),
                }
            )
    finally:
        process.terminate()
        process.wait(30)
    return {"levels": levels}


def _timed(
    clerks: dict, chosen: list[str], paths: list[Path], concurrency: int, pause: float
) -> list[tuple[float, str]]:
    """(seconds, status) of each upload, ``concurrency`` clerks at a time, each waiting ``pause`` before
    each of its uploads."""
    jobs = list(zip(chosen, paths, strict=True))
    results: list[tuple[float, str]] = []
    lock = threading.Lock()

    def work():
        while True:
            with lock:
                if not jobs:
                    return
                code, path = jobs.pop(0)
            time.sleep(pause)
            try:
                answer = clerks[code].upload(path)
            except requests.RequestException as error:  # counted, not the end of the benchmark
                answer = (float("nan"), f"error: {error!r}"[:200])
            with lock:
                results.append(answer)

    threads = [threading.Thread(target=work) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
