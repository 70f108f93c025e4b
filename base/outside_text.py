"""Text from outside (what a county typed, a file's name) made fit for where pingan shows it.

A county's cell can hold characters a workbook's XML cannot (``_x0007_`` in a shared string is the bell
character): openpyxl refuses to write them, so one such cell in a rejected file, quoted in a finding, would
stop every later bulletin of its month. On a terminal, the same characters (an ESC sequence in a file
name) can move the cursor, recolour or hide what follows. Nothing is dropped silently: in a workbook each
control character is shown as its Unicode control picture (U+0007 as ␇); on a terminal as an escape
(``\\x07``). Long values are cut where they would swamp the reader (a cell holds at most 32,767
characters; a terminal line about one file is kept short).
"""

from __future__ import annotations

import re

EXCEL_CELL_LIMIT = 32_767  # the most characters an Excel cell holds
TERMINAL_FIELD_LIMIT = 200  # the most characters of one outside value printed on a terminal line
CUT_MARK = "…"

# What XML 1.0 cannot hold (openpyxl's ILLEGAL_CHARACTERS_RE): C0 controls other than tab, LF and CR.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# What a terminal acts on instead of showing: C0 controls, DEL, C1 controls, and the bidirectional
# overrides and isolates that reorder what is shown.
_TERMINAL_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def workbook_text(value: str) -> str:
    """``value`` as a workbook cell can hold it: each control character XML cannot hold as its control
    picture (U+2400 + code), cut to Excel's cell limit."""
    shown = _XML_ILLEGAL.sub(lambda m: chr(0x2400 + ord(m.group())), value)
    return cut(shown, EXCEL_CELL_LIMIT)


def terminal_text(
    value: object, limit: int | None = TERMINAL_FIELD_LIMIT, *, keep_newlines: bool = False
) -> str:
    """``value`` as a terminal shows it literally: control characters as escapes (``\\x1b``,
    ``\\u202e``), cut to ``limit`` characters (None: not cut). ``keep_newlines`` leaves line breaks
    of a message pingan itself composed."""

    def escaped(match: re.Match) -> str:
        char = match.group()
        if keep_newlines and char == "\n":
            return char
        return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"

    shown = _TERMINAL_CONTROL.sub(escaped, str(value))
    return shown if limit is None else cut(shown, limit)


def cut(text: str, limit: int) -> str:
    """``text`` within ``limit`` characters, the cut marked with an ellipsis."""
    return text if len(text) <= limit else text[: limit - len(CUT_MARK)] + CUT_MARK
