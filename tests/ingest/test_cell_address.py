"""base.cell_address gives what openpyxl gives, and the reading path loads neither openpyxl nor numpy."""

import subprocess
import sys

import pytest
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries

from base.cell_address import column_letter, column_number, range_bounds


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
