"""The demo prefecture end to end into a temporary home: Dagster materialises every asset in-process."""

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import openpyxl
import pytest

from base.settings import Home, Settings
from orchestration.demo import run_demo
from orchestration.prepare import prepare_home
from tests.e2e.demo_digest import demo_digest

DIGEST = Path(__file__).with_name("demo_digest.json")

pytestmark = pytest.mark.e2e

SPEECH_2022 = {
    "D02": 40_988,
    "D03": 39_348,
    "C08": 5,
    "C09": 30,
    "P01": 1_620_000,
    "P02": 3_577,
    "P03": 2_646,
    "P04": 2_357,
    "P05": 208,
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    # Bulletins and 公文 drafts as documents only (``PINGAN_BULLETIN_PDF=0``): LibreOffice's six PDFs are
    # about 12 s of the demo, and nothing here reads them. The PDFs are tested in tests/exports and on
    # the scheduled run of the orchestration tests' built home (tests/orchestration/test_runs.py).
    with pytest.MonkeyPatch.context() as environment:
        environment.setenv("PINGAN_BULLETIN_PDF", "0")
        settings = prepare_home(Settings.from_env(tmp_path_factory.mktemp("demo-home")))
        summary = run_demo(settings, progress=lambda message: None)
    return settings.home, summary


def test_demo_output_is_unchanged(demo):
    # The marts and the bulletin cells as they were before the layout was reorganised (tests/e2e/
    # demo_digest.py says what is compared). A deliberate change of a figure or a cell updates
    # demo_digest.json in the same commit, with the reason in its message.
    home, _ = demo
    expected = json.loads(DIGEST.read_text(encoding="utf-8"))
    actual = demo_digest(home.root)
    for table, columns in expected["marts"].items():
        assert table in actual["marts"], table
        changed = {c for c, digest in columns.items() if actual["marts"][table].get(c) != digest}
        assert not changed, (table, sorted(changed))
    assert actual["bulletins"] == expected["bulletins"]


def query(home: Home, sql: str, *params):
    with duckdb.connect(str(home.warehouse), read_only=True) as connection:
        return connection.execute(sql, params).fetchall()


def test_demo_summary_counts_every_file(demo):
    _, summary = demo
    assert summary["files"] == 218
    assert (summary["rejected"], summary["accepted_with_warnings"], summary["accepted"]) == (1, 1, 217)
    assert set(summary["bulletins"]) == {"2022-12", "2022Q4", "2022"}
    assert [path.rsplit("/", 1)[-1] for path in summary["feedback"]] == [
        "赫章县_2022-05_v1_数据质量反馈表.xlsx",
        "威宁彝族回族苗族自治县_2022-07_v1_数据质量反馈表.xlsx",
    ]


def test_2022_year_totals_equal_the_speech(demo):
    home, _ = demo
    totals = dict(
        query(
            home,
            """
        select indicator_code, sum(value) from marts.fct_indicator_values
        where period = '2022' and period_type = 'year' group by 1""",
        )
    )
    assert {code: totals[code] for code in SPEECH_2022} == SPEECH_2022


def test_2022_rises_and_rates_equal_the_speech(demo):
    home, _ = demo
    rows = {
        code: (value, last)
        for code, value, last in query(
            home,
            """
        select indicator_code, value, value_last_year from marts.fct_prefecture_values
        where period = '2022' and period_type = 'year' and indicator_code in ('C02', 'C04', 'R04', 'S01')""",
        )
    }
    assert rows["C02"][0] == round(rows["C02"][1] * 1.096)
    assert rows["C04"][0] == round(rows["C04"][1] * 1.15)
    assert rows["R04"][0] == pytest.approx(39_348 / 40_988)
    assert round(rows["S01"][0] - rows["S01"][1], 2) == 3.07


def test_rejected_file_never_reaches_the_marts_and_its_correction_does(demo):
    home, _ = demo
    assert query(
        home,
        """select version, status from raw.submissions
                          where unit_code = '522428' and period = '2022-05' order by version""",
    ) == [(1, "rejected"), (2, "accepted")]
    (used,) = query(
        home,
        "select version from marts.fct_submission_status where unit_code = '522428' and period = '2022-05'",
    )
    assert used == (2,)


def test_year_bulletin_lists_all_nine_units_ranked(demo):
    home, summary = demo
    workbook = openpyxl.load_workbook(summary["bulletins"]["2022"])
    sheet = workbook["综合排名"]
    scores = dict(
        query(
            home,
            "select unit_code, rank from marts.fct_unit_scores "
            "where period = '2022' and period_type = 'year'",
        )
    )
    names = dict(query(home, "select unit_code, unit_name from marts.dim_units"))
    listed = {}
    for row in sheet.iter_rows(values_only=True):
        for code, name in names.items():
            if name in row:
                listed[code] = row[0]
    assert listed == scores and sorted(scores.values())[-1] == 9


def test_definitions_load_in_a_fresh_interpreter(demo):
    home, _ = demo
    code = (
        "from orchestration.definitions import defs; "
        "print(sorted(k.to_user_string() for k in defs().resolve_asset_graph().get_all_asset_keys()))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PINGAN_HOME": str(home.root)},
    )
    keys = json.loads(completed.stdout.strip().replace("'", '"'))
    assert {"raw/submissions", "marts/fct_unit_scores", "monthly_bulletin"} <= set(keys)


def test_speech_named_targets_are_judged_for_the_named_units(demo):
    home, _ = demo
    rows = query(
        home,
        """
        select u.short_name, a.target_type, a.target_value, a.actual_value, a.attained
        from marts.fct_target_attainment a join marts.dim_units u using (unit_code)
        where a.period = '2022' and a.period_type = 'year' and a.indicator_code in ('S01', 'S02')""",
    )
    judged = {name: (kind, target, actual, attained) for name, kind, target, actual, attained in rows}
    assert judged["七星关区"] == ("rank_within", 60, 48, True)
    assert judged["织金县"] == ("rank_within", 60, 63, False)
    assert judged["金沙县"] == ("rank_up", 5, 7, True)
    assert judged["大方县"] == ("rank_up", 5, 5, True)
    assert judged["黔西县"] == ("rank_up", 5, 3, False)
    assert judged["赫章县"] == ("rank_up", 5, 9, True)
    kind, target, actual, attained = judged["百里杜鹃"]
    assert (kind, target, attained) == ("improve", 0, True) and actual > 3


def test_veto_makes_the_grade_fail_and_ranks_last(demo):
    home, _ = demo
    ((grade, veto, rank),) = query(
        home,
        """
        select grade, veto, rank from marts.fct_unit_scores
        where unit_code = '522426' and period = '2022' and period_type = 'year'""",
    )
    assert (grade, veto, rank) == ("不合格", True, 9)


def pingan(home: Home, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "orchestration.cli", *arguments, "--home", str(home.root)],
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_unit_extract_for_sending_back_to_the_county(demo):
    home, _ = demo
    completed = pingan(home, "report", "--period", "2022-12", "--unit", "大方县", "--json")
    assert completed.returncode == 0, completed.stderr[-2000:]
    workbook = openpyxl.load_workbook(json.loads(completed.stdout)["path"])
    assert any(
        "大方县" in str(cell) for row in workbook.worksheets[0].iter_rows(values_only=True) for cell in row
    )


MARTS = (
    "fct_indicator_values",
    "fct_target_attainment",
    "fct_unit_scores",
    "fct_submission_status",
    "fct_indicator_rankings",
    "fct_validation_findings",
)


def test_rebuild_from_the_archive_gives_the_same_marts(demo):
    # Runs last in this module: it replaces the demo home's warehouse.
    home, _ = demo
    excluded = {
        "fct_validation_findings": "exclude (sha256)",
        "fct_submission_status": "exclude (received_at)",
    }

    def snapshot() -> dict[str, list]:
        # Floats compared to 9 places: DuckDB may add a group's points in another order on another run.
        return {
            name: [
                tuple(round(v, 9) if isinstance(v, float) else v for v in row)
                for row in query(home, f"select * {excluded.get(name, '')} from marts.{name} order by all")
            ]
            for name in MARTS
        }

    before = snapshot()
    completed = pingan(home, "rebuild")
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert (
        f"数据质量检查报告（Great Expectations Data Docs，用浏览器打开）：{home.quality_index}"
        in completed.stderr
    )
    assert "pingan_submissions" in home.quality_index.read_text(encoding="utf-8")  # the GX suite of reports
    after = snapshot()
    for name in MARTS:
        changed = [(old, new) for old, new in zip(before[name], after[name], strict=False) if old != new]
        assert len(before[name]) == len(after[name]) and not changed, (name, changed[:2])
