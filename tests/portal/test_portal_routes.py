"""Every route of the portal, for every role, for a clerk of another unit and for nobody signed in: each
answer is the page the role may see, or 403/404 (another unit's uploads and files are 404: not even
their existence is told). The table below is written out by hand, not derived from ``portal.access``; a
route added to the portal without a row here fails the test."""

from __future__ import annotations

import re

import pytest

from base import calendar
from portal.app import ROUTES
from portal.published import published
from portal.publishing import publish_now
from tests.portal.portal_fixtures import (
    DAFANG,
    HEZHANG,
    client,
    copy_settings,
    good_report,
    rejected_report,
    running_portal,
    signed_in,
)

SUBJECTS = ("anonymous", "dafang", "dafang-approver", "hezhang", "hezhang-approver", "office", "leader")
TO_LOGIN = 303  # a page asked for without a session: to the login page
PDF = "pdf"  # the PDF download: 200 when LibreOffice wrote the PDF at publication, else 404 (said so)

# (method, path template) → status per subject, in the order of SUBJECTS. {A}/{B}: 大方县 / 赫章县;
# {upload_A}, {file_A}: an upload by 大方县's clerk and its file (rejected, so it has a feedback workbook);
# {published}: a period published before the portal started, {unpublished}: one that was not.
# An approval step allowed to the subject is still refused (409) by the month's state: 大方县's 2022-01
# has no version that passed, 赫章县's is sent with a version that is not its current one. So the 403s
# below are the role and unit checks alone, and no subject's step changes what the next one meets.
MATRIX = {
    ("GET", "/"): (TO_LOGIN, 303, 303, 303, 303, 303, 303),
    ("GET", "/login"): (200, 200, 200, 200, 200, 200, 200),
    ("POST", "/login"): (403, 403, 403, 403, 403, 403, 403),  # a form without the login page's token
    ("GET", "/units"): (TO_LOGIN, 403, 403, 403, 403, 200, 403),
    ("GET", "/units/{A}"): (TO_LOGIN, 200, 200, 403, 403, 200, 403),
    ("GET", "/units/{B}"): (TO_LOGIN, 403, 403, 200, 200, 200, 403),
    ("GET", "/units/999999"): (404, 404, 404, 404, 404, 404, 404),
    ("GET", "/units/{A}/template?period={month}"): (TO_LOGIN, 200, 200, 403, 403, 200, 403),
    ("GET", "/units/{B}/template?period={month}"): (TO_LOGIN, 403, 403, 200, 200, 200, 403),
    ("POST", "/upload"): (401, 303, 403, 303, 403, 403, 403),  # a clerk, into the account's own unit
    ("GET", "/uploads/{upload_A}"): (TO_LOGIN, 200, 200, 404, 404, 200, 404),
    ("GET", "/uploads/{upload_A}/result.json"): (401, 200, 200, 404, 404, 200, 404),
    ("GET", "/uploads/0123456789abcdef0123456789abcdef"): (TO_LOGIN, 404, 404, 404, 404, 404, 404),
    ("GET", "/files/{file_A}"): (TO_LOGIN, 200, 200, 404, 404, 200, 404),
    ("GET", "/files/{file_A}/feedback"): (TO_LOGIN, 200, 200, 404, 404, 200, 404),
    ("GET", "/files/{file_A}/original"): (TO_LOGIN, 200, 200, 404, 404, 200, 404),
    ("GET", "/files/{file_B}"): (TO_LOGIN, 404, 404, 200, 200, 200, 404),
    ("GET", "/files/{file_B}/feedback"): (TO_LOGIN, 404, 404, 200, 200, 200, 404),
    ("GET", "/files/{file_B}/original"): (TO_LOGIN, 404, 404, 200, 200, 200, 404),
    # approval steps: 县级审核 and 撤回 by the unit's own approver, 受理 and 退回 by the office
    ("POST", "/units/{A}/sign-off"): (401, 403, 409, 403, 403, 403, 403),
    ("POST", "/units/{B}/sign-off"): (401, 403, 403, 403, 409, 403, 403),
    ("POST", "/units/{A}/withdraw"): (401, 403, 409, 403, 403, 403, 403),
    ("POST", "/units/{B}/withdraw"): (401, 403, 403, 403, 409, 403, 403),
    ("POST", "/units/{A}/accept"): (401, 403, 403, 403, 403, 409, 403),
    ("POST", "/units/{B}/accept"): (401, 403, 403, 403, 403, 409, 403),
    ("POST", "/units/{A}/return"): (401, 403, 403, 403, 403, 409, 403),
    ("POST", "/units/{B}/return"): (401, 403, 403, 403, 403, 409, 403),
    # the office's own pages (an office's form with nothing filled in is refused as incomplete)
    ("POST", "/publish"): (401, 403, 403, 403, 403, 409, 403),
    ("GET", "/publications/0123456789abcdef0123456789abcdef"): (TO_LOGIN, 403, 403, 403, 403, 404, 403),
    ("GET", "/accounts"): (TO_LOGIN, 403, 403, 403, 403, 200, 403),
    ("POST", "/accounts"): (401, 403, 403, 403, 403, 400, 403),
    ("POST", "/accounts/disable"): (401, 403, 403, 403, 403, 400, 403),
    ("POST", "/accounts/reset-password"): (401, 403, 403, 403, 403, 400, 403),
    ("GET", "/audit"): (TO_LOGIN, 403, 403, 403, 403, 200, 403),
    # published bulletins: leaders and the office; a period not published is unknown
    ("GET", "/published"): (TO_LOGIN, 403, 403, 403, 403, 200, 200),
    ("GET", "/published/{published}"): (TO_LOGIN, 403, 403, 403, 403, 200, 200),
    ("GET", "/published/{unpublished}"): (TO_LOGIN, 403, 403, 403, 403, 404, 404),
    ("GET", "/published/{published}/xlsx"): (TO_LOGIN, 403, 403, 403, 403, 200, 200),
    ("GET", "/published/{unpublished}/xlsx"): (TO_LOGIN, 403, 403, 403, 403, 404, 404),
    ("GET", "/published/{published}/pdf"): (TO_LOGIN, 403, 403, 403, 403, PDF, PDF),
    ("GET", "/static/portal.css"): (200, 200, 200, 200, 200, 200, 200),
    ("POST", "/logout"): (401, 303, 303, 303, 303, 303, 303),  # last: it ends the session
}
# The form each POST sends besides the session's token: a step names the month and the version seen.
STALE_VERSION = "0" * 64
FORMS = {
    "/units/{A}/": {"period": "2022-01", "version": STALE_VERSION, "note": "请核对"},
    "/units/{B}/": {"period": "2022-01", "version": STALE_VERSION, "note": "请核对"},
    "/publish": {"period": ""},
    "/accounts": {"name": "", "role": "", "password": ""},
}


def route_of(path: str) -> str:
    """The route template a request path belongs to (the portal's own path syntax)."""
    path = path.split("?")[0]
    path = re.sub(r"/units/\{[AB]\}|/units/\d{6}", "/units/{code}", path)
    path = re.sub(r"/uploads/[^/]+", "/uploads/{upload_id}", path)
    path = re.sub(r"/files/[^/]+", "/files/{sha256}", path)
    path = re.sub(r"/publications/[^/]+", "/publications/{publication_id}", path)
    return re.sub(r"/published/\{\w+\}", "/published/{period}", path)


def test_the_matrix_covers_every_route():
    served = {
        (method, route.path) for route in ROUTES if hasattr(route, "methods") for method in route.methods
    }
    served = {(m, p) for m, p in served if m != "HEAD"} | {("GET", "/static/{path}")}
    covered = {(m, route_of(p) if not p.startswith("/static/") else "/static/{path}") for m, p in MATRIX}
    assert served == covered


PUBLISHED, UNPUBLISHED = "2022-01", "2022-02"


@pytest.fixture(scope="module")
def home(seeded, tmp_path_factory):
    """The matrix's home, with January 2022 published (as ``pingan report --period 2022-01`` does)."""
    settings = copy_settings(seeded, tmp_path_factory.mktemp("matrix") / "home")
    publish_now(settings, PUBLISHED)
    return settings


@pytest.fixture(scope="module")
def portal(home):
    """One portal for the whole matrix (each subject signs in on its own)."""
    with running_portal(home) as base:
        yield base


@pytest.fixture(scope="module")
def resources(portal, home, tmp_path_factory):
    """An upload (rejected, with its feedback) by each county clerk, and the names to fill in."""
    tmp_path = tmp_path_factory.mktemp("uploads")
    found = {
        "A": DAFANG,
        "B": HEZHANG,
        "month": calendar.previous_month(calendar.now()),
        "published": PUBLISHED,
        "unpublished": UNPUBLISHED,
        PDF: 200 if published(home.home, PUBLISHED).pdf else 404,
    }
    for key, name, unit in (("A", "dafang", "大方县"), ("B", "hezhang", "赫章县")):
        browser = signed_in(portal, name)
        location = browser.upload(rejected_report(tmp_path / key, unit=unit)).headers["location"]
        answer = browser.get(location + "/result.json").json()
        assert answer["state"] == "answered" and answer["result"]["feedback"]
        found[f"upload_{key}"] = location.rsplit("/", 1)[1]
        found[f"file_{key}"] = answer["result"]["sha256"]
    return found


def template_path(start: str, path: str) -> bool:
    """Whether ``path`` is a POST the FORMS entry ``start`` is for."""
    start = start.replace("{A}", DAFANG).replace("{B}", HEZHANG)
    return path.startswith(start) if start.endswith("/") else path == start or path.startswith(start + "/")


def ask(browser, method: str, path: str, tmp_path, count: list[int]) -> int:
    if method == "GET":
        return browser.get(path).status_code
    if path == "/login":
        return browser.post(
            "/login", data={"username": "dafang", "password": "x", "csrf": "forged"}
        ).status_code
    token = browser.token("/") if "pingan_session" in browser.session.cookies else "none"
    if path == "/logout":
        return browser.post("/logout", data={"csrf": token}).status_code
    if path != "/upload":
        form = next((f for start, f in FORMS.items() if template_path(start, path)), {})
        return browser.post(path, data={"csrf": token, **form}).status_code
    count[0] += 1
    unit = "赫章县" if browser.get("/").headers.get("location") == f"/units/{HEZHANG}" else "大方县"
    report = good_report(tmp_path / f"matrix{count[0]}", unit=unit, period=f"2021-{count[0]:02d}")
    return browser.upload(report, token=token).status_code


@pytest.mark.parametrize("subject", SUBJECTS)
def test_each_route_answers_each_role_as_allowed(portal, resources, tmp_path, subject):
    browser = client(portal) if subject == "anonymous" else signed_in(portal, subject)
    count = [0]
    answers = {}
    for (method, template), expected in MATRIX.items():
        path = template.format(**resources)
        wanted = expected[SUBJECTS.index(subject)]
        answers[(method, template)] = (
            ask(browser, method, path, tmp_path, count),
            resources[PDF] if wanted == PDF else wanted,
        )
    wrong = {key: got for key, got in answers.items() if got[0] != got[1]}
    assert not wrong, f"{subject}: (got, expected) {wrong}"
