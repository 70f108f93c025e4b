"""The look of every workbook pingan writes: fonts, colours, named styles, number formats, print set-up.

Two families of named styles, each registered once per workbook, then given to cells by name (one style
record per workbook instead of style objects per cell, which keeps writing fast and the look consistent):

- the forms: the submission and targets workbooks counties and the office fill in, and the feedback
  workbook sent back (``add_form_styles``; names carry a ``pingan.`` prefix so they never clash with
  Excel's built-in Title, Input, Note ...);
- the bulletin and its extracts (``add_bulletin_styles``; 通报标题, 通报表头 ...).

Fonts are the official 宋体 (tables, titles) and 仿宋 (running text). An xlsx font is one name, so the
bulletin's fallback is carried by the font record itself: ``charset=134`` (GB2312) and ``family=3`` tell
Excel, WPS and LibreOffice to substitute a Simplified-Chinese serif (e.g. Noto Serif CJK SC, Songti SC)
when the named font is missing. The forms' fonts have always been written without those two fields
(``fallback=False``).

``print_setup`` is the one print set-up: A4, fit to one page wide, the header rows repeated; a bulletin
sheet (``document=True``) also gets the document margins and page numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Protection, Side
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

SERIF = "宋体"
FANGSONG = "仿宋"

# Colours. Excel's own "good" / "bad" / "neutral" pairs, which print legibly in grey too.
GREEN_FILL, GREEN_FONT = "C6EFCE", "006100"
RED_FILL, RED_FONT = "FFC7CE", "9C0006"
GREY_FILL, GREY_FONT = "EDEDED", "595959"
YELLOW_FILL = "FFEB9C"
HEADER_FILL = "DDEBF7"  # bulletin table headers
FORM_HEADER_FILL = "D9E1F2"  # form headers
INPUT_FILL = "FFF9E5"  # the cells a county fills in
FORM_BORDER = "808080"
DARK_RED = "C00000"  # a rejected submission's outcome, the frame of a cell in error
DARK_YELLOW = "BF8F00"  # the frame of a cell with a warning
LINK_BLUE = "0563C1"
BAR_BLUE = "5B9BD5"  # data bars of scores

# Number formats.
FMT_PERCENT = "0.0%"
FMT_INTEGER = "#,##0"
FMT_DECIMAL = "0.00"
FMT_SIGNED = "+0;-0;0"

# Bulletin named styles.
TITLE = "通报标题"
SUBTITLE = "通报副标题"
META = "通报落款"
HEADER = "通报表头"
TEXT = "通报正文"
CENTER = "通报居中"
INTEGER = "通报整数"
DECIMAL = "通报小数"
PERCENT = "通报百分比"
NOTE = "通报说明"
SECTION = "通报小标题"
GROUP = "通报分组行"
OK = "达标"
FAIL = "未达标"
NOT_EVALUATED = "未评价"
NOTE_SIZE = 12  # running text (仿宋) is a size larger than the tables

# Form named styles.
FORM_TITLE = "pingan.title"
FORM_HEADER = "pingan.header"
FORM_LABEL = "pingan.label"
FORM_INPUT = "pingan.input"
FORM_NOTE = "pingan.note"


def font(
    size: float = 11,
    *,
    bold: bool = False,
    name: str = SERIF,
    color: str | None = None,
    underline: str | None = None,
    fallback: bool = True,
) -> Font:
    """A font of the office's documents; ``fallback`` carries the GB2312 serif substitution (above)."""
    if fallback:
        return Font(name=name, size=size, bold=bold, charset=134, family=3, color=color, underline=underline)
    return Font(name=name, size=size, bold=bold, color=color, underline=underline)


def _box(color: str) -> Border:
    side = Side(style="thin", color=color)
    return Border(left=side, right=side, top=side, bottom=side)


_BOX = _box("000000")
_FORM_BOX = _box(FORM_BORDER)
_CENTRED = Alignment(horizontal="center", vertical="center")


def solid(color: str) -> PatternFill:
    return PatternFill("solid", fgColor=color)


# Bulletin ------------------------------------------------------------------------------------------------


def _cell(name: str, fmt: str = "General", horizontal: str | None = None, **font_args) -> NamedStyle:
    return NamedStyle(
        name=name,
        font=font(**font_args),
        border=_BOX,
        number_format=fmt,
        alignment=Alignment(horizontal=horizontal, vertical="center", wrap_text=True),
    )


def _flag(name: str, fill: str, color: str) -> NamedStyle:
    style = _cell(name, horizontal="center", color=color)
    style.fill = solid(fill)
    return style


def _bulletin_styles() -> list[NamedStyle]:
    header = _cell(HEADER, horizontal="center", bold=True)
    header.fill = solid(HEADER_FILL)
    group = _cell(GROUP, bold=True)
    group.fill = solid(GREY_FILL)
    return [
        NamedStyle(name=TITLE, font=font(18, bold=True), alignment=_CENTRED),
        NamedStyle(name=SUBTITLE, font=font(13, name=FANGSONG), alignment=_CENTRED),
        NamedStyle(name=META, font=font(11, name=FANGSONG), alignment=Alignment(vertical="center")),
        NamedStyle(name=SECTION, font=font(12, bold=True), alignment=Alignment(vertical="center")),
        NamedStyle(
            name=NOTE,
            font=font(NOTE_SIZE, name=FANGSONG),
            alignment=Alignment(vertical="top", wrap_text=True),
        ),
        header,
        group,
        _cell(TEXT),
        _cell(CENTER, horizontal="center"),
        _cell(INTEGER, FMT_INTEGER, "right"),
        _cell(DECIMAL, FMT_DECIMAL, "right"),
        _cell(PERCENT, FMT_PERCENT, "right"),
        _flag(OK, GREEN_FILL, GREEN_FONT),
        _flag(FAIL, RED_FILL, RED_FONT),
        _flag(NOT_EVALUATED, GREY_FILL, GREY_FONT),
    ]


def add_bulletin_styles(wb: Workbook) -> None:
    """Add the bulletin's named styles to ``wb`` (idempotent)."""
    _register(wb, _bulletin_styles())


def set_default_font(wb: Workbook) -> None:
    """Make 宋体 11 the workbook's default (Normal) font, on a fresh workbook.

    Column widths are measured in digits of the default font: left as Calibri, LibreOffice (where Calibri
    is missing) measures them in a wider substitute and every fit-to-width sheet prints smaller. openpyxl
    has no public setter: the Normal style's font is font 0 of the workbook's font list.
    """
    default = font()
    wb._fonts = IndexedList([default])
    wb._named_styles["Normal"].font = default


# Forms ---------------------------------------------------------------------------------------------------


def _form_styles() -> list[NamedStyle]:
    middle = Alignment(vertical="center")
    return [
        NamedStyle(name=FORM_TITLE, font=font(14, bold=True, fallback=False), alignment=_CENTRED),
        NamedStyle(
            name=FORM_HEADER,
            font=font(11, bold=True, fallback=False),
            fill=solid(FORM_HEADER_FILL),
            border=_FORM_BOX,
            alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
        ),
        NamedStyle(name=FORM_LABEL, font=font(11, fallback=False), border=_FORM_BOX, alignment=middle),
        NamedStyle(
            name=FORM_INPUT,
            font=font(11, fallback=False),
            fill=solid(INPUT_FILL),
            border=_FORM_BOX,
            alignment=middle,
            protection=Protection(locked=False),
        ),
        NamedStyle(
            name=FORM_NOTE,
            font=font(11, fallback=False),
            alignment=Alignment(vertical="top", wrap_text=True),
        ),
    ]


def add_form_styles(wb: Workbook) -> None:
    """Add the forms' named styles to ``wb`` (idempotent)."""
    _register(wb, _form_styles())


def _register(wb: Workbook, styles: list[NamedStyle]) -> None:
    present = set(wb.named_styles)
    for style in styles:
        if style.name not in present:
            wb.add_named_style(style)


# Print set-up --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Margins:
    """Page margins in inches."""

    left: float
    right: float
    top: float
    bottom: float


DOCUMENT_MARGINS = Margins(left=0.5, right=0.5, top=0.6, bottom=0.7)
PAGE_NUMBERS = "第 &P 页 共 &N 页"


def print_setup(
    ws: Worksheet,
    title_rows: str | None = None,
    *,
    landscape: bool = True,
    document: bool = True,
    centred: bool = True,
    freeze: str | None = None,
    table_ref: str | None = None,
) -> None:
    """A4, fit to one page wide, ``title_rows`` (e.g. '4:4') repeated on every page.

    ``document``: a sheet of the bulletin, printed and filed, with the document margins and page numbers
    in the footer (a form keeps Excel's margins and no footer). ``centred``: centred across the page.
    ``freeze`` (a cell, e.g. 'C5') freezes the panes above and left of it; ``table_ref`` puts an
    auto-filter on the table.
    """
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if centred:
        ws.print_options.horizontalCentered = True
    if document:
        margins = DOCUMENT_MARGINS
        ws.page_margins.left, ws.page_margins.right = margins.left, margins.right
        ws.page_margins.top, ws.page_margins.bottom = margins.top, margins.bottom
        ws.oddFooter.center.text = PAGE_NUMBERS
        ws.oddFooter.center.font = f"{SERIF},Regular"
        ws.oddFooter.center.size = 10
    if title_rows:
        ws.print_title_rows = title_rows
    if freeze:
        ws.freeze_panes = freeze
    if table_ref:
        ws.auto_filter.ref = table_ref
