"""Uploads go through the one intake: the verdict is intake's own, equal to ``pingan ingest --json`` on the
same bytes; every page loads while another process holds the writer lock (the upload then waits, queued,
and is answered once the lock is free); a queued upload survives a restart; the same bytes twice are
重复; the unit's status comes from the warehouse's read copy."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from ingest.validate import DocsAfterwards
from orchestration.warehouse import writer_lock
from portal.config import PortalConfig
from portal.worker import LOCK_NOTE
from tests.locks import refused_to_another_thread
from tests.portal.portal_fixtures import (
    DAFANG,
    copy_settings,
    good_report,
    rejected_report,
    running_portal,
    signed_in,
)

ROOT = Path(__file__).resolve().parents[2]
# What may differ between two intakes of the same bytes: when each was received, where its feedback went.
PER_RECEIPT = {"received_at", "feedback", "quarantine"}  # times and paths of each home


def cli_ingest(home: Path, files: list[Path]) -> list[dict]:
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "orchestration.cli",
            "ingest",
            "--home",
            str(home),
            "--json",
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert completed.returncode in (0, 1), completed.stderr[-2000:]
    return json.loads(completed.stdout)


def comparable(result: dict) -> dict:
    return {k: v for k, v in result.items() if k not in PER_RECEIPT}


def test_the_verdict_is_intakes_own_and_equals_pingan_ingest_json(seeded, settings, portal, tmp_path):
    twin = copy_settings(seeded, tmp_path / "twin")  # the same starting point, for the command line
    browser = signed_in(portal, "dafang")
    files = [
        rejected_report(tmp_path / "1"),
        good_report(tmp_path / "2"),
        good_report(tmp_path / "3", unit="赫章县"),
    ]
    answers = []
    for path in files:
        location = browser.upload(path).headers["location"]
        answer = browser.get(location + "/result.json").json()
        assert answer["state"] == "answered"
        answers.append(answer["result"])
        page = browser.get(location).text
        assert f"verdict {'bad' if answer['result']['status'] == 'rejected' else 'good'}" in page
    # The command line takes the same bytes, filed under 大方县 (its inbox folder), received in the same order.
    filed = []
    for index, path in enumerate(files):
        copy = tmp_path / "cli" / str(index) / "大方县" / path.name
        copy.parent.mkdir(parents=True)
        copy.write_bytes(path.read_bytes())
        os.utime(copy, (1_650_000_000 + index, 1_650_000_000 + index))
        filed.append(copy)
    expected = cli_ingest(twin.home.root, filed)
    assert [comparable(a) for a in answers] == [comparable(e) for e in expected]
    assert [a["status"] for a in answers] == ["rejected", "accepted", "rejected"]
    assert [a["version"] for a in answers] == [1, 2, 2]  # 赫章县 2022-01 v1 was in the home already
    assert {e["rule"] for e in answers[0]["errors"]} == {"CON01", "CON08"}
    assert {e["rule"] for e in answers[2]["errors"]} >= {"ID04"}  # 赫章县's workbook sent by 大方县


def test_the_same_bytes_again_are_a_duplicate(portal, tmp_path):
    browser = signed_in(portal, "dafang")
    report = good_report(tmp_path / "up")
    first = browser.upload(report).headers["location"]
    again = browser.upload(report).headers["location"]
    assert first != again
    answer = browser.get(again + "/result.json").json()["result"]
    assert answer["status"] == "duplicate"
    page = browser.get(again).text
    assert "重复" in page and "查看此前那份文件的检查结果" in page


def test_every_page_loads_while_another_process_holds_the_writer_lock(settings, tmp_path):
    config = PortalConfig(refresh_after_seconds=None, answer_wait_seconds=1, lock_wait_seconds=0.5)
    with running_portal(settings, config) as base:
        clerk, office = signed_in(base, "dafang"), signed_in(base, "office")
        first = clerk.upload(rejected_report(tmp_path / "before")).headers["location"]
        sha256 = clerk.answer(first)["sha256"]
        release = threading.Event()
        held = threading.Event()

        def hold():  # another writer (a dbt build, pingan ingest) holds the lock and the live warehouse
            import duckdb

            with writer_lock(settings), duckdb.connect(str(settings.home.warehouse)):
                held.set()
                release.wait(60)

        holder = threading.Thread(target=hold)
        holder.start()
        try:
            assert held.wait(30)
            pages = [
                (clerk, f"/units/{DAFANG}"),
                (clerk, f"/units/{DAFANG}?period=2022-06"),
                (clerk, first),
                (clerk, f"/files/{sha256}"),
                (clerk, f"/files/{sha256}/feedback"),
                (clerk, f"/units/{DAFANG}/template?period=2022-06"),
                (office, "/units?period=2022-06"),
                (office, "/units"),
                (clerk, "/login"),
            ]
            for browser, path in pages:
                started = time.monotonic()
                assert browser.get(path).status_code == 200, path
                assert time.monotonic() - started < 5, path
            status = office.get("/units?period=2022-06").text
            assert re.search(
                r"title=\"大方县 2022-06\">\s*<span class=\"status status-(已报|逾期)\">", status
            )

            queued = clerk.upload(good_report(tmp_path / "during")).headers["location"]
            page = clerk.get(queued)
            assert page.status_code == 200 and "文件已收到，正在检查" in page.text
            assert '<meta http-equiv="refresh"' in page.text and LOCK_NOTE in page.text
            assert clerk.get(queued + "/result.json").json()["state"] == "queued"
            assert "检查中" in clerk.get(f"/units/{DAFANG}").text
        finally:
            release.set()
            holder.join()
        answer = clerk.answer(queued, 60)
        assert answer["status"] == "accepted" and answer["version"] == 2
        assert '<meta http-equiv="refresh"' not in clerk.get(queued).text


def test_a_queued_upload_survives_a_restart(settings, tmp_path):
    config = PortalConfig(refresh_after_seconds=None, answer_wait_seconds=0.5, lock_wait_seconds=0.2)
    with writer_lock(settings), running_portal(settings, config) as base:
        browser = signed_in(base, "dafang")
        location = browser.upload(good_report(tmp_path / "up")).headers["location"]
        assert browser.get(location + "/result.json").json()["state"] == "queued"
    with running_portal(settings, config) as base:  # a new process would find the same store
        assert signed_in(base, "dafang").answer(location, 60)["status"] == "accepted"


@pytest.mark.e2e
def test_the_status_follows_uploads_once_the_marts_are_rebuilt(settings, tmp_path):
    # The worker rebuilds the marts after uploads stop; the read copy then says 已报/逾期 for the month.
    config = PortalConfig(refresh_after_seconds=1, answer_wait_seconds=30)
    with running_portal(settings, config) as base:
        browser = signed_in(base, "dafang")
        before = browser.get(f"/units/{DAFANG}?period=2022-01").text
        assert 'status status-未报">未报' in before
        browser.upload(good_report(tmp_path / "up"))
        assert "数据汇总更新后计入" in browser.get(f"/units/{DAFANG}?period=2022-01").text
        deadline = time.monotonic() + 240
        while 'status status-未报">未报' in (page := browser.get(f"/units/{DAFANG}?period=2022-01").text):
            assert time.monotonic() < deadline, "the marts were not rebuilt"
            time.sleep(2)
        assert 'status status-逾期">逾期' in page and "（第 1 版）" in page
        assert "数据汇总更新后计入" not in page


def test_an_uploads_data_docs_follow_its_answer(settings, portal, tmp_path):
    # The worker answers first and writes the office's quality pages (both suites) right after.
    browser = signed_in(portal, "dafang")
    before = time.time()
    location = browser.upload(good_report(tmp_path / "1")).headers["location"]
    assert browser.answer(location)["status"] == "accepted"
    quality = settings.home.quality
    deadline = time.monotonic() + 60
    while True:  # the pages of each suite, then the index (written last; GX writes it in place, so
        # it is read again until it is whole rather than caught between its truncation and its text)
        written = {
            page.relative_to(quality / "validations").parts[0]
            for page in (quality / "validations").rglob("*.html")
            if page.stat().st_mtime >= before
        }
        indexed = (quality / "index.html").stat().st_mtime >= before
        index = (quality / "index.html").read_text(encoding="utf-8")
        names_both = "pingan_indicator_values" in index and "pingan_submissions" in index
        if (indexed and len(written) == 2 and names_both) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert indexed and written == {"pingan_indicator_values", "pingan_submissions"}
    assert names_both


def test_the_quality_pages_are_written_before_the_writer_lock_is_let_go(
    settings, portal, tmp_path, monkeypatch
):
    # pingan ingest and the inbox sensor write the same Data Docs folder under the writer lock, and GX
    # rewrites its index in place: the worker writes its batch's pages before letting the lock go, so
    # the two never write the folder at once.
    another_waits: list[bool] = []
    write_docs = DocsAfterwards.write_docs

    def watched(self: DocsAfterwards) -> None:
        another_waits.append(refused_to_another_thread(lambda: writer_lock(settings, timeout=0)))
        write_docs(self)

    monkeypatch.setattr(DocsAfterwards, "write_docs", watched)
    browser = signed_in(portal, "dafang")
    location = browser.upload(good_report(tmp_path / "1")).headers["location"]
    assert browser.answer(location)["status"] == "accepted"
    deadline = time.monotonic() + 60
    while not another_waits and time.monotonic() < deadline:
        time.sleep(0.1)
    assert another_waits == [True]
    with writer_lock(settings, timeout=30):  # and let go once they are written
        pass
