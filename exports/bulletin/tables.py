"""A published bulletin's tables as the workbook shows them, written beside it for screens.

Leaders read a published bulletin's 综合排名, its indicator league tables and the year's trend on the
county portal's page. That page must show what the workbook shows, and only what was published: the
warehouse moves on after publication (a late report, a correction). So when a workbook is written its
tables are written too, from the same data and the same cells (``sheets.ranking_cells``,
``sheets.league_cells``), as the text each cell displays under its number format, into
``<stem>.tables.json`` beside the workbook. The page reads that file and nothing else.
"""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path

from base.calendar import month_label
from exports.bulletin.data import BulletinData
from exports.bulletin.sheets import (
    BLOCK_HEADERS,
    RANKING_HEADERS,
    _league_tables,
    _league_title,
    league_cells,
    league_mean_cells,
    ranking_cells,
    unranked_cells,
    unranked_units,
)
from exports.json_file import write_json_file

TABLES_SUFFIX = ".tables.json"
SCORE_FORMAT = "0.0"  # 得分走势 shows scores as 综合排名 does


@lru_cache(maxsize=1 << 16, typed=True)  # a national bulletin's tables repeat the same few thousand values
def shown(value: object, number_format: str | None = None) -> str:
    """The text a cell holding ``value`` displays under ``number_format`` (the formats the bulletin
    uses: digits after the point, thousands separators, percent, a sign; Excel rounds halves up)."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal) or not number_format:
        return str(value)
    sections = number_format.split(";")
    number = Decimal(repr(float(value))) if isinstance(value, float) else Decimal(value)
    if number < 0 and len(sections) > 1:
        section, number = sections[1], -number
    elif number == 0 and len(sections) > 2:
        section = sections[2]
    else:
        section = sections[0]
    percent = "%" in section
    if percent:
        number *= 100
    digits = section.split(".")[1] if "." in section else ""
    places = sum(c == "0" for c in digits)
    rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{rounded:,.{places}f}" if "," in section else f"{rounded:.{places}f}"
    sign = "+" if section.startswith("+") else "-" if section.startswith("-") else ""
    return f"{sign}{text}{'%' if percent else ''}"


def published_tables(data: BulletinData, file_name: str) -> dict:
    """综合排名, the league tables and the trend of ``data``, each cell as the workbook displays it."""
    ranking = [[shown(v, fmt) for v, _, fmt in ranking_cells(s)] for s in data.scores]
    ranking += [[shown(v) for v in unranked_cells(u)] for u in unranked_units(data)]
    leagues = []
    for number, rows in enumerate(_league_tables(data.rankings), start=1):
        leagues.append(
            {
                "title": _league_title(number, rows[0]),
                "per_10k": rows[0]["rank_basis"] == "per_10k",
                "rows": [[shown(v, fmt) for v, _, fmt in league_cells(r)] for r in rows],
                "mean": [shown(v, fmt) for v, _, fmt in league_mean_cells(rows[0])],
            }
        )
    months = data.period.scope_months
    trended = {t["unit_code"] for t in data.trend}
    cells = {(t["period"], t["unit_code"]): t for t in data.trend}
    trend = [
        {
            "unit_name": unit["unit_name"],
            "scores": [
                shown((cells.get((m, unit["unit_code"])) or {}).get("score"), SCORE_FORMAT) for m in months
            ],
            "ranks": [shown((cells.get((m, unit["unit_code"])) or {}).get("rank")) for m in months],
        }
        for unit in data.units
        if unit["unit_code"] in trended
    ]
    return {
        "file": file_name,
        "period": data.period.key,
        "period_label": data.period.label,
        "basis": data.period.basis,
        "ranking": {"headers": list(RANKING_HEADERS), "rows": ranking},
        "leagues": {"headers": list(BLOCK_HEADERS), "tables": leagues},
        "trend": {"months": [month_label(m) for m in months], "rows": trend},
    }


def tables_path(workbook: Path) -> Path:
    return workbook.with_name(workbook.stem + TABLES_SUFFIX)


def write_tables(workbook: Path, data: BulletinData) -> Path:
    """Write the tables of the workbook just written from ``data`` beside it."""
    return write_json_file(tables_path(workbook), published_tables(data, workbook.name))


def read_tables(workbook: Path) -> dict | None:
    """The tables written beside ``workbook`` (None for a bulletin published before they were)."""
    try:
        return json.loads(tables_path(workbook).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
