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

from base.settings import Settings
from portal import pages
from portal.config import SMALL_FORM_BYTES, PortalConfig
from portal.security import SecurityMiddleware
from portal.store import create_store
from portal.worker import IntakeWorker

HERE = Path(__file__).resolve().parent
log = logging.getLogger("pingan.portal")

ROUTES = [
    Route("/", pages.home_page),
    Route("/login", pages.login_page, methods=["GET"]),
    Route("/login", pages.login_submit, methods=["POST"], max_body_size=SMALL_FORM_BYTES),
    Route("/logout", pages.logout_submit, methods=["POST"], max_body_size=SMALL_FORM_BYTES),
    Route("/welcome", pages.welcome_page),
    Route("/units", pages.units_page),
    Route("/units/{code}", pages.unit_page),
    Route("/units/{code}/template", pages.template_download),
    Route("/upload", pages.upload_submit, methods=["POST"]),
    Route("/uploads/{upload_id}", pages.upload_page),
    Route("/uploads/{upload_id}/result.json", pages.upload_answer),
    Route("/files/{sha256}", pages.file_page),
    Route("/files/{sha256}/feedback", pages.feedback_download),
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
    return Jinja2Templates(env=environment)


def create_app(settings: Settings, config: PortalConfig | None = None) -> Starlette:
    """The portal over the home of ``settings`` (its store created if needed)."""
    config = config or PortalConfig()
    create_store(settings.home)
    worker = IntakeWorker(settings, config)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette):
        worker.start()
        try:
            yield
        finally:
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
    app.state.portal = pages.Portal(settings, config, worker, templates())
    return app


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
