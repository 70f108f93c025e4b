"""The portal's security, one point at a time, against a real server on a loopback port: Argon2id
hashes; server-side sessions (cookie flags, a new id at sign-in, ended by disabling, by a new password
and by idleness); lockout; CSRF tokens and the Origin check; upload limits enforced before anything is
stored; no name from a request in any path; the headers; the audit log and its join to the ledger; a
file posing as another unit's."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from base.settings import Limits, Settings
from ingest.archive import read_ledger
from portal import audit, passwords
from portal.accounts import disable_account, reset_password
from portal.config import PortalConfig
from portal.receiving import uploads_folder
from portal.security import CONTENT_SECURITY_POLICY
from portal.store import store_path
from tests.portal.portal_fixtures import (
    DAFANG,
    PASSWORD,
    QUIET,
    client,
    good_report,
    rejected_report,
    running_portal,
    signed_in,
)


def stored_uploads(settings: Settings) -> list[Path]:
    folder = uploads_folder(settings.home)
    return sorted(folder.iterdir()) if folder.exists() else []


def ledger_hashes(settings: Settings) -> set[str]:
    return {r["sha256"] for r in read_ledger(settings.home.archive)}


# -- passwords and sessions ------------------------------------------------------------------------


def test_passwords_are_stored_as_argon2id_hashes_only(settings):
    with sqlite3.connect(store_path(settings.home)) as connection:
        hashes = [row[0] for row in connection.execute("select password_hash from accounts")]
    assert hashes and all(h.startswith("$argon2id$v=19$") for h in hashes)
    assert not any(PASSWORD in h for h in hashes)
    assert not (
        Path(__file__).resolve().parents[2] / "portal" / "portal.sqlite3"
    ).exists()  # not in the source tree
    assert store_path(settings.home).is_relative_to(settings.home.root)


def test_outside_the_tests_a_hash_costs_what_rfc_9106_recommends():
    # The tests hash at argon2-cffi's cheapest parameters (tests/conftest.py); pingan's own processes at
    # its defaults, RFC 9106's second recommendation: 64 MiB, 3 passes, 4 lanes. The rush test makes and
    # signs in 88 clerks, ~0.17 s of CPU each way at the real cost.
    made = subprocess.run(
        [
            sys.executable,
            "-c",
            "from portal.passwords import hash_password; print(hash_password('long enough'))",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert made.stdout.startswith("$argon2id$v=19$m=65536,t=3,p=4$"), made.stdout
    assert passwords.verify(made.stdout.strip(), "long enough")
    assert not passwords.verify(made.stdout.strip(), "long enougH")


def test_session_cookie_is_random_httponly_lax_and_secure_only_over_https(portal):
    answer = client(portal).login("dafang")
    cookie = answer.headers["set-cookie"]
    assert re.search(r"pingan_session=[A-Za-z0-9_-]{40,};", cookie)
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie

    # Behind an HTTPS proxy on this machine (trusted for X-Forwarded-Proto) the cookies are Secure (and
    # so not sent back over this test's plain HTTP: the login form's cookie is sent by hand).
    proxied = client(portal)
    proxied.session.headers["X-Forwarded-Proto"] = "https"
    form = proxied.get("/login")
    assert "Secure" in form.headers["set-cookie"]
    login_cookie = re.search(r"pingan_login=([^;]+);", form.headers["set-cookie"])[1]
    token = re.search(r'name="csrf" value="([^"]+)"', form.text)[1]
    answer = proxied.post(
        "/login",
        data={"username": "dafang", "password": PASSWORD, "csrf": token},
        headers={"Cookie": f"pingan_login={login_cookie}"},
    )
    assert answer.status_code == 303 and "Secure" in answer.headers["set-cookie"]
    assert answer.headers["strict-transport-security"].startswith("max-age=")


def test_signing_in_starts_a_new_session_and_the_old_id_is_dead(portal):
    # Session fixation: an id planted in a browser before its user signs in is never the signed-in one.
    planted = signed_in(portal, "hezhang").session.cookies["pingan_session"]
    browser = client(portal)
    browser.session.cookies.set("pingan_session", planted, domain="127.0.0.1", path="/")
    assert browser.login("dafang").status_code == 303
    fresh = browser.session.cookies["pingan_session"]
    assert fresh != planted
    assert browser.get(f"/units/{DAFANG}").status_code == 200
    stale = client(portal)
    stale.session.cookies.set("pingan_session", planted)
    assert stale.get("/units/522428").status_code == 303  # ended at the sign-in: to the login page


def test_disabling_an_account_or_changing_its_password_ends_its_sessions(settings, portal):
    browser = signed_in(portal, "dafang")
    other = signed_in(portal, "hezhang")
    reset_password(settings.home, "dafang", "another-horse-8")
    answer = browser.get(f"/units/{DAFANG}")
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    assert browser.login("dafang", "another-horse-8").status_code == 303
    disable_account(settings.home, "dafang")
    assert browser.get(f"/units/{DAFANG}").status_code == 303
    refused = client(portal).login("dafang", "another-horse-8")
    assert refused.status_code == 401 and "已停用" in refused.text
    assert other.get("/units/522428").status_code == 200  # nobody else's session ended


def test_an_idle_session_ends(settings, portal):
    browser = signed_in(portal, "dafang")
    assert browser.get(f"/units/{DAFANG}").status_code == 200
    idle = QUIET.session_idle_seconds + 1
    with sqlite3.connect(store_path(settings.home)) as connection:
        connection.execute("update sessions set last_seen = last_seen - ?", [idle])
    answer = browser.get(f"/units/{DAFANG}")
    assert answer.status_code == 303 and answer.headers["location"] == f"/login?next=/units/{DAFANG}"


def test_repeated_wrong_passwords_lock_the_account_even_for_the_right_one(settings, portal):
    allowed = QUIET.failed_logins_allowed
    for attempt in range(allowed):
        answer = client(portal).login("dafang", "wrong-password")
        assert answer.status_code == 401
        assert ("已被锁定" in answer.text) == (attempt == allowed - 1)
    locked = client(portal).login("dafang")
    assert locked.status_code == 401 and "锁定" in locked.text
    assert client(portal).login("hezhang").status_code == 303  # only that account
    reset_password(settings.home, "dafang", PASSWORD)  # the office lifts it
    assert client(portal).login("dafang").status_code == 303
    results = [r.result for r in audit.read_audit(settings.home) if r.action == "login_failed"]
    assert results == ["wrong"] * (allowed - 1) + ["locked", "locked"]


def test_an_unknown_name_gets_the_same_answer_as_a_wrong_password(portal):
    unknown = client(portal).login("nobody", "wrong-password")
    wrong = client(portal).login("dafang", "wrong-password")
    assert unknown.status_code == wrong.status_code == 401
    assert (
        re.search(r'role="alert">([^<]+)<', unknown.text)[1]
        == re.search(r'role="alert">([^<]+)<', wrong.text)[1]
    )


def test_the_login_page_sends_the_browser_back_only_to_this_sites_pages(portal):
    for sent, expected in (
        ("/units/522422", "/units/522422"),
        ("//evil.example/units", f"/units/{DAFANG}"),
        ("https://evil.example/", f"/units/{DAFANG}"),
        ("/\\evil.example", f"/units/{DAFANG}"),
        ("/units/../../x", f"/units/{DAFANG}"),
    ):
        browser = client(portal)
        token = browser.token(f"/login?next={sent}")
        answer = browser.post(
            "/login", data={"username": "dafang", "password": PASSWORD, "csrf": token, "next": sent}
        )
        assert answer.headers["location"] == expected, sent


# -- forms: CSRF and Origin ------------------------------------------------------------------------


def test_every_form_carries_a_token_and_a_form_without_it_is_refused(settings, portal, tmp_path):
    browser = signed_in(portal, "dafang")
    page = browser.get(f"/units/{DAFANG}").text
    for form in re.findall(r'<form method="post".*?</form>', page, flags=re.S):
        assert re.search(r'name="csrf" value="[A-Za-z0-9_-]{40,}"', form), form
    report = good_report(tmp_path / "up")
    assert browser.upload(report, token="").status_code == 403
    assert browser.upload(report, token="forged" * 8).status_code == 403
    assert browser.post("/logout", data={"csrf": "forged"}).status_code == 403
    assert stored_uploads(settings) == []  # refused before the file was stored
    # The login form: its token is bound to a cookie of this browser.
    stranger = client(portal)
    token = stranger.token("/login")
    fresh = client(portal)
    answer = fresh.post("/login", data={"username": "dafang", "password": PASSWORD, "csrf": token})
    assert answer.status_code == 403 and "pingan_session" not in answer.headers.get("set-cookie", "")


def test_a_request_from_another_site_is_refused_before_its_body_is_read(settings, portal, tmp_path):
    browser = signed_in(portal, "dafang")
    token = browser.token(f"/units/{DAFANG}")
    report = good_report(tmp_path / "up")
    for headers in (
        {"Origin": "http://evil.example"},
        {"Origin": "null"},
        {"Referer": "http://evil.example/page"},
        {"Sec-Fetch-Site": "cross-site"},
    ):
        with open(report, "rb") as handle:
            answer = browser.post(
                "/upload", data={"csrf": token}, files={"file": (report.name, handle)}, headers=headers
            )
        assert answer.status_code == 403, headers
        assert "不是从本系统的页面发出的" in answer.text
    assert stored_uploads(settings) == [] and browser.get(f"/units/{DAFANG}").status_code == 200
    # The same form from the portal's own page goes through.
    with open(report, "rb") as handle:
        answer = browser.post(
            "/upload", data={"csrf": token}, files={"file": (report.name, handle)}, headers={"Origin": portal}
        )
    assert answer.status_code == 303


# -- uploads: limits and names ---------------------------------------------------------------------


def test_an_upload_over_the_size_limit_is_refused_before_it_is_stored(settings, tmp_path):
    small = Settings(home=settings.home, limits=Limits(max_file_bytes=50_000))
    with running_portal(small) as base:
        browser = signed_in(base, "dafang")
        token = browser.token(f"/units/{DAFANG}")
        big = tmp_path / "大方_2022年01月_综治月报.xlsx"
        big.write_bytes(b"PK" + b"\0" * 200_000)
        with open(big, "rb") as handle:
            declared = browser.post("/upload", data={"csrf": token}, files={"file": (big.name, handle)})
        assert declared.status_code == 413 and "超过 0.0476837 MB" in declared.text

        def chunks():  # no Content-Length: counted as it streams
            boundary = b"--x\r\n"
            yield boundary + b'Content-Disposition: form-data; name="csrf"\r\n\r\n' + token.encode() + b"\r\n"
            yield boundary + b'Content-Disposition: form-data; name="file"; filename="a.xlsx"\r\n\r\n'
            for _ in range(100):
                yield b"\0" * 10_000

        streamed = browser.post(
            "/upload", data=chunks(), headers={"Content-Type": "multipart/form-data; boundary=x"}
        )
        assert streamed.status_code == 413
    assert stored_uploads(small) == [] and not list(Path("/tmp").glob("a.xlsx"))
    assert [r.result for r in audit.read_audit(settings.home) if r.action == "upload"] == [
        "refused:too_large"
    ] * 2


def test_one_file_per_upload_and_only_workbook_types(settings, portal, tmp_path):
    browser = signed_in(portal, "dafang")
    token = browser.token(f"/units/{DAFANG}")
    report = good_report(tmp_path / "up")
    with open(report, "rb") as first, open(report, "rb") as second:
        two = browser.post(
            "/upload",
            data={"csrf": token},
            files=[("file", (report.name, first)), ("file", ("b.xlsx", second))],
        )
    assert two.status_code == 400 and "每次上传一个文件" in two.text
    script = tmp_path / "run.exe"
    script.write_bytes(b"MZ")
    wrong = browser.upload(script, token=token)
    assert wrong.status_code == 415 and "只能上传" in wrong.text
    assert stored_uploads(settings) == []


def test_uploads_per_account_are_limited_per_day(settings, tmp_path):
    with running_portal(settings, PortalConfig(refresh_after_seconds=None, uploads_per_day=2)) as base:
        browser = signed_in(base, "dafang")
        for period in ("2022-01", "2022-02"):
            assert browser.upload(good_report(tmp_path / period, period=period)).status_code == 303
        third = browser.upload(good_report(tmp_path / "03", period="2022-03"))
        assert third.status_code == 429 and "每日上限" in third.text
        assert (
            signed_in(base, "hezhang")
            .upload(good_report(tmp_path / "hz", unit="赫章县", period="2022-04"))
            .status_code
            == 303
        )


@pytest.mark.parametrize(
    "sent_name",
    [
        "../../../../evil_portal_name.xlsx",
        "..\\..\\evil_portal_name.xlsx",
        "/etc/evil_portal_name.xlsx",
        "a/b/\x00evil_portal_name.xlsx",
    ],
)
def test_no_name_from_the_request_reaches_a_path(settings, portal, tmp_path, sent_name):
    browser = signed_in(portal, "dafang")
    answer = browser.upload(rejected_report(tmp_path / "up"), name=sent_name)
    assert answer.status_code == 303
    verdict = browser.get(answer.headers["location"])
    assert "evil_portal_name.xlsx" in verdict.text and "/etc" not in verdict.text and ".." not in verdict.text
    outside = [*Path("/").glob("*evil_portal_name*"), *Path("/tmp").glob("*evil_portal_name*")]
    outside += list(tmp_path.rglob("*evil_portal_name*"))
    inside = settings.home.root
    assert all(p.is_relative_to(inside) for p in outside), outside
    for path in (p for p in inside.rglob("*evil_portal_name*")):
        assert path.parent in {inside / "quarantine" / "2022-01"}, path  # intake's own copy, named by sha256
        assert re.fullmatch(r"[0-9a-f]{12}_evil_portal_name\.xlsx(\.原因\.json)?", path.name)


# -- headers ---------------------------------------------------------------------------------------


def test_every_answer_carries_the_security_headers_and_pages_have_no_inline_script(portal):
    browser = signed_in(portal, "dafang")
    for path in ("/login", f"/units/{DAFANG}", "/nowhere"):
        answer = browser.get(path)
        assert answer.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert (
            "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
            and "unsafe-inline" not in CONTENT_SECURITY_POLICY
        )
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["cache-control"] == "no-store"
        assert "server" not in answer.headers
        assert not re.search(r"<script(?![^>]*\bsrc=)", answer.text)
        assert not re.search(r"\sstyle=|\son[a-z]+=", answer.text)
    assert browser.get("/static/portal.css").headers["cache-control"].startswith("public")


# -- the audit log ---------------------------------------------------------------------------------


def test_the_audit_log_is_appended_and_joins_the_ledger_by_sha256(settings, portal, tmp_path):
    browser = signed_in(portal, "dafang")
    client(portal).login("dafang", "wrong-password")
    uploaded = browser.upload(rejected_report(tmp_path / "up"))
    before = audit.audit_path(settings.home).read_bytes()
    browser.get(uploaded.headers["location"])
    sha256 = re.search(r"/files/([0-9a-f]{64})/feedback", browser.get(uploaded.headers["location"]).text)[1]
    assert browser.get(f"/files/{sha256}/feedback").status_code == 200
    browser.post("/logout", data={"csrf": browser.token(f"/units/{DAFANG}")})
    after = audit.audit_path(settings.home).read_bytes()
    assert after.startswith(before) and len(after) > len(before)  # appended, nothing rewritten

    records = audit.read_audit(settings.home)
    assert [r.action for r in records] == ["login", "login_failed", "upload", "download_feedback", "logout"]
    upload = records[2]
    assert (upload.user, upload.role, upload.unit, upload.period, upload.result) == (
        "dafang",
        "填报员",
        DAFANG,
        "2022-01",
        "rejected",
    )
    assert upload.client == "127.0.0.1" and upload.time and upload.sha256 == sha256
    ((record, receipt),) = audit.uploads_with_receipts(settings.home)
    assert receipt["sha256"] == sha256 and receipt["filed_under"] == DAFANG
    assert sha256 in ledger_hashes(settings)


# -- a file posing as another unit's ---------------------------------------------------------------


def test_a_workbook_naming_another_unit_is_rejected_and_stays_with_its_sender(settings, portal, tmp_path):
    browser = signed_in(portal, "dafang")
    answer = browser.upload(good_report(tmp_path / "up", unit="赫章县", period="2022-04"))
    verdict = browser.get(answer.headers["location"])
    assert "退回" in verdict.text and "ID04" in verdict.text
    result = browser.get(answer.headers["location"] + "/result.json").json()["result"]
    assert result["status"] == "rejected" and result["unit_code"] == "522428"
    assert "ID04" in {e["rule"] for e in result["errors"]}
    sha256 = result["sha256"]
    assert f"/files/{sha256}" in browser.get(f"/units/{DAFANG}").text
    other = signed_in(portal, "hezhang")
    assert f"/files/{sha256}" not in other.get("/units/522428").text
    assert other.get(f"/files/{sha256}").status_code == 404
    assert other.get(answer.headers["location"]).status_code == 404
