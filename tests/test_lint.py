"""ruff (lint and format) over the whole tree, so a CI run fails on what `make lint` would flag."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUFF = Path(sys.executable).with_name("ruff")


def test_ruff_check_passes():
    completed = subprocess.run([str(RUFF), "check", str(ROOT)], capture_output=True, text=True)
    assert completed.returncode == 0, completed.stdout[-3000:]


def test_ruff_format_is_clean():
    completed = subprocess.run([str(RUFF), "format", "--check", str(ROOT)], capture_output=True, text=True)
    assert completed.returncode == 0, completed.stdout[-3000:]
