"""The demo prefecture (毕节, the nine units of the seeds): monthly reports January 2021 – December 2022.

``demo_figures()`` computes every figure (pure, seeded, no files); ``write_demo_files()`` writes them as
the workbooks counties would send, plus the 2022 targets workbook, with file times set to when the office
received them. The 2022 prefecture totals are the speech's own figures, exactly:

    D02 40,988  D03 39,348  C08 5  C09 30  P01 1,620,000  P02 3,577  P03 2,646  P04 2,357  P05 208
    C02 = round(1.096 x 2021)  C04 = round(1.15 x 2021)  population-weighted S01: 2022 - 2021 = 3.07

(flows are January–December sums, stocks the December values). Integer parts are split with the
largest-remainder method so they add up exactly. 2020 is generated too: it is the 去年同期数 of 2021.

A few files carry the mistakes and typing habits counties really have (see ``DemoFile.note``): a rejected
file and its correction (赫章县 2022-05), township figures that disagree with the unit total (威宁 2022-07),
a late file (纳雍县 2022-11), numbers typed as "1,234", full-width digits, "无" and "92.35%".
"""

from __future__ import annotations

import bisect
import math
import os
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from base import catalogue, layout
from base.catalogue import Unit
from exports.template import write_submission_workbook, write_targets_workbook
from ingest.arrivals import state_arrivals

DEFAULT_SEED = 2022
HISTORY_YEAR = 2020  # generated only as the 去年同期数 of the 2021 reports
REPORT_YEARS = (2021, 2022)
YEARS = (HISTORY_YEAR, *REPORT_YEARS)
SURVEY_MONTHS = (6, 12)
TARGETS_FILE = "目标管理责任书_2022年.xlsx"

# The speech's 2022 prefecture figures (flows: year sums; stocks: December).
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
C02_GROWTH_PERMILLE = 1096  # 2022 C02 = round(1.096 x 2021 C02)
C04_GROWTH_PERCENT = 115  # 2022 C04 = round(1.15 x 2021 C04)
S01_GAIN_HUNDREDTHS = 307  # population-weighted December S01, 2022 minus 2021

# Provincial survey ranks (S02), December 2021 -> December 2022, as the targets story needs them.
SURVEY_RANKS = {
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
# Rank -> S01 score of the provincial survey (piecewise linear; the tail spreads out).
_SCORE_ANCHORS = ((1, 93.5), (20, 90.0), (40, 87.0), (60, 83.5), (75, 80.5), (88, 75.5))

# Single events of the story: (unit alias, period, indicator, value).
_EVENTS = (
    ("纳雍县", "2022-03", "D04", 1),  # a mass incident: the veto case
    ("织金县", "2021-08", "D04", 1),
    ("威宁县", "2020-05", "D04", 1),
    ("威宁县", "2022-04", "D05", 1),
    ("毕节市", "2022-09", "D05", 1),
    ("大方县", "2021-06", "D05", 1),
    ("纳雍县", "2021-11", "D05", 1),
    ("赫章县", "2020-10", "D05", 1),
)
_C02_DECLINE_UNIT = "织金县"  # its 2022 C02 falls below 2021
_C04_DECLINE_UNIT = "金沙县"  # its 2022 C04 falls below 2021
_FEW_VISITS_UNIT = "百里杜鹃"  # K05 once in 2022 (target: at least 2)
_LATE_G02_UNITS = 4  # units whose stability centres are complete only during 2022

_REPORTERS = {  # (填报人, 审核人) per unit, in catalogue order
    "522401": ("张丽", "王建国"),
    "522422": ("李明", "陈志强"),
    "522423": ("刘芳", "杨光辉"),
    "522424": ("赵静", "周德明"),
    "522425": ("吴霞", "徐永红"),
    "522426": ("孙艳", "马俊"),
    "522427": ("朱敏", "胡春林"),
    "522428": ("郭亮", "何世平"),
    "522490": ("罗娟", "高峰"),
}

_SEASON_CRIME = (0.85, 0.8, 0.9, 0.95, 1.0, 1.05, 1.15, 1.15, 1.05, 1.0, 0.95, 1.05)
_SEASON_DISPUTES = (1.25, 1.2, 1.0, 0.95, 0.9, 0.9, 0.95, 0.95, 1.0, 0.95, 0.95, 1.0)
_FLAT = (1.0,) * 12


# --------------------------------------------------------------------------------------------------
# Small pure helpers


def split(total: int, weights: Sequence[float]) -> list[int]:
    """``total`` split in proportion to ``weights`` by largest remainder: the parts add up exactly."""
    if total == 0:
        return [0] * len(weights)
    whole = sum(weights)
    if total < 0 or whole <= 0:
        raise ValueError(f"cannot split {total} over weights {weights}")
    quotas = [total * w / whole for w in weights]
    parts = [math.floor(q) for q in quotas]
    order = sorted(range(len(weights)), key=lambda i: (-(quotas[i] - parts[i]), i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def period_of(year: int, month: int) -> str:
    return f"{year}-{month:02d}"


def _index(year: int, month: int) -> int:
    return (year - HISTORY_YEAR) * 12 + month - 1


def _months() -> list[tuple[int, int]]:
    return [(year, month) for year in YEARS for month in range(1, 13)]


def _rng(seed: int, topic: str) -> random.Random:
    """One generator per topic, so changing one block of figures leaves the others as they were."""
    return random.Random(f"pingan-demo:{seed}:{topic}")


def _unit(alias: str) -> Unit:
    unit = catalogue.resolve_unit(alias)
    if unit is None:
        raise KeyError(alias)
    return unit


def _score_at(rank: float) -> float:
    ranks = [r for r, _ in _SCORE_ANCHORS]
    i = min(max(bisect.bisect_right(ranks, rank), 1), len(ranks) - 1)
    (r0, s0), (r1, s1) = _SCORE_ANCHORS[i - 1], _SCORE_ANCHORS[i]
    return s0 + (s1 - s0) * (rank - r0) / (r1 - r0)


def _ramp(end: float, growth: float, n: int = 36) -> list[float]:
    """A level rising gently and linearly to ``end`` at the last month (``growth`` = total rise)."""
    return [end * (1 - growth * (n - 1 - m) / (n - 1)) for m in range(n)]


# --------------------------------------------------------------------------------------------------
# The figures


@dataclass(frozen=True)
class TownshipFigures:
    """One row of 乡镇明细."""

    township_name: str
    d02: int
    d03: int
    has_centre: bool
    p02: int
    c01: int
    g03: int

    def as_row(self) -> dict[str, object]:
        return {
            "township_name": self.township_name,
            "d02": self.d02,
            "d03": self.d03,
            "has_centre": self.has_centre,
            "p02": self.p02,
            "c01": self.c01,
            "g03": self.g03,
        }


@dataclass(frozen=True)
class DemoFile:
    """One workbook a unit sent: what it contains as typed, where it goes, when it was received."""

    unit_code: str
    period: str
    relpath: str  # under the output folder, '/'-separated
    received_at: datetime  # Asia/Shanghai wall clock, aware
    expected_status: str  # accepted | accepted_with_warnings | rejected
    values: dict[str, object]
    last_year: dict[str, object]
    townships: tuple[dict[str, object], ...]
    remarks: dict[str, str] = field(default_factory=dict)
    info: dict[str, object] = field(default_factory=dict)
    note: str = ""  # what is special about this file, if anything

    @property
    def mtime(self) -> float:
        return self.received_at.timestamp()


@dataclass(frozen=True)
class DemoData:
    """Every true figure of the demo (the figures of the accepted files), plus the files to write."""

    seed: int
    values: dict[tuple[str, str], dict[str, int | float | None]]  # (unit_code, 'YYYY-MM'), 2020–2022
    townships: dict[tuple[str, str], tuple[TownshipFigures, ...]]  # report periods only
    files: tuple[DemoFile, ...]

    @property
    def periods(self) -> tuple[str, ...]:
        """The report periods, 2021-01 .. 2022-12."""
        return tuple(period_of(y, m) for y in REPORT_YEARS for m in range(1, 13))

    def value(self, unit_code: str, period: str, code: str) -> int | float | None:
        return self.values[(unit_code, period)][code]

    def last_year(self, unit_code: str, period: str) -> dict[str, int | float | None]:
        """The same month one year earlier (the 去年同期数 the report carries)."""
        year, month = int(period[:4]), int(period[5:])
        return self.values[(unit_code, period_of(year - 1, month))]

    def unit_total(self, unit_code: str, code: str, year: int) -> int | float | None:
        """A flow's January–December sum, or a stock's December value."""
        indicator = catalogue.indicator_by_code()[code]
        if indicator.kind == "flow":
            return sum(self.values[(unit_code, period_of(year, m))][code] or 0 for m in range(1, 13))
        return self.values[(unit_code, period_of(year, 12))][code]

    def prefecture_total(self, code: str, year: int) -> int | float | None:
        """The prefecture's year figure: counts and amounts summed over units; percents (S01, S03) as the
        population-weighted December mean; ranks have none."""
        indicator = catalogue.indicator_by_code()[code]
        if indicator.value_type == "rank":
            return None
        if indicator.value_type == "percent":
            return self.weighted_mean(code, period_of(year, 12))
        total = sum(self.unit_total(unit.code, code, year) for unit in catalogue.units())
        return round(total, 1) if isinstance(total, float) else total

    def weighted_mean(self, code: str, period: str) -> float:
        units = catalogue.units()
        weighted = sum(u.population * self.values[(u.code, period)][code] for u in units)
        return weighted / sum(u.population for u in units)


class _Figures:
    """Builds the 36-month series (2020-01 .. 2022-12) of every submitted indicator for every unit."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.units = catalogue.units()
        self.codes = [i.code for i in catalogue.submitted_indicators()]
        self.series: dict[str, dict[str, list]] = {code: {} for code in self.codes}

    def rng(self, topic: str) -> random.Random:
        return _rng(self.seed, topic)

    def monthly(self, rng: random.Random, annual: Sequence[int], season: Sequence[float]) -> list[int]:
        """Three annual totals split into months by season with some noise."""
        out: list[int] = []
        for total in annual:
            out += split(total, [s * rng.uniform(0.85, 1.15) for s in season])
        return out

    def build(self) -> dict[str, dict[str, list]]:
        self.crime()
        self.serious_crime()
        self.homicides()
        self.organised_crime()
        self.disputes()
        self.petitions()
        self.peace()
        self.grassroots()
        self.population_groups()
        self.survey()
        self.story_events()
        return self.series

    # -- crime ------------------------------------------------------------------------------------

    def crime(self) -> None:
        rng = self.rng("crime")
        c01_year: dict[str, list[int]] = {}
        c02_year: dict[str, list[int]] = {}
        for unit in self.units:
            factor = rng.uniform(0.85, 1.2) * (1.25 if unit.sort_order == 1 else 1.0)
            base = unit.population / 10_000 * 14.5 * factor
            c01_year[unit.code] = [
                round(base * level * rng.uniform(0.97, 1.03)) for level in (1.06, 1.03, 1.0)
            ]
            c02_year[unit.code] = [
                round(c01_year[unit.code][0] * rng.uniform(0.50, 0.55)),
                round(c01_year[unit.code][1] * rng.uniform(0.52, 0.57)),
                0,
            ]
        decline = _unit(_C02_DECLINE_UNIT).code
        self._grow(c02_year, C02_GROWTH_PERMILLE, 1000, decline, rng, (1.04, 1.16), 0.95)
        for unit in self.units:
            c01 = self.monthly(rng, c01_year[unit.code], _SEASON_CRIME)
            self.series["C01"][unit.code] = c01
            self.series["C02"][unit.code] = self.monthly(rng, c02_year[unit.code], _SEASON_CRIME)
            share = rng.uniform(0.40, 0.50)
            self.series["C07"][unit.code] = [round(n * share * rng.uniform(0.93, 1.07)) for n in c01]
            fugitives = unit.population / 10_000 * 1.33 * rng.uniform(0.8, 1.2)
            self.series["C10"][unit.code] = self.monthly(
                rng, [round(fugitives * rng.uniform(0.9, 1.1)) for _ in YEARS], _FLAT
            )

    def _grow(self, by_unit, numerator, denominator, decline_code, rng, spread, decline_factor) -> None:
        """Fill in 2022 so the prefecture total is round(growth x 2021) exactly (half up), with one unit
        falling below its 2021 figure."""
        first = self.units[0].code
        while (numerator * sum(v[1] for v in by_unit.values())) % denominator * 2 == denominator:
            by_unit[first][1] += 1  # avoid an exact .5, where rounding conventions differ
        total_2021 = sum(v[1] for v in by_unit.values())
        target = (numerator * total_2021 + denominator // 2) // denominator
        raw = [
            by_unit[u.code][1] * (decline_factor if u.code == decline_code else rng.uniform(*spread))
            for u in self.units
        ]
        for unit, value in zip(self.units, split(target, raw), strict=True):
            by_unit[unit.code][2] = value

    def serious_crime(self) -> None:
        rng = self.rng("serious")
        c03_year: dict[str, list[int]] = {}
        c04_year: dict[str, list[int]] = {}
        for unit in self.units:
            base = unit.population / 10_000 * 0.63 * rng.uniform(0.85, 1.15)
            c03 = [round(base * 1.05 * rng.uniform(0.95, 1.05)), round(base * rng.uniform(0.97, 1.03)), 0]
            c03_year[unit.code] = c03
            c04_year[unit.code] = [
                round(c03[0] * rng.uniform(0.74, 0.82)),
                round(c03[1] * rng.uniform(0.76, 0.84)),
                0,
            ]
        decline = _unit(_C04_DECLINE_UNIT).code
        self._grow(c04_year, C04_GROWTH_PERCENT, 100, decline, rng, (1.08, 1.24), 0.9)
        for unit in self.units:
            c03, c04 = c03_year[unit.code], c04_year[unit.code]
            c03[2] = max(round(c03[1] * rng.uniform(0.92, 0.99)), math.ceil(c04[2] / rng.uniform(0.94, 0.98)))
            months_c03 = self.monthly(rng, c03, _SEASON_CRIME)
            months_c04: list[int] = []
            for y in range(3):  # solved cases follow the cases filed, so no month solves more than it filed
                months_c04 += split(c04[y], months_c03[12 * y : 12 * y + 12])
            self.series["C03"][unit.code] = months_c03
            self.series["C04"][unit.code] = months_c04

    def homicides(self) -> None:
        rng = self.rng("homicides")
        weights = [u.population * rng.uniform(0.8, 1.2) for u in self.units]
        by_year = [split(total, weights) for total in (66, 63, 60)]
        unsolved_units = {
            year: rng.sample([u.code for u, n in zip(self.units, by_year[y], strict=True) if n >= 4], k)
            for y, (year, k) in enumerate(zip(YEARS, (3, 2, 3), strict=True))
        }
        for i, unit in enumerate(self.units):
            c05: list[int] = []
            c06: list[int] = []
            for y, year in enumerate(YEARS):
                months = split(by_year[y][i], [rng.uniform(0.2, 1.8) for _ in range(12)])
                solved = list(months)
                if unit.code in unsolved_units[year]:
                    candidates = [m for m, n in enumerate(solved) if n > 0]
                    solved[rng.choice(candidates)] -= 1
                c05 += months
                c06 += solved
            self.series["C05"][unit.code] = c05
            self.series["C06"][unit.code] = c06

    def organised_crime(self) -> None:
        rng = self.rng("organised")
        for code, totals in (("C08", (3, 4, SPEECH_2022["C08"])), ("C09", (22, 26, SPEECH_2022["C09"]))):
            per_year = [
                split(total, [u.population * rng.uniform(0.7, 1.3) for u in self.units]) for total in totals
            ]
            for i, unit in enumerate(self.units):
                months = []
                for y in range(3):
                    counts = [0] * 12
                    for _ in range(per_year[y][i]):
                        counts[rng.randrange(12)] += 1
                    months += counts
                self.series[code][unit.code] = months

    # -- disputes and petitions -------------------------------------------------------------------

    def disputes(self) -> None:
        rng = self.rng("disputes")
        weights = [u.population * rng.uniform(0.85, 1.15) for u in self.units]
        d02_2022 = split(SPEECH_2022["D02"], weights)
        d02_2021 = split(
            round(SPEECH_2022["D02"] / rng.uniform(1.04, 1.08)),
            [w * rng.uniform(0.95, 1.05) for w in weights],
        )
        d02_2020 = split(
            round(sum(d02_2021) / rng.uniform(1.03, 1.07)), [w * rng.uniform(0.95, 1.05) for w in weights]
        )
        rates = [0.941, 0.946, 0.952, 0.957, 0.961, 0.964, 0.967, 0.970, 0.974]
        rng.shuffle(rates)
        d03_2022 = split(SPEECH_2022["D03"], [d * r for d, r in zip(d02_2022, rates, strict=True)])
        for i, unit in enumerate(self.units):
            d02_years = [d02_2020[i], d02_2021[i], d02_2022[i]]
            d03_years = [
                round(d02_2020[i] * rng.uniform(0.93, 0.965)),
                round(d02_2021[i] * rng.uniform(0.935, 0.97)),
                d03_2022[i],
            ]
            d02 = self.monthly(rng, d02_years, _SEASON_DISPUTES)
            d03: list[int] = []
            for y in range(3):
                d03 += split(d03_years[y], d02[12 * y : 12 * y + 12])
            self.series["D02"][unit.code] = d02
            self.series["D03"][unit.code] = d03
            self.series["D01"][unit.code] = [n + round(n * rng.uniform(0.05, 0.25)) for n in d02]

    def petitions(self) -> None:
        rng = self.rng("petitions")
        few_visits = _unit(_FEW_VISITS_UNIT).code
        for unit in self.units:
            self.series["D04"][unit.code] = [0] * 36
            self.series["D05"][unit.code] = [0] * 36
            base = unit.population / 10_000 * 0.15
            self.series["D06"][unit.code] = self.monthly(
                rng, [max(1, round(base * rng.uniform(0.7, 1.3))) for _ in YEARS], _FLAT
            )
            visits = [rng.choice((0, 1, 1, 1, 2)) for _ in range(36)]
            if unit.code == few_visits:
                visits[24:] = [0] * 12
                visits[_index(2022, 7)] = 1
            self.series["K05"][unit.code] = visits

    # -- stocks -------------------------------------------------------------------------------------

    def peace(self) -> None:
        rng = self.rng("peace")
        by_population = {"P01": 0.03, "P03": 0.08, "P04": 0.06}
        for code in ("P01", "P02", "P03", "P04", "P05"):
            if code in by_population:
                weights = [u.population * rng.uniform(0.9, 1.1) for u in self.units]
            else:
                weights = [u.townships * rng.uniform(0.9, 1.1) for u in self.units]
            ends = split(SPEECH_2022[code], weights)
            for unit, end in zip(self.units, ends, strict=True):
                growth = by_population.get(code, 0.05) * rng.uniform(1.0, 3.0)
                series = [round(v) for v in _ramp(end, growth)]
                if code == "P05":
                    series = [min(v, unit.townships) for v in series]
                self.series[code][unit.code] = series

    def grassroots(self) -> None:
        rng = self.rng("grassroots")
        late = set(rng.sample([u.code for u in self.units], _LATE_G02_UNITS))
        late_months = iter([_index(2022, m) for m in (4, 7, 10, 12)])
        for unit in self.units:
            g01 = unit.townships
            self.series["G01"][unit.code] = [g01] * 36
            full_at = (
                next(late_months) if unit.code in late else rng.randrange(_index(2021, 3), _index(2021, 12))
            )
            start = rng.uniform(0.45, 0.75)
            self.series["G02"][unit.code] = [
                g01 if m >= full_at else min(g01 - 1, math.floor(g01 * (start + (1 - start) * m / full_at)))
                for m in range(36)
            ]
            g03_end = unit.population / 10_000 * rng.uniform(28, 45)
            self.series["G03"][unit.code] = [round(v) for v in _ramp(g03_end, rng.uniform(0.25, 0.4))]
            g04_end = unit.population / 10_000 * rng.uniform(1.1, 1.8)
            self.series["G04"][unit.code] = [round(v) for v in _ramp(g04_end, rng.uniform(0.05, 0.15))]
            budget_2022 = round(unit.population / 10_000 * rng.uniform(3.5, 6.0) + 80)
            budget_2021 = round(budget_2022 / rng.uniform(1.03, 1.10))
            budgets = [round(budget_2021 / rng.uniform(1.02, 1.08)), budget_2021, budget_2022]
            g05: list[int] = []
            g06: list[float] = []
            for budget in budgets:
                g05 += [budget] * 12
                final = rng.uniform(0.9, 1.02)
                received = 0.0
                for month in range(1, 13):
                    received = max(received, round(budget * final * (month / 12) ** rng.uniform(0.9, 1.1), 1))
                    g06.append(received)
            self.series["G05"][unit.code] = g05
            self.series["G06"][unit.code] = g06

    def population_groups(self) -> None:
        rng = self.rng("population")
        placed_rates = [0.91, 0.93, 0.94, 0.955, 0.96, 0.965, 0.97, 0.975, 0.98]
        rng.shuffle(placed_rates)
        for unit, placed_end in zip(self.units, placed_rates, strict=True):
            k02 = _ramp(unit.population * rng.uniform(0.03, 0.06), rng.uniform(0.03, 0.08))
            start, end = rng.uniform(0.84, 0.88), rng.uniform(0.88, 0.95)
            self.series["K02"][unit.code] = [round(v) for v in k02]
            self.series["K01"][unit.code] = [
                round(v * (start + (end - start) * m / 35)) for m, v in enumerate(k02)
            ]
            k03 = [
                round(v) for v in _ramp(unit.population * rng.uniform(0.0012, 0.002), rng.uniform(0.02, 0.05))
            ]
            placed_start = rng.uniform(0.9, 0.96)
            k04 = [
                round(n * (placed_start + (placed_end - placed_start) * m / 35)) for m, n in enumerate(k03)
            ]
            self.series["K03"][unit.code] = k03
            self.series["K04"][unit.code] = k04

    # -- the provincial survey ----------------------------------------------------------------------

    def survey(self) -> None:
        rng = self.rng("survey")
        codes = [u.code for u in self.units]
        weights = {u.code: u.population // 10_000 for u in self.units}
        dec = {
            2021: {_unit(a).code: r[0] for a, r in SURVEY_RANKS.items()},
            2022: {_unit(a).code: r[1] for a, r in SURVEY_RANKS.items()},
        }
        dec[2020] = _distinct({c: min(88, max(1, dec[2021][c] + rng.randint(-3, 6))) for c in codes})
        dec[2019] = _distinct({c: min(88, max(1, dec[2020][c] + rng.randint(-3, 3))) for c in codes})
        ranks: dict[tuple[int, int], dict[str, int]] = {}
        for year in YEARS:
            june = {c: round((dec[year - 1][c] + dec[year][c]) / 2 + rng.uniform(-1.5, 1.5)) for c in codes}
            june = {
                c: min(max(v, min(dec[year - 1][c], dec[year][c])), max(dec[year - 1][c], dec[year][c]))
                for c, v in june.items()
            }
            ranks[(year, 6)] = _distinct(june)
            ranks[(year, 12)] = dec[year]
        level = {(2020, 6): -0.6, (2020, 12): -0.4, (2021, 6): -0.2, (2021, 12): 0.0, (2022, 6): 0.5}
        score: dict[tuple[int, int], dict[str, int]] = {}  # hundredths
        for key, by_unit in ranks.items():
            shift = level.get(key, 0.0)
            score[key] = _ordered(
                by_unit,
                {
                    c: round(100 * (_score_at(r) + shift + rng.uniform(-0.12, 0.12)))
                    for c, r in by_unit.items()
                },
            )
        # 百里杜鹃 improves clearly (its target): low in its 2021 gap, just behind 纳雍 in 2022.
        small, neighbour_below, neighbour_above = (
            _unit("百里杜鹃").code,
            _unit("纳雍县").code,
            _unit("织金县").code,
        )
        s21, s22 = score[(2021, 12)], score[(2022, 12)]
        s21[small] = s21[neighbour_below] + round(0.12 * (s21[neighbour_above] - s21[neighbour_below]))
        s22[small] = s22[neighbour_below] - 15
        # The 2022 level is whatever makes the weighted gain 3.07 exactly, in integer hundredths.
        target = S01_GAIN_HUNDREDTHS * sum(weights.values())
        gain = sum(weights[c] * (s22[c] - s21[c]) for c in codes)
        shift = round((target - gain) / sum(weights.values()))
        for c in codes:
            s22[c] += shift
        residual = target - sum(weights[c] * (s22[c] - s21[c]) for c in codes)
        movable = [c for c in codes if c not in (small, neighbour_below)]
        for fix in _small_fixes(residual, {c: weights[c] for c in movable}):
            trial = {c: s22[c] + fix.get(c, 0) for c in codes}
            if _is_ordered(ranks[(2022, 12)], trial):
                score[(2022, 12)] = trial
                break
        else:  # pragma: no cover - a seed that cannot be fixed is a bug to see at once
            raise RuntimeError("no small fix keeps the survey scores ordered")
        for (year, month), by_unit in ranks.items():
            index = _index(year, month)
            for c in codes:
                satisfaction = score[(year, month)][c] - round(100 * rng.uniform(0.8, 2.5))
                self._set(c, index, S02=by_unit[c], S01=score[(year, month)][c] / 100, S03=satisfaction / 100)
        for c in codes:
            for code in ("S01", "S02", "S03"):
                self.series[code].setdefault(c, [None] * 36)

    def _set(self, unit_code: str, index: int, **values) -> None:
        for code, value in values.items():
            self.series[code].setdefault(unit_code, [None] * 36)[index] = value

    def story_events(self) -> None:
        for alias, period, code, value in _EVENTS:
            year, month = int(period[:4]), int(period[5:])
            self.series[code][_unit(alias).code][_index(year, month)] = value


def _distinct(ranks: dict[str, int]) -> dict[str, int]:
    """Provincial ranks are unique: move a unit that shares a place one further down (or up at 88)."""
    taken: set[int] = set()
    out = {}
    for code, rank in ranks.items():
        while rank in taken:
            rank = rank + 1 if rank < 88 else rank - 1
        taken.add(rank)
        out[code] = rank
    return out


def _ordered(ranks: dict[str, int], scores: dict[str, int]) -> dict[str, int]:
    """Scores made strictly decreasing in rank (a better rank never has a lower score)."""
    out = dict(scores)
    previous = None
    for code in sorted(ranks, key=ranks.get):
        if previous is not None and out[code] >= out[previous]:
            out[code] = out[previous] - 5
        previous = code
    return out


def _is_ordered(ranks: dict[str, int], scores: dict[str, int]) -> bool:
    order = sorted(ranks, key=ranks.get)
    return all(scores[a] > scores[b] for a, b in zip(order, order[1:], strict=False))


def _small_fixes(residual: int, weights: dict[str, int]) -> Iterable[dict[str, int]]:
    """Adjustments of a few hundredths to one, two or three units whose weighted sum is ``residual``,
    smallest first."""
    codes = sorted(weights)
    if residual == 0:
        yield {}
        return
    found: list[tuple[int, dict[str, int]]] = []
    for c in codes:
        if residual % weights[c] == 0 and abs(residual // weights[c]) <= 8:
            found.append((abs(residual // weights[c]), {c: residual // weights[c]}))
    for i, a in enumerate(codes):
        for b in codes[i + 1 :]:
            for x in range(-8, 9):
                rest = residual - x * weights[a]
                if x and rest % weights[b] == 0 and 0 < abs(rest // weights[b]) <= 8:
                    found.append((abs(x) + abs(rest // weights[b]), {a: x, b: rest // weights[b]}))
    for i, a in enumerate(codes):
        for j, b in enumerate(codes[i + 1 :], start=i + 1):
            for c in codes[j + 1 :]:
                for x in range(-5, 6):
                    for y in range(-5, 6):
                        rest = residual - x * weights[a] - y * weights[b]
                        if x and y and rest % weights[c] == 0 and 0 < abs(rest // weights[c]) <= 5:
                            found.append(
                                (
                                    abs(x) + abs(y) + abs(rest // weights[c]),
                                    {a: x, b: y, c: rest // weights[c]},
                                )
                            )
    yield from (fix for _, fix in sorted(found, key=lambda item: (item[0], sorted(item[1].items()))))


# --------------------------------------------------------------------------------------------------
# Townships


def _township_rows(
    seed: int, series: dict[str, dict[str, list]]
) -> dict[tuple[str, str], tuple[TownshipFigures, ...]]:
    rng = _rng(seed, "townships")
    out: dict[tuple[str, str], tuple[TownshipFigures, ...]] = {}
    for unit in catalogue.units():
        names = catalogue.townships()[unit.code]
        urban = [1.6 if name.endswith("街道") else 1.0 for name in names]
        disputes = [rng.uniform(0.5, 1.5) for _ in names]
        crime = [u * rng.uniform(0.5, 1.5) for u in urban]
        villages = [rng.uniform(0.6, 1.4) for _ in names]
        cameras = [u * rng.uniform(0.6, 1.4) for u in urban]
        centre_order = sorted(range(len(names)), key=lambda i: (-urban[i], rng.random()))
        for year in REPORT_YEARS:
            for month in range(1, 13):
                m = _index(year, month)
                figure = {
                    code: series[code][unit.code][m] for code in ("D02", "D03", "P02", "C01", "G03", "G02")
                }
                d02 = split(figure["D02"], disputes)
                d03 = split(figure["D03"], d02) if figure["D03"] else [0] * len(names)
                p02 = split(figure["P02"], villages)
                c01 = split(figure["C01"], crime)
                g03 = split(figure["G03"], cameras)
                centres = set(centre_order[: figure["G02"]])
                out[(unit.code, period_of(year, month))] = tuple(
                    TownshipFigures(name, d02[i], d03[i], i in centres, p02[i], c01[i], g03[i])
                    for i, name in enumerate(names)
                )
    return out


# --------------------------------------------------------------------------------------------------
# Files: receipt times, typing habits and mistakes


def _tz() -> ZoneInfo:
    return ZoneInfo(catalogue.settings()["timezone"])


def _receipt(rng: random.Random, period: str, day: int | None = None) -> datetime:
    """A working-hours time between the 1st and the deadline day of the following month."""
    year, month = int(period[:4]), int(period[5:])
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    day = day or rng.randint(1, int(catalogue.settings()["deadline_day"]))
    minutes = 8 * 60 + 30 + rng.randrange(9 * 60 + 30)
    return datetime(year, month, day, minutes // 60, minutes % 60, rng.randrange(60), tzinfo=_tz())


def file_name(unit: Unit, period: str, suffix: str = "") -> str:
    return layout.submission_file_name(unit.short_name, period, suffix)


def _typed(value: object, code: str) -> object:
    """A figure as written by the generator: counts as int, scores with 2 decimals, money with 1."""
    if value is None:
        return None
    indicator = catalogue.indicator_by_code()[code]
    if indicator.value_type == "percent":
        return round(float(value), 2)
    if indicator.value_type == "amount":
        return round(float(value), 1) if float(value) != int(value) else int(value)
    return int(value)


def _with_separators(values: dict[str, object]) -> dict[str, object]:
    return {c: f"{v:,}" if isinstance(v, int) and v >= 1000 else v for c, v in values.items()}


_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
_SMALL_COUNTS = ("C05", "C06", "C08", "C09", "D04", "D05", "D06", "K05")


def _full_width(values: dict[str, object]) -> dict[str, object]:
    return {
        c: str(v).translate(_FULL_WIDTH) if c in _SMALL_COUNTS and isinstance(v, int) else v
        for c, v in values.items()
    }


def _zero_as_wu(values: dict[str, object]) -> dict[str, object]:
    return {c: "无" if c in ("C08", "C09", "D04", "D05") and v == 0 else v for c, v in values.items()}


def _percent_sign(values: dict[str, object]) -> dict[str, object]:
    return {**values, "S01": f"{values['S01']:.2f}%"}


# Typing habits of real counties, each in one accepted file: (unit alias, period) -> (retyping, note).
_HABITS = {
    ("织金县", "2022-03"): (_with_separators, "本期数中千位以上的数字以文本填写，带千位分隔符（如 1,234）"),
    ("大方县", "2022-08"): (_full_width, "案件、事件、上访、调研次数以全角数字文本填写（如 １２）"),
    ("金沙县", "2021-10"): (_zero_as_wu, "为零的黑恶、群体性事件、上访数填“无”"),
    ("百里杜鹃", "2022-02"): (_zero_as_wu, "为零的黑恶、群体性事件、上访数填“无”"),
    ("黔西县", "2022-06"): (_percent_sign, "群众安全感测评得分带百分号以文本填写（如 88.50%）"),
}


def _swapped_larger(n: int) -> int:
    """``n`` with two adjacent digits swapped, choosing the swap that gives the largest number."""
    digits = str(n)
    swaps = (int(digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :]) for i in range(len(digits) - 1))
    return max(n, *swaps)


def _received(demo_file: DemoFile, when: datetime) -> DemoFile:
    """The file received at ``when`` (its 填报日期 follows)."""
    return replace(
        demo_file, received_at=when, info={**demo_file.info, "fill_date": when.strftime("%Y-%m-%d")}
    )


def _plain_file(seed: int, unit: Unit, period: str, values, townships, received: datetime) -> DemoFile:
    """The file of a unit and month exactly as the true figures are, received at ``received``."""
    codes = [i.code for i in catalogue.submitted_indicators()]
    year, month = int(period[:4]), int(period[5:])
    true = {c: _typed(values[(unit.code, period)][c], c) for c in codes}
    last = {c: _typed(values[(unit.code, period_of(year - 1, month))][c], c) for c in codes}
    remarks = {}
    if true["D04"]:
        remarks["D04"] = "某镇因征地补偿问题发生群体性事件1起，已依法妥善处置。"
    if true["D05"]:
        remarks["D05"] = "群众集体反映拖欠工程款问题，已协调解决。"
    if month in SURVEY_MONTHS:
        remarks["S02"] = "省统计局群众安全感测评结果"
    reporter, reviewer = _REPORTERS.get(unit.code, ("", ""))
    phone = f"0857-{_rng(seed, 'phone:' + unit.code).randrange(8_200_000, 8_299_999)}"
    plain = DemoFile(
        unit_code=unit.code,
        period=period,
        relpath=f"{unit.name}/{file_name(unit, period)}",
        received_at=received,
        expected_status="accepted",
        values=true,
        last_year=last,
        townships=tuple(t.as_row() for t in townships[(unit.code, period)]),
        remarks=remarks,
        info={"reporter": reporter, "phone": phone, "reviewer": reviewer},
    )
    return _received(plain, received)


def _story(plain: DemoFile, unit: Unit, rng: random.Random) -> list[DemoFile]:
    """The file(s) a unit actually sent for a month: mostly the plain file, sometimes with a habit or
    a mistake (see the module docstring)."""
    period = plain.period
    habit = next((h for (alias, p), h in _HABITS.items() if p == period and _unit(alias) == unit), None)
    if habit:
        retype, note = habit
        return [replace(plain, values=retype(plain.values), note=note)]
    if unit == _unit("赫章县") and period == "2022-05":
        wrong = {**plain.values, "D03": _swapped_larger(int(plain.values["D03"]))}
        rejected = replace(
            plain,
            values=wrong,
            expected_status="rejected",
            note="调解成功数误录（数字颠倒），大于调解民间纠纷数：应被退回",
        )
        corrected = replace(
            plain,
            relpath=f"{unit.name}/{file_name(unit, period, '_更正')}",
            remarks={**plain.remarks, "D03": "更正：调解成功数录入有误，已更正。"},
            note="更正后的月报，取代 3 日报送的版本",
        )
        return [
            _received(rejected, _receipt(rng, period, day=3)),
            _received(corrected, _receipt(rng, period, day=4)),
        ]
    if unit == _unit("威宁县") and period == "2022-07":
        rows = [dict(r) for r in plain.townships]
        row = next(r for r in rows if _swapped_larger(r["d02"]) > r["d02"])
        row["d02"] = _swapped_larger(row["d02"])
        note = f"乡镇明细中{row['township_name']}调解民间纠纷数误录，乡镇合计与本期数不符"
        return [replace(plain, townships=tuple(rows), expected_status="accepted_with_warnings", note=note)]
    if unit == _unit("纳雍县") and period == "2022-11":
        late = datetime(2022, 12, 9, 10, 12, 37, tzinfo=_tz())
        return [replace(_received(plain, late), note="逾期报送（12月9日收到）")]
    return [plain]


def _demo_files(seed: int, values, townships) -> tuple[DemoFile, ...]:
    rng = _rng(seed, "receipts")
    files: list[DemoFile] = []
    for unit in catalogue.units():
        for year in REPORT_YEARS:
            for month in range(1, 13):
                period = period_of(year, month)
                plain = _plain_file(seed, unit, period, values, townships, _receipt(rng, period))
                files += _story(plain, unit, rng)
    return tuple(files)


# --------------------------------------------------------------------------------------------------
# Public API


def demo_figures(seed: int = DEFAULT_SEED) -> DemoData:
    """All figures of the demo prefecture (pure: no files are written)."""
    series = _Figures(seed).build()
    values: dict[tuple[str, str], dict[str, int | float | None]] = {}
    for unit in catalogue.units():
        for year, month in _months():
            index = _index(year, month)
            values[(unit.code, period_of(year, month))] = {
                code: by_unit[unit.code][index] for code, by_unit in series.items()
            }
    townships = _township_rows(seed, series)
    return DemoData(seed=seed, values=values, townships=townships, files=_demo_files(seed, values, townships))


# Targets common to every unit: (indicator, type, value, points, veto, note).
COMMON_TARGETS = (
    ("R04", "min", 0.95, 15, False, "调解成功率不低于95%"),
    ("R03", "min", 0.95, 10, False, "命案侦破率不低于95%"),
    ("R05", "min", 1.00, 10, False, "乡镇信访综治维稳中心覆盖率达到100%"),
    ("R08", "min", 0.95, 10, False, "刑释解教人员安置帮教率不低于95%"),
    ("D04", "max", 0, 10, True, "不发生群体性事件，发生即一票否决"),
    ("D05", "max", 0, 5, False, "不发生群体性上访"),
    ("C02", "growth", 0.0, 10, False, "刑事案件破案数同比上升"),
    ("C04", "growth", 0.0, 10, False, "八类严重暴力案件破案数同比上升"),
    ("K05", "min", 2, 5, False, "成员单位联系点调研全年不少于2次"),
)
SURVEY_TARGET_POINTS = 15
# The speech names four units for "top 60" in the provincial ranking, two of them anonymised; the demo
# assigns those two to 纳雍县 and 威宁县.
_SURVEY_TARGETS = {
    "毕节市": ("S02", "rank_within", 60, "群众安全感全省排名进入前60位"),
    "织金县": ("S02", "rank_within", 60, "群众安全感全省排名进入前60位"),
    "纳雍县": ("S02", "rank_within", 60, "群众安全感全省排名进入前60位"),
    "威宁县": ("S02", "rank_within", 60, "群众安全感全省排名进入前60位"),
    "金沙县": ("S02", "rank_up", 5, "群众安全感全省排名上升5位以上"),
    "大方县": ("S02", "rank_up", 5, "群众安全感全省排名上升5位以上"),
    "黔西县": ("S02", "rank_up", 5, "群众安全感全省排名上升5位以上"),
    "赫章县": ("S02", "rank_up", 5, "群众安全感全省排名上升5位以上"),
    "百里杜鹃": ("S01", "improve", 0, "群众安全感测评得分明显提高"),
}


def demo_targets(year: int = 2022) -> list[dict[str, object]]:
    """The demo's targets (目标管理责任书), one set per unit, points summing to 100."""
    names = {i.code: i.name for i in catalogue.indicators()}
    survey = {_unit(alias).code: target for alias, target in _SURVEY_TARGETS.items()}
    rows: list[dict[str, object]] = []
    for unit in catalogue.units():
        code, kind, value, note = survey[unit.code]
        lines = [*COMMON_TARGETS, (code, kind, value, SURVEY_TARGET_POINTS, False, note)]
        for indicator, target_type, target_value, points, veto, text in lines:
            rows.append(
                {
                    "unit_name": unit.name,
                    "unit_code": unit.code,
                    "year": year,
                    "indicator_code": indicator,
                    "indicator_name": names[indicator],
                    "target_type": target_type,
                    "target_value": target_value,
                    "points": points,
                    "is_veto": veto,
                    "note": text,
                }
            )
    return rows


def targets_received_at(year: int = 2022) -> datetime:
    return datetime(year, 1, 15, 10, 0, tzinfo=_tz())


DEMO_ARRIVAL_REASON = "演示数据：各文件按演示设定的报送时间登记到达时间"


def state_demo_arrivals(archive_dir: Path, files: Iterable[Path]) -> None:
    """The office's statement of when each demo file arrived: the time the demo's story gives it (its
    modification time, as ``write_demo_files`` sets it). pingan itself never trusts a file's modification
    time; without this statement, two years of demo reports dropped in today would all be late."""
    arrivals = [(path, datetime.fromtimestamp(path.stat().st_mtime, _tz())) for path in files]
    state_arrivals(Path(archive_dir), arrivals, DEMO_ARRIVAL_REASON, stated_by="pingan demo")


def write_demo_files(
    out_dir: str | Path,
    *,
    seed: int = DEFAULT_SEED,
    data: DemoData | None = None,
    units: Iterable[str] | None = None,
) -> list[Path]:
    """Write the demo: the 2022 targets workbook at the top of ``out_dir``, then one sub-folder per unit
    (named by unit_name) with its monthly reports; each file's mtime is when the office received it.
    ``units`` (codes) limits the monthly reports written, for quick tests."""
    out_dir = Path(out_dir)
    data = data or demo_figures(seed)
    wanted = set(units) if units is not None else None
    targets = write_targets_workbook(out_dir / TARGETS_FILE, 2022, demo_targets(2022))
    stamp = targets_received_at(2022).timestamp()
    os.utime(targets, (stamp, stamp))
    written = [targets]
    by_code = catalogue.unit_by_code()
    for demo_file in data.files:
        if wanted is not None and demo_file.unit_code not in wanted:
            continue
        path = write_submission_workbook(
            out_dir / demo_file.relpath,
            by_code[demo_file.unit_code],
            demo_file.period,
            values=demo_file.values,
            last_year=demo_file.last_year,
            remarks=demo_file.remarks,
            townships=demo_file.townships,
            info=demo_file.info,
        )
        os.utime(path, (demo_file.mtime, demo_file.mtime))
        written.append(path)
    return written
