"""What a bulletin says of approval, and the tables it leaves for screens, read back from the files.

The manifest records each version's approval state (the county portal's steps, given by whoever
publishes); 填报情况 shows it per unit once approval is in use, and says nothing of it before. The
tables beside the workbook (what the leaders' page shows) are the workbook's cells as they display:
each is compared with the cell's own value under its own number format."""

from __future__ import annotations

import json
import re

import openpyxl
import pytest

from base.approvals import ACCEPT, RETURN, SIGN_OFF, Step, fold
from exports.bulletin import write_bulletin
from exports.bulletin.sheets import BLOCK_HEADERS, RANKING_HEADERS
from exports.bulletin.tables import read_tables
from tests.exports.bulletin_fixture import build_fixture_warehouse, submission_sha

AS_OF = "2022-04-08T09:30:00"
DAFANG, JINSHA, HEZHANG = "522422", "522424", "522428"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    return build_fixture_warehouse(tmp_path_factory.mktemp("wh") / "warehouse.duckdb")


def steps() -> list[Step]:
    def step(action: str, unit: str, at: str, by: str, note: str | None = None) -> Step:
        return Step(action, unit, "2022-03", 1, submission_sha(unit, "2022-03", 1), at, by, "x", note)

    return [
        step(SIGN_OFF, DAFANG, "2022-04-06T09:00:00", "大方县审核人"),
        step(ACCEPT, DAFANG, "2022-04-07T10:00:00", "综治办王五"),
        step(SIGN_OFF, JINSHA, "2022-04-06T11:00:00", "金沙县审核人"),
        step(SIGN_OFF, HEZHANG, "2022-04-06T12:00:00", "赫章县审核人"),
        step(RETURN, HEZHANG, "2022-04-07T16:00:00", "综治办王五", "C01 与乡镇明细不符"),
    ]


def header_row(ws, first: str) -> int:
    return next(c.row for c in ws["A"] if c.value == first)


def test_the_manifest_and_the_submissions_sheet_record_each_versions_approval(warehouse, tmp_path):
    result = write_bulletin(warehouse, "2022-03", tmp_path, as_of=AS_OF, pdf=False, approvals=fold(steps()))
    manifest = json.loads(result.manifest_path.read_text(encoding="utf-8"))
    approval = {(s["unit_code"], s["period"]): s["approval"] for s in manifest["submissions"]}
    assert approval[(DAFANG, "2022-03")] == {
        "state": "accepted",
        "label": "已受理",
        "step": "accept",
        "by": "综治办王五",
        "at": "2022-04-07T10:00:00",
    }
    assert approval[(JINSHA, "2022-03")]["label"] == "县级已审核"
    assert approval[(HEZHANG, "2022-03")] | {} == {
        "state": "returned",
        "label": "已退回",
        "step": "return",
        "by": "综治办王五",
        "at": "2022-04-07T16:00:00",
        "note": "C01 与乡镇明细不符",
    }
    assert approval[(DAFANG, "2022-01")] == {"state": "pending", "label": "待审核"}

    ws = openpyxl.load_workbook(result.path)["填报情况"]
    top = header_row(ws, "序号")
    headers = [c.value for c in ws[top]]
    assert headers[-1] == "审核状态"
    states = {
        row[1]: row[-1] for row in ws.iter_rows(min_row=top + 1, max_row=top + 9, values_only=True) if row[1]
    }
    assert (states["大方县"], states["金沙县"], states["赫章县"], states["毕节市"]) == (
        "已受理",
        "县级已审核",
        "已退回",
        "待审核",
    )
    assert states["威宁彝族回族苗族自治县"] is None  # 退回: no version used, nothing to approve

    quarter = write_bulletin(warehouse, "2022Q1", tmp_path, as_of=AS_OF, pdf=False, approvals=fold(steps()))
    ws = openpyxl.load_workbook(quarter.path)["填报情况"]
    top = header_row(ws, "序号")
    assert ws.cell(top, ws.max_column).value == "已受理月数"
    rows = {row[1]: row for row in ws.iter_rows(min_row=top + 1, max_row=top + 9, values_only=True)}
    assert rows["大方县"][ws.max_column - 1] == "1 / 3"
    assert rows["百里杜鹃管委会"][ws.max_column - 1] == "0 / 2"  # February not reported


def test_without_approval_steps_the_bulletin_says_nothing_of_approval(warehouse, tmp_path):
    result = write_bulletin(warehouse, "2022-03", tmp_path, as_of=AS_OF, pdf=False)
    ws = openpyxl.load_workbook(result.path)["填报情况"]
    assert "审核状态" not in [c.value for c in ws[header_row(ws, "序号")]]
    manifest = json.loads(result.manifest_path.read_text(encoding="utf-8"))
    assert {s["approval"]["label"] for s in manifest["submissions"]} == {"待审核"}


def displays(text: str, cell) -> bool:
    """Whether ``text`` is what ``cell`` displays: its value, under its number format's decimals,
    thousands separators, percent and sign (within half a unit of the last digit shown)."""
    value, fmt = cell.value, cell.number_format
    if value is None:
        return text == ""
    if isinstance(value, (str, bool)):
        return text == str(value)
    if fmt == "General":
        return text == str(value)
    section = fmt.split(";")[0]
    places = len(section.split(".")[1].rstrip("%")) if "." in section else 0
    shown_places = len(text.rstrip("%").split(".")[1]) if "." in text else 0
    number = float(re.sub(r"[,%+]", "", text))
    expected = value * 100 if "%" in section else value
    return shown_places == places and abs(number - expected) <= 0.5 * 10**-places + 1e-9


def test_the_published_tables_are_the_workbooks_cells_as_they_display(warehouse, tmp_path):
    result = write_bulletin(warehouse, "2022-03", tmp_path, as_of=AS_OF, pdf=False)
    tables = read_tables(result.path)
    assert tables["file"] == result.path.name and tables["period"] == "2022-03"
    wb = openpyxl.load_workbook(result.path)

    ranking = wb["综合排名"]
    top = header_row(ranking, "名次")
    assert tables["ranking"]["headers"] == [c.value for c in ranking[top]] == list(RANKING_HEADERS)
    rows = tables["ranking"]["rows"]
    assert len(rows) == 9
    for offset, row in enumerate(rows, start=1):
        cells = ranking[top + offset]
        wrong = [
            (c.coordinate, c.value, text) for c, text in zip(cells, row, strict=True) if not displays(text, c)
        ]
        assert not wrong
    ranks = [int(r[0]) for r in rows if r[0]]
    assert ranks == sorted(ranks) and ranks[0] == 1  # in the workbook's order: best first

    leagues = wb["指标排名"]
    found = [c for line in leagues.iter_rows() for c in line if c.value == BLOCK_HEADERS[0]]
    assert len(found) == len(tables["leagues"]["tables"]) > 0
    for header, league in zip(found, tables["leagues"]["tables"], strict=True):
        assert leagues.cell(header.row - 1, header.column).value == league["title"]
        for offset, row in enumerate([*league["rows"], league["mean"]], start=1):
            cells = [leagues.cell(header.row + offset, header.column + i) for i in range(len(BLOCK_HEADERS))]
            if not league["per_10k"]:  # 本期值 is merged over 每万人: the page shows the one value
                cells[3] = None
            wrong = [
                (c.coordinate, c.value, t)
                for c, t in zip(cells, row, strict=True)
                if c and not displays(t, c)
            ]
            assert not wrong, league["title"]

    trend = wb["得分走势"]
    top = header_row(trend, "单位名称")
    assert tables["trend"]["months"] == [c.value for c in trend[top][1:4]] == ["1月", "2月", "3月"]
    by_unit = {r["unit_name"]: r for r in tables["trend"]["rows"]}
    for line in trend.iter_rows(min_row=top + 1, max_row=top + 9):
        scores = by_unit[line[0].value]["scores"]
        assert all(displays(text, cell) for text, cell in zip(scores, line[1:4], strict=True))
