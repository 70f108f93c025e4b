"""The layout a copy of a county's sheet keeps (ingest.sheet_layout), from sheet XML as Excel, WPS and
other programs write it, and as a hostile file might: a merge over the whole sheet, overlapping merges,
a <col> to the last column, thousands of them."""

from __future__ import annotations

import time

from ingest.sheet_layout import MAX_MERGED_CELLS, sheet_layouts
from ingest.sheet_parts import SheetParts

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
STYLES = f"""<styleSheet {NS}>
<numFmts count="1"><numFmt numFmtId="164" formatCode="#,##0.0&quot;件&quot;"/></numFmts>
<cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="10"/><xf numFmtId="31"/></cellXfs>
</styleSheet>""".encode()


def _layout(sheet_xml: str, styles: bytes = STYLES):
    return sheet_layouts(SheetParts({"表": sheet_xml.encode()}, styles))["表"]


def test_formats_widths_heights_merges_and_pane():
    layout = _layout(
        f"""<worksheet {NS}><sheetViews><sheetView><pane xSplit="1" ySplit="2" topLeftCell="B3"
        state="frozen"/></sheetView></sheetViews><cols><col min="2" max="3" width="21.5" customWidth="1"/>
        </cols><sheetData><row r="1" ht="28" customHeight="1"><c r="A1" t="s"><v>0</v></c></row>
        <row r="2"><c r="A2" s="1"><v>5</v></c><c r="B2" s="2"><v>0.5</v></c><c r="C2" s="3"><v>1</v></c>
        <c r="D2" s="0"><v>1</v></c></row></sheetData>
        <mergeCells count="1"><mergeCell ref="A1:D1"/></mergeCells></worksheet>"""
    )
    # a declared format; a built-in one by id; an id with no built-in code (31) reads as General
    assert layout.number_formats == {"A2": '#,##0.0"件"', "B2": "0.00%"}
    assert layout.column_widths == {2: 21.5, 3: 21.5}
    assert layout.row_heights == {1: 28.0}
    assert layout.merged == ((1, 1, 4, 1),)
    assert layout.frozen_at == "B3" and layout.max_column == 4


def test_rows_and_cells_without_addresses_follow_the_last_one_and_prefixes_are_read():
    layout = _layout(
        """<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>
        <x:row ht="20"><x:c s="1"><x:v>1</x:v></x:c><x:c/><x:c s="2"><x:v>2</x:v></x:c></x:row>
        <x:row r="5"><x:c r="B5" s="1"/><x:c s="1"/></x:row><x:row><x:c s="2"/></x:row></x:sheetData>
        </x:worksheet>"""
    )
    assert layout.number_formats == {
        "A1": '#,##0.0"件"',
        "C1": "0.00%",
        "B5": '#,##0.0"件"',
        "C5": '#,##0.0"件"',
        "A6": "0.00%",
    }
    assert layout.row_heights == {1: 20.0} and layout.max_column == 3


def test_a_column_range_to_the_last_column_stops_at_the_last_cell():
    columns = '<col min="1" max="16384" width="9"/>' * 5_000  # thousands of <col> to the end: bounded
    started = time.monotonic()
    layout = _layout(
        f'<worksheet {NS}><cols>{columns}</cols><sheetData><row r="1"><c r="C1"/></row></sheetData></worksheet>'
    )
    assert layout.column_widths == {1: 9.0, 2: 9.0, 3: 9.0}
    assert time.monotonic() - started < 2


def test_merges_that_overlap_cover_the_sheet_or_are_not_ranges_are_left_out():
    refs = ["A1:B2", "B2:C3", "A1:XFD1048576", "A:A", "3:3", "C9", "A0:B1", "ZZZZ1:ZZZZ2", "D4:D5", "D4:E4"]
    merges = "".join(f'<mergeCell ref="{ref}"/>' for ref in refs)
    started = time.monotonic()
    layout = _layout(f"<worksheet {NS}><sheetData/><mergeCells>{merges}</mergeCells></worksheet>")
    assert layout.merged == ((1, 1, 2, 2), (4, 4, 4, 5))
    assert time.monotonic() - started < 2


def test_merged_ranges_cover_a_bounded_number_of_cells():
    side = 100  # 10,000 cells a merge: only MAX_MERGED_CELLS of them in all
    merges = "".join(
        f'<mergeCell ref="A{1 + i * side}:CV{(i + 1) * side}"/>'
        for i in range(2 * MAX_MERGED_CELLS // side**2)
    )
    layout = _layout(f"<worksheet {NS}><sheetData/><mergeCells>{merges}</mergeCells></worksheet>")
    assert len(layout.merged) == MAX_MERGED_CELLS // side**2


def test_odd_values_are_ignored():
    layout = _layout(
        f"""<worksheet {NS}><sheetViews><sheetView><pane topLeftCell="A1"/></sheetView></sheetViews>
        <cols><col min="x" max="2" width="9"/><col min="1" max="1" width="-3"/><col min="2" width="1e9"/></cols>
        <sheetData><row r="nan" ht="inf"><c r="A1" s="99"/></row></sheetData></worksheet>""",
        styles=b"<styleSheet><not xml",
    )
    assert layout.column_widths == {} and layout.row_heights == {} and layout.number_formats == {}
    assert layout.frozen_at is None and layout.max_column == 1


def test_other_files_have_no_layout():
    assert sheet_layouts(None) == {}


def test_cells_and_rows_counted_past_the_last_column_and_row_are_left_out():
    cells = '<c r="XFD1" s="1"/>' + '<c s="1"/>' * 3  # a hostile file's positional cells after XFD
    rows = '<row r="1048576" ht="20"/><row ht="30"/>'  # and a row after the last
    layout = _layout(f'<worksheet {NS}><sheetData><row r="1">{cells}</row>{rows}</sheetData></worksheet>')
    assert layout.number_formats == {"XFD1": '#,##0.0"件"'} and layout.max_column == 16_384
    assert layout.row_heights == {1_048_576: 20.0}
