"""Saving a workbook built with openpyxl, with the cells of its sheets serialised in bulk.

openpyxl writes a sheet's cells one XML element at a time through lxml's incremental writer: for a
province's bulletin (half a million cells) that is most of the time its ``save`` takes. Here the rows of
plain cells (text, numbers, booleans, empty styled cells) are put together as XML text, a thousand rows at
a time, and set aside: openpyxl's writer puts a placeholder (an XML processing instruction) where they
belong, and the sheet's part (written in memory, where openpyxl writes a temporary file) goes into the
package with each placeholder replaced by its rows. The file holds the same XML as openpyxl's own writer
gives (``tests/exports/test_xlsx_file.py`` compares every part of the package in canonical form; the bytes
differ only where an empty element is written ``<c/>`` instead of ``<c></c>``). A row with anything else in
it (a formula, a date, a Decimal, a comment, a link, rich text) is written by openpyxl, in its place
between them. The list of merged ranges, tens of thousands in a province's bulletin, is put together the
same way. A package may carry one time on every entry (``date_time``): the forms and feedback workbooks are
the same bytes each time they are written.

A placeholder cannot be forged by a county: text in a cell is escaped (``<`` is written ``&lt;``), so the
sequence that marks one appears only where this module wrote it.

Everything else in the package (styles, print set-up, conditional formats, charts) is openpyxl's.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from lxml import etree
from openpyxl import LXML
from openpyxl.compat import safe_string
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.writer.excel import ExcelWriter

ROWS_PER_CHUNK = 1000
# A package saved to a path (a bulletin, an extract) is deflated at zlib's fastest level: a national
# December bulletin's parts compress in 0.14 s instead of 0.38 s (level 6, the default), into 6.4 MB
# instead of 5.1 MB; a prefecture's bulletin is tens of kilobytes either way. A stamped package (a form, a
# feedback workbook: small, and the same bytes each time) keeps the default, so its bytes, and the sha256
# of the demo's workbooks, are those earlier versions wrote.
COMPRESS_LEVEL = 1
_SET_ASIDE = "pingan-set-aside"  # the placeholder: <?pingan-set-aside N?> stands for the N-th chunk
_PLACEHOLDER = re.compile(rb"<\?pingan-set-aside (\d+)\?>")
_PLAIN_TYPES = {str: "s", int: "n", float: "n", bool: "b"}
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_TEXT_TO_ESCAPE = re.compile("[&<>\r]")  # looked for first: translating is slow on Chinese text
_ATTRIBUTE_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#13;", "\n": "&#10;", "\t": "&#9;"}
)


def save_workbook_file(
    wb: Workbook, target: str | Path | ZipFile, *, date_time: tuple[int, ...] | None = None
) -> None:
    """Save ``wb`` to a path, or into an open ``ZipFile`` (which is closed after), like ``wb.save``.
    ``date_time`` (a path only): the time every entry of the package carries, for a file that is the
    same bytes each time it is written; otherwise each entry carries the time it was written."""
    if isinstance(target, ZipFile):
        if date_time is not None:
            raise ValueError("date_time is for a path: an open ZipFile keeps its own entry times")
        archive = target
    elif date_time is not None:
        archive = _StampedZipFile(target, date_time)
    else:
        archive = ZipFile(target, "w", ZIP_DEFLATED, allowZip64=True, compresslevel=COMPRESS_LEVEL)
    _BulkExcelWriter(wb, archive).save()


class _StampedZipFile(ZipFile):
    """A package being written whose entries all carry one time (ExcelWriter names its other parts)."""

    def __init__(self, target: str | Path, date_time: tuple[int, ...]) -> None:
        super().__init__(target, "w", ZIP_DEFLATED, allowZip64=True)
        self.date_time = tuple(date_time[:6])

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None) -> None:
        if isinstance(zinfo_or_arcname, ZipInfo):
            info = zinfo_or_arcname
            info.date_time = self.date_time
        else:
            info = ZipInfo(zinfo_or_arcname, date_time=self.date_time)
            info.compress_type = self.compression
        super().writestr(info, data, compress_type, compresslevel)


def discard_cells(wb: Workbook) -> None:
    """Let go of a saved workbook's cells and merged ranges now. Each points back at its sheet, which
    holds them: cycles only Python's cycle collector frees, after walking every one of them (over half a
    second after a province's bulletin). Emptying the sheets frees them by reference counting instead."""
    for ws in wb.worksheets:
        ws._cells.clear()
        ws.merged_cells.ranges.clear()


class _BulkExcelWriter(ExcelWriter):
    def write_worksheet(self, ws) -> None:
        if self.workbook.write_only or not LXML:
            return super().write_worksheet(ws)
        # The same steps as ExcelWriter.write_worksheet, with the bulk writer for the sheet itself.
        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        writer = _BulkWorksheetWriter(ws, io.BytesIO())  # in memory, not openpyxl's temporary file
        writer.write()
        ws._rels = writer._rels
        _write_part(self._archive, writer.out.getvalue(), ws.path[1:], writer.set_aside)
        self.manifest.append(ws)


class _BulkWorksheetWriter(WorksheetWriter):
    def __init__(self, ws, out=None) -> None:
        super().__init__(ws, out)
        self.set_aside: list[bytes] = []  # XML text, each in place of its placeholder

    def placeholder(self, text: str) -> etree._ProcessingInstruction:
        """Set ``text`` aside; what to write in its place."""
        self.set_aside.append(text.encode("utf-8"))
        return etree.ProcessingInstruction(_SET_ASIDE, str(len(self.set_aside) - 1))

    def write_rows(self) -> None:
        xf = self.xf.send(True)
        style_ids = _StyleIds(self.ws.parent._cell_styles)
        letters = [""]
        pending: list[str] = []
        with xf.element("sheetData"):
            for row_idx, row in self.rows():
                if row and len(letters) <= row[-1].column:
                    letters.extend(get_column_letter(c) for c in range(len(letters), row[-1].column + 1))
                text = _row_text(self.ws, row, row_idx, style_ids, letters)
                if text is None:  # not plain: openpyxl writes it, after the rows before it
                    self._set_aside_rows(xf, pending)
                    self.write_row(xf, row, row_idx)
                    continue
                pending.append(text)
                if len(pending) >= ROWS_PER_CHUNK:
                    self._set_aside_rows(xf, pending)
            self._set_aside_rows(xf, pending)
        self.xf.send(None)

    def _set_aside_rows(self, xf, pending: list[str]) -> None:
        if pending:
            xf.write(self.placeholder("".join(pending)))
            pending.clear()

    def write_merged_cells(self) -> None:
        ranges = self.ws.merged_cells.ranges
        if ranges:
            refs = "".join(f'<mergeCell ref="{r.coord}"/>' for r in ranges)
            self.xf.send(self.placeholder(f'<mergeCells count="{len(ranges)}">{refs}</mergeCells>'))


def _write_part(archive: ZipFile, xml: bytes, name: str, set_aside: list[bytes]) -> None:
    """Put the sheet's part as openpyxl wrote it (``xml``) into ``archive``, each placeholder replaced by
    the text set aside for it."""
    pieces = []
    at = 0
    for found in _PLACEHOLDER.finditer(xml):
        pieces += [xml[at : found.start()], set_aside[int(found.group(1))]]
        at = found.end()
    pieces.append(xml[at:])
    archive.writestr(name, b"".join(pieces))


class _StyleIds:
    """The workbook's id of each cell style (what openpyxl's ``cell.style_id`` gives), looked up by the
    style's bytes: cells hold copies of a few dozen styles, and this is cheaper than openpyxl's lookup."""

    def __init__(self, cell_styles) -> None:
        self.cell_styles = cell_styles
        self.known: dict[bytes, int] = {}

    def of(self, style) -> int:
        key = style.tobytes()
        found = self.known.get(key)
        if found is None:
            found = self.known[key] = self.cell_styles.add(style)
        return found


def _row_text(ws, row: list, row_idx: int, style_ids: _StyleIds, letters: list[str]) -> str | None:
    """One ``<row>`` as openpyxl's writer puts it, or None when a cell in it is not plain."""
    attrs = "".join(
        f' {k}="{str(v).translate(_ATTRIBUTE_ESCAPES)}"' for k, v in ws.row_dimensions.get(row_idx, {})
    )
    cells = []
    for cell in row:
        if cell._comment is not None or cell.hyperlink:
            return None
        value = cell._value
        style = cell._style
        styled = style is not None and any(style)
        if value is None and not styled:
            continue
        data_type = cell.data_type
        if value is not None and _PLAIN_TYPES.get(type(value)) != data_type:
            return None
        start = f'<c r="{letters[cell.column]}{row_idx}"'
        if styled:
            start += f' s="{style_ids.of(style)}"'
        start += ' t="inlineStr"' if data_type == "s" else f' t="{data_type}"'
        if value is None or value == "":
            cells.append(start + "/>")
        elif data_type == "s":
            space = ' xml:space="preserve"' if value != value.strip() else ""
            if _TEXT_TO_ESCAPE.search(value):
                value = value.translate(_TEXT_ESCAPES)
            cells.append(f"{start}><is><t{space}>{value}</t></is></c>")
        else:
            cells.append(f"{start}><v>{safe_string(value)}</v></c>")
    return f'<row r="{row_idx}"{attrs}>{"".join(cells)}</row>'
