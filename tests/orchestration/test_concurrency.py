"""Concurrent commands wait their turn, and a killed command takes its children and leftovers with it
(issue 19, item 9).

Regressions: after a SIGKILL of `pingan report` its dbt child kept running and the next report failed
on its lock; an ingest started while a bulletin was written failed with 请稍后再试; `pingan status` was
refused while an ingest ran; a killed intake left its Great Expectations worker alive a minute later,
and temporary files in the archive and PDF work folders behind."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from base.children import sweep_orphaned_work_folders
from base.settings import Home, Settings
from ingest.intake import ingest_files
from orchestration import cli
from orchestration.build_inputs import SCHEMA as BUILD_RECORD
from orchestration.warehouse import reader_lock, writer_lock
from tests.ingest.workbooks import write_report
from tests.locks import refused_to_another_thread
from tests.orchestration.conftest import copy_home
from tests.processes import alive, children_of, wait_until

ROOT = Path(__file__).resolve().parents[2]


def pingan(home: Home, *arguments: str, **environment: str) -> subprocess.Popen:
    env = {**os.environ, "PINGAN_INBOX_SETTLE_SECONDS": "0", "PINGAN_BULLETIN_PDF": "0", **environment}
    return subprocess.Popen(
        [sys.executable, "-m", "orchestration.cli", *arguments, "--home", str(home.root)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def small_home(tmp_path) -> Home:
    home = Home(tmp_path / "home")
    ingest_files([write_report(tmp_path / "大方县" / "a.xlsx")], home)
    return home


def read_until(process: subprocess.Popen, text: str, seconds: float = 120) -> list[str]:
    """The lines ``process`` writes to stderr, up to the first containing ``text``."""
    lines: list[str] = []

    def read():
        for line in process.stderr:
            lines.append(line)
            if text in line:
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(seconds)
    assert lines and text in lines[-1], lines
    return lines


def test_an_ingest_waits_while_a_bulletin_reads_the_warehouse(small_home, tmp_path):
    settings = Settings.from_env(small_home.root)
    newer = write_report(tmp_path / "金沙县" / "b.xlsx", unit="金沙", period="2022-02")
    with reader_lock(settings), duckdb.connect(str(small_home.warehouse), read_only=True):
        ingest = pingan(small_home, "ingest", str(newer))  # while a bulletin has the file open
        read_until(ingest, "数据仓库正在被另一个任务使用，等待其完成…")
        time.sleep(1)
        assert ingest.poll() is None
    _, err = ingest.communicate(timeout=300)
    assert ingest.returncode == 0, err
    assert "已接收" in err


def test_status_waits_while_an_ingest_writes_and_says_so_when_it_gives_up(small_home):
    settings = Settings.from_env(small_home.root)
    with writer_lock(settings), duckdb.connect(str(small_home.warehouse)):  # an intake at work
        status = pingan(small_home, "status", "--period", "2022-01")
        impatient = pingan(small_home, "status", "--period", "2022-01", PINGAN_LOCK_SECONDS="1")
        _, err = impatient.communicate(timeout=120)
        assert impatient.returncode == 1
        assert "等待 1 秒后仍未释放，请稍后再试（等待时间可用 PINGAN_LOCK_SECONDS 调整）" in err
        read_until(status, "数据仓库正在被另一个任务使用，等待其完成…")
        assert status.poll() is None
    out, err = status.communicate(timeout=120)
    assert status.returncode == 0, err
    assert "2022年1月 报送情况" in out


def test_the_writer_lock_nests_in_one_thread_and_excludes_another(tmp_path):
    settings = Settings.from_env(tmp_path / "home")
    with writer_lock(settings), writer_lock(settings, timeout=0), reader_lock(settings, timeout=0):
        assert refused_to_another_thread(lambda: reader_lock(settings, timeout=0.3))
    with reader_lock(settings, timeout=0), reader_lock(settings, timeout=0):
        pass


KILLED_WITH_WORKERS = """
import sys, time, threading
from base.sandbox import run_sandboxed
from ingest.validation_process import ValidationProcess

validation = ValidationProcess()
validation._pool.submit(time.sleep, 0).result()  # its worker is up
threading.Thread(
    target=run_sandboxed,
    args=("time:sleep", [{}]),
    kwargs={"seconds": 120, "memory_bytes": 1 << 30},
    daemon=True,
).start()
print("ready", flush=True)
time.sleep(120)
"""


def test_a_killed_intake_takes_its_workers_with_it():
    process = subprocess.Popen(
        [sys.executable, "-c", KILLED_WITH_WORKERS], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout.readline().strip() == "ready"
        assert wait_until(lambda: len(children_of(process.pid)) >= 2, 30)
        workers = children_of(process.pid)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        assert wait_until(lambda: not alive(workers), 10), alive(workers)
    finally:
        if process.poll() is None:
            process.kill()
        for pid in alive(children_of(process.pid)):
            os.kill(pid, signal.SIGKILL)


def running_in(pid: int, folder: Path, seconds: float = 30) -> None:
    """Wait until process ``pid`` has exec'd with ``folder`` on its command line (a busy machine may take
    a moment between fork and exec)."""
    deadline = time.monotonic() + seconds
    while str(folder).encode() not in Path(f"/proc/{pid}/cmdline").read_bytes():
        assert time.monotonic() < deadline, f"process {pid} never started in {folder}"
        time.sleep(0.05)


def test_work_folders_of_a_killed_process_are_swept_with_what_runs_in_them(tmp_path):
    gone = subprocess.Popen(["true"])
    gone.wait()
    orphan = tmp_path / f"pingan-pdf-{gone.pid}-x1"
    mine = tmp_path / f"pingan-pdf-{os.getpid()}-x2"
    for folder in (orphan, mine):
        (folder / "profile").mkdir(parents=True)
    converter = subprocess.Popen(  # a converter still running in the orphaned folder, as soffice would
        [
            sys.executable,
            "-c",
            "import time; time.sleep(120)",
            f"-env:UserInstallation=file://{orphan}/profile",
        ]
    )
    try:
        running_in(converter.pid, orphan)  # what the sweep looks for is there before it looks
        assert sweep_orphaned_work_folders("pdf", root=tmp_path) == [orphan]
        assert converter.wait(timeout=10) == -signal.SIGKILL
        assert not orphan.exists() and mine.exists()
    finally:
        converter.kill()


def test_a_half_written_archive_copy_left_by_a_kill_is_swept(small_home, tmp_path):
    partial = small_home.archive / "ab" / ".partial-k1ll3d"
    partial.parent.mkdir(parents=True, exist_ok=True)
    partial.write_bytes(b"PK\x03\x04 half a workbook")
    ingest_files([write_report(tmp_path / "金沙县" / "b.xlsx", unit="金沙", period="2022-02")], small_home)
    assert not partial.exists()


def dbt_processes_of(home: Home) -> set[int]:
    found = set()
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if b"dbt" in command and b"--project-dir" in command and str(home.root).encode() in command:
            found.add(int(entry.name))
    return alive(found)


@pytest.mark.e2e
def test_a_killed_report_takes_its_dbt_child_with_it(built_home, tmp_path):
    home = copy_home(built_home.home, tmp_path / "home")
    with duckdb.connect(str(home.warehouse)) as connection:  # a file no build recorded: report builds
        connection.execute(f"drop schema {BUILD_RECORD} cascade")
    report = pingan(home, "report", "--period", "2022-12")
    try:
        assert wait_until(lambda: dbt_processes_of(home), 120), report.communicate(timeout=5)
        os.kill(report.pid, signal.SIGKILL)
        report.wait()
        assert wait_until(lambda: not dbt_processes_of(home), 10), dbt_processes_of(home)
    finally:
        for pid in dbt_processes_of(home):
            os.kill(pid, signal.SIGKILL)
    again = pingan(home, "report", "--period", "2022-12")
    _, err = again.communicate(timeout=600)
    assert again.returncode == 0, err


@pytest.mark.e2e
def test_report_keeps_its_turn_until_its_warnings_are_out(built_home, tmp_path, monkeypatch):
    # Regression: an ingest slipped in between the bulletin and report's warnings, which then failed
    # on DuckDB's lock: report said it failed although the bulletin was written.
    monkeypatch.setenv("PINGAN_BULLETIN_PDF", "0")
    home = copy_home(built_home.home, tmp_path / "home")
    attempts = []
    warn = cli._warn_of_rejections

    def warn_while_another_tries(home_, period):
        other = subprocess.run(
            [sys.executable, "-c", TRY_THE_LOCK, str(home.root)], cwd=ROOT, capture_output=True, text=True
        )
        attempts.append(other.stdout.strip())
        return warn(home_, period)

    monkeypatch.setattr(cli, "_warn_of_rejections", warn_while_another_tries)
    assert cli.main(["report", "--home", str(home.root), "--period", "2022-12"]) == 0
    assert attempts == ["busy"]


TRY_THE_LOCK = """
import sys
from base.settings import Settings
from orchestration.warehouse import WarehouseBusy, writer_lock
try:
    with writer_lock(Settings.from_env(sys.argv[1]), timeout=0.5):
        print("free")
except WarehouseBusy:
    print("busy")
"""
