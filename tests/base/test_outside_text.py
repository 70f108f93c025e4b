"""Text from outside is shown, never acted on: control characters as control pictures in a workbook, as
escapes on a terminal; long values cut with a mark."""

from base.outside_text import EXCEL_CELL_LIMIT, terminal_text, workbook_text


def test_a_workbook_shows_each_control_character_xml_cannot_hold_as_its_picture():
    assert workbook_text("ctl\x07bell\x1b[31m\x00end") == "ctl␇bell␛[31m␀end"
    assert workbook_text("行一\n行二\t列\r") == "行一\n行二\t列\r"  # what XML holds stays as it is


def test_a_workbook_cell_is_cut_to_excels_limit_with_a_mark():
    shown = workbook_text("甲" * (EXCEL_CELL_LIMIT + 10))
    assert len(shown) == EXCEL_CELL_LIMIT and shown.endswith("…")
    assert workbook_text("甲" * EXCEL_CELL_LIMIT) == "甲" * EXCEL_CELL_LIMIT


def test_a_terminal_sees_escapes_not_controls():
    assert (
        terminal_text("a\x1b[2Jb\x07\x7f\x9b\u202eevil.xlsx") == "a\\x1b[2Jb\\x07\\x7f\\x9b\\u202eevil.xlsx"
    )
    assert terminal_text("一\n二") == "一\\x0a二"
    assert terminal_text("一\n二\x1b", limit=None, keep_newlines=True) == "一\n二\\x1b"


def test_a_long_value_is_cut_on_a_terminal():
    assert terminal_text("x" * 500, limit=20) == "x" * 19 + "…"
    assert terminal_text("大方县_2022年1月.xlsx", limit=20) == "大方县_2022年1月.xlsx"
