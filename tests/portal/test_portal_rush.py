"""The deadline-day rush: the clerks of 88 units upload their month's report at once to a portal on a
loopback port. Every file is answered, none is lost (archived, in the ledger, in the audit log), and each
verdict equals what ``pingan ingest --json`` says of the same bytes. Bounded: 88 uploads, 10 minutes."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from base import catalogue
from base.settings import Settings
from ingest.archive import read_ledger
from portal import audit
from portal.accounts import add_account
from sampledata.province import write_province
from tests.portal.portal_fixtures import PASSWORD, QUIET, running_portal, signed_in

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
UNITS = 88
BOUND_SECONDS = 600
PER_RECEIPT = {"received_at", "feedback", "quarantine"}  # times and paths of each home


@pytest.fixture
def province(tmp_path, monkeypatch):
    made = write_province(tmp_path / "province", UNITS, 1, correction_month=1)
    monkeypatch.setenv("PINGAN_REFERENCE_DIR", str(made.reference_dir.resolve()))
    catalogue.forget_cached_reference()
    yield made
    monkeypatch.delenv("PINGAN_REFERENCE_DIR")
    catalogue.forget_cached_reference()


def test_eighty_eight_clerks_at_once_all_answered_none_lost_each_as_the_cli_says(province, tmp_path):
    settings = Settings.from_env(tmp_path / "home")
    settings.home.ensure()
    files = {catalogue.resolve_unit(path.parent.name).code: path for path in province.files}
    assert len(files) == UNITS
    for code in files:
        add_account(settings.home, f"clerk{code}", "填报员", PASSWORD, code)

    answers: dict[str, dict] = {}
    failures: list[str] = []
    with running_portal(settings, QUIET) as base:
        clerks = {code: signed_in(base, f"clerk{code}") for code in files}
        tokens = {code: clerk.token("/") for code, clerk in clerks.items()}
        start = threading.Barrier(UNITS)

        def clerk_uploads(code: str) -> None:
            try:
                start.wait(60)
                location = clerks[code].upload(files[code], token=tokens[code]).headers["location"]
                answers[code] = clerks[code].answer(location, BOUND_SECONDS)
            except Exception as error:  # noqa: BLE001 - reported below
                failures.append(f"{code}: {error!r}")

        started = time.monotonic()
        threads = [threading.Thread(target=clerk_uploads, args=(code,)) for code in files]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(BOUND_SECONDS)
        took = time.monotonic() - started
    assert not failures and len(answers) == UNITS, failures[:5]
    assert took < BOUND_SECONDS

    # none lost: each file archived and in the ledger once, each upload in the audit log with its verdict
    ledger = {r["sha256"]: r for r in read_ledger(settings.home.archive)}
    assert {a["sha256"] for a in answers.values()} == set(ledger)
    assert all((settings.home.root / r["archive_path"]).is_file() for r in ledger.values())
    assert {
        code: r["filed_under"]
        for code, r in ((a["unit_code"], ledger[a["sha256"]]) for a in answers.values())
    } == {code: code for code in files}
    uploads = [r for r in audit.read_audit(settings.home) if r.action == "upload"]
    assert sorted((r.unit, r.sha256, r.result) for r in uploads) == sorted(
        (code, a["sha256"], a["status"]) for code, a in answers.items()
    )

    # each verdict as the command line gives it for the same bytes
    twin = tmp_path / "twin"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "orchestration.cli",
            "ingest",
            "--home",
            str(twin),
            "--json",
            *map(str, files.values()),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert completed.returncode in (0, 1), completed.stderr[-2000:]
    assert completed.stdout, completed.stderr[-3000:]
    expected = {r["sha256"]: r for r in json.loads(completed.stdout)}
    for code, answer in answers.items():
        mine = {k: v for k, v in answer.items() if k not in PER_RECEIPT}
        theirs = {k: v for k, v in expected[answer["sha256"]].items() if k not in PER_RECEIPT}
        assert mine == theirs, code
    statuses = sorted(a["status"] for a in answers.values())
    assert statuses.count("rejected") == province.expected["rejected"] >= 1
    assert statuses.count("accepted") + statuses.count("accepted_with_warnings") == UNITS - statuses.count(
        "rejected"
    )
