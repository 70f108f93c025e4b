"""The bulletins published in a home, as leaders may see them: nothing else.

A period is published when its folder under ``<home>/reports/`` holds a bulletin with its manifest
(``exports.bulletin.published_bulletins``: the original and its numbered 更正). Leaders see the latest of
each period: its tables as the workbook shows them (``exports.bulletin.tables``, written with it), the
workbook and its PDF. Everything is found from the period key alone, checked against the period
syntax first, so no text from a request ever becomes part of a path; a period without a published
bulletin is unknown (404), whatever the warehouse holds for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from base import calendar
from base.settings import Home
from exports.bulletin import published_bulletins
from exports.bulletin.manifest import read_manifest
from exports.bulletin.tables import read_tables


@dataclass(frozen=True)
class PublishedBulletin:
    period: calendar.Period
    workbook: Path
    pdf: Path | None
    manifest: dict
    correction: int | None  # 更正 number; None for the original

    @property
    def published_at(self) -> str:
        return str(self.manifest.get("as_of") or "").replace("T", " ")[:16]

    def tables(self) -> dict | None:
        return read_tables(self.workbook)


def published(home: Home, period_key: str) -> PublishedBulletin | None:
    """The latest bulletin published for ``period_key``, or None (not a period, or not published)."""
    try:
        period = calendar.parse_period(period_key)
    except ValueError:
        return None
    found = published_bulletins(home.reports / period.key, period)
    if not found:
        return None
    number, manifest_path = found[-1]
    manifest = read_manifest(manifest_path)
    workbook = manifest_path.parent / Path(manifest["file"]).name
    if not workbook.is_file():
        return None
    pdf = workbook.with_suffix(".pdf")
    return PublishedBulletin(period, workbook, pdf if pdf.is_file() else None, manifest, number or None)


def all_published(home: Home) -> list[PublishedBulletin]:
    """Every published period, newest first (a year before its quarters and months)."""
    folders = sorted(home.reports.iterdir()) if home.reports.is_dir() else []
    found = [published(home, folder.name) for folder in folders if folder.is_dir()]
    order = {"year": 0, "quarter": 1, "month": 2}
    return sorted(
        (b for b in found if b is not None),
        key=lambda b: (b.period.year, b.period.last_month, -order[b.period.period_type]),
        reverse=True,
    )
