"""Shared set-up for the orchestration tests: a small demo home built once by a real Dagster run.

``built_home`` is two units' demo reports (大方县 and 赫章县, whose 2022-05 file is rejected and then
corrected) plus the 2022 targets, taken from the inbox and built by ``monthly_bulletin_job`` for the
partition 2022-12 on the home's own Dagster instance. Tests that change a home work on a copy.
"""

import shutil
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pytest

from base.settings import Home, Settings
from orchestration.defs.build import build_definitions
from orchestration.prepare import prepare_home
from orchestration.runs import execute_job
from sampledata.demo import state_demo_arrivals, write_demo_files
from tests.shared_folders import built_once

SMALL_UNITS = ("522422", "522428")
TAKE_EVERYTHING = {"ops": {"raw_tables": {"config": {"settle_seconds": 0}}}}


@dataclass(frozen=True)
class BuiltHome:
    home: Home
    run_id: str


def settings_for(home: Home) -> Settings:
    """The settings of ``home`` with this process's other PINGAN_ settings."""
    return Settings.from_env(home.root)


def definitions_for(home: Home) -> dg.Definitions:
    return build_definitions(settings_for(home))


def instance_for(home: Home) -> dg.DagsterInstance:
    return dg.DagsterInstance.from_config(str(home.dagster_home))


def copy_home(source: Home, target: Path) -> Home:
    shutil.copytree(source.root, target, symlinks=True)
    return Home.from_env(target)


@pytest.fixture(autouse=True)
def workbooks_without_pdfs(monkeypatch):
    """Bulletins and 公文 drafts as documents only in these tests (``PINGAN_BULLETIN_PDF=0``): LibreOffice's
    conversion is seconds of every publishing run. The PDFs themselves are measured in tests/exports
    (test_bulletin.py, test_notice_pdf.py), and ``built_home``'s run, which the tests here start from,
    writes both (test_runs.py checks they are there)."""
    monkeypatch.setenv("PINGAN_BULLETIN_PDF", "0")


@pytest.fixture(scope="session")
def parsed_home(tmp_path_factory) -> Home:
    """An empty home whose dbt project is already parsed (copies of it load definitions without dbt parse);
    one for the session (``built_once``)."""
    folder = built_once(tmp_path_factory, "parsed-home", lambda root: prepare_home(Settings.from_env(root)))
    return Home.from_env(folder)


@pytest.fixture
def new_home(parsed_home, tmp_path) -> Home:
    return copy_home(parsed_home, tmp_path / "home")


RUN_ID_FILE = "built-run-id.txt"


@pytest.fixture(scope="session")
def built_home(parsed_home, tmp_path_factory) -> BuiltHome:
    """One for the session (``built_once``): tests read it or work on a copy (``copy_home``)."""

    def build(root: Path) -> None:
        home = copy_home(parsed_home, root)
        state_demo_arrivals(home.archive, write_demo_files(home.inbox, units=SMALL_UNITS))
        december = {"partition_key": "2022-12", "run_config": TAKE_EVERYTHING}
        with pytest.MonkeyPatch.context() as environment:
            environment.setenv("PINGAN_BULLETIN_PDF", "1")  # the scheduled run as the office has it
            with instance_for(home) as instance:
                result = execute_job(definitions_for(home), "monthly_bulletin_job", instance, **december)
        failures = [e.message for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
        assert result.success, failures
        (root.parent / f"{root.name}.{RUN_ID_FILE}").write_text(result.run_id, encoding="utf-8")

    root = built_once(tmp_path_factory, "built-home", build)
    run_id = (root.parent / f"{root.name}.{RUN_ID_FILE}").read_text(encoding="utf-8")
    return BuiltHome(Home.from_env(root), run_id)
