"""The bulletin's two charts, drawn by Excel from cells already on the sheet (so they print and re-plot)."""

from __future__ import annotations

from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.worksheet.worksheet import Worksheet


def score_bar_chart(
    ws: Worksheet,
    *,
    label_col: int,
    value_col: int,
    first_row: int,
    last_row: int,
    anchor: str,
    title: str = "综合得分",
) -> BarChart:
    """Horizontal bars of the composite score, first-ranked on top, 0-100 axis, values labelled."""
    chart = BarChart()
    chart.type = "bar"
    chart.title = title
    chart.style = 10
    chart.legend = None
    data = Reference(ws, min_col=value_col, min_row=first_row, max_row=last_row)
    labels = Reference(ws, min_col=label_col, min_row=first_row, max_row=last_row)
    chart.add_data(data, titles_from_data=False)
    chart.set_categories(labels)
    chart.x_axis.scaling.orientation = "maxMin"  # categories top-down in table order
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 100
    chart.y_axis.majorGridlines = None
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.dataLabels = DataLabelList()
    chart.dataLabels.showVal = True
    chart.height = max(7.0, 0.8 * (last_row - first_row + 1) + 2)
    chart.width = 22
    ws.add_chart(chart, anchor)
    return chart


def trend_line_chart(
    ws: Worksheet,
    *,
    header_row: int,
    first_col: int,
    last_col: int,
    first_row: int,
    last_row: int,
    anchor: str,
    title: str,
    y_title: str,
    reverse: bool = False,
) -> LineChart:
    """One line per column (series titles from ``header_row``), months down the rows in column A."""
    chart = LineChart()
    chart.title = title
    chart.style = 12
    data = Reference(ws, min_col=first_col, max_col=last_col, min_row=header_row, max_row=last_row)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=first_row, max_row=last_row))
    chart.y_axis.title = y_title
    chart.x_axis.title = "月份"
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    if reverse:
        chart.y_axis.scaling.orientation = "maxMin"
    for series in chart.series:
        series.marker.symbol = "circle"
        series.smooth = False
    chart.height = 9
    chart.width = 24
    ws.add_chart(chart, anchor)
    return chart
