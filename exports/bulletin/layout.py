"""Where things go on a bulletin sheet: cells with a named style, the title block, column widths and row
heights measured from the text, merged blocks, notes under a table, conditional formats, page geometry.

Sheets are laid out for A4 paper first (the PDF is what leaders read): widths come from the printed width
of the text, rows grow for wrapped text, and a sheet prints on one page when that stays readable. The
look itself (fonts, colours, named styles, print set-up) is ``exports.styles``.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Sequence
from copy import copy
from functools import lru_cache
from weakref import WeakKeyDictionary

from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.formatting.rule import CellIsRule, DataBarRule, FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from exports.safe import set_text
from exports.styles import (
    BAR_BLUE,
    DOCUMENT_MARGINS,
    HEADER,
    META,
    NOTE,
    NOTE_SIZE,
    RED_FONT,
    SECTION,
    SUBTITLE,
    TEXT,
    TITLE,
    solid,
)

NOTE_LINE_HEIGHT = 16  # points per line of a note (仿宋 12)

# Per workbook, the style record (openpyxl's StyleArray) each (named style, number format, fill) gives a
# cell: giving a cell a named style by name looks the style up and re-registers its parts on every call,
# a large share of a bulletin's time at a hundred thousand cells.
_STYLE_ARRAYS: WeakKeyDictionary[Workbook, dict[tuple[str, str | None, str | None], StyleArray]] = (
    WeakKeyDictionary()
)


def style_array(ws: Worksheet, style: str, fmt: str | None = None, fill: str | None = None) -> StyleArray:
    """The style record of a cell with the named ``style``, number format ``fmt`` and background ``fill``
    (registered in the workbook the first time it is asked for)."""
    arrays = _STYLE_ARRAYS.get(ws.parent)
    if arrays is None:
        arrays = _STYLE_ARRAYS[ws.parent] = {}
    known = arrays.get((style, fmt, fill))
    if known is None:
        model = Cell(ws)  # never placed on the sheet: it only gathers the style's parts
        model.style = style
        if fmt:
            model.number_format = fmt
        if fill:
            model.fill = solid(fill)
        known = arrays[(style, fmt, fill)] = model._style
    return known


def put(
    ws: Worksheet,
    row: int,
    column: int,
    value: object,
    style: str = TEXT,
    fmt: str | None = None,
    fill: str | None = None,
) -> Cell:
    """Write one value (strings always as text) with a named style, an optional number format and an
    optional background colour (``fill``, an RGB hex).

    A new cell is made and placed as ``ws.cell`` would (a bulletin makes half a million, and that call
    checks and looks up more than a cell this writer places needs); a cell already there (a merged
    block's covered cell refuses a value) is written as it is. The style is given last, so it is the
    style's number format a date shows in, not the one openpyxl picks for it."""
    cell = put_plain(ws, row, column, value)
    cell._style = StyleArray(style_array(ws, style, fmt, fill))
    return cell


def put_plain(ws: Worksheet, row: int, column: int, value: object) -> Cell:
    """Write one value (strings always as text), placing the cell as ``put`` does; no style is given."""
    cell = ws._cells.get((row, column))
    if cell is None:
        cell = Cell(ws, row, column)
        ws._add_cell(cell)  # what ws.cell does with a new cell, without its checks and lookups
    return set_text(cell, value)


def section(ws: Worksheet, row: int, text: str, columns: int = 4) -> None:
    """A bold heading above a second table on a sheet (merged, so it never widens column A)."""
    put(ws, row, 1, text, SECTION)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=max(columns, 2))


@lru_cache(maxsize=1 << 16)
def display_width(value: object) -> float:
    """Printed width in column units: CJK, full-width and ambiguous-width characters (≥ — √ ×, which CJK
    fonts draw full width) count 2; others 1.1 (Latin digits of CJK fonts are a little wider than the
    default font's, in which column widths are measured)."""
    text = value if isinstance(value, str) else number_text(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1.1 for ch in text)


def number_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def title_block(ws: Worksheet, columns: int, title: str, subtitle: str, left: str, right: str) -> int:
    """Rows 1-3: title, subtitle, issuing office (left) and date (right); returns the header row (4)."""
    last = get_column_letter(max(columns, 2))
    for row, text, style, height in ((1, title, TITLE, 30), (2, subtitle, SUBTITLE, 22)):
        ws.merge_cells(f"A{row}:{last}{row}")
        put(ws, row, 1, text, style)
        ws.row_dimensions[row].height = height
    middle = max(columns // 2, 1)
    ws.merge_cells(start_row=3, start_column=1, end_row=3, end_column=middle)
    put(ws, 3, 1, left, META)
    ws.merge_cells(start_row=3, start_column=middle + 1, end_row=3, end_column=max(columns, 2))
    put(ws, 3, middle + 1, right, META).alignment = Alignment(horizontal="right", vertical="center")
    ws.row_dimensions[3].height = 18
    return 4


def header_row(ws: Worksheet, row: int, headers: Sequence[str], first_column: int = 1) -> None:
    for offset, text in enumerate(headers):
        put(ws, row, first_column + offset, text, HEADER)
    ws.row_dimensions[row].height = 30


def fit_columns(
    ws: Worksheet, first_row: int, minimum: int = 6, maximum: int = 44, fixed: dict[int, int] | None = None
) -> None:
    """Set column widths from the widest cell at or below ``first_row`` (cells merged across columns are
    skipped), then raise the rows whose wrapped text needs more than one line."""
    spanning = {(r.min_row, r.min_col) for r in ws.merged_cells.ranges if r.max_col > r.min_col}
    widths: dict[int, int] = {}
    for (row, column), cell in ws._cells.items():
        value = cell._value
        if row >= first_row and value is not None and (row, column) not in spanning:
            widths[column] = max(widths.get(column, 0), display_width(value))
    for column, width in sorted(widths.items()):
        ws.column_dimensions[get_column_letter(column)].width = min(max(width + 2, minimum), maximum)
    for column, width in (fixed or {}).items():
        ws.column_dimensions[get_column_letter(column)].width = width
    fit_rows(ws, first_row)


def columns_width(ws: Worksheet, first_column: int, last_column: int) -> float:
    letters = (get_column_letter(c) for c in range(first_column, last_column + 1))
    return sum(
        (ws.column_dimensions[x].width or 8.43) if x in ws.column_dimensions else 8.43 for x in letters
    )


# display_width is generous, so columns sized by it never clip; printed text is about this much narrower.
PRINTED_SHARE = 0.92


def text_lines(text: str, width: float, size: float = 11) -> int:
    """How many printed lines ``text`` (line breaks kept) in a ``size`` pt font wraps to in a column
    ``width`` units wide (widths are measured for the 11 pt default font)."""
    room = max(width - 1, 1)
    share = PRINTED_SHARE * size / 11
    return sum(max(1, math.ceil(display_width(line) * share / room)) for line in text.split("\n"))


def lines_needed(
    ws: Worksheet, text: object, first_column: int, last_column: int | None = None, size: float = 11
) -> int:
    """How many printed lines ``text`` wraps to across the given columns."""
    width = columns_width(ws, first_column, last_column or first_column)
    return text_lines(text, width, size) if isinstance(text, str) else 1


def fit_rows(ws: Worksheet, first_row: int, line_height: float = 15) -> None:
    """Raise rows at or below ``first_row`` so wrapped text shows whole (rows are never lowered)."""
    spans = {(r.min_row, r.min_col): r.max_col for r in ws.merged_cells.ranges}
    fonts = ws.parent._fonts
    widths: dict[tuple[int, int], float] = {}  # the columns do not change width here
    needed: dict[int, int] = {}
    for (row, column), cell in ws._cells.items():
        text = cell._value
        if row < first_row or not isinstance(text, str):
            continue
        last = spans.get((row, column), column)
        width = widths.get((column, last))
        if width is None:
            width = widths[column, last] = columns_width(ws, column, last)
        size = fonts[cell._style.fontId if cell._style else 0].sz or 11
        needed[row] = max(needed.get(row, 1), text_lines(text, width, size))
    for row, lines in needed.items():
        if lines > 1:
            current = ws.row_dimensions[row].height or 0
            ws.row_dimensions[row].height = max(current, line_height * lines + 3)


# Conditional formats -------------------------------------------------------------------------------------


def highlight_text(ws: Worksheet, ref: str, text: str, fill: str | None, font: str | None = None) -> None:
    """Colour cells in ``ref`` whose text contains ``text``."""
    first = ref.split(":")[0]
    rule = FormulaRule(
        formula=[f'NOT(ISERROR(SEARCH("{text}",{first})))'],
        stopIfTrue=False,
        fill=PatternFill("solid", fgColor=fill, bgColor=fill) if fill else None,
        font=Font(color=font) if font else None,
    )
    ws.conditional_formatting.add(ref, rule)


def highlight_below(ws: Worksheet, ref: str, threshold: float) -> None:
    """Red text for numbers below ``threshold`` (e.g. rates under 100%)."""
    ws.conditional_formatting.add(
        ref, CellIsRule(operator="lessThan", formula=[str(threshold)], font=Font(color=RED_FONT))
    )


def score_bars(ws: Worksheet, ref: str) -> None:
    ws.conditional_formatting.add(
        ref, DataBarRule(start_type="num", start_value=0, end_type="num", end_value=100, color=BAR_BLUE)
    )


def highlight_rows(ws: Worksheet, ref: str, formula: str, fill: str) -> None:
    ws.conditional_formatting.add(
        ref, FormulaRule(formula=[formula], fill=PatternFill("solid", fgColor=fill, bgColor=fill))
    )


class _LaidOutRange(MergedCellRange):
    """A merged range whose cells this writer boxed alike: the top-left cell's border is already the
    block's, so openpyxl's border merging (a style lookup per range) is skipped."""

    def _get_borders(self) -> None:
        self.start_cell = self.ws.cell(row=self.min_row, column=self.min_col)


def merge(ws: Worksheet, row: int, first: int, last: int) -> None:
    """Merge ``first``..``last`` on ``row``, a block this writer laid out itself with one cell style
    across it (it overlaps no other merge). openpyxl's merge_cells compares every new range with every
    existing one, which is quadratic: a province's bulletin has tens of thousands of merged cells."""
    ws.merged_cells.ranges.add(
        _LaidOutRange(ws, f"{get_column_letter(first)}{row}:{get_column_letter(last)}{row}")
    )
    style = ws.cell(row=row, column=first)._style  # the covered cells keep the block's borders and fill
    for column in range(first + 1, last + 1):
        covered = MergedCell(ws, row, column)
        covered._style = copy(style)
        ws._cells[row, column] = covered


def note_rows(ws: Worksheet, start_row: int, lines: Iterable[str], columns: int) -> int:
    """Plain paragraphs below a table (merged across ``columns``); returns the next free row."""
    row = start_row
    for line in lines:
        merge(ws, row, 1, columns)
        put(ws, row, 1, line, NOTE)
        ws.row_dimensions[row].height = NOTE_LINE_HEIGHT * lines_needed(ws, line, 1, columns, NOTE_SIZE) + 3
        row += 1
    return row


def note_columns(ws: Worksheet, start_row: int, items: Sequence[str], columns: int) -> int:
    """A list in two columns (down the left half, then the right), to keep long lists on one page."""
    total = columns_width(ws, 1, columns)
    split = next(c for c in range(1, columns + 1) if columns_width(ws, 1, c) >= total / 2)
    split = min(max(split, 1), columns - 1)
    down = math.ceil(len(items) / 2)
    halves = (
        (1, split, columns_width(ws, 1, split)),
        (split + 1, columns, columns_width(ws, split + 1, columns)),
    )
    for i in range(down):
        row = start_row + i
        lines = 1
        for text, (first, last, width) in zip(items[i : len(items) : down], halves, strict=False):
            merge(ws, row, first, last)
            put(ws, row, first, text, NOTE)
            lines = max(lines, text_lines(text, width, NOTE_SIZE))
        ws.row_dimensions[row].height = NOTE_LINE_HEIGHT * lines + 3
    return start_row + down


# Page geometry (A4 with the document margins of styles.print_setup) ---------------------------------------

A4_LONG_IN, A4_SHORT_IN = 11.69, 8.27
POINTS_PER_WIDTH_UNIT = 5.25  # one column-width unit is about 7 px at 96 dpi


def printable_points(landscape: bool = True) -> tuple[float, float]:
    """(width, height) in points inside the document margins print_setup sets."""
    width, height = (A4_LONG_IN, A4_SHORT_IN) if landscape else (A4_SHORT_IN, A4_LONG_IN)
    m = DOCUMENT_MARGINS
    return (width - (m.left + m.right)) * 72, (height - (m.top + m.bottom)) * 72


def fit_scale(ws: Worksheet, last_column: int, landscape: bool = True) -> float:
    """The zoom fit-to-width will print at: page width ÷ the width of columns 1..last_column."""
    used = columns_width(ws, 1, last_column) * POINTS_PER_WIDTH_UNIT
    return min(1.0, printable_points(landscape)[0] / used) if used else 1.0


def fit_one_page_if_readable(ws: Worksheet, last_column: int, smallest: float = 0.7) -> None:
    """Print the whole sheet on one page when that needs a zoom of ``smallest`` or more (a short table with
    its notes stays together); longer sheets keep flowing over pages at the fit-to-width zoom."""
    _, page_height = printable_points(ws.page_setup.orientation != "portrait")
    height = sum(ws.row_dimensions[r].height or 18 for r in range(1, ws.max_row + 1))
    if min(fit_scale(ws, last_column), page_height / height) >= smallest:
        ws.page_setup.fitToHeight = 1


def page_break_before(ws: Worksheet, row: int) -> None:
    """Start a new printed page at ``row``."""
    ws.row_breaks.append(Break(id=row - 1))
