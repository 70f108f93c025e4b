"""The 公文: its prose checked figure by figure against the marts, the docx reopened with python-docx,
the office's own wording, and the 发文字号 across issue, a failed run and a correction."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
import stat
from collections import Counter
from pathlib import Path

import duckdb
import pytest
from docx import Document
from docx.shared import Mm, Pt

from base import catalogue
from base.calendar import parse_period
from exports.bulletin import publish_bulletin
from exports.bulletin.pdf import PdfError
from exports.notice.config import NoticeConfigError, load_notice_config
from exports.notice.issue import NoticeError, draft_paths, issue_notice, write_draft
from exports.notice.register import Register
from tests.exports.bulletin_fixture import submission_sha
from tests.exports.notice_fixture import PERIOD, RECURRING, body_text, build_published, rows

DRAFTED_AT = "2022-04-08T10:00:00"
MONTH_FILTER = "period = '2022-03' and period_type = 'month'"


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    return build_published(tmp_path_factory.mktemp("notice"))


@pytest.fixture(scope="module")
def draft(published):
    return write_draft(
        published.warehouse,
        PERIOD,
        published.out_dir,
        register_dir=published.register_dir,
        pdf=False,
        as_of=DRAFTED_AT,
    )


@pytest.fixture(scope="module")
def sections(draft) -> dict[str, str]:
    return body_text(draft.docx)


def _scores(published) -> list[tuple]:
    return rows(
        published.warehouse,
        "select u.unit_name, s.rank, s.score, s.grade, s.veto, s.veto_reason, s.rank_change, s.yellow_card, "
        f"s.yellow_card_reason from marts.fct_unit_scores s join marts.dim_units u using (unit_code) "
        f"where s.{MONTH_FILTER} order by s.rank, u.sort_order",
    )


def _date(year: str, month: str, day: str) -> dt.date:
    return dt.date(int(year), int(month), int(day))


def test_basic_figures_equal_the_marts(published, sections):
    text = sections["一、基本情况"]
    (expected, on_time, late, missing, rejected) = rows(
        published.warehouse,
        "select units_expected, units_on_time, units_late, units_missing, units_rejected "
        "from marts.fct_period_submission_rates where period = '2022-03'",
    )[0]
    (assessed,) = rows(
        published.warehouse, f"select count(*) from marts.fct_unit_scores where {MONTH_FILTER}"
    )[0]
    m = re.search(
        r"全市(\d+)个县（市、区）参加考评。应报月报(\d+)份，按时报送(\d+)份，逾期报送(\d+)份，未报送(\d+)份，"
        r"因数据错误被退回尚未重报(\d+)份，按时报送率为([\d.]+)%",
        text,
    )
    assert m, text
    assert [int(g) for g in m.groups()[:6]] == [assessed, expected, on_time, late, missing, rejected]
    assert (assessed, on_time, late, rejected) == (9, 7, 1, 1)  # the fixture's March, as pinned
    assert float(m[7]) == round(100 * on_time / expected, 1)


def test_grades_vetoes_and_yellow_cards_equal_the_marts(published, sections):
    text = sections["二、考评结果"]
    scores = _scores(published)
    counts = Counter(s[3] for s in scores)
    grade_words = "|".join(g for g, _ in catalogue.grades())
    stated = {g: int(n) for g, n in re.findall(rf"(?<!不)({grade_words})(\d+)个", text)}
    assert stated == dict(counts)
    vetoes = re.findall(r"([^。，；（）]+?)一票否决项未达标（(.+?)），考评等级定为(\S+?)，", text)
    assert vetoes == [
        (name, reason.rstrip("。"), catalogue.veto_grade())
        for name, _, _, _, veto, reason, *_ in scores
        if veto
    ]
    assert vetoes[0][0] == "赫章县"
    carded = re.search(r"([^。]+)被黄牌警告", text)[1]
    assert carded == "、".join(f"{s[0]}（{s[8]}）" for s in scores if s[7])


def test_first_three_last_three_and_movers_equal_the_marts(published, sections):
    text = sections["二、考评结果"]
    scores = _scores(published)
    ranking = re.search(r"排名前三位的是：(.+?)；排名后三位的是：(.+?)。", text)
    stated = []
    for part in ranking.groups():
        for units, tie, rank, score in re.findall(
            r"(?:、)?([^（）]+?)（(并列)?第(\d+)名，([\d.]+)分）", part
        ):
            names = units.strip("、").split("、")
            assert bool(tie) == (len(names) > 1)
            stated += [(name, int(rank), float(score)) for name in names]
    by_name = {s[0]: (s[1], s[2]) for s in scores}
    assert all(by_name[name] == (rank, score) for name, rank, score in stated)
    top = [s[0] for s in scores if s[1] <= 3]
    bottom = [s[0] for s in scores[-3:]]
    assert [n for n, _, _ in stated] == top + bottom
    assert top == ["毕节市", "黔西县", "大方县", "金沙县"]  # the tie for 3rd keeps both
    changes = [s[6] for s in scores if s[6] is not None]
    up = re.search(r"名次上升最多的是(.+?)，上升(\d+)位", text)
    down = re.search(r"名次下降最多的是(.+?)，下降(\d+)位", text)
    assert int(up[2]) == max(changes) and up[1].split("、") == [s[0] for s in scores if s[6] == max(changes)]
    assert int(down[2]) == -min(changes) and down[1].split("、") == [
        s[0] for s in scores if s[6] == min(changes)
    ]


def test_targets_met_and_missed_equal_the_marts(published, sections):
    text = sections["二、考评结果"]
    targets = rows(
        published.warehouse,
        "select u.unit_name, i.indicator_name, t.target_type, t.target_value, t.evaluated, t.attained "
        "from marts.fct_target_attainment t join marts.dim_units u using (unit_code) "
        f"join marts.dim_indicators i using (indicator_code) where t.{MONTH_FILTER} order by u.sort_order",
    )
    totals = re.search(r"共考核目标(\d+)项，完成(\d+)项，未完成(\d+)项，尚无测评结果未评价(\d+)项", text)
    assert [int(g) for g in totals.groups()] == [
        len(targets),
        sum(1 for t in targets if t[4] and t[5]),
        sum(1 for t in targets if t[4] and not t[5]),
        sum(1 for t in targets if not t[4]),
    ]
    groups: dict[tuple, list[tuple]] = {}
    for t in targets:
        groups.setdefault((t[1], t[2], t[3]), []).append(t)
    expected = Counter(
        (len(g), tuple(t[0] for t in g if t[4] and not t[5]), tuple(t[0] for t in g if not t[4]))
        for g in groups.values()
    )
    clauses = re.search(r"未评价\d+项。(.+)。", text)[1].split("；")
    stated = Counter()
    for clause in clauses:
        size = int(re.search(r"的(\d+)个单位中", clause)[1])
        missed = re.search(r"(\d+)个未完成（(.+?)）", clause)
        unevaluated = re.search(r"(\d+)个尚无测评结果（(.+?)）", clause)
        missed_units = tuple(missed[2].split("、")) if missed else ()
        unevaluated_units = tuple(unevaluated[2].split("、")) if unevaluated else ()
        assert (int(missed[1]) if missed else 0) == len(missed_units)
        stated[(size, missed_units, unevaluated_units)] += 1
    assert stated == expected
    # The speech's kinds of target are named as the speech names them, survey targets first.
    assert clauses[0].startswith("群众安全感全省排名进入前60位")
    assert any(c.startswith("群众安全感全省排名上升5位以上") for c in clauses)
    assert any(c.startswith("群众安全感测评得分较上年提高") for c in clauses)


def test_problems_equal_the_marts(published, sections):
    text = sections["三、存在问题"]
    rejected = rows(
        published.warehouse,
        "select u.unit_name, f.period, count(*), min(f.message) from marts.fct_validation_findings f "
        "join marts.dim_units u using (unit_code) where f.severity = 'error' and f.period = '2022-03' "
        "group by all",
    )
    m = re.search(
        r"共有(\d+)份报表因数据错误被退回：(.+?)3月月报（(\d+)处错误，如“(.+?)”），至今未重报", text
    )
    assert int(m[1]) == len(rejected) and (m[2], int(m[3])) == (rejected[0][0], rejected[0][2])
    messages = {r[0] for r in rows(published.warehouse, "select message from marts.fct_validation_findings")}
    assert m[4] in messages
    late = rows(
        published.warehouse,
        "select u.unit_name, s.received_at, s.deadline from marts.fct_submission_status s "
        "join marts.dim_units u using (unit_code) where s.period = '2022-03' and s.status_label = '逾期'",
    )
    stated = re.findall(
        r"([^：、]+?)3月月报（(\d+)年(\d+)月(\d+)日报送，截止日为(\d+)年(\d+)月(\d+)日）", text
    )
    assert [(g[0], _date(*g[1:4]), _date(*g[4:7])) for g in stated] == [(u, r.date(), d) for u, r, d in late]
    assert len(stated) == 1
    recurring = re.search(r"“(.+?)”（(\d+)次，涉及(.+?)）", text)
    assert int(recurring[2]) == len(RECURRING)
    assert recurring[3].split("、") == ["毕节市", "织金县"]
    assert "…" in recurring[1] and not re.search(r"\d", recurring[1])  # the kind of problem, not one case


def test_no_number_in_the_prose_comes_from_anywhere_but_the_marts(published, sections):
    """Every run of digits in 一 to 三 is a figure the marts hold: a count of their rows, a score, a rank,
    a target, a date of a report, or a figure inside a message they carry."""
    known: set[str] = set()
    for table in (
        "fct_unit_scores",
        "fct_target_attainment",
        "fct_submission_status",
        "fct_period_submission_rates",
        "fct_validation_findings",
    ):
        for row in rows(published.warehouse, f"select * from marts.{table}"):
            for value in row:
                if isinstance(value, float):
                    known |= {f"{value:.1f}", f"{value:g}", f"{value * 100:g}", f"{value * 100:.1f}"}
                elif isinstance(value, (dt.date, dt.datetime)):
                    known |= {str(value.year), str(value.month), str(value.day)}
                known |= set(re.findall(r"\d+(?:\.\d+)?", str(value)))
    counts = {str(n) for n in range(0, 100)}  # counts of mart rows (units, reports, targets, findings)
    for heading in ("一、基本情况", "二、考评结果", "三、存在问题"):
        for number in re.findall(r"\d+(?:\.\d+)?", sections[heading]):
            assert number in known or number in counts, (heading, number)
    # …and the counts are small row counts, not invented figures: every score shown is a mart score.
    shown = re.findall(r"([\d.]+)分", sections["二、考评结果"])
    assert {float(s) for s in shown} <= {s[2] for s in _scores(published)}


def test_draft_reopens_as_a_gbt_9704_document(draft):
    doc = Document(str(draft.docx))
    section = doc.sections[0]

    def mm(length: int) -> float:
        return round(length / Mm(1), 1)

    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
    assert (mm(section.top_margin), mm(section.left_margin)) == (37, 28)
    assert mm(section.page_width - section.left_margin - section.right_margin) == 156
    assert mm(section.page_height - section.top_margin - section.bottom_margin) == 225
    assert doc.settings.odd_and_even_pages_header_footer
    texts = [p.text for p in doc.paragraphs]
    assert texts[:5] == [
        "草稿",
        f"{catalogue.office_name()}文件",
        "毕综治办〔2022〕  号",
        "关于2022年3月社会治安综合治理考评排名情况的通报",
        "各县（市、区）综治办，市综治委各成员单位：",
    ]
    styles = [p.style.name for p in doc.paragraphs]
    assert styles[:5] == ["公文草稿标记", "发文机关标志", "发文字号", "公文标题", "公文正文"]
    # Faces and sizes as the standard sets them, named as offices have them.
    style = doc.styles

    def face(name: str) -> str:
        return style[name].element.rPr.rFonts.get(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"
        )

    assert face("公文正文") == "仿宋_GB2312" and style["公文正文"].font.size == Pt(16)
    assert face("公文标题") == "方正小标宋简体" and style["公文标题"].font.size == Pt(22)
    assert face("公文一级标题") == "黑体" and face("公文二级标题") == "楷体_GB2312"
    assert face("公文页码") == "宋体" and style["公文页码"].font.size == Pt(14)
    assert face("发文机关标志") == "方正小标宋简体" and str(style["发文机关标志"].font.color.rgb) == "FF0000"
    assert style["公文正文"].paragraph_format.line_spacing == Pt(28.95)
    headings = [p.text for p in doc.paragraphs if p.style.name == "公文一级标题"]
    assert headings == ["一、基本情况", "二、考评结果", "三、存在问题", "四、下步要求"]
    leads = [p.runs[0].text for p in doc.paragraphs if p.runs and p.runs[0].style.name == "公文二级标题"]
    assert leads == [
        "（一）考评等级。",
        "（二）排名情况。",
        "（三）目标完成情况。",
        "（一）报表质量。",
        "（二）报送时效。",
        "（三）反复出现的问题。",
    ]
    # The red rule under the 发文字号, 附件说明 naming each table of the workbook, 署名 and blank date.
    number = doc.paragraphs[2]._p.pPr.xml
    assert 'w:color="FF0000"' in number and "<w:bottom" in number
    attachments = [t for t in texts if re.match(r"^(附件：)?\d\.", t)]
    assert attachments[0] == "附件：1.2022年3月综合排名表"
    assert [re.sub(r"^(附件：)?\d\.", "", a) for a in attachments] == [
        f"2022年3月{s}表"
        for s in ("综合排名", "目标完成情况", "指标排名", "填报情况", "数据质量", "得分走势")
    ]
    assert texts[texts.index(catalogue.office_name()) + 1] == "2022年  月  日"
    assert any(t.startswith("\u3000抄送：") for t in texts) and any(
        t.endswith("年  月  日印发") for t in texts
    )
    # Page numbers: — PAGE — on odd (right) and even (left) pages; the draft says so on every page.
    for footer, alignment in ((section.footer, "right"), (section.even_page_footer, "left")):
        xml = footer.paragraphs[0]._p.xml
        assert "PAGE" in xml and footer.paragraphs[0].text.startswith("— ") and f'w:val="{alignment}"' in xml
    assert section.header.paragraphs[0].text.startswith("草稿")
    assert doc.core_properties.category == "草稿"


def test_home_wording_overrides_the_default_and_mistakes_are_named(tmp_path):
    home_config = tmp_path / "config"
    home_config.mkdir()
    (home_config / "notice.toml").write_text(
        '[document]\naddressees = "各县（市、区）党委政法委"\n[text]\nclosing = "特此通报，请遵照执行。"\n',
        encoding="utf-8",
    )
    config = load_notice_config(home_config)
    assert config.text("document", "addressees") == "各县（市、区）党委政法委"
    assert config.text("text", "closing") == "特此通报，请遵照执行。"
    assert config.text("headings", "basic") == "一、基本情况"  # the rest keeps the defaults
    for wrong, named in (
        ('[text]\nbasic = "{units_asessed}个单位"\n', "{units_asessed}"),
        ('[text]\nclosng = "特此通报。"\n', "closng"),
        ('[txt]\nclosing = "特此通报。"\n', "[txt]"),
        ("[text]\nclosing = [1]\n", "closing"),
    ):
        (home_config / "notice.toml").write_text(wrong, encoding="utf-8")
        with pytest.raises(NoticeConfigError, match=re.escape(named)):
            load_notice_config(home_config)


def test_the_home_wording_reaches_the_document(published, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(published.out_dir, out)
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "notice.toml").write_text(
        '[document]\nissuer_code = "{prefecture_initial}综治办通"\n[text]\nclosing = "特此通报，请遵照执行。"\n',
        encoding="utf-8",
    )
    result = issue_notice(
        published.warehouse,
        PERIOD,
        out,
        register_dir=tmp_path / "notices",
        config_dir=tmp_path / "config",
        issued_on=dt.date(2022, 4, 9),
        pdf=False,
    )
    texts = [p.text for p in Document(str(result.docx)).paragraphs]
    assert result.number == "毕综治办通〔2022〕1号" and texts[2] == "毕综治办通〔2022〕1号"
    assert "特此通报，请遵照执行。" in texts


class _Failing:
    """A converter that fails like LibreOffice crashing."""

    def __call__(self, docx: Path) -> Path:
        raise PdfError("LibreOffice 未生成 PDF（测试）")


def _fake_pdf(docx: Path) -> Path:
    """A converter standing in for LibreOffice where only the numbering is tested."""
    made = docx.with_suffix(".pdf")
    made.write_bytes(b"%PDF-1.4 stand-in\n")
    return made


def test_numbers_follow_on_without_gaps_across_issue_failure_and_correction(published, tmp_path):
    db = Path(shutil.copy(published.warehouse, tmp_path / "w.duckdb"))
    out, register_dir = tmp_path / "reports", tmp_path / "notices"
    shutil.copytree(published.out_dir, out)

    def issue(period: str, day: dt.date, convert=_fake_pdf):
        return issue_notice(
            db,
            period,
            out if period == PERIOD else quarter_out,
            register_dir=register_dir,
            issued_on=day,
            convert=convert,
        )

    quarter_out = tmp_path / "reports_q1"
    publish_bulletin(db, "2022Q1", quarter_out, as_of="2022-04-08T09:30:00", pdf=False)

    first = issue(PERIOD, dt.date(2022, 4, 9))
    assert (first.number, first.reused, first.corrects) == ("毕综治办〔2022〕1号", False, None)
    assert first.docx.name == "社会治安综合治理考评排名通报_2022年3月_毕综治办〔2022〕1号.docx"
    # Frozen: read-only on disk, protected in Word, recorded with the workbook's sha256.
    assert not first.docx.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    assert "w:documentProtection" in Document(str(first.docx)).settings.element.xml
    manifest = json.loads(next(out.glob("*.manifest.json")).read_text(encoding="utf-8"))
    workbook = out / manifest["file"]
    assert manifest["notice"]["number"] == "毕综治办〔2022〕1号"
    assert manifest["notice"]["workbook_sha256"] == hashlib.sha256(workbook.read_bytes()).hexdigest()
    assert manifest["notice"]["docx_sha256"] == hashlib.sha256(first.docx.read_bytes()).hexdigest()
    texts = [p.text for p in Document(str(first.docx)).paragraphs]
    assert texts[0] == "" and texts[2] == "毕综治办〔2022〕1号" and "2022年4月9日" in texts
    assert "2022年4月9日印发" in "".join(texts)

    # The same workbook again: the notice already issued, no new number.
    again = issue(PERIOD, dt.date(2022, 4, 10))
    assert (again.number, again.reused) == ("毕综治办〔2022〕1号", True)
    # The draft step leaves an issued bulletin alone.
    assert write_draft(db, PERIOD, out, register_dir=register_dir, pdf=False).reused

    # A failed run (LibreOffice crashes) takes no number and leaves nothing behind…
    before = sorted(p.name for p in quarter_out.iterdir())
    with pytest.raises(PdfError):
        issue("2022Q1", dt.date(2022, 4, 10), convert=_Failing())
    assert sorted(p.name for p in quarter_out.iterdir()) == before
    assert [e.number for e in Register(register_dir).entries()] == ["毕综治办〔2022〕1号"]
    # …so the next run gets the number it would have had.
    quarter = issue("2022Q1", dt.date(2022, 4, 10))
    assert quarter.number == "毕综治办〔2022〕2号"

    # 纳雍县 resubmits March; its score rises to 84.0 and it moves from 7th to 5th: a correction.
    con = duckdb.connect(str(db))
    con.execute(
        "update marts.fct_submission_status set version = 2, versions_received = 2, sha256 = ? "
        "where unit_code = '522426' and period = '2022-03'",
        [submission_sha("522426", "2022-03", 2)],
    )
    for unit, rank, score in (("522426", 5, 84.0), ("522425", 6, 83.0), ("522427", 7, 80.0)):
        con.execute(
            f"update marts.fct_unit_scores set rank = ?, score = ? where unit_code = ? and {MONTH_FILTER}",
            [rank, score, unit],
        )
    con.close()
    publish_bulletin(db, PERIOD, out, as_of="2022-04-12T09:00:00", pdf=False)
    drafted = write_draft(db, PERIOD, out, register_dir=register_dir, pdf=False, as_of="2022-04-12T10:00:00")
    assert drafted.draft and drafted.corrects == "毕综治办〔2022〕1号"
    assert drafted.docx == draft_paths(out, parse_period(PERIOD))[0]
    assert "关于更正" in Document(str(drafted.docx)).paragraphs[3].text
    corrected = issue(PERIOD, dt.date(2022, 4, 13))
    assert (corrected.number, corrected.corrects) == ("毕综治办〔2022〕3号", "毕综治办〔2022〕1号")
    texts = [p.text for p in Document(str(corrected.docx)).paragraphs]
    assert texts[3] == "关于更正2022年3月社会治安综合治理考评排名情况的通报"
    lead = texts[5]
    assert (
        "2022年4月9日，我办印发了《关于2022年3月社会治安综合治理考评排名情况的通报》（毕综治办〔2022〕1号）"
        in lead
    )
    assert "纳雍县3月月报更正重报" in lead
    assert "纳雍县由第7名（74.0分）调整为第5名（84.0分）" in lead
    assert "织金县由第5名（83.0分）调整为第6名（83.0分）" in lead and "原通报同时废止" in lead
    assert first.docx.exists()  # the original stays as issued

    # A new year starts again at 1.
    entries = Register(register_dir).entries()
    assert [e.sequence for e in entries] == [1, 2, 3] and entries[2].corrects == entries[0].number
    assert Register(register_dir).next_sequence("毕综治办", 2023) == 1


def test_marts_that_moved_since_the_bulletin_are_refused(published, tmp_path):
    db = Path(shutil.copy(published.warehouse, tmp_path / "w.duckdb"))
    con = duckdb.connect(str(db))
    con.execute(
        f"update marts.fct_unit_scores set score = 60.0 where unit_code = '522401' and {MONTH_FILTER}"
    )
    con.close()
    with pytest.raises(NoticeError, match="不一致"):
        write_draft(db, PERIOD, published.out_dir, register_dir=tmp_path / "notices", pdf=False)
    with pytest.raises(NoticeError, match="pingan report"):
        issue_notice(db, "2022-02", tmp_path / "nothing", register_dir=tmp_path / "notices", pdf=False)
    assert not (tmp_path / "notices" / "发文登记.json").exists()
