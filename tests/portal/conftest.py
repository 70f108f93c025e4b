"""Fixtures of the portal tests: one seeded home per session, copied for each test that changes it."""

import pytest

from base.settings import Settings
from tests.portal.chromium import launched
from tests.portal.portal_fixtures import copy_settings, running_portal, seed_home
from tests.shared_folders import built_once


@pytest.fixture(scope="session")
def seeded(tmp_path_factory):
    """One for the session (``built_once``): tests copy it (``settings``) before they change anything."""
    return Settings.from_env(built_once(tmp_path_factory, "portal-seed", seed_home))


@pytest.fixture
def settings(seeded, tmp_path):
    return copy_settings(seeded, tmp_path / "home")


@pytest.fixture
def portal(settings):
    with running_portal(settings) as base:
        yield base


@pytest.fixture
def browser():
    """Debian's Chromium (the test is skipped, saying what is missing, without it)."""
    yield from launched()
