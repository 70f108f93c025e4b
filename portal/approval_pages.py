"""The approval steps as forms: 县级审核 and 撤回审核 (a county's approver), 受理 and 退回 (the office).

Each step is a POST of a plain form from the unit's page: the CSRF token, the month, the version the
page showed (its sha256) and, for a return, the note. ``portal.approvals.take_step`` decides and records;
a refusal is answered with its own reason and status (403 not this role or unit, 409 the month's state
or version does not allow it, 400 a note missing). A step taken sends the browser back to the month.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from base import calendar
from base.approvals import ACCEPT, RETURN, SIGN_OFF, WITHDRAW
from portal.approvals import MAX_NOTE, Refused, take_step
from portal.pages import client_of, known_unit, portal_of, render, signed_in
from portal.security import FORM_EXPIRED, tokens_match


async def _step(request: Request, action: str) -> Response:
    code = request.path_params["code"]
    known_unit(code)
    session = signed_in(request)
    form = await request.form(max_files=0, max_fields=5, max_part_size=MAX_NOTE * 4 + 64)
    if not tokens_match(session.csrf_token, form.get("csrf")):
        raise HTTPException(403, FORM_EXPIRED)
    period = str(form.get("period") or "")
    try:
        calendar.parse_month(period)
    except ValueError:
        raise HTTPException(400, "报送期间应为 YYYY-MM，例如 2022-01") from None
    try:
        await run_in_threadpool(
            take_step,
            portal_of(request).home,
            session.account,
            action,
            code,
            period,
            str(form.get("version") or ""),
            str(form.get("note") or ""),
            client_of(request),
        )
    except Refused as refused:
        return render(
            request,
            "refused.html",
            session,
            status_code=refused.status,
            title="未能完成操作",
            message=refused.message,
            back=f"/units/{code}?period={period}",
        )
    return RedirectResponse(f"/units/{code}?period={period}&done={action}", status_code=303)


def _submit(action: str):
    """The route endpoint of ``action``'s form."""

    async def submit(request: Request) -> Response:
        return await _step(request, action)

    submit.__name__ = f"{action}_submit"
    return submit


sign_off_submit = _submit(SIGN_OFF)
withdraw_submit = _submit(WITHDRAW)
accept_submit = _submit(ACCEPT)
return_submit = _submit(RETURN)
