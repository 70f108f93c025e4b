"""Reading county workbooks in the sandbox (``base.sandbox``): the reading tasks and their answers.

Two tasks run in the workers, never in the calling process:

- ``precheck_read_and_parse``: the cheap checks on the bytes (``ingest.precheck``), then every sheet read
  with calamine and the tables found (``ingest.parse``): what intake needs;
- ``identify``: only the 基本信息 sheet, for the unit, kind and period of a file (what the inbox sensor
  needs to attribute a file and know which bulletins it touches), at a fraction of a full read.

A file the worker could not read, or that passed its time or memory budget, gets a Chinese reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from base.sandbox import Failure, Progress, prepare, run_sandboxed
from base.settings import Limits
from ingest.parse import Identity, ParsedWorkbook


@dataclass
class ReadOutcome:
    parsed: ParsedWorkbook | None
    failure: str | None  # Chinese reason when the file could not be read


def read_and_parse(path: str) -> ParsedWorkbook:
    """Runs inside a worker: read every sheet with calamine and find the tables; a workbook whose cells
    copy values from other workbooks is noted (STR11)."""
    from base.rules import finding
    from ingest.parse import parse_workbook
    from ingest.read import read_workbook

    workbook = read_workbook(path)
    parsed = parse_workbook(workbook.sheets)
    if workbook.external_links:
        parsed.findings.append(finding("STR11"))
    return parsed


def precheck_read_and_parse(path: str, limits: Limits | None) -> ReadOutcome:
    """Runs inside a worker: the cheap checks on the bytes (when ``limits`` are given), then, for a file
    they pass, ``read_and_parse``. The checks run in the workers so that they share the cores with the
    reading instead of running one file at a time before it."""
    from ingest.precheck import precheck

    refused = precheck(Path(path), limits) if limits is not None else None
    if refused:
        return ReadOutcome(None, refused)
    return ReadOutcome(read_and_parse(path), None)


def identify(path: str, limits: Limits) -> Identity:
    """Runs inside a worker: kind, unit and period from the 基本信息 sheet only (after the precheck)."""
    from ingest.parse import identify_workbook
    from ingest.precheck import precheck
    from ingest.read import read_sheets

    if precheck(Path(path), limits):
        return Identity(None, None, None)
    return identify_workbook(read_sheets(path, only=identify_sheet_names()))


def identify_sheet_names() -> tuple[str, ...]:
    from base import layout

    return (layout.INFO_SHEET, layout.TARGETS_SHEET, layout.INDICATOR_SHEET)


def describe_read_error(failure: Failure, limits: Limits) -> str:
    """A worker's failure to read a file, in words for the county."""
    if failure.kind == "timeout":
        return f"读取超时（超过 {limits.read_seconds:g} 秒），疑似异常文件，已拒收"
    if failure.kind == "crashed":
        return "读取进程异常终止（文件可能已损坏或为恶意构造），已拒收"
    text = failure.message
    lowered = text.lower()
    if "password" in lowered or "encrypt" in lowered or "cfb" in lowered and "xlsx" in lowered:
        return "文件设置了打开密码或已加密，无法读取"
    if failure.error_type == "MemoryError" or "memerror" in lowered or "memory" in lowered:
        return "读取时内存超出上限，疑似异常文件，已拒收"
    if failure.error_type == "PanicException":
        return "工作簿结构异常，读取程序无法处理（文件可能已损坏或为恶意构造）"
    if "zip" in lowered or "archive" in lowered or "xml" in lowered or "eof" in lowered:
        return f"工作簿文件已损坏或格式不正确（{text[:120]}）"
    return f"无法读取工作簿（{failure.error_type}: {text[:120]}）"


READ_TASK = "ingest.sandbox:precheck_read_and_parse"


def prepare_reader(limits: Limits) -> None:
    """Have the next ``read_files`` of one file start at once (``base.sandbox.prepare``)."""
    prepare(READ_TASK, limits.read_memory_bytes)


def read_files(
    paths: list[Path],
    limits: Limits,
    workers: int | None = None,
    progress: Progress | None = None,
    *,
    precheck: bool = True,
) -> list[ReadOutcome]:
    """Precheck (unless ``precheck`` is False), read and parse every file; the result list is in the order
    of ``paths``. A refused or unreadable file's outcome carries the reason."""
    calls = [{"path": str(p), "limits": limits if precheck else None} for p in paths]
    outcomes = run_sandboxed(
        READ_TASK,
        calls,
        seconds=limits.read_seconds,
        memory_bytes=limits.read_memory_bytes,
        workers=workers,
        progress=progress,
    )
    return [
        o.value if o.failure is None else ReadOutcome(None, describe_read_error(o.failure, limits))
        for o in outcomes
    ]


def identify_files(paths: list[Path], limits: Limits) -> list[Identity]:
    """What each file says it is (kind, unit, period); all None for a file that cannot be read."""
    calls = [{"path": str(p), "limits": limits} for p in paths]
    outcomes = run_sandboxed(
        "ingest.sandbox:identify", calls, seconds=limits.read_seconds, memory_bytes=limits.read_memory_bytes
    )
    return [o.value if o.failure is None else Identity(None, None, None) for o in outcomes]
