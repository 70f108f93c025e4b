"""The layers run one way (the contracts are in pyproject.toml, [tool.importlinter]).

base (what every stage reads: catalogue, header mapping, rules, calendar, settings, sandbox) → ingest →
exports → orchestration → portal, with the scaffolding (sampledata, bench) beside the office's flow; only
orchestration imports Dagster (the portal does not load it); only the command line reaches up into the
portal. ``lint-imports`` checks every import statement, lazy ones included.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def lint_imports(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache", *arguments],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def test_every_layer_contract_is_kept():
    completed = lint_imports()
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-2000:]
    assert "3 kept, 0 broken" in completed.stdout


def test_a_back_arrow_breaks_the_contract(tmp_path):
    # The contract is not vacuous: ingest importing exports (the arrow this layout removed) is caught.
    config = tmp_path / "contracts.toml"
    config.write_text(
        (ROOT / "pyproject.toml")
        .read_text(encoding="utf-8")
        .replace('"exports", "ingest", "base"]', '"ingest", "exports", "base"]'),
        encoding="utf-8",
    )
    completed = lint_imports("--config", str(config))
    assert completed.returncode != 0 and "BROKEN" in completed.stdout


def test_only_the_command_line_may_import_the_portal(tmp_path):
    # Without the command line's exception, its imports of the portal break the layers.
    config = tmp_path / "contracts.toml"
    config.write_text(
        (ROOT / "pyproject.toml")
        .read_text(encoding="utf-8")
        .replace('ignore_imports = ["orchestration.cli -> portal.**"]', ""),
        encoding="utf-8",
    )
    completed = lint_imports("--config", str(config))
    assert completed.returncode != 0 and "orchestration.cli -> portal" in completed.stdout
