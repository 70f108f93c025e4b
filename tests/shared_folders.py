"""Folders built once per test session, however many pytest-xdist workers need them."""

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from filelock import FileLock


def built_once(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], object]) -> Path:
    """The folder ``name``, made by ``build(folder)`` once per test session: the first worker to ask builds
    it while any other waits on a lock, then all use the same folder. For the session's shared homes (a
    real Dagster run or dbt build each), which tests only read or copy. Without xdist it is an ordinary
    session folder."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # the session's, not a worker's
    folder, done = shared / name, shared / f"{name}.built"
    with FileLock(shared / f"{name}.lock"):
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)  # what a worker whose build failed left
            build(folder)
            done.touch()
    return folder
