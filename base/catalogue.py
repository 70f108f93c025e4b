"""The reference data every stage reads: units and aliases, townships, indicators, grades, target types,
settings.

The files are dbt seeds (``dbt_project/seeds/``): dbt loads them into the warehouse and Python reads
the same files here, so a rule lives in exactly one place. Another prefecture (or a synthetic province
for the benchmark) points ``PINGAN_REFERENCE_DIR`` at its own copy of the folder; dbt's seed-paths
follow the same variable.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, lru_cache

from base.settings import reference_dir


def _rows(name: str) -> list[dict[str, str]]:
    with open(reference_dir() / f"{name}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _flag(text: str) -> bool:
    return text.strip().lower() in {"true", "1", "yes"}


# Brackets of every shape as one pair (【社区】, 〔社区〕 and [社区] read as (社区)), and the invisible
# characters that hurried typing or copying from the web leaves in a label (zero-width spaces, joiners,
# the byte-order mark, soft hyphens) removed.
_FOLD = str.maketrans(
    "[{【〔〖]}】〕〗",
    "((((()))))",
    "\u200b\u200c\u200d\u2060\ufeff\u00ad",
)


_TO_FOLD = re.compile("[" + re.escape("".join(chr(c) for c in _FOLD)) + "]")


def fold_label(text: object) -> str:
    """A label as compared: NFKC (full-width to half-width), brackets unified to ( ), no white space of
    any kind (spaces, full-width spaces, line breaks) and no invisible characters."""
    text = text if isinstance(text, str) else str(text)
    return _fold_label_remembered(text) if len(text) <= _REMEMBERED_LENGTH else _fold(text)


# A reader folds the same few hundred labels (indicator names, headers, 合计) in every workbook it reads,
# and folding them anew was the costliest step of finding the tables. Only short texts are remembered,
# and only so many: a file full of long, distinct strings cannot grow the memory.
_REMEMBERED_LENGTH = 64


@lru_cache(maxsize=8192)
def _fold_label_remembered(text: str) -> str:
    return _fold(text)


def _fold(text: str) -> str:
    normal = unicodedata.normalize("NFKC", text)
    if _TO_FOLD.search(normal):  # rare: translating every label would cost more than the search
        normal = normal.translate(_FOLD)
    return "".join(normal.split())


def name_key(text: object) -> str:
    """An indicator name as compared: folded, without quotation marks."""
    return fold_label(text).replace('"', "").replace("“", "").replace("”", "")


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    short_name: str
    population: int
    townships: int
    sort_order: int


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    measure_unit: str
    kind: str  # flow | stock | derived
    direction: str  # higher | lower | none
    value_type: str  # count | percent | rank | amount | ratio | per_10k
    numerator_code: str
    denominator_code: str
    is_survey: bool
    compare_per_10k: bool
    is_key: bool
    sort_order: int
    # The most a unit can report per 10,000 residents (a submitted count or amount); None: no bound.
    max_per_10k_residents: float | None = None

    @property
    def is_submitted(self) -> bool:
        return self.kind in {"flow", "stock"}


@cache
def units() -> tuple[Unit, ...]:
    return tuple(
        Unit(
            r["unit_code"],
            r["unit_name"],
            r["short_name"],
            int(r["population"]),
            int(r["townships"]),
            int(r["sort_order"]),
        )
        for r in _rows("units")
    )


@cache
def unit_by_code() -> dict[str, Unit]:
    return {unit.code: unit for unit in units()}


@cache
def _alias_index() -> dict[str, str]:
    index = {fold_label(r["alias"]): r["unit_code"] for r in _rows("unit_aliases")}
    for unit in units():
        index.setdefault(fold_label(unit.name), unit.code)
        index.setdefault(fold_label(unit.code), unit.code)
    return index


def resolve_unit(text: object) -> Unit | None:
    """The unit a county meant by a name, alias or division code; None when unknown."""
    if text is None:
        return None
    code = _alias_index().get(fold_label(str(text)))
    return unit_by_code().get(code) if code else None


@cache
def townships() -> dict[str, tuple[str, ...]]:
    by_unit: dict[str, list[tuple[int, str]]] = {}
    for r in _rows("townships"):
        by_unit.setdefault(r["unit_code"], []).append((int(r["township_no"]), r["township_name"]))
    return {code: tuple(name for _, name in sorted(rows)) for code, rows in by_unit.items()}


@cache
def indicators() -> tuple[Indicator, ...]:
    return tuple(
        Indicator(
            code=r["indicator_code"],
            name=r["indicator_name"],
            measure_unit=r["measure_unit"],
            kind=r["kind"],
            direction=r["direction"],
            value_type=r["value_type"],
            numerator_code=r["numerator_code"],
            denominator_code=r["denominator_code"],
            is_survey=_flag(r["is_survey"]),
            compare_per_10k=_flag(r["compare_per_10k"]),
            is_key=_flag(r["is_key"]),
            sort_order=int(r["sort_order"]),
            max_per_10k_residents=float(r["max_per_10k_residents"]) if r["max_per_10k_residents"] else None,
        )
        for r in _rows("indicators")
    )


# The unit a percentage typed as a fraction is in (measure_units.csv: % <- 小数, factor 100).
FRACTION_UNIT = "小数"


@cache
def measure_unit_factors() -> dict[tuple[str, str], Decimal]:
    """(catalogue unit, unit a county may type) -> the factor that turns a figure in the typed unit into
    the catalogue's, both units folded; 1 for a synonym. The catalogue's own unit is not listed."""
    factors = {}
    for r in _rows("measure_units"):
        key = (fold_label(r["measure_unit"]), fold_label(r["typed_unit"]))
        if key in factors:
            raise ValueError(f"measure_units.csv 重复：{r['measure_unit']} ← {r['typed_unit']}")
        factors[key] = Decimal(r["factor"])
    return factors


@cache
def unit_factor(measure_unit: str, typed: object) -> Decimal | None:
    """The factor that turns a figure in the ``typed`` unit into the catalogue's ``measure_unit``: 1 for the
    catalogue's own unit (in any width or brackets: （件）) and its synonyms; None for a unit the catalogue
    does not know for it."""
    wanted, given = fold_label(measure_unit), fold_label(typed)
    given = given[1:-1] if given.startswith("(") and given.endswith(")") else given
    return Decimal(1) if given == wanted else measure_unit_factors().get((wanted, given))


def fraction_factor(measure_unit: str) -> Decimal:
    """The factor of a percentage typed as a fraction where the catalogue's unit is ``measure_unit``."""
    factor = unit_factor(measure_unit, FRACTION_UNIT)
    if factor is None:
        raise LookupError(f"measure_units.csv 缺少「{measure_unit}」←「{FRACTION_UNIT}」的换算系数")
    return factor


def upper_bound(indicator: Indicator, unit: Unit) -> float | None:
    """The most ``unit`` can report of ``indicator`` (its bound per 10,000 residents times the unit's
    population), None where the catalogue sets none."""
    if indicator.max_per_10k_residents is None:
        return None
    return indicator.max_per_10k_residents * unit.population / 10_000


@cache
def indicator_by_code() -> dict[str, Indicator]:
    return {indicator.code: indicator for indicator in indicators()}


def submitted_indicators() -> tuple[Indicator, ...]:
    """The indicators a county types on 指标填报, in catalogue order."""
    return tuple(i for i in indicators() if i.is_submitted)


@cache
def submitted_indicator_by_label() -> dict[str, Indicator]:
    """A submitted indicator by its ``name_key``, and by that key without a trailing bracket
    (群众满意度(%) -> 群众满意度)."""
    index: dict[str, Indicator] = {}
    for indicator in submitted_indicators():
        name = name_key(indicator.name)
        index[name] = indicator
        index[re.sub(r"\(.*?\)$", "", name)] = indicator
    return index


@dataclass(frozen=True)
class TargetType:
    """A kind of target (目标类型): ``code`` as the SQL and the targets workbook use it, ``label`` as every
    document shows it; ``indicator_kind`` / ``indicator_value_type`` restrict the indicators it applies
    to ('' = any), and ``applies_to`` says that restriction in words (排名类指标). ``target_value_type``
    is how the target value is read when it differs from the indicator's values ('ratio' for a growth
    rate on a count; '' = as the indicator's values)."""

    code: str
    label: str
    description: str
    indicator_kind: str
    indicator_value_type: str
    applies_to: str
    target_value_type: str
    sort_order: int

    def fits(self, indicator: Indicator) -> bool:
        """Whether a target of this type can be set on ``indicator``."""
        return (not self.indicator_kind or indicator.kind == self.indicator_kind) and (
            not self.indicator_value_type or indicator.value_type == self.indicator_value_type
        )


@cache
def grades() -> tuple[tuple[str, float], ...]:
    """(grade, minimum score), best first."""
    rows = sorted(_rows("grades"), key=lambda r: int(r["sort_order"]))
    return tuple((r["grade"], float(r["min_score"])) for r in rows)


def _grade_marked(column: str) -> str:
    """The one grade whose ``column`` is set in grades.csv (the seed's tests hold it to exactly one)."""
    (grade,) = [r["grade"] for r in _rows("grades") if _flag(r[column])]
    return grade


def veto_grade() -> str:
    """The grade a failed veto target (一票否决) gives whatever the score (grades.csv: is_veto_grade)."""
    return _grade_marked("is_veto_grade")


def yellow_card_grade() -> str:
    """The grade that earns a yellow card (黄牌警告) (grades.csv: is_yellow_card)."""
    return _grade_marked("is_yellow_card")


@cache
def target_types() -> tuple[TargetType, ...]:
    rows = sorted(_rows("target_types"), key=lambda r: int(r["sort_order"]))
    return tuple(
        TargetType(
            r["target_type"],
            r["label"],
            r["description"],
            r["indicator_kind"],
            r["indicator_value_type"],
            r["applies_to"],
            r["target_value_type"],
            int(r["sort_order"]),
        )
        for r in rows
    )


def target_type_by_code() -> dict[str, TargetType]:
    return {t.code: t for t in target_types()}


@cache
def _target_type_index() -> dict[str, TargetType]:
    index = {fold_label(t.label): t for t in target_types()}
    index.update({fold_label(t.code).lower(): t for t in target_types()})
    return index


def resolve_target_type(text: object) -> TargetType | None:
    """The target type a 目标类型 cell means, by its code (any case) or its Chinese label, compared
    folded; None when it is neither."""
    if text is None:
        return None
    folded = fold_label(str(text))
    index = _target_type_index()
    return index.get(folded.lower()) or index.get(folded)


@cache
def settings() -> dict[str, str]:
    return {r["setting"]: r["value"] for r in _rows("scoring_settings")}


def prefecture() -> str:
    """The prefecture's short name as bulletin titles use it (毕节)."""
    return settings()["prefecture"]


def office_name() -> str:
    """The issuing office's full name (毕节市社会治安综合治理委员会办公室)."""
    return settings()["office_name"]


def forget_cached_reference() -> None:
    """Drop what was read, after PINGAN_REFERENCE_DIR changed (the benchmark switches provinces)."""
    for reader in (
        units,
        unit_by_code,
        _alias_index,
        townships,
        indicators,
        indicator_by_code,
        measure_unit_factors,
        unit_factor,
        submitted_indicator_by_label,
        grades,
        target_types,
        _target_type_index,
        settings,
    ):
        reader.cache_clear()
