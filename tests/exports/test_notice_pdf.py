"""The issued 公文 printed by LibreOffice and measured on the page (pdfminer): A4, the 版心 within 1 mm,
22 lines of 28 characters, the red 版头 on page 1, page numbers at the outside edge, the 版记 at the foot.

One conversion for the module (LibreOffice takes seconds). Without LibreOffice the tests skip, naming it.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from collections import defaultdict
from dataclasses import dataclass

import pytest
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTChar, LTCurve

from base import catalogue
from exports.notice.fonts import FANGSONG, HEITI, KAITI, stand_ins
from exports.notice.issue import issue_notice
from exports.notice.layout import CHARS_PER_LINE, LINES_PER_PAGE
from tests.exports.notice_fixture import PERIOD, build_published

pytestmark = pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed: make system installs it"
)

MM = 25.4 / 72
TOP, LEFT, WIDTH, HEIGHT = 37.0, 28.0, 156.0, 225.0
RIGHT_EDGE, BOTTOM_EDGE = LEFT + WIDTH, TOP + HEIGHT
FULL_WIDTH = 0x2E80  # CJK characters and full-width punctuation from here on
HANGING = set("，。、；：）”」》！？")


@dataclass(frozen=True)
class Glyph:
    text: str
    top: float  # mm from the top of the page
    bottom: float
    left: float
    right: float
    size: float
    font: str
    color: tuple


@dataclass(frozen=True)
class Page:
    width: float
    height: float
    lines: list[list[Glyph]]  # top to bottom, each left to right
    shapes: list[tuple[float, float, float, float, tuple]]  # left, right, top, bottom (mm), colour

    def text(self, line: list[Glyph]) -> str:
        return "".join(g.text for g in line)


def _walk(item):
    yield item
    if hasattr(item, "__iter__"):
        for child in item:
            yield from _walk(child)


def read_pages(pdf) -> list[Page]:
    pages = []
    for layout in extract_pages(str(pdf)):
        height = layout.height
        rows: dict[float, list[Glyph]] = defaultdict(list)
        shapes = []
        for item in _walk(layout):
            if isinstance(item, LTChar):
                glyph = Glyph(
                    item.get_text(),
                    (height - item.y1) * MM,
                    (height - item.y0) * MM,
                    item.x0 * MM,
                    item.x1 * MM,
                    round(item.size, 1),
                    item.fontname.split("+")[-1],
                    tuple(item.graphicstate.ncolor or ()),
                )
                rows[round(glyph.bottom, 0)].append(glyph)
            elif isinstance(item, LTCurve):  # lines and rectangles are curves to pdfminer
                colour = item.stroking_color if item.stroke else item.non_stroking_color
                shapes.append(
                    (
                        item.x0 * MM,
                        item.x1 * MM,
                        (height - item.y1) * MM,
                        (height - item.y0) * MM,
                        tuple(colour),
                    )
                )
        lines = [sorted(row, key=lambda g: g.left) for _, row in sorted(rows.items())]
        pages.append(Page(layout.width * MM, layout.height * MM, lines, shapes))
    return pages


def postscript_name(family: str) -> str:
    done = subprocess.run(["fc-match", "-f", "%{postscriptname}", family], capture_output=True, text=True)
    return done.stdout.strip()


@pytest.fixture(scope="module")
def issued(tmp_path_factory):
    published = build_published(tmp_path_factory.mktemp("notice-pdf"))
    result = issue_notice(
        published.warehouse,
        PERIOD,
        published.out_dir,
        register_dir=published.register_dir,
        issued_on=dt.date(2022, 4, 9),
    )
    assert result.pdf is not None and result.pdf.read_bytes().startswith(b"%PDF")
    return result


@pytest.fixture(scope="module")
def pages(issued) -> list[Page]:
    return read_pages(issued.pdf)


def _body_lines(page: Page) -> list[list[Glyph]]:
    """The lines inside the 版心 (the page number below it left out)."""
    return [line for line in page.lines if line[0].bottom < BOTTOM_EDGE + 0.5]


def test_pages_are_a4_and_the_body_fills_the_text_block_within_1_mm(pages):
    assert len(pages) >= 3, "the fixture's notice runs past two pages, so page 2 is a full page"
    assert all((round(p.width, 1), round(p.height, 1)) == (210.0, 297.0) for p in pages)
    full = _body_lines(pages[1])
    assert len(full) == LINES_PER_PAGE
    pitch = (full[-1][0].bottom - full[0][0].bottom) / (len(full) - 1)
    assert pitch == pytest.approx(HEIGHT / LINES_PER_PAGE, abs=0.05)
    # The 22 lines' cells (pitch tall, centred on the glyphs) span the 版心 from 37 mm to 262 mm.
    first_centre = (full[0][0].top + full[0][0].bottom) / 2
    last_centre = (full[-1][0].top + full[-1][0].bottom) / 2
    assert first_centre - pitch / 2 == pytest.approx(TOP, abs=1)
    assert last_centre + pitch / 2 == pytest.approx(BOTTOM_EDGE, abs=1)
    # Lines start at the 订口 (28 mm) and end at the 版心's right edge (26 mm from the page's).
    starts = [line[0].left for page in pages[1:-1] for line in _body_lines(page)]
    assert min(starts) == pytest.approx(LEFT, abs=1)
    ends = [
        line[-1].right
        for page in pages[1:-1]
        for line in _body_lines(page)
        if line[-1].text not in HANGING and line[-1].right > RIGHT_EDGE - 10
    ]
    assert len(ends) >= 10 and max(ends) == pytest.approx(RIGHT_EDGE, abs=1) and min(ends) > RIGHT_EDGE - 1
    # A closing punctuation mark may hang past the edge (LibreOffice's 标点悬挂), by one character at most.
    assert max(line[-1].right for page in pages for line in _body_lines(page)) < RIGHT_EDGE + 6


def test_a_line_of_chinese_holds_28_characters(pages):
    wide_full_lines = [
        line
        for page in pages[1:-1]
        for line in _body_lines(page)
        if all(ord(g.text) >= FULL_WIDTH for g in line)
        and line[0].left < LEFT + 1
        and line[-1].right > RIGHT_EDGE - 1
    ]
    assert len(wide_full_lines) >= 5
    assert {len(line) for line in wide_full_lines} == {CHARS_PER_LINE}
    assert {g.size for line in wide_full_lines for g in line} == {16.0}  # 3号


def test_the_red_masthead_number_and_rule_on_page_1(pages, issued):
    first = pages[0]
    by_text = {first.text(line): line for line in first.lines}
    masthead = by_text[f"{catalogue.office_name()}文件"]
    assert {g.color for g in masthead} == {(1.0, 0.0, 0.0)}  # red
    assert masthead[0].top == pytest.approx(TOP + 35, abs=1)  # 35 mm below the 版心's top
    assert masthead[0].left >= LEFT and masthead[-1].right <= RIGHT_EDGE
    number = by_text[issued.number]
    assert issued.number == "毕综治办〔2022〕1号" and {g.color for g in number} == {(0.0, 0.0, 0.0)}
    centre = (number[0].left + number[-1].right) / 2
    assert centre == pytest.approx(LEFT + WIDTH / 2, abs=1)
    red_rules = [s for s in first.shapes if s[4] == (1.0, 0.0, 0.0)]
    assert red_rules, "a red separator line under the 发文字号"
    rule = red_rules[0]
    assert (rule[0], rule[1]) == (pytest.approx(LEFT, abs=0.5), pytest.approx(RIGHT_EDGE, abs=0.5))
    assert rule[2] - number[0].bottom == pytest.approx(4, abs=1)  # 4 mm below the 发文字号
    title = next(line for line in first.lines if first.text(line).startswith("关于"))
    assert {g.size for g in title} == {22.0} and title[0].top > rule[3]  # 2号, under the rule


def test_page_numbers_sit_at_the_outside_edge_below_the_text_block(pages):
    for index, page in enumerate(pages, start=1):
        number = page.lines[-1]
        assert page.text(number) == f"— {index} —"
        assert {g.size for g in number} == {14.0}  # 4号
        assert number[0].top == pytest.approx(BOTTOM_EDGE + 7, abs=1)
        if index % 2:  # odd pages: right, one character in
            assert number[-1].right == pytest.approx(RIGHT_EDGE - 14 * MM, abs=1)
        else:
            assert number[0].left == pytest.approx(LEFT + 14 * MM, abs=1)


def test_colophon_rules_sit_at_the_foot_of_the_last_page(pages):
    last = pages[-1]
    rules = sorted((s for s in last.shapes if s[4] == (0.0, 0.0, 0.0)), key=lambda s: s[2])
    assert len(rules) == 3
    thick, thin, bottom = (r[3] - r[2] for r in rules)
    assert thick == pytest.approx(0.35, abs=0.05) and bottom == pytest.approx(0.35, abs=0.05)
    assert thin == pytest.approx(0.25, abs=0.05)
    assert rules[-1][3] == pytest.approx(BOTTOM_EDGE, abs=0.5)  # the last rule on the 版心's lower edge
    assert all(
        r[0] == pytest.approx(LEFT, abs=0.5) and r[1] == pytest.approx(RIGHT_EDGE, abs=0.5) for r in rules
    )
    texts = [last.text(line) for line in last.lines]
    assert any(t.startswith("\u3000抄送：") for t in texts) and any(
        t.endswith("2022年4月9日印发") for t in texts
    )


def test_each_face_prints_as_itself_or_its_stand_in(pages):
    chosen = stand_ins()
    expected = {
        face.name: postscript_name(chosen.get(face.name, (face.name,))[0])
        for face in (FANGSONG, HEITI, KAITI)
    }

    def fonts_of(start: str) -> set[str]:
        return {line[0].font for page in pages for line in page.lines if page.text(line).startswith(start)}

    assert fonts_of("一、基本情况") == {expected[HEITI.name]}
    assert fonts_of("（一）考评等级") == {expected[KAITI.name]}
    assert fonts_of("特此通报。") == {expected[FANGSONG.name]}
