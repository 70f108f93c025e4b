"""The inbox sensor over a real folder: settled files only, never the same content twice, new versions,
attribution, and which job and periods a run is for."""

import datetime as dt
import json
import os
import shutil
import time
from pathlib import Path

import dagster as dg
import openpyxl
import pytest

from base.calendar import office_zone
from base.settings import Home
from orchestration.defs.intake.sensors import run_request_for
from orchestration.defs.resources import PinganHome
from orchestration.inbox import InboxScan, ReadyFile, scan_inbox
from tests.orchestration.conftest import definitions_for
from tests.orchestration.demo_files import demo_file, write_demo_file

SETTLE = 0.5


@pytest.fixture
def home(new_home, monkeypatch) -> Home:
    monkeypatch.setenv("PINGAN_INBOX_SETTLE_SECONDS", str(SETTLE))
    return new_home


def tick(home: Home, cursor: str | None = None):
    """One evaluation of the inbox sensor as the loaded definitions hold it."""
    sensor = definitions_for(home).get_sensor_def("inbox_sensor")
    context = dg.build_sensor_context(cursor=cursor, resources={"pingan": PinganHome(root=str(home.root))})
    result = sensor(context)
    return result, result.cursor


def settled_tick(home: Home, cursor: str | None):
    """A first look, then one more after the settle time: what the sensor does with a file at rest."""
    _, cursor = tick(home, cursor)
    time.sleep(SETTLE + 0.1)
    return tick(home, cursor)


def test_file_still_being_written_waits_until_it_stops_changing(home, tmp_path):
    source = write_demo_file(tmp_path, demo_file("522422", "2022-03"))
    target = home.inbox / "大方县" / source.name
    target.parent.mkdir()
    data = source.read_bytes()
    target.write_bytes(data[: len(data) // 2])  # half copied
    result, cursor = tick(home)
    assert "仍在写入" in result.skip_reason.skip_message
    time.sleep(SETTLE + 0.1)
    target.write_bytes(data)  # the copy finishes: size and mtime change, the clock starts again
    result, cursor = tick(home, cursor)
    assert result.run_requests == [] and "仍在写入" in result.skip_reason.skip_message
    time.sleep(SETTLE + 0.1)
    result, cursor = tick(home, cursor)
    (request,) = result.run_requests
    assert request.job_name == "monthly_bulletin_job" and request.partition_key == "2022-03"
    files = request.run_config["ops"]["raw_tables"]["config"]["files"]
    assert files == [str(target)]


def test_same_content_never_starts_a_second_run(home, tmp_path):
    source = write_demo_file(home.inbox / "大方县", demo_file("522422", "2022-03"))
    result, cursor = settled_tick(home, None)
    (first,) = result.run_requests
    shutil.copy2(source, home.inbox / "大方县" / "again.xlsx")  # the county sends it twice
    source.unlink()
    result, cursor = settled_tick(home, cursor)
    assert result.run_requests == []
    assert "内容已接收过" in result.skip_reason.skip_message
    assert len(json.loads(cursor)["taken"]) == 1 and first.run_key.startswith("inbox-")


def test_archived_content_is_known_from_the_ledger(home, tmp_path):
    from ingest.intake import ingest_files

    source = write_demo_file(tmp_path / "大方县", demo_file("522422", "2022-03"))
    ingest_files([source], home.root)  # taken by hand with `pingan ingest`
    shutil.copy2(source, home.inbox / "dafang.xlsx")
    result, _ = settled_tick(home, None)
    assert result.run_requests == [] and "内容已接收过" in result.skip_reason.skip_message


def test_new_version_of_a_file_starts_a_new_run(home):
    item = demo_file("522422", "2022-03")
    path = write_demo_file(home.inbox / "大方县", item)
    result, cursor = settled_tick(home, None)
    (first,) = result.run_requests
    changed = {**item.values, "D02": int(item.values["D02"]) + 1, "D01": int(item.values["D01"]) + 1}
    resent = item.received_at + dt.timedelta(days=1)
    write_demo_file(home.inbox / "大方县", item, name=path.name, values=changed, received_at=resent)
    result, cursor = settled_tick(home, cursor)
    (second,) = result.run_requests
    assert second.run_key != first.run_key
    assert len(json.loads(cursor)["taken"]) == 2


def test_top_level_file_is_attributed_from_its_content(home):
    write_demo_file(home.inbox, demo_file("522428", "2022-04"))
    result, _ = settled_tick(home, None)
    (request,) = result.run_requests
    assert request.partition_key == "2022-04" and request.tags["pingan/files"] == "1"


def test_unattributable_files_are_skipped_with_a_reason(home):
    write_demo_file(
        home.inbox, demo_file("522422", "2022-03"), name="unknown.xlsx", info={"unit_name": "某某县"}
    )
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "会议通知"
    workbook.save(home.inbox / "notice.xlsx")
    (home.inbox / "scan.pdf").write_bytes(b"%PDF-1.4 not a workbook")
    result, cursor = settled_tick(home, None)
    assert result.run_requests == []
    message = result.skip_reason.skip_message
    assert "3 个文件无法确定报送单位" in message
    for name in ("unknown.xlsx", "notice.xlsx", "scan.pdf"):
        assert name in message
    # Unchanged, they are not read again; moved into a unit's folder, the folder attributes them.
    assert set(json.loads(cursor)["held"]) == {"unknown.xlsx", "notice.xlsx", "scan.pdf"}
    (home.inbox / "大方县").mkdir()
    (home.inbox / "scan.pdf").rename(home.inbox / "大方县" / "scan.pdf")
    result, _ = settled_tick(home, cursor)
    (request,) = result.run_requests
    assert request.job_name == "refresh_job"  # intake will reject it and tell the county why
    assert request.run_config["ops"]["raw_tables"]["config"]["files"] == [
        str(home.inbox / "大方县" / "scan.pdf")
    ]


def test_reports_for_months_not_yet_due_only_refresh_the_warehouse():
    def scan(*months: str) -> InboxScan:
        ready = [ReadyFile(Path(f"/inbox/{m}.xlsx"), m * 4, "522422", "monthly_report", m) for m in months]
        return InboxScan(ready=ready)

    zone = office_zone()
    before = dt.datetime(2022, 12, 6, 7, 59, tzinfo=zone)  # November's bulletin is due at 08:00 on 6 December
    after = dt.datetime(2022, 12, 6, 8, 0, tzinfo=zone)
    assert run_request_for(scan("2022-11"), before).job_name == "refresh_job"
    assert run_request_for(scan("2022-11"), after).partition_key == "2022-11"
    late = run_request_for(scan("2022-05", "2022-09", "2022-11"), before)
    assert late.job_name == "monthly_bulletin_job"
    assert (
        late.tags["dagster/asset_partition_range_start"],
        late.tags["dagster/asset_partition_range_end"],
    ) == (
        "2022-05",
        "2022-09",
    )


def test_a_targets_workbook_republishes_the_months_of_its_year_already_out():
    # Bulletins published before the year's targets were loaded have no scores: the targets bring their
    # 更正. Only months whose bulletin is due are republished; before any is due, only the warehouse.
    targets = InboxScan(
        ready=[ReadyFile(Path("/inbox/2022年目标责任书.xlsx"), "t" * 64, None, "targets", "2022")]
    )
    zone = office_zone()
    assert targets.due_periods(dt.datetime(2022, 3, 10, 9, 0, tzinfo=zone)) == ["2022-01", "2022-02"]
    request = run_request_for(targets, dt.datetime(2022, 3, 10, 9, 0, tzinfo=zone))
    assert request.job_name == "monthly_bulletin_job"
    assert (
        request.tags["dagster/asset_partition_range_start"],
        request.tags["dagster/asset_partition_range_end"],
    ) == ("2022-01", "2022-02")
    assert run_request_for(targets, dt.datetime(2022, 1, 20, 9, 0, tzinfo=zone)).job_name == "refresh_job"


def test_scan_is_plain_python_with_its_own_clock(tmp_path):
    # The clock starts at the real time: the kernel's change time of the file is part of the rule, and
    # the file was written just before.
    inbox = tmp_path / "inbox"
    (inbox / "大方县").mkdir(parents=True)
    write_demo_file(inbox / "大方县", demo_file("522422", "2022-03"))
    start = time.time()
    first = scan_inbox(inbox, None, now=start, settle_seconds=10)
    assert [p.name for p in first.waiting] == ["大方县_2022年03月_综治月报.xlsx"] and not first.ready
    second = scan_inbox(inbox, first.cursor_text, now=start + 9, settle_seconds=10)
    assert second.waiting and not second.ready
    third = scan_inbox(inbox, second.cursor_text, now=start + 10, settle_seconds=10)
    assert [(f.unit_code, f.period) for f in third.ready] == [("522422", "2022-03")]
    assert third.first_seen() == {str(third.ready[0].path): start}


def test_a_file_changed_in_place_waits_by_the_kernels_change_time(tmp_path):
    # Regression (issue 19, item 2): a writer that sets the modification time back after each write
    # (as `cp -p` and `rsync -t` do) looked settled to a sensor that compared size and mtime only.
    inbox = tmp_path / "inbox"
    (inbox / "大方县").mkdir(parents=True)
    path = write_demo_file(inbox / "大方县", demo_file("522422", "2022-03"))
    start = time.time()
    cursor = scan_inbox(inbox, None, now=start - 20, settle_seconds=10).cursor_text  # seen long ago
    stat = path.stat()
    with open(path, "r+b") as handle:  # same size, same mtime afterwards: only the change time moves
        handle.seek(100)
        handle.write(b"\0")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    scan = scan_inbox(inbox, cursor, now=time.time(), settle_seconds=10)
    assert [p.name for p in scan.waiting] == [path.name] and not scan.ready
