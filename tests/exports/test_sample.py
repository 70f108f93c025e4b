"""The demo prefecture: the speech's figures, exact, in the figures and in the workbooks written."""

from __future__ import annotations

import os
import subprocess
import sys
import unicodedata
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from python_calamine import CalamineWorkbook

from base import catalogue, layout
from sampledata.demo import TARGETS_FILE, demo_figures, demo_targets, write_demo_files

ROOT = Path(__file__).resolve().parents[2]
UNITS = catalogue.units()
TZ = ZoneInfo(catalogue.settings()["timezone"])
DEADLINE_DAY = int(catalogue.settings()["deadline_day"])


def code_of(alias: str) -> str:
    return catalogue.resolve_unit(alias).code


@pytest.fixture(scope="module")
def data():
    return demo_figures()


@pytest.fixture(scope="module")
def written(tmp_path_factory, data):
    out = tmp_path_factory.mktemp("demo")
    return out, write_demo_files(out, data=data)


# -- reading back, the way a test reader would: header labels, values as typed -------------------


def number(value):
    """A cell as typed by a county, read the one obvious way ("1,234", "１２", "无", "88.50%")."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        return float(value)
    text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "")
    if text == "无":
        return 0.0
    return float(text.removesuffix("%"))


def table(path: Path, sheet: str, columns) -> list[dict[str, object]]:
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()
    header_at = next(
        i for i, row in enumerate(rows) if sum(any(c.matches(v) for c in columns) for v in row) >= 3
    )
    fields = [next((c.field for c in columns if c.matches(v)), None) for v in rows[header_at]]
    out = []
    for row in rows[header_at + 1 :]:
        record = {f: v for f, v in zip(fields, row, strict=False) if f}
        first = record.get(columns[0].field)
        if first in (None, "") or layout.is_total_row(first):
            continue
        out.append(record)
    return out


def indicator_values(path: Path) -> dict[str, float | None]:
    rows = table(path, layout.INDICATOR_SHEET, layout.INDICATOR_COLUMNS)
    return {r["indicator_code"]: number(r["value"]) for r in rows}


def township_rows(path: Path) -> list[dict[str, object]]:
    return table(path, layout.TOWNSHIP_SHEET, layout.TOWNSHIP_COLUMNS)


@pytest.fixture(scope="module")
def read_back(written, data):
    """Indicator values of the accepted files, read with calamine, by (unit_code, period)."""
    out_dir, _ = written
    values = {}
    for demo_file in data.files:
        if demo_file.expected_status != "rejected":
            values[(demo_file.unit_code, demo_file.period)] = indicator_values(out_dir / demo_file.relpath)
    return values


def prefecture_from_files(read_back, code: str, year: int) -> float:
    indicator = catalogue.indicator_by_code()[code]
    months = range(1, 13) if indicator.kind == "flow" else [12]
    return sum(read_back[(u.code, f"{year}-{m:02d}")][code] or 0 for u in UNITS for m in months)


def weighted_s01(values, year: int) -> float:
    return sum(u.population * values[(u.code, f"{year}-12")]["S01"] for u in UNITS) / sum(
        u.population for u in UNITS
    )


SPEECH = {
    "D02": 40_988,
    "D03": 39_348,
    "C08": 5,
    "C09": 30,
    "P02": 3_577,
    "P03": 2_646,
    "P04": 2_357,
    "P05": 208,
    "P01": 1_620_000,
}


# -- the speech's figures ---------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "expected"), SPEECH.items())
def test_2022_prefecture_totals_equal_the_speech(data, code, expected):
    assert data.prefecture_total(code, 2022) == expected


def test_solved_cases_rise_9_6_and_15_percent_to_the_nearest_case(data):
    c02_2021, c02_2022 = data.prefecture_total("C02", 2021), data.prefecture_total("C02", 2022)
    c04_2021, c04_2022 = data.prefecture_total("C04", 2021), data.prefecture_total("C04", 2022)
    assert (c02_2021, c02_2022) == (5711, 6259)
    assert (c04_2021, c04_2022) == (331, 381)
    assert c02_2022 == round(1.096 * c02_2021) and c04_2022 == round(1.15 * c04_2021)


def test_weighted_sense_of_security_rises_exactly_3_07_points(data):
    weights = {u.code: u.population // 10_000 for u in UNITS}
    hundredths = {
        year: sum(weights[u.code] * round(100 * data.value(u.code, f"{year}-12", "S01")) for u in UNITS)
        for year in (2021, 2022)
    }
    assert hundredths[2022] - hundredths[2021] == 307 * sum(weights.values())
    assert data.prefecture_total("S01", 2022) - data.prefecture_total("S01", 2021) == pytest.approx(
        3.07, abs=1e-9
    )


def test_speech_totals_read_back_from_the_written_workbooks(read_back):
    for code, expected in SPEECH.items():
        assert prefecture_from_files(read_back, code, 2022) == expected, code
    assert prefecture_from_files(read_back, "C02", 2022) == round(
        1.096 * prefecture_from_files(read_back, "C02", 2021)
    )
    assert prefecture_from_files(read_back, "C04", 2022) == round(
        1.15 * prefecture_from_files(read_back, "C04", 2021)
    )
    assert weighted_s01(read_back, 2022) - weighted_s01(read_back, 2021) == pytest.approx(3.07, abs=1e-9)


def test_last_year_column_of_2022_files_is_the_2021_figure(written, data):
    out_dir, _ = written
    demo_file = next(f for f in data.files if f.unit_code == code_of("毕节市") and f.period == "2022-12")
    rows = table(out_dir / demo_file.relpath, layout.INDICATOR_SHEET, layout.INDICATOR_COLUMNS)
    last_year = {r["indicator_code"]: number(r["value_last_year"]) for r in rows}
    assert last_year["D02"] == data.value(code_of("毕节市"), "2021-12", "D02")
    assert last_year["S02"] == 55


# -- the story the targets need ---------------------------------------------------------------------


def test_survey_results_only_in_june_and_december(data):
    for unit in UNITS:
        for period in data.periods:
            present = [data.value(unit.code, period, c) is not None for c in ("S01", "S02", "S03")]
            assert present == [period[5:] in ("06", "12")] * 3, (unit.short_name, period)
            if all(present):
                assert 75 <= data.value(unit.code, period, "S01") <= 92


def test_survey_ranks_follow_the_speech_story(data):
    expected = {
        "毕节市": (55, 48),
        "织金县": (66, 63),
        "纳雍县": (81, 70),
        "威宁县": (86, 58),
        "金沙县": (40, 33),
        "大方县": (52, 47),
        "黔西县": (35, 32),
        "赫章县": (62, 53),
        "百里杜鹃": (74, 71),
    }
    for alias, ranks in expected.items():
        code = code_of(alias)
        assert (data.value(code, "2021-12", "S02"), data.value(code, "2022-12", "S02")) == ranks
        june = data.value(code, "2022-06", "S02")
        assert min(ranks) <= june <= max(ranks)
    small = code_of("百里杜鹃")
    assert data.value(small, "2022-12", "S01") - data.value(small, "2021-12", "S01") >= 3
    for period in ("2021-12", "2022-12"):  # a better rank never has the lower score
        ordered = sorted(UNITS, key=lambda u: data.value(u.code, period, "S02"))
        scores = [data.value(u.code, period, "S01") for u in ordered]
        assert scores == sorted(scores, reverse=True)


def test_units_outcomes_differ_so_the_targets_discriminate(data):
    def total(alias, code, year):
        return data.unit_total(code_of(alias), code, year)

    rates = {
        u.short_name: data.unit_total(u.code, "D03", 2022) / data.unit_total(u.code, "D02", 2022)
        for u in UNITS
    }
    assert all(0.935 <= r <= 0.98 for r in rates.values())
    assert sum(r < 0.95 for r in rates.values()) >= 2
    homicide = [data.unit_total(u.code, "C06", 2022) / data.unit_total(u.code, "C05", 2022) for u in UNITS]
    assert sum(r < 0.95 for r in homicide) >= 2
    assert total("织金县", "C02", 2022) < total("织金县", "C02", 2021)
    assert total("金沙县", "C04", 2022) < total("金沙县", "C04", 2021)
    assert data.value(code_of("纳雍县"), "2022-03", "D04") == 1
    assert [u.short_name for u in UNITS if data.unit_total(u.code, "D04", 2022)] == ["纳雍县"]
    assert sum(data.unit_total(u.code, "D05", 2022) for u in UNITS) == 2
    assert [u.short_name for u in UNITS if data.unit_total(u.code, "K05", 2022) < 2] == ["百里杜鹃"]
    placed = [data.unit_total(u.code, "K04", 2022) / data.unit_total(u.code, "K03", 2022) for u in UNITS]
    assert min(placed) < 0.95 < max(placed)


def test_stability_centres_reach_every_township_by_december_2022(data):
    below_in_january = 0
    for unit in UNITS:
        g02 = [data.value(unit.code, p, "G02") for p in data.periods]
        assert all(data.value(unit.code, p, "G01") == unit.townships for p in data.periods)
        assert g02 == sorted(g02) and max(g02) <= unit.townships
        assert g02[-1] == unit.townships
        below_in_january += data.value(unit.code, "2022-01", "G02") < unit.townships
    assert below_in_january >= 2


def test_daily_figures_are_consistent_within_each_month(data):
    for unit in UNITS:
        for period in data.periods:
            v = data.values[(unit.code, period)]
            assert v["D03"] <= v["D02"] <= v["D01"]
            assert v["C04"] <= v["C03"] and v["C06"] <= v["C05"]
            assert v["P05"] <= v["G01"] and v["K01"] <= v["K02"] and v["K04"] <= v["K03"]
            assert 0 <= v["K05"] <= 2


# -- the files -------------------------------------------------------------------------------------


def test_one_file_per_unit_and_month_plus_the_correction_and_targets(written, data):
    out_dir, paths = written
    assert len(paths) == 1 + 9 * 24 + 1
    assert paths[0] == out_dir / TARGETS_FILE
    for unit in UNITS:
        assert len(list((out_dir / unit.name).glob("*.xlsx"))) == 24 + (unit.short_name == "赫章县")
    assert (out_dir / "毕节市" / "七星关区_2022年01月_综治月报.xlsx").exists()
    assert (out_dir / "赫章县" / "赫章县_2022年05月_综治月报_更正.xlsx").exists()


def test_township_rows_add_up_to_the_unit_totals_in_every_accepted_file(written, data, read_back):
    out_dir, _ = written
    checked = 0
    for demo_file in data.files:
        towns = township_rows(out_dir / demo_file.relpath)
        assert [t["township_name"] for t in towns] == list(catalogue.townships()[demo_file.unit_code])
        assert all(number(t["d03"]) <= number(t["d02"]) for t in towns)
        if demo_file.expected_status != "accepted":
            continue
        unit_values = read_back[(demo_file.unit_code, demo_file.period)]
        for field, code in layout.TOWNSHIP_SUM_INDICATORS.items():
            assert sum(number(t[field]) for t in towns) == unit_values[code], (demo_file.relpath, code)
        assert sum(t["has_centre"] == "是" for t in towns) == unit_values["G02"]
        checked += 1
    assert checked == 9 * 24 - 1


def test_mistake_files_carry_exactly_their_mistake(written, data, read_back):
    out_dir, _ = written
    hezhang = code_of("赫章县")
    rejected = [f for f in data.files if f.expected_status == "rejected"]
    assert [(f.unit_code, f.period) for f in rejected] == [(hezhang, "2022-05")]
    first = indicator_values(out_dir / rejected[0].relpath)
    assert first["D03"] > first["D02"] == data.value(hezhang, "2022-05", "D02")
    assert sorted(str(first["D03"])[:-2]) == sorted(
        str(data.value(hezhang, "2022-05", "D03"))
    )  # digits swapped
    assert read_back[(hezhang, "2022-05")]["D03"] == data.value(hezhang, "2022-05", "D03")

    weining = code_of("威宁县")
    warned = next(f for f in data.files if f.expected_status == "accepted_with_warnings")
    assert (warned.unit_code, warned.period) == (weining, "2022-07")
    towns = township_rows(out_dir / warned.relpath)
    assert sum(number(t["d02"]) for t in towns) != data.value(weining, "2022-07", "D02")
    assert sum(number(t["d03"]) for t in towns) == data.value(weining, "2022-07", "D03")
    assert read_back[(weining, "2022-07")]["D02"] == data.value(weining, "2022-07", "D02")


def test_county_typing_habits_appear_only_in_their_files(written, data):
    out_dir, _ = written

    def raw(alias, period):
        demo_file = next(f for f in data.files if f.unit_code == code_of(alias) and f.period == period)
        rows = table(out_dir / demo_file.relpath, layout.INDICATOR_SHEET, layout.INDICATOR_COLUMNS)
        return {r["indicator_code"]: r["value"] for r in rows}

    assert raw("织金县", "2022-03")["P01"] == f"{data.value(code_of('织金县'), '2022-03', 'P01'):,}"
    assert raw("黔西县", "2022-06")["S01"] == f"{data.value(code_of('黔西县'), '2022-06', 'S01'):.2f}%"
    assert raw("金沙县", "2021-10")["D04"] == "无"
    assert raw("大方县", "2022-08")["C05"] == str(data.value(code_of("大方县"), "2022-08", "C05")).translate(
        str.maketrans("0123456789", "０１２３４５６７８９")
    )
    assert isinstance(raw("织金县", "2022-04")["P01"], float)


def test_file_times_fall_in_working_hours_before_the_deadline(written, data):
    out_dir, _ = written
    for demo_file in data.files:
        mtime = os.stat(out_dir / demo_file.relpath).st_mtime
        assert mtime == demo_file.mtime
        received = datetime.fromtimestamp(mtime, TZ)
        year, month = int(demo_file.period[:4]), int(demo_file.period[5:])
        start = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=TZ)
        assert start <= received and (8, 30) <= (received.hour, received.minute) < (18, 0), demo_file.relpath
        if (demo_file.unit_code, demo_file.period) == (code_of("纳雍县"), "2022-11"):
            assert received.date().isoformat() == "2022-12-09"
        else:
            assert received < start.replace(day=DEADLINE_DAY) + timedelta(days=1), demo_file.relpath
    correction = [f for f in data.files if f.unit_code == code_of("赫章县") and f.period == "2022-05"]
    assert [f.received_at.day for f in correction] == [3, 4]
    targets = datetime.fromtimestamp(os.stat(out_dir / TARGETS_FILE).st_mtime, TZ)
    assert targets == datetime(2022, 1, 15, 10, 0, tzinfo=TZ)


def test_two_runs_give_the_same_bytes_even_in_another_process(written, tmp_path):
    out_dir, _ = written
    script = "import sys; from sampledata.demo import write_demo_files; write_demo_files(sys.argv[1], units=['522490'])"
    env = dict(os.environ, PYTHONHASHSEED="12345", PYTHONPATH=str(ROOT))
    subprocess.run([sys.executable, "-c", script, str(tmp_path)], check=True, env=env, cwd=ROOT)
    again = sorted((tmp_path / "百里杜鹃管委会").glob("*.xlsx"))
    assert len(again) == 24
    for path in again:
        assert path.read_bytes() == (out_dir / "百里杜鹃管委会" / path.name).read_bytes(), path.name
    assert (tmp_path / TARGETS_FILE).read_bytes() == (out_dir / TARGETS_FILE).read_bytes()
    assert demo_figures().values == demo_figures().values


# -- targets -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def targets(written):
    out_dir, _ = written
    return table(out_dir / TARGETS_FILE, layout.TARGETS_SHEET, layout.TARGET_COLUMNS)


def test_targets_points_sum_to_100_per_unit(targets):
    by_unit: dict[str, float] = {}
    for row in targets:
        by_unit[row["unit_code"]] = by_unit.get(row["unit_code"], 0) + row["points"]
    assert by_unit == {u.code: 100 for u in UNITS}
    assert len(targets) == len(demo_targets()) == 9 * 10


def test_targets_name_the_speechs_targets(targets):
    found = {
        (r["unit_name"], r["indicator_code"], r["target_type"], r["target_value"], r["is_veto"])
        for r in targets
    }
    for unit in ("毕节市", "织金县", "纳雍县", "威宁彝族回族苗族自治县"):
        assert (unit, "S02", "rank_within", 60, "否") in found
    for unit in ("金沙县", "大方县", "黔西县", "赫章县"):
        assert (unit, "S02", "rank_up", 5, "否") in found
    assert ("百里杜鹃管委会", "S01", "improve", 0, "否") in found
    for unit in UNITS:
        assert (unit.name, "R04", "min", 0.95, "否") in found
        assert (unit.name, "R05", "min", 1, "否") in found
        assert (unit.name, "D04", "max", 0, "是") in found
        assert (unit.name, "C02", "growth", 0, "否") in found
        assert (unit.name, "K05", "min", 2, "否") in found
