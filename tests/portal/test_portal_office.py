"""The office's own pages against a real portal: accounts changed from the page exactly as ``pingan
users`` changes them (and refused saying why), and the audit log page showing each approval step with
the unit, version and note it concerns."""

from __future__ import annotations

from portal import audit
from tests.portal.portal_fixtures import DAFANG, alert, approval_step, client, good_report, shown, signed_in


def accounts_form(office, path: str, **fields: str):
    return office.post(path, data={"csrf": office.token("/accounts"), **fields})


def test_the_office_adds_an_approver_who_signs_in_with_the_password_shown_once(portal, settings):
    office = signed_in(portal, "office")
    weak = accounts_form(office, "/accounts", name="dafang-2", role="审核人", unit=DAFANG, password="short")
    assert weak.status_code == 400 and alert(weak.text).startswith("密码至少")
    taken = accounts_form(office, "/accounts", name="dafang", role="填报员", unit=DAFANG, password="")
    assert taken.status_code == 400 and alert(taken.text) == "用户名“dafang”已存在"

    added = accounts_form(office, "/accounts", name="dafang-2", role="审核人", unit=DAFANG, password="")
    assert added.status_code == 200
    assert shown(added.text, "accounts-message") == "已添加账号：dafang-2（审核人 · 大方县）"
    password = shown(added.text, "new-password")
    assert password and password not in office.get("/accounts").text  # shown this once
    newcomer = client(portal)
    assert newcomer.login("dafang-2", password).status_code == 303
    assert newcomer.get("/").headers["location"] == f"/units/{DAFANG}"

    disabled = accounts_form(office, "/accounts/disable", name="dafang-2")
    assert shown(disabled.text, "accounts-message") == "已停用账号：dafang-2（其登录会话已全部结束）"
    assert newcomer.get(f"/units/{DAFANG}").status_code == 303  # its session ended: to the login page
    by_whom = [
        (r.user, r.action, r.result) for r in audit.read_audit(settings.home) if r.action.startswith("user_")
    ]
    assert by_whom == [("office", "user_added", "dafang-2 审核人"), ("office", "user_disabled", "dafang-2")]


def test_the_audit_page_shows_each_step_with_its_unit_version_and_note(portal, tmp_path):
    clerk, approver, office = (signed_in(portal, n) for n in ("dafang", "dafang-approver", "office"))
    answer = clerk.answer(clerk.upload(good_report(tmp_path / "v1")).headers["location"])
    approval_step(approver, "sign-off", DAFANG, "2022-01", answer["sha256"])
    approval_step(office, "return", DAFANG, "2022-01", answer["sha256"], note="请核对 K05 与明细")

    page = office.get(f"/audit?unit={DAFANG}&action=return").text
    (row,) = page.split("<tr>")[2:]
    cells = [c.split("</td>")[0] for c in row.split("<td")[1:]]
    texts = [c.split(">", 1)[1] for c in cells]
    assert texts[1:3] == ["office", "综治办"] and texts[4:7] == ["退回", "2022-01", "大方县 · v1"]
    assert texts[9] == "请核对 K05 与明细"
