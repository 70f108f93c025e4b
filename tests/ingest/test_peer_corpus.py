"""Odd real-world workbooks from other projects' test suites (shared/corpus/peer-excel): every file gets a
status and a Chinese message from `pingan ingest --json`, with no traceback, in bounded time and memory."""

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "peer-excel"


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"peer corpus not found at {CORPUS}")
def test_every_peer_file_gets_an_answer(tmp_path):
    files = sorted(p.name for p in CORPUS.iterdir() if p.suffix != ".md")
    started = time.monotonic()
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "orchestration.cli",
            "ingest",
            "--home",
            str(tmp_path / "home"),
            "--json",
            str(CORPUS),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    elapsed = time.monotonic() - started
    assert completed.returncode in (0, 1), completed.stderr[-3000:]
    assert "Traceback" not in completed.stderr
    results = json.loads(completed.stdout)
    assert sorted(r["file"] for r in results) == files
    for result in results:
        assert result["status"] in {"accepted", "accepted_with_warnings", "rejected", "duplicate"}
        if result["status"] == "rejected":
            assert result["errors"] and all(e["message"] for e in result["errors"]), result
    assert elapsed < 10 * len(files)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert children.ru_maxrss < 1024 * 1024  # KiB: no process of the run went past 1 GiB
