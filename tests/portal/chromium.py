"""Debian's Chromium driven by Playwright for the portal's browser walks: the browser (skipped, saying what
is missing, on a machine without Chromium or a CJK font), the walk's numbered screenshots, and the two
things every walk does (log in, upload a file)."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.portal.portal_fixtures import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def missing() -> str | None:
    if not CHROMIUM.exists():
        return "Debian's chromium (/usr/bin/chromium; make test installs it as root)"
    if (
        shutil.which("fc-list") is None
        or not subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout.strip()
    ):
        return "a CJK font (fonts-wqy-microhei), without which Chinese renders as boxes"
    return None


def launched():
    """A headless Chromium for one test (the ``browser`` fixture of the portal tests)."""
    reason = missing()
    if reason:
        pytest.skip(f"needs {reason}")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


class Steps:
    """Screenshots of a walk, numbered in order (kept under the test's temporary folder)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.taken: list[Path] = []
        folder.mkdir(parents=True, exist_ok=True)

    def shot(self, page, name: str) -> None:
        path = self.folder / f"{len(self.taken) + 1:02d}_{name}.png"
        page.screenshot(path=str(path), full_page=True)
        self.taken.append(path)


def log_in(page, base: str, name: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def upload(page, path: Path) -> None:
    page.get_by_label("选择报表文件").set_input_files(str(path))
    page.get_by_role("button", name="上传").click()


@contextlib.contextmanager
def screenshots_listed_on_failure(steps: Steps) -> Iterator[Steps]:
    """Run a walk; when it fails, the failure lists the screenshots taken so far."""
    try:
        yield steps
    except Exception as error:
        listing = "\n".join(str(p) for p in steps.taken)
        raise AssertionError(f"{error}\nscreenshots of the walk so far:\n{listing}") from error
