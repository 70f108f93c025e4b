"""The XML behind an .xlsx/.xlsm's cells, read from one opening of the file: each worksheet's part by
sheet name, and the styles part. The readers give values only; what they leave out (a formula's missing
result, an error value, a percentage format) is found in these bytes (``ingest.cell_flags``,
``ingest.cell_formats``), and whether the cells copy values from other workbooks (external links) in
the package's list of parts. Other formats have no such parts. The parts' sizes are bounded by the
precheck.
"""

from __future__ import annotations

import posixpath
import zipfile
from dataclasses import dataclass
from pathlib import Path

from defusedxml.ElementTree import fromstring

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELATIONSHIPS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
OFFICE_RELATIONSHIP_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
STYLES = "xl/styles.xml"
EXTERNAL_LINKS = "xl/externalLinks/"


@dataclass(frozen=True)
class SheetParts:
    sheets: dict[str, bytes]  # sheet name -> the XML of its worksheet part, in workbook order
    styles: bytes  # the styles part; b"" when there is none
    external_links: bool = False  # the package holds xl/externalLinks/: values copied from other workbooks


def read_sheet_parts(path: Path) -> SheetParts | None:
    """The worksheet and styles parts of the .xlsx/.xlsm at ``path``; None for other files. A part that
    cannot be inflated is left out: its sheet is then read for values only, or (the styles) no cell is
    taken as shown as a percentage."""
    if path.suffix.lower() not in {".xlsx", ".xlsm"} or not zipfile.is_zipfile(path):
        return None
    with zipfile.ZipFile(path) as archive:
        sheets = {}
        for name, member in sheet_members(archive).items():
            data = _read(archive, member)
            if data is not None:
                sheets[name] = data
        names = archive.namelist()
        styles = _read(archive, STYLES) if STYLES in names else None
        external_links = any(name.startswith(EXTERNAL_LINKS) for name in names)
        return SheetParts(sheets, styles or b"", external_links)


def _read(archive: zipfile.ZipFile, member: str) -> bytes | None:
    try:
        return archive.read(member)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError):
        return None


def sheet_members(archive: zipfile.ZipFile) -> dict[str, str]:
    """{sheet name: the zip member holding its XML}."""
    try:
        workbook = fromstring(archive.read("xl/workbook.xml"))
        relationships = fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, SyntaxError):
        return {}
    targets = {r.get("Id"): r.get("Target", "") for r in relationships.iter(f"{RELATIONSHIPS}Relationship")}
    names = set(archive.namelist())
    members = {}
    for sheet in workbook.iter(f"{MAIN}sheet"):
        target = targets.get(sheet.get(OFFICE_RELATIONSHIP_ID), "")
        member = (
            target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        )
        if member in names:
            members[sheet.get("name")] = member
    return members
