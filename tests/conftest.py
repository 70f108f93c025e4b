"""Shared test set-up: the repository root on sys.path, so tests import the packages uninstalled; no
settle wait before intake; a copy of the seeds to change (tests/reference_copy.py); cheap password hashes."""

import os
import secrets
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# A file a test writes is whole once written, so intake need not wait for it to settle (10 s by default:
# ``pingan ingest`` on a file written a moment ago waits that long first). This process and every one it
# starts inherit it. Waiting is tested where it is the subject, with a value of its own:
# tests/ingest/test_taking_files.py and tests/orchestration/test_inbox_sensor.py.
os.environ.setdefault("PINGAN_INBOX_SETTLE_SECONDS", "0")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Files with end-to-end tests (marker ``e2e``: the slow ones) first, each file's tests kept
    together and in order: ``make test`` hands files to its two processes in this order
    (``--no-loadscope-reorder``), so the long files start early and the quick ones fill in at the end,
    instead of one long file running alone after everything else."""
    slow = {item.path for item in items if item.get_closest_marker("e2e")}
    items.sort(key=lambda item: item.path not in slow)


@pytest.fixture
def reference_copy(tmp_path):
    """A copy of the seeds to change one value in (tests/reference_copy.py)."""
    from tests.reference_copy import ReferenceCopy

    return ReferenceCopy(tmp_path / "reference")


@pytest.fixture
def use_reference(monkeypatch):
    """``use_reference(copy)`` makes a copy of the seeds the catalogue Python reads (PINGAN_REFERENCE_DIR)
    until the test ends; then the catalogue forgets it."""
    from base import catalogue

    def use(copy) -> None:
        monkeypatch.setenv("PINGAN_REFERENCE_DIR", str(copy.folder))
        catalogue.forget_cached_reference()

    yield use
    monkeypatch.undo()
    catalogue.forget_cached_reference()


@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashes():
    """Argon2id at argon2-cffi's cheapest parameters (``profiles.CHEAPEST``) for the accounts the tests
    make and sign in with in their own processes: the same code (portal/passwords.py), a cost that is not
    the subject. At the real cost (~0.17 s of CPU a hash or a check) the suite's ~300 took ~53 s of CPU,
    ~30 s of it test_portal_rush's 88 clerks. What the real cost is, is pinned in a process of its own
    (tests/portal/test_portal_security.py); portals, demos and commands started as processes pay it."""
    from argon2 import PasswordHasher, profiles

    from portal import passwords

    cheap = PasswordHasher.from_parameters(profiles.CHEAPEST)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "_HASHER", cheap)
        patch.setattr(passwords, "_NOBODY", cheap.hash(secrets.token_hex(16)))
        yield
