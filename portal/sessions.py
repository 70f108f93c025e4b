"""Server-side sessions: sign-in with lockout, the session a cookie names, its CSRF token, its end.

The cookie carries only a random id (256 bits); the store keeps its sha256, the account, a CSRF token,
when it started and when it was last used. A session ends at sign-out, after ``session_idle_seconds``
without a request, after ``session_max_seconds`` in all, and at once when its account is disabled or its
password changes (``accounts``). Every sign-in starts a new session (the id is never carried over from
before it). After ``failed_logins_allowed`` wrong passwords in a row the account is locked for
``lockout_seconds``; while locked, even the right password is refused.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

from base import calendar
from base.settings import Home
from portal.access import Account, Role
from portal.config import PortalConfig
from portal.passwords import verify, verify_nobody
from portal.store import connected

WRONG = "用户名或密码不正确"


@dataclass(frozen=True)
class Session:
    account: Account
    csrf_token: str
    token_hash: str


@dataclass(frozen=True)
class LoginOutcome:
    account: Account | None
    token: str | None = None  # the new session's id, for the cookie
    message: str | None = None  # why not (Chinese)
    result: str = "ok"  # ok | wrong | locked | disabled (for the audit log)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def login(home: Home, config: PortalConfig, name: str, password: str, client: str | None) -> LoginOutcome:
    now = time.time()
    with connected(home) as connection:
        row = connection.execute("select * from accounts where name = ?", [name]).fetchone()
    if row is None:
        verify_nobody(password)
        return LoginOutcome(None, message=WRONG, result="wrong")
    if row["locked_until"] > now:
        verify_nobody(password)
        minutes = max(1, round((row["locked_until"] - now) / 60))
        return LoginOutcome(
            None,
            message=f"该账号因连续输错密码已被锁定，请 {minutes} 分钟后再试，或请综治办重置密码",
            result="locked",
        )
    if not verify(row["password_hash"], password):
        return _failed(home, config, row["id"], now)
    if not row["active"]:
        return LoginOutcome(None, message="该账号已停用，请联系综治办", result="disabled")
    account = Account(row["id"], row["name"], Role(row["role"]), row["unit_code"])
    token = secrets.token_urlsafe(32)
    with connected(home) as connection:
        connection.execute(
            "update accounts set failed_logins = 0, locked_until = 0, last_login_at = ? where id = ?",
            [calendar.local_now().isoformat(), account.id],
        )
        connection.execute(
            "insert into sessions (token_hash, account_id, csrf_token, created, last_seen, client)"
            " values (?, ?, ?, ?, ?, ?)",
            [token_hash(token), account.id, secrets.token_urlsafe(32), now, now, client],
        )
        connection.execute("delete from sessions where last_seen < ?", [now - config.session_max_seconds])
    return LoginOutcome(account, token=token)


def _failed(home: Home, config: PortalConfig, account_id: int, now: float) -> LoginOutcome:
    with connected(home) as connection:
        (failures,) = connection.execute(
            "update accounts set failed_logins = failed_logins + 1 where id = ? returning failed_logins",
            [account_id],
        ).fetchone()
        if failures < config.failed_logins_allowed:
            return LoginOutcome(None, message=WRONG, result="wrong")
        connection.execute(
            "update accounts set failed_logins = 0, locked_until = ? where id = ?",
            [now + config.lockout_seconds, account_id],
        )
    minutes = round(config.lockout_seconds / 60)
    return LoginOutcome(
        None,
        message=f"连续 {failures} 次密码错误，账号已被锁定 {minutes} 分钟；如忘记密码请联系综治办重置",
        result="locked",
    )


def session_for(home: Home, config: PortalConfig, token: str | None) -> Session | None:
    """The live session the cookie names (its last use updated), or None (ended, expired, unknown)."""
    if not token or len(token) > 100:
        return None
    hashed = token_hash(token)
    now = time.time()
    with connected(home) as connection:
        row = connection.execute(
            "select s.csrf_token, s.created, s.last_seen, a.id, a.name, a.role, a.unit_code, a.active"
            " from sessions s join accounts a on a.id = s.account_id where s.token_hash = ?",
            [hashed],
        ).fetchone()
        if row is None:
            return None
        expired = (
            now - row["last_seen"] > config.session_idle_seconds
            or now - row["created"] > config.session_max_seconds
            or not row["active"]
        )
        if expired:
            connection.execute("delete from sessions where token_hash = ?", [hashed])
            return None
        connection.execute("update sessions set last_seen = ? where token_hash = ?", [now, hashed])
    account = Account(row["id"], row["name"], Role(row["role"]), row["unit_code"])
    return Session(account, row["csrf_token"], hashed)


def end_session(home: Home, token: str | None) -> None:
    if token:
        with connected(home) as connection:
            connection.execute("delete from sessions where token_hash = ?", [token_hash(token)])
