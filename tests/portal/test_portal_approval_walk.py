"""Sign-off, return, acceptance and publication in a real browser (Debian's Chromium, JavaScript off: the
plain forms do it all), four people each in their own browser: the clerk uploads → the approver signs
off → the office returns it with a note → the clerk reads the note and uploads a corrected file → the
approver signs off again → the office accepts → the office publishes → the leader reads the 综合排名 and
downloads the workbook, whose 综合排名 cells display what the page shows. A screenshot of each step is
kept under the test's temporary folder; a failure lists them."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from exports.bulletin.tables import shown
from tests.portal.chromium import Steps, log_in, screenshots_listed_on_failure, upload
from tests.portal.portal_fixtures import DAFANG, good_report

pytestmark = pytest.mark.e2e

JANUARY = "2022-01"
MONTH = f"/units/{DAFANG}?period={JANUARY}"
NOTE = "K05 联系点调研次数与乡镇明细合计不符，请核对后重报"


def test_a_report_is_signed_off_returned_corrected_accepted_published_and_read_by_a_leader(
    portal, browser, tmp_path
):
    steps = Steps(tmp_path / "screens")
    with screenshots_listed_on_failure(steps):
        walk(portal, browser, tmp_path, steps)
    assert len(steps.taken) == 9 and all(p.stat().st_size > 5000 for p in steps.taken)


def person(browser, base: str, name: str):
    context = browser.new_context(java_script_enabled=False, accept_downloads=True, locale="zh-CN")
    page = context.new_page()
    log_in(page, base, name)
    return page


def state(page) -> str:
    return page.locator("#approval-state").inner_text()


def walk(base: str, browser, tmp_path: Path, steps: Steps) -> None:
    clerk = person(browser, base, "dafang")
    upload(clerk, good_report(tmp_path / "v1"))
    assert clerk.locator(".verdict").inner_text() == "已接收"
    steps.shot(clerk, "clerk_uploaded")

    approver = person(browser, base, "dafang-approver")
    approver.goto(base + MONTH)
    assert state(approver) == "待审核"
    approver.get_by_role("button", name="县级审核（第 1 版）").click()
    assert state(approver) == "县级已审核"
    steps.shot(approver, "approver_signed_off")

    office = person(browser, base, "office")
    assert office.locator(f'a[title="大方县 {JANUARY}"] .approval').inner_text() == "县级已审核"
    office.goto(base + MONTH)
    office.get_by_label("退回原因（必填，县里会看到）").fill(NOTE)
    office.get_by_role("button", name="退回（第 1 版）").click()
    assert state(office) == "已退回"
    steps.shot(office, "office_returned_with_note")

    clerk.goto(f"{base}/units/{DAFANG}")
    returned = clerk.locator("section[role=alert]")
    assert returned.locator("h2").inner_text() == "2022年1月月报被综治办退回"
    assert returned.locator(".note").inner_text() == NOTE
    steps.shot(clerk, "clerk_reads_the_note")
    upload(clerk, good_report(tmp_path / "v2", K05=11))
    assert clerk.locator(".verdict").inner_text() == "已接收"
    assert "第 2 版" in clerk.locator(".facts").inner_text()
    steps.shot(clerk, "clerk_uploaded_the_correction")

    approver.goto(base + MONTH)
    assert state(approver) == "需重新审核"
    approver.get_by_role("button", name="县级审核（第 2 版）").click()
    assert state(approver) == "县级已审核"
    steps.shot(approver, "approver_signed_off_again")

    office.goto(base + MONTH)
    office.get_by_role("button", name="受理（第 2 版）").click()
    assert state(office) == "已受理"
    assert office.locator("#approval-lock").is_visible()
    steps.shot(office, "office_accepted")

    office.goto(f"{base}/units?year=2022")
    office.locator("#publish-period").select_option(JANUARY)
    office.get_by_role("button", name="发布", exact=True).click()
    assert "/publications/" in office.url
    # The page refreshes itself (a meta refresh: no script) until the bulletin is written, or failed.
    finished = office.locator("#publication-done, p.bad[role=alert]")
    finished.wait_for(timeout=300_000)
    assert finished.get_attribute("id") == "publication-done", finished.inner_text()
    steps.shot(office, "office_published")

    leader = person(browser, base, "leader")
    assert leader.url.endswith("/published")
    leader.get_by_role("link", name="2022年1月").first.click()
    page_rows = [row.locator("td").all_inner_texts() for row in leader.locator("#ranking tbody tr").all()]
    assert len(page_rows) == 9 and any(row[1] == "大方县" for row in page_rows)
    with leader.expect_download() as download_info:
        leader.get_by_role("link", name="下载 Excel 通报").click()
    saved = tmp_path / "downloads" / download_info.value.suggested_filename
    download_info.value.save_as(str(saved))
    assert saved.suffix == ".xlsx"
    assert ranking_as_displayed(saved) == page_rows
    assert approval_states(saved)["大方县"] == "已受理"  # the portal's 发布 records each version's approval
    steps.shot(leader, "leader_reads_the_ranking")


def ranking_as_displayed(workbook: Path) -> list[list[str]]:
    """The rows under 综合排名's header, each cell as it displays under its own number format."""
    sheet = openpyxl.load_workbook(workbook)["综合排名"]
    top = next(c.row for c in sheet["A"] if c.value == "名次")
    rows = []
    for line in sheet.iter_rows(min_row=top + 1):
        if line[1].value is None:
            break
        rows.append([shown(c.value, None if c.number_format == "General" else c.number_format) for c in line])
    return rows


def approval_states(workbook: Path) -> dict[str, str]:
    """填报情况's 审核状态 column: unit name → the approval state of the version the bulletin used."""
    sheet = openpyxl.load_workbook(workbook)["填报情况"]
    top = next(c.row for c in sheet["A"] if c.value == "序号")
    headers = [c.value for c in sheet[top]]
    column = headers.index("审核状态")
    return {row[1]: row[column] for row in sheet.iter_rows(min_row=top + 1, values_only=True) if row[1]}
