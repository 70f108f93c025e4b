"""What the readers hide, found in a workbook's XML (ingest.sheet_parts, cell_flags, cell_formats): the
byte searches that skip most parts must never skip one that holds a formula without its result, an
error value or a percentage format, however the XML spells it."""

import zipfile

from ingest.cell_flags import FORMULA_WITHOUT_VALUE, flagged_cells
from ingest.cell_formats import percent_cells
from ingest.sheet_parts import SheetParts, read_sheet_parts, sheet_members
from tests.ingest.workbooks import write_report

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def sheet(cells: str, prefix: str = "") -> bytes:
    tag = f"{prefix}:" if prefix else ""
    xmlns = NS.replace("xmlns=", f"xmlns:{prefix}=") if prefix else NS
    return f"<{tag}worksheet {xmlns}><{tag}sheetData><{tag}row r='1'>{cells}</{tag}row></{tag}sheetData></{tag}worksheet>".encode()


def styles(num_fmts: str, xfs: str) -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><styleSheet {NS}><numFmts>{num_fmts}</numFmts>'
        f"<cellXfs>{xfs}</cellXfs></styleSheet>"
    )


PLAIN_AND_SECOND = '<xf numFmtId="0"/><xf numFmtId="{}"/>'
A_FRACTION_IN_STYLE_1 = sheet('<c r="D19" s="1"><v>0.9235</v></c><c r="D20" s="0"><v>0.5</v></c>')


def test_a_percentage_format_is_found_however_the_styles_spell_it():
    spellings = {
        "built-in 0%": styles("", PLAIN_AND_SECOND.format(9)),
        "built-in 0.00%": styles("", PLAIN_AND_SECOND.format(10)),
        "own format": styles('<numFmt numFmtId="164" formatCode="0.0%"/>', PLAIN_AND_SECOND.format(164)),
        "% as a character reference": styles(
            '<numFmt numFmtId="164" formatCode="0.0&#37;"/>', PLAIN_AND_SECOND.format(164)
        ),
        "id as a character reference": styles("", PLAIN_AND_SECOND.format("&#49;0")),
    }
    for how, text in spellings.items():
        for encoding in ("utf-8", "utf-16"):
            data = text.replace("UTF-8", encoding.upper()).encode(encoding)
            found = percent_cells(SheetParts({"指标填报": A_FRACTION_IN_STYLE_1}, data))
            assert found == {"指标填报": frozenset({"D19"})}, (how, encoding)


def test_no_percentage_format_finds_nothing():
    quoted_percent = styles('<numFmt numFmtId="164" formatCode="0.0&quot;%&quot;"/>', '<xf numFmtId="164"/>')
    for data in (b"", styles("", PLAIN_AND_SECOND.format(3)).encode(), quoted_percent.encode()):
        assert percent_cells(SheetParts({"指标填报": A_FRACTION_IN_STYLE_1}, data)) == {}
    assert percent_cells(None) == {}


def test_formulas_without_results_and_error_values_are_found_with_or_without_a_prefix():
    cells = (
        '<{p}c r="D14"><{p}f>SUM(D40:D41)</{p}f></{p}c>'  # never calculated
        '<{p}c r="D15"><{p}f>SUM(D40:D41)</{p}f><{p}v>3</{p}v></{p}c>'  # calculated: its value is read
        '<{p}c r="D16" t="e"><{p}v>#DIV/0!</{p}v></{p}c>'
        '<{p}c r="D17"><{p}f t="shared" si="0"/></{p}c>'
        '<{p}c r="D18"><{p}v>1</{p}v></{p}c>'
    )
    expected = {"D14": FORMULA_WITHOUT_VALUE, "D16": "#DIV/0!", "D17": FORMULA_WITHOUT_VALUE}
    alone = ("<{p}f>SUM(D40:D41)</{p}f>", '<{p}f t="shared" si="0"/>', "<{p}f\n>A1</{p}f>", "<{p}f/>")
    validation = '<{p}dataValidations><{p}dataValidation><{p}formula1>"是,否"</{p}formula1></{p}dataValidation></{p}dataValidations>'
    for prefix in ("", "x"):
        p = f"{prefix}:" if prefix else ""
        xml = sheet(cells.format(p=p), prefix)
        assert flagged_cells(SheetParts({"指标填报": xml, "空表": sheet("")}, b"")) == {"指标填报": expected}
        for formula in alone:  # a sheet whose only formula is this one, however its tag ends
            xml = sheet(f'<{p}c r="D14">{formula.format(p=p)}</{p}c>' + validation.format(p=p), prefix)
            assert flagged_cells(SheetParts({"指标填报": xml}, b"")) == {
                "指标填报": {"D14": FORMULA_WITHOUT_VALUE}
            }


def test_a_written_workbook_gives_its_sheets_in_order_and_other_files_give_none(tmp_path):
    parts = read_sheet_parts(write_report(tmp_path / "r.xlsx"))
    assert list(parts.sheets) == ["基本信息", "指标填报", "乡镇明细"]
    assert all(data.lstrip().startswith(b"<") for data in parts.sheets.values())
    assert parts.styles.startswith(b"<")
    (tmp_path / "r.csv").write_text("a,b\n")
    assert read_sheet_parts(tmp_path / "r.csv") is None
    (tmp_path / "fake.xlsx").write_bytes(b"not a zip")
    assert read_sheet_parts(tmp_path / "fake.xlsx") is None


def damaged_copy(written, folder, member_of):
    """A stored (uncompressed) copy of ``written`` with one bit of one part flipped, so that part's CRC
    no longer matches; ``member_of(archive)`` names the part."""
    damaged = folder / "damaged.xlsx"
    with zipfile.ZipFile(written) as source, zipfile.ZipFile(damaged, "w", zipfile.ZIP_STORED) as target:
        for item in source.infolist():
            target.writestr(item.filename, source.read(item.filename))
    with zipfile.ZipFile(damaged) as archive:
        part = archive.getinfo(member_of(archive))
    stored_at = part.header_offset + 30 + len(part.filename.encode()) + len(part.extra)  # after its header
    data = bytearray(damaged.read_bytes())
    data[stored_at + part.file_size // 2] ^= 0x01
    damaged.write_bytes(bytes(data))
    return damaged


def test_a_worksheet_part_that_cannot_be_inflated_is_left_out_and_the_others_are_read(tmp_path):
    written = write_report(tmp_path / "r.xlsx")
    damaged = damaged_copy(written, tmp_path, lambda archive: sheet_members(archive)["乡镇明细"])

    parts = read_sheet_parts(damaged)
    assert list(parts.sheets) == ["基本信息", "指标填报"]
    assert parts.sheets["指标填报"] == read_sheet_parts(written).sheets["指标填报"]


def test_a_styles_part_that_cannot_be_inflated_leaves_no_percentage_and_every_sheet_read(tmp_path):
    written = write_report(tmp_path / "r.xlsx")
    damaged = damaged_copy(written, tmp_path, lambda archive: "xl/styles.xml")

    parts = read_sheet_parts(damaged)
    assert parts.styles == b""
    assert parts.sheets == read_sheet_parts(written).sheets
