"""Roles and what each may do, for which unit: the one table every page asks.

A clerk (填报员) uploads and reads for the account's own unit; a county approver (审核人) reads its own
unit; the office (综治办) reads every unit; a leader (领导) has none of these pages (the leaders' view of
published tables comes with sign-off and publication). An account of a county carries its unit code, an
account of the prefecture none. New steps (sign-off, accept, return, publish, accounts, audit) are new
actions in ``ALLOWED``; the route matrix test walks every route for every role.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    CLERK = "填报员"
    APPROVER = "审核人"
    OFFICE = "综治办"
    LEADER = "领导"


COUNTY_ROLES = frozenset({Role.CLERK, Role.APPROVER})  # bound to one unit


class Action(StrEnum):
    UPLOAD = "upload"  # send the unit's workbook
    READ_UNIT = "read_unit"  # the unit's page, its files, verdicts, feedback and templates
    READ_ALL_UNITS = "read_all_units"  # the list of every unit's status


ALLOWED: dict[Action, frozenset[Role]] = {
    Action.UPLOAD: frozenset({Role.CLERK}),
    Action.READ_UNIT: frozenset({Role.CLERK, Role.APPROVER, Role.OFFICE}),
    Action.READ_ALL_UNITS: frozenset({Role.OFFICE}),
}


@dataclass(frozen=True)
class Account:
    """A signed-in person as the pages see them."""

    id: int
    name: str
    role: Role
    unit_code: str | None  # a county account's unit; None for the office and leaders


def may(account: Account, action: Action, unit_code: str | None = None) -> bool:
    """Whether ``account`` may do ``action`` (for ``unit_code`` when the action concerns one unit)."""
    if account.role not in ALLOWED[action]:
        return False
    if account.role in COUNTY_ROLES:
        return unit_code is not None and unit_code == account.unit_code
    return True


def role_from_text(text: str) -> Role:
    try:
        return Role(text.strip())
    except ValueError:
        raise ValueError(f"角色应为 {' / '.join(r.value for r in Role)} 之一：{text!r}") from None
