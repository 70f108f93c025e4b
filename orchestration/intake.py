"""Taking files in as every door does it (command line, Dagster, the county portal, rebuild): intake,
then feedback.

``ingest`` archives, reads, checks and stores each file and records the answer (``ingest.results``);
this module then writes the 数据质量反馈表 every file with findings is owed. The feedback workbook copies
the county's own cells, so it is written where the county's bytes are always opened: in the sandbox
(``base.sandbox``, with the reader's time and memory budget). When the sandbox cannot copy a file, the
workbook is still written, with the list of findings alone, and without opening the file here.

A file stays owed its feedback until the workbook exists: the same bytes sent again, or a rerun after a
crash, complete it (``owed_feedback``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from base import calendar, catalogue, layout
from base.sandbox import Progress, prepare, run_sandboxed
from base.settings import Home, Settings
from exports.feedback import write_feedback_workbook
from ingest.archive import Receipt, archive_relative_path
from ingest.intake import ingest_files, ingest_receipts, rebuild_raw
from ingest.receipts import gather
from ingest.results import FileResult, owed_feedback, read_record, write_record
from ingest.sandbox import prepare_reader
from ingest.validate import SuitesRunner

FEEDBACK_TASK = "exports.feedback:write_feedback_workbook"
SETTLE_WAIT_SECONDS = 60  # how long `pingan ingest` waits for files still being copied in


def take_in(
    paths: list[Path],
    settings: Settings,
    *,
    dry_run: bool = False,
    consume_from: Path | None = None,
    progress: Progress | None = None,
    settle_seconds: float = 0,
    first_seen: dict[str, float] | None = None,
) -> list[FileResult]:
    """Ingest files and folders into the home of ``settings``, then write the feedback they are owed.
    Files that changed in the last ``settle_seconds`` are left where they are (``not_taken``): the doors
    that take from the inbox pass ``settings.settle_seconds`` (``wait_until_settled`` first, at a
    terminal); ``first_seen`` is the inbox sensor's first sighting of each file (see ``ingest.receipts``)."""
    results = ingest_files(
        paths,
        settings.home,
        dry_run=dry_run,
        consume_from=consume_from,
        limits=settings.limits,
        progress=progress,
        settle_seconds=settle_seconds,
        first_seen=first_seen,
    )
    if not dry_run:
        write_owed_feedback(settings, results)
    return results


def take_in_receipts(
    receipts: list[Receipt], settings: Settings, suite_runner: SuitesRunner | None = None
) -> list[FileResult]:
    """Ingest files already received elsewhere (the county portal's uploads: the unit from the account,
    the time of the upload), then write the feedback they are owed; the same path as ``take_in``.
    The caller holds the writer lock. One result per receipt, in their order (receipts of distinct bytes).
    ``suite_runner``: see ``ingest.intake.ingest_receipts``."""
    results = ingest_receipts(receipts, settings.home, limits=settings.limits, suite_runner=suite_runner)
    write_owed_feedback(settings, results)
    return results


def prepare_intake(settings: Settings) -> None:
    """Start the sandbox workers the next intake of one file will use (reading it, writing its
    feedback), so that it does not wait for them (``base.sandbox.prepare``): for a long-lived caller
    that takes uploads one by one, from the thread that takes them."""
    limits = settings.limits
    prepare_reader(limits)
    prepare(FEEDBACK_TASK, limits.read_memory_bytes)


def wait_until_settled(
    paths: list[Path], settings: Settings, on_wait: Callable[[str], None] | None = None
) -> None:
    """Wait until no file under ``paths`` has changed for ``settings.settle_seconds``, so a file still
    being copied in is taken whole, not refused; a file still changing after ``SETTLE_WAIT_SECONDS`` (or
    three settle periods, if longer) is then left where it is by intake."""
    settle = settings.settle_seconds
    deadline = time.monotonic() + max(3 * settle, SETTLE_WAIT_SECONDS)
    told = False
    while time.monotonic() < deadline:
        unsettled = gather(paths, settle_seconds=settle).unsettled
        if not unsettled:
            return
        if on_wait and not told:
            on_wait(f"{len(unsettled)} 个文件最近 {settle:g} 秒内仍有改动（可能正在写入），等待其写完…")
            told = True
        time.sleep(min(1.0, settle))


def rebuild(settings: Settings, progress: Progress | None = None) -> list[FileResult]:
    """Recreate the raw tables from the archive and its ledger alone, and the feedback of every file."""
    results = rebuild_raw(settings.home, limits=settings.limits, progress=progress)
    write_owed_feedback(settings, results)
    return results


def write_owed_feedback(settings: Settings, results: list[FileResult]) -> None:
    """Write the 数据质量反馈表 of every file in ``results`` that is owed one (a duplicate's earlier record
    included), set each result's ``feedback`` and update its record."""
    home = settings.home
    owed: list[FileResult] = []
    for result in results:
        if result.status == "duplicate":
            earlier = read_record(home, result.sha256)
            if earlier is not None and owed_feedback(earlier):
                owed.append(earlier)
        elif owed_feedback(result):
            owed.append(result)
    if not owed:
        return
    for partial in home.feedback.glob("*/.*.tmp"):  # what a killed run left half-written
        partial.unlink(missing_ok=True)
    calls = [feedback_call(result, home) for result in owed]
    limits = settings.limits
    outcomes = run_sandboxed(
        FEEDBACK_TASK, calls, seconds=limits.read_seconds, memory_bytes=limits.read_memory_bytes
    )
    for result, call, outcome in zip(owed, calls, outcomes, strict=True):
        path = (
            outcome.value
            if outcome.failure is None
            else write_feedback_workbook(**{**call, "original": None})
        )
        result.feedback = str(path)
        write_record(home, result)


def feedback_call(result: FileResult, home: Home) -> dict:
    """The arguments of ``write_feedback_workbook`` for one file's result."""
    unit = catalogue.unit_by_code().get(result.unit_code or "")
    unit_name = unit.name if unit else layout.TARGETS_SHEET if result.kind == "targets" else None
    monthly = result.period and result.kind == "monthly_report"
    return {
        "out_dir": home.feedback / (result.period or "未识别期间"),
        "original": home.root / archive_relative_path(result.sha256, result.file),
        "file_name": result.file,
        "unit_name": unit_name,
        "period": result.period,
        "version": result.version,
        "status": result.status,
        "findings": result.errors,
        "received_at": result.received_at,
        "deadline_text": calendar.date_text(calendar.deadline(result.period)) if monthly else None,
        "sha256": result.sha256,
    }
