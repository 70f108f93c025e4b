"""How an .xlsx/.xlsm's sheets are laid out, for a copy of them: the number format of each cell that has
one, column widths, row heights, merged ranges and the frozen pane.

The readers give values only. The feedback workbook (``exports.feedback``) copies a county's sheets as
the county saw them, so it takes these from the sheet XML (``ingest.sheet_parts``) rather than opening
the file a second time with a library that builds an object per cell. The XML is scanned with regular
expressions, as ``cell_flags`` does: a ``<`` in XML always opens markup, so a tag found here is a tag
(or sits in a comment, where the worst it does is change how the copy looks). Sizes are bounded: the
parts by the precheck, and merged ranges here (``MAX_MERGED_CELLS``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from defusedxml.ElementTree import fromstring

from base.cell_address import column_letter, column_number, range_bounds
from ingest.sheet_parts import MAIN, SheetParts

GENERAL = "General"
MAX_MERGED_CELLS = 50_000  # cells a sheet's merged ranges may cover, in all; the rest are not merged
MAX_ROW, MAX_COLUMN = 1_048_576, 16_384  # a worksheet's size
MAX_SIZE = 10_000  # a width or height beyond this is not one (Excel's limits are 255 and 409)


@dataclass(frozen=True)
class SheetLayout:
    number_formats: dict[str, str] = field(default_factory=dict)  # address -> format code, not General
    column_widths: dict[int, float] = field(default_factory=dict)  # column (1-based) -> width
    row_heights: dict[int, float] = field(default_factory=dict)  # row (1-based) -> height in points
    merged: tuple[tuple[int, int, int, int], ...] = ()  # (min_col, min_row, max_col, max_row), disjoint
    frozen_at: str | None = None  # the top-left cell of the pane, e.g. 'B3'
    max_column: int = 0  # the last column with a cell in the XML, empty styled cells included


def sheet_layouts(parts: SheetParts | None) -> dict[str, SheetLayout]:
    """{sheet name: its layout}; empty for a file that is not an .xlsx/.xlsm (``parts`` None)."""
    if parts is None:
        return {}
    formats = _style_formats(parts.styles)
    return {name: _layout(data, formats) for name, data in parts.sheets.items()}


def _tags(name: bytes) -> re.Pattern[bytes]:
    """Start tags named ``name`` (with or without a namespace prefix); group 1 is the attributes."""
    return re.compile(rb"<(?:\w+:)?" + name + rb"\b([^>]*)>")


_ROW_OR_CELL = re.compile(rb"<(?:\w+:)?(row|c)\b([^>]*)>")
_COLUMN = _tags(b"col")
_MERGED = _tags(b"mergeCell")
_PANE = _tags(b"pane")
_ATTRIBUTE = {
    name: re.compile(rb"\b" + name.encode() + rb'="([^"]*)"')
    for name in ("r", "s", "ht", "min", "max", "width", "ref", "topLeftCell")
}
_ADDRESS = re.compile(r"([A-Z]{1,3})([0-9]+)")


def _attribute(attributes: bytes, name: str) -> str | None:
    found = _ATTRIBUTE[name].search(attributes)
    return found.group(1).decode(errors="replace") if found else None


def _number(text: str | None, limit: float) -> float | None:
    """The positive number ``text`` spells, up to ``limit``; None for anything else."""
    try:
        value = float(text) if text is not None else None
    except ValueError:
        return None
    return value if value is not None and 0 < value <= limit else None


def _layout(data: bytes, formats: dict[str, str]) -> SheetLayout:
    """One pass over the rows and cells in order, for number formats and row heights (a row or cell
    without its r="…" is the one after the last, as Excel reads it), then the rest."""
    number_formats: dict[str, str] = {}
    row_heights: dict[int, float] = {}
    row = column = max_column = 0
    for match in _ROW_OR_CELL.finditer(data):
        kind, attributes = match.groups()
        if kind == b"row":
            number = _number(_attribute(attributes, "r"), MAX_ROW)
            row, column = int(number) if number else row + 1, 0
            height = _number(_attribute(attributes, "ht"), MAX_SIZE)
            if height is not None and row <= MAX_ROW:  # a row counted past the last one is no row
                row_heights[row] = height
            continue
        address = _ADDRESS.fullmatch(_attribute(attributes, "r") or "")
        column = column_number(address.group(1)) if address else column + 1
        if column > MAX_COLUMN:
            continue  # past the sheet's last column: no cell of the copy
        max_column = max(max_column, column)
        code = formats.get(_attribute(attributes, "s") or "0", GENERAL) if formats else GENERAL
        if code != GENERAL:
            number_formats[address.group(0) if address else f"{column_letter(column)}{row}"] = code
    return SheetLayout(
        number_formats=number_formats,
        column_widths=_column_widths(data, max_column),
        row_heights=row_heights,
        merged=_merged(data),
        frozen_at=_frozen_at(data),
        max_column=max_column,
    )


def _column_widths(data: bytes, max_column: int) -> dict[int, float]:
    """Each column's width, for the columns up to the last one with a cell (a <col> may run to XFD);
    where two overlap (Excel writes none that do), the first. No more than ``MAX_COLUMN`` columns are
    looked at in all, however many <col> elements there are."""
    widths: dict[int, float] = {}
    budget = MAX_COLUMN
    for match in _COLUMN.finditer(data):
        attributes = match.group(1)
        width = _number(_attribute(attributes, "width"), MAX_SIZE)
        first = _number(_attribute(attributes, "min"), MAX_COLUMN)
        last = _number(_attribute(attributes, "max"), MAX_COLUMN) or first
        if width is None or first is None:
            continue
        columns = range(int(first), int(max(first, min(last, max_column))) + 1)
        budget -= len(columns)
        if budget < 0:
            break
        for column in columns:
            widths.setdefault(column, width)
    return widths


def _merged(data: bytes) -> tuple[tuple[int, int, int, int], ...]:
    """The merged ranges, those that overlap an earlier one left out (Excel would repair the file), and
    none beyond ``MAX_MERGED_CELLS`` covered cells."""
    covered: set[tuple[int, int]] = set()
    ranges = []
    for match in _MERGED.finditer(data):
        bounds = _range(_attribute(match.group(1), "ref") or "")
        if bounds is None:
            continue
        min_col, min_row, max_col, max_row = bounds
        area = (max_col - min_col + 1) * (max_row - min_row + 1)
        if area < 2 or len(covered) + area > MAX_MERGED_CELLS:
            continue
        cells = {(r, c) for r in range(min_row, max_row + 1) for c in range(min_col, max_col + 1)}
        if cells & covered:
            continue
        covered |= cells
        ranges.append(bounds)
    return tuple(ranges)


def _frozen_at(data: bytes) -> str | None:
    pane = _PANE.search(data)
    cell = _attribute(pane.group(1), "topLeftCell") if pane else None
    return cell if cell and _ADDRESS.fullmatch(cell) and cell != "A1" else None


def _range(ref: str) -> tuple[int, int, int, int] | None:
    """'B2:D3' as (2, 2, 4, 3); None for anything else (a whole row or column, a cell past the sheet)."""
    try:
        first_col, first_row, last_col, last_row = range_bounds(ref)
    except ValueError:
        return None
    if not (0 < first_col <= last_col <= MAX_COLUMN and 0 < first_row <= last_row <= MAX_ROW):
        return None
    return first_col, first_row, last_col, last_row


def _style_formats(data: bytes) -> dict[str, str]:
    """{cell style index as in s="…": its number format code}, for the styles whose format is not
    General: a format the workbook declares, else Excel's built-in one of that id (as openpyxl reads)."""
    if not data:
        return {}
    try:
        root = fromstring(data)
    except SyntaxError:
        return {}
    # Imported here: only the feedback's copy asks for layouts, and it has openpyxl loaded already; the
    # reader workers start faster without it (base.cell_address).
    from openpyxl.styles.numbers import BUILTIN_FORMATS

    declared = {
        number_format.get("numFmtId"): number_format.get("formatCode", GENERAL)
        for number_format in root.iter(f"{MAIN}numFmt")
    }
    cell_styles = root.find(f"{MAIN}cellXfs")
    if cell_styles is None:
        return {}
    formats = {}
    for index, style in enumerate(cell_styles.iter(f"{MAIN}xf")):
        format_id = style.get("numFmtId", "0")
        code = declared.get(format_id)
        if code is None:
            code = BUILTIN_FORMATS.get(int(format_id), GENERAL) if format_id.isdigit() else GENERAL
        if code != GENERAL:
            formats[str(index)] = code
    return formats
