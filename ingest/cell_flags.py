"""Cells whose value the readers hide: formulas saved without a cached result, and error values.

Both readers return an empty value for a formula that was never calculated (a workbook written by a
program rather than saved from Excel or WPS) and python-calamine returns '' for ``#DIV/0!``; either
way a number would silently become "not reported". For .xlsx/.xlsm this scans the sheet XML for such
cells so the reader can name them. Other formats keep what the reader gives.
"""

from __future__ import annotations

import posixpath
import zipfile
from pathlib import Path

from defusedxml.ElementTree import iterparse, parse

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
        for name, member in _sheet_members(archive).items():
            cells = _scan(archive, member)
            if cells:
                flagged[name] = cells
    return flagged


def _sheet_members(archive: zipfile.ZipFile) -> dict[str, str]:
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


def _scan(archive: zipfile.ZipFile, member: str) -> dict[str, str]:
    cells: dict[str, str] = {}
    try:
        for _, element in iterparse(archive.open(member), events=("end",)):
            if element.tag != f"{MAIN}c":
                continue
            value = element.find(f"{MAIN}v")
            text = value.text if value is not None else None
            if element.get("t") == "e":
                cells[element.get("r", "")] = text or "#错误"
            elif element.find(f"{MAIN}f") is not None and not text:
                cells[element.get("r", "")] = FORMULA_WITHOUT_VALUE
            element.clear()
    except SyntaxError:
        return cells
    return cells
