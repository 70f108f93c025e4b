"""Cells shown as a percentage: where 0.95 is what the county saw as 95%.

Typing "95%" into a cell in Excel or WPS stores 0.95 and gives the cell a percentage format; typing 0.95
stores the same number with none. Both readers return only the number, so the format is looked up
here, for .xlsx/.xlsm, in the workbook's styles and the sheet XML: a fraction in such a cell is a
percentage as typed, not a conversion to report (``parse.read_number``). Other formats say nothing here:
there, every fraction where a percentage is due is reported as converted.
"""

from __future__ import annotations

import re

from defusedxml.ElementTree import fromstring

from ingest.sheet_parts import MAIN, SheetParts

PERCENT_FORMAT_IDS = {"9", "10"}  # Excel's built-in 0% and 0.00%

_CELL_START = re.compile(rb"<(?:\w+:)?c\b([^>]*?)/?>")
_ADDRESS = re.compile(rb'\br="([A-Z]+[0-9]+)"')
_STYLE = re.compile(rb'\bs="([0-9]+)"')
_QUOTED = re.compile(r'"[^"]*"|\\.')
# What a styles part that declares a percentage format holds somewhere: a built-in percentage format by
# its id, a % in a format code, or a character reference (which could spell either); or NUL bytes, where
# the part is in UTF-16 and these searches say nothing.
_MAYBE_PERCENT = re.compile(rb"%|&#|\x00|numFmtId\s*=\s*[\"'](?:9|10)[\"']")


def percent_cells(parts: SheetParts | None) -> dict[str, frozenset[str]]:
    """{sheet name: addresses of cells whose number format shows a percentage}."""
    if parts is None:
        return {}
    styles = _percent_styles(parts.styles)
    if not styles:
        return {}
    found = {name: _scan(data, styles) for name, data in parts.sheets.items()}
    return {name: cells for name, cells in found.items() if cells}


def _percent_styles(data: bytes) -> set[bytes]:
    """Indexes (as they appear in s="…") of the cell styles whose number format shows a percentage.
    Most workbooks have none, which a byte search says without parsing the styles."""
    if not _MAYBE_PERCENT.search(data):
        return set()
    try:
        root = fromstring(data)
    except SyntaxError:
        return set()
    percent_ids = set(PERCENT_FORMAT_IDS)
    for number_format in root.iter(f"{MAIN}numFmt"):
        if "%" in _QUOTED.sub("", number_format.get("formatCode", "")):
            percent_ids.add(number_format.get("numFmtId"))
    cell_styles = root.find(f"{MAIN}cellXfs")
    if cell_styles is None:
        return set()
    return {
        str(index).encode()
        for index, style in enumerate(cell_styles.iter(f"{MAIN}xf"))
        if style.get("numFmtId", "0") in percent_ids
    }


def _scan(data: bytes, styles: set[bytes]) -> frozenset[str]:
    if not any(b's="' + style + b'"' in data for style in styles):
        return frozenset()
    cells = set()
    for match in _CELL_START.finditer(data):
        style, where = _STYLE.search(match.group(1)), _ADDRESS.search(match.group(1))
        if style and where and style.group(1) in styles:
            cells.add(where.group(1).decode())
    return frozenset(cells)
