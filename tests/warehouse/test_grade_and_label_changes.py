"""Grade words and target-type labels live in one seed each: changed there, the marts follow. The
hand-worked scenario (warehouse_scenario.py) is built on a copy of the seeds where 不合格 is called 差 and
the max target type is labelled 不超过; 金沙县 is vetoed every month of 2022."""

from __future__ import annotations

import pytest
import warehouse_scenario
from warehouse_builder import RawWarehouse, build_marts, query
from warehouse_scenario import JINSHA

from base import catalogue
from tests.reference_copy import ReferenceCopy


@pytest.fixture(scope="module")
def renamed(tmp_path_factory):
    work_dir = tmp_path_factory.mktemp("renamed")
    reference = ReferenceCopy(work_dir / "reference")
    reference.change("grades", "grade", "不合格", grade="差")
    reference.change("target_types", "target_type", "max", label="不超过")
    raw = RawWarehouse(work_dir / "warehouse.duckdb")
    warehouse_scenario.build(raw)
    build_marts(raw.path, work_dir, reference.folder)
    return raw.path, reference


def test_a_failed_veto_gives_the_grade_the_grades_seed_marks(renamed):
    warehouse, _ = renamed
    assert query(
        warehouse,
        "select distinct grade, veto, yellow_card_reason from marts.fct_unit_scores"
        " where unit_code = ? and period_type = 'month' and period = '2022-01'",
        [JINSHA],
    ) == [("差", True, "综合考评等级为差")]
    assert query(warehouse, "select count(*) from marts.fct_unit_scores where grade = '不合格'") == [(0,)]


def test_attainment_shows_the_renamed_label(renamed):
    warehouse, _ = renamed
    assert query(
        warehouse,
        "select distinct target_type_label from marts.fct_target_attainment where target_type = 'max'",
    ) == [("不超过",)]


def test_the_catalogue_reads_the_same_grade_words(renamed, use_reference):
    _, reference = renamed
    use_reference(reference)
    assert (catalogue.veto_grade(), catalogue.yellow_card_grade()) == ("差", "差")
    assert catalogue.target_type_by_code()["max"].label == "不超过"


def test_the_veto_grade_is_the_marked_row_not_the_lowest(reference_copy, use_reference):
    reference_copy.change("grades", "grade", "不合格", is_veto_grade="false")
    reference_copy.change("grades", "grade", "合格", is_veto_grade="true")
    use_reference(reference_copy)
    assert (catalogue.veto_grade(), catalogue.yellow_card_grade()) == ("合格", "不合格")


def test_the_project_seeds_mark_不合格_for_both(renamed):
    assert (catalogue.veto_grade(), catalogue.yellow_card_grade()) == ("不合格", "不合格")
