"""What intake takes: regular files only, sizes before bytes, settled files, the bytes hashed are the bytes
taken, and nothing leaves the inbox if it changed after it was hashed (issue 19, items 2 and 6)."""

import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb

from ingest.archive import read_ledger
from ingest.intake import ingest_files
from orchestration import cli
from tests.ingest.workbooks import write_report

ROOT = Path(__file__).resolve().parents[2]


def stored(home: Path) -> list[tuple]:
    if not (home / "warehouse.duckdb").exists():
        return []
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as connection:
        return connection.execute(
            "select file_name, version, status from raw.submissions order by all"
        ).fetchall()


def archived(home: Path) -> list[Path]:
    return sorted(p for p in (home / "archive").glob("??/*") if p.is_file())


def test_a_symlink_in_the_inbox_is_left_where_it_is_and_never_followed(tmp_path):
    # Regression: a symlink to /etc/passwd was archived and quarantined.
    inbox = tmp_path / "home" / "inbox"
    (inbox / "大方县").mkdir(parents=True)
    link = inbox / "大方县" / "passwd.xlsx"
    link.symlink_to("/etc/passwd")
    (result,) = ingest_files([inbox], tmp_path / "home", consume_from=inbox)
    assert (result.file, result.status, result.sha256) == ("passwd.xlsx", "not_taken", "")
    assert result.message.startswith("是符号链接（快捷方式），不是普通文件，本次未接收，文件留在原处")
    assert link.is_symlink() and archived(tmp_path / "home") == []
    assert not list((tmp_path / "home" / "quarantine").rglob("*"))


def test_a_file_over_the_size_limit_is_refused_before_it_is_hashed_or_copied(tmp_path, monkeypatch):
    # Regression: a symlink to a 200 MB file was hashed and copied twice before the size limit refused it.
    inbox = tmp_path / "home" / "inbox"
    (inbox / "大方县").mkdir(parents=True)
    big = tmp_path / "big.xlsx"
    with open(big, "wb") as handle:
        handle.truncate(200 * 1024 * 1024)  # sparse: costs no disk
    os.link(big, inbox / "大方县" / "big.xlsx")
    (inbox / "大方县" / "link.xlsx").symlink_to(big)
    hashed = []
    monkeypatch.setattr("ingest.receipts.fingerprint", lambda path: hashed.append(path))
    results = ingest_files([inbox], tmp_path / "home", consume_from=inbox)
    assert {(r.file, r.status) for r in results} == {("big.xlsx", "not_taken"), ("link.xlsx", "not_taken")}
    (too_big,) = [r for r in results if r.file == "big.xlsx"]
    assert too_big.message.startswith("文件过大（200.0 MB），上限为 20 MB，本次未接收，文件留在原处")
    assert hashed == [] and archived(tmp_path / "home") == []
    assert (inbox / "大方县" / "big.xlsx").exists()


def test_a_fifo_or_a_device_named_on_the_command_line_does_not_hang_ingest(tmp_path):
    # Regression: `pingan ingest FIFO` (or /dev/zero) waited for ever while holding the writer lock.
    fifo = tmp_path / "report.xlsx"
    os.mkfifo(fifo)
    good = write_report(tmp_path / "大方县" / "good.xlsx")
    environment = {**os.environ, "PINGAN_INBOX_SETTLE_SECONDS": "0"}
    completed = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "ingest", "--home", str(tmp_path / "home")]
        + [str(fifo), "/dev/zero", str(good)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environment,
        timeout=120,
    )
    assert completed.returncode == 1, completed.stderr
    assert re.search(r"未接收 +report.xlsx\n    是命名管道（FIFO），不是普通文件", completed.stderr)
    assert re.search(r"未接收 +zero\n    是设备文件，不是普通文件", completed.stderr)
    assert stored(tmp_path / "home") == [("good.xlsx", 1, "accepted")]


def test_a_file_still_being_written_is_left_in_the_inbox_whole(tmp_path):
    # Regression: `pingan ingest <home>/inbox` took a file still being written, rejected the truncated
    # bytes as corrupt and deleted the inbox file; when the writer finished, the file existed nowhere.
    inbox = tmp_path / "home" / "inbox"
    data = write_report(tmp_path / "source.xlsx").read_bytes()
    target = inbox / "大方县" / "dafang.xlsx"
    target.parent.mkdir(parents=True)
    target.write_bytes(data[: len(data) // 2])
    (result,) = ingest_files([inbox], tmp_path / "home", consume_from=inbox, settle_seconds=5)
    assert (result.file, result.status) == ("dafang.xlsx", "not_taken")
    assert "最近 5 秒内仍有改动（可能正在写入），本次未接收，文件留在原处" in result.message
    assert target.read_bytes() == data[: len(data) // 2]
    assert archived(tmp_path / "home") == [] and read_ledger(tmp_path / "home" / "archive") == []
    target.write_bytes(data)  # the writer finishes
    (result,) = ingest_files([inbox], tmp_path / "home", consume_from=inbox, settle_seconds=0)
    assert result.status == "accepted" and not target.exists()


def test_pingan_ingest_waits_for_a_file_being_copied_in_and_takes_it_whole(tmp_path, monkeypatch):
    monkeypatch.setenv("PINGAN_INBOX_SETTLE_SECONDS", "2")  # room for a busy machine between writes
    home = tmp_path / "home"
    data = write_report(tmp_path / "source.xlsx").read_bytes()
    target = home / "inbox" / "大方县" / "dafang.xlsx"
    target.parent.mkdir(parents=True)
    said, waiting = [], threading.Event()

    def say(message):
        said.append(message)
        if "等待其写完" in message:
            waiting.set()

    target.write_bytes(data[:100])  # the copy has begun before pingan looks

    def copy_slowly():
        with open(target, "r+b") as handle:
            handle.seek(100)
            deadline = time.monotonic() + 120
            while not waiting.wait(0.2) and time.monotonic() < deadline:
                os.pwrite(handle.fileno(), data[:100], 0)  # still copying: the file keeps changing
            for start in range(100, len(data), 1000):
                handle.write(data[start : start + 1000])
                handle.flush()
                time.sleep(0.2)

    monkeypatch.setattr(cli, "_say", say)
    writer = threading.Thread(target=copy_slowly)
    writer.start()
    try:
        assert cli.main(["ingest", "--home", str(home), str(home / "inbox")]) == 0
    finally:
        waiting.set()
        writer.join()
    assert "1 个文件最近 2 秒内仍有改动（可能正在写入），等待其写完…" in said
    assert stored(home) == [("dafang.xlsx", 1, "accepted")]
    assert archived(home)[0].read_bytes() == data and not target.exists()


def test_a_file_that_changes_while_it_is_read_is_not_stored_and_stays(tmp_path, monkeypatch):
    inbox = tmp_path / "home" / "inbox"
    target = write_report(inbox / "大方县" / "dafang.xlsx")
    from ingest import intake

    read = intake.read_files

    def read_then_change(paths, *args, **kwargs):
        outcomes = read(paths, *args, **kwargs)
        with open(target, "ab") as handle:
            handle.write(b"more")
        return outcomes

    monkeypatch.setattr(intake, "read_files", read_then_change)
    (result,) = ingest_files([inbox], tmp_path / "home", consume_from=inbox)
    assert (result.status, result.message) == (
        "not_taken",
        "在接收过程中被改动（可能正在写入），本次未接收，文件留在原处；写完后会自动接收，或稍后再运行 pingan ingest",
    )
    assert target.exists() and stored(tmp_path / "home") == []
    assert archived(tmp_path / "home") == [] and read_ledger(tmp_path / "home" / "archive") == []


def test_a_file_changed_after_it_was_stored_is_not_removed_from_the_inbox(tmp_path, monkeypatch):
    # The bytes hashed are stored; the new content stays for the next run, which takes it as version 2.
    inbox = tmp_path / "home" / "inbox"
    target = write_report(inbox / "大方县" / "dafang.xlsx")
    from ingest import intake

    store = intake.store_submissions
    newer = write_report(tmp_path / "newer.xlsx", values=_values() | {"C10": 11}).read_bytes()

    def store_then_change(connection, submissions):
        store(connection, submissions)
        target.write_bytes(newer)

    monkeypatch.setattr(intake, "store_submissions", store_then_change)
    (result,) = ingest_files([inbox], tmp_path / "home", consume_from=inbox)
    assert (result.status, result.version) == ("accepted", 1) and target.read_bytes() == newer
    monkeypatch.undo()
    (again,) = ingest_files([inbox], tmp_path / "home", consume_from=inbox)
    assert (again.status, again.version) == ("accepted", 2) and not target.exists()


def _values():
    from tests.ingest.workbooks import consistent_values

    return consistent_values()
