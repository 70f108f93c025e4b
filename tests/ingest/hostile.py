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


def zip_bomb(path: Path, inflated_mb: int = 400) -> Path:
    """A small zip whose one sheet inflates to hundreds of MB of XML."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            block = b"<row>" + b" " * (1024 * 1024 - 11) + b"</row>"
            for _ in range(inflated_mb):
                sheet.write(block)
    return path
