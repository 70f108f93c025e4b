"""Cells the bulletin writer places itself (``layout.put``) are the cells openpyxl's own calls would make."""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import Workbook

from exports import styles as st
from exports.bulletin import layout


def _sheet():
    wb = Workbook()
    st.add_bulletin_styles(wb)
    return wb.active


def _made_by_openpyxl(ws, row, column, value, style, fmt=None):
    """What ``put`` did before it placed cells itself: openpyxl's cell, value, named style, format."""
    cell = ws.cell(row=row, column=column)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    cell.style = style
    if fmt:
        cell.number_format = fmt
    return cell


@pytest.mark.parametrize(
    ("value", "fmt"),
    [
        ("大方县", None),
        ("=SUM(A1:A2)", None),
        (3, None),
        (2.5, "0.0"),
        (True, None),
        (None, None),
        (date(2022, 3, 31), "yyyy-mm-dd"),
        (date(2022, 3, 31), None),
    ],
)
def test_a_placed_cell_equals_the_cell_openpyxl_makes(value, fmt):
    ws = _sheet()
    placed = layout.put(ws, 5, 3, value, st.DECIMAL, fmt)
    expected = _made_by_openpyxl(ws, 6, 3, value, st.DECIMAL, fmt)
    assert ws.cell(row=5, column=3) is placed and ws.max_row == 6
    assert (placed.value, placed.data_type) == (expected.value, expected.data_type)
    assert placed.style == st.DECIMAL and placed.number_format == expected.number_format
    assert placed.style_id == expected.style_id


def test_county_text_is_kept_as_text_with_control_characters_shown():
    ws = _sheet()
    assert layout.put(ws, 1, 1, '=HYPERLINK("x")').data_type == "s"
    assert layout.put(ws, 1, 2, "铃\x07声").value == "铃␇声"
    assert layout.put(ws, 1, 3, "x" * 40_000).value.endswith("…")


def test_a_cell_already_there_is_written_and_a_merged_block_refuses_a_value():
    ws = _sheet()
    layout.put(ws, 2, 1, "旧", st.HEADER)
    again = layout.put(ws, 2, 1, 7, st.CENTER)
    assert (again.value, again.data_type, again.style) == (7, "n", st.CENTER)
    layout.merge(ws, 3, 1, 3)
    with pytest.raises(AttributeError):
        layout.put(ws, 3, 2, "覆盖")


def test_fitting_rows_and_columns_adds_no_cells_and_raises_wrapped_rows():
    ws = _sheet()
    layout.put(ws, 1, 1, "短")
    layout.put(ws, 4, 5, "长" * 60)  # rows 2-3 and columns B-D hold nothing
    cells = dict(ws._cells)
    layout.fit_columns(ws, 1, maximum=20)
    assert ws._cells == cells
    assert ws.column_dimensions["E"].width == 20
    assert ws.row_dimensions[4].height == 15 * layout.text_lines("长" * 60, 20) + 3 > 15
    assert 1 not in ws.row_dimensions or ws.row_dimensions[1].height is None
