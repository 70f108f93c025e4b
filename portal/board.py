"""The office's board: every unit × every month of a year, where each report stands.

A cell holds the month's status (已报 / 逾期 / 未报 / 退回: ``orchestration.status`` on the warehouse's read
copy, as of its last build), and, from intake's answers (at once, without waiting for a build), the
version that counts with its verdict, and that version's approval state (``base.approvals``: 待审核,
县级已审核, 已受理, 已退回, or 需重新审核 when a new version arrived after an earlier one was acted on).
"""

from __future__ import annotations

from dataclasses import dataclass

from base import calendar, catalogue
from base.approvals import ACCEPTED, SIGNED_OFF, ApprovalRecord, VersionState
from base.settings import Home
from orchestration.status import PeriodStatus, submission_status
from portal import history


@dataclass(frozen=True)
class Cell:
    period: str
    status: str  # 已报 | 逾期 | 未报 | 退回 (as of the last build)
    latest: history.FileEntry | None  # the newest version received (any verdict)
    counted: history.FileEntry | None  # the version that counts
    approval: VersionState | None  # of the version that counts


@dataclass(frozen=True)
class Row:
    unit: catalogue.Unit
    cells: list[Cell]


@dataclass(frozen=True)
class Board:
    year: int
    months: list[str]
    rows: list[Row]
    files_since_build: int
    built: bool  # the warehouse has been built (else every status reads 未报)

    def count(self, month: str, state: str) -> int:
        """How many units' reports of ``month`` are in approval ``state``."""
        return sum(
            1
            for row in self.rows
            for cell in row.cells
            if cell.period == month and cell.approval and cell.approval.state == state
        )

    @property
    def waiting(self) -> list[Cell]:
        """Signed-off reports the office has still to accept or return."""
        return [
            cell
            for row in self.rows
            for cell in row.cells
            if cell.approval and cell.approval.state == SIGNED_OFF
        ]


def board_months(year: int) -> list[str]:
    """The months of ``year`` a report can exist for: from the first assessed month to last month."""
    last = calendar.previous_month(calendar.now())
    return [m for m in (f"{year}-{i:02d}" for i in range(1, 13)) if calendar.first_period() <= m <= last]


def build_board(home: Home, year: int, record: ApprovalRecord) -> Board:
    months = board_months(year)
    statuses: dict[str, PeriodStatus] = {m: submission_status(home, m, read_copy=True) for m in months}
    files = history.all_files(home)
    counted = history.counted_versions(files)
    latest: dict[tuple[str, str], history.FileEntry] = {}
    for entry in files:
        result = entry.result
        if (
            result
            and result.kind == "monthly_report"
            and result.unit_code
            and result.period
            and result.version
        ):
            held = latest.get((result.unit_code, result.period))
            if held is None or result.version > held.result.version:
                latest[(result.unit_code, result.period)] = entry
    rows = []
    for unit in catalogue.units():
        cells = []
        for month in months:
            status = next(u for u in statuses[month].units if u.unit_code == unit.code)
            used = counted.get((unit.code, month))
            approval = record.version_state(unit.code, month, used.sha256) if used else None
            cells.append(Cell(month, status.status, latest.get((unit.code, month)), used, approval))
        rows.append(Row(unit, cells))
    since = max((s.files_since_build for s in statuses.values()), default=0)
    built = any(s.source == "marts" for s in statuses.values())
    return Board(year, months, rows, since, built)


def accepted_everywhere(board: Board, month: str) -> bool:
    return board.count(month, ACCEPTED) == len(board.rows)
