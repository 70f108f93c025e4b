"""Reading a workbook's cells with python-calamine: every sheet as a grid of values from A1.

This is the only place that reads a county's file, with ``ingest.sheet_parts``, which it calls once per
file for the XML behind the values (``cell_flags``, ``cell_formats``), the list of its parts and, for the
feedback workbook's copy of the sheets, their layout (``sheet_layout``). It runs inside a sandboxed worker
process (see ``ingest.sandbox``, ``orchestration.intake``) because a hostile file can hang or abort the
reader.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from base.catalogue import fold_label
from ingest.cell_flags import flagged_cells
from ingest.cell_formats import percent_cells
from ingest.sheet_layout import SheetLayout, sheet_layouts
from ingest.sheet_parts import read_sheet_parts

Grid = list[list[object]]


@dataclass(frozen=True)
class Sheet:
    name: str
    visible: bool
    rows: Grid  # rows[r][c] is the cell at row r+1, column c+1; '' for empty
    flagged: dict[str, str] = field(default_factory=dict)  # address -> why its value is hidden (cell_flags)
    percent: frozenset[str] = frozenset()  # addresses of cells shown as a percentage (cell_formats)
    layout: SheetLayout | None = None  # formats, widths, merges…, when asked for (sheet_layout)


@dataclass(frozen=True)
class Workbook:
    sheets: list[Sheet]  # the worksheets, in workbook order
    external_links: bool = False  # cells copy values from other workbooks: the values read are those
    # cached when the file was saved (sheet_parts)


def read_sheets(path: str | Path, only: tuple[str, ...] | None = None) -> list[Sheet]:
    """The worksheets of the workbook at ``path``, in workbook order: all of them, or (``only``) those
    whose name contains one of the given names (compared folded, as ``parse.find_sheet`` does)."""
    return read_workbook(path, only).sheets


def read_workbook(path: str | Path, only: tuple[str, ...] | None = None, *, layout: bool = False) -> Workbook:
    """The worksheets of the workbook at ``path`` (``read_sheets``), and whether it has external links;
    with ``layout``, each sheet's layout too (for a copy of it; None for a file that is not .xlsx/.xlsm)."""
    calamine = CalamineWorkbook.from_path(str(path))
    parts = read_sheet_parts(Path(path))
    flagged = flagged_cells(parts)
    percent = percent_cells(parts) if only is None else {}  # formats matter to values only
    layouts = sheet_layouts(parts) if layout else {}
    external_links = parts is not None and parts.external_links
    del parts  # the XML goes before the grids are built: a large workbook does not hold both at once
    wanted = None if only is None else [fold_label(name) for name in only]
    sheets = []
    for meta in calamine.sheets_metadata:
        if meta.typ != SheetTypeEnum.WorkSheet:
            continue
        if wanted is not None and not any(name in fold_label(meta.name) for name in wanted):
            continue
        rows = calamine.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
        visible = meta.visible == SheetVisibleEnum.Visible
        sheets.append(
            Sheet(
                meta.name,
                visible,
                rows,
                flagged.get(meta.name, {}),
                percent.get(meta.name, frozenset()),
                layouts.get(meta.name),
            )
        )
    return Workbook(sheets, external_links)
