"""The leaders' pages: published bulletins only (the office sees them too).

The list of published periods; a period's 综合排名, indicator league tables and the year's trend as the
published workbook shows them (``portal.published``: read from what publication wrote, never from the
warehouse); the workbook and its PDF to download. A period that is not published answers 404, the
same as one that does not exist: a guessed address tells nothing.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from portal import audit
from portal.access import Action
from portal.pages import TEMPLATE_MEDIA, allowed, attachment, client_of, portal_of, render
from portal.published import PublishedBulletin, all_published, published
from portal.trend_chart import trend_chart

PDF_MEDIA = "application/pdf"


def published_list(request: Request) -> Response:
    session = allowed(request, Action.READ_PUBLISHED)
    return render(request, "published_list.html", session, bulletins=all_published(portal_of(request).home))


def _published(request: Request) -> tuple[object, PublishedBulletin]:
    session = allowed(request, Action.READ_PUBLISHED)
    found = published(portal_of(request).home, request.path_params["period"])
    if found is None:
        raise HTTPException(404)
    return session, found


def published_page(request: Request) -> Response:
    session, bulletin = _published(request)
    tables = bulletin.tables()
    return render(
        request,
        "published.html",
        session,
        bulletin=bulletin,
        tables=tables,
        chart=trend_chart(tables["trend"]) if tables else None,
    )


def _download(request: Request, kind: str) -> Response:
    session, bulletin = _published(request)
    path = bulletin.workbook if kind == "xlsx" else bulletin.pdf
    if path is None:
        raise HTTPException(404, "该期通报没有 PDF 版本（生成时未安装 LibreOffice），请下载 Excel 工作簿")
    audit.record(
        portal_of(request).home,
        session.account,
        "download_bulletin",
        period=bulletin.period.key,
        result=path.name,
        client=client_of(request),
    )
    return FileResponse(
        path, media_type=TEMPLATE_MEDIA if kind == "xlsx" else PDF_MEDIA, headers=attachment(path.name)
    )


def workbook_download(request: Request) -> Response:
    return _download(request, "xlsx")


def pdf_download(request: Request) -> Response:
    return _download(request, "pdf")
