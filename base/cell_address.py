"""Excel's A1 cell addresses: a column's letters and a range's bounds.

The reading path (``ingest.sandbox``) runs in sandboxed workers started for each batch and each upload,
and it needs only these two conversions from openpyxl. Importing ``openpyxl.utils`` imports the whole
package, numpy with it: a reader worker took 0.26 s to start with it and takes 0.11 s without (medians
on the 2-core machine). So the reading path takes them from here, and
``tests/ingest/test_cell_address.py`` holds them equal to openpyxl's.
"""

from __future__ import annotations

import re
from functools import cache

_CELL = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]+)")


@cache  # a reader asks for the same few columns for every figure it reads
def column_letter(number: int) -> str:
    """'A' for 1, 'Z' for 26, 'AA' for 27, 'XFD' for 16,384 (Excel's last column)."""
    if not 1 <= number <= 18_278:  # ZZZ, as far as three letters go
        raise ValueError(f"column number out of range: {number}")
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def column_number(letters: str) -> int:
    """1 for 'A', 27 for 'AA' (either case)."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def range_bounds(ref: str) -> tuple[int, int, int, int]:
    """(first column, first row, last column, last row), 1-based, of 'B2:D17' or of one cell 'C3'."""
    cells = ref.split(":")
    if len(cells) > 2:
        raise ValueError(f"not a cell range: {ref!r}")
    bounds = []
    for cell in cells:
        match = _CELL.fullmatch(cell)
        if match is None:
            raise ValueError(f"not a cell range: {ref!r}")
        bounds.append((column_number(match.group(1)), int(match.group(2))))
    (first_column, first_row), (last_column, last_row) = bounds[0], bounds[-1]
    return first_column, first_row, last_column, last_row
