"""A change to some months' reports builds only the periods those months reach (orchestration/warehouse.py,
dbt_project/macros/rebuilt_periods.sql), and what it leaves equals a full build: after partial builds
(a report for the last month, a correction six months back, a stock of the year before; the first
reports of months not seen before), every intermediate model and every mart is compared row by row with
a full build of the same raw tables."""

import shutil

import duckdb
import pytest

from ingest.intake import ingest_files
from orchestration.build_inputs import record_build, recorded_build
from orchestration.warehouse import WarehouseBuildError, build_warehouse, read_run_results
from sampledata.demo import write_demo_files
from tests.orchestration.conftest import SMALL_UNITS, copy_home, settings_for
from tests.orchestration.demo_files import demo_file, demo_files, write_demo_file

DAFANG, HEZHANG = SMALL_UNITS  # 大方县, 赫章县
# The build's own scope, not a result: it lists what that build computed again.
SCOPE = "int_rebuilt_periods"


def send_again(folder, unit_code: str, period: str, code: str, index: int = 0):
    """The unit's report for ``period`` sent again with indicator ``code`` one higher (a new version)."""
    item = demo_file(unit_code, period, index)
    return write_demo_file(folder / unit_code, item, values={**item.values, code: item.values[code] + 1})


def rebuilt_periods(warehouse) -> set[tuple[str, str]]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return set(connection.execute(f"select period_type, period from intermediate.{SCOPE}").fetchall())


def differing_rows(warehouse, full_build) -> dict[str, tuple[int, int]]:
    """Per table of schemas intermediate and marts (but the scope): (rows, rows not in the other file
    or in it a different number of times), doubles compared to 9 decimals (the sums of a hash
    aggregate may come out in any order)."""
    result = {}
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        connection.execute(f"attach '{full_build}' as full_build (read_only)")
        tables = connection.execute(
            "select table_schema, table_name from information_schema.tables where table_catalog = ?"
            " and table_schema in ('intermediate', 'marts') and table_type = 'BASE TABLE' and table_name != ?",
            [warehouse.stem, SCOPE],
        ).fetchall()
        for schema, table in tables:
            columns = connection.execute(
                "select column_name, data_type from information_schema.columns"
                " where table_catalog = ? and table_schema = ? and table_name = ? order by ordinal_position",
                [warehouse.stem, schema, table],
            ).fetchall()
            listed = ", ".join(
                f'round("{name}", 9)' if kind == "DOUBLE" else f'"{name}"' for name, kind in columns
            )
            ours, theirs = f"{warehouse.stem}.{schema}.{table}", f"full_build.{schema}.{table}"
            (count,) = connection.execute(f"select count(*) from {ours}").fetchone()
            (differing,) = connection.execute(
                f"select count(*) from ((select {listed} from {ours} except all select {listed} from {theirs})"
                f" union all (select {listed} from {theirs} except all select {listed} from {ours}))"
            ).fetchone()
            result[f"{schema}.{table}"] = (count, differing)
    return result


def scoped_tests(home) -> set[str]:
    """The tests the last build ran on the rebuilt periods only (their compiled SQL reads the tested
    model's rows whose period is one of the scope's)."""
    results = read_run_results(home.dbt_target)["results"]
    return {
        r["unique_id"].split(".")[2]
        for r in results
        if r["unique_id"].startswith("test.")
        and "select rebuilt.period_type" in (r.get("compiled_code") or "")
    }


def full_build_of(home, folder):
    """A copy of ``home`` built in full from its raw tables (nothing recorded, so nothing reused)."""
    full = copy_home(home, folder)
    record_build(full.warehouse, None, {})
    assert build_warehouse(settings_for(full)).changed_months == ()
    return full


def target_windows(warehouse) -> dict[tuple[str, str], str]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rows = connection.execute(
            "select period_type, period, compare_period from intermediate.int_target_windows"
        ).fetchall()
    return {(kind, period): compare for kind, period, compare in rows}


@pytest.mark.e2e
def test_partial_builds_compute_only_the_periods_a_change_reaches_and_equal_a_full_build(
    built_home, tmp_path
):
    # Two units' reports for 2021-2022 and the 2022 targets, built by a Dagster run (which recorded them).
    home = copy_home(built_home.home, tmp_path / "home")
    settings = settings_for(home)

    def build_after(unit_code: str, period: str, code: str = "D02", index: int = 0):
        (taken,) = ingest_files([send_again(tmp_path / period, unit_code, period, code, index)], home.root)
        assert taken.status.startswith("accepted") and taken.version > 1
        return build_warehouse(settings)

    # December: its month, year-to-date, quarter and year (nothing of 2023 exists).
    first = recorded_build(home.warehouse).tests
    assert build_after(DAFANG, "2022-12").changed_months == ("2022-12",)
    # The reference data is left out (dbt tag reference): no seed, nor a model or test that reads seeds
    # alone, ran; their tests keep the outcomes recorded before, and every other test ran.
    ran = {r["unique_id"] for r in read_run_results(home.dbt_target)["results"]}
    assert not {u for u in ran if u.startswith("seed.")} and "model.pingan.dim_units" not in ran
    assert not any(".unique_dim_units_unit_code." in u for u in ran)
    assert any(".relationships_fct_unit_scores_unit_code__unit_code__ref_dim_units_." in u for u in ran)
    recorded, kept = recorded_build(home.warehouse).tests, first.keys() - ran
    assert recorded.keys() == first.keys() and len(kept) > 40
    assert all(recorded[u] == first[u] for u in kept)
    assert rebuilt_periods(home.warehouse) == {
        ("month", "2022-12"),
        ("ytd", "2022-12"),
        ("quarter", "2022Q4"),
        ("year", "2022"),
    }
    # The tests of the models rebuilt by period read those periods only, where a row's verdict does not
    # depend on other periods (macros/rebuilt_periods.sql); a model built whole is tested whole.
    scoped = scoped_tests(home)
    assert {
        "unique_combination_int_period_values_unit_code__indicator_code__period_type__period",
        "accepted_values_int_submitted_values_last_year_source__warehouse__reported",
        "relationships_fct_indicator_rankings_unit_code__unit_code__ref_dim_units_",
    } <= scoped
    assert not any("fct_unit_scores" in name or "int_monthly_values" in name for name in scoped)

    # A correction in May: what holds May, and the month and quarter after it (their rank changes compare
    # with May's and the second quarter's tables). January to April keep their rows.
    assert build_after(HEZHANG, "2022-05", index=1).changed_months == ("2022-05",)
    assert rebuilt_periods(home.warehouse) == {
        *[("month", m) for m in ("2022-05", "2022-06")],
        *[("ytd", f"2022-{m:02d}") for m in range(5, 13)],
        ("quarter", "2022Q2"),
        ("quarter", "2022Q3"),
        ("year", "2022"),
    }
    # Compared here, not only at the end: the stock below reaches every period of 2022, and rebuilding
    # them would hide any period this correction left stale.
    may = full_build_of(home, tmp_path / "full-may")
    assert {
        table: counts for table, counts in differing_rows(home.warehouse, may.warehouse).items() if counts[1]
    } == {}
    shutil.rmtree(may.root)

    # A stock (平安家庭户数) in December 2021: what holds December 2021, and every period of 2022, whose
    # year-end stocks it is (not only the windows a year later).
    assert build_after(DAFANG, "2021-12", "P01").changed_months == ("2021-12",)
    rebuilt = rebuilt_periods(home.warehouse)
    assert {period for kind, period in rebuilt if kind == "month"} == {
        "2021-12",
        *[f"2022-{m:02d}" for m in range(1, 13)],
    }
    assert ("year", "2021") in rebuilt and ("ytd", "2021-11") not in rebuilt and len(rebuilt) == 4 + 29

    # A partial build that fails (an error-level test: a value that is not finite) leaves the warehouse
    # and its record as they were.
    broken = copy_home(home, tmp_path / "broken")
    with duckdb.connect(str(broken.warehouse)) as connection:
        connection.execute(
            "update raw.indicator_values set value = 'inf'::double where rowid = (select min(rowid)"
            " from raw.indicator_values where sha256 in (select sha256 from raw.submissions where period = '2022-12'))"
        )
    before, record = broken.warehouse.stat(), recorded_build(broken.warehouse)
    with pytest.raises(WarehouseBuildError, match="raw_values_are_finite"):
        build_warehouse(settings_for(broken))
    assert broken.warehouse.stat().st_ino == before.st_ino and recorded_build(broken.warehouse) == record
    shutil.rmtree(broken.root)

    # The same raw tables built in full, from nothing recorded.
    full = full_build_of(home, tmp_path / "full")
    assert len(rebuilt_periods(full.warehouse)) == 58  # every period: 24 months and ytds, 8 quarters, 2 years
    assert scoped_tests(full) == set()  # a full build tests every row
    compared = differing_rows(home.warehouse, full.warehouse)
    assert len(compared) == 35 and compared["marts.fct_indicator_rankings"][0] > 5000
    assert {table: counts for table, counts in compared.items() if counts[1]} == {}


@pytest.mark.e2e
def test_the_first_reports_of_new_months_build_their_periods_and_equal_a_full_build(new_home, tmp_path):
    # Two units' reports to October 2022 and the 2022 targets, built in full; then the first reports of
    # November and December, months the warehouse has not seen (every month's everyday case).
    written = write_demo_files(tmp_path / "drop", units=SMALL_UNITS)
    later = [
        tmp_path / "drop" / item.relpath
        for item in demo_files()
        if item.unit_code in SMALL_UNITS and item.period in ("2022-11", "2022-12")
    ]
    settings = settings_for(new_home)
    ingest_files([path for path in written if path not in later], new_home.root)
    build_warehouse(settings)
    windows = target_windows(new_home.warehouse)
    assert windows[("quarter", "2022Q4")] == "2022-10" and ("year", "2022") not in windows

    taken = ingest_files(later, new_home.root)
    assert len(taken) == 4 and {t.status for t in taken} <= {"accepted", "accepted_with_warnings"}
    assert build_warehouse(settings).changed_months == ("2022-11", "2022-12")
    assert rebuilt_periods(new_home.warehouse) == {
        *[(kind, month) for kind in ("month", "ytd") for month in ("2022-11", "2022-12")],
        ("quarter", "2022Q4"),
        ("year", "2022"),
    }
    # The targets are evaluated at the fourth quarter's latest month now, and the year's window opens.
    windows = target_windows(new_home.warehouse)
    assert windows[("quarter", "2022Q4")] == windows[("year", "2022")] == "2022-12"
    full = full_build_of(new_home, tmp_path / "full")
    compared = differing_rows(new_home.warehouse, full.warehouse)
    assert compared["marts.fct_indicator_values"][0] > 0 and compared["marts.fct_target_attainment"][0] > 0
    assert {table: counts for table, counts in compared.items() if counts[1]} == {}
