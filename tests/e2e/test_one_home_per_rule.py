"""Each rule has one home: changed there, and only there, every reader follows (issue 13).

One small pipeline (two units' 2022 reports and the targets) runs on a copy of the seeds in which four
rules are changed where they live:

- a target type's Chinese label (target_types.csv: min 不低于 → 至少);
- a grade's word and threshold (grades.csv: 优秀 from 90 → 出色 from 85);
- the prefecture's and the office's names (scoring_settings.csv);
- the deadline day (scoring_settings.csv: the 5th → the 10th).

The template, the reader, the marts, the bulletin and the feedback workbook all show the change.
"""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import openpyxl
import pytest

from base import catalogue
from base.settings import Home, Limits, Settings
from exports.template import write_submission_workbook, write_targets_workbook
from orchestration.intake import take_in
from orchestration.prepare import prepare_home
from orchestration.publish import publish_bulletins
from orchestration.warehouse import build_warehouse
from sampledata.demo import demo_targets, write_demo_files
from tests.reference_copy import ReferenceCopy

pytestmark = pytest.mark.e2e

UNITS = ("522422", "522428")  # 大方县, and 赫章县 whose May report is rejected, then corrected
LABEL, GRADE, THRESHOLD = "至少", "出色", 85.0
PREFECTURE, OFFICE = "黔南州", "黔南州综治办"
DEADLINE_DAY = 10


def all_cells(path) -> list[str]:
    workbook = openpyxl.load_workbook(path)
    return [str(c) for ws in workbook.worksheets for row in ws.iter_rows(values_only=True) for c in row if c]


@pytest.fixture(scope="module")
def changed(tmp_path_factory):
    """The pipeline run on the changed seeds: (settings, the published bulletin, the inbox)."""
    work = tmp_path_factory.mktemp("one-home")
    reference = ReferenceCopy(work / "reference")
    reference.change("target_types", "target_type", "min", label=LABEL)
    reference.change("grades", "grade", "优秀", grade=GRADE, min_score=f"{THRESHOLD:g}")
    reference.change("scoring_settings", "setting", "prefecture", value=PREFECTURE)
    reference.change("scoring_settings", "setting", "office_name", value=OFFICE)
    reference.change("scoring_settings", "setting", "deadline_day", value=str(DEADLINE_DAY))
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setenv("PINGAN_REFERENCE_DIR", str(reference.folder))  # the sandbox's readers too
    catalogue.forget_cached_reference()
    settings = Settings(
        home=Home(work / "home"), bulletin_pdf=False, reference_dir=reference.folder, limits=Limits()
    )
    prepare_home(settings, dbt=False)
    inbox = work / "inbox"
    write_demo_files(inbox, units=UNITS)
    # The office types the new label, not the code, in the targets workbook's 目标类型 column.
    (targets,) = inbox.glob("*目标管理责任书*.xlsx")
    rows = [r | {"target_type": LABEL} if r["target_type"] == "min" else r for r in demo_targets(2022)]
    write_targets_workbook(targets, 2022, rows)
    results = take_in([inbox], settings)
    build_warehouse(settings)
    (bulletin,) = publish_bulletins(settings, ["2022-12"])
    yield settings, bulletin, results
    monkeypatch.undo()
    catalogue.forget_cached_reference()


def marts(settings: Settings, sql: str, *params) -> list[tuple]:
    with duckdb.connect(str(settings.home.warehouse), read_only=True) as connection:
        return connection.execute(sql, params).fetchall()


def test_the_template_shows_the_new_label_and_deadline(changed, tmp_path):
    report = write_submission_workbook(tmp_path / "r.xlsx", catalogue.resolve_unit("大方县"), "2022-05")
    text = "\n".join(all_cells(report))
    assert f"次月{DEADLINE_DAY}日" in text and f"2022年6月{DEADLINE_DAY}日" in text
    targets = "\n".join(all_cells(write_targets_workbook(tmp_path / "t.xlsx", 2022)))
    assert f"min（{LABEL}）" in targets and f"直接定为{catalogue.veto_grade()}" in targets


def test_the_reader_takes_the_new_label_for_its_type(changed):
    settings, _, results = changed
    (targets,) = [r for r in results if r.kind == "targets"]
    assert targets.status.startswith("accepted"), targets.errors
    typed = marts(settings, "select distinct target_type from raw.targets where target_type = 'min'")
    assert typed == [("min",)]


def test_the_marts_show_the_label_the_grade_and_the_deadline(changed):
    settings, _, _ = changed
    assert marts(
        settings,
        "select distinct target_type_label from marts.fct_target_attainment where target_type = 'min'",
    ) == [(LABEL,)]
    grades = dict(
        marts(settings, "select grade, min(score) from marts.fct_unit_scores where not veto group by 1")
    )
    assert "优秀" not in grades
    if GRADE in grades:
        assert grades[GRADE] >= THRESHOLD
    scored = marts(
        settings,
        "select count(*) from marts.fct_unit_scores where not veto and score >= ? and score < 90 and grade <> ?",
        THRESHOLD,
        GRADE,
    )
    assert scored == [(0,)]  # 85 ≤ score < 90 is 出色 now
    assert marts(
        settings, "select distinct deadline from marts.fct_submission_status where period = '2022-05'"
    ) == [(dt.date(2022, 6, DEADLINE_DAY),)]


def test_the_bulletin_shows_the_office_the_grades_the_label_and_the_deadline(changed):
    _, bulletin, _ = changed
    workbook = openpyxl.load_workbook(bulletin.path)
    assert workbook["综合排名"]["A1"].value == f"{PREFECTURE}社会治安综合治理考评排名通报"
    text = "\n".join(all_cells(bulletin.path))
    assert f"发布单位：{OFFICE}" in text
    assert f"{GRADE} ≥{THRESHOLD:g}分" in text and "优秀" not in text
    assert LABEL in text and "不低于" not in text
    assert f"次月{DEADLINE_DAY}日" in text
    manifest = json.loads(bulletin.manifest_path.read_text(encoding="utf-8"))
    assert (manifest["prefecture"], manifest["issued_by"]) == (PREFECTURE, OFFICE)


def test_the_feedback_gives_the_new_deadline(changed):
    _, _, results = changed
    rejected = [r for r in results if r.status == "rejected" and r.period == "2022-05"]
    assert rejected and rejected[0].feedback
    assert f"2022年6月{DEADLINE_DAY}日" in "\n".join(all_cells(rejected[0].feedback))
