"""The benchmark at a tiny scale (3 units × 2 months, naive on), so it cannot rot. No timing assertions:
speed claims come from ``make bench``, never from tests."""

import json
from pathlib import Path

import pytest

from bench.run import run_bench

STAGES = (
    "generate",
    "floor",
    "pingan.intake",
    "pingan.warehouse",
    "pingan.bulletins",
    "pingan.total",
    "late.intake",
    "late.warehouse",
    "late.bulletins",
    "late.total",
    "correction.intake",
    "correction.warehouse",
    "correction.bulletins",
    "correction.total",
    "portal.upload_to_verdict",
    "naive.per_file",
    "naive.marts_sql",
    "naive.bulletins",
    "naive.total",
)


@pytest.mark.e2e
def test_tiny_benchmark_runs_every_stage_and_writes_its_json(tmp_path: Path, monkeypatch) -> None:
    # the idle level waits between uploads so that each meets an idle portal; here only its shape counts
    monkeypatch.setattr("bench.portal.IDLE_PAUSE", 0.2)
    result = run_bench(tmp_path / "home", units=3, months=2, correction_month=2, progress=lambda _: None)

    stages = {s["name"]: s for s in result["stages"]}
    assert set(STAGES) <= set(stages)
    # every bulletin the marts give for two months: both months and the first quarter
    assert stages["pingan.bulletins"]["details"]["published"] == ["2022-01", "2022-02", "2022Q1"]
    for name in STAGES:
        assert stages[name]["seconds"] > 0, name
        assert stages[name]["peak_mib"] > 0, name
    for name in ("pingan.warehouse", "late.warehouse", "correction.warehouse"):  # dbt's own clock too
        assert 0 < stages[name]["details"]["dbt_elapsed_s"] < stages[name]["seconds"], name
    assert stages["floor"]["files"] == 6  # 3 units × 2 months, less the late one, + the targets workbook
    assert stages["floor"]["files_per_second"] > 0

    # the province meant one rejected report (the one corrected later) and intake agreed
    assert result["province"]["expected"]["rejected"] >= 1
    assert result["province"]["intake_statuses"].get("rejected") == result["province"]["expected"]["rejected"]
    # the second unit's February report arrives after the deadline (the 5th of March) and re-issues
    # February and the first quarter; the first unit's corrected February report does the same again
    late, correction = result["late"], result["correction"]
    assert late["unit_code"] != correction["unit_code"]
    assert (late["period"], late["status"], late["version"]) == ("2022-02", "accepted", 1)
    assert late["received_at"][:10] > "2022-03-05"
    assert (correction["period"], correction["status"], correction["version"]) == ("2022-02", "accepted", 2)
    for change in (late, correction):
        assert change["bulletins"] == ["2022-02", "2022Q1"]
        assert change["corrections_written"] == 2 and change["unchanged"] == 0

    ratios = {r["key"]: r for r in result["ratios"]}
    assert set(ratios) == {
        "intake_vs_floor",
        "pipeline_vs_floor",
        "naive_vs_pingan",
        "late_vs_full",
        "correction_vs_full",
        "peak_mib",
        "upload_p50_s",
        "upload_p95_s",
    }
    for ratio in ratios.values():
        assert ratio["value"] > 0 and ratio["result"] in {"PASS", "MISS"}

    # upload to verdict through pingan portal: one at a time (to an idle portal, then one right after
    # another), then all three units at once
    levels = stages["portal.upload_to_verdict"]["details"]["levels"]
    assert [(lv["level"], lv["concurrency"], lv["uploads"]) for lv in levels] == [
        ("one at a time, idle portal", 1, 3),
        ("one right after another", 1, 3),
        ("3 at once (every unit)", 3, 3),
    ]
    for level in levels:  # every upload answered by intake (a new version: never a duplicate, never an error)
        assert set(level["statuses"]) <= {"accepted", "accepted_with_warnings", "rejected"}, level
        assert 0 < level["p50_s"] <= level["p95_s"] <= level["max_s"], level

    written = Path(result["json"])
    assert written.parent == tmp_path / "home" / "bench" and written.name.startswith("bench-")
    assert json.loads(written.read_text(encoding="utf-8"))["stages"] == result["stages"]
    assert not any((tmp_path / "home" / "bench").glob("run-*"))  # working folders removed
