"""The county portal under test: a small home with history, accounts of every role, a real server on a
loopback port, and a client that signs in the way a browser does (the login page's token, a cookie)."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import requests

from base import catalogue
from base.settings import Home, Settings
from exports.template import write_targets_workbook
from orchestration.intake import take_in
from orchestration.warehouse import build_warehouse, writer_lock
from portal.accounts import add_account
from portal.config import PortalConfig
from portal.server import serving_in_thread
from sampledata.demo import TARGETS_FILE, demo_targets, targets_received_at
from tests.ingest.workbooks import consistent_values, write_report
from tests.orchestration.demo_files import demo_file, write_demo_file

PASSWORD = "correct-horse-7"
DAFANG, HEZHANG = "522422", "522428"
# (name, role, unit): a clerk and an approver of 大方县, a clerk and an approver of 赫章县 (another unit),
# the office, a leader
ACCOUNTS = (
    ("dafang", "填报员", "大方县"),
    ("dafang-approver", "审核人", "大方县"),
    ("hezhang", "填报员", "赫章县"),
    ("hezhang-approver", "审核人", "赫章县"),
    ("office", "综治办", None),
    ("leader", "领导", None),
)
# History the home starts with: 赫章县's first months of 2022 (its 2022-05 story is not needed) and one
# 大方县 month far from January, so a 大方县 January report has no month before it to be compared with.
SEEDED = ((HEZHANG, "2022-01"), (HEZHANG, "2022-02"), (HEZHANG, "2022-03"), (DAFANG, "2022-06"))
QUIET = PortalConfig(refresh_after_seconds=None, answer_wait_seconds=30)


def seed_home(root: Path) -> Settings:
    """A home with ``SEEDED`` and the demo's 2022 targets workbook taken in (so a 2022 month can be
    scored and published) and the warehouse built (so its read copy exists), and accounts."""
    settings = Settings.from_env(root)
    settings.home.ensure()
    for unit_code, period in SEEDED:
        write_demo_file(
            settings.home.inbox / catalogue.unit_by_code()[unit_code].name, demo_file(unit_code, period)
        )
    targets = write_targets_workbook(settings.home.inbox / TARGETS_FILE, 2022, demo_targets(2022))
    stamp = targets_received_at(2022).timestamp()
    os.utime(targets, (stamp, stamp))
    with writer_lock(settings):
        take_in([settings.home.inbox], settings, consume_from=settings.home.inbox)
    build_warehouse(settings)
    for name, role, unit in ACCOUNTS:
        add_account(settings.home, name, role, PASSWORD, unit)
    return settings


def copy_settings(source: Settings, target: Path) -> Settings:
    shutil.copytree(source.home.root, target, symlinks=True)
    return Settings.from_env(target)


def rejected_report(folder: Path, unit: str = "大方县", period: str = "2022-01") -> Path:
    """A report whose 调解成功数 (D15) exceeds 调解民间纠纷数: rejected, rule CON01, cell D15."""
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{unit[:2]}_{period[:4]}年{period[5:]}月_综治月报.xlsx"
    return write_report(folder / name, unit=unit, period=period, values=consistent_values() | {"D03": 190})


def good_report(folder: Path, unit: str = "大方县", period: str = "2022-01", **changes: object) -> Path:
    """A report that passes every check (with ``changes`` to its values: another version's bytes)."""
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{unit[:2]}_{period[:4]}年{period[5:]}月_综治月报.xlsx"
    return write_report(folder / name, unit=unit, period=period, values=consistent_values() | changes)


@dataclass
class Client:
    """A browser-like client of one portal: cookies kept, forms sent with the page's own token."""

    base: str
    session: requests.Session

    def get(self, path: str, **options) -> requests.Response:
        return self.session.get(self.base + path, allow_redirects=False, timeout=60, **options)

    def post(self, path: str, **options) -> requests.Response:
        return self.session.post(self.base + path, allow_redirects=False, timeout=120, **options)

    def token(self, path: str) -> str:
        """The CSRF token of the forms on the page at ``path`` (redirects followed)."""
        page = self.session.get(self.base + path, timeout=60)
        found = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert found, f"no form token on {path}: {page.status_code} {page.text[:300]}"
        return found.group(1)

    def login(self, name: str, password: str = PASSWORD) -> requests.Response:
        token = self.token("/login")
        return self.post("/login", data={"username": name, "password": password, "csrf": token})

    def answer(self, location: str, seconds: float = 120) -> dict:
        """The upload's result (``/uploads/<id>/result.json``) once intake has answered it."""
        deadline = time.monotonic() + seconds
        while (found := self.get(location + "/result.json").json())["state"] == "queued":
            assert time.monotonic() < deadline, f"{location} not answered within {seconds} s"
            time.sleep(0.3)
        return found["result"]

    def upload(self, path: Path, name: str | None = None, token: str | None = None) -> requests.Response:
        token = token if token is not None else self.token("/")  # the account's own unit page
        with open(path, "rb") as handle:
            return self.post(
                "/upload",
                data={"csrf": token},
                files={"file": (name or path.name, handle, "application/octet-stream")},
            )


def client(base: str) -> Client:
    return Client(base, requests.Session())


def signed_in(base: str, name: str) -> Client:
    browser = client(base)
    answer = browser.login(name)
    assert answer.status_code == 303, answer.text[:500]
    return browser


@contextlib.contextmanager
def running_portal(settings: Settings, config: PortalConfig = QUIET) -> Iterator[str]:
    with serving_in_thread(settings, config) as base:
        yield base


def home_of(settings: Settings) -> Home:
    return settings.home


def month_page(browser: Client, unit_code: str, period: str) -> str:
    return browser.get(f"/units/{unit_code}?period={period}").text


def shown(page: str, element_id: str) -> str | None:
    """The text of the element with ``element_id`` on a page (None when it is not there)."""
    found = re.search(rf'id="{element_id}"[^>]*>(.*?)</', page, re.S)
    return " ".join(found.group(1).split()) if found else None


def alert(page: str) -> str | None:
    """The text of a page's alert (the reason of a refusal)."""
    found = re.search(r'role="alert"[^>]*>(.*?)</p>', page, re.S)
    return " ".join(found.group(1).split()) if found else None


def approval_step(
    browser: Client,
    step: str,
    unit_code: str,
    period: str,
    version: str,
    note: str | None = None,
    token: str | None = None,
) -> requests.Response:
    """POST the form of an approval step (sign-off, withdraw, accept, return) as the unit's page sends it."""
    token = token if token is not None else browser.token(f"/units/{unit_code}?period={period}")
    data = {"csrf": token, "period": period, "version": version}
    if note is not None:
        data["note"] = note
    return browser.post(f"/units/{unit_code}/{step}", data=data)
