"""The ranking bulletin (排名通报) and per-unit extracts, written from the marts of a DuckDB warehouse.

    write_bulletin(warehouse, "2022-12", out_dir, as_of=...)   -> BulletinResult
    write_unit_extract(warehouse, "2022-12", "522422", out_dir) -> Path
    publish_bulletin(warehouse, "2022-12", out_dir)            -> original, unchanged, or a numbered 更正

The warehouse is opened read-only and closed before anything is written. The same warehouse and the
same ``as_of`` always give the same cells; ``as_of`` defaults to now (the office's time zone). The
issuing office and the prefecture are those of scoring_settings.csv (office_name, prefecture) unless given.
Beside each workbook its tables as they display (``tables``: what the portal's leaders' page shows).
When LibreOffice is installed the PDF is written beside each workbook (same stem, ``pdf=False`` skips
it; about 3 s each); a LibreOffice failure raises ``PdfError`` after the workbook is written.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

from base import catalogue
from base.approvals import ApprovalRecord
from base.calendar import Period, local_time, parse_period
from base.collection import builds_many_objects
from base.files import replacing
from exports import styles as st
from exports.bulletin import records, sheets
from exports.bulletin.attainment import write_attainment
from exports.bulletin.data import BulletinData, read_bulletin_data
from exports.bulletin.extract import write_extract_sheets
from exports.bulletin.format import prefecture_title
from exports.bulletin.manifest import (
    MANIFEST_SUFFIX,
    build_manifest,
    read_manifest,
    same_inputs,
    submission_changes,
    unit_moves,
    write_manifest,
)
from exports.bulletin.pdf import to_pdf
from exports.bulletin.tables import write_tables
from exports.xlsx_file import discard_cells, save_workbook_file

BULLETIN_STEM = "社会治安综合治理考评排名通报"
EXTRACT_STEM = "社会治安综合治理考评情况"
CORRECTION_MARK = "更正"


@dataclass(frozen=True)
class BulletinResult:
    path: Path
    manifest_path: Path
    period: str
    period_type: str
    units_ranked: int
    correction: int | None = None  # 更正 number; None for the original bulletin
    reused: bool = False  # publish_bulletin found a published bulletin built from the same inputs
    pdf_path: Path | None = None  # the PDF beside the workbook; None without LibreOffice (or pdf=False)
    scored: bool = True  # False: the year's targets are not loaded, no composite score (BulletinData.scored)


@dataclass(frozen=True)
class _Correction:
    number: int
    previous: dict
    changes: list
    moves: list


def _issuer(issued_by: str | None, prefecture: str | None) -> tuple[str, str]:
    """(issuing office, prefecture): as given, else as scoring_settings.csv names them."""
    return issued_by or catalogue.office_name(), prefecture or catalogue.prefecture()


def bulletin_stem(period: Period, correction: int | None = None) -> str:
    stem = f"{BULLETIN_STEM}_{period.label}"
    return f"{stem}_{CORRECTION_MARK}{correction}" if correction else stem


@builds_many_objects
def write_bulletin(
    warehouse_path: str | os.PathLike,
    period: str,
    out_dir: str | os.PathLike,
    *,
    as_of: datetime | str | None = None,
    issued_by: str | None = None,
    prefecture: str | None = None,
    pdf: bool = True,
    approvals: ApprovalRecord | None = None,
) -> BulletinResult:
    """Write ``<out_dir>/社会治安综合治理考评排名通报_<period label>.xlsx``, its manifest JSON and its PDF
    (``approvals``: the county portal's approval steps, for the manifest and 填报情况)."""
    data = replace(read_bulletin_data(warehouse_path, period), approvals=approvals)
    result = _write(data, Path(out_dir), local_time(as_of), *_issuer(issued_by, prefecture))
    return _with_pdf(result) if pdf else result


@builds_many_objects
def publish_bulletin(
    warehouse_path: str | os.PathLike,
    period: str,
    out_dir: str | os.PathLike,
    *,
    as_of: datetime | str | None = None,
    issued_by: str | None = None,
    prefecture: str | None = None,
    pdf: bool = True,
    approvals: ApprovalRecord | None = None,
) -> BulletinResult:
    """Publish the period's bulletin, or a numbered correction (更正) when its inputs changed since.

    No earlier bulletin in ``out_dir``: write the original. The latest published one was built from the
    same submissions, targets and rules: return it unchanged (``reused``). Otherwise write
    ``..._更正<n>.xlsx`` with a 更正说明 sheet listing which reports changed and who moved, and keep
    every earlier file. With ``pdf``, the PDF of the returned workbook is written when missing.
    A year whose targets workbook is not loaded yet is published without scores (``BulletinData.scored``);
    when the targets arrive the inputs have changed, so the next publish is a numbered 更正 with scores.
    """
    result = _publish(warehouse_path, period, out_dir, as_of, issued_by, prefecture, approvals)
    return _with_pdf(result) if pdf else result


def _publish(warehouse_path, period, out_dir, as_of, issued_by, prefecture, approvals) -> BulletinResult:
    data = replace(read_bulletin_data(warehouse_path, period), approvals=approvals)
    out, moment = Path(out_dir), local_time(as_of)
    issued_by, prefecture = _issuer(issued_by, prefecture)
    published = published_bulletins(out, data.period)
    if not published:
        return _write(data, out, moment, issued_by, prefecture)
    number, manifest_path = published[-1]
    previous = read_manifest(manifest_path)
    fresh = build_manifest(
        data, document=BULLETIN_STEM, file_name="", as_of=moment, prefecture=prefecture, issued_by=issued_by
    )
    if same_inputs(previous, fresh):
        return BulletinResult(
            manifest_path.parent / previous["file"],
            manifest_path,
            data.period.key,
            data.period.period_type,
            data.units_ranked,
            number or None,
            reused=True,
            scored=data.scored,
        )
    changes = submission_changes(previous, fresh)
    correction = _Correction(number + 1, previous, changes, unit_moves(previous, fresh, changes))
    return _write(data, out, moment, issued_by, prefecture, correction)


def _with_pdf(result: BulletinResult) -> BulletinResult:
    """The result with its PDF: converted now, or the one already beside a reused workbook."""
    existing = result.path.with_suffix(".pdf")
    if result.reused and existing.is_file():
        return replace(result, pdf_path=existing)
    return replace(result, pdf_path=to_pdf(result.path))


def published_bulletins(out_dir: Path, period: Period) -> list[tuple[int, Path]]:
    """(correction number, manifest path) of the bulletins already in ``out_dir``; 0 is the original."""
    stem = bulletin_stem(period)
    pattern = re.compile(rf"^{re.escape(stem)}(?:_{CORRECTION_MARK}(\d+))?{re.escape(MANIFEST_SUFFIX)}$")
    found = []
    for path in out_dir.glob(f"{stem}*{MANIFEST_SUFFIX}") if out_dir.is_dir() else ():
        if m := pattern.match(path.name):
            found.append((int(m[1] or 0), path))
    return sorted(found)


def _new_workbook() -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    st.set_default_font(wb)
    st.add_bulletin_styles(wb)
    return wb


def _save(wb: Workbook, path: Path, as_of: datetime, title: str, issued_by: str) -> None:
    """Write ``wb`` to ``path`` whole or not at all; its cells are let go of after (``discard_cells``),
    as nothing reads a workbook once it is saved."""
    wb.properties.title = title
    wb.properties.creator = issued_by
    wb.properties.created = as_of
    wb.active = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with replacing(path) as partial:
        save_workbook_file(wb, partial)
    discard_cells(wb)


def _write(
    data: BulletinData,
    out_dir: Path,
    as_of: datetime,
    issued_by: str,
    prefecture: str,
    correction: _Correction | None = None,
) -> BulletinResult:
    number = correction.number if correction else None
    stem = bulletin_stem(data.period, number)
    path, manifest_path = out_dir / f"{stem}.xlsx", out_dir / f"{stem}{MANIFEST_SUFFIX}"
    title = f"{prefecture_title(prefecture)}{BULLETIN_STEM}" + (
        f"（{CORRECTION_MARK}{number}）" if number else ""
    )
    manifest = build_manifest(
        data,
        document=BULLETIN_STEM,
        file_name=path.name,
        as_of=as_of,
        prefecture=prefecture,
        issued_by=issued_by,
        correction={"number": number, "corrects": correction.previous["file"]} if correction else None,
    )
    mh = sheets.Masthead(title, issued_by, as_of, data.period.label)
    wb = _new_workbook()
    if correction:
        records.write_correction(
            wb, mh, number, correction.previous, correction.changes, correction.moves, manifest
        )
    sheets.write_ranking(wb, data, mh)  # without targets: says so, instead of a ranking
    if data.scored:
        write_attainment(wb, data, mh)
    sheets.write_indicator_rankings(wb, data, mh)
    records.write_submissions(wb, data, mh)
    records.write_quality(wb, data, mh)
    if data.scored:
        sheets.write_trend(wb, data, mh)
    records.write_notes(wb, data, mh, manifest)
    records.write_manifest_sheet(wb, manifest)
    _save(wb, path, as_of, title, issued_by)
    write_tables(path, data)
    write_manifest(manifest_path, manifest)
    return BulletinResult(
        path,
        manifest_path,
        data.period.key,
        data.period.period_type,
        data.units_ranked,
        number,
        scored=data.scored,
    )


def _unit(data: BulletinData, unit: str) -> dict:
    by_code = {u["unit_code"]: u for u in data.units}
    if unit in by_code:
        return by_code[unit]
    for u in data.units:
        if unit in (u["unit_name"], u["short_name"]):
            return u
    known = catalogue.resolve_unit(unit)
    if known is not None and known.code in by_code:
        return by_code[known.code]
    raise ValueError(f"数据仓库中没有单位“{unit}” / unknown unit: {unit!r}")


def write_unit_extract(
    warehouse_path: str | os.PathLike,
    period: str,
    unit_code: str,
    out_dir: str | os.PathLike,
    *,
    as_of: datetime | str | None = None,
    issued_by: str | None = None,
    prefecture: str | None = None,
    pdf: bool = True,
) -> Path:
    """Write one unit's extract (``unit_code`` may also be a name or alias) and return its path; the PDF
    goes beside it (same stem) when LibreOffice is installed and ``pdf`` is true."""
    data = read_bulletin_data(warehouse_path, parse_period(period))
    unit = _unit(data, str(unit_code).strip())
    issued_by, prefecture = _issuer(issued_by, prefecture)
    moment = local_time(as_of)
    title = f"{prefecture_title(prefecture)}{EXTRACT_STEM}"
    name = re.sub(r'[\\/:*?"<>|]', "_", unit["unit_name"])
    path = Path(out_dir) / f"{EXTRACT_STEM}_{name}_{data.period.label}.xlsx"
    wb = _new_workbook()
    write_extract_sheets(
        wb,
        data.for_unit(unit["unit_code"]),
        unit,
        sheets.Masthead(title, issued_by, moment, data.period.label),
    )
    _save(wb, path, moment, f"{title}（{unit['unit_name']}）", issued_by)
    if pdf:
        to_pdf(path)
    return path
