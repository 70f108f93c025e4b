"""Roles and what each may do, for which unit: the one table every page asks.

A clerk (填报员) uploads for the account's own unit; a county approver (审核人) signs off its own unit's
reports (县级审核) and may withdraw the sign-off; the office (综治办) reads every unit, accepts (受理) or
returns (退回) what a county signed off, publishes a period, manages the accounts and reads the audit log;
a leader (领导) reads published bulletins only. An account of a county carries its unit code, an account
of the prefecture none. A refusal names its reason (``refusal``): a role that may not, or another unit.
The route matrix test walks every route for every role.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from base import catalogue


class Role(StrEnum):
    CLERK = "填报员"
    APPROVER = "审核人"
    OFFICE = "综治办"
    LEADER = "领导"


COUNTY_ROLES = frozenset({Role.CLERK, Role.APPROVER})  # bound to one unit


class Action(StrEnum):
    UPLOAD = "upload"  # send the unit's workbook
    READ_UNIT = "read_unit"  # the unit's page, its files, verdicts, feedback, templates and approvals
    READ_ALL_UNITS = "read_all_units"  # the board: every unit × month
    SIGN_OFF = "sign_off"  # 县级审核 of the unit's latest accepted version of a month
    WITHDRAW = "withdraw"  # take the sign-off back, until the office has acted
    ACCEPT = "accept"  # 受理: the office takes a signed-off version (the month is locked)
    RETURN = "return"  # 退回: the office sends a version back, with a note the county reads
    PUBLISH = "publish"  # build the warehouse and publish a period's bulletin
    MANAGE_ACCOUNTS = "manage_accounts"  # what ``pingan users`` does
    READ_AUDIT = "read_audit"  # the audit log
    READ_PUBLISHED = "read_published"  # published bulletins: tables, trend, xlsx and PDF


ALLOWED: dict[Action, frozenset[Role]] = {
    Action.UPLOAD: frozenset({Role.CLERK}),
    Action.READ_UNIT: frozenset({Role.CLERK, Role.APPROVER, Role.OFFICE}),
    Action.READ_ALL_UNITS: frozenset({Role.OFFICE}),
    Action.SIGN_OFF: frozenset({Role.APPROVER}),
    Action.WITHDRAW: frozenset({Role.APPROVER}),
    Action.ACCEPT: frozenset({Role.OFFICE}),
    Action.RETURN: frozenset({Role.OFFICE}),
    Action.PUBLISH: frozenset({Role.OFFICE}),
    Action.MANAGE_ACCOUNTS: frozenset({Role.OFFICE}),
    Action.READ_AUDIT: frozenset({Role.OFFICE}),
    Action.READ_PUBLISHED: frozenset({Role.OFFICE, Role.LEADER}),
}

# What each action is, in the words of a refusal ("填报员不能{words}").
ACTION_WORDS: dict[Action, str] = {
    Action.UPLOAD: "上传报表",
    Action.READ_UNIT: "查看该单位的报送情况",
    Action.READ_ALL_UNITS: "查看各单位报送总表",
    Action.SIGN_OFF: "进行县级审核",
    Action.WITHDRAW: "撤回县级审核",
    Action.ACCEPT: "受理报表",
    Action.RETURN: "退回报表",
    Action.PUBLISH: "发布通报",
    Action.MANAGE_ACCOUNTS: "管理账号",
    Action.READ_AUDIT: "查看操作日志",
    Action.READ_PUBLISHED: "查看已发布的通报",
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
    return refusal(account, action, unit_code) is None


def refusal(account: Account, action: Action, unit_code: str | None = None) -> str | None:
    """Why ``account`` may not do ``action`` (for ``unit_code``), in Chinese; None when it may."""
    words = ACTION_WORDS[action]
    if account.role not in ALLOWED[action]:
        who = "、".join(role.value for role in Role if role in ALLOWED[action])
        return f"{account.role.value}账号不能{words}（只有{who}可以）"
    if account.role in COUNTY_ROLES and (unit_code is None or unit_code != account.unit_code):
        names = {u.code: u.name for u in catalogue.units()}
        other = names.get(unit_code or "", "该单位")
        return f"您的账号属于{names.get(account.unit_code or '', '')}，不能{words}：{other}不是您的单位"
    return None


def role_from_text(text: str) -> Role:
    try:
        return Role(text.strip())
    except ValueError:
        raise ValueError(f"角色应为 {' / '.join(r.value for r in Role)} 之一：{text!r}") from None
