"""Intake of a batch of files: fingerprint, archive, read, check, version, store, quarantine, record.

``ingest_files`` is the one entry point the command line, the Dagster assets and ``rebuild`` share
(through ``orchestration.intake``, which then writes the feedback workbooks). What is taken and when it
arrived is ``ingest.receipts`` (regular, settled files within the size limit; a time pingan observed, or
one the office stated: ``ingest.arrivals``). Order of work: sha256 → read in a sandbox (meanwhile the
archive copies are written, verified against the sha256 and fsynced) → files that changed since they
were hashed are left out (``not_taken``) → identity checks, running totals turned into month figures (``ingest.year_to_date``), value checks → version → ledger lines → raw
tables (one transaction) → quarantine copy → one result record per file (``ingest.results``) → only
then does the inbox copy go, if it has not changed since it was hashed. A crash anywhere loses nothing:
the file is still in the inbox (or, on rebuild, in the archive) and a rerun finishes the job; the
ledger may hold a receipt twice, which ``archived_receipts`` reads once. The caller holds the writer
lock: copies a killed intake left half-written are swept at the start. A large drop goes through this in
batches (``BATCH_FILES``), in the order received; the next batch is read while one is checked.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from functools import partial
from pathlib import Path

from base import calendar, catalogue
from base.collection import builds_many_objects, collect_young_garbage
from base.offline_pages import localise, pages_changed_since
from base.rules import Finding, finding
from base.settings import Home, Limits
from ingest.archive import (
    Archived,
    Receipt,
    append_ledger,
    archive_batch,
    archive_relative_path,
    audit_ledger,
    ledger_records,
    read_ledger,
    sweep_partial_copies,
)
from ingest.arrivals import stated_arrivals
from ingest.load import (
    AcceptedHistory,
    StoredSubmission,
    connect,
    known_hashes,
    latest_versions,
    store_submissions,
)
from ingest.locked_periods import refuse_locked
from ingest.owed import complete_owed, settle_quarantine, sweep_partial_writes
from ingest.parse import ParsedWorkbook
from ingest.receipts import CHANGED_REASON, gather, receipts_for, unchanged_since_hashed
from ingest.recovery import merged_in_order, recover_receipts
from ingest.repeats import repeat_result
from ingest.results import NOT_TAKEN, FileResult, read_record, result_from_warehouse, write_record
from ingest.sandbox import Progress, ReadOutcome, read_files
from ingest.validate import History, SuitesRunner, validate_reports
from ingest.validation_process import suite_runner_for
from ingest.warehouse_state import damage_explained, opened, require_whole
from ingest.year_to_date import convert_running_totals

# Files read, checked and stored together. A province's drop (about 1,000 files a year) is one batch,
# validated in one Great Expectations run per suite; a national one is cut, in the order received, into
# batches of this many, so memory stays bounded: the batch being checked and stored, and the next one,
# read meanwhile (each batch's parsed workbooks go once it is stored).
BATCH_FILES = 4000


def ingest_files(
    paths: list[Path],
    home: Home | Path,
    *,
    dry_run: bool = False,
    consume_from: Path | None = None,
    limits: Limits | None = None,
    progress: Progress | None = None,
    settle_seconds: float = 0,
    first_seen: dict[str, float] | None = None,
) -> list[FileResult]:
    """Ingest files and folders into ``home`` (a Home or its folder). Files under ``consume_from`` (the
    inbox) are removed once stored and recorded; other files are left where they are. Only regular files
    unchanged for ``settle_seconds`` and within the size limit are taken (``ingest.receipts``); each
    other entry gets a ``not_taken`` answer with its reason and is left where it is."""
    home = home if isinstance(home, Home) else Home(Path(home).resolve())
    limits = limits or Limits()
    gathered = gather(paths, max_bytes=limits.max_file_bytes, settle_seconds=settle_seconds)
    receipts, changed = receipts_for(
        gathered.files, stated=stated_arrivals(home.archive), first_seen=first_seen
    )
    results = ingest_receipts(
        receipts,
        home,
        dry_run=dry_run,
        consume_from=consume_from,
        limits=limits,
        progress=progress,
    )
    return results + [not_taken_result(path, reason) for path, reason in gathered.not_taken + changed]


def not_taken_result(path: Path, reason: str, receipt: Receipt | None = None) -> FileResult:
    """The answer for an entry intake left where it was (it has no sha256 unless it was hashed)."""
    return FileResult(
        path.name,
        NOT_TAKEN,
        receipt.sha256 if receipt else "",
        received_at=receipt.received_at if receipt else None,
        message=reason,
    )


@builds_many_objects
def ingest_receipts(
    receipts: list[Receipt],
    home: Home | Path,
    *,
    dry_run: bool = False,
    consume_from: Path | None = None,
    limits: Limits | None = None,
    archive: bool = True,
    progress: Progress | None = None,
    suite_runner: SuitesRunner | None = None,
) -> list[FileResult]:
    """Take in files already received (``receipts``); the caller holds the writer lock (unless
    ``dry_run``). A file whose bytes changed after they were hashed is not stored and stays in the
    inbox (``not_taken``). ``suite_runner`` runs the validation suites when the caller has its own way
    (``ingest.validate.DocsAfterwards``); otherwise ``ingest.validation_process`` chooses."""
    home = home if isinstance(home, Home) else Home(Path(home).resolve())
    limits = limits or Limits()
    warehouse = home.warehouse
    arriving = {r.sha256 for r in receipts}
    if not warehouse.exists():  # a fresh home, or a rebuild: never a warehouse deleted behind our back
        require_whole(warehouse, home.archive, set(), arriving)
    connection = opened(warehouse, connect) if not dry_run else _read_only_or_none(warehouse)
    validation_process = archiving = reading_ahead = None
    try:
        with damage_explained(warehouse):
            seen = known_hashes(connection) if connection else set()
            versions = latest_versions(connection) if connection else {}
        require_whole(warehouse, home.archive, seen, arriving)  # versions continue the archive's
        results: list[FileResult] = []
        fresh: list[Receipt] = []
        repeated: list[Receipt] = []
        amended = {} if dry_run or connection is None else amend_arrivals(connection, home, receipts)
        if not dry_run and connection is not None:  # met again: complete what each is still owed
            complete_owed(connection, home, [r.sha256 for r in receipts if r.sha256 in seen])
        for receipt in receipts:
            if receipt.sha256 in seen:
                repeated.append(receipt)
                _consume(receipt, consume_from, dry_run)
                continue
            seen.add(receipt.sha256)
            fresh.append(receipt)
        if suite_runner is None:
            runner, validation_process = suite_runner_for(len(fresh))  # started first: see the module
        else:
            runner = suite_runner
        # The copies are written and fsynced (disk-bound) while the files are read (CPU-bound) where
        # they are, batch by batch on one thread, so a batch waits for its own copies only; nothing is
        # stored or taken out of the inbox before its copies and ledger lines are on disk.
        archiving = ThreadPoolExecutor(1) if not dry_run and archive else None
        if not dry_run:  # what a killed intake left half-written (the caller holds the lock)
            sweep_partial_writes(home)
            sweep_partial_copies(home.archive)
        batches = [fresh[start : start + BATCH_FILES] for start in range(0, len(fresh), BATCH_FILES)]
        copies = [archiving.submit(archive_batch, b, home.root) if archiving else None for b in batches]
        # The next batch is read while this one is checked and stored: checking runs on one core, and
        # the readers keep the other busy (a national intake took 146 s instead of 172 s).
        reading_ahead = ThreadPoolExecutor(1) if len(batches) > 1 else None
        next_read: Future[dict[str, ReadOutcome]] | None = None
        history = AcceptedHistory(connection)
        started = time.time()
        for number, batch in enumerate(batches):
            start = number * BATCH_FILES
            if next_read is None:
                outcomes = _read_batch(batch, limits, _offset(progress, start, len(fresh)))
            else:
                outcomes = next_read.result()
            if reading_ahead is not None and number + 1 < len(batches):
                following = _offset(progress, start + len(batch), len(fresh))
                next_read = reading_ahead.submit(_read_batch, batches[number + 1], limits, following)
            archived = copies[number]
            with damage_explained(warehouse):  # the history of the batch's units is read in it
                stored, changed = _check(
                    batch,
                    outcomes,
                    versions,
                    history,
                    None if dry_run else home.quality,
                    runner,
                    partial(_still_whole, archived),
                )
            del outcomes
            left = {r.sha256 for r in changed}
            taken = [r for r in batch if r.sha256 not in left]
            refuse_locked(stored, home)  # a month the office accepted takes no new version (ID09)
            answers = [_result(s) for s in stored]
            if not dry_run:
                if archived is not None:
                    _discard_copies(archived.result(), changed, home)
                    append_ledger(home.archive, ledger_records(taken))
                store_submissions(connection, stored)
                for answer in answers:
                    settle_quarantine(answer, home)
                    write_record(home, answer)
                for receipt in taken:
                    _consume(receipt, consume_from, dry_run)
            results += answers
            results += [not_taken_result(r.path, CHANGED_REASON, r) for r in changed]
            del stored  # its parsed workbooks go now, not once the next batch is checked
            collect_young_garbage()  # the cycle collector is paused for the intake (base.collection)
        results += _repeats(repeated, results, home, connection, amended)
        if not dry_run and home.quality.is_dir():  # the GX Data Docs of this run, readable offline
            localise(home.quality, pages_changed_since(home.quality, started))
    finally:
        if reading_ahead is not None:  # a batch read ahead when this one failed: its workers stop
            reading_ahead.shutdown(cancel_futures=True)
        if archiving is not None:
            archiving.shutdown()
        if validation_process is not None:
            validation_process.close()
        if connection is not None:
            connection.close()
    order = {r.sha256: i for i, r in enumerate(receipts)}
    return sorted(results, key=lambda r: order.get(r.sha256, 0))


def _repeats(
    repeated: list[Receipt], results: list[FileResult], home: Home, connection, amended: dict[str, str]
) -> list[FileResult]:
    """The answer to each file whose bytes were received before: from this run's result, the file's
    record, or (a file taken in before records existed) the raw tables; with the version that counts
    now for its unit and period (the warehouse's, or this run's on a dry run), and what was amended
    about its arrival (``amend_arrivals``)."""
    if not repeated:
        return []
    this_run = {r.sha256: r for r in results}
    counted = latest_versions(connection, accepted=True) if connection is not None else {}
    for result in results:
        if result.status in ("accepted", "accepted_with_warnings") and result.version:
            key = (result.kind, result.unit_code, result.period)
            counted[key] = max(counted.get(key, 0), result.version)
    answers = []
    for receipt in repeated:
        earlier = this_run.get(receipt.sha256) or read_record(home, receipt.sha256)
        if earlier is None and connection is not None:
            earlier = result_from_warehouse(connection, receipt.sha256)
        latest = counted.get((earlier.kind, earlier.unit_code, earlier.period)) if earlier else None
        answer = repeat_result(receipt, earlier, latest)
        if receipt.sha256 in amended:
            answer.message = "".join(filter(None, [answer.message, amended[receipt.sha256]]))
        answers.append(answer)
    return answers


def _discard_copies(archived: Archived, changed: list[Receipt], home: Home) -> None:
    """Remove the archive copies this run made of files that changed after they were hashed: no ledger
    line names them, and the whole file comes again."""
    for receipt in changed:
        if receipt.sha256 in archived.created:
            (home.root / archive_relative_path(receipt.sha256, receipt.file_name)).unlink(missing_ok=True)


def _offset(progress: Progress | None, start: int, total: int) -> Progress | None:
    """A batch's progress reported as progress over all files."""
    return None if progress is None else lambda done, _: progress(start + done, total)


def _read_only_or_none(warehouse: Path):
    if not warehouse.exists():
        return None
    return opened(warehouse, connect, read_only=True)


def _consume(receipt: Receipt, inbox: Path | None, dry_run: bool) -> None:
    """Remove an inbox file once it is stored and recorded, unless it changed after it was hashed (its
    new content is then taken next time)."""
    if dry_run or inbox is None:
        return
    try:
        receipt.path.resolve().relative_to(inbox.resolve())
    except ValueError:
        return
    if unchanged_since_hashed(receipt):
        receipt.path.unlink(missing_ok=True)


def history_for(reports: list[ParsedWorkbook], earlier: History) -> History:
    """Accepted values of earlier months: the warehouse's, overlaid with this batch's readable reports
    in the order received (a batch may hold a whole year, each month checked against the one before)."""
    history = dict(earlier)
    for report in reports:
        if report.kind == "monthly_report" and report.unit_code and report.period and not report.has_errors:
            # The keys' few distinct codes are shared, not each report's copies kept: a national drop's
            # history holds a million values, and the reports themselves go batch by batch.
            unit, period = sys.intern(report.unit_code), sys.intern(report.period)
            history.update(
                {
                    (unit, period, sys.intern(i.indicator_code)): i.value
                    for i in report.indicators
                    if i.value is not None
                }
            )
    return history


def _read_batch(receipts: list[Receipt], limits: Limits, progress: Progress | None) -> dict[str, ReadOutcome]:
    """Every file of a batch prechecked, read and parsed in the sandbox, by sha256."""
    outcomes = read_files([r.path for r in receipts], limits, progress=progress)
    return dict(zip((r.sha256 for r in receipts), outcomes, strict=True))


def _still_whole(copies: Future[Archived] | None, receipt: Receipt) -> bool:
    """The bytes read and archived (``copies``, the batch's) are the bytes hashed: the file did not
    change meanwhile."""
    copies_changed = copies.result().changed if copies is not None else set()
    return receipt.sha256 not in copies_changed and unchanged_since_hashed(receipt)


def _check(
    receipts: list[Receipt],
    outcomes: dict[str, ReadOutcome],
    versions: dict,
    history: AcceptedHistory,
    docs_dir: Path | None,
    runner: SuitesRunner,
    still_whole: Callable[[Receipt], bool],
) -> tuple[list[StoredSubmission], list[Receipt]]:
    """Check identity and values of the files read (``outcomes``), give each its status and version;
    also the files left out because they changed after they were hashed (``still_whole``). The next
    batch is checked against ``history`` with this batch's readable reports added."""
    changed = [r for r in receipts if not still_whole(r)]
    left = {r.sha256 for r in changed}
    receipts = [r for r in receipts if r.sha256 not in left]
    parsed: dict[str, ParsedWorkbook] = {}
    for receipt in receipts:
        reason = outcomes[receipt.sha256].failure
        if reason:
            parsed[receipt.sha256] = ParsedWorkbook(
                kind="unreadable", findings=[finding("STR01", detail=reason)]
            )
        else:
            parsed[receipt.sha256] = outcomes[receipt.sha256].parsed
            _check_identity(parsed[receipt.sha256], receipt)
    reports = [parsed[r.sha256] for r in receipts]
    earlier = history.covering({r.unit_code for r in reports if r.unit_code})
    convert_running_totals(reports, earlier)  # here, not in the sandbox: it needs the accepted history
    history.values = history_for(reports, earlier)
    checked = validate_reports(reports, history.values, docs_dir, runner)
    for report, found in zip(reports, checked, strict=True):
        report.findings.extend(found)
    ingested_at = calendar.local_now().isoformat()
    stored = []
    for receipt in receipts:
        report = parsed[receipt.sha256]
        unit_code = report.unit_code if report.kind == "monthly_report" else None
        version = None
        if report.period and (unit_code or report.kind == "targets"):
            key = (report.kind, unit_code, report.period)
            versions[key] = version = versions.get(key, 0) + 1
        findings = sorted(report.findings, key=lambda f: f.severity != "error")
        errors = sum(f.severity == "error" for f in findings)
        status = "rejected" if errors else "accepted_with_warnings" if findings else "accepted"
        stored.append(
            StoredSubmission(
                sha256=receipt.sha256,
                kind=report.kind if report.kind != "unreadable" else "monthly_report",
                file_name=receipt.file_name,
                archive_path=archive_relative_path(receipt.sha256, receipt.file_name),
                size_bytes=receipt.size_bytes,
                received_at=receipt.received_at,
                ingested_at=ingested_at,
                filed_under=receipt.filed_under,
                unit_code=unit_code,
                period=report.period,
                version=version,
                status=status,
                findings=findings,
                parsed=report,
            )
        )
    return stored, changed


def _check_identity(report: ParsedWorkbook, receipt: Receipt) -> None:
    """The unit in the file must be the unit whose folder it came from; the period must agree with the
    file's name and not lie in the future. Macros in an .xlsm are never run (only cell values are read)."""
    if Path(receipt.file_name).suffix.lower() == ".xlsm":
        report.findings.append(finding("STR10"))
    if report.kind != "monthly_report":
        return
    cells = report.info_cells
    named_period = calendar.period_in_file_name(receipt.file_name)
    if named_period and report.period and named_period != report.period:
        report.findings.append(
            finding(
                "ID06",
                cell=cells.get("period"),
                field="period",
                value=report.period,
                file_period=named_period,
            )
        )
    if receipt.filed_under and report.unit_code and receipt.filed_under != report.unit_code:
        report.findings.append(
            finding(
                "ID04",
                cell=cells.get("unit_name"),
                field="unit_name",
                value=report.info.get("unit_name"),
                filed_under=catalogue.unit_by_code()[receipt.filed_under].name,
            )
        )
    _check_period_in_calendar(report, receipt)


def _check_period_in_calendar(report: ParsedWorkbook, receipt: Receipt) -> None:
    """A month is assessed from the first period of the calendar, once it is over: one in the future
    (ID05), before the first period (ID07), or not yet over when the file arrived (ID08) would be
    accepted and never used."""
    period, cell = report.period, report.info_cells.get("period")
    if not period:
        return
    arrived = calendar.month_of(dt.datetime.fromisoformat(receipt.received_at))
    about = {"cell": cell, "field": "period", "value": period}
    if period > calendar.local_now().strftime("%Y-%m"):
        report.findings.append(finding("ID05", **about))
    elif period < calendar.first_period():
        first = calendar.period_label(calendar.first_period())
        report.findings.append(finding("ID07", **about, first_period=first))
    elif period >= arrived:
        report.findings.append(finding("ID08", **about, received=receipt.received_at.replace("T", " ")[:16]))


def _result(stored: StoredSubmission) -> FileResult:
    return FileResult(
        file=stored.file_name,
        status=stored.status,
        sha256=stored.sha256,
        kind=stored.kind,
        unit_code=stored.unit_code,
        period=stored.period,
        version=stored.version,
        errors=[f.as_dict() for f in stored.findings],
        received_at=stored.received_at,
    )


def findings_of(result: FileResult) -> list[Finding]:
    return [Finding(**f) for f in result.errors]


def archived_receipts(home: Home) -> list[Receipt]:
    """Every distinct file of the ledger, in the order first received, pointing at its archive copy,
    with the arrival the office last stated for it (a later line with ``arrival_stated``), if any."""
    receipts: dict[str, Receipt] = {}
    for record in read_ledger(home.archive):
        sha256 = record["sha256"]
        if sha256 in receipts:
            if record.get("arrival_stated"):
                receipts[sha256] = replace(
                    receipts[sha256],
                    received_at=record["received_at"],
                    arrival_stated=record["arrival_stated"],
                )
            continue
        receipts[sha256] = Receipt(
            path=home.root / record["archive_path"],
            file_name=record["file_name"],
            sha256=sha256,
            size_bytes=record["size_bytes"],
            received_at=record["received_at"],
            filed_under=record["filed_under"],
            observed_at=record.get("observed_at"),
            arrival_stated=record.get("arrival_stated"),
        )
    return list(receipts.values())


def amend_arrivals(connection, home: Home, receipts: list[Receipt]) -> dict[str, str]:
    """Files already taken in whose arrival the office has now stated differently: their stored arrival
    is changed, on the ledger first (a line with the statement); returns what was done, by sha256."""
    stated = {r.sha256: r for r in receipts if r.arrival_stated}
    if not stated:
        return {}
    stored = connection.execute(
        "select sha256, received_at from raw.submissions where sha256 in (select unnest(?))", [list(stated)]
    ).fetchall()
    changed = [stated[sha] for sha, at in stored if at.isoformat() != stated[sha].received_at]
    if not changed:
        return {}
    append_ledger(home.archive, ledger_records(changed))
    connection.executemany(
        "update raw.submissions set received_at = ?::timestamp where sha256 = ?",
        [[r.received_at, r.sha256] for r in changed],
    )
    for receipt in changed:
        record = read_record(home, receipt.sha256)
        if record is not None:
            record.received_at = receipt.received_at
            write_record(home, record)
    return {
        r.sha256: f"到达时间已按办公室登记改为 {r.received_at.replace('T', ' ')}"
        f"（理由：{r.arrival_stated['reason']}），下次更新数据仓库后生效"
        for r in changed
    }


def rebuild_raw(
    home: Home | Path, limits: Limits | None = None, progress: Progress | None = None
) -> list[FileResult]:
    """Recreate the raw tables from the archive and its ledger alone (the old file is kept aside).

    Every archived file is taken in: one the ledger has no readable line for is recovered from the
    archive itself (``ingest.recovery``) and written back into the ledger first."""
    home = home if isinstance(home, Home) else Home(Path(home).resolve())
    warehouse = home.warehouse
    replaced = None
    if warehouse.exists():
        stamp = calendar.local_now().strftime("%Y%m%d%H%M%S")
        replaced = warehouse.rename(warehouse.with_name(f"warehouse.{stamp}.replaced.duckdb"))
    sweep_partial_copies(home.archive)
    recovered = recover_receipts(audit_ledger(home.archive), replaced)
    append_ledger(
        home.archive, [r.ledger_record(r.path.relative_to(home.root).as_posix()) for r in recovered]
    )
    receipts = merged_in_order(archived_receipts(home), recovered)
    return ingest_receipts(receipts, home, limits=limits, archive=False, progress=progress)
