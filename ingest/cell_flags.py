"""Cells whose value the readers hide: formulas saved without a cached result, and error values.

Both readers return an empty value for a formula that was never calculated (a workbook written by a
program rather than saved from Excel or WPS) and python-calamine returns '' for ``#DIV/0!``; either
way a number would silently become "not reported". For .xlsx/.xlsm this scans the sheet XML for such
cells so the reader can name them. Other formats keep what the reader gives.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path

from defusedxml.ElementTree import parse

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELATIONSHIPS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
OFFICE_RELATIONSHIP_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"

FORMULA_WITHOUT_VALUE = "formula_without_value"


def flagged_cells(path: Path) -> dict[str, dict[str, str]]:
    """{sheet name: {address: FORMULA_WITHOUT_VALUE or the error text such as '#DIV/0!'}}."""
    if path.suffix.lower() not in {".xlsx", ".xlsm"} or not zipfile.is_zipfile(path):
        return {}
    flagged: dict[str, dict[str, str]] = {}
    with zipfile.ZipFile(path) as archive:
        for name, member in sheet_members(archive).items():
            cells = _scan(archive, member)
            if cells:
                flagged[name] = cells
    return flagged


def sheet_members(archive: zipfile.ZipFile) -> dict[str, str]:
    """{sheet name: the zip member holding its XML}."""
    try:
        workbook = parse(archive.open("xl/workbook.xml")).getroot()
        relationships = parse(archive.open("xl/_rels/workbook.xml.rels")).getroot()
    except (KeyError, SyntaxError):
        return {}
    targets = {r.get("Id"): r.get("Target", "") for r in relationships.iter(f"{RELATIONSHIPS}Relationship")}
    members = {}
    for sheet in workbook.iter(f"{MAIN}sheet"):
        target = targets.get(sheet.get(OFFICE_RELATIONSHIP_ID), "")
        member = (
            target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        )
        if member in archive.namelist():
            members[sheet.get("name")] = member
    return members


_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_ADDRESS = re.compile(rb'\br="([A-Z]+[0-9]+)"')
_ERROR_TYPE = re.compile(rb'\bt="e"')
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]+)<")
# Plain byte searches that every formula or error cell matches (a few other things may too, and are then
# matched exactly below); several times faster than the regular expressions on a sheet without either.
_MAYBE_FORMULA_OR_ERROR = (
    *(prefix + end for prefix in (b"<f", b":f") for end in (b">", b"/", b" ", b"\t", b"\n", b"\r")),
    b't="e"',
)


def _scan(archive: zipfile.ZipFile, member: str) -> dict[str, str]:
    """Formula cells without a cached value and error cells, found in the sheet XML's bytes.

    Most sheets have neither, and a byte search says so without parsing; the rest are matched cell by
    cell with regular expressions (the part's size is bounded by the precheck)."""
    try:
        data = archive.read(member)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError):
        return {}
    if not any(token in data for token in _MAYBE_FORMULA_OR_ERROR):
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
