"""Whatever a file is owed (its record, quarantine copy, 数据质量反馈表) is owed until it exists, and names
pingan writes are bounded whatever the county called its file (issue 19, item 3).

Regression: a SIGKILL right after the database write, or a 250-byte file name (OSError: File name too
long, with a traceback), lost the quarantine copy and the feedback for good: the rerun saw every file
as 重复 and never wrote them."""

import json
import signal
import subprocess
import sys
from pathlib import Path

import duckdb

from base.settings import Home, Settings
from ingest.results import owed_feedback, owed_quarantine, read_record
from orchestration.intake import take_in
from tests.ingest.workbooks import consistent_values, write_report

ROOT = Path(__file__).resolve().parents[2]
REJECTED = consistent_values() | {"D03": 190}
KILL_AFTER_THE_DATABASE_WRITE = """
import os, signal, sys
from pathlib import Path
import ingest.intake
from base.settings import Settings
from orchestration.intake import take_in

def killed(*args, **kwargs):  # the first thing intake does once the batch is committed
    os.kill(os.getpid(), signal.SIGKILL)

ingest.intake.settle_quarantine = killed
settings = Settings.from_env(sys.argv[1])
take_in([settings.home.inbox], settings, consume_from=settings.home.inbox)
"""


def test_a_kill_after_the_database_write_loses_neither_quarantine_nor_feedback(tmp_path):
    home = Home(tmp_path / "home")
    bad = write_report(home.inbox / "大方县" / "大方县_2022年01月_综治月报.xlsx", values=REJECTED)
    killed = subprocess.run(
        [sys.executable, "-c", KILL_AFTER_THE_DATABASE_WRITE, str(home.root)],
        cwd=ROOT,
        capture_output=True,
        timeout=300,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    with duckdb.connect(str(home.warehouse), read_only=True) as connection:
        (row,) = connection.execute("select sha256, status, version from raw.submissions").fetchall()
    sha256 = row[0]
    assert row[1:] == ("rejected", 1) and bad.exists()
    assert read_record(home, sha256) is None and not list(home.quarantine.rglob("*.xlsx"))

    (again,) = take_in([home.inbox], Settings.from_env(home.root), consume_from=home.inbox)
    assert (again.status, again.sha256) == ("duplicate", sha256) and not bad.exists()
    record = read_record(home, sha256)
    assert (record.status, record.version, record.file) == ("rejected", 1, bad.name)
    assert not owed_quarantine(record) and not owed_feedback(record)
    quarantined = Path(record.quarantine)
    assert quarantined.read_bytes() == (home.archive / sha256[:2] / f"{sha256}.xlsx").read_bytes()
    reasons = json.loads(Path(f"{quarantined}.原因.json").read_text(encoding="utf-8"))
    assert [f["rule_id"] for f in reasons["findings"]] == ["CON01"]
    assert Path(record.feedback).name == "大方县_2022-01_v1_数据质量反馈表.xlsx"


def test_a_file_name_of_250_bytes_gets_its_quarantine_copy_and_feedback(tmp_path):
    name = "大方县" + "综治月报" * 19 + "表_2201.xlsx"  # 250 bytes of UTF-8
    assert len(name.encode("utf-8")) == 250
    bad = write_report(tmp_path / "大方县" / name, values=REJECTED)
    unreadable = tmp_path / "大方县" / ("坏" + name[1:])
    unreadable.write_bytes(b"not a workbook")
    results = {r.file: r for r in take_in([bad, unreadable], Settings.from_env(tmp_path / "home"))}
    rejected, broken = results[bad.name], results[unreadable.name]
    for result in (rejected, broken):
        assert result.status == "rejected" and result.message is None
        for path in (Path(result.quarantine), Path(result.feedback)):
            assert path.is_file() and len(path.name.encode("utf-8")) <= 180, path.name
    assert Path(rejected.quarantine).name.startswith(f"{rejected.sha256[:12]}_大方县综治月报")
    assert Path(rejected.quarantine).suffix == ".xlsx"
    assert Path(broken.feedback).name.endswith(f"_{broken.sha256[:8]}_数据质量反馈表.xlsx")


def test_a_quarantine_copy_that_cannot_be_written_stays_owed(tmp_path):
    home = Home(tmp_path / "home")
    bad = write_report(tmp_path / "大方县" / "bad.xlsx", values=REJECTED)
    home.quarantine.mkdir(parents=True)
    blocker = home.quarantine / "2022-01"
    blocker.write_text("a file where the month's folder should be")  # as a broken disk would refuse
    (first,) = take_in([bad], Settings.from_env(home.root))
    assert first.status == "rejected" and owed_quarantine(read_record(home, first.sha256))
    assert first.message.startswith("退回文件的隔离副本未能写出（")
    assert first.message.endswith("原件已归档，不会丢失；下次运行 pingan ingest 时会补写")
    blocker.unlink()
    (again,) = take_in([bad], Settings.from_env(home.root))
    record = read_record(home, first.sha256)
    assert again.status == "duplicate" and not owed_quarantine(record)
    assert Path(record.quarantine).parent == home.quarantine / "2022-01"
