"""A published March 2022 bulletin on the fixture warehouse (tests/exports/bulletin_fixture.py), for the 公文.

The fixture's marts pin a tie (大方县 and 金沙县 3rd), a veto (赫章县), a late report (纳雍县 March), a
returned one (威宁县 March) and yellow cards. Added here: one validation rule (CON08, 乡镇明细合计与指标填报
不一致) found in three files since January, so the notice has a recurring problem to name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
from docx import Document

from exports.bulletin import publish_bulletin
from tests.exports.bulletin_fixture import build_fixture_warehouse, submission_sha

PERIOD = "2022-03"
AS_OF = "2022-04-08T09:30:00"
RECURRING = (
    (
        submission_sha("522401", "2022-01", 1),
        "522401",
        "2022-01",
        "乡镇明细「调解民间纠纷数」合计 310，与指标填报的 312 不一致",
    ),
    (
        submission_sha("522425", "2022-02", 1),
        "522425",
        "2022-02",
        "乡镇明细「调解成功数」合计 201，与指标填报的 210 不一致",
    ),
    (
        submission_sha("522425", "2022-03", 1),
        "522425",
        "2022-03",
        "乡镇明细「平安村(社区)数」合计 88，与指标填报的 90 不一致",
    ),
)


@dataclass(frozen=True)
class Published:
    warehouse: Path
    out_dir: Path
    register_dir: Path


def build_published(folder: Path) -> Published:
    """The fixture warehouse with the recurring finding, and its March bulletin published (no PDF)."""
    warehouse = build_fixture_warehouse(folder / "warehouse.duckdb")
    con = duckdb.connect(str(warehouse))
    con.executemany(
        "insert into marts.fct_validation_findings values (?, ?, ?, 1, ?, 'CON08', 'warning', '乡镇明细', "
        "'B30', 'D02', null, ?, '请核对乡镇明细与指标填报')",
        [(sha_, unit, month, f"{unit}_{month}.xlsx", message) for sha_, unit, month, message in RECURRING],
    )
    con.close()
    out = folder / "reports" / PERIOD
    publish_bulletin(warehouse, PERIOD, out, as_of=AS_OF, pdf=False)
    return Published(warehouse, out, folder / "notices")


def rows(warehouse: Path, sql: str, params: list | tuple = ()) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def paragraphs(docx: Path) -> list:
    return Document(str(docx)).paragraphs


def body_text(docx: Path) -> dict[str, str]:
    """The body's paragraphs by the heading they fall under (开头 under '', 一、基本情况 …), joined."""
    sections: dict[str, list[str]] = {"": []}
    current = ""
    for paragraph in paragraphs(docx):
        text = paragraph.text
        if re.match(r"^[一二三四五六七八九十]+、", text) and paragraph.style.name == "公文一级标题":
            current = text
            sections[current] = []
        else:
            sections[current].append(text)
    return {heading: "\n".join(texts) for heading, texts in sections.items()}
