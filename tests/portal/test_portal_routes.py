"""Every route of the portal, for every role, for a clerk of another unit and for nobody signed in: each
answer is the page the role may see, or 403/404 (another unit's uploads and files are 404: not even
their existence is told). The table below is written out by hand, not derived from ``portal.access``; a
route added to the portal without a row here fails the test."""

from __future__ import annotations

import re

import pytest

from base import calendar
from portal.app import ROUTES
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

SUBJECTS = ("anonymous", "dafang", "dafang-approver", "hezhang", "office", "leader")
TO_LOGIN = 303  # a page asked for without a session: to the login page

# (method, path template) → status per subject, in the order of SUBJECTS. {A}/{B}: 大方县 / 赫章县;
# {upload_A}, {file_A}: an upload by 大方县's clerk and its file (rejected, so it has a feedback workbook).
MATRIX = {
    ("GET", "/"): (TO_LOGIN, 303, 303, 303, 303, 303),
    ("GET", "/login"): (200, 200, 200, 200, 200, 200),
    ("POST", "/login"): (403, 403, 403, 403, 403, 403),  # a form without the login page's token
    ("GET", "/welcome"): (TO_LOGIN, 200, 200, 200, 200, 200),
    ("GET", "/units"): (TO_LOGIN, 403, 403, 403, 200, 403),
    ("GET", "/units/{A}"): (TO_LOGIN, 200, 200, 403, 200, 403),
    ("GET", "/units/{B}"): (TO_LOGIN, 403, 403, 200, 200, 403),
    ("GET", "/units/999999"): (404, 404, 404, 404, 404, 404),
    ("GET", "/units/{A}/template?period={month}"): (TO_LOGIN, 200, 200, 403, 200, 403),
    ("GET", "/units/{B}/template?period={month}"): (TO_LOGIN, 403, 403, 200, 200, 403),
    ("POST", "/upload"): (401, 303, 403, 303, 403, 403),  # a clerk, into the account's own unit
    ("GET", "/uploads/{upload_A}"): (TO_LOGIN, 200, 200, 404, 200, 404),
    ("GET", "/uploads/{upload_A}/result.json"): (401, 200, 200, 404, 200, 404),
    ("GET", "/uploads/0123456789abcdef0123456789abcdef"): (TO_LOGIN, 404, 404, 404, 404, 404),
    ("GET", "/files/{file_A}"): (TO_LOGIN, 200, 200, 404, 200, 404),
    ("GET", "/files/{file_A}/feedback"): (TO_LOGIN, 200, 200, 404, 200, 404),
    ("GET", "/files/{file_B}"): (TO_LOGIN, 404, 404, 200, 200, 404),
    ("GET", "/files/{file_B}/feedback"): (TO_LOGIN, 404, 404, 200, 200, 404),
    ("GET", "/static/portal.css"): (200, 200, 200, 200, 200, 200),
    ("POST", "/logout"): (401, 303, 303, 303, 303, 303),  # last: it ends the session
}


def route_of(path: str) -> str:
    """The route template a request path belongs to (the portal's own path syntax)."""
    path = path.split("?")[0]
    path = re.sub(r"/units/\{[AB]\}|/units/\d{6}", "/units/{code}", path)
    path = re.sub(r"/uploads/[^/]+", "/uploads/{upload_id}", path)
    path = re.sub(r"/files/[^/]+", "/files/{sha256}", path)
    return path


def test_the_matrix_covers_every_route():
    served = {
        (method, route.path) for route in ROUTES if hasattr(route, "methods") for method in route.methods
    }
    served = {(m, p) for m, p in served if m != "HEAD"} | {("GET", "/static/{path}")}
    covered = {(m, route_of(p) if not p.startswith("/static/") else "/static/{path}") for m, p in MATRIX}
    assert served == covered


@pytest.fixture(scope="module")
def portal(seeded, tmp_path_factory):
    """One portal for the whole matrix (each subject signs in on its own)."""
    with running_portal(copy_settings(seeded, tmp_path_factory.mktemp("matrix") / "home")) as base:
        yield base


@pytest.fixture(scope="module")
def resources(portal, tmp_path_factory):
    """An upload (rejected, with its feedback) by each county clerk, and the names to fill in."""
    tmp_path = tmp_path_factory.mktemp("uploads")
    found = {"A": DAFANG, "B": HEZHANG, "month": calendar.previous_month(calendar.now())}
    for key, name, unit in (("A", "dafang", "大方县"), ("B", "hezhang", "赫章县")):
        browser = signed_in(portal, name)
        location = browser.upload(rejected_report(tmp_path / key, unit=unit)).headers["location"]
        answer = browser.get(location + "/result.json").json()
        assert answer["state"] == "answered" and answer["result"]["feedback"]
        found[f"upload_{key}"] = location.rsplit("/", 1)[1]
        found[f"file_{key}"] = answer["result"]["sha256"]
    return found


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
        answers[(method, template)] = (
            ask(browser, method, path, tmp_path, count),
            expected[SUBJECTS.index(subject)],
        )
    wrong = {key: got for key, got in answers.items() if got[0] != got[1]}
    assert not wrong, f"{subject}: (got, expected) {wrong}"
