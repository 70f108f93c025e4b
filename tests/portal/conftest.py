"""Fixtures of the portal tests: one seeded home per session, copied for each test that changes it."""

import pytest

from tests.portal.chromium import launched
from tests.portal.portal_fixtures import copy_settings, running_portal, seed_home


@pytest.fixture(scope="session")
def seeded(tmp_path_factory):
    return seed_home(tmp_path_factory.mktemp("portal-seed") / "home")


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
