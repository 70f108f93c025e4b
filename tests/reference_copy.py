"""A copy of the catalogue (dbt_project/seeds/) with some values changed, in force for Python and dbt.

Another prefecture replaces these files; here a test changes one value in one file and checks that
every reader follows. dbt is given the folder on its command line (``build_marts(..., reference_dir=
...)``); the fixture ``use_reference`` (tests/conftest.py) makes it the catalogue Python reads for one test.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

from base.settings import DEFAULT_REFERENCE_DIR


class ReferenceCopy:
    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        shutil.copytree(DEFAULT_REFERENCE_DIR, self.folder)

    def change(self, table: str, key_column: str, key: str, **values: str) -> None:
        """Set ``values`` in the row of ``table``.csv whose ``key_column`` is ``key``."""
        path = self.folder / f"{table}.csv"
        with open(path, encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            fields, rows = reader.fieldnames, list(reader)
        (row,) = [r for r in rows if r[key_column] == key]
        row.update(values)
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        path.write_text(out.getvalue(), encoding="utf-8")
