"""base.cell_address gives what openpyxl gives; the precheck reads a sheet's declared extent with it (and
refuses one no workbook can have); the reading path loads neither openpyxl nor numpy."""

import re
import subprocess
import sys
import zipfile

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries

from base.cell_address import column_letter, column_number, range_bounds
from base.settings import Limits
from ingest.precheck import precheck


def test_every_column_letter_is_openpyxls():
    for number in range(1, 18_279):
        assert column_letter(number) == get_column_letter(number), number
        assert column_number(column_letter(number)) == number


@pytest.mark.parametrize("number", [0, -1, 18_279])
def test_a_column_number_outside_three_letters_is_refused(number):
    with pytest.raises(ValueError):
        column_letter(number)


@pytest.mark.parametrize(
    "ref", ["A1", "B2:D17", "A1:XFD1048576", "C3:C3", "AA10:ZZ99", "$A$1:$C$3", "d4:f9", "XFD1048576"]
)
def test_range_bounds_are_openpyxls(ref):
    assert range_bounds(ref) == range_boundaries(ref if ":" in ref else f"{ref}:{ref}")


@pytest.mark.parametrize("ref", ["", "A", "1", "A1:B2:C3", "AAAA1", "A1:", "A-1"])
def test_what_is_not_a_range_is_refused(ref):
    with pytest.raises(ValueError):
        range_bounds(ref)


def test_the_reader_task_imports_neither_openpyxl_nor_numpy():
    """A reader worker starts for every batch and every upload: its imports are its start-up."""
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, ingest.sandbox; print(sorted({'openpyxl', 'numpy'} & set(sys.modules)))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert loaded == "[]"


@pytest.mark.parametrize(
    ("declared", "reason"), [("A1:AAAA5", "范围无效"), ("A1:XFD1048576", "范围过大"), ("A1:C9", None)]
)
def test_the_precheck_refuses_a_sheet_declaring_an_extent_no_workbook_can_have(tmp_path, declared, reason):
    """A forged ``<dimension>`` with four column letters is refused in words, not with an error."""
    plain = tmp_path / "plain.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = 1
    workbook.save(plain)
    forged = tmp_path / "forged.xlsx"
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(forged, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{declared}"'.encode(), data)
            target.writestr(item, data)
    refused = precheck(forged, Limits())
    assert refused is None if reason is None else reason in refused
