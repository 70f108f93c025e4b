"""Nothing pingan writes fetches anything from the internet: pages loaded in Chromium with the network
cut render, and the bulletins link to nothing outside (issue 19, item 11).

Regression: the GX Data Docs loaded Bootstrap, jQuery, bootstrap-table, Font Awesome and Vega from six
CDN hosts and a logo from a cloud bucket; offline the page was blank (its validation list is drawn by
the missing scripts)."""

import shutil
import zipfile
from pathlib import Path

import pytest

from base.offline_pages import external_resources
from base.settings import Settings
from base.web_assets import assets, packages
from orchestration.intake import take_in
from orchestration.warehouse import generate_docs
from tests.ingest.workbooks import consistent_values, write_report
from tests.orchestration.conftest import copy_home

CHROMIUM = Path("/usr/bin/chromium")
needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (make system)")
needs_libraries = pytest.mark.skipif(
    not all(p.is_fetched() for p in packages().values()),
    reason="the pages' libraries are not installed (make installs them into vendor/ with npm)",
)
LOCAL = ("file:", "data:", "blob:", "about:", "http://127.0.0.1", "http://localhost")


def load_offline(page: Path, wait_for: str, screenshot: Path | None = None, fragment: str = "") -> dict:
    """Open ``page`` in Chromium with every request outside the machine refused (and a proxy that leads
    nowhere besides); wait until ``wait_for`` (a JavaScript expression) holds; what happened."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--proxy-server=http://127.0.0.1:9"],
        )
        try:
            tab = browser.new_page()
            refused, errors = [], []

            def route(request_route):
                if request_route.request.url.startswith(LOCAL):
                    return request_route.continue_()
                refused.append(request_route.request.url)
                return request_route.abort()

            tab.route("**/*", route)
            tab.on("pageerror", lambda error: errors.append(str(error)))
            # Generous waits: alone this takes seconds, but beside a second test worker running dbt
            # builds Chromium once took over 30 s to go quiet.
            tab.goto(page.as_uri() + fragment, timeout=120_000)
            tab.wait_for_function(wait_for, timeout=120_000)
            tab.wait_for_load_state("networkidle", timeout=120_000)
            if screenshot:
                tab.screenshot(path=str(screenshot))
            return {"refused": refused, "errors": errors, "text": tab.inner_text("body")}
        finally:
            browser.close()


def pages_of(folder: Path) -> list[Path]:
    return [p for pattern in ("*.html", "*.css") for p in folder.rglob(pattern)]


@pytest.fixture(scope="module")
def quality(tmp_path_factory) -> Path:
    """The GX Data Docs of an intake: one clean report, one with a warning, one rejected."""
    folder = tmp_path_factory.mktemp("quality")
    files = [
        write_report(folder / "in" / "大方县" / "a.xlsx"),
        write_report(
            folder / "in" / "金沙县" / "b.xlsx", unit="金沙", values=consistent_values() | {"G06": 200}
        ),
        write_report(
            folder / "in" / "赫章县" / "c.xlsx", unit="赫章", values=consistent_values() | {"D03": 190}
        ),
    ]
    settings = Settings.from_env(folder / "home")
    take_in(files, settings)
    return settings.home.quality


@needs_libraries
def test_no_page_of_the_data_docs_loads_anything_from_outside(quality):
    pages = pages_of(quality)
    assert len(pages) >= 4
    assert {str(p.relative_to(quality)): external_resources(p.read_text()) for p in pages} == {
        str(p.relative_to(quality)): [] for p in pages
    }
    assert (quality / "vendor" / "jquery@3.7.1" / "dist" / "jquery.min.js").is_file()


@needs_chromium
@needs_libraries
def test_the_data_docs_draw_their_validation_list_with_the_network_cut(quality, tmp_path):
    shown = load_offline(
        quality / "index.html",
        "document.querySelectorAll('table tbody tr td').length > 3",
        screenshot=tmp_path / "index.png",
    )
    assert shown["refused"] == [] and shown["errors"] == []
    assert "pingan_submissions" in shown["text"] and "Showing 1 to" in shown["text"]
    (result,) = list((quality / "validations").rglob("*.html"))[:1]
    shown = load_offline(result, "document.querySelectorAll('.card').length > 0")
    assert shown["refused"] == [] and shown["errors"] == []
    assert "Expectation" in shown["text"]


@pytest.mark.e2e
@needs_chromium
def test_the_dbt_docs_show_a_model_with_the_network_cut(built_home, tmp_path):
    home = copy_home(built_home.home, tmp_path / "home")
    index = generate_docs(Settings.from_env(home.root))
    assert external_resources(index.read_text(encoding="utf-8")) == []
    shown = load_offline(
        index,
        "document.body.innerText.includes('One row per unit')",
        fragment="#!/model/model.pingan.fct_unit_scores",
    )
    assert shown["refused"] == [] and shown["errors"] == []
    assert "One row per unit, period_type and period with targets evaluated" in shown["text"]
    assert "points_evaluated" in shown["text"]  # its columns, from the manifest inside the page


def test_every_address_the_pages_use_maps_to_a_pinned_package_file():
    # Configuration that can be wrong without failing: a row naming an unpinned package, or one whose
    # file is not in the package (checked once the packages are installed).
    for asset in assets():
        assert asset.url or asset.package, asset
        if asset.package is not None and asset.package.is_fetched():
            assert asset.source().exists(), asset
    assert {a.package.spec for a in assets() if a.package} == {p.spec for p in packages().values()}


@pytest.mark.e2e
def test_the_bulletins_link_to_nothing_outside(built_home):
    bulletins = sorted(built_home.home.reports.rglob("*.xlsx"))
    assert bulletins
    for bulletin in bulletins:
        with zipfile.ZipFile(bulletin) as workbook:
            names = workbook.namelist()
            assert not [n for n in names if n.startswith("xl/externalLinks/")], bulletin
            for rels in (n for n in names if n.endswith(".rels")):
                assert 'TargetMode="External"' not in workbook.read(rels).decode("utf-8"), (bulletin, rels)


def test_a_copied_docs_folder_still_works_offline(quality, tmp_path):
    # Relative addresses: the office may copy the folder elsewhere (or onto a USB stick).
    copy = shutil.copytree(quality, tmp_path / "copy")
    assert pages_of(copy)
    for page in pages_of(copy):
        assert str(quality) not in page.read_text(), page
