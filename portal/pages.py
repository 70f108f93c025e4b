"""The portal's pages: what each route shows and who may see it.

Every handler first asks ``signed_in`` / ``allowed`` (``access.may``): no session → the login page (for a
page) or 401; a role that may not → 403; another unit's upload or file → 404 (its existence is not
told). The unit of an upload is the account's, never the form's or the file's. Pages read the store,
the ledger, the result records and the warehouse's read copy (``orchestration.status`` with
``read_copy=True``); none opens the live warehouse, so every page loads while intake or a build runs.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.templating import Jinja2Templates

from base import calendar, catalogue, layout
from base.approvals import STEP_WORDS
from base.settings import Settings
from orchestration.status import submission_status
from portal import approvals, audit, history
from portal.access import Account, Action, Role, may, refusal
from portal.config import UPLOAD_SUFFIXES, PortalConfig
from portal.publishing import Publisher
from portal.receiving import UploadRefused, receive_upload
from portal.security import FORM_EXPIRED, tokens_match
from portal.sessions import Session, end_session, login, session_for
from portal.worker import IntakeWorker, queue_upload

SESSION_COOKIE = "pingan_session"
LOGIN_COOKIE = "pingan_login"  # binds the login form's CSRF token to this browser
TEMPLATE_MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_SAFE_NEXT = re.compile(r"^/(?:(?:units|uploads|files|published|accounts|audit)(?:/[A-Za-z0-9_-]+)*)?$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
TEMPLATE_MONTHS = 13  # the months a blank template is offered for, up to the current one


class NotSignedIn(Exception):
    """No live session: a page sends the browser to the login page."""


@dataclass
class Portal:
    """What the pages share: the home's settings, the portal's limits, the intake worker, templates."""

    settings: Settings
    config: PortalConfig
    worker: IntakeWorker
    publisher: Publisher
    templates: Jinja2Templates

    @property
    def home(self):
        return self.settings.home


def portal_of(request: Request) -> Portal:
    return request.app.state.portal


def client_of(request: Request) -> str | None:
    return request.client.host if request.client else None


def is_https(request: Request) -> bool:
    origin = portal_of(request).config.public_origin
    return (origin or str(request.url)).startswith("https:")


def signed_in(request: Request) -> Session:
    portal = portal_of(request)
    session = session_for(portal.home, portal.config, request.cookies.get(SESSION_COOKIE))
    if session is None:
        raise NotSignedIn
    return session


def allowed(request: Request, action: Action, unit_code: str | None = None, hide: bool = False) -> Session:
    """The session, when its account may do ``action`` (for ``unit_code``); 403 with the reason, or 404
    (saying nothing) when ``hide``."""
    session = signed_in(request)
    reason = refusal(session.account, action, unit_code)
    if reason:
        raise HTTPException(404) if hide else HTTPException(403, reason)
    return session


def known_unit(code: str) -> catalogue.Unit:
    unit = catalogue.unit_by_code().get(code)
    if unit is None:
        raise HTTPException(404)
    return unit


def render(
    request: Request, name: str, session: Session | None, status_code: int = 200, **context
) -> Response:
    return portal_of(request).templates.TemplateResponse(
        request,
        name,
        {
            "account": session.account if session else None,
            "csrf": session.csrf_token if session else None,
            "unit_names": {u.code: u.name for u in catalogue.units()},
            "verdicts": history.VERDICTS,
            "tones": history.VERDICT_TONES,
            "menu": menu_of(session.account) if session else [],
            **context,
        },
        status_code=status_code,
    )


# The links at the top of every page, by what the account may do (the pages check again).
MENU = (
    (Action.READ_ALL_UNITS, "/units", "各单位报送总表"),
    (Action.READ_PUBLISHED, "/published", "已发布通报"),
    (Action.MANAGE_ACCOUNTS, "/accounts", "账号管理"),
    (Action.READ_AUDIT, "/audit", "操作日志"),
)


def menu_of(account: Account) -> list[tuple[str, str]]:
    links = [(path, words) for action, path, words in MENU if may(account, action)]
    if account.unit_code:
        links.insert(0, (f"/units/{account.unit_code}", "本单位"))
    return links


def safe_next(path: str) -> bool:
    """Whether ``path`` may be where the login page sends the browser afterwards (this site's own pages
    only: no other host, no scheme, nothing but plain path segments)."""
    return bool(_SAFE_NEXT.match(path))


def home_of(account: Account) -> str:
    if account.role == Role.OFFICE:
        return "/units"
    if account.unit_code:
        return f"/units/{account.unit_code}"
    return "/published"


# --------------------------------------------------------------------------------------------------
# Signing in and out


def home_page(request: Request) -> Response:
    return RedirectResponse(home_of(signed_in(request).account), status_code=303)


def login_page(request: Request, message: str | None = None, status_code: int = 200) -> Response:
    token = secrets.token_urlsafe(32)
    next_path = request.query_params.get("next", "")
    response = render(
        request,
        "login.html",
        None,
        status_code=status_code,
        login_token=token,
        message=message,
        next_path=next_path if safe_next(next_path) else "",
    )
    response.set_cookie(
        LOGIN_COOKIE, token, httponly=True, samesite="lax", secure=is_https(request), path="/login"
    )
    return response


async def login_submit(request: Request) -> Response:
    portal = portal_of(request)
    form = await request.form(max_files=0, max_fields=5, max_part_size=1024)
    if not tokens_match(request.cookies.get(LOGIN_COOKIE), form.get("csrf")):
        return login_page(request, FORM_EXPIRED, 403)
    name = str(form.get("username") or "").strip()
    outcome = await run_in_threadpool(
        login, portal.home, portal.config, name, str(form.get("password") or ""), client_of(request)
    )
    if outcome.account is None:
        audit.record(
            portal.home,
            None,
            "login_failed",
            user=name[:40],
            result=outcome.result,
            client=client_of(request),
        )
        return login_page(request, outcome.message, 401)
    end_session(portal.home, request.cookies.get(SESSION_COOKIE))  # a new id at every sign-in
    audit.record(portal.home, outcome.account, "login", result="ok", client=client_of(request))
    next_path = str(form.get("next") or "")
    target = next_path if safe_next(next_path) and next_path != "/" else home_of(outcome.account)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE, outcome.token, httponly=True, samesite="lax", secure=is_https(request), path="/"
    )
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    return response


async def logout_submit(request: Request) -> Response:
    portal = portal_of(request)
    session = signed_in(request)
    form = await request.form(max_files=0, max_fields=2, max_part_size=1024)
    if not tokens_match(session.csrf_token, form.get("csrf")):
        raise HTTPException(403, FORM_EXPIRED)
    end_session(portal.home, request.cookies.get(SESSION_COOKIE))
    audit.record(portal.home, session.account, "logout", result="ok", client=client_of(request))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# --------------------------------------------------------------------------------------------------
# Units


def reporting_month(request: Request) -> str:
    """The month asked for (``?period=YYYY-MM``), else the month being reported now."""
    text = request.query_params.get("period")
    if text:
        try:
            return calendar.parse_month(text).key
        except ValueError:
            raise HTTPException(400, "期间格式应为 YYYY-MM，例如 2022-01") from None
    return calendar.previous_month(calendar.now())


def deadline_words(deadline: dt.date, today: dt.date) -> str:
    days = (deadline - today).days
    if days > 0:
        return f"还剩 {days} 天"
    if days == 0:
        return "今天截止"
    return f"已过截止日期 {-days} 天"


def unit_page(request: Request) -> Response:
    code = request.path_params["code"]
    unit = known_unit(code)
    session = allowed(request, Action.READ_UNIT, code)
    portal = portal_of(request)
    period = reporting_month(request)
    status = submission_status(portal.home, period, read_copy=True)
    mine = next(u for u in status.units if u.unit_code == code)
    files = history.unit_files(portal.home, code)
    built = _last_build(portal)
    return render(
        request,
        "unit.html",
        session,
        **approval_context(
            portal.home, session.account, code, period, files, request.query_params.get("done")
        ),
        unit=unit,
        period=period,
        period_label=calendar.period_label(period),
        status=status,
        mine=mine,
        deadline_text=calendar.date_text(status.deadline),
        deadline_words=deadline_words(status.deadline, calendar.now().date()),
        pending_build=any(built is None or f.received_at > built for f in files),
        files=files,
        queued=history.queued_uploads(portal.home, code),
        may_upload=may(session.account, Action.UPLOAD, code),
        max_mb=f"{portal.settings.limits.max_file_bytes / 1024 / 1024:g}",
        suffixes=",".join(UPLOAD_SUFFIXES),
        template_months=sorted({*_template_months(), period}, reverse=True),
        template_month=period,
    )


def approval_context(
    home, account: Account, code: str, period: str, files: list[history.FileEntry], done: str | None
) -> dict:
    """What the unit page shows of approval: the month's version that counts and its state, the steps
    taken on the month, the forms the account may use, and for every month of the unit a return still
    to be answered (with the office's note) or a lock."""
    record = approvals.approval_record(home)
    return {
        "month": approvals.month_approval(home, code, period, record, files),
        "step_words": STEP_WORDS,
        "returned": approvals.open_returns(record, code, files),
        "locked": approvals.open_locks(record, code),
        "may_sign_off": may(account, Action.SIGN_OFF, code),
        "may_accept": may(account, Action.ACCEPT, code),
        "done": STEP_WORDS.get(done or ""),
        "max_note": approvals.MAX_NOTE,
    }


def _last_build(portal: Portal) -> str | None:
    """When the read copy was built, as an office wall-clock ISO time (comparable with received_at)."""
    from orchestration.warehouse import read_marker

    marker = read_marker(portal.home)
    if marker is None or not portal.home.warehouse_read_copy.exists():
        return None
    return calendar.local_time(marker["built_at"]).isoformat()


def _template_months() -> list[str]:
    current = calendar.month_of(calendar.now())
    return [calendar.shift_month(current, -i) for i in range(TEMPLATE_MONTHS)]


def template_download(request: Request) -> Response:
    code = request.path_params["code"]
    unit = known_unit(code)
    session = allowed(request, Action.READ_UNIT, code)
    period = reporting_month(request)
    if not calendar.first_period() <= period <= calendar.month_of(calendar.now()):
        raise HTTPException(400, f"只能下载 {calendar.first_period()} 至本月之间各月的模板")
    from exports.template import write_submission_workbook

    with tempfile.TemporaryDirectory() as folder:
        path = write_submission_workbook(Path(folder) / "template.xlsx", unit, period)
        content = path.read_bytes()
    audit.record(
        portal_of(request).home,
        session.account,
        "download_template",
        period=period,
        result="ok",
        client=client_of(request),
    )
    return Response(
        content,
        media_type=TEMPLATE_MEDIA,
        headers=attachment(layout.submission_file_name(unit.short_name, period)),
    )


def attachment(name: str) -> dict[str, str]:
    """A download under ``name`` (an ASCII stand-in with the same suffix for old browsers)."""
    suffix = "".join(c for c in Path(name).suffix.lower()[:8] if c.isascii() and (c.isalnum() or c == "."))
    fallback = f"download{suffix}"
    return {"content-disposition": f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"}


# --------------------------------------------------------------------------------------------------
# Uploads and their verdicts


async def upload_submit(request: Request) -> Response:
    session = signed_in(request)
    account = session.account
    portal = portal_of(request)
    if not may(account, Action.UPLOAD, account.unit_code):
        raise HTTPException(403)
    queued, today = history.uploads_counted(portal.home, account.id, calendar.local_now().date().isoformat())
    client = client_of(request)
    try:
        if queued >= portal.config.queued_per_account:
            raise UploadRefused(429, "您已有文件正在排队检查，请等结果出来后再上传。", "queue_full")
        if today >= portal.config.uploads_per_day:
            raise UploadRefused(
                429, f"今天已上传 {today} 次，达到每日上限，请明天再试或联系综治办。", "day_limit"
            )
        received = await receive_upload(
            request, portal.home, portal.settings.limits.max_file_bytes, session.csrf_token
        )
    except UploadRefused as refused:
        audit.record(portal.home, account, "upload", result=f"refused:{refused.result}", client=client)
        return render(
            request,
            "refused.html",
            session,
            status_code=refused.status,
            message=refused.message,
            unit_code=account.unit_code,
        )
    upload_id = await run_in_threadpool(queue_upload, portal.settings, account, received, client)
    await portal.worker.answered(upload_id, portal.config.answer_wait_seconds)
    return RedirectResponse(f"/uploads/{upload_id}", status_code=303)


def _visible_upload(request: Request) -> tuple[Session, history.Upload]:
    session = signed_in(request)
    found = history.upload(portal_of(request).home, request.path_params["upload_id"])
    if found is None or not may(session.account, Action.READ_UNIT, found.unit_code):
        raise HTTPException(404)
    return session, found


def upload_page(request: Request) -> Response:
    session, found = _visible_upload(request)
    earlier = None
    if found.answer and found.answer["status"] == "duplicate":
        entry = history.file_entry(portal_of(request).home, found.sha256)
        earlier = entry if entry and entry.unit_code == found.unit_code else None
    return render(
        request,
        "upload.html",
        session,
        upload=found,
        answer=found.answer,
        earlier=earlier,
        refresh=found.state == "queued",
        period_label=_label(found.answer.get("period")) if found.answer else None,
    )


def upload_answer(request: Request) -> Response:
    """The verdict as ``pingan ingest --json`` gives it (for scripts and the benchmark)."""
    _, found = _visible_upload(request)
    return JSONResponse({"state": found.state, "note": found.note, "result": found.answer})


def visible_file(request: Request) -> tuple[Session, history.FileEntry]:
    session = signed_in(request)
    sha256 = request.path_params["sha256"]
    entry = history.file_entry(portal_of(request).home, sha256) if _SHA256.match(sha256) else None
    if (
        entry is None
        or entry.unit_code is None
        or not may(session.account, Action.READ_UNIT, entry.unit_code)
    ):
        raise HTTPException(404)
    return session, entry


def file_page(request: Request) -> Response:
    session, entry = visible_file(request)
    answer = entry.result.as_dict() if entry.result else None
    return render(
        request,
        "file.html",
        session,
        entry=entry,
        answer=answer,
        period_label=_label(answer.get("period")) if answer else None,
    )


def feedback_download(request: Request) -> Response:
    session, entry = visible_file(request)
    portal = portal_of(request)
    path = Path(entry.result.feedback) if entry.result and entry.result.feedback else None
    if (
        path is None
        or not path.is_file()
        or not path.resolve().is_relative_to(portal.home.feedback.resolve())
    ):
        raise HTTPException(404)
    audit.record(
        portal.home,
        session.account,
        "download_feedback",
        period=entry.result.period,
        sha256=entry.sha256,
        result="ok",
        client=client_of(request),
    )
    return FileResponse(path, media_type=TEMPLATE_MEDIA, headers=attachment(path.name))


def _label(period: str | None) -> str | None:
    try:
        return calendar.period_label(period) if period else None
    except ValueError:
        return period
