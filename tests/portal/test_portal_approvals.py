"""Sign-off and acceptance against a real portal: each case with the exact words a person reads.

The lock (受理 → an upload into the month is refused saying since when and by whom; 退回 lifts it), the
void (a new version voids the earlier sign-off and acceptance: 需重新审核), re-approval after a return
(the county reads the office's note, sends a corrected file, signs it off again), the refusals that name
their reason (a withdrawal after the office acted, a replayed form after the version changed, a return
without a note), and the state rebuilt from the audit log alone."""

from __future__ import annotations

import json

from base.approvals import read_approval_record, record_path
from portal import approvals, audit
from portal.store import connected
from tests.portal.portal_fixtures import (
    DAFANG,
    alert,
    approval_step,
    good_report,
    month_page,
    shown,
    signed_in,
)

JANUARY = "2022-01"


def upload_version(clerk, folder, **changes) -> dict:
    """Upload a good 大方县 January report (``changes`` make its bytes another version's); its answer."""
    return clerk.answer(clerk.upload(good_report(folder, **changes)).headers["location"])


def last_step_time(settings) -> str:
    return approvals.stored_steps(settings.home)[-1].at.replace("T", " ")[:16]


def test_acceptance_locks_the_month_until_the_office_returns_it(portal, settings, tmp_path):
    clerk, approver, office = (signed_in(portal, n) for n in ("dafang", "dafang-approver", "office"))
    first = upload_version(clerk, tmp_path / "v1")
    assert (first["status"], first["version"]) == ("accepted", 1)
    assert approval_step(approver, "sign-off", DAFANG, JANUARY, first["sha256"]).status_code == 303
    assert approval_step(office, "accept", DAFANG, JANUARY, first["sha256"]).status_code == 303
    accepted_at = last_step_time(settings)

    page = month_page(clerk, DAFANG, JANUARY)
    assert shown(page, "approval-state") == "已受理"
    assert shown(page, "approval-lock") == (
        f"本月报表已于 {accepted_at} 由 office 受理，已锁定：不再接收新的版本。如需更正，请联系综治办退回后再上传。"
    )

    refused = upload_version(clerk, tmp_path / "v2", K05=11)
    assert (refused["status"], refused["version"]) == ("rejected", 2)
    (finding,) = refused["errors"]
    assert finding["rule_id"] == "ID09"
    assert (
        finding["message"]
        == f"大方县2022年1月的月报已于{accepted_at}由office受理，该月已锁定，不再接收新的版本"
    )
    assert finding["hint"] == "如需更正，请联系综治办将该月报表退回后再重新上传"
    # The refused file changes nothing: version 1 still counts and stays accepted.
    assert shown(month_page(office, DAFANG, JANUARY), "approval-state") == "已受理"

    # Regression guard for DHIS2's "data set is locked" without a word: the office's page says it too.
    assert (
        approval_step(
            office, "return", DAFANG, JANUARY, first["sha256"], note="K05 联系点调研次数有误"
        ).status_code
        == 303
    )
    page = month_page(clerk, DAFANG, JANUARY)
    assert shown(page, "approval-lock") is None and shown(page, "approval-state") == "已退回"
    again = upload_version(clerk, tmp_path / "v3", K05=12)
    assert (again["status"], again["version"]) == ("accepted", 3)


def test_a_new_version_voids_the_sign_off_and_the_page_says_it_needs_signing_off_again(portal, tmp_path):
    clerk, approver, office = (signed_in(portal, n) for n in ("dafang", "dafang-approver", "office"))
    first = upload_version(clerk, tmp_path / "v1")
    assert approval_step(approver, "sign-off", DAFANG, JANUARY, first["sha256"]).status_code == 303
    assert shown(month_page(office, DAFANG, JANUARY), "approval-state") == "县级已审核"

    second = upload_version(clerk, tmp_path / "v2", K05=11)
    assert (second["status"], second["version"]) == ("accepted", 2)
    page = month_page(approver, DAFANG, JANUARY)
    assert shown(page, "approval-state") == "需重新审核"
    assert shown(page, "approval-void") == "收到第 2 版后，此前版本的审核和受理已失效，需对第 2 版重新审核。"
    board = office.get("/units?year=2022").text
    assert "需重新审核" in board.split('title="大方县 2022-01"')[1].split("</td>")[0]

    # The office's form for version 1, sent (or replayed) after version 2 arrived, is refused.
    stale = approval_step(office, "accept", DAFANG, JANUARY, first["sha256"])
    assert stale.status_code == 409
    assert alert(stale.text) == (
        "页面打开后，大方县2022年1月的报表已更新为第2版（页面上是第1版），本次受理未执行。请刷新页面，核对新版本后再操作。"
    )
    not_signed = approval_step(office, "accept", DAFANG, JANUARY, second["sha256"])
    assert not_signed.status_code == 409
    assert alert(not_signed.text) == (
        "第2版尚未经大方县县级审核（当前：需重新审核），不能受理；请待该县审核人审核后再受理。"
    )


def test_a_return_carries_its_note_to_the_county_which_corrects_and_signs_off_again(
    portal, settings, tmp_path
):
    clerk, approver, office = (signed_in(portal, n) for n in ("dafang", "dafang-approver", "office"))
    first = upload_version(clerk, tmp_path / "v1")
    assert approval_step(approver, "sign-off", DAFANG, JANUARY, first["sha256"]).status_code == 303

    no_note = approval_step(office, "return", DAFANG, JANUARY, first["sha256"], note="  ")
    assert no_note.status_code == 400
    assert alert(no_note.text) == "退回必须写明原因：县里会在本单位页面看到，据此修改后重新上传。"
    note = "调解成功数与乡镇明细合计不符，请核对后重报"
    assert approval_step(office, "return", DAFANG, JANUARY, first["sha256"], note=note).status_code == 303
    returned_at = last_step_time(settings)

    page = clerk.get(f"/units/{DAFANG}").text  # the clerk's own page, whatever month it shows
    assert "2022年1月月报被综治办退回" in page
    assert f"综治办（office）于 {returned_at} 退回了第 1 版。退回原因：" in page
    assert f'<p class="note">{note}</p>' in page

    withdraw = approval_step(approver, "withdraw", DAFANG, JANUARY, first["sha256"])
    assert withdraw.status_code == 409
    assert alert(withdraw.text) == (
        f"综治办已于{returned_at}由office退回第1版，撤回期已过：县级审核只能在综治办处理之前撤回。"
    )

    second = upload_version(clerk, tmp_path / "v2", K05=11)
    assert "月报被综治办退回" not in clerk.get(f"/units/{DAFANG}").text
    assert shown(month_page(approver, DAFANG, JANUARY), "approval-state") == "需重新审核"
    signed = approval_step(approver, "sign-off", DAFANG, JANUARY, second["sha256"])
    assert signed.status_code == 303 and signed.headers["location"].endswith("done=sign_off")
    page = month_page(approver, DAFANG, JANUARY)
    assert shown(page, "approval-state") == "县级已审核"
    twice = approval_step(approver, "sign-off", DAFANG, JANUARY, second["sha256"])
    assert twice.status_code == 409
    assert (
        alert(twice.text) == f"第2版已于{last_step_time(settings)}由dafang-approver县级审核，无需重复审核。"
    )
    assert approval_step(office, "accept", DAFANG, JANUARY, second["sha256"]).status_code == 303
    assert shown(month_page(clerk, DAFANG, JANUARY), "approval-state") == "已受理"


def test_the_approval_state_is_rebuilt_from_the_audit_log_alone(portal, settings, tmp_path):
    clerk, approver, office = (signed_in(portal, n) for n in ("dafang", "dafang-approver", "office"))
    first = upload_version(clerk, tmp_path / "v1")
    approval_step(approver, "sign-off", DAFANG, JANUARY, first["sha256"])
    approval_step(approver, "withdraw", DAFANG, JANUARY, first["sha256"])
    approval_step(approver, "sign-off", DAFANG, JANUARY, first["sha256"])
    approval_step(office, "return", DAFANG, JANUARY, first["sha256"], note="请核对 K05")
    second = upload_version(clerk, tmp_path / "v2", K05=11)
    approval_step(office, "accept", DAFANG, JANUARY, first["sha256"])  # refused: stale version
    approval_step(approver, "sign-off", DAFANG, JANUARY, second["sha256"])
    approval_step(office, "accept", DAFANG, JANUARY, second["sha256"])

    stored = approvals.stored_steps(settings.home)
    assert [(s.action, s.version) for s in stored] == [
        ("sign_off", 1),
        ("withdraw", 1),
        ("sign_off", 1),
        ("return", 1),
        ("sign_off", 2),
        ("accept", 2),
    ]
    refused = [r for r in audit.read_audit(settings.home) if r.result == "refused:version_changed"]
    assert [(r.action, r.sha256, r.about_unit) for r in refused] == [("accept", first["sha256"], DAFANG)]

    replayed = approvals.replay_audit(settings.home)
    assert replayed.steps == tuple(stored)
    assert read_approval_record(settings.home).steps == tuple(stored)  # what intake and publishing read
    lock = replayed.current_lock(DAFANG, JANUARY)
    assert (lock.by, lock.since) == ("office", stored[-1].at)

    # The store lost (or restored from an old copy): the log puts every step back.
    with connected(settings.home) as connection:
        connection.execute("delete from approval_steps")
    record_path(settings.home).unlink()
    assert approvals.restore_from_audit(settings.home) == 6
    assert approvals.stored_steps(settings.home) == stored
    assert (
        json.loads(record_path(settings.home).read_text(encoding="utf-8"))["steps"][-1]["action"] == "accept"
    )
    assert shown(month_page(clerk, DAFANG, JANUARY), "approval-state") == "已受理"


def test_an_attacker_cannot_take_a_step_and_each_refusal_names_its_reason(portal, settings, tmp_path):
    clerk, approver, office = (signed_in(portal, n) for n in ("dafang", "dafang-approver", "office"))
    other_approver, leader = signed_in(portal, "hezhang-approver"), signed_in(portal, "leader")
    first = upload_version(clerk, tmp_path / "v1")
    sha = first["sha256"]
    # Another unit's approver, with the right version and its own valid token (from its own page).
    token = other_approver.token("/")
    refused = approval_step(other_approver, "sign-off", DAFANG, JANUARY, sha, token=token)
    assert refused.status_code == 403
    assert alert(refused.text) == "您的账号属于赫章县，不能进行县级审核：大方县不是您的单位"
    # A clerk signing off its own unit's report; an approver accepting it; a leader returning it.
    assert alert(approval_step(clerk, "sign-off", DAFANG, JANUARY, sha).text) == (
        "填报员账号不能进行县级审核（只有审核人可以）"
    )
    assert approval_step(approver, "sign-off", DAFANG, JANUARY, sha).status_code == 303
    by_approver = approval_step(approver, "accept", DAFANG, JANUARY, sha)
    assert by_approver.status_code == 403
    assert alert(by_approver.text) == "审核人账号不能受理报表（只有综治办可以）"
    by_leader = approval_step(leader, "return", DAFANG, JANUARY, sha, note="x", token=leader.token("/"))
    assert by_leader.status_code == 403 and alert(by_leader.text) == "领导账号不能退回报表（只有综治办可以）"
    # The office's own form, forged: no token, or another session's token.
    assert approval_step(office, "accept", DAFANG, JANUARY, sha, token="").status_code == 403
    assert approval_step(office, "accept", DAFANG, JANUARY, sha, token=token).status_code == 403
    # A withdrawal by another unit's approver leaves the sign-off standing.
    assert approval_step(other_approver, "withdraw", DAFANG, JANUARY, sha, token=token).status_code == 403

    assert [(s.action, s.by) for s in approvals.stored_steps(settings.home)] == [
        ("sign_off", "dafang-approver")
    ]
    assert shown(month_page(office, DAFANG, JANUARY), "approval-state") == "县级已审核"
    refusals = [
        r.result for r in audit.read_audit(settings.home) if r.action in ("sign_off", "accept", "return")
    ]
    assert refusals.count("refused:not_allowed") == 4  # the forged forms never reached a step
