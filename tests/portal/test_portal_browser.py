"""The county clerk's walk in a real browser (Debian's Chromium driven by Playwright, JavaScript off: the
plain forms must do it all): log in → upload a file with an error → see 退回 and the cell → download the
数据质量反馈表 and reopen it → upload the corrected file → see 已接收 and the new version in the history;
a clerk of another unit sees none of it. A screenshot of each step is kept under the test's temporary
folder; a failure lists them."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from tests.portal.chromium import Steps, log_in, screenshots_listed_on_failure, upload
from tests.portal.portal_fixtures import DAFANG, good_report, rejected_report

pytestmark = pytest.mark.e2e


def test_a_clerk_uploads_sees_the_cell_fixes_it_and_another_unit_sees_nothing(portal, browser, tmp_path):
    steps = Steps(tmp_path / "screens")
    with screenshots_listed_on_failure(steps):
        walk(portal, browser, tmp_path, steps)
    assert len(steps.taken) == 7 and all(p.stat().st_size > 5000 for p in steps.taken)


def walk(base: str, browser, tmp_path: Path, steps: Steps) -> None:
    context = browser.new_context(java_script_enabled=False, accept_downloads=True, locale="zh-CN")
    page = context.new_page()
    log_in(page, base, "dafang")
    assert page.url.endswith(f"/units/{DAFANG}")
    assert page.get_by_role("heading", level=1).inner_text().startswith("大方县")
    steps.shot(page, "logged_in")

    upload(page, rejected_report(tmp_path / "first"))
    assert page.locator(".verdict").inner_text() == "退回"
    cells = page.locator("table.findings td.cell").all_inner_texts()
    assert "D15" in cells
    assert "调解成功数（190）大于调解民间纠纷数（100）" in page.locator("table.findings").inner_text()
    steps.shot(page, "rejected_with_cell")
    rejected_page = page.url

    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载数据质量反馈表").click()
    download = download_info.value
    saved = tmp_path / "downloads" / download.suggested_filename
    download.save_as(str(saved))
    assert saved.name == "大方县_2022-01_v1_数据质量反馈表.xlsx"
    workbook = openpyxl.load_workbook(saved)
    assert workbook["指标填报"]["D15"].comment.text.startswith("规则 CON01")
    steps.shot(page, "feedback_downloaded")

    page.get_by_role("link", name="返回本单位页面").click()
    upload(page, good_report(tmp_path / "corrected"))
    assert page.locator(".verdict").inner_text() == "已接收"
    assert "第 2 版" in page.locator(".facts").inner_text()
    steps.shot(page, "accepted")

    page.get_by_role("link", name="返回本单位页面").click()
    history = page.locator("table.history tbody tr").all_inner_texts()
    assert (
        history[0].split("\t")[:2] == ["2022-01", "v2"] and "已接收" in history[0] and "dafang" in history[0]
    )
    assert history[1].split("\t")[:2] == ["2022-01", "v1"] and "退回" in history[1]
    steps.shot(page, "history")
    context.close()

    other = browser.new_context(java_script_enabled=False, locale="zh-CN")
    page = other.new_page()
    log_in(page, base, "hezhang")
    assert page.url.endswith("/units/522428")
    assert "大方" not in page.locator("table.history").inner_text()
    steps.shot(page, "other_unit_history")
    answer = page.goto(rejected_page)
    assert answer.status == 404 and "D15" not in page.content()
    assert page.goto(f"{base}/units/{DAFANG}").status == 403
    steps.shot(page, "other_unit_refused")
    other.close()
