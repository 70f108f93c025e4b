"""The portal's SQLite file (``<home>/portal/portal.sqlite3``): accounts, sessions, uploads, approval steps
and publications.

Python's own sqlite3, one short-lived connection per piece of work (the pages run in threads, the intake
worker in another), WAL so readers never wait for a writer. Nothing here is in the source tree. Session
ids are stored as their sha256 only: a copy of this file does not let anyone in.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from base.settings import Home

FILE_NAME = "portal.sqlite3"

SCHEMA = """
create table if not exists accounts (
    id integer primary key,
    name text not null unique,
    role text not null,
    unit_code text,
    password_hash text not null,
    active integer not null default 1,
    created_at text not null,
    password_changed_at text not null,
    failed_logins integer not null default 0,
    locked_until real not null default 0,
    last_login_at text
);
create table if not exists sessions (
    token_hash text primary key,
    account_id integer not null references accounts(id) on delete cascade,
    csrf_token text not null,
    created real not null,
    last_seen real not null,
    client text
);
create index if not exists sessions_by_account on sessions(account_id);
create table if not exists uploads (
    id text primary key,
    account_id integer not null references accounts(id),
    unit_code text not null,
    file_name text not null,
    stored_name text not null,
    size_bytes integer not null,
    sha256 text not null,
    received_at text not null,
    received_day text not null,
    client text,
    state text not null,             -- queued | answered | failed
    attempts integer not null default 0,
    note text,                       -- why it is still waiting, for its page
    status text,                     -- the answer's status (accepted, …, duplicate)
    answer text,                     -- the intake's FileResult (as_dict), JSON
    answered_at text
);
create index if not exists uploads_by_state on uploads(state, received_at);
create index if not exists uploads_by_account on uploads(account_id, received_day);
create index if not exists uploads_by_sha on uploads(sha256);
create table if not exists approval_steps (
    id integer primary key autoincrement,
    action text not null,            -- sign_off | withdraw | accept | return (base.approvals)
    unit_code text not null,
    period text not null,
    version integer not null,
    sha256 text not null,
    at text not null,
    by_name text not null,
    role text not null,
    note text
);
create index if not exists approval_steps_by_month on approval_steps(unit_code, period);
create table if not exists publications (
    id text primary key,
    period text not null,
    account_id integer not null references accounts(id),
    requested_at text not null,
    state text not null,             -- queued | running | done | failed
    started_at text,
    finished_at text,
    message text,                    -- the outcome in words
    outcome text                     -- the bulletins written (JSON)
);
"""


def store_path(home: Home) -> Path:
    return home.portal / FILE_NAME


def create_store(home: Home) -> Path:
    """Create the portal's folder and tables (idempotent)."""
    home.portal.mkdir(parents=True, exist_ok=True)
    path = store_path(home)
    with contextlib.closing(sqlite3.connect(path)) as connection:
        connection.execute("pragma journal_mode = wal")
        connection.executescript(SCHEMA)
    return path


@contextlib.contextmanager
def connected(home: Home) -> Iterator[sqlite3.Connection]:
    """A connection for one piece of work, committed at the end (rolled back on an error)."""
    path = store_path(home)
    if not path.exists():
        create_store(home)
    connection = sqlite3.connect(path, timeout=10)
    connection.row_factory = sqlite3.Row
    connection.execute("pragma foreign_keys = on")
    try:
        with connection:
            yield connection
    finally:
        connection.close()
