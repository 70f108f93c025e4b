"""Cells whose value the readers hide: formulas saved without a cached result, and error values.

Both readers return an empty value for a formula that was never calculated (a workbook written by a
program rather than saved from Excel or WPS) and python-calamine returns '' for ``#DIV/0!``; either
way a number would silently become "not reported". For .xlsx/.xlsm this scans the sheet XML for such
cells so the reader can name them. Other formats keep what the reader gives.
"""

from __future__ import annotations

import re

from ingest.sheet_parts import SheetParts

FORMULA_WITHOUT_VALUE = "formula_without_value"


def flagged_cells(parts: SheetParts | None) -> dict[str, dict[str, str]]:
    """{sheet name: {address: FORMULA_WITHOUT_VALUE or the error text such as '#DIV/0!'}}."""
    if parts is None:
        return {}
    flagged = {name: _scan(data) for name, data in parts.sheets.items()}
    return {name: cells for name, cells in flagged.items() if cells}


_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_ADDRESS = re.compile(rb'\br="([A-Z]+[0-9]+)"')
_ERROR_TYPE = re.compile(rb'\bt="e"')
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]+)<")
# A formula is an <f> element (<x:f> with a namespace prefix): its tag is "<f" or ":f" followed by one of
# these. Finding those few bytes (and t="e" for an error value) rules out most sheets at once, without
# the regular expressions; <formula1> of a data validation is not a formula cell.
_TAG_ENDS = frozenset(b">/ \t\n\r")


def _maybe_formula_or_error(data: bytes) -> bool:
    if b't="e"' in data:
        return True
    for start in (b"<f", b":f"):
        at = data.find(start)
        while at != -1:
            if at + 2 < len(data) and data[at + 2] in _TAG_ENDS:
                return True
            at = data.find(start, at + 2)
    return False


def _scan(data: bytes) -> dict[str, str]:
    """Formula cells without a cached value and error cells, found in the sheet XML's bytes.

    Most sheets have neither, and a byte search says so without parsing; the rest are matched cell by
    cell with regular expressions (the part's size is bounded by the precheck)."""
    if not _maybe_formula_or_error(data):
        return {}
    cells: dict[str, str] = {}
    for match in _CELL.finditer(data):
        attributes, body = match.group(1), match.group(2) or b""
        address = _ADDRESS.search(attributes)
        if address is None:
            continue
        value = _VALUE.search(body)
        if _ERROR_TYPE.search(attributes):
            cells[address.group(1).decode()] = value.group(1).decode(errors="replace") if value else "#错误"
        elif _FORMULA.search(body) and value is None:
            cells[address.group(1).decode()] = FORMULA_WITHOUT_VALUE
    return cells
