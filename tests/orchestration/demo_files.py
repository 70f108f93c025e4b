"""Single demo workbooks for the tests: one unit's report for one month, as the demo writes it."""

import os
from dataclasses import replace
from functools import cache
from pathlib import Path

from base import catalogue
from exports.template import write_submission_workbook
from sampledata.demo import DemoFile, demo_figures


@cache
def demo_files() -> tuple[DemoFile, ...]:
    return demo_figures().files


def demo_file(unit_code: str, period: str, index: int = 0) -> DemoFile:
    """The ``index``-th file the unit sent for the month (赫章县 2022-05: 0 rejected, 1 corrected)."""
    return [f for f in demo_files() if f.unit_code == unit_code and f.period == period][index]


def write_demo_file(folder: Path, item: DemoFile, name: str | None = None, **changes) -> Path:
    """Write ``item`` (with ``changes`` to its fields) under ``folder``, its mtime when it was received."""
    item = replace(item, **changes) if changes else item
    path = folder / (name or Path(item.relpath).name)
    write_submission_workbook(
        path,
        catalogue.unit_by_code()[item.unit_code],
        item.period,
        values=item.values,
        last_year=item.last_year,
        remarks=item.remarks,
        townships=item.townships,
        info=item.info,
    )
    os.utime(path, (item.mtime, item.mtime))
    return path
