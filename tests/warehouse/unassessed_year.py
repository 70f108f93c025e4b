"""A year reported but never assessed: 2021 has reports and no targets workbook, 2022 gets one late.

Reports (accepted, on time), the same figures every month of a year:

  unit            D02  D03 2021 -> R04   D03 2022 -> R04   reports in
  毕节市 522401    100   90       0.90    96       0.96      2021-12, 2022-01, 2022-02, 2022-12
  大方县 522422    100   76       0.76    90       0.90      the same
  金沙县 522424    100   96       0.96    76       0.76      the same
  织金县 522425    100    -          -    80       0.80      2022-01 only (nothing in 2021)

so the R04 league table of January 2022 (year-to-date) against last December's: 毕节市 1st (was 2nd, ↑1),
大方县 2nd (was 3rd, ↑1), 织金县 3rd (no December value while the others had one: 新), 金沙县 4th (was 1st,
↓3). No month between February and December has data, so December 2022 and 2022Q4 have no previous
period with data.

The 2022 targets (``TARGETS``, added by ``add_2022_targets``): R04 ≥ 95% for 60 points, D04 ≤ 0 for 40
(veto; every unit reports 0). Scores in every 2022 period: 毕节市 100.0 (96% ≥ 95%), 大方县 96.8
(40 + 60 × 0.90/0.95 = 96.84), 织金县 90.5 (40 + 60 × 0.80/0.95 = 90.53; its January figures are its
year-to-date all year), 金沙县 88.0 (40 + 60 × 0.76/0.95): ranks 1 to 4 in that order.
"""

from __future__ import annotations

from tests.warehouse.warehouse_builder import RawWarehouse, Target

BIJIE, DAFANG, JINSHA, ZHIJIN = "522401", "522422", "522424", "522425"
D03 = {  # D03 per unit: (2021, 2022) with D02 = 100 every month
    BIJIE: (90, 96),
    DAFANG: (76, 90),
    JINSHA: (96, 76),
}
ZHIJIN_D03_2022 = 80
MONTHS = ("2021-12", "2022-01", "2022-02", "2022-12")
TARGETS = [
    target
    for unit in (BIJIE, DAFANG, JINSHA, ZHIJIN)
    for target in (Target(unit, "R04", "min", 0.95, 60), Target(unit, "D04", "max", 0, 40, is_veto=True))
]


def figures(d03: float) -> dict[str, float]:
    return {"D02": 100, "D03": d03, "D04": 0}


def build(warehouse: RawWarehouse) -> None:
    """The reports of both years; no targets workbook."""
    for month in MONTHS:
        for unit, (d03_2021, d03_2022) in D03.items():
            warehouse.add_report(unit, month, figures(d03_2021 if month < "2022" else d03_2022))
    warehouse.add_report(ZHIJIN, "2022-01", figures(ZHIJIN_D03_2022))


def add_2022_targets(warehouse: RawWarehouse) -> str:
    """The 2022 targets workbook arrives (after the January bulletin went out without scores)."""
    return warehouse.add_targets(2022, TARGETS)
