"""Arrival times the office states, on the record: the one way a file's arrival differs from what pingan saw.

Timeliness rests on a time pingan observed (``ingest.receipts.observed_time``), never on a time the
sender can set. But a county's file may have reached the office another way before the deadline (by
email, on a USB stick) and been filed into pingan later. The office then states when it arrived, and
why: ``state_arrivals`` appends each statement (the file's sha256, the time, the reason, who stated
it and when) to ``<home>/archive/arrivals.jsonl``, which is only ever appended to. A statement is
attached to the file's content, not its name, so it cannot be moved onto other bytes, and the county,
who writes only into the inbox, cannot make one. Intake uses the latest statement for a file's bytes as
its arrival and writes the statement into the ledger with the time pingan observed beside it; a file
already taken in has its arrival amended, again on the ledger.
"""

from __future__ import annotations

import datetime as dt
import getpass
from dataclasses import asdict, dataclass
from pathlib import Path

from base import calendar
from ingest.archive import append_lines, read_lines, sha256_of

ARRIVALS_NAME = "arrivals.jsonl"


class ArrivalRefused(ValueError):
    """A statement pingan will not record (in the future, without a reason); the message says why."""


@dataclass(frozen=True)
class StatedArrival:
    sha256: str
    file_name: str
    received_at: str  # ISO, office wall clock: when the office says the file arrived
    reason: str
    stated_by: str
    stated_at: str  # ISO, office wall clock

    def audit(self) -> dict:
        """What the ledger keeps of the statement beside the arrival it sets."""
        return {"reason": self.reason, "stated_by": self.stated_by, "stated_at": self.stated_at}


def refusal(received_at: dt.datetime, reason: str | None) -> str | None:
    """Why a statement cannot be recorded (Chinese), or None: an arrival in the future, or no reason."""
    arrival = calendar.local_time(received_at)
    if arrival > calendar.local_now():
        return f"登记的到达时间 {arrival:%Y-%m-%d %H:%M} 晚于现在，不能登记"
    if not (reason or "").strip():
        return "登记到达时间必须写明理由（如：2月4日通过电子邮件收到），以备核查"
    return None


def arrivals_path(archive_dir: Path) -> Path:
    return archive_dir / ARRIVALS_NAME


def state_arrivals(
    archive_dir: Path,
    arrivals: list[tuple[Path, dt.datetime]],
    reason: str,
    stated_by: str | None = None,
) -> list[StatedArrival]:
    """Record that each file arrived at its time (office wall clock) for ``reason``, in one append."""
    for _, moment in arrivals:
        if problem := refusal(moment, reason):
            raise ArrivalRefused(problem)
    now = calendar.local_now().isoformat()
    statements = [
        StatedArrival(
            sha256=sha256_of(path),
            file_name=path.name,
            received_at=calendar.local_time(moment).isoformat(),
            reason=reason.strip(),
            stated_by=stated_by or getpass.getuser(),
            stated_at=now,
        )
        for path, moment in arrivals
    ]
    append_lines(arrivals_path(archive_dir), [asdict(s) for s in statements])
    return statements


def stated_arrivals(archive_dir: Path) -> dict[str, StatedArrival]:
    """The latest statement for each file content (sha256)."""
    reading = read_lines(arrivals_path(archive_dir), {f for f in StatedArrival.__dataclass_fields__})
    return {
        record["sha256"]: StatedArrival(**{k: record[k] for k in StatedArrival.__dataclass_fields__})
        for record in reading.records
    }
