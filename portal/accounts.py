"""Accounts: who may sign in, in which role, for which unit (``pingan users …`` and ``pingan demo``).

A county account (填报员, 审核人) belongs to exactly one unit of the catalogue; an account of the office or
a leader to none. Disabling an account or changing its password ends every session it has at once.
What a person does to accounts (``pingan users`` at the command line, the office's 账号管理 page) goes
through ``added_by``, ``disabled_by`` and ``reset_by``: the change and its line in the audit log.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from base import calendar, catalogue
from base.settings import Home
from portal import audit
from portal.access import COUNTY_ROLES, Account, Role, role_from_text
from portal.passwords import hash_password
from portal.store import connected

MAX_NAME_LENGTH = 40


@dataclass(frozen=True)
class AccountRow:
    """An account as ``pingan users list`` shows it."""

    name: str
    role: str
    unit_code: str | None
    unit_name: str | None
    active: bool
    locked: bool
    created_at: str
    last_login_at: str | None


def clean_name(text: str) -> str:
    """A user name as stored and typed at login: NFC, no surrounding spaces, no control characters."""
    name = unicodedata.normalize("NFC", text or "").strip()
    if not name or len(name) > MAX_NAME_LENGTH:
        raise ValueError(f"用户名应为 1–{MAX_NAME_LENGTH} 个字符")
    if any(unicodedata.category(c).startswith("C") for c in name):
        raise ValueError("用户名不能含控制字符")
    return name


def unit_for(role: Role, unit: str | None) -> str | None:
    """The unit code of an account of ``role``: required for county roles, refused for the others."""
    if role in COUNTY_ROLES:
        if not unit:
            raise ValueError(f"{role.value}账号需要用 --unit 指定所属单位，例如 --unit 大方县")
        found = catalogue.resolve_unit(unit)
        if found is None:
            known = "、".join(u.name for u in catalogue.units())
            raise ValueError(f"不认识的单位“{unit}”。已知单位：{known}")
        return found.code
    if unit:
        raise ValueError(f"{role.value}账号不属于某个县，不要指定 --unit")
    return None


def add_account(home: Home, name: str, role: str | Role, password: str, unit: str | None = None) -> Account:
    """Create an account; a ValueError (Chinese) when the name is taken or an argument is wrong."""
    name = clean_name(name)
    role = role if isinstance(role, Role) else role_from_text(role)
    unit_code = unit_for(role, unit)
    password_hash = hash_password(password)
    now = calendar.local_now().isoformat()
    with connected(home) as connection:
        if connection.execute("select 1 from accounts where name = ?", [name]).fetchone():
            raise ValueError(f"用户名“{name}”已存在")
        cursor = connection.execute(
            "insert into accounts (name, role, unit_code, password_hash, created_at, password_changed_at)"
            " values (?, ?, ?, ?, ?, ?)",
            [name, role.value, unit_code, password_hash, now, now],
        )
    return Account(int(cursor.lastrowid), name, role, unit_code)


def account_by_id(home: Home, account_id: int) -> Account | None:
    """The active account with this id (None when it does not exist or is disabled)."""
    with connected(home) as connection:
        row = connection.execute(
            "select id, name, role, unit_code from accounts where id = ? and active = 1", [account_id]
        ).fetchone()
    return None if row is None else Account(row["id"], row["name"], Role(row["role"]), row["unit_code"])


def list_accounts(home: Home) -> list[AccountRow]:
    now = calendar.now().timestamp()
    units = catalogue.unit_by_code()
    with connected(home) as connection:
        rows = connection.execute("select * from accounts order by role, unit_code, name").fetchall()
    return [
        AccountRow(
            name=row["name"],
            role=row["role"],
            unit_code=row["unit_code"],
            unit_name=units[row["unit_code"]].name if row["unit_code"] in units else None,
            active=bool(row["active"]),
            locked=row["locked_until"] > now,
            created_at=row["created_at"],
            last_login_at=row["last_login_at"],
        )
        for row in rows
    ]


def disable_account(home: Home, name: str) -> Account:
    """Disable an account and end its sessions."""
    account = _existing(home, name)
    with connected(home) as connection:
        connection.execute("update accounts set active = 0 where id = ?", [account.id])
        connection.execute("delete from sessions where account_id = ?", [account.id])
    return account


def reset_password(home: Home, name: str, password: str) -> Account:
    """A new password (and the lockout lifted); every session of the account ends."""
    account = _existing(home, name)
    password_hash = hash_password(password)
    with connected(home) as connection:
        connection.execute(
            "update accounts set password_hash = ?, password_changed_at = ?, failed_logins = 0,"
            " locked_until = 0 where id = ?",
            [password_hash, calendar.local_now().isoformat(), account.id],
        )
        connection.execute("delete from sessions where account_id = ?", [account.id])
    return account


def _existing(home: Home, name: str) -> Account:
    name = clean_name(name)
    with connected(home) as connection:
        row = connection.execute(
            "select id, name, role, unit_code from accounts where name = ?", [name]
        ).fetchone()
    if row is None:
        raise ValueError(f"没有用户名为“{name}”的账号")
    return Account(row["id"], row["name"], Role(row["role"]), row["unit_code"])


def _record(home: Home, actor: Account | None, action: str, result: str, client: str | None) -> None:
    """The audit line of a change to accounts (``actor`` None: the command line)."""
    user = audit.COMMAND_LINE if actor is None else None
    audit.record(home, actor, action, user=user, result=result, client=client)


def added_by(
    home: Home,
    actor: Account | None,
    name: str,
    role: str | Role,
    password: str,
    unit: str | None = None,
    client: str | None = None,
) -> Account:
    account = add_account(home, name, role, password, unit)
    _record(home, actor, "user_added", f"{account.name} {account.role.value}", client)
    return account


def disabled_by(home: Home, actor: Account | None, name: str, client: str | None = None) -> Account:
    if actor is not None and clean_name(name) == actor.name:
        raise ValueError("不能停用自己正在使用的账号；请由另一位综治办人员操作")
    account = disable_account(home, name)
    _record(home, actor, "user_disabled", account.name, client)
    return account


def reset_by(
    home: Home, actor: Account | None, name: str, password: str, client: str | None = None
) -> Account:
    account = reset_password(home, name, password)
    _record(home, actor, "password_reset", account.name, client)
    return account
