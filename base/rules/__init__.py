"""The validation rule catalogue (validation_rules.csv beside this file) and the findings it produces.

Each rule has an id, a category, the check that implements it, a severity, a Chinese message and hint
with ``{placeholders}``, and ``code``: where it is implemented, as ``module:function`` (several separated
by ``;``), so a rule's code is found from its row. Structure and identity checks run in the reader; value
and consistency checks run as Great Expectations suites built from this catalogue (see
``ingest.validate``). A test holds ``code`` to the code: every function named mentions its rule, every
function that raises a rule is named, and every rule is raised somewhere.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

CATALOGUE = Path(__file__).with_name("validation_rules.csv")


@dataclass(frozen=True)
class Rule:
    rule_id: str
    category: str
    sheet: str
    check: str
    params: dict[str, str]
    severity: str
    message: str
    hint: str
    code: tuple[str, ...]  # 'module:function' where the rule is implemented


@dataclass(frozen=True)
class Finding:
    rule_id: str
    severity: str  # error | warning
    sheet: str | None
    cell: str | None
    field: str | None
    value: str | None
    message: str
    hint: str

    def as_dict(self) -> dict:
        return asdict(self)


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


@cache
def rules() -> dict[str, Rule]:
    with open(CATALOGUE, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    repeated = sorted(rule_id for rule_id, n in Counter(r["rule_id"] for r in rows).items() if n > 1)
    if repeated:  # a second row would silently replace the first rule's check and message
        raise ValueError(f"validation_rules.csv: rule_id used more than once: {', '.join(repeated)}")
    return {
        row["rule_id"]: Rule(
            rule_id=row["rule_id"],
            category=row["category"],
            sheet=row["sheet"],
            check=row["check"],
            params=dict(p.split("=", 1) for p in row["params"].split(";") if p),
            severity=row["severity"],
            message=row["message"],
            hint=row["hint"],
            code=tuple(c.strip() for c in row["code"].split(";") if c.strip()),
        )
        for row in rows
    }


@cache
def rules_with_check(check: str) -> tuple[Rule, ...]:
    return tuple(rule for rule in rules().values() if rule.check == check)


def finding(
    rule_id: str,
    *,
    cell: str | None = None,
    field: str | None = None,
    value: object = None,
    sheet: str | None = None,
    **context: object,
) -> Finding:
    """A finding of ``rule_id`` with its Chinese message filled from ``context``."""
    rule = rules()[rule_id]
    shown = "" if value is None else str(value)
    fill = _Blank(value=shown, field=field or "", **{k: "" if v is None else v for k, v in context.items()})
    fill["cell"] = cell or ""
    if sheet:
        fill["sheet"] = sheet
    return Finding(
        rule_id=rule.rule_id,
        severity=rule.severity,
        sheet=sheet or rule.sheet.format_map(fill) or None,
        cell=cell,
        field=field,
        value=None if value is None else shown,
        message=rule.message.format_map(fill),
        hint=rule.hint.format_map(fill),
    )
