"""A file for a month the office has accepted (受理) is refused, saying since when and by whom (ID09).

The office's acceptance locks a unit's month until the office returns it (``base.approvals``: the
record the county portal keeps in the home). Intake asks the record whether the month was locked when
the file arrived, not whether it is locked now: a rebuild from the archive then refuses the same files
as intake did. The file is still archived and answered, like any refused file, so nothing sent is lost
and the county reads why.
"""

from __future__ import annotations

from base import calendar, catalogue
from base.approvals import read_approval_record
from base.rules import finding
from base.settings import Home
from ingest.load import StoredSubmission


def refuse_locked(stored: list[StoredSubmission], home: Home) -> None:
    """Reject (ID09) each monthly report in ``stored`` that arrived while its unit's month was locked."""
    record = read_approval_record(home)
    if record is None:
        return
    for submission in stored:
        if submission.kind != "monthly_report" or not submission.unit_code or not submission.period:
            continue
        lock = record.lock_at(submission.unit_code, submission.period, submission.received_at)
        if lock is None:
            continue
        cells = submission.parsed.info_cells if submission.parsed else {}
        submission.findings.insert(
            0,
            finding(
                "ID09",
                cell=cells.get("period"),
                field="period",
                value=submission.period,
                unit_name=catalogue.unit_by_code()[submission.unit_code].name,
                period_label=calendar.period_label(submission.period),
                since=lock.since.replace("T", " ")[:16],
                by=lock.by,
            ),
        )
        submission.status = "rejected"
