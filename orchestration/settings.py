"""The PINGAN_ environment in one place: where the home folder is and what lives inside it.

Everything pingan writes goes under one home folder (``--home`` / ``PINGAN_HOME``, default
``./pingan-home``). Nothing else is written into the source tree.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

SOURCE_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = SOURCE_ROOT / "dbt_project"
DEFAULT_HOME = Path("pingan-home")


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
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def feedback(self) -> Path:
        return self.root / "feedback"

    @property
    def quality(self) -> Path:
        return self.root / "quality"

    @property
    def dagster_home(self) -> Path:
        return self.root / "dagster"

    @property
    def dbt_target(self) -> Path:
        return self.root / "dbt" / "target"

    @property
    def dbt_logs(self) -> Path:
        return self.root / "dbt" / "logs"

    def ensure(self) -> Home:
        for folder in (
            self.inbox,
            self.archive,
            self.quarantine,
            self.reports,
            self.feedback,
            self.quality,
            self.dagster_home,
            self.dbt_target,
            self.dbt_logs,
        ):
            folder.mkdir(parents=True, exist_ok=True)
        return self

    def export_environment(self) -> None:
        """Point dbt and Dagster at this home (both read these variables)."""
        os.environ["PINGAN_HOME"] = str(self.root)
        os.environ["PINGAN_WAREHOUSE"] = str(self.warehouse)
        os.environ["DAGSTER_HOME"] = str(self.dagster_home)
        os.environ["DBT_LOG_PATH"] = str(self.dbt_logs)
        os.environ["DBT_TARGET_PATH"] = str(self.dbt_target)
        os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
