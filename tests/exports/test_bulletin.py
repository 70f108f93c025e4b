"""The ranking bulletin and unit extract, written from a fixture warehouse and read back with openpyxl."""

from __future__ import annotations

import gc
import hashlib
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import duckdb
import openpyxl
import pytest

from base import catalogue, settings
from exports import styles as st
from exports.bulletin import layout, publish_bulletin, write_bulletin, write_unit_extract
from exports.bulletin import publish as publish_module
from exports.bulletin.data import BULLETIN_MARTS, MissingMart, read_bulletin_data
from exports.bulletin.pdf import PdfError, to_pdf
from exports.bulletin.tables import tables_path
from tests.exports.bulletin_fixture import INJECTION, build_fixture_warehouse, submission_sha, targets_sha

AS_OF = "2022-04-08T09:30:00"
SHEETS = ["综合排名", "目标完成情况", "指标排名", "填报情况", "数据质量", "得分走势", "说明", "清单"]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    return build_fixture_warehouse(tmp_path_factory.mktemp("wh") / "warehouse.duckdb")


@pytest.fixture(scope="module")
def march(warehouse, tmp_path_factory):
    result = write_bulletin(warehouse, "2022-03", tmp_path_factory.mktemp("out"), as_of=AS_OF, pdf=False)
    return result, openpyxl.load_workbook(result.path)


def _table(ws, header_row: int = 4) -> list[dict]:
    """Rows under the header as dicts, up to the first blank row."""
    headers = [c.value for c in ws[header_row]]
    rows = []
    for values in ws.iter_rows(min_row=header_row + 1, values_only=True):
        if values[0] is None and values[1] is None:
            break
        rows.append(dict(zip(headers, values, strict=False)))
    return rows


def test_monthly_bulletin_is_named_for_the_period_and_has_every_sheet(march):
    result, wb = march
    assert result.path.name == "社会治安综合治理考评排名通报_2022年3月.xlsx"
    assert result.manifest_path.name == "社会治安综合治理考评排名通报_2022年3月.manifest.json"
    assert (result.period, result.period_type, result.units_ranked) == ("2022-03", "month", 9)
    assert wb.sheetnames == SHEETS
    assert [ws.sheet_state for ws in wb] == ["visible"] * 7 + ["hidden"]
    ws = wb["综合排名"]
    assert ws["A1"].value == "毕节市社会治安综合治理考评排名通报"
    assert ws["A2"].value == "2022年3月 · 综合排名（1—3月累计）"
    assert ws["A3"].value == "发布单位：毕节市社会治安综合治理委员会办公室"
    assert "2022年4月8日 09:30" in ws["F3"].value


def test_ranking_matches_the_marts_with_tie_veto_and_rank_change_texts(march, warehouse):
    _, wb = march
    rows = _table(wb["综合排名"])
    con = duckdb.connect(str(warehouse), read_only=True)
    marts = con.execute(
        "select u.unit_name, s.rank, s.score, s.grade from marts.fct_unit_scores s join "
        "marts.dim_units u using (unit_code) where period = '2022-03' and period_type = 'month' "
        "order by s.rank, u.sort_order"
    ).fetchall()
    con.close()
    assert [(r["单位名称"], r["名次"], r["综合得分"], r["等级"]) for r in rows] == marts
    by_unit = {r["单位名称"]: r for r in rows}
    # The tie: 大方县 and 金沙县 share 3rd, the next unit is 5th.
    assert (by_unit["大方县"]["名次"], by_unit["金沙县"]["名次"], by_unit["织金县"]["名次"]) == (3, 3, 5)
    assert by_unit["金沙县"]["名次/参评"] == "3 / 9"
    assert [by_unit[u]["名次变化"] for u in ("毕节市", "黔西县", "大方县", "金沙县", "百里杜鹃管委会")] == [
        "↑1",
        "↓1",
        "—",
        "↑3",
        "新",
    ]
    # The veto: the highest score, ranked last, marked with its reason and a yellow card.
    vetoed = rows[-1]
    assert (vetoed["单位名称"], vetoed["综合得分"], vetoed["名次"], vetoed["等级"]) == (
        "赫章县",
        95,
        9,
        "不合格",
    )
    assert (vetoed["一票否决"], vetoed["黄牌警告"]) == ("否决", "黄牌")
    assert "一票否决" in vetoed["情况说明"] and "连续2期排名末位" in vetoed["情况说明"]
    assert by_unit["百里杜鹃管委会"]["黄牌警告"] == "黄牌"


def test_attainment_has_a_column_per_target_with_the_target_in_its_header_and_coloured_marks(march):
    _, wb = march
    ws = wb["目标完成情况"]
    headers = {ws.cell(4, c).value: c for c in range(1, ws.max_column + 1) if ws.cell(4, c).value}
    assert list(headers) == [
        "序号",
        "单位名称",
        "刑事案件破案数\n同比≥0.0%",
        "群体性事件数\n≤0\n（否决项）",
        "群众安全感目标\n（目标，实际）",
        "命案侦破率\n≥95.0%",
        "调解成功率\n≥95.0%",
        "维稳中心覆盖率\n≥100.0%",
        "达标/已评价",
        "综合得分",
    ]
    rows = {ws.cell(r, 2).value: r for r in range(5, 14)}
    mediation = headers["调解成功率\n≥95.0%"]
    met, missed = ws.cell(rows["织金县"], mediation), ws.cell(rows["毕节市"], mediation)
    # The cell keeps the number; the mark is part of its number format ("96.0% √" / "93.6% ×").
    assert (met.value, met.number_format) == (0.96, '0.0%" √"')
    assert (missed.value, missed.number_format) == (0.936, '0.0%" ×"')
    assert met.fill.fgColor.rgb.endswith(st.GREEN_FILL) and met.font.color.rgb.endswith(st.GREEN_FONT)
    assert missed.fill.fgColor.rgb.endswith(st.RED_FILL) and missed.font.color.rgb.endswith(st.RED_FONT)
    veto = ws.cell(rows["赫章县"], headers["群体性事件数\n≤0\n（否决项）"])
    assert (veto.value, veto.number_format) == (1, '#,##0" × 否决"') and veto.fill.fgColor.rgb.endswith(
        st.RED_FILL
    )
    growth = ws.cell(rows["毕节市"], headers["刑事案件破案数\n同比≥0.0%"])
    assert (growth.value, growth.number_format) == (-0.04, '+0.0%" ×";-0.0%" ×";0.0%" ×"')
    # Survey targets differ per unit: one column, each cell names the unit's own target (none met yet in Q1).
    survey = headers["群众安全感目标\n（目标，实际）"]
    texts = {unit: ws.cell(r, survey).value for unit, r in rows.items()}
    assert (texts["毕节市"], texts["大方县"], texts["百里杜鹃管委会"]) == (
        "前60位，未评价",
        "上升≥5位，未评价",
        "较上年提高，未评价",
    )
    assert ws.cell(rows["毕节市"], survey).fill.fgColor.rgb.endswith(st.GREY_FILL)
    assert ws.cell(rows["毕节市"], headers["达标/已评价"]).value == "1/5"
    notes = [ws.cell(r, c).value for r in range(15, ws.max_row + 1) for c in (1, 6) if ws.cell(r, c).value]
    assert "未达标项目说明" in notes
    assert "2. 毕节市：命案侦破率 93.6% < 目标 95.0%" in notes
    assert any(n.startswith("12. 赫章县：群体性事件数 1 起 > 目标 0 起") for n in notes)


def test_attainment_matrix_fits_a4_landscape_at_a_readable_size(march):
    _, wb = march
    ws = wb["目标完成情况"]
    # Fit-to-width shrinks a sheet wider than the page: the matrix must print at 85% or more.
    assert layout.fit_scale(ws, ws.max_column) >= 0.85
    assert ws.print_title_rows == "$4:$4"


def test_every_sheet_prints_a4_landscape_fit_to_width_with_repeated_header_and_page_numbers(march):
    _, wb = march
    for name in ["综合排名", "目标完成情况", "指标排名", "填报情况", "数据质量", "得分走势"]:
        ws = wb[name]
        assert ws.page_setup.orientation == "landscape", name
        assert int(ws.page_setup.paperSize) == 9, name  # A4
        assert ws.page_setup.fitToWidth == 1, name
        assert ws.page_setup.fitToHeight == (1 if name == "目标完成情况" else 0), name  # one page if readable
        assert ws.sheet_properties.pageSetUpPr.fitToPage, name
        assert ws.oddFooter.center.text == "第 &P 页 共 &N 页", name
    assert wb["综合排名"].print_title_rows == "$4:$4"
    assert wb["综合排名"].freeze_panes == "C5"
    assert wb["目标完成情况"].freeze_panes == "C5"
    assert wb["综合排名"].auto_filter.ref == "A4:K13"
    assert wb["目标完成情况"].auto_filter.ref == "A4:J13"
    assert wb["数据质量"].auto_filter.ref == "A4:J10"


def test_fonts_widths_and_number_formats_look_like_an_office_document(march):
    _, wb = march
    ws = wb["综合排名"]
    assert ws["A1"].font.name == "宋体" and ws["A1"].font.b and ws["A1"].font.charset == 134
    assert ws["A4"].style == st.HEADER
    assert ws["C5"].number_format == "0.0"
    # 威宁彝族回族苗族自治县 is 11 CJK characters: 22 display columns plus padding.
    assert ws.column_dimensions["B"].width >= 22
    rates = wb["填报情况"]
    assert (rates["A17"].value, rates["H17"].number_format) == ("3月", "0.0%")
    rules = {rule.type for rng in ws.conditional_formatting for rule in rng.rules}
    assert {"dataBar", "expression"} <= rules


def test_charts_are_on_the_ranking_and_trend_sheets(march):
    _, wb = march
    (bar,) = wb["综合排名"]._charts
    (line,) = wb["得分走势"]._charts
    assert bar.tagname == "barChart" and line.tagname == "lineChart"
    assert len(line.series) == 9


def test_bar_labels_show_the_value_only(march):
    _, wb = march
    (bar,) = wb["综合排名"]._charts
    labels = bar.series[0].dLbls
    assert labels.showVal and not (labels.showSerName or labels.showCatName or labels.showLegendKey)


def test_indicator_rankings_are_small_league_tables_that_match_the_marts(march, warehouse):
    _, wb = march
    ws = wb["指标排名"]
    assert ws["A4"].value == "1. 刑事案件立案数（件）\n越低越好，按每万人口比较"
    assert [c.value for c in ws[5][:5]] == ["名次", "单位名称", "本期值", "每万人", "名次变化"]
    con = duckdb.connect(str(warehouse), read_only=True)
    marts = con.execute(
        "select r.rank, u.unit_name, r.value, r.ranked_value, r.prefecture_mean from "
        "marts.fct_indicator_rankings r join marts.dim_units u using (unit_code) where r.indicator_code = "
        "'C01' and r.period = '2022-03' and r.period_type = 'ytd' order by r.rank, u.sort_order"
    ).fetchall()
    con.close()
    table = [tuple(c.value for c in ws[r][:4]) for r in range(6, 15)]
    assert [t[:2] for t in table] == [m[:2] for m in marts]
    assert [v for t in table for v in t[2:]] == pytest.approx([v for m in marts for v in m[2:4]])
    assert (ws["A15"].value, ws["D15"].value) == ("全市平均", pytest.approx(marts[0][4]))
    assert ws["G4"].value.startswith("2. ") and ws["M4"].value.startswith("3. ")  # three across
    # A printed page never splits a row of tables: page breaks fall just before a table's title row.
    titles = {c.row for c in ws["A"] if isinstance(c.value, str) and c.value[:1].isdigit()}
    assert ws.row_breaks.brk and all(b.id + 1 in titles for b in ws.row_breaks.brk)


def _cells(path: Path) -> dict[str, list[list]]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb}


def test_bulletin_reads_the_marts_it_names_and_nothing_else(warehouse, march, tmp_path):
    # BULLETIN_MARTS (Dagster's lineage of the bulletin) must cover every table the bulletin reads:
    # with every other table dropped, raw included, the bulletin and an extract are written as before.
    db = shutil.copy(warehouse, tmp_path / "w.duckdb")
    con = duckdb.connect(str(db))
    tables = con.execute("select table_schema, table_name from information_schema.tables").fetchall()
    others = [
        (schema, name)
        for schema, name in tables
        if (schema, name) not in {("marts", m) for m in BULLETIN_MARTS}
    ]
    assert ("raw", "submissions") in others and ("marts", "fct_indicator_values") in others
    for schema, name in others:
        con.execute(f"drop table {schema}.{name}")
    con.execute("drop schema raw")
    con.close()
    for period in ("2022-03", "2022Q1", "2022"):
        result = write_bulletin(db, period, tmp_path / "out", as_of=AS_OF, pdf=False)
        assert openpyxl.load_workbook(result.path).sheetnames == SHEETS
    assert _cells(tmp_path / "out" / march[0].path.name) == _cells(march[0].path)
    assert write_unit_extract(db, "2022-03", "522422", tmp_path / "extract", as_of=AS_OF, pdf=False).is_file()


@pytest.mark.parametrize("mart", BULLETIN_MARTS)
def test_without_any_mart_it_names_the_bulletin_is_not_written(warehouse, tmp_path, mart):
    # ...and every table in BULLETIN_MARTS is one the bulletin reads: without it, reading fails and says
    # which table is missing (every mart is built by dbt: a missing one is never an empty sheet).
    db = shutil.copy(warehouse, tmp_path / "w.duckdb")
    con = duckdb.connect(str(db))
    con.execute(f"drop table marts.{mart}")
    con.close()
    with pytest.raises(MissingMart, match=f"缺少通报所需的数据表.*{mart}"):
        read_bulletin_data(db, "2022-03")
    assert not list(tmp_path.glob("**/*.xlsx"))
    with pytest.raises(MissingMart):
        write_bulletin(db, "2022-03", tmp_path / "out", as_of=AS_OF, pdf=False)
    assert not (tmp_path / "out").exists()


def test_a_period_without_rankings_or_findings_still_gives_every_sheet(warehouse, tmp_path):
    # The marts exist but hold nothing for the period. (Before the bulletin read marts only, a missing
    # table was treated the same as an empty one and the quality sheet said 数据仓库中暂无校验结果; a missing
    # mart is now an error, see above, and an empty findings table means no findings.)
    db = shutil.copy(warehouse, tmp_path / "w.duckdb")
    con = duckdb.connect(str(db))
    con.execute("delete from marts.fct_indicator_rankings")
    con.execute("delete from marts.fct_validation_findings")
    con.close()
    wb = openpyxl.load_workbook(write_bulletin(db, "2022-03", tmp_path / "out", as_of=AS_OF, pdf=False).path)
    assert wb.sheetnames == SHEETS
    assert wb["指标排名"]["A4"].value == "数据仓库中暂无本期指标排名数据。"
    assert wb["数据质量"]["A5"].value == "本期各单位报送数据未发现问题。"
    assert wb["数据质量"]["A2"].value.endswith("数据质量问题（错误 0 条，警告 0 条）")


def test_a_year_without_targets_workbook_says_so(warehouse, tmp_path):
    db = shutil.copy(warehouse, tmp_path / "w.duckdb")
    con = duckdb.connect(str(db))
    con.execute("delete from marts.fct_target_files")
    con.close()
    result = write_bulletin(db, "2022-03", tmp_path / "out", as_of=AS_OF, pdf=False)
    ws = openpyxl.load_workbook(result.path)["说明"]
    notes = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(5, 15)}
    assert notes["目标责任书"] == "未找到已接收的目标管理责任书"
    assert json.loads(result.manifest_path.read_text(encoding="utf-8"))["targets"] is None


def test_trend_has_units_down_and_months_across_with_ranks_on_a_page_of_their_own(march):
    _, wb = march
    ws = wb["得分走势"]
    assert [c.value for c in ws[5][:4]] == ["单位名称", "1月", "2月", "3月"]
    assert [c.value for c in ws[6][:4]] == ["毕节市", 88.5, 89, 92]
    (line,) = ws._charts
    assert line.series[0].tx.strRef.f == "'得分走势'!A6"  # one line per unit, named by the unit
    (page_break,) = ws.row_breaks.brk
    assert ws.cell(page_break.id + 1, 1).value == "各月名次"


def test_quality_sheet_groups_findings_by_unit(march):
    _, wb = march
    ws = wb["数据质量"]
    groups = [c.value for c in ws["A"] if c.style == st.GROUP]
    assert groups[0] == "纳雍县：错误 0 条，警告 1 条（本期收到月报 1 份）"
    merged = {str(cells) for cells in ws.merged_cells.ranges}  # each unit's line spans the table
    assert {f"A{c.row}:J{c.row}" for c in ws["A"] if c.style == st.GROUP} <= merged
    assert groups[1].startswith("威宁彝族回族苗族自治县：错误 2 条，警告 0 条")
    assert groups[-1].startswith("其他单位（毕节市、大方县、") and groups[-1].endswith(
        "本期报送数据未发现问题。"
    )


def test_notes_list_the_version_used_of_every_monthly_report(march):
    _, wb = march
    ws = wb["说明"]
    top = next(c.row for c in ws["A"] if c.value == "本通报所用月报版本") + 1
    assert [c.value for c in ws[top][:4]] == ["单位名称", "1月", "2月", "3月"]
    matrix = {ws.cell(r, 1).value: [ws.cell(r, c).value for c in (2, 3, 4)] for r in range(top + 1, top + 10)}
    assert matrix["大方县"] == [2, 1, 1]  # January resubmitted: version 2 used
    assert matrix["百里杜鹃管委会"][1] == "未报" and matrix["威宁彝族回族苗族自治县"][2] == "退回"
    assert ws.cell(top + 6, 4).fill.fgColor.rgb.endswith(st.YELLOW_FILL)  # 纳雍县 March was late
    assert ws.page_setup.orientation == "portrait"


def test_county_text_starting_with_equals_stays_text(march):
    result, wb = march
    ws = wb["数据质量"]
    cells = [c for row in ws.iter_rows() for c in row if c.value == INJECTION]
    assert cells and all(c.data_type == "s" for c in cells)
    with zipfile.ZipFile(result.path) as z:
        xml = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet"))
    assert "<f>" not in xml and "HYPERLINK" in xml


def test_submission_and_quality_sheets_show_late_missing_and_rejected(march, warehouse, tmp_path):
    _, wb = march
    status = {r["单位名称"]: r["报送状态"] for r in _table(wb["填报情况"])}
    assert status["纳雍县"] == "逾期" and status["威宁彝族回族苗族自治县"] == "退回"
    quality = _table(wb["数据质量"])
    assert [q["级别"] for q in quality].count("错误") == 2
    quarter = openpyxl.load_workbook(
        write_bulletin(warehouse, "2022Q1", tmp_path, as_of=AS_OF, pdf=False).path
    )
    rows = {r["单位名称"]: r for r in _table(quarter["填报情况"])}
    assert (rows["百里杜鹃管委会"]["2月"], rows["百里杜鹃管委会"]["未报"]) == ("未报", 1)
    assert rows["百里杜鹃管委会"]["及时率"] == pytest.approx(2 / 3)


def test_manifest_names_the_submissions_targets_and_rule_version(march):
    result, wb = march
    manifest = json.loads(result.manifest_path.read_text(encoding="utf-8"))
    assert (manifest["period"], manifest["period_type"], manifest["as_of"]) == ("2022-03", "month", AS_OF)
    assert manifest["targets"] == {  # the row of marts.fct_target_files for 2022 (v3 was rejected)
        "file_name": "2022年目标管理责任书_v2.xlsx",
        "received_at": "2022-01-12T09:00:00",
        "sha256": targets_sha(2),
        "status": "accepted_with_warnings",
        "version": 2,
    }
    assert len(manifest["rule_version"]) == 12
    used = {(s["unit_code"], s["period"]): (s["version"], s["sha256"]) for s in manifest["submissions"]}
    assert len(used) == 27 - 2  # 百里杜鹃 February missing, 威宁 March rejected
    assert used[("522422", "2022-01")] == (2, submission_sha("522422", "2022-01", 2))
    assert ("522490", "2022-02") not in used and ("522427", "2022-03") not in used
    sheet = wb["清单"]
    pairs = {sheet.cell(r, 1).value: sheet.cell(r, 2).value for r in range(1, 12)}
    assert pairs["targets_sha256"] == targets_sha(2) and pairs["rule_version"] == manifest["rule_version"]
    shas = {sheet.cell(r, 5).value for r in range(14, sheet.max_row + 1)}
    assert shas == {sha for _, sha in used.values()}


def test_same_warehouse_and_as_of_give_the_same_cells(warehouse, tmp_path):
    first = write_bulletin(warehouse, "2022-03", tmp_path / "a", as_of=AS_OF, pdf=False)
    second = write_bulletin(warehouse, "2022-03", tmp_path / "b", as_of=AS_OF, pdf=False)
    assert _cells(first.path) == _cells(second.path)
    assert first.manifest_path.read_bytes() == second.manifest_path.read_bytes()


def test_warehouse_is_read_only_and_closed_afterwards(warehouse, tmp_path):
    before = hashlib.sha256(warehouse.read_bytes()).hexdigest()
    write_bulletin(warehouse, "2022", tmp_path, as_of=AS_OF, pdf=False)
    assert hashlib.sha256(warehouse.read_bytes()).hexdigest() == before
    duckdb.connect(str(warehouse)).close()  # a writer can open it: the bulletin closed its connection


def test_bulletins_are_built_with_the_cycle_collector_paused_and_it_is_back_on_after(
    warehouse, tmp_path, monkeypatch
):
    collector_on_while_built = []
    build = publish_module._write

    def watched(*args, **kwargs):
        collector_on_while_built.append(gc.isenabled())
        return build(*args, **kwargs)

    monkeypatch.setattr(publish_module, "_write", watched)
    write_bulletin(warehouse, "2022-03", tmp_path / "written", as_of=AS_OF, pdf=False)
    publish_bulletin(warehouse, "2022-03", tmp_path / "published", as_of=AS_OF, pdf=False)
    assert collector_on_while_built == [False, False]
    assert gc.isenabled()


def test_bulletin_reads_a_warehouse_this_process_holds_open_for_writing(warehouse, tmp_path):
    # Regression: dbt run in-process keeps a read-write connection; DuckDB then refuses a read-only one.
    db = shutil.copy(warehouse, tmp_path / "w.duckdb")
    writer = duckdb.connect(str(db))
    try:
        assert write_bulletin(db, "2022-03", tmp_path / "out", as_of=AS_OF, pdf=False).units_ranked == 9
    finally:
        writer.close()


def test_quarter_and_year_bulletins_are_named_for_their_period(warehouse, tmp_path):
    quarter = write_bulletin(warehouse, "2022Q1", tmp_path, as_of=AS_OF, pdf=False)
    year = write_bulletin(warehouse, "2022", tmp_path, as_of=AS_OF, pdf=False)
    assert quarter.path.name == "社会治安综合治理考评排名通报_2022年第1季度.xlsx"
    assert year.path.name == "社会治安综合治理考评排名通报_2022年度.xlsx"
    assert (quarter.period_type, year.period_type) == ("quarter", "year")
    ranks = [r["名次变化"] for r in _table(openpyxl.load_workbook(year.path)["综合排名"])]
    # No earlier year in the warehouse: nothing to compare with, and no unit is new (this said 新 for
    # every unit before issue 14; rank_change_status no_previous_period).
    assert set(ranks) == {"上期无数据"}


def test_period_without_scores_fails_with_a_clear_message(warehouse, tmp_path):
    with pytest.raises(ValueError, match="2022年4月.*no unit scores.*2022-04"):
        write_bulletin(warehouse, "2022-04", tmp_path, pdf=False)
    with pytest.raises(ValueError, match="period must look like"):
        write_bulletin(warehouse, "2022-13", tmp_path, pdf=False)
    assert not list(tmp_path.iterdir())


def test_unit_extract_shows_targets_with_reasons_rank_and_trend(warehouse, tmp_path):
    path = write_unit_extract(warehouse, "2022-03", "522422", tmp_path, as_of=AS_OF, pdf=False)
    assert path.name == "社会治安综合治理考评情况_大方县_2022年3月.xlsx"
    assert (
        write_unit_extract(warehouse, "2022-03", "大方", tmp_path, as_of=AS_OF, pdf=False) == path
    )  # an alias resolves
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["考评情况", "指标排名", "得分走势", "报送情况"]
    ws = wb["考评情况"]
    assert [ws.cell(5, c).value for c in range(1, 5)] == [86.5, "良好", "3 / 9", "—"]
    targets = _table(ws, header_row=8)
    assert len(targets) == 6
    mediation = next(t for t in targets if t["指标名称"] == "调解成功率")
    assert (mediation["结果"], mediation["说明"]) == ("未达标", "调解成功率 94.2% < 目标 95.0%，未达标")
    trend = _table(wb["得分走势"])
    # January has no previous month in the fixture: 上期无数据, not 新 (issue 14).
    assert [(t["月份"], t["综合得分"], t["名次/参评"], t["名次变化"]) for t in trend] == [
        ("1月", 82, "4 / 9", "上期无数据"),
        ("2月", 84.5, "3 / 8", "↑1"),
        ("3月", 86.5, "3 / 9", "—"),
    ]
    assert len(wb["得分走势"]._charts) == 2
    with pytest.raises(ValueError, match="unknown unit"):
        write_unit_extract(warehouse, "2022-03", "不存在县", tmp_path, pdf=False)


def test_late_and_corrected_reports_issue_a_numbered_correction_keeping_the_original(warehouse, tmp_path):
    db = shutil.copy(warehouse, tmp_path / "w.duckdb")
    out = tmp_path / "reports"
    original = publish_bulletin(db, "2022-03", out, as_of=AS_OF, pdf=False)
    assert original.correction is None and original.path.name.endswith("2022年3月.xlsx")
    assert publish_bulletin(db, "2022-03", out, as_of="2022-04-09T09:00:00", pdf=False).reused
    # 赫章县 resubmits March without the mass incident: the veto goes, it moves to 1st.
    con = duckdb.connect(str(db))
    con.execute(
        "update marts.fct_submission_status set version = 2, versions_received = 2, sha256 = ? "
        "where unit_code = '522428' and period = '2022-03'",
        [submission_sha("522428", "2022-03", 2)],
    )
    con.execute(
        "update marts.fct_unit_scores set veto = false, veto_reason = null, grade = '优秀', rank = 1, "
        "rank_change = 7 where unit_code = '522428' and period = '2022-03' and period_type = 'month'"
    )
    con.execute(
        "update marts.fct_unit_scores set rank = rank + 1 where unit_code <> '522428' "
        "and period = '2022-03' and period_type = 'month'"
    )
    con.close()
    corrected = publish_bulletin(db, "2022-03", out, as_of="2022-04-10T09:00:00", pdf=False)
    assert corrected.correction == 1 and corrected.path.name.endswith("2022年3月_更正1.xlsx")
    assert original.path.exists() and original.manifest_path.exists()
    wb = openpyxl.load_workbook(corrected.path)
    assert wb.sheetnames[0] == "更正说明"
    assert wb["综合排名"]["A1"].value == "毕节市社会治安综合治理考评排名通报（更正1）"
    values = list(wb["更正说明"].iter_rows(values_only=True))
    change = next(r for r in values if r[0] == "赫章县" and r[1] == "3月")
    assert change[2:5] == (1, 2, "更正重报")
    move = next(r for r in values if r[0] == "赫章县" and r[1] == 9)
    assert (move[2], move[5], move[6]) == (1, "不合格", "优秀") and "更正重报" in move[7]
    other = next(r for r in values if r[0] == "毕节市" and r[1] == 1)
    assert other[2] == 2 and "其他单位" in other[7]
    manifest = json.loads(corrected.manifest_path.read_text(encoding="utf-8"))
    assert manifest["correction"] == {"number": 1, "corrects": original.path.name}
    again = publish_bulletin(db, "2022-03", out, as_of="2022-04-11T09:00:00", pdf=False)
    assert again.reused and again.correction == 1 and again.path == corrected.path


def _pdf_text(pdf: Path, page: int) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return done.stdout.decode()


def _pdf_pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, timeout=60).stdout.decode()
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


@pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None,
    reason="LibreOffice (soffice) or poppler-utils (pdftotext) is not installed",
)
def test_bulletin_is_written_as_pdf_beside_the_workbook_and_reads_on_paper(warehouse, tmp_path):
    result = write_bulletin(warehouse, "2022-03", tmp_path, as_of=AS_OF)
    assert result.pdf_path == result.path.with_suffix(".pdf")
    assert result.pdf_path.read_bytes().startswith(b"%PDF")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [result.path.name, result.manifest_path.name, result.pdf_path.name, tables_path(result.path).name]
    )  # no partial files or LibreOffice leftovers (the tables are what the leaders' page shows)
    pages = _pdf_pages(result.pdf_path)
    assert 7 <= pages <= 12  # every visible sheet prints, none sprawls
    first = _pdf_text(result.pdf_path, 1)
    assert "毕节市社会治安综合治理考评排名通报" in first and "综合排名" in first
    con = duckdb.connect(str(warehouse), read_only=True)
    names = [
        n for (n,) in con.execute("select unit_name from marts.dim_units order by sort_order").fetchall()
    ]
    con.close()
    assert len(names) == 9 and all(name in first for name in names)
    # The target matrix and its list of targets not met fit on the second page, alone.
    second = _pdf_text(result.pdf_path, 2)
    assert "目标完成情况" in second and "未达标项目说明" in second and "赫章县：群体性事件数" in second
    assert "目标完成情况" not in _pdf_text(result.pdf_path, 3)
    # Bar labels show the value only (LibreOffice adds series and category names unless told not to).
    assert "Column" not in first and "赫章县; " not in first
    # Publishing the same inputs again reuses the workbook and its PDF; a unit extract gets its PDF too.
    made = result.pdf_path.stat().st_mtime_ns
    again = publish_bulletin(warehouse, "2022-03", tmp_path, as_of="2022-04-09T09:00:00")
    assert again.reused and again.pdf_path == result.pdf_path and result.pdf_path.stat().st_mtime_ns == made
    extract = write_unit_extract(warehouse, "2022-03", "赫章县", tmp_path, as_of=AS_OF)
    assert "赫章县 · 考评情况" in _pdf_text(extract.with_suffix(".pdf"), 1)


def test_no_libreoffice_means_no_pdf_and_no_error(warehouse, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result = write_bulletin(warehouse, "2022-03", tmp_path / "out", as_of=AS_OF)
    assert result.pdf_path is None and result.path.exists()
    assert not list((tmp_path / "out").glob("*.pdf"))


def _fake_soffice(folder: Path, body: str) -> str:
    script = folder / "soffice"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(0o755)
    return str(script)


def test_a_hanging_libreoffice_is_killed_after_the_timeout(tmp_path):
    workbook = tmp_path / "通报.xlsx"
    workbook.write_bytes(b"not read")
    soffice = _fake_soffice(tmp_path, "sleep 30")
    with pytest.raises(PdfError, match="timed out"):
        to_pdf(workbook, timeout=0.5, soffice=soffice)
    assert not workbook.with_suffix(".pdf").exists()


def test_libreoffice_giving_no_pdf_is_an_error(tmp_path):
    workbook = tmp_path / "通报.xlsx"
    workbook.write_bytes(b"not read")
    soffice = _fake_soffice(tmp_path, "echo 'Error: source file could not be loaded' >&2; exit 0")
    with pytest.raises(PdfError, match="source file could not be loaded"):
        to_pdf(workbook, soffice=soffice)


@pytest.fixture
def another_office(tmp_path, monkeypatch):
    """The seeds copied and changed where each rule lives: the prefecture and its office, the grades'
    words, the veto and yellow-card grades, a target type's label (scoring_settings, grades, target_types)."""
    seeds = tmp_path / "seeds"
    shutil.copytree(settings.DEFAULT_REFERENCE_DIR, seeds)

    def change(name: str, old: str, new: str) -> None:
        text = (seeds / name).read_text(encoding="utf-8")
        assert old in text, (name, old)
        (seeds / name).write_text(text.replace(old, new), encoding="utf-8")

    change("scoring_settings.csv", "毕节市社会治安综合治理委员会办公室", "黔南州综治办")
    change("scoring_settings.csv", "prefecture,毕节,", "prefecture,黔南州,")
    change("grades.csv", "优秀,", "好,")
    for csv in seeds.glob("*.csv"):  # the lowest grade, wherever the veto and yellow-card grades name it
        if "不合格" in csv.read_text(encoding="utf-8"):
            change(csv.name, "不合格", "差")
    change("target_types.csv", "min,不低于,", "min,至少,")
    monkeypatch.setenv("PINGAN_REFERENCE_DIR", str(seeds))
    catalogue.forget_cached_reference()
    yield build_fixture_warehouse(tmp_path / "warehouse.duckdb")
    monkeypatch.undo()
    catalogue.forget_cached_reference()


def test_office_grades_and_target_labels_are_the_seeds(another_office, tmp_path):
    # Each rule is changed in its one seed file, and the bulletin and the extract follow.
    result = write_bulletin(another_office, "2022-03", tmp_path / "out", as_of=AS_OF, pdf=False)
    wb = openpyxl.load_workbook(result.path)
    ranking = wb["综合排名"]
    assert ranking["A1"].value == "黔南州社会治安综合治理考评排名通报"
    assert ranking["A3"].value == "发布单位：黔南州综治办"
    rows = {r["单位名称"]: r for r in _table(ranking)}
    assert rows["赫章县"]["等级"] == "差" and rows["毕节市"]["等级"] == "好"
    red = [r for cf in ranking.conditional_formatting for r in cf.rules if cf.sqref == "D5:D13"]
    assert [r.formula for r in red] == [['NOT(ISERROR(SEARCH("差",D5)))']]
    notes = wb["说明"]
    items = {notes.cell(r, 1).value: notes.cell(r, 2).value for r in range(5, 15)}
    assert items["等级划分"].startswith("好 ≥90分；良好 ≥75分；合格 ≥60分；差 低于60分")
    assert "等级定为差" in items["一票否决"] and items["黄牌警告"].startswith("等级为差")
    assert "“至少”类目标未达标的按完成比例计分" in items["计分办法"]
    manifest = json.loads(result.manifest_path.read_text(encoding="utf-8"))
    assert (manifest["prefecture"], manifest["issued_by"]) == ("黔南州", "黔南州综治办")
    extract = write_unit_extract(another_office, "2022-03", "522422", tmp_path / "x", as_of=AS_OF, pdf=False)
    ws = openpyxl.load_workbook(extract)["考评情况"]
    assert ws["A1"].value == "黔南州社会治安综合治理考评情况"
    assert "至少" in [c.value for c in ws["C"]]


def test_control_characters_in_a_county_finding_are_shown_not_fatal(warehouse, tmp_path):
    """A rejected county file quoted a cell holding the bell and escape characters (``_x0007_`` in the
    xlsx): the bulletin is written, its 数据质量 sheet shows them as control pictures."""
    damaged = Path(shutil.copyfile(warehouse, tmp_path / "warehouse.duckdb"))
    with duckdb.connect(str(damaged)) as con:
        con.execute(
            "update marts.fct_validation_findings set value = ?, message = message || ? where value = ?",
            ["ctl\x07…\x1b[31m", "（原值 ctl\x07…\x1b[31m）", INJECTION],
        )
    result = publish_bulletin(warehouse_path=damaged, period="2022-03", out_dir=tmp_path / "out", pdf=False)
    wb = openpyxl.load_workbook(result.path)
    texts = [c.value for row in wb["数据质量"].iter_rows() for c in row if isinstance(c.value, str)]
    assert "ctl␇…␛[31m" in texts
    assert any(t.endswith("（原值 ctl␇…␛[31m）") for t in texts)
    assert not any("\x07" in t or "\x1b" in t for t in texts)
