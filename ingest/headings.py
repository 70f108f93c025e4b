"""Finding a table's header row, and reading each header cell: which column it is, and what it holds.

Counties type headers the way narrow Excel columns force them: 指标\\n代码, 指标 名称, 备  注 (white space
of every kind and bracket widths are folded away by ``fold_label``), and they add words to a figure
column's label: 本期数（本月）, 本期累计数, 1-3月累计. Which words may follow which label, and what each
makes of the column, is data (``layout.Basis`` in the header-mapping table); this module only reads
them, in three forms: a bracketed note after a label, a known word run on after it, or, for a running
total, the word alone (1-3月累计). A bracketed note that is not in the vocabulary leaves the column
what its label says, and is named (``Heading.unknown``) so that the reader can say so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from base import layout
from base.catalogue import fold_label
from base.cell_address import column_letter
from ingest.read import Sheet

HEADER_SEARCH_ROWS = 30

# A header found twice (本月 and 1-3月累计 side by side): the column that holds the figure itself wins.
_PREFERENCE = {layout.MONTH: 0, layout.YEAR_TO_DATE: 1, layout.OTHER: 2}

_MONTH_NUMBER = r"(?P<month>1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"
_RANGE_SIGN = "[-—–~至到]"
_CHINESE_MONTHS = {n: i for i, n in enumerate("一二三四五六七八九十", start=1)} | {"十一": 11, "十二": 12}


@lru_cache(maxsize=1 << 16)  # asked again for every figure read: the same cells in every workbook
def address(row_index: int, column_index: int) -> str:
    """'D17' from zero-based row and column indexes."""
    return f"{column_letter(column_index + 1)}{row_index + 1}"


@dataclass(frozen=True)
class Heading:
    """One header cell read: the column it names and, for a figure column, what the column holds."""

    field: str
    column: int  # zero-based column index
    cell: str  # the header cell's address
    text: str  # the header as typed, line breaks and runs of spaces shown as one space
    basis: str  # layout.MONTH (the column's own figure), layout.YEAR_TO_DATE or layout.OTHER
    basis_label: str  # what the column holds, in words ('' for a column's own figure)
    through_month: int | None = None  # the N of a 1-N月 qualifier
    unknown: str | None = None  # bracketed words that are not in the vocabulary, as typed (folded)


@dataclass(frozen=True)
class _Word:
    basis: layout.Basis
    pattern: re.Pattern[str]


@cache
def _words(bases: tuple[layout.Basis, ...]) -> tuple[_Word, ...]:
    """The vocabulary of a figure column as patterns (N = a month's number, '-' = any range sign)."""
    words = []
    for basis in bases:
        for word in basis.words:
            pieces = (
                _MONTH_NUMBER if ch == "N" else _RANGE_SIGN if ch == "-" else re.escape(ch)
                for ch in fold_label(word)
            )
            words.append(_Word(basis, re.compile("".join(pieces))))
    return tuple(words)


def _classify(text: str, bases: tuple[layout.Basis, ...]) -> tuple[layout.Basis, int | None] | None:
    """The basis a word (本月, 累计数, 1-3月累计) gives a figure column, and the month it names."""
    for candidate in dict.fromkeys((text, text.removesuffix("数"))):
        for word in _words(bases):
            match = word.pattern.fullmatch(candidate)
            if match:
                month = match.groupdict().get("month")
                return word.basis, _month_number(month) if month else None
    return None


def _month_number(text: str) -> int:
    return int(text) if text.isdigit() else _CHINESE_MONTHS[text]


def _names(column: layout.Column) -> list[str]:
    """A column's label and aliases folded, longest first (so 本期数 is tried before 本期)."""
    return sorted(column.names, key=len, reverse=True)


def _split_notes(folded: str) -> tuple[str, list[str]]:
    """'本期数(本月)(件)' -> ('本期数', ['本月', '件']); text without a trailing bracket -> (text, [])."""
    notes = []
    while (match := re.fullmatch(r"(.+)\(([^()]*)\)", folded)) is not None:
        folded = match.group(1)
        notes.insert(0, match.group(2))
    return folded, notes


def _figure_column(base: str, columns: tuple[layout.Column, ...]) -> tuple[layout.Column, list] | None:
    """A figure column named by ``base``: its label, its label with a word run on (本期累计数), or a
    running-total word alone (1-3月累计); with what the words say."""
    figures = [c for c in columns if c.bases]
    for column in figures:
        names = _names(column)
        if base in names:
            return column, []
        for name in names:
            rest = base[len(name) :] if base.startswith(name) else ""
            said = _classify(rest, column.bases) if rest else None
            if said:
                return column, [said]
    for column in figures:
        said = _classify(base, column.bases)
        if said and said[0].code == layout.YEAR_TO_DATE:
            return column, [said]
    return None


def read_heading(raw: object, columns: tuple[layout.Column, ...], r: int, c: int) -> Heading | None:
    """The column a header cell names, or None when it names none of ``columns``."""
    text = " ".join(str(raw).split())
    for column in columns:
        if column.matches(text):
            return Heading(column.field, c, address(r, c), text, layout.MONTH, "")
    base, notes = _split_notes(fold_label(text))
    found = _figure_column(base, columns)
    if found is None:
        return None
    column, said = found
    unknown = []
    for note in notes:
        reading = _classify(note, column.bases)
        if reading is None:
            unknown.append(note)
        else:
            said.append(reading)
    basis = max((b for b, _ in said), key=lambda b: _PREFERENCE[b.code], default=None)
    months = [m for _, m in said if m is not None]
    return Heading(
        column.field,
        c,
        address(r, c),
        text,
        basis.code if basis else layout.MONTH,
        basis.label if basis and basis.code != layout.MONTH else "",
        months[0] if months else None,
        "、".join(unknown) or None,
    )


def find_headings(sheet: Sheet, columns: tuple[layout.Column, ...]) -> tuple[int, dict[str, Heading]] | None:
    """(row index, field -> heading) of the first row that names every required column. Where two cells
    name the same column, the one holding the figure itself wins (本月 beside 1-3月累计), else the first."""
    required = {c.field for c in columns if c.required}
    for r, row in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
        found: dict[str, Heading] = {}
        for c, raw in enumerate(row):
            if raw == "" or raw is None:
                continue
            heading = read_heading(raw, columns, r, c)
            if heading is None:
                continue
            earlier = found.get(heading.field)
            if earlier is None or _PREFERENCE[heading.basis] < _PREFERENCE[earlier.basis]:
                found[heading.field] = heading
        if required <= found.keys():
            return r, found
    return None


def find_header(sheet: Sheet, columns: tuple[layout.Column, ...]) -> tuple[int, dict[str, int]] | None:
    """(row index, field -> column index) of the first row holding every required label."""
    found = find_headings(sheet, columns)
    return None if found is None else (found[0], {field: h.column for field, h in found[1].items()})
