"""The office's pages: the board of every unit × month, publishing, accounts, the audit log, original files.

Each handler asks ``pages.allowed`` first (the office role; 403 with the reason for anyone else). Forms
carry the session's CSRF token. Accounts are changed through ``portal.accounts`` exactly as ``pingan
users`` changes them; publishing goes through ``portal.publishing`` (the path ``pingan report`` takes).
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response

from base import calendar, catalogue
from base.approvals import ACCEPTED, SIGNED_OFF, STATE_LABELS, STEP_WORDS
from ingest.archive import archive_relative_path
from portal import accounts, approvals, audit, board, history
from portal.access import Action, Role
from portal.pages import (
    allowed,
    attachment,
    client_of,
    portal_of,
    render,
    visible_file,
)
from portal.passwords import generate_password, weakness
from portal.publishing import PublishRefused, publication, request_publication
from portal.security import FORM_EXPIRED, tokens_match

AUDIT_PAGE = 100  # lines per page of the audit log
# What each audit action is, in words (the log stores short English codes).
AUDIT_WORDS = {
    "login": "登录",
    "login_failed": "登录失败",
    "logout": "退出登录",
    "upload": "上传报表",
    "download_feedback": "下载反馈表",
    "download_template": "下载模板",
    "download_original": "下载报表原件",
    "download_bulletin": "下载通报",
    "publish": "发布通报",
    "user_added": "添加账号",
    "user_disabled": "停用账号",
    "password_reset": "重置密码",
    **STEP_WORDS,
}


async def checked_form(request: Request, csrf_token: str, fields: int = 6) -> dict[str, str]:
    """A small form's fields, when it carries the session's CSRF token (403 otherwise)."""
    form = await request.form(max_files=0, max_fields=fields, max_part_size=4096)
    if not tokens_match(csrf_token, form.get("csrf")):
        raise HTTPException(403, FORM_EXPIRED)
    return {key: str(value) for key, value in form.items()}


# --------------------------------------------------------------------------------------------------
# The board


def board_year(request: Request, files: list[history.FileEntry]) -> int:
    """The year asked for (``?year=``, or the year of ``?period=YYYY-MM``), else the latest year a report
    was received for."""
    text = request.query_params.get("year") or request.query_params.get("period", "")[:4] or None
    if text:
        if not (text.isdigit() and len(text) == 4):
            raise HTTPException(400, "年份应写成 2022")
        return int(text)
    years = [int(e.result.period[:4]) for e in files if e.result and e.result.period]
    return max(years, default=int(calendar.previous_month(calendar.now())[:4]))


def board_page(request: Request) -> Response:
    session = allowed(request, Action.READ_ALL_UNITS)
    home = portal_of(request).home
    year = board_year(request, history.all_files(home))
    record = approvals.approval_record(home)
    shown = board.build_board(home, year, record)
    first_year = int(calendar.first_period()[:4])
    last_year = int(calendar.previous_month(calendar.now())[:4])
    return render(
        request,
        "board.html",
        session,
        board=shown,
        year=year,
        years=list(range(last_year, first_year - 1, -1)),
        state_labels=STATE_LABELS,
        accepted=ACCEPTED,
        signed_off=SIGNED_OFF,
        publishable=publishable_periods(year),
    )


def publishable_periods(year: int) -> list[tuple[str, str]]:
    """(key, label) of the periods of ``year`` whose bulletin may be published now, newest first."""
    months = board.board_months(year)
    periods = []
    for month in months:
        periods += [p for p in calendar.bulletin_periods_of_month(month)]
    return [(p, calendar.period_label(p)) for p in reversed(periods)]


# --------------------------------------------------------------------------------------------------
# Publishing


async def publish_submit(request: Request) -> Response:
    session = allowed(request, Action.PUBLISH)
    portal = portal_of(request)
    form = await checked_form(request, session.csrf_token)
    period = form.get("period", "")
    try:
        publication_id = await run_in_threadpool(
            request_publication, portal.settings, session.account, period, client_of(request)
        )
    except PublishRefused as refused:
        audit.record(
            portal.home,
            session.account,
            "publish",
            period=period[:10],
            result="refused",
            client=client_of(request),
        )
        return render(request, "refused.html", session, status_code=409, message=str(refused), back="/units")
    portal.publisher.wake()
    return RedirectResponse(f"/publications/{publication_id}", status_code=303)


def publication_page(request: Request) -> Response:
    session = allowed(request, Action.PUBLISH)
    found = publication(portal_of(request).settings, request.path_params["publication_id"])
    if found is None:
        raise HTTPException(404)
    return render(
        request,
        "publication.html",
        session,
        publication=found,
        label=calendar.period_label(found.period),
        refresh=not found.finished,
    )


# --------------------------------------------------------------------------------------------------
# Accounts


def accounts_page(request: Request) -> Response:
    return _accounts(request, allowed(request, Action.MANAGE_ACCOUNTS))


def _accounts(
    request: Request, session, message: str | None = None, password: str | None = None, status_code: int = 200
) -> Response:
    """The accounts, the forms, and what was just done (a generated password shown this once)."""
    return render(
        request,
        "accounts.html",
        session,
        status_code=status_code,
        rows=accounts.list_accounts(portal_of(request).home),
        roles=[r.value for r in Role],
        units=catalogue.units(),
        message=message,
        failed=status_code >= 400,
        password=password,
    )


async def account_add(request: Request) -> Response:
    return await _change_account(request, _add)


async def account_disable(request: Request) -> Response:
    return await _change_account(request, _disable)


async def account_reset(request: Request) -> Response:
    return await _change_account(request, _reset)


async def _change_account(request: Request, change) -> Response:
    """One form of the accounts page (its token checked), changed through ``portal.accounts`` as ``pingan
    users`` changes it: the page again saying what was done (a generated password shown this once), or
    why not (400)."""
    session = allowed(request, Action.MANAGE_ACCOUNTS)
    form = await checked_form(request, session.csrf_token)
    try:
        done, password = await run_in_threadpool(
            change, portal_of(request).home, session.account, form, client_of(request)
        )
    except ValueError as error:
        return _accounts(request, session, str(error), status_code=400)
    return _accounts(request, session, done, password)


def _add(home, actor, form: dict[str, str], client: str | None) -> tuple[str, str | None]:
    password, generated = _password_from(form)
    account = accounts.added_by(
        home, actor, form.get("name", ""), form.get("role", ""), password, form.get("unit") or None, client
    )
    unit = f" · {catalogue.unit_by_code()[account.unit_code].name}" if account.unit_code else ""
    return f"已添加账号：{account.name}（{account.role.value}{unit}）", password if generated else None


def _disable(home, actor, form: dict[str, str], client: str | None) -> tuple[str, None]:
    account = accounts.disabled_by(home, actor, form.get("name", ""), client)
    return f"已停用账号：{account.name}（其登录会话已全部结束）", None


def _reset(home, actor, form: dict[str, str], client: str | None) -> tuple[str, str | None]:
    password, generated = _password_from(form)
    account = accounts.reset_by(home, actor, form.get("name", ""), password, client)
    return f"已重置密码：{account.name}（其登录会话已全部结束）", password if generated else None


def _password_from(form: dict[str, str]) -> tuple[str, bool]:
    """(password, generated?): the one typed, or a generated one when left empty; ValueError saying
    why when the typed one is too weak."""
    typed = form.get("password", "")
    if not typed:
        return generate_password(), True
    problem = weakness(typed)
    if problem:
        raise ValueError(problem)
    return typed, False


# --------------------------------------------------------------------------------------------------
# The audit log


def audit_page(request: Request) -> Response:
    session = allowed(request, Action.READ_AUDIT)
    unit = request.query_params.get("unit") or None
    action = request.query_params.get("action") or None
    page_text = request.query_params.get("page", "1")
    page = int(page_text) if page_text.isdigit() and int(page_text) > 0 else 1
    records = [
        r
        for r in reversed(audit.read_audit(portal_of(request).home))
        if (unit is None or unit in (r.unit, r.about_unit)) and (action is None or r.action == action)
    ]
    shown = records[(page - 1) * AUDIT_PAGE : page * AUDIT_PAGE]
    return render(
        request,
        "audit.html",
        session,
        records=shown,
        words=AUDIT_WORDS,
        unit=unit,
        action=action,
        page=page,
        more=len(records) > page * AUDIT_PAGE,
        total=len(records),
        units=catalogue.units(),
    )


# --------------------------------------------------------------------------------------------------
# A county's file as it was received


def original_download(request: Request) -> Response:
    """The archived bytes of a file, under the name the county gave it (the office and the file's unit)."""
    session, entry = visible_file(request)
    home = portal_of(request).home
    path = home.root / archive_relative_path(entry.sha256, entry.file_name)
    if not path.is_file() or not path.resolve().is_relative_to(home.archive.resolve()):
        raise HTTPException(404)
    audit.record(
        home,
        session.account,
        "download_original",
        period=entry.result.period if entry.result else None,
        sha256=entry.sha256,
        result="ok",
        client=client_of(request),
    )
    media = mimetypes.guess_type(entry.file_name)[0] or "application/octet-stream"
    headers = attachment(Path(entry.file_name).name)
    return FileResponse(path, media_type=media, headers=headers)
