"""Archive, versions, duplicates, quarantine, dry runs and rebuilds, on a real DuckDB file."""

import gc
import json
import os
import time

import duckdb
import pytest

from base.settings import Home, Limits
from ingest.archive import read_ledger
from ingest.intake import ingest_files, rebuild_raw
from ingest.results import owed_feedback, read_record
from ingest.sandbox import read_files
from tests.ingest.hostile import far_cell_workbook, torn_part, with_entities, zip_bomb
from tests.ingest.workbooks import consistent_values, write_report
from tests.processes import alive, children_of, wait_until


def rows(home, sql):
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def test_accepted_file_is_archived_by_sha256_and_loaded(tmp_path):
    source = write_report(tmp_path / "in" / "大方县" / "dafang.xlsx")
    (result,) = ingest_files([source], tmp_path / "home")
    assert (result.status, result.unit_code, result.period, result.version) == (
        "accepted",
        "522422",
        "2022-01",
        1,
    )
    archived = tmp_path / "home" / "archive" / result.sha256[:2] / f"{result.sha256}.xlsx"
    assert archived.read_bytes() == source.read_bytes()
    (record,) = read_ledger(tmp_path / "home" / "archive")
    assert (record["file_name"], record["filed_under"], record["sha256"]) == (
        "dafang.xlsx",
        "522422",
        result.sha256,
    )
    assert rows(tmp_path / "home", "select value from raw.indicator_values where indicator_code = 'D02'") == [
        (100.0,)
    ]
    assert source.exists(), "files given on the command line are left where they are"


def test_nothing_is_stored_or_taken_from_the_inbox_before_the_archive_is_on_disk(tmp_path, monkeypatch):
    # The copies are written while the files are read; a failed archive must stop the batch before the
    # raw tables or the inbox are touched (the file is still there for the next attempt).
    inbox = tmp_path / "inbox"
    source = write_report(inbox / "大方县" / "dafang.xlsx")

    def disk_full(receipts, home_root):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("ingest.intake.archive_batch", disk_full)
    with pytest.raises(OSError, match="No space left"):
        ingest_files([inbox], tmp_path / "home", consume_from=inbox)
    assert source.exists()
    assert rows(tmp_path / "home", "select count(*) from raw.submissions") == [(0,)]
    monkeypatch.undo()
    (result,) = ingest_files([inbox], tmp_path / "home", consume_from=inbox)
    assert result.status == "accepted" and not source.exists()


def test_same_bytes_again_are_a_duplicate_and_store_nothing(tmp_path):
    source = write_report(tmp_path / "a.xlsx")
    ingest_files([source], tmp_path / "home")
    (again,) = ingest_files([source], tmp_path / "home")
    assert again.status == "duplicate"
    assert rows(tmp_path / "home", "select count(*) from raw.submissions") == [(1,)]


def test_resubmission_supersedes_earlier_version(tmp_path):
    first = write_report(tmp_path / "v1.xlsx")
    second = write_report(tmp_path / "v2.xlsx", values=consistent_values() | {"C10": 11})
    results = ingest_files([first, second], tmp_path / "home")
    assert [(r.file, r.version) for r in results] == [("v1.xlsx", 1), ("v2.xlsx", 2)]
    (third,) = ingest_files(
        [write_report(tmp_path / "v3.xlsx", values=consistent_values() | {"C10": 12})], tmp_path / "home"
    )
    assert third.version == 3
    assert rows(tmp_path / "home", "select count(*) from raw.submissions") == [(3,)]


def test_error_file_is_rejected_quarantined_with_reasons_and_still_archived(tmp_path):
    bad = write_report(tmp_path / "bad.xlsx", values=consistent_values() | {"D03": 190})
    (result,) = ingest_files([bad], tmp_path / "home")
    assert result.status == "rejected"
    error = next(e for e in result.errors if e["rule_id"] == "CON01")
    assert (error["sheet"], error["cell"], error["severity"]) == ("指标填报", "D15", "error")
    assert error["message"] == "调解成功数（190）大于调解民间纠纷数（100）"
    reasons = list((tmp_path / "home" / "quarantine" / "2022-01").glob("*.原因.json"))
    assert json.loads(reasons[0].read_text(encoding="utf-8"))["findings"][0]["rule_id"] == "CON01"
    assert len(read_ledger(tmp_path / "home" / "archive")) == 1


def test_warning_only_file_is_accepted_and_flagged(tmp_path):
    townships = [("甲镇", 61, 55, "是", 3, 12, 40), ("乙乡", 40, 35, "否", 2, 8, 20)]
    (result,) = ingest_files([write_report(tmp_path / "w.xlsx", townships=townships)], tmp_path / "home")
    assert result.status == "accepted_with_warnings"
    assert [(e["rule_id"], e["field"], e["cell"]) for e in result.errors] == [("CON08", "d02", "D14")]


def test_file_in_another_units_folder_is_rejected(tmp_path):
    source = write_report(tmp_path / "大方县" / "jinsha.xlsx", unit="金沙县")
    (result,) = ingest_files([source], tmp_path / "home")
    assert result.status == "rejected"
    assert [e["rule_id"] for e in result.errors] == ["ID04"]
    assert result.errors[0]["message"] == "文件报送于「大方县」，但表内单位是「金沙县」"


def test_dry_run_reads_and_checks_but_stores_nothing(tmp_path):
    (result,) = ingest_files([write_report(tmp_path / "a.xlsx")], tmp_path / "home", dry_run=True)
    assert result.status == "accepted"
    assert not (tmp_path / "home" / "warehouse.duckdb").exists()
    assert not (tmp_path / "home" / "archive").exists()


def test_inbox_file_leaves_only_after_it_is_archived_and_stored(tmp_path):
    inbox = tmp_path / "home" / "inbox"
    source = write_report(inbox / "大方县" / "a.xlsx")
    (result,) = ingest_files([inbox], tmp_path / "home", consume_from=inbox)
    assert result.status == "accepted" and not source.exists()
    assert rows(tmp_path / "home", "select count(*) from raw.submissions") == [(1,)]


def test_rebuild_from_archive_gives_the_same_raw_tables(tmp_path):
    home = tmp_path / "home"
    write_report(tmp_path / "in" / "大方县" / "a.xlsx")
    write_report(tmp_path / "in" / "大方县" / "b.xlsx", values=consistent_values() | {"D03": 190})
    write_report(tmp_path / "in" / "金沙县" / "c.xlsx", unit="金沙", period="2022-02")
    ingest_files([tmp_path / "in"], home)
    query = (
        "select s.file_name, s.unit_code, s.period, s.version, s.status, v.indicator_code, v.value "
        "from raw.submissions s left join raw.indicator_values v using (sha256) order by all"
    )
    before = rows(home, query)
    (home / "warehouse.duckdb").write_bytes(b"damaged")
    rebuild_raw(home)
    assert rows(home, query) == before


def test_bad_files_get_an_answer_not_a_traceback(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "renamed.xlsx").write_text("单位,数值\n大方县,1\n", encoding="utf-8")
    (tmp_path / "in" / "empty.xlsx").write_bytes(b"")
    good = write_report(tmp_path / "in" / "good.xlsx")
    (tmp_path / "in" / "truncated.xlsx").write_bytes(good.read_bytes()[:1500])
    zip_bomb(tmp_path / "in" / "bomb.xlsx")
    far_cell_workbook(tmp_path / "in" / "far.xlsx")
    started = time.monotonic()
    results = {r.file: r for r in ingest_files([tmp_path / "in"], tmp_path / "home")}
    assert time.monotonic() - started < 30
    assert results["good.xlsx"].status == "accepted"
    for name in ("renamed.xlsx", "empty.xlsx", "truncated.xlsx", "bomb.xlsx", "far.xlsx"):
        assert results[name].status == "rejected", name
        assert results[name].errors[0]["rule_id"] == "STR01"
    assert "不是 Excel 工作簿" in results["renamed.xlsx"].errors[0]["message"]
    assert "空的" in results["empty.xlsx"].errors[0]["message"]
    assert "疑似" in results["bomb.xlsx"].errors[0]["message"]


def with_limits(**changes) -> Limits:
    return Limits(**{**vars(Limits.from_env()), **changes})


def test_reader_over_its_memory_budget_gives_an_answer(tmp_path):
    # Regression: a 1 MiB budget set after start-up sometimes let a small file through; a sheet whose cells
    # need far more than the budget (the bomb: ~500 MB of Python values) fails the same way every time.
    bomb = zip_bomb(tmp_path / "bomb.xlsx")
    limits = with_limits(read_memory_bytes=256 << 20, read_seconds=60)
    (outcome,) = read_files([bomb], limits, precheck=False)  # the sandbox alone
    assert outcome.parsed is None and "内存超出上限" in outcome.failure


def test_reader_that_hangs_costs_one_file_not_the_batch(tmp_path):
    # The bomb gets past no precheck here (the sandbox alone): it must time out or run out of
    # memory in its worker, and the one worker is replaced so the good file after it is still read.
    bomb, good = zip_bomb(tmp_path / "bomb.xlsx"), write_report(tmp_path / "good.xlsx")
    started = time.monotonic()
    stuck, fine = read_files([bomb, good], with_limits(read_seconds=2), workers=1, precheck=False)
    assert time.monotonic() - started < 15
    assert stuck.parsed is None and (
        "读取超时" in stuck.failure or "内存" in stuck.failure or "损坏" in stuck.failure
    )
    assert fine.failure is None and fine.parsed.unit_code == "522422"


@pytest.mark.parametrize("name", ["far.xlsx"])
def test_far_cell_file_is_refused_by_its_declared_extent(tmp_path, name):
    far = far_cell_workbook(tmp_path / name, keep_dimension=True)
    (result,) = ingest_files([far], tmp_path / "home")
    assert result.status == "rejected" and "范围过大" in result.errors[0]["message"]


@pytest.mark.parametrize("part", ["xl/worksheets/sheet2.xml", "xl/workbook.xml", "_rels/.rels"])
def test_a_part_declaring_xml_entities_is_refused_before_any_reader(tmp_path, part):
    hostile = with_entities(write_report(tmp_path / "plain.xlsx"), tmp_path / "laughs.xlsx", part)
    (result,) = ingest_files([hostile], tmp_path / "home")
    assert result.status == "rejected"
    assert f"工作簿部件（{part}）含有 XML 实体声明" in result.errors[0]["message"]


@pytest.mark.parametrize(
    ("part", "said"),
    [("xl/worksheets/sheet2.xml", "工作表"), ("xl/styles.xml", "部件"), ("[Content_Types].xml", "部件")],
)
def test_a_part_that_cannot_be_inflated_is_refused_in_words(tmp_path, part, said):
    # Not the reader's error ("XmlError: I/O error: corrupt deflate stream", or zlib's "Error -3").
    torn = torn_part(write_report(tmp_path / "plain.xlsx"), tmp_path / "torn.xlsx", part)
    (result,) = ingest_files([torn], tmp_path / "home")
    assert result.status == "rejected"
    assert result.errors[0]["message"].endswith(f"工作簿文件已损坏或不完整（{said} {part} 无法解压）")


def test_each_file_gets_a_result_record_with_its_answer(tmp_path):
    bad = write_report(
        tmp_path / "大方县_2022年01月_综治月报.xlsx", values=consistent_values() | {"D03": 190}
    )
    (result,) = ingest_files([bad], tmp_path / "home")
    record = read_record(Home(tmp_path / "home"), result.sha256)
    assert record == result and record.status == "rejected" and record.feedback is None
    assert owed_feedback(record)  # intake records; the feedback workbook is orchestration's next step


def test_a_drop_cut_into_batches_gets_the_same_answers_as_one_batch(tmp_path, monkeypatch):
    # January, then February with G03 (a stock) fallen by more than half: the history rule needs January,
    # which a batch of one file only has from the warehouse; then a resubmission of February.
    values = consistent_values()
    # Written in this order, so received in it (arrival is the kernel's change time).
    write_report(tmp_path / "in" / "01.xlsx", period="2022-01")
    write_report(tmp_path / "in" / "02.xlsx", period="2022-02", values=values | {"G03": 1})
    write_report(tmp_path / "in" / "03.xlsx", period="2022-02", values=values | {"G03": 2})

    def answers(home):
        return [
            (r.file, r.status, r.version, sorted(e["rule_id"] for e in r.errors))
            for r in ingest_files([tmp_path / "in"], home)
        ]

    together = answers(tmp_path / "together")
    monkeypatch.setattr("ingest.intake.BATCH_FILES", 1)
    assert answers(tmp_path / "one_by_one") == together
    assert [(file, version) for file, _, version, _ in together] == [
        ("01.xlsx", 1),
        ("02.xlsx", 1),
        ("03.xlsx", 2),
    ]
    assert "HIS02" in together[1][3]
    sql = "select unit_code, period, version, status from raw.submissions order by all"
    assert rows(tmp_path / "one_by_one", sql) == rows(tmp_path / "together", sql)


def test_batches_are_stored_with_the_cycle_collector_paused_and_each_leaves_its_young_garbage_collected(
    tmp_path, monkeypatch
):
    inbox = tmp_path / "home" / "inbox"
    for month in ("01", "02"):
        write_report(inbox / "大方县" / f"{month}.xlsx", period=f"2022-{month}")
    monkeypatch.setattr("ingest.intake.BATCH_FILES", 1)
    from ingest import intake

    collector_on_while_stored, young_collections = [], []
    store = intake.store_submissions
    monkeypatch.setattr(
        intake,
        "store_submissions",
        lambda *a, **k: collector_on_while_stored.append(gc.isenabled()) or store(*a, **k),
    )
    monkeypatch.setattr(intake, "collect_young_garbage", lambda: young_collections.append(gc.isenabled()))
    results = ingest_files([inbox], tmp_path / "home", consume_from=inbox)
    assert [r.status for r in results] == ["accepted", "accepted"]
    assert collector_on_while_stored == [False, False]
    assert young_collections == [False, False]  # one after each batch, inside the pause
    assert gc.isenabled()


def test_a_batch_that_fails_its_checks_stores_nothing_and_stops_the_batch_read_ahead(tmp_path, monkeypatch):
    # Three batches of one file: while the first is checked, the second is read ahead in the sandbox.
    inbox = tmp_path / "home" / "inbox"
    for month in ("01", "02", "03"):
        write_report(inbox / "大方县" / f"{month}.xlsx", period=f"2022-{month}")
    monkeypatch.setattr("ingest.intake.BATCH_FILES", 1)
    from ingest import intake

    reading = []  # (file, "started" | "finished") as the reads happen

    def watched_read(paths, *args, **kwargs):
        reading.append((paths[0].name, "started"))
        outcomes = read_files(paths, *args, **kwargs)
        reading.append((paths[0].name, "finished"))
        return outcomes

    def broken_validation(*args, **kwargs):
        raise RuntimeError("validation broke")

    monkeypatch.setattr(intake, "read_files", watched_read)
    monkeypatch.setattr(intake, "validate_reports", broken_validation)
    before = alive(children_of(os.getpid()))  # an xdist worker may hold other tests' processes
    with pytest.raises(RuntimeError, match="validation broke"):
        ingest_files([inbox], tmp_path / "home", consume_from=inbox)
    # The failure reached the caller only once the batch read ahead was done with.
    assert reading == [(f, s) for f in ("01.xlsx", "02.xlsx") for s in ("started", "finished")]
    assert wait_until(lambda: alive(children_of(os.getpid())) <= before, 10)  # its workers gone
    assert rows(tmp_path / "home", "select count(*) from raw.submissions") == [(0,)]
    assert sorted(p.name for p in (inbox / "大方县").iterdir()) == ["01.xlsx", "02.xlsx", "03.xlsx"]

    monkeypatch.undo()  # the rerun takes every file, each batch read once
    monkeypatch.setattr("ingest.intake.BATCH_FILES", 1)
    read = []
    monkeypatch.setattr(
        intake, "read_files", lambda paths, *a, **k: read.append(paths) or read_files(paths, *a, **k)
    )
    results = ingest_files([inbox], tmp_path / "home", consume_from=inbox)
    assert [(r.file, r.status, r.version) for r in results] == [
        ("01.xlsx", "accepted", 1),
        ("02.xlsx", "accepted", 1),
        ("03.xlsx", "accepted", 1),
    ]
    assert [[p.name for p in paths] for paths in read] == [["01.xlsx"], ["02.xlsx"], ["03.xlsx"]]
