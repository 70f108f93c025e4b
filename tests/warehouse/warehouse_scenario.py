"""The hand-worked scenario: three units scored on the same 2021 and 2022 targets.

Per month in 2022 (the same every month, so every year-to-date gives the same score):
  毕节市 522401  R04 133/200 = 0.665 -> 40 x 0.665/0.95 = 28;  C02 10/month = target -> 30;  D04 0 -> 10
                 68 of 80 evaluated points -> 85.0 良好
  大方县 522422  R04 96/100 = 0.96 -> 40;  C02 6/month = 0.6 of target -> 18;  D04 0 -> 10
                 68 / 80 -> 85.0 良好, tied with 毕节市 (rank 1, 1)
  金沙县 522424  R04 97/100 -> 40;  C02 12/month -> 30;  D04 1 in January (veto) -> 0
                 70 / 80 -> 87.5, but vetoed: grade 不合格, rank 3 behind both lower scores
  S02 rank_within (20 points) is never evaluated: no survey result in any month.
December 2021 (targets: C02 >= 10 for the year): 大方县 and 金沙县 100.0 (rank 1, 1), 毕节市 85.0 (rank 3),
so January 2022's rank_change is +2, 0 and -2. 毕节市 also reported January 2021 (so its January 2022
last-year figure comes from the warehouse); 大方县 and 金沙县 did not (0 points: 未报送/无数据).
Submissions: late, on time at the deadline, superseded, rejected-after-accepted and rejected-only files.
"""

from __future__ import annotations

from datetime import datetime

from warehouse_builder import RawWarehouse, Target

BIJIE, DAFANG, JINSHA, ZHIJIN = "522401", "522422", "522424", "522425"
UNITS = (BIJIE, DAFANG, JINSHA)

MONTHLY = {
    BIJIE: {"D02": 200, "D03": 133, "C02": 10, "D04": 0, "C05": 0, "C06": 0, "K03": 0, "K04": 0, "C01": 20},
    DAFANG: {"D02": 100, "D03": 96, "C02": 6, "D04": 0, "C05": 0, "C06": 0, "C01": 10},
    JINSHA: {"D02": 100, "D03": 97, "C02": 12, "D04": 0, "C05": 0, "C06": 0, "C01": 30},
}
LAST_YEAR_REPORTED = {"C02": 8}


def targets(year: int, c02_target: float) -> list[Target]:
    return [
        target
        for unit in UNITS
        for target in (
            Target(unit, "R04", "min", 0.95, 40),
            Target(unit, "C02", "min", c02_target, 30),
            Target(unit, "D04", "max", 0, 10, is_veto=True),
            Target(unit, "S02", "rank_within", 60, 20),
        )
    ]


def build(warehouse: RawWarehouse) -> dict[str, str]:
    """Fill ``warehouse`` with the scenario; returns the sha256 of the files tests look up."""
    files: dict[str, str] = {}
    warehouse.add_targets(2021, targets(2021, 10))
    warehouse.add_targets(2022, targets(2022, 120))

    # 2021: 毕节市 in January; all three in December (大方县 reports 10 solved cases that month).
    warehouse.add_report(BIJIE, "2021-01", {**MONTHLY[BIJIE], "C02": 5})
    for unit in UNITS:
        december = {**MONTHLY[unit], "C02": 10} if unit == DAFANG else MONTHLY[unit]
        warehouse.add_report(unit, "2021-12", december)

    # 2022 Q1, with the submission cases.
    warehouse.add_report(BIJIE, "2022-01", {**MONTHLY[BIJIE], "P01": 1000}, last_year=LAST_YEAR_REPORTED)
    warehouse.add_report(
        DAFANG,
        "2022-01",
        MONTHLY[DAFANG],
        last_year=LAST_YEAR_REPORTED,
        received_at=datetime(2022, 2, 10, 9, 0),
    )  # late
    warehouse.add_report(JINSHA, "2022-01", {**MONTHLY[JINSHA], "D04": 1}, last_year=LAST_YEAR_REPORTED)

    files["bijie_feb_v1"] = warehouse.add_report(  # superseded by v2
        BIJIE, "2022-02", {**MONTHLY[BIJIE], "C02": 99, "P01": 999}, received_at=datetime(2022, 3, 2, 9, 0)
    )
    files["bijie_feb_v2"] = warehouse.add_report(
        BIJIE,
        "2022-02",
        {**MONTHLY[BIJIE], "P01": 1010},
        last_year=LAST_YEAR_REPORTED,
        received_at=datetime(2022, 3, 4, 9, 0),
    )
    warehouse.add_report(DAFANG, "2022-02", MONTHLY[DAFANG], last_year=LAST_YEAR_REPORTED)
    files["jinsha_feb"] = warehouse.add_report(  # on the deadline day, late in the evening
        JINSHA,
        "2022-02",
        MONTHLY[JINSHA],
        last_year=LAST_YEAR_REPORTED,
        status="accepted_with_warnings",
        warning_count=2,
        received_at=datetime(2022, 3, 5, 23, 30),
    )

    warehouse.add_report(BIJIE, "2022-03", {**MONTHLY[BIJIE], "P01": None}, last_year=LAST_YEAR_REPORTED)
    files["dafang_mar_v1"] = warehouse.add_report(
        DAFANG, "2022-03", MONTHLY[DAFANG], last_year=LAST_YEAR_REPORTED
    )
    files["dafang_mar_v2_rejected"] = warehouse.add_report(
        DAFANG,
        "2022-03",
        {**MONTHLY[DAFANG], "D03": 5000},
        status="rejected",
        error_count=3,
        received_at=datetime(2022, 4, 4, 9, 0),
    )
    warehouse.add_report(JINSHA, "2022-03", MONTHLY[JINSHA], last_year=LAST_YEAR_REPORTED)
    files["zhijin_mar_rejected"] = warehouse.add_report(
        ZHIJIN,
        "2022-03",
        {"D02": 10, "D03": 20},
        status="rejected",
        error_count=1,
        received_at=datetime(2022, 4, 2, 9, 0),
    )
    warehouse.add_finding(
        files["zhijin_mar_rejected"],
        "D03_LE_D02",
        "error",
        cell="D17",
        field="D03",
        value="20",
        message="调解成功数不能大于调解民间纠纷数",
        hint="请核对D03与D02",
    )
    return files
