"""The portal as one Starlette application: its routes, the security middleware, the intake worker.

``create_app(settings)`` is what ``pingan portal`` serves (``portal.server``). ``ROUTES`` is the whole
surface: the route matrix test walks each one for every role.
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from base import calendar
from base.approvals import ACCEPTED, PENDING, RESUBMIT, RETURNED, SIGNED_OFF, write_approval_record
from base.settings import Settings
from portal import approval_pages, leader_pages, office_pages, pages
from portal.approvals import stored_steps
from portal.config import SMALL_FORM_BYTES, PortalConfig
from portal.publishing import Publisher
from portal.security import SecurityMiddleware
from portal.store import create_store
from portal.worker import IntakeWorker

HERE = Path(__file__).resolve().parent
log = logging.getLogger("pingan.portal")


def _form(path: str, endpoint) -> Route:
    """A small form's POST route (no file: its body is bounded before it is read)."""
    return Route(path, endpoint, methods=["POST"], max_body_size=SMALL_FORM_BYTES)


ROUTES = [
    Route("/", pages.home_page),
    Route("/login", pages.login_page, methods=["GET"]),
    _form("/login", pages.login_submit),
    _form("/logout", pages.logout_submit),
    # a county's unit, its uploads and files
    Route("/units/{code}", pages.unit_page),
    Route("/units/{code}/template", pages.template_download),
    Route("/upload", pages.upload_submit, methods=["POST"]),
    Route("/uploads/{upload_id}", pages.upload_page),
    Route("/uploads/{upload_id}/result.json", pages.upload_answer),
    Route("/files/{sha256}", pages.file_page),
    Route("/files/{sha256}/feedback", pages.feedback_download),
    Route("/files/{sha256}/original", office_pages.original_download),
    # approval steps on a unit's month
    _form("/units/{code}/sign-off", approval_pages.sign_off_submit),
    _form("/units/{code}/withdraw", approval_pages.withdraw_submit),
    _form("/units/{code}/accept", approval_pages.accept_submit),
    _form("/units/{code}/return", approval_pages.return_submit),
    # the office
    Route("/units", office_pages.board_page),
    _form("/publish", office_pages.publish_submit),
    Route("/publications/{publication_id}", office_pages.publication_page),
    Route("/accounts", office_pages.accounts_page, methods=["GET"]),
    _form("/accounts", office_pages.account_add),
    _form("/accounts/disable", office_pages.account_disable),
    _form("/accounts/reset-password", office_pages.account_reset),
    Route("/audit", office_pages.audit_page),
    # published bulletins (leaders, and the office)
    Route("/published", leader_pages.published_list),
    Route("/published/{period}", leader_pages.published_page),
    Route("/published/{period}/xlsx", leader_pages.workbook_download),
    Route("/published/{period}/pdf", leader_pages.pdf_download),
    Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
]

MESSAGES = {
    400: "请求有误",
    401: "请先登录",
    403: "您的账号没有权限查看或进行此操作",
    404: "找不到该页面，或您无权查看",
    405: "不支持这种请求方式",
    413: "提交的内容超过大小上限",
    500: "系统出现意外错误，请稍后再试或联系综治办",
}


def templates() -> Jinja2Templates:
    environment = Environment(
        loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True)
    )
    environment.filters.update(period_label=_period_label, when=_when)
    environment.globals.update(  # approval states, for the pages' conditions (base.approvals)
        PENDING=PENDING, RESUBMIT=RESUBMIT, SIGNED_OFF=SIGNED_OFF, ACCEPTED=ACCEPTED, RETURNED=RETURNED
    )
    return Jinja2Templates(env=environment)


def create_app(settings: Settings, config: PortalConfig | None = None) -> Starlette:
    """The portal over the home of ``settings`` (its store created if needed)."""
    config = config or PortalConfig()
    create_store(settings.home)
    steps = stored_steps(settings.home)
    if steps:  # the record the pipeline reads says what the store says (after a crash between the two)
        write_approval_record(settings.home, steps)
    worker = IntakeWorker(settings, config)
    publisher = Publisher(settings)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette):
        worker.start()
        publisher.start()
        try:
            yield
        finally:
            publisher.stop()
            worker.stop()

    app = Starlette(
        routes=ROUTES,
        middleware=[Middleware(SecurityMiddleware, public_origin=config.public_origin)],
        exception_handlers={
            pages.NotSignedIn: not_signed_in,
            HTTPException: http_error,
            Exception: server_error,
        },
        lifespan=lifespan,
    )
    app.state.portal = pages.Portal(settings, config, worker, publisher, templates())
    return app


def _period_label(period: str | None) -> str:
    try:
        return calendar.period_label(period) if period else ""
    except ValueError:
        return str(period)


def _when(moment: str | None) -> str:
    """An ISO time as the pages show it: '2023-01-05 09:30'."""
    return (moment or "").replace("T", " ")[:16]


async def not_signed_in(request: Request, _error: Exception) -> Response:
    """A page asked for without a session: to the login page (back here afterwards); anything else: 401."""
    path = request.url.path
    if request.method != "GET" or path.endswith(".json"):
        return error_page(request, 401)
    return RedirectResponse(f"/login?next={path}" if pages.safe_next(path) else "/login", status_code=303)


async def http_error(request: Request, error: HTTPException) -> Response:
    detail = error.detail if isinstance(error.detail, str) and error.detail not in _ENGLISH else None
    return error_page(request, error.status_code, detail)


async def server_error(request: Request, error: Exception) -> Response:
    log.exception("portal error on %s", request.url.path, exc_info=error)
    return error_page(request, 500)


_ENGLISH = {
    "Not Found",
    "Forbidden",
    "Method Not Allowed",
    "Bad Request",
    "Unauthorized",
    "Content Too Large",
}


def error_page(request: Request, status: int, detail: str | None = None) -> Response:
    message = detail or MESSAGES.get(status, "请求未能完成")
    return pages.render(request, "error.html", None, status_code=status, status=status, message=message)
