"""Hostile files made on the fly (STACK.md lists what they do to the readers)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl


def far_cell_workbook(path: Path, keep_dimension: bool = False) -> Path:
    """A 2 KB xlsx with one cell at XFD1048576: python-calamine aborts the whole process on it."""
    workbook = openpyxl.Workbook()
    workbook.active["XFD1048576"] = 1
    plain = path.with_suffix(".plain.xlsx")
    workbook.save(plain)
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.startswith("xl/worksheets/") and not keep_dimension:
                data = re.sub(rb"<dimension[^>]*/>", b"", data)
            target.writestr(item, data)
    plain.unlink()
    return path


def zip_bomb(path: Path, rows: int = 4_000_000) -> Path:
    """A real workbook (under 1 MB) whose one sheet inflates to about 160 MB of cells."""
    plain = path.with_suffix(".plain.xlsx")
    openpyxl.Workbook().save(plain)
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                target.writestr(item, source.read(item))
                continue
            with target.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
                sheet.write(
                    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                )
                block = (
                    b"<row><c><v>1</v></c><c><v>2</v></c></row>" * 10_000
                )  # no addresses: compresses ~1000x
                for _ in range(rows // 10_000):
                    sheet.write(block)
                sheet.write(b"</sheetData></worksheet>")
    plain.unlink()
    return path


# The billion-laughs pattern: an entity that expands to a thousand of another (no Office file declares one).
LAUGHS = b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'


def with_entities(source: Path, path: Path, part: str) -> Path:
    """``source`` with an entity declaration (``LAUGHS``) after the XML declaration of ``part``."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in original.infolist():
            data = original.read(item)
            if item.filename == part:
                declaration = re.match(rb"<\?xml[^>]*\?>", data)
                end = declaration.end() if declaration else 0
                data = data[:end] + LAUGHS + data[end:]
            target.writestr(item, data)
    return path


def torn_part(source: Path, path: Path, part: str) -> Path:
    """``source`` with the start of ``part``'s compressed bytes overwritten: it cannot be inflated."""
    data = bytearray(source.read_bytes())
    with zipfile.ZipFile(source) as archive:
        entry = archive.getinfo(part)
    offset = entry.header_offset
    name_length = int.from_bytes(data[offset + 26 : offset + 28], "little")
    extra_length = int.from_bytes(data[offset + 28 : offset + 30], "little")
    start = offset + 30 + name_length + extra_length
    data[start : start + 8] = b"\xff" * 8
    path.write_bytes(bytes(data))
    return path
