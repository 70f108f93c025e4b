"""The bulletin's charts, drawn by Excel from cells already on the sheet (so they print and re-plot).

Data labels show the value only: without explicit ``False`` flags LibreOffice also prints the series and
category names ("赫章县; Column C; 100.0"). Lines get distinct colours and markers so units can be told
apart on a black-and-white or colour print.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.chart.text import RichText, Text
from openpyxl.chart.title import Title
from openpyxl.drawing.text import CharacterProperties, Font, Paragraph, ParagraphProperties, RegularTextRun
from openpyxl.worksheet.worksheet import Worksheet

from exports.styles import SERIF  # as the sheets; LibreOffice maps it like the cells' font

# Tableau 10: distinct in colour, still distinguishable by marker when printed in grey.
PALETTE = (
    "4E79A7",
    "F28E2B",
    "E15759",
    "76B7B2",
    "59A14F",
    "EDC948",
    "B07AA1",
    "FF9DA7",
    "9C755F",
    "BAB0AC",
)
MARKERS = ("circle", "square", "triangle", "diamond", "x", "star", "plus", "dash", "dot")
BAR_COLOUR = PALETTE[0]


def _chars(size: float, bold: bool = False) -> CharacterProperties:
    return CharacterProperties(
        sz=int(size * 100), b=bold, latin=Font(typeface=SERIF), ea=Font(typeface=SERIF)
    )


def text_properties(size: float = 9) -> RichText:
    """Font and size for an axis, legend or data labels."""
    chars = _chars(size)
    return RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=chars), endParaRPr=chars)])


def title(text: str, size: float = 12) -> Title:
    """A chart or axis title in the sheets' font (the default is a large sans-serif)."""
    chars = _chars(size, bold=True)
    paragraph = Paragraph(pPr=ParagraphProperties(defRPr=chars), r=[RegularTextRun(rPr=chars, t=text)])
    return Title(tx=Text(rich=RichText(p=[paragraph])), overlay=False)


def _fonts(chart, size: float = 9) -> None:
    for axis in (chart.x_axis, chart.y_axis):
        axis.txPr = text_properties(size)
    if chart.legend is not None:
        chart.legend.txPr = text_properties(size)


def value_labels(number_format: str = "0.0") -> DataLabelList:
    """Data labels with the value alone (no series name, category name, legend key or percentage)."""
    labels = DataLabelList()
    labels.numFmt = number_format
    labels.showVal = True
    labels.showSerName = False
    labels.showCatName = False
    labels.showLegendKey = False
    labels.showPercent = False
    labels.showBubbleSize = False
    labels.showLeaderLines = False
    labels.txPr = text_properties(9)
    return labels


def axis_floor(values: Iterable[float | None], step: float = 10, top: float = 100) -> float:
    """A y-axis minimum a little below the lowest value, on a multiple of ``step`` (0 when no values)."""
    known = [v for v in values if v is not None]
    if not known:
        return 0
    return max(0.0, min(top - step, math.floor((min(known) - step / 2) / step) * step))


def score_bar_chart(
    ws: Worksheet,
    *,
    label_col: int,
    value_col: int,
    first_row: int,
    last_row: int,
    anchor: str,
    caption: str = "综合得分",
    width: float = 22,
) -> BarChart:
    """Horizontal bars of the composite score, first-ranked on top, 0-100 axis, values labelled."""
    chart = BarChart()
    chart.type = "bar"
    chart.title = title(caption)
    chart.style = 10
    chart.legend = None
    data = Reference(ws, min_col=value_col, min_row=first_row, max_row=last_row)
    labels = Reference(ws, min_col=label_col, min_row=first_row, max_row=last_row)
    chart.add_data(data, titles_from_data=False)
    chart.set_categories(labels)
    series = chart.series[0]
    series.graphicalProperties.solidFill = BAR_COLOUR
    series.graphicalProperties.line.solidFill = BAR_COLOUR
    series.dLbls = value_labels("0.0")
    chart.gapWidth = 60
    chart.x_axis.scaling.orientation = "maxMin"  # categories top-down in table order
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 100
    chart.y_axis.majorUnit = 10
    chart.y_axis.number_format = "0"
    chart.y_axis.majorGridlines = None
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    _fonts(chart, 10)
    chart.height = max(7.0, 0.75 * (last_row - first_row + 1) + 2.5)
    chart.width = width
    ws.add_chart(chart, anchor)
    return chart


def trend_line_chart(
    ws: Worksheet,
    *,
    data_ref: Reference,
    categories: Reference,
    anchor: str,
    caption: str,
    y_title: str,
    from_rows: bool = False,
    y_min: float | None = None,
    y_max: float | None = None,
    reverse: bool = False,
    width: float = 24,
    height: float = 9,
) -> LineChart:
    """One line per series (titles from the first cell of each row or column of ``data_ref``).

    ``reverse`` puts small values on top (ranks: 1st at the top) and keeps the months along the bottom.
    """
    chart = LineChart()
    chart.title = title(caption)
    chart.add_data(data_ref, titles_from_data=True, from_rows=from_rows)
    chart.set_categories(categories)
    chart.y_axis.title = title(y_title, 9)
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.y_axis.number_format = "0"
    if y_min is not None:
        chart.y_axis.scaling.min = y_min
    if y_max is not None:
        chart.y_axis.scaling.max = y_max
    if reverse:
        chart.y_axis.scaling.orientation = "maxMin"
        chart.x_axis.crosses = "max"  # with the value axis reversed, "max" is the bottom edge
        chart.y_axis.majorUnit = 1
    for i, series in enumerate(chart.series):
        colour = PALETTE[i % len(PALETTE)]
        series.graphicalProperties.line.solidFill = colour
        series.graphicalProperties.line.width = 22000  # EMU, about 1.75 pt
        series.marker.symbol = MARKERS[i % len(MARKERS)]
        series.marker.size = 6
        series.marker.graphicalProperties = GraphicalProperties(solidFill=colour)
        series.marker.graphicalProperties.line.solidFill = colour
        series.smooth = False
    if len(chart.series) == 1:
        chart.legend = None
    else:
        chart.legend.position = "r"
    _fonts(chart)
    chart.height = height
    chart.width = width
    ws.add_chart(chart, anchor)
    return chart
