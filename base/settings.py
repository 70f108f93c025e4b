"""The PINGAN_ environment, read here and nowhere else, and the folders of a pingan home.

Everything pingan writes goes under one home folder (``--home`` / ``PINGAN_HOME``, default
``./pingan-home``), Dagster's own storage included (``<home>/dagster``). Nothing else is written into
the source tree. Code that needs a setting is given a ``Settings`` (or the piece it needs); nothing sets
``os.environ`` to pass a value on: child processes get an environment built for them.

Environment variables (all optional):

- ``PINGAN_HOME``: the home folder.
- ``PINGAN_INBOX_SETTLE_SECONDS``: how long a file must stay unchanged before it is taken (default 10),
  so a file still being copied is never read half-written (``ingest.receipts``).
- ``PINGAN_BULLETIN_PDF``: ``0`` publishes bulletins as workbooks only. By default a PDF of each bulletin
  is written beside it when LibreOffice is installed (3–5 s per bulletin; ``make bench`` turns it off).
- ``PINGAN_BULLETIN_WAITS_FOR_ACCEPTANCE``: ``1`` holds a scheduled bulletin until the office has accepted
  (受理) every unit's report of each month of its period in the county portal. By default it does not
  wait: the bulletin's 填报情况 shows each unit's approval state (``pingan report`` and the portal's
  发布 never wait: the office publishes those on purpose).
- ``PINGAN_LOCK_SECONDS``: how long a command waits for its turn at the warehouse (default 120).
- ``PINGAN_REFERENCE_DIR``: another prefecture's copy of the reference CSVs (``dbt_project/seeds/``).
- ``PINGAN_MAX_FILE_MB``, ``PINGAN_MAX_INFLATED_MB``, ``PINGAN_MAX_COMPRESSION_RATIO``,
  ``PINGAN_MAX_ARCHIVE_ENTRIES``, ``PINGAN_MAX_SHEET_CELLS``, ``PINGAN_READ_SECONDS``,
  ``PINGAN_READ_MEMORY_MB``: what pingan will open (``Limits``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

SOURCE_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = SOURCE_ROOT / "dbt_project"
DEFAULT_REFERENCE_DIR = DBT_PROJECT_DIR / "seeds"
DEFAULT_HOME = Path("pingan-home")

_OFF = {"0", "no", "false", "off"}


def _number(environ: Mapping[str, str], name: str, default: float) -> float:
    text = environ.get(name)
    return float(text) if text else default


def _switched_on(environ: Mapping[str, str], name: str) -> bool:
    """A switch that is off unless set (to anything but 0/no/false/off)."""
    text = environ.get(name, "").strip().lower()
    return bool(text) and text not in _OFF


def reference_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The folder of reference CSVs in force: PINGAN_REFERENCE_DIR, else the project's seeds."""
    environ = os.environ if environ is None else environ
    return Path(environ.get("PINGAN_REFERENCE_DIR") or DEFAULT_REFERENCE_DIR)


@dataclass(frozen=True)
class Limits:
    """What pingan will open. A county's file is untrusted input: a zip bomb or a sheet claiming a million
    rows is refused from its declared sizes before anything is inflated, and the reader runs in a worker
    process that is killed when it passes its time or memory budget."""

    max_file_bytes: int = 20 * 1024 * 1024  # the file as received
    max_inflated_bytes: int = 200 * 1024 * 1024  # sum of declared uncompressed sizes in the archive
    max_compression_ratio: float = 200  # declared uncompressed / compressed, per entry
    max_entries: int = 2000  # files inside the archive
    max_cells: int = 2_000_000  # declared sheet extent (rows x columns), per sheet
    read_seconds: float = 10  # wall-clock budget to read and parse one file
    read_memory_bytes: int = 1024 * 1024 * 1024  # address-space budget of a reader process

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Limits:
        environ = os.environ if environ is None else environ
        mib = 1024 * 1024
        default = cls()
        return cls(
            max_file_bytes=int(_number(environ, "PINGAN_MAX_FILE_MB", default.max_file_bytes / mib) * mib),
            max_inflated_bytes=int(
                _number(environ, "PINGAN_MAX_INFLATED_MB", default.max_inflated_bytes / mib) * mib
            ),
            max_compression_ratio=_number(
                environ, "PINGAN_MAX_COMPRESSION_RATIO", default.max_compression_ratio
            ),
            max_entries=int(_number(environ, "PINGAN_MAX_ARCHIVE_ENTRIES", default.max_entries)),
            max_cells=int(_number(environ, "PINGAN_MAX_SHEET_CELLS", default.max_cells)),
            read_seconds=_number(environ, "PINGAN_READ_SECONDS", default.read_seconds),
            read_memory_bytes=int(
                _number(environ, "PINGAN_READ_MEMORY_MB", default.read_memory_bytes / mib) * mib
            ),
        )


@dataclass(frozen=True)
class Home:
    """The folders of one pingan home."""

    root: Path

    @classmethod
    def from_env(
        cls, home: str | os.PathLike | None = None, environ: Mapping[str, str] | None = None
    ) -> Home:
        environ = os.environ if environ is None else environ
        chosen = home or environ.get("PINGAN_HOME") or DEFAULT_HOME
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
    def warehouse_read_copy(self) -> Path:
        """What the county portal reads (``orchestration.warehouse.READ_COPY_TABLES``) as of the last
        successful build, for readers beside the writer: DuckDB lets no other process open the live file
        while a writer has it."""
        return self.root / "warehouse.read.duckdb"

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
    def notices(self) -> Path:
        """The register of issued notices (发文登记): where each 发文字号 is taken, once."""
        return self.root / "notices"

    @property
    def config(self) -> Path:
        """The office's own wording of documents (notice.toml), laid over pingan's defaults."""
        return self.root / "config"

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
    def portal(self) -> Path:
        """The county portal's own data: accounts and sessions, uploads waiting for intake, the audit log."""
        return self.root / "portal"

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

    def folders(self) -> tuple[Path, ...]:
        return (
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
        )

    def ensure(self) -> Home:
        """Create the home's folders (the command line does this before any work; importing does not)."""
        for folder in self.folders():
            folder.mkdir(parents=True, exist_ok=True)
        return self


@dataclass(frozen=True)
class Settings:
    """Every PINGAN_ setting, read once from an environment and passed to whatever needs it."""

    home: Home
    settle_seconds: float = 10.0
    bulletin_pdf: bool = True
    bulletin_waits_for_acceptance: bool = False
    lock_seconds: float = 120.0
    reference_dir: Path = DEFAULT_REFERENCE_DIR
    limits: Limits = field(default_factory=Limits)

    @classmethod
    def from_env(
        cls, home: str | os.PathLike | None = None, environ: Mapping[str, str] | None = None
    ) -> Settings:
        environ = os.environ if environ is None else environ
        return cls(
            home=Home.from_env(home, environ),
            settle_seconds=_number(environ, "PINGAN_INBOX_SETTLE_SECONDS", cls.settle_seconds),
            bulletin_pdf=environ.get("PINGAN_BULLETIN_PDF", "1").strip().lower() not in _OFF,
            bulletin_waits_for_acceptance=_switched_on(environ, "PINGAN_BULLETIN_WAITS_FOR_ACCEPTANCE"),
            lock_seconds=_number(environ, "PINGAN_LOCK_SECONDS", cls.lock_seconds),
            reference_dir=reference_dir(environ),
            limits=Limits.from_env(environ),
        )

    def child_environment(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """An environment for a pingan child process (``dagster dev``, a worker) that sees these settings."""
        environment = dict(os.environ if base is None else base)
        environment["PINGAN_HOME"] = str(self.home.root)
        environment["DAGSTER_HOME"] = str(self.home.dagster_home)
        if self.reference_dir != DEFAULT_REFERENCE_DIR:
            environment["PINGAN_REFERENCE_DIR"] = str(self.reference_dir)
        return environment
