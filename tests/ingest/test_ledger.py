"""The ledger survives a torn tail, and rebuild accounts for every archived file.

Regression (issue 19, item 1): cutting the last bytes of ledger.jsonl (what a kill during an append
leaves) and ingesting one more file glued the next record onto the torn one; both became unreadable,
and ``rebuild`` silently dropped the first file (its unit then showed 未报)."""

import json

import duckdb

from ingest.archive import LEDGER_NAME, audit_ledger, read_ledger, read_ledger_lines
from ingest.intake import ingest_files, rebuild_raw
from ingest.recovery import FROM_ARCHIVE, FROM_LEDGER_LINE, FROM_WAREHOUSE
from orchestration.cli import main
from tests.ingest.workbooks import write_report

SUBMISSIONS = (
    "select file_name, unit_code, period, version, status, received_at from raw.submissions order by all"
)


def rows(home, sql=SUBMISSIONS):
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def two_files_with_the_first_line_torn(tmp_path):
    """大方县 taken in, its ledger line cut by 60 bytes, then 金沙县 taken in."""
    home = tmp_path / "home"
    (first,) = ingest_files([write_report(tmp_path / "a" / "大方县" / "dafang.xlsx")], home)
    ledger = home / "archive" / LEDGER_NAME
    ledger.write_bytes(ledger.read_bytes()[:-60])
    second = write_report(tmp_path / "b" / "金沙县" / "jinsha.xlsx", unit="金沙", period="2022-02")
    ingest_files([second], home)
    return home, first


def test_a_record_appended_after_a_torn_line_stays_readable(tmp_path):
    home, first = two_files_with_the_first_line_torn(tmp_path)
    reading = read_ledger_lines(home / "archive")
    assert [r["file_name"] for r in reading.records] == ["jinsha.xlsx"]
    assert [number for number, _ in reading.damaged] == [1]
    audit = audit_ledger(home / "archive")
    assert list(audit.unrecorded) == [first.sha256]
    assert "pingan rebuild" in audit.message


def test_rebuild_recovers_a_file_whose_ledger_line_was_torn(tmp_path):
    home, first = two_files_with_the_first_line_torn(tmp_path)
    before = rows(home)
    assert [r[:5] for r in before] == [
        ("dafang.xlsx", "522422", "2022-01", 1, "accepted"),
        ("jinsha.xlsx", "522424", "2022-02", 1, "accepted"),
    ]
    rebuild_raw(home)
    assert rows(home) == before  # same names, units, versions and arrival times
    (recovered,) = [r for r in read_ledger(home / "archive") if r["sha256"] == first.sha256]
    assert recovered["recovered"] == FROM_LEDGER_LINE and recovered["filed_under"] == "522422"
    assert audit_ledger(home / "archive").message is None


def test_rebuild_recovers_from_the_replaced_warehouse_when_the_line_is_gone(tmp_path):
    home, first = two_files_with_the_first_line_torn(tmp_path)
    ledger = home / "archive" / LEDGER_NAME
    ledger.write_text(ledger.read_text(encoding="utf-8").split("\n", 1)[1], encoding="utf-8")
    before = rows(home)
    rebuild_raw(home)
    assert rows(home) == before
    (recovered,) = [r for r in read_ledger(home / "archive") if r["sha256"] == first.sha256]
    assert (recovered["recovered"], recovered["file_name"]) == (FROM_WAREHOUSE, "dafang.xlsx")


def test_rebuild_recovers_from_the_archived_copy_alone(tmp_path):
    # No readable line and no warehouse: the copy's content says which unit and month it is.
    home, first = two_files_with_the_first_line_torn(tmp_path)
    ledger = home / "archive" / LEDGER_NAME
    ledger.write_text(ledger.read_text(encoding="utf-8").split("\n", 1)[1], encoding="utf-8")
    (home / "warehouse.duckdb").unlink()
    rebuild_raw(home)
    name = f"{first.sha256}.xlsx"
    assert [r[:5] for r in rows(home)] == [
        (name, "522422", "2022-01", 1, "accepted"),
        ("jinsha.xlsx", "522424", "2022-02", 1, "accepted"),
    ]
    (recovered,) = [r for r in read_ledger(home / "archive") if r["sha256"] == first.sha256]
    assert recovered["recovered"] == FROM_ARCHIVE


def test_ingest_says_when_the_ledger_misses_an_archived_file(tmp_path, capsys):
    home, _ = two_files_with_the_first_line_torn(tmp_path)
    third = write_report(tmp_path / "c" / "赫章县" / "hezhang.xlsx", unit="赫章", period="2022-03")
    assert main(["ingest", "--home", str(home), str(third)]) == 0
    err = capsys.readouterr().err
    assert "归档中有 1 个文件在归档账本" in err and "pingan rebuild" in err
    assert json.loads((home / "archive" / LEDGER_NAME).read_text().splitlines()[-1])["file_name"] == (
        "hezhang.xlsx"
    )
