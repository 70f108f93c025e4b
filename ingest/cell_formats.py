"""Cells shown as a percentage: where 0.95 is what the county saw as 95%.

Typing "95%" into a cell in Excel or WPS stores 0.95 and gives the cell a percentage format; typing 0.95
stores the same number with none. Both readers return only the number, so the format is looked up
here, for .xlsx/.xlsm, in the workbook's styles and the sheet XML: a fraction in such a cell is a
percentage as typed, not a conversion to report (``parse.read_number``). Other formats say nothing here:
there, every fraction where a percentage is due is reported as converted.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from defusedxml.ElementTree import parse

from ingest.cell_flags import MAIN, sheet_members

PERCENT_FORMAT_IDS = {"9", "10"}  # Excel's built-in 0% and 0.00%

_CELL_START = re.compile(rb"<(?:\w+:)?c\b([^>]*?)/?>")
_ADDRESS = re.compile(rb'\br="([A-Z]+[0-9]+)"')
_STYLE = re.compile(rb'\bs="([0-9]+)"')
_QUOTED = re.compile(r'"[^"]*"|\\.')


def percent_cells(path: Path) -> dict[str, frozenset[str]]:
    """{sheet name: addresses of cells whose number format shows a percentage}."""
    if path.suffix.lower() not in {".xlsx", ".xlsm"} or not zipfile.is_zipfile(path):
        return {}
    with zipfile.ZipFile(path) as archive:
        styles = _percent_styles(archive)
        if not styles:
            return {}
        found = {}
        for name, member in sheet_members(archive).items():
            cells = _scan(archive, member, styles)
            if cells:
                found[name] = cells
    return found


def _percent_styles(archive: zipfile.ZipFile) -> set[bytes]:
    """Indexes (as they appear in s="…") of the cell styles whose number format shows a percentage."""
    try:
        root = parse(archive.open("xl/styles.xml")).getroot()
    except (KeyError, SyntaxError):
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


def _scan(archive: zipfile.ZipFile, member: str, styles: set[bytes]) -> frozenset[str]:
    try:
        data = archive.read(member)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError):
        return frozenset()
    if not any(b's="' + style + b'"' in data for style in styles):
        return frozenset()
    cells = set()
    for match in _CELL_START.finditer(data):
        style, where = _STYLE.search(match.group(1)), _ADDRESS.search(match.group(1))
        if style and where and style.group(1) in styles:
            cells.add(where.group(1).decode())
    return frozenset(cells)
