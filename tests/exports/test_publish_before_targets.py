"""Publishing before the year's targets are signed (issue 14 item 4), and rank changes across a year that
was never assessed (item 5): the bulletin, the unit extract and the draft 公文 written from real dbt builds
of tests/warehouse/unassessed_year.py, read back cell by cell and paragraph by paragraph.

January 2022 is published with no targets workbook loaded: league tables, reports and data quality, and a
ranking page that says why there is no ranking. The 2022 targets then arrive: the next publication is
更正1, whose ranking calls no unit 新 (2021 was reported, but never assessed).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from docx import Document

from exports.bulletin import publish_bulletin, write_bulletin, write_unit_extract
from exports.notice.issue import issue_notice, write_draft
from tests.warehouse import unassessed_year as scenario
from tests.warehouse.warehouse_builder import RawWarehouse, build_marts

PERIOD = "2022-01"
AS_OF = "2022-02-07T08:00:00"
TARGETS_AS_OF = "2022-03-10T08:00:00"
NOT_LOADED = "2022年度目标管理责任书尚未载入，本期不计算综合得分，不评定等级，不排综合名次。"
SCORED_SHEETS = ["综合排名", "目标完成情况", "指标排名", "填报情况", "数据质量", "得分走势", "说明", "清单"]


def _built(folder: Path, with_targets: bool) -> Path:
    raw = RawWarehouse(folder / "warehouse.duckdb")
    scenario.build(raw)
    if with_targets:
        scenario.add_2022_targets(raw)
    build_marts(raw.path, folder)
    return raw.path


@pytest.fixture(scope="module")
def before(tmp_path_factory):
    """The warehouse without targets, January published and its draft written into reports/2022-01."""
    folder = tmp_path_factory.mktemp("before")
    warehouse = _built(folder, with_targets=False)
    out = folder / "reports" / PERIOD
    bulletin = publish_bulletin(warehouse, PERIOD, out, as_of=AS_OF, pdf=False)
    draft = write_draft(warehouse, PERIOD, out, register_dir=folder / "notices", pdf=False, as_of=AS_OF)
    return warehouse, bulletin, draft


@pytest.fixture(scope="module")
def after(before, tmp_path_factory):
    """The targets arrive: January's notice was issued on 8 February; the warehouse is rebuilt with the
    targets and January published again into the same folder, with its new draft."""
    _, bulletin, _ = before
    folder = tmp_path_factory.mktemp("after")
    out, register = folder / "reports" / PERIOD, folder / "notices"
    shutil.copytree(bulletin.path.parent, out)
    warehouse = _built(folder, with_targets=True)
    issued = issue_notice(
        before[0], PERIOD, out, register_dir=register, issued_on=dt.date(2022, 2, 8), pdf=False
    )
    corrected = publish_bulletin(warehouse, PERIOD, out, as_of=TARGETS_AS_OF, pdf=False)
    draft = write_draft(warehouse, PERIOD, out, register_dir=register, pdf=False, as_of=TARGETS_AS_OF)
    return warehouse, corrected, draft, issued


def _rows(ws, first: int) -> list[list]:
    """The non-empty values of each row from ``first`` down, rows without a value left out."""
    rows = []
    for values in ws.iter_rows(min_row=first, values_only=True):
        shown = [v for v in values if v is not None]
        if shown:
            rows.append(shown)
    return rows


def _league_table(ws, title: str) -> list[list]:
    """The rows (名次, 单位名称, 本期值, 名次变化) of the league table whose title starts with ``title``."""
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and title in cell.value.split("\n")[0]:
                top, left = cell.row, cell.column
                table = []
                for r in range(top + 2, top + 20):
                    name = ws.cell(r, left + 1).value
                    if name is None:
                        return table
                    table.append([ws.cell(r, left + c).value for c in (0, 1, 2, 4)])
    raise AssertionError(f"no league table {title}")


def _paragraphs(docx: Path) -> list[str]:
    return [p.text for p in Document(str(docx)).paragraphs if p.text.strip()]


def test_without_targets_the_bulletin_publishes_what_it_can_and_says_why_there_is_no_ranking(before):
    _, bulletin, _ = before
    assert (bulletin.correction, bulletin.scored, bulletin.units_ranked) == (None, False, 0)
    wb = openpyxl.load_workbook(bulletin.path)
    assert wb.sheetnames == ["综合排名", "指标排名", "填报情况", "数据质量", "说明", "清单"]
    assert _rows(wb["综合排名"], 4) == [
        [NOT_LOADED],
        [
            "本通报先行发布各单位重点指标排名（见“指标排名”表）、月报报送情况（见“填报情况”表）和数据质量问题"
            "（见“数据质量”表）。"
        ],
        ["目标管理责任书载入后，本期通报将重新发布（更正），届时计算各单位综合得分、等级和名次。"],
    ]
    notes = {r[0]: r[1] for r in _rows(wb["说明"], 5) if len(r) == 2}
    assert notes["目标责任书"] == NOT_LOADED
    assert notes["排名规则"] == (
        "本期不排综合名次。重点指标排名的名次变化与上期比较：↑上升，↓下降，—不变，新=上期本单位未列入排名。"
    )
    status = {r[1]: r[2] for r in _rows(wb["填报情况"], 5) if isinstance(r[0], int)}
    assert status == {
        "毕节市": "已报",
        "大方县": "已报",
        "黔西县": "未报",
        "金沙县": "已报",
        "织金县": "已报",
        "纳雍县": "未报",
        "威宁彝族回族苗族自治县": "未报",
        "赫章县": "未报",
        "百里杜鹃管委会": "未报",
    }
    manifest = json.loads(bulletin.manifest_path.read_text(encoding="utf-8"))
    assert (manifest["targets"], manifest["scores"]) == (None, [])
    assert (manifest["scores_computed"], manifest["scores_note"]) == (False, NOT_LOADED)


def test_league_tables_compare_january_with_last_december_and_call_only_absent_units_new(before):
    _, bulletin, _ = before
    ws = openpyxl.load_workbook(bulletin.path)["指标排名"]
    assert _league_table(ws, "调解成功率") == [
        [1, "毕节市", 0.96, "↑1"],
        [2, "大方县", 0.9, "↑1"],
        [3, "织金县", 0.8, "新"],  # no report in 2021: absent from December's table
        [4, "金沙县", 0.76, "↓3"],
    ]
    legend = [r[0] for r in _rows(ws, 4) if str(r[0]).startswith("注：")]
    assert legend == [
        "注：按指标方向排名（越高越好或越低越好）；与人口规模相关的数量指标按每万人口比较；全市平均为各单位比较值"
        "的平均数。名次变化与上期比较：↑上升，↓下降，—不变，新=上期本单位未列入排名。"
    ]


def test_a_period_without_any_report_of_its_last_month_is_refused_with_the_month_named(before, tmp_path):
    warehouse, _, _ = before
    for period, label in (("2022-03", "2022年3月"), ("2022Q1", "2022年第1季度")):
        with pytest.raises(ValueError) as refused:
            write_bulletin(warehouse, period, tmp_path, pdf=False)
        assert str(refused.value) == (
            f"数据仓库中没有2022年3月已接收的月报，无法生成{label}的通报 / "
            "no accepted monthly report for 2022-03 in marts.fct_submission_status"
        )
    assert not list(tmp_path.iterdir())


def test_unit_extract_without_targets_says_why_it_has_no_score(before, tmp_path):
    warehouse, _, _ = before
    path = write_unit_extract(warehouse, PERIOD, "大方县", tmp_path, as_of=AS_OF, pdf=False)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["考评情况", "指标排名", "报送情况"]
    ws = wb["考评情况"]
    assert [ws.cell(5, c).value for c in range(1, 8)] == [None, None, "未参评", None, None, None, NOT_LOADED]


def test_draft_notice_without_targets_states_no_score_and_reports_what_it_can(before):
    _, _, draft = before
    texts = _paragraphs(draft.docx)
    body = texts[texts.index("各县（市、区）综治办，市综治委各成员单位：") + 1 :]
    assert body[:5] == [
        "2022年度社会治安综合治理目标管理责任书尚未载入，市综治办对各县（市、区）2022年1月（1月）月报报送情况和"
        "重点指标进行了汇总排名。现将有关情况通报如下：",
        "一、基本情况",
        "2022年1月，应报月报9份，按时报送4份，逾期报送0份，未报送5份，因数据错误被退回尚未重报0份，按时报送率为"
        "44.4%。",
        "二、考评结果",
        "2022年度目标管理责任书尚未载入，2022年1月不计算综合得分，不评定等级，不排综合名次。各单位重点指标排名"
        "见附件。目标管理责任书载入后，将重新通报本期考评结果。",
    ]
    assert body[5] == "三、存在问题"
    assert not any("分）" in text or "名次上升" in text for text in texts)  # no score, no rank invented


def test_targets_arriving_give_a_numbered_correction_that_calls_no_unit_new(after):
    _, corrected, _, _ = after
    assert (corrected.correction, corrected.scored, corrected.units_ranked) == (1, True, 4)
    assert corrected.path.name == "社会治安综合治理考评排名通报_2022年1月_更正1.xlsx"
    wb = openpyxl.load_workbook(corrected.path)
    assert wb.sheetnames == ["更正说明", *SCORED_SHEETS]
    ranking = _rows(wb["综合排名"], 5)
    assert [r[:6] for r in ranking[:4]] == [
        [1, "毕节市", 100, "优秀", "上年未考评", "1 / 4"],
        [2, "大方县", 96.8, "优秀", "上年未考评", "2 / 4"],
        [3, "织金县", 90.5, "优秀", "上年未考评", "3 / 4"],
        [4, "金沙县", 88, "良好", "上年未考评", "4 / 4"],
    ]
    assert [r[0] for r in ranking if str(r[0]).startswith("2. ")] == [
        "2. 名次变化与上期比较：↑上升，↓下降，—不变，新=上期未参评；上年未考评=上年没有目标管理责任书，"
        "未计算综合得分，名次无从比较。“名次/参评”为名次与参评单位数。"
    ]
    notes = {r[0]: r[1] for r in _rows(wb["说明"], 5) if len(r) == 2}
    assert notes["排名规则"] == (
        "综合得分相同的名次并列，其后名次顺延（1、2、2、4）。名次变化与上期比较：↑上升，↓下降，—不变，"
        "新=上期未参评；上年未考评=上年没有目标管理责任书，未计算综合得分，名次无从比较。"
    )
    correction = _rows(wb["更正说明"], 4)
    assert correction[0] == [
        "本通报更正原通报《社会治安综合治理考评排名通报_2022年1月.xlsx》（数据截止 2022年2月7日 08:00）。"
        "原通报发布后，2022年度目标管理责任书已载入，现计算各单位综合得分并排名，原通报同时保留备查。"
    ]
    assert correction[3] == [
        "月报未变化。原通报发布时2022年度目标管理责任书尚未载入，未计算综合得分；现已载入，本更正首次计算各单位"
        "综合得分、等级和名次。"
    ]
    first_scores = "目标管理责任书载入后首次计算综合得分"
    assert correction[6:] == [
        ["毕节市", 1, 100, "优秀", first_scores],
        ["大方县", 2, 96.8, "优秀", first_scores],
        ["织金县", 3, 90.5, "优秀", first_scores],
        ["金沙县", 4, 88, "良好", first_scores],
    ]
    manifest = json.loads(corrected.manifest_path.read_text(encoding="utf-8"))
    assert (manifest["scores_computed"], manifest["scores_note"]) == (True, None)
    assert manifest["correction"] == {"number": 1, "corrects": "社会治安综合治理考评排名通报_2022年1月.xlsx"}
    # Publishing again from the same inputs keeps the correction.
    again = publish_bulletin(after[0], PERIOD, corrected.path.parent, as_of=TARGETS_AS_OF, pdf=False)
    assert again.reused and again.correction == 1


def test_correction_notice_says_the_targets_arrived_and_that_ranks_are_not_compared_with_2021(after):
    _, _, draft, issued = after
    assert issued.number == "毕综治办〔2022〕1号" and draft.corrects == "毕综治办〔2022〕1号"
    texts = _paragraphs(draft.docx)
    lead = texts[texts.index("各县（市、区）综治办，市综治委各成员单位：") + 1]
    assert lead == (
        "2022年2月8日，我办印发了《关于2022年1月社会治安综合治理考评排名情况的通报》（毕综治办〔2022〕1号）。"
        "因2022年度目标管理责任书已载入，考评结果发生变化，本期首次计算各单位综合得分、等级和名次。"
        "现将更正后的考评情况重新通报如下，原通报同时废止。"
    )
    ranking = next(t for t in texts if t.startswith("（二）排名情况。"))
    assert ranking == (
        "（二）排名情况。综合得分排名前三位的是：毕节市（第1名，100.0分）、大方县（第2名，96.8分）、织金县"
        "（第3名，90.5分）；排名后三位的是：金沙县（第4名，88.0分）。上年度没有综合考评得分（未载入目标管理责任书），"
        "不作名次比较。"
    )
