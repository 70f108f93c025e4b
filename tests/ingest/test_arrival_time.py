"""When a file arrived rests on a time pingan observed, or on the office's statement with its record
(issue 19, item 7).

Regression: the received time was the file's modification time, which the sender controls: a 2023-01
file ingested years later with its mtime set to 2023-01-10 counted as on time."""

import datetime as dt
import json
import os

import duckdb

from base import calendar
from ingest.archive import read_ledger
from ingest.arrivals import ARRIVALS_NAME
from ingest.intake import ingest_files, rebuild_raw
from orchestration.cli import main
from tests.ingest.workbooks import write_report


def received(home) -> list[tuple]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as connection:
        return connection.execute(
            "select file_name, received_at::varchar from raw.submissions order by all"
        ).fetchall()


def test_a_modification_time_set_back_does_not_make_a_late_file_on_time(tmp_path):
    report = write_report(tmp_path / "大方县" / "dafang.xlsx", period="2023-01")
    on_time = dt.datetime(2023, 1, 10, 9, 0, tzinfo=calendar.office_zone()).timestamp()
    os.utime(report, (on_time, on_time))
    before = calendar.local_now()
    (result,) = ingest_files([report], tmp_path / "home")
    arrival = dt.datetime.fromisoformat(result.received_at)
    assert before - dt.timedelta(seconds=60) <= arrival <= calendar.local_now()
    (line,) = read_ledger(tmp_path / "home" / "archive")
    assert line["observed_at"] == line["received_at"] == result.received_at
    assert "arrival_stated" not in line


def test_the_inbox_sensors_first_sighting_counts_when_it_is_earlier(tmp_path):
    report = write_report(tmp_path / "大方县" / "dafang.xlsx")
    seen = dt.datetime(2024, 3, 1, 8, 0, tzinfo=calendar.office_zone())
    (result,) = ingest_files([report], tmp_path / "home", first_seen={str(report): seen.timestamp()})
    assert result.received_at == "2024-03-01T08:00:00"


def test_the_office_states_an_arrival_with_its_reason_on_the_record(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PINGAN_INBOX_SETTLE_SECONDS", "0")
    home = tmp_path / "home"
    report = write_report(tmp_path / "大方县" / "dafang.xlsx", period="2022-01")
    reason = "2月4日通过电子邮件收到，2月10日才放入收件箱"
    arguments = ["ingest", "--home", str(home), "--received-at", "2022-02-04 09:30", "--reason", reason]
    assert main([*arguments, str(report)]) == 0
    assert "已登记到达时间：dafang.xlsx 2022-02-04 09:30" in capsys.readouterr().err
    assert received(home) == [("dafang.xlsx", "2022-02-04 09:30:00")]
    (line,) = read_ledger(home / "archive")
    assert line["received_at"] == "2022-02-04T09:30:00"
    assert line["observed_at"] > "2025"  # what pingan saw, kept beside the statement
    assert line["arrival_stated"]["reason"] == reason and line["arrival_stated"]["stated_by"]
    (statement,) = [json.loads(x) for x in (home / "archive" / ARRIVALS_NAME).read_text().splitlines()]
    assert (statement["file_name"], statement["received_at"], statement["sha256"]) == (
        "dafang.xlsx",
        "2022-02-04T09:30:00",
        line["sha256"],
    )
    rebuild_raw(home)
    assert received(home) == [("dafang.xlsx", "2022-02-04 09:30:00")]


def test_an_arrival_stated_after_intake_amends_the_stored_one(tmp_path, monkeypatch, capsys):
    # The file was filed (and counted late) before the office learnt it had come by email in time.
    monkeypatch.setenv("PINGAN_INBOX_SETTLE_SECONDS", "0")
    home = tmp_path / "home"
    report = write_report(tmp_path / "大方县" / "dafang.xlsx", period="2022-01")
    assert main(["ingest", "--home", str(home), str(report)]) == 0
    arguments = ["ingest", "--home", str(home), "--received-at", "2022-02-03", "--reason", "邮件收到"]
    assert main([*arguments, str(report)]) == 0
    err = capsys.readouterr().err
    assert "到达时间已按办公室登记改为 2022-02-03 00:00:00（理由：邮件收到），下次更新数据仓库后生效" in err
    assert received(home) == [("dafang.xlsx", "2022-02-03 00:00:00")]
    first, amendment = read_ledger(home / "archive")
    assert first["sha256"] == amendment["sha256"] and amendment["arrival_stated"]["reason"] == "邮件收到"
    rebuild_raw(home)
    assert received(home) == [("dafang.xlsx", "2022-02-03 00:00:00")]


def test_a_statement_needs_a_reason_and_cannot_be_in_the_future(tmp_path, capsys):
    report = write_report(tmp_path / "dafang.xlsx")
    home = ["--home", str(tmp_path / "home")]
    assert main(["ingest", *home, "--received-at", "2022-02-04", str(report)]) == 2
    assert "登记到达时间必须写明理由" in capsys.readouterr().err
    later = (calendar.local_now() + dt.timedelta(days=2)).strftime("%Y-%m-%d")
    assert main(["ingest", *home, "--received-at", later, "--reason", "x", str(report)]) == 2
    assert "晚于现在，不能登记" in capsys.readouterr().err
    assert main(["ingest", *home, "--received-at", "去年", "--reason", "x", str(report)]) == 2
    assert "时间应写成 2022-02-04 或 2022-02-04 09:30" in capsys.readouterr().err
    assert not (tmp_path / "home" / "archive" / ARRIVALS_NAME).exists()
