"""The PINGAN_ environment in one place: where the home folder is and what lives inside it.

Everything pingan writes goes under one home folder (``--home`` / ``PINGAN_HOME``, default
``./pingan-home``), Dagster's own storage included (``DAGSTER_HOME`` = ``<home>/dagster``). Nothing else
is written into the source tree.

Environment variables (all optional):

- ``PINGAN_HOME``: the home folder.
- ``PINGAN_INBOX_SETTLE_SECONDS``: how long a file in the inbox must keep the same size and modification
  time before it is taken (default 10), so a file still being copied is never read half-written.
- ``PINGAN_BULLETIN_PDF``: ``0`` publishes bulletins as workbooks only. By default a PDF of each bulletin
  is written beside it when LibreOffice is installed (3–5 s per bulletin; ``make bench`` turns it off).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

SOURCE_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = SOURCE_ROOT / "dbt_project"
DEFAULT_HOME = Path("pingan-home")
DEFAULT_SETTLE_SECONDS = 10.0

# Dagster's instance settings for a pingan home. One concurrency pool, "warehouse", holds every step that
# opens the DuckDB file (DuckDB allows one writing process per file): its limit of 1 serialises them
# across runs, so a sensor run, a scheduled run and a run started by hand never collide. Every pool
# pingan uses should be limited to 1, hence default_limit. Telemetry off: the office's data stays home.
DAGSTER_YAML = """\
# Written by pingan (orchestration/settings.py); edits are replaced on the next start.
concurrency:
  pools:
    default_limit: 1
telemetry:
  enabled: false
"""


def inbox_settle_seconds() -> float:
    text = os.environ.get("PINGAN_INBOX_SETTLE_SECONDS")
    return float(text) if text else DEFAULT_SETTLE_SECONDS


def bulletin_pdf_wanted() -> bool:
    return os.environ.get("PINGAN_BULLETIN_PDF", "1").strip().lower() not in {"0", "no", "false", "off"}


@dataclass(frozen=True)
class Home:
    """The folders of one pingan home."""

    root: Path

    @classmethod
    def from_env(cls, home: str | os.PathLike | None = None) -> Home:
        chosen = home or os.environ.get("PINGAN_HOME") or DEFAULT_HOME
        return cls(Path(chosen).expanduser().resolve())

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def archive(self) -> Path:
        return self.root / "archive"

    @property
    def quarantine(self) -> Path:
        return self.root / "quarantine"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def staging_warehouse(self) -> Path:
        """Where ``dbt build`` works on a copy of the warehouse before it is swapped in."""
        return self.root / "warehouse.building.duckdb"

    @property
    def warehouse_lock(self) -> Path:
        return self.root / "warehouse.lock"

    @property
    def build_marker(self) -> Path:
        """What the last successful warehouse build saw (see orchestration/warehouse.py)."""
        return self.root / "dbt" / "last_build.json"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def reminders(self) -> Path:
        return self.root / "reminders"

    @property
    def feedback(self) -> Path:
        return self.root / "feedback"

    @property
    def quality(self) -> Path:
        return self.root / "quality"

    @property
    def quality_index(self) -> Path:
        """The front page of the Great Expectations Data Docs, rebuilt by every intake that validates."""
        return self.quality / "index.html"

    @property
    def docs(self) -> Path:
        return self.root / "docs"

    @property
    def alerts_log(self) -> Path:
        return self.root / "alerts.log"

    @property
    def dagster_home(self) -> Path:
        return self.root / "dagster"

    @property
    def dbt_target(self) -> Path:
        return self.root / "dbt" / "target"

    @property
    def dbt_build_target(self) -> Path:
        """dbt's artifacts of the last build run by Dagster (one folder, overwritten each build)."""
        return self.root / "dbt" / "build"

    @property
    def dbt_logs(self) -> Path:
        return self.root / "dbt" / "logs"

    def ensure(self) -> Home:
        for folder in (
            self.inbox,
            self.archive,
            self.quarantine,
            self.reports,
            self.reminders,
            self.feedback,
            self.quality,
            self.dagster_home,
            self.dbt_target,
            self.dbt_logs,
        ):
            folder.mkdir(parents=True, exist_ok=True)
        instance_settings = self.dagster_home / "dagster.yaml"
        if not instance_settings.exists() or instance_settings.read_text(encoding="utf-8") != DAGSTER_YAML:
            instance_settings.write_text(DAGSTER_YAML, encoding="utf-8")
        return self

    def export_environment(self) -> None:
        """Point dbt and Dagster at this home (both read these variables)."""
        os.environ["PINGAN_HOME"] = str(self.root)
        os.environ["PINGAN_WAREHOUSE"] = str(self.warehouse)
        os.environ["DAGSTER_HOME"] = str(self.dagster_home)
        os.environ["DBT_LOG_PATH"] = str(self.dbt_logs)
        os.environ["DBT_TARGET_PATH"] = str(self.dbt_target)
        os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
