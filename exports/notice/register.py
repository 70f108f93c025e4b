"""The office's register of issued notices (发文登记), kept in the home: where 发文字号 come from.

A 发文字号 is ``<机关代字>〔<year>〕<n>号``; n counts up from 1 for each 机关代字 and year, and a number is
never reused and never skipped. The register is one JSON file, rewritten whole through a temporary file
and ``os.replace`` (a crash leaves the old register or the new one, never half of one), under an
exclusive lock, so the command line and the portal cannot take the same number. A number is taken only
by ``commit``, after its document was written: a run that fails before that leaves the next number free.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from base.files import write_text_replacing

REGISTER_FILE = "发文登记.json"
LOCK_FILE = ".发文登记.lock"


def document_number(code: str, year: int, sequence: int) -> str:
    """毕综治办〔2023〕3号: the year in 〔〕, the sequence without leading zeros, no 第."""
    return f"{code}〔{year}〕{sequence}号"


@dataclass(frozen=True)
class Issued:
    """One issued notice, as the register keeps it."""

    number: str  # 毕综治办〔2023〕3号
    code: str  # 毕综治办
    year: int
    sequence: int
    period: str  # the bulletin's period key, 2022-12
    title: str
    issued_on: str  # 成文日期, ISO date
    corrects: str | None  # the number of the notice this one corrects
    docx: str  # file names, beside the workbook in <home>/reports/<period>/
    docx_sha256: str
    pdf: str | None
    pdf_sha256: str | None
    workbook: str
    workbook_sha256: str
    manifest: str


class Register:
    """The register in ``folder`` (created on first commit)."""

    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder)
        self.path = self.folder / REGISTER_FILE

    def entries(self) -> list[Issued]:
        if not self.path.is_file():
            return []
        data = json.loads(self.path.read_text(encoding="utf-8"))
        return [Issued(**entry) for entry in data["issued"]]

    def of_period(self, period: str) -> list[Issued]:
        """The period's notices, earliest first."""
        return [entry for entry in self.entries() if entry.period == period]

    def next_sequence(self, code: str, year: int) -> int:
        taken = [e.sequence for e in self.entries() if e.code == code and e.year == year]
        return max(taken, default=0) + 1

    @contextlib.contextmanager
    def locked(self) -> Iterator[Register]:
        """Hold the register exclusively (other processes wait) while a number is chosen and taken."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / LOCK_FILE, "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield self
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def commit(self, entry: Issued) -> None:
        """Take ``entry``'s number: the register is replaced in one step (call inside ``locked``)."""
        entries = self.entries()
        if any(e.number == entry.number for e in entries):
            raise ValueError(f"发文字号 {entry.number} 已经使用过，不能重复 / number already taken")
        expected = self.next_sequence(entry.code, entry.year)
        if entry.sequence != expected:
            raise ValueError(f"发文字号应为第 {expected} 号，不能跳号 / sequence must be {expected}")
        payload = {"issued": [asdict(e) for e in [*entries, entry]]}
        write_text_replacing(
            self.path, json.dumps(payload, ensure_ascii=False, indent=2) + "\n", durable=True
        )
