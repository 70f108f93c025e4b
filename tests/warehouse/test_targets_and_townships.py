"""The marts that say which targets workbook each year uses (fct_target_files), the township rows of the
version used (fct_township_values), and target types by their Chinese label (fct_target_attainment)."""

from __future__ import annotations

import datetime as dt

import pytest
from warehouse_builder import RawWarehouse, Target, build_marts, query

from base import catalogue

LINES = [Target("522422", "D02", "min", 100, 60), Target("522422", "D04", "max", 0, 40, is_veto=True)]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    work_dir = tmp_path_factory.mktemp("targets_and_townships")
    raw = RawWarehouse(work_dir / "warehouse.duckdb")
    raw.add_targets(2021, LINES)
    raw.add_targets(2022, LINES)
    raw.add_targets(2022, [*LINES, Target("522424", "D02", "min", 90, 100)], status="accepted_with_warnings")
    raw.add_targets(2022, LINES[:1], status="rejected", error_count=1, received_at=dt.datetime(2022, 2, 1))
    first = raw.add_report("522422", "2022-05", {"D02": 30})
    raw.add_townships(first, [("甲镇", 20, 18, True), ("乙乡", 10, 9, False)])
    second = raw.add_report("522422", "2022-05", {"D02": 31})
    raw.add_townships(second, [("甲镇", 21, 18, True), ("丙镇", 10, 9, None)])
    rejected = raw.add_report("522422", "2022-05", {"D02": 99}, status="rejected", error_count=1)
    raw.add_townships(rejected, [("甲镇", 99, 99, True)])
    other = raw.add_report("522424", "2022-05", {"D02": 5})
    raw.add_townships(other, [("甲镇", 5, 5, False)])
    build_marts(raw.path, work_dir, select="+fct_target_files +int_targets_used +fct_township_values")
    return raw.path


def test_each_year_names_the_latest_accepted_targets_workbook_with_its_lines(warehouse):
    assert query(
        warehouse,
        "select year, file_name, version, status, received_at, target_lines from marts.fct_target_files"
        " order by year",
    ) == [
        (2021, "targets_2021_v1.xlsx", 1, "accepted", dt.datetime(2021, 1, 15, 9, 0), 2),
        (2022, "targets_2022_v2.xlsx", 2, "accepted_with_warnings", dt.datetime(2022, 1, 15, 9, 0), 3),
    ]  # 2022's version 3 was rejected


def test_target_files_contract_is_exactly_what_the_bulletin_reads(warehouse):
    assert query(
        warehouse,
        "select column_name, data_type from information_schema.columns"
        " where table_schema = 'marts' and table_name = 'fct_target_files' order by ordinal_position",
    ) == [
        ("year", "INTEGER"),
        ("sha256", "VARCHAR"),
        ("file_name", "VARCHAR"),
        ("version", "INTEGER"),
        ("status", "VARCHAR"),
        ("received_at", "TIMESTAMP"),
        ("target_lines", "INTEGER"),
    ]


def test_target_lines_used_are_those_of_the_workbook_named(warehouse):
    assert query(
        warehouse,
        "select t.year, count(*), count(distinct t.sha256) = 1, any_value(t.sha256) = any_value(f.sha256)"
        " from intermediate.int_targets_used t join marts.fct_target_files f on t.year = f.year"
        " group by t.year order by t.year",
    ) == [(2021, 2, True, True), (2022, 3, True, True)]


def test_township_rows_come_from_the_version_used_only(warehouse):
    assert query(
        warehouse,
        "select unit_code, period, township_name, row_number, d02, d03, has_centre, version"
        " from marts.fct_township_values order by unit_code, row_number",
    ) == [
        ("522422", "2022-05", "甲镇", 3, 21.0, 18.0, True, 2),
        ("522422", "2022-05", "丙镇", 4, 10.0, 9.0, None, 2),
        ("522424", "2022-05", "甲镇", 3, 5.0, 5.0, False, 1),
    ]


def test_attainment_names_each_target_type_by_its_label(scenario_warehouse):
    labels = {t.code: t.label for t in catalogue.target_types()}
    rows = scenario_warehouse.rows(
        "select distinct target_type, target_type_label from marts.fct_target_attainment order by 1"
    )
    assert rows == [("max", "不高于"), ("min", "不低于"), ("rank_within", "排名进入")]
    assert all(labels[code] == label for code, label in rows)
