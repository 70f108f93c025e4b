"""Intake of a batch of files: fingerprint, archive, read, check, version, store, quarantine, record.

``ingest_files`` is the one entry point the command line, the Dagster assets and ``rebuild`` share
(through ``orchestration.intake``, which then writes the feedback workbooks). Order of work: sha256 →
read in a sandbox (meanwhile the archive copies are written and fsynced, then the ledger lines) →
identity checks, running totals turned into month figures (``ingest.year_to_date``), value checks →
version → once copies and ledger are on disk, raw tables (one transaction)
→ quarantine copy → one result record per file (``ingest.results``) → only then does the inbox copy go.
A crash anywhere loses nothing: the file is still in the inbox (or, on rebuild, in the archive) and a
rerun finishes the job; the ledger may hold a receipt twice, which ``archived_receipts`` reads once.
"""

from __future__ import annotations

import json
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from base import calendar, catalogue
from base.rules import Finding, finding
from base.settings import Home, Limits
from ingest.archive import (
    Receipt,
    archive_batch,
    archive_relative_path,
    read_ledger,
    sha256_of,
)
from ingest.load import (
    StoredSubmission,
    accepted_history,
    connect,
    known_hashes,
    latest_versions,
    store_submissions,
)
from ingest.locked_periods import refuse_locked
from ingest.parse import ParsedWorkbook
from ingest.precheck import has_external_links
from ingest.repeats import repeat_result, result_from_warehouse
from ingest.results import FileResult, read_record, write_record
from ingest.sandbox import Progress, read_files
from ingest.validate import History, SuiteRunner, validate_reports
from ingest.validation_process import suite_runner_for
from ingest.year_to_date import convert_running_totals

# Files read, checked and stored together. A province's drop (about 1,000 files a year) is one batch,
# validated in one Great Expectations run per suite; a national one is cut, in the order received, into
# batches of this many, so memory stays bounded (each batch's parsed workbooks go once it is stored).
BATCH_FILES = 4000


def received_time(path: Path) -> str:
    """When the office received a file: its modification time, local wall clock, never in the future."""
    return min(calendar.from_timestamp(path.stat().st_mtime), calendar.local_now()).isoformat()


def filed_under(path: Path) -> str | None:
    """The unit whose folder the file was dropped in (the inbox has a sub-folder per unit)."""
    unit = catalogue.resolve_unit(path.parent.name)
    return unit.code if unit else None


def collect_files(paths: list[Path]) -> list[Path]:
    """Workbook-like files under the given files and folders (Office lock files '~$…' skipped)."""
    found: list[Path] = []
    for path in paths:
        candidates = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for candidate in candidates:
            if candidate.name.startswith(("~$", ".")) or candidate.name.endswith((".json", ".txt", ".md")):
                continue
            found.append(candidate)
    return found


def receipts_for(files: list[Path]) -> list[Receipt]:
    receipts = [
        Receipt(
            path=p,
            file_name=p.name,
            sha256=sha256_of(p),
            size_bytes=p.stat().st_size,
            received_at=received_time(p),
            filed_under=filed_under(p),
        )
        for p in files
    ]
    return sorted(receipts, key=lambda r: (r.received_at, r.file_name))


def ingest_files(
    paths: list[Path],
    home: Home | Path,
    *,
    dry_run: bool = False,
    consume_from: Path | None = None,
    limits: Limits | None = None,
    progress: Progress | None = None,
) -> list[FileResult]:
    """Ingest files and folders into ``home`` (a Home or its folder). Files under ``consume_from`` (the
    inbox) are removed once stored and recorded; other files are left where they are."""
    return ingest_receipts(
        receipts_for(collect_files(paths)),
        home,
        dry_run=dry_run,
        consume_from=consume_from,
        limits=limits,
        progress=progress,
    )


def ingest_receipts(
    receipts: list[Receipt],
    home: Home | Path,
    *,
    dry_run: bool = False,
    consume_from: Path | None = None,
    limits: Limits | None = None,
    archive: bool = True,
    progress: Progress | None = None,
) -> list[FileResult]:
    home = home if isinstance(home, Home) else Home(Path(home).resolve())
    limits = limits or Limits()
    warehouse = home.warehouse
    connection = connect(warehouse) if not dry_run else _read_only_or_none(warehouse)
    validation_process = archiving = None
    try:
        seen = known_hashes(connection) if connection else set()
        versions = latest_versions(connection) if connection else {}
        results: list[FileResult] = []
        fresh: list[Receipt] = []
        repeated: list[Receipt] = []
        for receipt in receipts:
            if receipt.sha256 in seen:
                repeated.append(receipt)
                _consume(receipt, consume_from, dry_run)
                continue
            seen.add(receipt.sha256)
            fresh.append(receipt)
        runner, validation_process = suite_runner_for(len(fresh))  # started first: see the module
        # The copies are written and fsynced (disk-bound) while the files are read (CPU-bound) where
        # they are; nothing is stored or taken out of the inbox before copies and ledger are on disk.
        archiving = ThreadPoolExecutor(1) if not dry_run and archive else None
        archived = archiving.submit(archive_batch, fresh, home.root) if archiving else None
        history = accepted_history(connection) if connection else {}
        for start in range(0, len(fresh), BATCH_FILES):
            batch = fresh[start : start + BATCH_FILES]
            stored, history = _check(
                batch,
                limits,
                versions,
                history,
                None if dry_run else home.quality,
                runner,
                _offset(progress, start, len(fresh)),
            )
            refuse_locked(stored, home)  # a month the office accepted takes no new version (ID09)
            results_now = [_result(s) for s in stored]
            if not dry_run:
                if archived is not None:
                    archived.result()
                store_submissions(connection, stored)
                _quarantine(stored, home)
                for result in results_now:
                    write_record(home, result)
                for receipt in batch:
                    _consume(receipt, consume_from, dry_run)
            results += results_now
        results += _repeats(repeated, results, home, connection)
    finally:
        if archiving is not None:
            archiving.shutdown()
        if validation_process is not None:
            validation_process.close()
        if connection is not None:
            connection.close()
    order = {r.sha256: i for i, r in enumerate(receipts)}
    return sorted(results, key=lambda r: order.get(r.sha256, 0))


def _repeats(repeated: list[Receipt], results: list[FileResult], home: Home, connection) -> list[FileResult]:
    """The answer to each file whose bytes were received before: from this run's result, the file's
    record, or (a file taken in before records existed) the raw tables; with the version that counts
    now for its unit and period (the warehouse's, or this run's on a dry run)."""
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
        answers.append(repeat_result(receipt, earlier, latest))
    return answers


def _offset(progress: Progress | None, start: int, total: int) -> Progress | None:
    """A batch's progress reported as progress over all files."""
    return None if progress is None else lambda done, _: progress(start + done, total)


def _read_only_or_none(warehouse: Path):
    if not warehouse.exists():
        return None
    return connect(warehouse, read_only=True)


def _consume(receipt: Receipt, inbox: Path | None, dry_run: bool) -> None:
    if dry_run or inbox is None:
        return
    try:
        receipt.path.resolve().relative_to(inbox.resolve())
    except ValueError:
        return
    receipt.path.unlink(missing_ok=True)


def history_for(reports: list[ParsedWorkbook], earlier: History) -> History:
    """Accepted values of earlier months: the warehouse's, overlaid with this batch's readable reports
    in the order received (a batch may hold a whole year, each month checked against the one before)."""
    history = dict(earlier)
    for report in reports:
        if report.kind == "monthly_report" and report.unit_code and report.period and not report.has_errors:
            history.update(
                {
                    (report.unit_code, report.period, i.indicator_code): i.value
                    for i in report.indicators
                    if i.value is not None
                }
            )
    return history


def _check(
    receipts: list[Receipt],
    limits: Limits,
    versions: dict,
    earlier: History,
    docs_dir: Path | None,
    runner: SuiteRunner,
    progress: Progress | None = None,
) -> tuple[list[StoredSubmission], History]:
    """Read every file in the sandbox, check identity and values, give each its status and version;
    also the history the next batch is checked against (``earlier`` with this batch's readable reports)."""
    outcomes = dict(
        zip(
            (r.sha256 for r in receipts),
            read_files([r.path for r in receipts], limits, progress=progress),
            strict=True,
        )
    )
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
    convert_running_totals(reports, earlier)  # here, not in the sandbox: it needs the accepted history
    history = history_for(reports, earlier)
    for report, found in zip(reports, validate_reports(reports, history, docs_dir, runner), strict=True):
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
    return stored, history


def _check_identity(report: ParsedWorkbook, receipt: Receipt) -> None:
    """The unit in the file must be the unit whose folder it came from; the period must agree with the
    file's name and not lie in the future. Macros in an .xlsm are never run (only cell values are read)."""
    if Path(receipt.file_name).suffix.lower() == ".xlsm":
        report.findings.append(finding("STR10"))
    if has_external_links(receipt.path):
        report.findings.append(finding("STR11"))
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
    if report.period and report.period > calendar.local_now().strftime("%Y-%m"):
        report.findings.append(finding("ID05", cell=cells.get("period"), field="period", value=report.period))


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


def _quarantine(stored: list[StoredSubmission], home: Home) -> None:
    """Rejected files: a copy under quarantine/ with a reasons file beside it (the archive keeps the original)."""
    for s in stored:
        if s.status != "rejected":
            continue
        folder = home.quarantine / (s.period or "未识别期间")
        folder.mkdir(parents=True, exist_ok=True)
        stem = f"{s.sha256[:12]}_{s.file_name}"
        shutil.copyfile(home.root / s.archive_path, folder / stem)
        reasons = {
            "file": s.file_name,
            "sha256": s.sha256,
            "unit_code": s.unit_code,
            "period": s.period,
            "version": s.version,
            "received_at": s.received_at,
            "findings": [f.as_dict() for f in s.findings if f.severity == "error"],
        }
        (folder / f"{stem}.原因.json").write_text(
            json.dumps(reasons, ensure_ascii=False, indent=2), encoding="utf-8"
        )


def findings_of(result: FileResult) -> list[Finding]:
    return [Finding(**f) for f in result.errors]


def archived_receipts(home: Home) -> list[Receipt]:
    """Every distinct file of the ledger, in the order first received, pointing at its archive copy."""
    receipts, seen = [], set()
    for record in read_ledger(home.archive):
        if record["sha256"] in seen:
            continue
        seen.add(record["sha256"])
        receipts.append(
            Receipt(
                path=home.root / record["archive_path"],
                file_name=record["file_name"],
                sha256=record["sha256"],
                size_bytes=record["size_bytes"],
                received_at=record["received_at"],
                filed_under=record["filed_under"],
            )
        )
    return receipts


def rebuild_raw(
    home: Home | Path, limits: Limits | None = None, progress: Progress | None = None
) -> list[FileResult]:
    """Recreate the raw tables from the archive and its ledger alone (the old file is kept aside)."""
    home = home if isinstance(home, Home) else Home(Path(home).resolve())
    warehouse = home.warehouse
    if warehouse.exists():
        stamp = calendar.local_now().strftime("%Y%m%d%H%M%S")
        warehouse.rename(warehouse.with_name(f"warehouse.{stamp}.replaced.duckdb"))
    return ingest_receipts(archived_receipts(home), home, limits=limits, archive=False, progress=progress)
