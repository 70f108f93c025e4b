"""What every answer carries and every form must pass: security headers, the Origin check, CSRF tokens.

- Headers on every response: a Content-Security-Policy that allows only this site's own stylesheet and
  script files (no inline script, no frames: ``frame-ancestors 'none'``), ``nosniff``, no referrer
  across sites, and ``Cache-Control: no-store`` on everything but the static files (pages are private).
  Over HTTPS also Strict-Transport-Security.
- A request that changes something (any method but GET/HEAD/OPTIONS) must come from this site: its
  Origin (or, without one, its Referer) must be this site's origin, and a browser's Sec-Fetch-Site must
  say same-origin. Refused before the body is read.
- Every form carries the session's CSRF token (the login form a token bound to a cookie of its own);
  ``tokens_match`` compares in constant time.
"""

from __future__ import annotations

import hmac
from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import HTMLResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

FORM_EXPIRED = "页面已过期或不是从本系统打开的，请刷新页面后重新提交。"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}
STATIC_PREFIX = "/static/"
REFUSED_PAGE = (
    '<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>请求被拒绝</title>'
    "<h1>请求被拒绝</h1><p>这个请求不是从本系统的页面发出的，已拒绝。请回到本系统页面重新操作。</p></html>"
)


def origin_of(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def site_origin(scope: Scope, public_origin: str | None) -> str:
    """This site's origin as the browser sees it: the configured public origin, else scheme and Host."""
    if public_origin:
        return public_origin.rstrip("/").lower()
    host = Headers(scope=scope).get("host", "")
    return f"{scope.get('scheme', 'http')}://{host}".lower()


def from_this_site(scope: Scope, public_origin: str | None) -> bool:
    headers = Headers(scope=scope)
    fetch_site = headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site not in {"same-origin", "none"}:
        return False
    expected = site_origin(scope, public_origin)
    origin = headers.get("origin")
    if origin is not None:
        return origin.lower() == expected
    referer = headers.get("referer")
    if referer is not None:
        return origin_of(referer) == expected
    return True  # not a browser's request (no Origin, no Referer): the CSRF token still decides


def tokens_match(expected: str | None, submitted: object) -> bool:
    if not expected or not isinstance(submitted, str):
        return False
    return hmac.compare_digest(expected.encode("utf-8"), submitted.encode("utf-8"))


class SecurityMiddleware:
    """The headers on every answer; the Origin check before any request that changes something."""

    def __init__(self, app: ASGIApp, public_origin: str | None = None) -> None:
        self.app = app
        self.public_origin = public_origin

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = site_origin(scope, self.public_origin).startswith("https:")
        static = scope.get("path", "").startswith(STATIC_PREFIX)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers[name] = value
                headers["cache-control"] = "public, max-age=3600" if static else "no-store"
                if https:
                    headers["strict-transport-security"] = "max-age=31536000"
            await send(message)

        if scope["method"] not in SAFE_METHODS and not from_this_site(scope, self.public_origin):
            await HTMLResponse(REFUSED_PAGE, status_code=403)(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)
