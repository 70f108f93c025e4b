"""The office's targets workbook (目标管理责任书) is ingested, checked and versioned like any submission."""

import duckdb

from base import catalogue
from exports.template import write_targets_workbook
from ingest.intake import ingest_files
from sampledata.demo import demo_targets


def test_demo_targets_are_accepted_with_the_speechs_named_targets(tmp_path):
    path = write_targets_workbook(tmp_path / "目标管理责任书_2022年.xlsx", 2022, demo_targets(2022))
    (result,) = ingest_files([path], tmp_path / "home")
    assert (result.status, result.kind, result.period, result.version) == ("accepted", "targets", "2022", 1)
    with duckdb.connect(str(tmp_path / "home" / "warehouse.duckdb"), read_only=True) as connection:
        named = connection.execute("""
            select unit_code, target_type, target_value from raw.targets
            where indicator_code in ('S01', 'S02') order by unit_code""").fetchall()
        totals = connection.execute("select sum(points) from raw.targets group by unit_code").fetchall()
    assert ("522401", "rank_within", 60.0) in named and ("522425", "rank_within", 60.0) in named
    assert {
        ("522424", "rank_up", 5.0),
        ("522422", "rank_up", 5.0),
        ("522423", "rank_up", 5.0),
        ("522428", "rank_up", 5.0),
        ("522490", "improve", 0.0),
    } <= set(named)
    assert set(totals) == {(100.0,)}


def test_bad_target_rows_are_named_by_row(tmp_path):
    rows = demo_targets(2022)
    rows[0] = rows[0] | {"target_type": "rank_up", "indicator_code": "R04"}
    rows[1] = rows[1] | {"target_value": "很高"}
    (result,) = ingest_files([write_targets_workbook(tmp_path / "t.xlsx", 2022, rows)], tmp_path / "home")
    assert result.status == "rejected"
    errors = [(e["rule_id"], e["cell"]) for e in result.errors if e["severity"] == "error"]
    assert errors == [("TGT01", "A3"), ("TGT01", "A4")]
    assert "只能用于排名类指标" in result.errors[0]["message"]
    assert result.errors[0]["message"] == (
        "第 3 行：目标类型 rank_up（排名上升）只能用于排名类指标（如 S02 群众安全感全省排名），"
        "不能用于「R04 调解成功率」"
    )


def test_target_types_are_read_by_code_or_chinese_label(tmp_path):
    rows = demo_targets(2022)
    # R04 min, R03 min, D04 max, C02 growth: a label, a code in capitals, a label with a space, full width
    typed = {0: "不低于", 1: " MIN ", 4: "不 高于", 6: "ｇｒｏｗｔｈ"}
    for index, text in typed.items():
        rows[index] = rows[index] | {"target_type": text}
    (result,) = ingest_files([write_targets_workbook(tmp_path / "t.xlsx", 2022, rows)], tmp_path / "home")
    assert result.status == "accepted"
    with duckdb.connect(str(tmp_path / "home" / "warehouse.duckdb"), read_only=True) as connection:
        stored = connection.execute(
            "select unit_code, indicator_code, target_type from raw.targets"
        ).fetchall()
    first_unit = catalogue.units()[0].code
    assert sorted(t for u, i, t in stored if u == first_unit and i in {"R04", "R03", "D04", "C02"}) == [
        "growth",
        "max",
        "min",
        "min",
    ]
    assert sorted(stored) == sorted(
        (r["unit_code"], r["indicator_code"], r["target_type"]) for r in demo_targets()
    )


def test_a_target_type_that_is_neither_code_nor_label_names_both(tmp_path):
    rows = demo_targets(2022)
    rows[0] = rows[0] | {"target_type": "大于"}
    (result,) = ingest_files([write_targets_workbook(tmp_path / "t.xlsx", 2022, rows)], tmp_path / "home")
    assert result.status == "rejected"
    assert [(e["rule_id"], e["cell"]) for e in result.errors if e["severity"] == "error"] == [("TGT01", "A3")]
    assert result.errors[0]["message"] == (
        "第 3 行：目标类型「大于」无效，应为 min（不低于）、max（不高于）、rank_within（排名进入）、"
        "rank_up（排名上升）、improve（较上年提高）、growth（同比增长） 之一"
    )


def test_a_renamed_label_in_the_seed_is_what_the_reader_accepts(tmp_path, reference_copy, use_reference):
    reference_copy.change("target_types", "target_type", "rank_up", label="名次上升")
    use_reference(reference_copy)
    rows = demo_targets(2022)
    (rank_up,) = [i for i, r in enumerate(rows) if r["target_type"] == "rank_up"][:1]
    rows[rank_up] = rows[rank_up] | {"target_type": "名次上升"}
    (result,) = ingest_files([write_targets_workbook(tmp_path / "a.xlsx", 2022, rows)], tmp_path / "home")
    assert result.status == "accepted"
    rows[rank_up] = rows[rank_up] | {"target_type": "排名上升"}  # the old label is no longer a type
    (result,) = ingest_files([write_targets_workbook(tmp_path / "b.xlsx", 2022, rows)], tmp_path / "home")
    assert result.status == "rejected"
    assert "rank_up（名次上升）" in result.errors[0]["message"]


def test_points_not_summing_to_100_is_a_warning(tmp_path):
    rows = demo_targets(2022)
    rows[0] = rows[0] | {"points": float(rows[0]["points"]) + 5}
    (result,) = ingest_files([write_targets_workbook(tmp_path / "t.xlsx", 2022, rows)], tmp_path / "home")
    assert result.status == "accepted_with_warnings"
    assert [(e["rule_id"], e["severity"]) for e in result.errors] == [("TGT02", "warning")]


def test_a_revised_targets_workbook_is_version_2(tmp_path):
    first = write_targets_workbook(tmp_path / "a.xlsx", 2022, demo_targets(2022))
    rows = demo_targets(2022)
    rows[0] = rows[0] | {"note": "调整"}
    ingest_files([first], tmp_path / "home")
    (second,) = ingest_files([write_targets_workbook(tmp_path / "b.xlsx", 2022, rows)], tmp_path / "home")
    assert second.version == 2
