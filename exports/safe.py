"""Writing outside text into a workbook safely.

Text that came from a county (names, remarks, values as typed) must never become a formula or a
link in a workbook pingan writes: openpyxl turns any string starting with ``=`` into a live
formula, and spreadsheet programs treat ``+``, ``-`` and ``@`` the same way. Sheet titles must also
obey Excel's rules (31 characters, no ``[]:*?/\\``).
"""

from __future__ import annotations

import re

from openpyxl.cell.cell import Cell

from base.outside_text import workbook_text

FORMULA_PREFIXES = ("=", "+", "-", "@")
_BAD_TITLE_CHARS = re.compile(r"[\[\]:*?/\\]")


def set_text(cell: Cell, value: object) -> Cell:
    """Write ``value`` into ``cell``; strings are always stored as plain text, never as formulas, with
    control characters a workbook cannot hold shown as control pictures (``base.outside_text``).

    Text and plain numbers are stored directly: ``workbook_text`` already makes text what openpyxl's
    value setter would check it to be (legal characters, at most 32,767 of them), and the setter's
    guessing of a type is what a bulletin's half a million cells would pay for. Anything else (a date, a
    Decimal, a bool) goes through openpyxl's setter, which picks its type and number format."""
    kind = type(value)
    if kind is str:
        cell._value = workbook_text(value)
        cell.data_type = "s"
    elif kind is int or kind is float:
        cell._value = value
        cell.data_type = "n"
    elif isinstance(value, str):
        cell.value = workbook_text(value)
        cell.data_type = "s"
    else:
        cell.value = value
    return cell


def safe_sheet_title(title: str, taken: set[str] | None = None) -> str:
    """A legal, unique sheet title made from any text."""
    base = _BAD_TITLE_CHARS.sub("_", title).strip("'") or "Sheet"
    base = base[:31]
    candidate, n = base, 2
    while taken is not None and candidate in taken:
        suffix = f"({n})"
        candidate = base[: 31 - len(suffix)] + suffix
        n += 1
    if taken is not None:
        taken.add(candidate)
    return candidate
