"""The few named cell styles every workbook pingan writes shares.

Call ``register(wb)`` once per workbook, then give a cell its look by name (``cell.style = HEADER``):
one style record per workbook instead of style objects per cell, which keeps writing fast and the
workbooks consistent. Names carry a ``pingan.`` prefix so they never clash with Excel's built-in
styles (Title, Input, Note ...).
"""

from __future__ import annotations

from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Protection, Side
from openpyxl.workbook import Workbook

TITLE = "pingan.title"
HEADER = "pingan.header"
LABEL = "pingan.label"
INPUT = "pingan.input"
NOTE = "pingan.note"

FONT_NAME = "宋体"
_THIN = Side(style="thin", color="808080")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def _styles() -> list[NamedStyle]:
    return [
        NamedStyle(
            name=TITLE,
            font=Font(name=FONT_NAME, size=14, bold=True),
            alignment=Alignment(horizontal="center", vertical="center"),
        ),
        NamedStyle(
            name=HEADER,
            font=Font(name=FONT_NAME, size=11, bold=True),
            fill=PatternFill("solid", fgColor="D9E1F2"),
            border=_BOX,
            alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
        ),
        NamedStyle(
            name=LABEL,
            font=Font(name=FONT_NAME, size=11),
            border=_BOX,
            alignment=Alignment(vertical="center"),
        ),
        NamedStyle(
            name=INPUT,
            font=Font(name=FONT_NAME, size=11),
            fill=PatternFill("solid", fgColor="FFF9E5"),
            border=_BOX,
            alignment=Alignment(vertical="center"),
            protection=Protection(locked=False),
        ),
        NamedStyle(
            name=NOTE,
            font=Font(name=FONT_NAME, size=11),
            alignment=Alignment(vertical="top", wrap_text=True),
        ),
    ]


def register(wb: Workbook) -> None:
    """Add the named styles to ``wb`` (idempotent)."""
    present = set(wb.named_styles)
    for style in _styles():
        if style.name not in present:
            wb.add_named_style(style)
