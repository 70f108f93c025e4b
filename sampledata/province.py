"""A synthetic province for the benchmark: N units with townships and populations, M monthly workbooks each.

``write_province(out_dir, units, months)`` writes

    <out_dir>/reference/   a copy of every file of the catalogue (dbt_project/seeds/, _seeds.yml included)
                           with units.csv, unit_aliases.csv and townships.csv replaced by the province's
    <out_dir>/inbox/       目标管理责任书_<year>年.xlsx and <unit_name>/<short>_<year>年<MM>月_综治月报.xlsx

Point ``PINGAN_REFERENCE_DIR`` at ``Province.reference_dir`` before reading the files (ingest and dbt
both follow it). The year is 2022, months January .. M. About 3% of the workbooks carry a mistake that
gives a warning, about 1% one that gets them rejected (调解成功数 > 调解民间纠纷数); the first unit's
report for the correction month is always rejected, and ``write_correction`` writes its corrected
version (the benchmark's correction run). With ``hold_back_latest`` the second unit's report for the last
month is not in the inbox; ``write_late`` writes it, received after the deadline (the benchmark's late
run).

Speed: openpyxl takes ~30 ms a workbook, 20 minutes for the 34,200 of a national run. So
``exports.template.write_submission_workbook`` writes one *template* per (township count, month), with
placeholder text (``@@UNIT_NAME@@``) and sentinel numbers (910000001 …) in every variable cell; each
unit's file is that template's bytes with the placeholders and sentinels substituted in the sheet XML.
Same layout, styles, validations and protection as the real template, at ~2 ms a file. Deterministic:
the same arguments give the same bytes and file times.
"""

from __future__ import annotations

import csv
import math
import os
import random
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo
from zoneinfo import ZoneInfo

from base import catalogue, layout
from base.catalogue import Unit
from base.settings import DEFAULT_REFERENCE_DIR
from exports.template import write_submission_workbook, write_targets_workbook
from sampledata.demo import COMMON_TARGETS, SURVEY_MONTHS, SURVEY_TARGET_POINTS, file_name, split

DEFAULT_SEED = 88
YEAR = 2022
WARNING_SHARE = 0.03
REJECT_SHARE = 0.01
LATE_SHARE = 0.04
TOWNSHIPS = (10, 40)  # township count range per unit
REPLACED = ("units.csv", "unit_aliases.csv", "townships.csv")

# Characters of Chinese place names; two make a unit's or a township's name stem.
_PLACE_CHARS = (
    "安平阳山河江湖城宁兴丰华昌德福龙凤云桂宜清泉石林川源新东西南北中永长乐吉庆和泰康顺保定武文明光金玉"
    "青白红黄岭峰海洲溪湾台盛隆丹阜陵蒲桃柳松梅兰竹荷沙田坪坝寨堡营桥鹤鹿马牛羊"
)
_UNIT_SUFFIXES = ("县",) * 7 + ("市", "区")
_TOWNSHIP_SUFFIXES = ("镇",) * 6 + ("乡",) * 3 + ("街道",)
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"

_SENTINEL = 910_000_000
_CELL = re.compile(r'<c r="([A-Z]+\d+)" s="(\d+)" t="n"><v>(\d+)</v></c>')
_PLACEHOLDER = re.compile(r"@@(\w+)@@")
_TOWNSHIP_FIELDS = ("d02", "d03", "p02", "c01", "g03")
_DECIMALS = {"percent": 2, "amount": 1}  # by value_type; counts and ranks are whole


@dataclass(frozen=True)
class SyntheticUnit:
    unit: Unit
    aliases: tuple[str, ...]
    township_names: tuple[str, ...]
    survey_rank: int  # provincial rank (S02) around which the unit's survey results move


@dataclass(frozen=True)
class Province:
    root: Path
    reference_dir: Path
    inbox: Path
    targets: Path
    files: tuple[Path, ...]  # the monthly workbooks, unit by unit, month by month
    units: int
    months: int
    year: int
    seed: int
    expected: dict[str, int]  # accepted | accepted_with_warnings | rejected -> files meant so
    correction_unit: str  # unit code of the rejected report write_correction corrects
    correction_period: str
    late_unit: str | None = None  # unit code whose last-month report write_late writes (hold_back_latest)

    @property
    def periods(self) -> tuple[str, ...]:
        return tuple(f"{self.year}-{m:02d}" for m in range(1, self.months + 1))

    def write_correction(self, out_dir: str | os.PathLike) -> Path:
        """The corrected report for (correction_unit, correction_period), filed under the unit's folder
        in ``out_dir`` and received one day after the rejected one."""
        target = self._unit(self.correction_unit)
        month = int(self.correction_period[5:])
        figures = _unit_figures(target, self.year, self.seed)[month - 1]
        received = _receipt(self.seed, target.unit.code, self.year, month)[0] + timedelta(days=1)
        path = Path(out_dir) / target.unit.name / file_name(target.unit, self.correction_period, "_更正")
        _write_report(path, target, self.year, month, figures, received, self.seed)
        return path

    def _unit(self, code: str) -> SyntheticUnit:
        return next(u for u in synthetic_units(self.units, self.seed) if u.unit.code == code)

    @property
    def late_period(self) -> str:
        return self.periods[-1]

    def write_late(self, out_dir: str | os.PathLike) -> Path:
        """The held-back report of late_unit for the last month (its figures without any mistake), filed
        under the unit's folder in ``out_dir`` and received after the deadline."""
        if self.late_unit is None:
            raise ValueError("write_province(..., hold_back_latest=True) holds a report back")
        target = self._unit(self.late_unit)
        figures = _unit_figures(target, self.year, self.seed)[self.months - 1]
        received = _receipt_time(_rng(self.seed, "late", self.late_unit), self.year, self.months, late=True)
        path = Path(out_dir) / target.unit.name / file_name(target.unit, self.late_period)
        return _write_report(path, target, self.year, self.months, figures, received, self.seed)


# --------------------------------------------------------------------------------------------------
# Units and the reference folder


def _rng(seed: int, *topic: object) -> random.Random:
    return random.Random(":".join(["pingan-province", str(seed), *map(str, topic)]))


def _stems(count: int, rng: random.Random) -> list[str]:
    pairs = [a + b for a in _PLACE_CHARS for b in _PLACE_CHARS if a != b]
    if count > len(pairs):
        raise ValueError(f"at most {len(pairs)} units")
    return rng.sample(pairs, count)


def _division_code(index: int) -> str:
    """Six-digit division codes: 20 counties a prefecture, 20 prefectures a province, from 11."""
    return f"{11 + index // 400:02d}{index % 400 // 20 + 1:02d}{index % 20 + 1:02d}"


def synthetic_units(count: int, seed: int = DEFAULT_SEED) -> list[SyntheticUnit]:
    """The province's units (pure): codes, names, aliases, populations, townships."""
    if count < 1:
        raise ValueError("a province needs at least one unit")
    rng = _rng(seed, "units")
    stems = _stems(count, rng)
    province_units = int(catalogue.settings()["province_unit_count"])
    ranks = [rng.randint(1, province_units) for _ in range(count)]
    out = []
    for index, stem in enumerate(stems):
        name = stem + rng.choice(_UNIT_SUFFIXES)
        population = int(min(max(rng.lognormvariate(math.log(420_000), 0.55), 40_000), 2_500_000)) // 1000
        township_rng = _rng(seed, "townships", index)
        count_townships = township_rng.randint(*TOWNSHIPS)
        township_stems = township_rng.sample(_stems(200, township_rng), count_townships)
        townships = tuple(s + township_rng.choice(_TOWNSHIP_SUFFIXES) for s in township_stems)
        unit = Unit(_division_code(index), name, name, population * 1000, count_townships, index + 1)
        out.append(SyntheticUnit(unit, (name, stem), townships, ranks[index]))
    return out


def write_reference(out_dir: Path, units: list[SyntheticUnit]) -> Path:
    """Copy the catalogue folder and replace its units, aliases and townships."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for source in DEFAULT_REFERENCE_DIR.iterdir():
        if source.is_file() and source.name not in REPLACED:
            shutil.copyfile(source, out_dir / source.name)

    def write(name: str, header: list[str], rows: list[list[object]]) -> None:
        with open(out_dir / name, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)

    write(
        "units.csv",
        ["unit_code", "unit_name", "short_name", "population", "townships", "sort_order"],
        [
            [
                u.unit.code,
                u.unit.name,
                u.unit.short_name,
                u.unit.population,
                u.unit.townships,
                u.unit.sort_order,
            ]
            for u in units
        ],
    )
    write("unit_aliases.csv", ["alias", "unit_code"], [[a, u.unit.code] for u in units for a in u.aliases])
    write(
        "townships.csv",
        ["unit_code", "township_no", "township_name"],
        [[u.unit.code, n, t] for u in units for n, t in enumerate(u.township_names, start=1)],
    )
    return out_dir


# --------------------------------------------------------------------------------------------------
# Figures


@dataclass
class MonthFigures:
    """What a unit reports for a month: the 本期数, the 去年同期数 and the township rows."""

    values: dict[str, int | float | None]
    last_year: dict[str, int | float | None]
    townships: list[dict[str, object]] = field(default_factory=list)


def _ramp(rng: random.Random, end: float, growth: float) -> list[int]:
    """Twelve months of a level rising gently to ``end`` in December (never halving: no HIS02 warning)."""
    return [round(end * (1 - growth * (12 - m) / 12) * rng.uniform(0.995, 1.005)) for m in range(1, 13)]


def _unit_figures(target: SyntheticUnit, year: int, seed: int) -> list[MonthFigures]:
    """Twelve months of consistent figures for one unit (township rows add up to the unit's totals)."""
    rng = _rng(seed, "figures", target.unit.code)
    province_units = int(catalogue.settings()["province_unit_count"])
    kinds = {i.code: i.kind for i in catalogue.submitted_indicators()}
    decimals = {
        i.code: _DECIMALS[i.value_type] for i in catalogue.submitted_indicators() if i.value_type in _DECIMALS
    }
    per_10k = target.unit.population / 10_000
    towns = target.unit.townships
    season = [rng.uniform(0.85, 1.15) for _ in range(12)]
    stock = {
        "P01": _ramp(rng, target.unit.population * rng.uniform(0.15, 0.3), 0.05),
        "P02": _ramp(rng, towns * rng.uniform(6, 12), 0.08),
        "P03": _ramp(rng, per_10k * rng.uniform(15, 25), 0.06),
        "P04": _ramp(rng, per_10k * rng.uniform(4, 8), 0.04),
        "G03": _ramp(rng, per_10k * rng.uniform(28, 45), 0.3),
        "G04": _ramp(rng, per_10k * rng.uniform(1.1, 1.8), 0.1),
        "K02": _ramp(rng, target.unit.population * rng.uniform(0.03, 0.06), 0.05),
        "K03": _ramp(rng, target.unit.population * rng.uniform(0.0012, 0.002), 0.03),
    }
    centres_full = rng.randint(1, 14)  # the month every township has its centre (13, 14: not this year)
    centres_start = rng.uniform(0.5, 0.9)
    budget = round(per_10k * rng.uniform(3.5, 6.0) + 80)
    paid_share = rng.uniform(0.9, 1.02)
    centre_order = rng.sample(range(towns), towns)
    weights = {key: [rng.uniform(0.5, 1.5) for _ in range(towns)] for key in ("d02", "p02", "c01", "g03")}
    out = []
    for m in range(1, 13):
        s = season[m - 1]
        c01 = max(1, round(per_10k * 1.2 * s * rng.uniform(0.9, 1.1)))
        c03 = round(c01 * rng.uniform(0.03, 0.06))
        c05 = sum(rng.random() < per_10k * 0.006 / 3 for _ in range(3))
        d02 = max(1, round(per_10k * 3.8 * s * rng.uniform(0.9, 1.1)))
        g02 = (
            towns
            if m >= centres_full
            else min(towns - 1, math.floor(towns * (centres_start + (1 - centres_start) * m / centres_full)))
        )
        values: dict[str, int | float | None] = {
            "C01": c01,
            "C02": round(c01 * rng.uniform(0.45, 0.6)),
            "C03": c03,
            "C04": math.floor(c03 * rng.uniform(0.7, 0.95)),
            "C05": c05,
            "C06": c05 if rng.random() < 0.95 else max(0, c05 - 1),
            "C07": round(c01 * rng.uniform(0.4, 0.5)),
            "C08": int(rng.random() < 0.03),
            "C09": int(rng.random() < 0.2),
            "C10": round(per_10k * 0.11 * rng.uniform(0.6, 1.4)),
            "D01": round(d02 * rng.uniform(1.05, 1.25)),
            "D02": d02,
            "D03": math.floor(d02 * rng.uniform(0.93, 0.985)),
            "D04": int(rng.random() < 0.01),
            "D05": int(rng.random() < 0.02),
            "D06": round(per_10k * 0.012 * rng.uniform(0.5, 1.5)),
            "S01": None,
            "S02": None,
            "S03": None,
            "P05": min(towns, round(towns * rng.uniform(0.6, 0.8) * (0.95 + 0.05 * m / 12))),
            "G01": towns,
            "G02": g02,
            "G05": budget,
            "G06": round(budget * paid_share * (m / 12) ** rng.uniform(0.95, 1.05), 1),
            "K05": rng.choice((0, 1, 1, 1, 2)),
            **{code: series[m - 1] for code, series in stock.items()},
        }
        values["K01"] = round(values["K02"] * rng.uniform(0.86, 0.95))
        values["K04"] = math.floor(values["K03"] * rng.uniform(0.9, 0.98))
        if m in SURVEY_MONTHS:
            score = 95 - 0.2 * target.survey_rank + rng.uniform(-0.8, 0.8)
            values["S01"] = round(score, 2)
            values["S02"] = target.survey_rank
            values["S03"] = round(score - rng.uniform(0.8, 2.5), 2)
        # One factor a month for flows and one for stocks keeps every pair in order last year too
        # (调解成功数 ≤ 调解民间纠纷数, 破案 ≤ 立案 …): rounding is monotone.
        factor = {"flow": rng.uniform(0.85, 1.15), "stock": rng.uniform(0.9, 1.0)}
        last_year = {
            code: None if value is None else round(value * factor[kinds[code]], decimals.get(code))
            for code, value in values.items()
        }
        last_year.update({"G01": towns, "G05": round(budget / rng.uniform(1.03, 1.1))})
        if values["S02"] is not None:
            last_year["S02"] = min(max(1, target.survey_rank + rng.randint(-5, 5)), province_units)
        out.append(MonthFigures(values, last_year, _township_rows(target, values, weights, centre_order)))
    return out


def _township_rows(target: SyntheticUnit, values: dict, weights: dict, centre_order: list[int]) -> list[dict]:
    d02 = split(int(values["D02"]), weights["d02"])
    columns = {
        "d02": d02,
        "d03": split(int(values["D03"]), d02) if values["D03"] else [0] * len(d02),
        "p02": split(int(values["P02"]), weights["p02"]),
        "c01": split(int(values["C01"]), weights["c01"]),
        "g03": split(int(values["G03"]), weights["g03"]),
    }
    centres = set(centre_order[: int(values["G02"])])
    return [
        {"township_name": name, **{k: v[i] for k, v in columns.items()}, "has_centre": i in centres}
        for i, name in enumerate(target.township_names)
    ]


def _mistake(figures: MonthFigures, rng: random.Random, kind: str) -> tuple[MonthFigures, str]:
    """The figures with one realistic mistake; (figures, expected status)."""
    values = dict(figures.values)
    townships = [dict(t) for t in figures.townships]
    if kind == "rejected":  # 调解成功数 typed larger than 调解民间纠纷数
        values["D03"] = int(values["D02"]) + rng.randint(1, 9) * 10
        return MonthFigures(values, figures.last_year, townships), "rejected"
    choice = rng.randrange(3)
    if choice == 0:  # a township's figure mistyped: the township rows no longer add up
        townships[rng.randrange(len(townships))]["d02"] += rng.randint(1, 5)
    elif choice == 1:  # solved more serious cases than filed (old cases): a warning
        values["C04"] = int(values["C03"]) + 1
    else:  # an indicator left blank
        values["K05"] = None
    return MonthFigures(values, figures.last_year, townships), "accepted_with_warnings"


def _people(rng: random.Random) -> tuple[str, str]:
    def person() -> str:
        return rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.randint(1, 2)))

    return person(), person()


# --------------------------------------------------------------------------------------------------
# Workbooks from a byte template


@dataclass
class _Template:
    entries: list[tuple[str, bytes | str]]  # sheet XML entries are decoded text, the rest bytes
    sentinels: dict[str, tuple[str, str]]  # sentinel number -> ('value'|'last_year'|'total', code/field)


_TEMPLATES: dict[tuple[int, int, int], _Template] = {}


def _template(townships: int, year: int, month: int) -> _Template:
    key = (townships, year, month)
    if key in _TEMPLATES:
        return _TEMPLATES[key]
    codes = [i.code for i in catalogue.submitted_indicators()]
    numbers = iter(range(_SENTINEL + 1, _SENTINEL + 10_000))
    sentinels: dict[str, tuple[str, str]] = {}

    def sentinel(kind: str, name: str) -> int:
        number = next(numbers)
        sentinels[str(number)] = (kind, name)
        return number

    values = {code: sentinel("value", code) for code in codes}
    last_year = {code: sentinel("last_year", code) for code in codes}
    rows = []
    for i in range(townships):
        row: dict[str, object] = {"township_name": f"@@T{i}@@", "has_centre": f"@@C{i}@@"}
        row.update({f: sentinel("township", f"{f}:{i}") for f in _TOWNSHIP_FIELDS})
        rows.append(row)
    for f in _TOWNSHIP_FIELDS:
        sentinels[str(sum(int(r[f]) for r in rows))] = ("total", f)
    placeholder = Unit("@@UNIT_CODE@@", "@@UNIT_NAME@@", "@@SHORT@@", 0, townships, 0)
    info = {
        "reporter": "@@REPORTER@@",
        "phone": "@@PHONE@@",
        "reviewer": "@@REVIEWER@@",
        "fill_date": "@@FILL@@",
    }
    with tempfile.TemporaryDirectory(prefix="pingan-template-") as folder:
        staged = write_submission_workbook(
            Path(folder) / "template.xlsx",
            placeholder,
            f"{year}-{month:02d}",
            values=values,
            last_year=last_year,
            townships=rows,
            info=info,
        )
        with ZipFile(staged) as archive:
            entries = [
                (n, archive.read(n).decode("utf-8") if n.startswith("xl/worksheets/") else archive.read(n))
                for n in archive.namelist()
            ]
    _TEMPLATES[key] = template = _Template(entries, sentinels)
    return template


def _number(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value)


def _render(template: _Template, text: dict[str, str], figures: MonthFigures) -> dict[str, object]:
    """Cell values by sentinel; None for a blank cell."""
    townships = figures.townships
    out: dict[str, object] = {}
    for number, (kind, name) in template.sentinels.items():
        if kind == "value":
            out[number] = figures.values.get(name)
        elif kind == "last_year":
            out[number] = figures.last_year.get(name)
        elif kind == "township":
            field_name, index = name.split(":")
            out[number] = townships[int(index)][field_name]
        else:
            out[number] = sum(int(t[name]) for t in townships)
    for i, township in enumerate(townships):
        text[f"T{i}"] = str(township["township_name"])
        text[f"C{i}"] = "是" if township["has_centre"] else "否"
    return out


def _fill(xml: str, cells: dict[str, object], text: dict[str, str]) -> str:
    def cell(match: re.Match) -> str:
        if match[3] not in cells:
            return match[0]
        value = cells[match[3]]
        if value is None:
            return f'<c r="{match[1]}" s="{match[2]}" t="n" />'
        return f'<c r="{match[1]}" s="{match[2]}" t="n"><v>{_number(value)}</v></c>'

    xml = _PLACEHOLDER.sub(lambda m: escape(text[m[1]]), xml)
    return _CELL.sub(cell, xml)


def _write_report(
    path: Path,
    target: SyntheticUnit,
    year: int,
    month: int,
    figures: MonthFigures,
    received: datetime,
    seed: int,
) -> Path:
    template = _template(target.unit.townships, year, month)
    reporter, reviewer = _people(_rng(seed, "people", target.unit.code))
    text = {
        "UNIT_CODE": target.unit.code,
        "UNIT_NAME": target.unit.name,
        "SHORT": target.unit.short_name,
        "REPORTER": reporter,
        "REVIEWER": reviewer,
        "PHONE": f"0{int(target.unit.code[:2]) * 7 % 900 + 100}-{8_200_000 + int(target.unit.code) % 99_991}",
        "FILL": received.strftime("%Y-%m-%d"),
    }
    cells = _render(template, text, figures)
    stamp = (year, month, 1, 0, 0, 0)
    path.parent.mkdir(parents=True, exist_ok=True)
    with ZipFile(path, "w", ZIP_DEFLATED) as archive:
        for name, content in template.entries:
            info = ZipInfo(name, date_time=stamp)
            info.compress_type = ZIP_DEFLATED
            archive.writestr(info, _fill(content, cells, text) if isinstance(content, str) else content)
    os.utime(path, (received.timestamp(), received.timestamp()))
    return path


def _receipt(seed: int, unit_code: str, year: int, month: int) -> tuple[datetime, random.Random]:
    """When the unit's report for the month arrived (LATE_SHARE after the deadline), and the file's
    generator for what else is drawn about it."""
    rng = _rng(seed, "receipt", unit_code, month)
    late = rng.random() < LATE_SHARE
    return _receipt_time(rng, year, month, late), rng


def _receipt_time(rng: random.Random, year: int, month: int, late: bool) -> datetime:
    """Working hours between the 1st and the deadline of the next month (after it when late)."""
    deadline = int(catalogue.settings()["deadline_day"])
    y, m = (year + 1, 1) if month == 12 else (year, month + 1)
    day = rng.randint(deadline + 1, deadline + 7) if late else rng.randint(1, deadline)
    minutes = 8 * 60 + 30 + rng.randrange(9 * 60)
    zone = ZoneInfo(catalogue.settings()["timezone"])
    return datetime(y, m, day, minutes // 60, minutes % 60, rng.randrange(60), tzinfo=zone)


# --------------------------------------------------------------------------------------------------
# Targets


def province_targets(units: list[SyntheticUnit], year: int) -> list[dict[str, object]]:
    """The demo's common targets for every unit, plus one survey target (rank_within, rank_up or improve
    in turn); points sum to 100 per unit."""
    names = {i.code: i.name for i in catalogue.indicators()}
    survey = (
        ("S02", "rank_within", 60, "群众安全感全省排名进入前60位"),
        ("S02", "rank_up", 5, "群众安全感全省排名上升5位以上"),
        ("S01", "improve", 0, "群众安全感测评得分明显提高"),
    )
    rows = []
    for index, target in enumerate(units):
        code, kind, value, note = survey[index % len(survey)]
        for indicator, target_type, target_value, points, veto, text in (
            *COMMON_TARGETS,
            (code, kind, value, SURVEY_TARGET_POINTS, False, note),
        ):
            rows.append(
                {
                    "unit_name": target.unit.name,
                    "unit_code": target.unit.code,
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


# --------------------------------------------------------------------------------------------------
# The province


def write_province(
    out_dir: str | os.PathLike,
    units: int,
    months: int,
    seed: int = DEFAULT_SEED,
    *,
    correction_month: int = 0,
    hold_back_latest: bool = False,
) -> Province:
    """Write the reference folder and the inbox of a synthetic province (see the module docstring).

    ``correction_month`` (1..months; default the middle month) is the month of the first unit's
    rejected report that ``Province.write_correction`` corrects. ``hold_back_latest`` leaves the second
    unit's last-month report out of the inbox, for ``Province.write_late``."""
    if not 1 <= months <= 12:
        raise ValueError("months must be 1..12 (one year)")
    if hold_back_latest and units < 2:
        raise ValueError("holding a report back takes two units: the first one's is the correction")
    root = Path(out_dir)
    correction_month = correction_month or (months + 1) // 2
    units_list = synthetic_units(units, seed)
    late = units_list[1] if hold_back_latest else None
    reference = write_reference(root / "reference", units_list)
    inbox = root / "inbox"
    targets = write_targets_workbook(
        inbox / f"{layout.TARGETS_SHEET}_{YEAR}年.xlsx", YEAR, province_targets(units_list, YEAR)
    )
    received = datetime(YEAR, 1, 15, 10, 0, tzinfo=ZoneInfo(catalogue.settings()["timezone"])).timestamp()
    os.utime(targets, (received, received))
    expected = {"accepted": 0, "accepted_with_warnings": 0, "rejected": 0}
    files = []
    for index, target in enumerate(units_list):
        all_months = _unit_figures(target, YEAR, seed)
        for month in range(1, months + 1):
            if target is late and month == months:
                continue
            when, rng = _receipt(seed, target.unit.code, YEAR, month)
            draw = rng.random()
            figures, status = all_months[month - 1], "accepted"
            if index == 0 and month == correction_month or draw < REJECT_SHARE:
                figures, status = _mistake(figures, rng, "rejected")
            elif draw < REJECT_SHARE + WARNING_SHARE:
                figures, status = _mistake(figures, rng, "warning")
            expected[status] += 1
            path = inbox / target.unit.name / file_name(target.unit, f"{YEAR}-{month:02d}")
            files.append(_write_report(path, target, YEAR, month, figures, when, seed))
    return Province(
        root=root,
        reference_dir=reference,
        inbox=inbox,
        targets=targets,
        files=tuple(files),
        units=units,
        months=months,
        year=YEAR,
        seed=seed,
        expected=expected,
        correction_unit=units_list[0].unit.code,
        correction_period=f"{YEAR}-{correction_month:02d}",
        late_unit=late and late.unit.code,
    )
