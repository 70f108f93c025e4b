"""Shared test set-up: the repository root on sys.path, so tests import the packages uninstalled; a copy
of the seeds to change (tests/reference_copy.py)."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


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
