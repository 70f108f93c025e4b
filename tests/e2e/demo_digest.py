"""A fingerprint of what ``pingan demo`` produces: every mart column and every bulletin cell.

Used by ``test_demo_output_is_unchanged``: a refactoring must give the same marts and the same bulletin
cell values as before. Columns are hashed one by one (rows in a fixed order), so a column added later
does not disturb the columns that were there, and a difference names its table and column. Left out:
times that depend on the moment of the run (ingestion, publication), and fingerprints of files
(sha256 digests of the input workbooks and of the configuration files), which change whenever the demo
generator's template text or a configuration file does, while every figure stays the same.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import duckdb
import openpyxl

# Columns that record when the demo ran, not what it computed.
RUN_TIME_COLUMNS = {"ingested_at", "built_at", "published_at", "as_of"}
# Columns holding fingerprints of the input workbooks (sha256, counted_sha256): they change whenever the
# template's text does (its 填报说明 lists the header names the reader accepts), every figure unchanged.
FINGERPRINT_SUFFIX = "sha256"
_STAMP = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}|\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?")
_DIGEST = re.compile(r"(?<![0-9a-f])[0-9a-f]{12,64}(?![0-9a-f])")


def _hash(values: list[str]) -> str:
    return hashlib.sha256("\x1f".join(values).encode()).hexdigest()[:16]


def _text(value: object) -> str:
    if isinstance(value, float):
        return repr(round(value, 9))
    return "" if value is None else str(value)


def marts_digest(warehouse: Path) -> dict[str, dict[str, str]]:
    """{table: {column: hash}} for every table of schema ``marts``."""
    digest: dict[str, dict[str, str]] = {}
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        tables = [
            t
            for (t,) in connection.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        for table in tables:
            cursor = connection.execute(f"select * from marts.{table}")
            names = [d[0] for d in cursor.description]
            rows = sorted(tuple(_text(v) for v in row) for row in cursor.fetchall())
            digest[table] = {
                name: _hash([row[i] for row in rows])
                for i, name in enumerate(names)
                if name not in RUN_TIME_COLUMNS and not name.endswith(FINGERPRINT_SUFFIX)
            }
    return digest


def bulletin_digest(workbook: Path) -> dict[str, str]:
    """{sheet: hash of its cell values}; dates and times of the run replaced by a placeholder."""
    wb = openpyxl.load_workbook(workbook, read_only=True)
    digest = {}
    for ws in wb.worksheets:
        cells = []
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                text = _text(cell.value)
                if isinstance(cell.value, str):
                    text = _DIGEST.sub("<sha256>", _STAMP.sub("<time>", text))
                if hasattr(cell.value, "year"):
                    text = "<time>"
                cells.append(f"{cell.coordinate}={text}")
        digest[ws.title] = _hash(cells)
    wb.close()
    return digest


def demo_digest(home: Path) -> dict:
    reports = sorted(home.glob("reports/*/*.xlsx"))
    return {
        "marts": marts_digest(home / "warehouse.duckdb"),
        "bulletins": {f"{p.parent.name}/{p.name}": bulletin_digest(p) for p in reports},
    }


if __name__ == "__main__":
    import sys

    print(json.dumps(demo_digest(Path(sys.argv[1])), ensure_ascii=False, indent=1, sort_keys=True))
