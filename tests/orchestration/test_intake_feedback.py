"""Intake as every door does it (orchestration.intake.take_in): the files stored, then the
数据质量反馈表 each file with findings is owed, written in the sandbox."""

from pathlib import Path

import openpyxl

from base.settings import Home, Settings
from exports.template import write_targets_workbook
from ingest.results import owed_feedback, read_record
from orchestration.intake import take_in
from sampledata.demo import demo_targets
from tests.ingest.workbooks import consistent_values, write_report


def settings(tmp_path: Path) -> Settings:
    return Settings.from_env(tmp_path / "home")


def test_file_with_findings_gets_its_feedback_workbook(tmp_path):
    bad = write_report(
        tmp_path / "大方县_2022年01月_综治月报.xlsx", values=consistent_values() | {"D03": 190}
    )
    (result,) = take_in([bad], settings(tmp_path))
    assert result.feedback.endswith("大方县_2022-01_v1_数据质量反馈表.xlsx")
    workbook = openpyxl.load_workbook(result.feedback)
    assert workbook["指标填报"]["D15"].comment.text.startswith("规则 CON01")
    (clean,) = take_in([write_report(tmp_path / "ok.xlsx", period="2022-02")], settings(tmp_path))
    assert clean.feedback is None
    assert not owed_feedback(read_record(Home(tmp_path / "home"), result.sha256))


def test_two_unreadable_files_of_one_name_each_get_their_feedback(tmp_path):
    # Neither has a unit, period or version: the feedback is named after the file and its sha256.
    first, second = tmp_path / "a" / "报表.xlsx", tmp_path / "b" / "报表.xlsx"
    for path, text in ((first, b"not a workbook"), (second, b"not a workbook either")):
        path.parent.mkdir()
        path.write_bytes(text)
    results = take_in([first, second], settings(tmp_path))
    assert [r.status for r in results] == ["rejected", "rejected"]
    names = {Path(r.feedback).name for r in results}
    assert names == {f"未识别单位_未识别期间_报表_{r.sha256[:8]}_数据质量反馈表.xlsx" for r in results}


def test_targets_workbook_with_errors_gets_its_feedback(tmp_path):
    rows = demo_targets(2022)
    rows[0] = rows[0] | {"target_type": "rank_up", "indicator_code": "R04"}
    (result,) = take_in([write_targets_workbook(tmp_path / "t.xlsx", 2022, rows)], settings(tmp_path))
    assert result.status == "rejected"
    assert result.feedback.endswith("目标管理责任书_2022_v1_数据质量反馈表.xlsx")


def test_a_file_owed_its_feedback_gets_it_when_the_same_bytes_come_again(tmp_path):
    # A crash after the file was stored and recorded, before its feedback was written: the rerun (or the
    # county sending the same file again) sees a duplicate, and completes what the first answer owed.
    bad = write_report(
        tmp_path / "大方县_2022年01月_综治月报.xlsx", values=consistent_values() | {"D03": 190}
    )
    from ingest.intake import ingest_files

    (first,) = ingest_files([bad], tmp_path / "home")
    assert owed_feedback(read_record(Home(tmp_path / "home"), first.sha256))
    (again,) = take_in([bad], settings(tmp_path))
    assert again.status == "duplicate"
    record = read_record(Home(tmp_path / "home"), first.sha256)
    assert not owed_feedback(record) and Path(record.feedback).is_file()
