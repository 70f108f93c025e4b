"""A 通报 laid out as GB/T 9704-2012 sets out for 党政机关公文, written with python-docx.

    write_docx(NoticeDocument(...), path)

The page: A4, 天头 37 mm, 订口 28 mm, 版心 156 × 225 mm; 22 lines of 28 characters in 3号 仿宋. The lines
are held on that grid by an exact line pitch (225 mm / 22) and a character pitch squeezed by 0.25 pt
(28 × 15.75 pt fits 156 mm), which Word and LibreOffice both honour; a document grid (w:docGrid) would be
the Word way, but LibreOffice widens every 3号 character to two cells of a grid narrower than the font.
版头: the 发文机关标志 in red 小标宋 35 mm below the top of the 版心, the 发文字号 two lines under it and a red
line 4 mm below that; then 标题 (2号 小标宋), 主送机关, 正文 (first-level headings 黑体, second-level
楷体 run into their paragraph), 附件说明, 发文机关署名 centred over the 成文日期, and the 版记 (抄送,
印发机关 and 印发日期 between rules) held to the foot of the last page. Page numbers are 4号 宋体 with a
dash each side, at the outside edge (odd pages right, even pages left). Every measure is a constant here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt, RGBColor
from lxml import etree

from base.files import replacing
from exports.notice.fonts import FACES, FANGSONG, HEITI, KAITI, SONGTI, XIAOBIAOSONG, Face
from exports.notice.prose import Block

# The page (GB/T 9704-2012 §5.2).
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
TOP, LEFT = Mm(37), Mm(28)
BLOCK_WIDTH, BLOCK_HEIGHT = Mm(156), Mm(225)
RIGHT = Emu(PAGE_WIDTH - LEFT - BLOCK_WIDTH)
BOTTOM = Emu(PAGE_HEIGHT - TOP - BLOCK_HEIGHT)
LINES_PER_PAGE, CHARS_PER_LINE = 22, 28

# Type sizes: 2号 22 pt, 3号 16 pt, 4号 14 pt; 小初 36 pt for the 发文机关标志.
SIZE_TITLE, SIZE_BODY, SIZE_FOOT, SIZE_MASTHEAD = Pt(22), Pt(16), Pt(14), Pt(36)
LINE = Pt(28.95)  # 225 mm / 22, rounded down to the twip so 22 lines always fit
SQUEEZE_TWIPS = -5  # character spacing, 1/20 pt: 16 - 0.25 = 15.75 pt a character, 28 fit in 156 mm
CHAR = Pt(15.75)  # one character of the body, for indents (空二字)
RED = RGBColor(0xFF, 0x00, 0x00)
MASTHEAD_FROM_TOP = Mm(35)  # 发文机关标志: top edge 35 mm below the top of the 版心
RULE_BELOW_NUMBER = Mm(4)  # the red separator 4 mm below the 发文字号
PAGE_NUMBER_GAP = Mm(7)  # the page number's dashes 7 mm below the 版心
RED_RULE_EIGHTHS = 12  # 1.5 pt
THICK_RULE, THIN_RULE = Pt(1), Pt(0.7)  # 版记 rules: 0.35 mm and 0.25 mm
DASH = "—"

STYLE_BODY = "公文正文"
STYLE_TITLE = "公文标题"
STYLE_MASTHEAD = "发文机关标志"
STYLE_NUMBER = "发文字号"
STYLE_HEADING = "公文一级标题"
STYLE_LEAD = "公文二级标题"
STYLE_FOOT = "版记"
STYLE_PAGE_NUMBER = "公文页码"
STYLE_MARK = "公文草稿标记"


@dataclass(frozen=True)
class NoticeDocument:
    """Everything the page shows, already in words."""

    masthead: str  # 发文机关标志
    number: str  # 发文字号 (a draft's has a blank for the sequence)
    title: str
    addressees: str  # ends with a full-width colon
    blocks: list[Block]
    attachments: list[str]
    signatory: str
    date: str  # 成文日期 (a draft's has blanks)
    copy_to: str
    printed_by: str
    printed_on: str  # 印发日期, ends with 印发
    draft_mark: str = ""  # shown where 份号 goes; "" when issued
    running_head: str = ""  # at the head of every page (a draft says so); "" when issued
    properties: dict[str, str] = field(default_factory=dict)  # title, subject, keywords, category, comments
    created: dt.datetime | None = None
    read_only: bool = False  # issued: Word opens it read-only (document protection)


# --------------------------------------------------------------------------------------------------
# XML helpers: python-docx has no API for these properties.

_RPR_AFTER_SPACING = (
    "w:w",
    "w:kern",
    "w:position",
    "w:sz",
    "w:szCs",
    "w:highlight",
    "w:u",
    "w:effect",
    "w:bdr",
    "w:shd",
    "w:fitText",
    "w:vertAlign",
    "w:rtl",
    "w:cs",
    "w:em",
    "w:lang",
    "w:eastAsianLayout",
    "w:specVanish",
    "w:oMath",
)
_PPR_AFTER_FRAME = (
    "w:widowControl",
    "w:numPr",
    "w:suppressLineNumbers",
    "w:pBdr",
)
_PPR_AFTER_PBDR = (
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)


def _element(tag: str, **attributes: str) -> OxmlElement:
    element = OxmlElement(tag)
    for name, value in attributes.items():
        element.set(qn(f"w:{name}"), str(value))
    return element


def _replace(parent, tag: str, element, successors: tuple[str, ...]) -> None:
    for old in parent.findall(qn(tag)):
        parent.remove(old)
    parent.insert_element_before(element, *successors)


def set_face(rpr, face: Face) -> None:
    """Name ``face`` for every script of a run or style (theme fonts removed: they would win)."""
    fonts = rpr.get_or_add_rFonts()
    for attribute in list(fonts.attrib):
        if attribute.endswith("Theme") or attribute.endswith("theme"):
            del fonts.attrib[attribute]
    for script in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{script}"), face.name)


def set_character_spacing(rpr, twentieths: int) -> None:
    _replace(rpr, "w:spacing", _element("w:spacing", val=twentieths), _RPR_AFTER_SPACING)


def set_character_scale(rpr, percent: int) -> None:
    _replace(rpr, "w:w", _element("w:w", val=percent), _RPR_AFTER_SPACING[1:])


def set_chinese(rpr) -> None:
    _replace(rpr, "w:lang", _element("w:lang", val="en-US", eastAsia="zh-CN"), _RPR_AFTER_SPACING[16:])


def set_border(ppr, side: str, eighths: int, color: str, space_pt: float = 0) -> None:
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = _element("w:pBdr")
        ppr.insert_element_before(borders, *_PPR_AFTER_PBDR)
    borders.append(_element(f"w:{side}", val="single", sz=eighths, space=round(space_pt), color=color))


# --------------------------------------------------------------------------------------------------
# Styles


def _paragraph_style(doc, name: str, face: Face, size: Pt, *, based_on=None):
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = based_on
    style.quick_style = True
    set_face(style.element.get_or_add_rPr(), face)
    style.font.size = size
    return style


def _on_grid(paragraph_format, alignment=WD_ALIGN_PARAGRAPH.JUSTIFY) -> None:
    paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    paragraph_format.line_spacing = LINE
    paragraph_format.space_before = Pt(0)
    paragraph_format.space_after = Pt(0)
    paragraph_format.alignment = alignment
    paragraph_format.widow_control = False


def _styles(doc) -> None:
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    default_rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_face(default_rpr, FANGSONG)
    set_chinese(default_rpr)
    normal = doc.styles["Normal"]
    set_face(normal.element.get_or_add_rPr(), FANGSONG)
    normal.font.size = SIZE_BODY
    set_chinese(normal.element.get_or_add_rPr())
    _on_grid(normal.paragraph_format)

    body = _paragraph_style(doc, STYLE_BODY, FANGSONG, SIZE_BODY, based_on=normal)
    set_character_spacing(body.element.get_or_add_rPr(), SQUEEZE_TWIPS)
    # No punctuation hanging past the 版心 (LibreOffice's default for Chinese text): lines end inside it.
    body.element.get_or_add_pPr().insert_element_before(
        _element("w:overflowPunct", val=0), *_PPR_AFTER_PBDR[_PPR_AFTER_PBDR.index("w:overflowPunct") + 1 :]
    )
    _on_grid(body.paragraph_format)
    body.paragraph_format.first_line_indent = 2 * CHAR

    heading = _paragraph_style(doc, STYLE_HEADING, HEITI, SIZE_BODY, based_on=body)
    heading.paragraph_format.keep_with_next = True

    title = _paragraph_style(doc, STYLE_TITLE, XIAOBIAOSONG, SIZE_TITLE, based_on=normal)
    _on_grid(title.paragraph_format, WD_ALIGN_PARAGRAPH.CENTER)

    masthead = _paragraph_style(doc, STYLE_MASTHEAD, XIAOBIAOSONG, SIZE_MASTHEAD, based_on=normal)
    _on_grid(masthead.paragraph_format, WD_ALIGN_PARAGRAPH.CENTER)
    masthead.paragraph_format.line_spacing = Pt(SIZE_MASTHEAD.pt + 6)
    masthead.font.color.rgb = RED

    number = _paragraph_style(doc, STYLE_NUMBER, FANGSONG, SIZE_BODY, based_on=normal)
    _on_grid(number.paragraph_format, WD_ALIGN_PARAGRAPH.CENTER)

    mark = _paragraph_style(doc, STYLE_MARK, HEITI, SIZE_BODY, based_on=normal)
    _on_grid(mark.paragraph_format, WD_ALIGN_PARAGRAPH.LEFT)

    foot = _paragraph_style(doc, STYLE_FOOT, FANGSONG, SIZE_FOOT, based_on=normal)
    _on_grid(foot.paragraph_format, WD_ALIGN_PARAGRAPH.LEFT)

    page_number = _paragraph_style(doc, STYLE_PAGE_NUMBER, SONGTI, SIZE_FOOT, based_on=normal)
    _on_grid(page_number.paragraph_format, WD_ALIGN_PARAGRAPH.RIGHT)
    page_number.paragraph_format.line_spacing = Pt(SIZE_FOOT.pt + 2)

    lead = doc.styles.add_style(STYLE_LEAD, WD_STYLE_TYPE.CHARACTER)
    lead.quick_style = True
    set_face(lead.element.get_or_add_rPr(), KAITI)


def _font_table(doc) -> None:
    """Describe each face in Word's font table (GB2312 character set, its English name), so Word shows
    and substitutes them as it does for documents typed in an office."""
    part = next((rel.target_part for rel in doc.part.rels.values() if rel.reltype == RT.FONT_TABLE), None)
    if part is None:
        return
    root = etree.fromstring(part.blob)
    w = f"{{{root.nsmap['w']}}}"
    for face in FACES:
        entry = etree.SubElement(root, f"{w}font", {f"{w}name": face.name})
        etree.SubElement(entry, f"{w}altName", {f"{w}val": face.alt_name})
        etree.SubElement(entry, f"{w}charset", {f"{w}val": "86"})
        etree.SubElement(entry, f"{w}family", {f"{w}val": face.family})
        etree.SubElement(entry, f"{w}pitch", {f"{w}val": "variable"})
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _settings(doc, read_only: bool) -> None:
    settings = doc.settings.element
    for lang in settings.findall(qn("w:themeFontLang")):
        lang.set(qn("w:eastAsia"), "zh-CN")
    doc.settings.odd_and_even_pages_header_footer = True
    if read_only:
        protection = _element("w:documentProtection", edit="readOnly", enforcement="1")
        settings.find(qn("w:defaultTabStop")).addprevious(protection)


# --------------------------------------------------------------------------------------------------
# The page


def _section(doc) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = TOP, BOTTOM
    section.left_margin, section.right_margin = LEFT, RIGHT
    section.gutter = 0
    section.header_distance = Mm(15)
    # The footer's line is SIZE_FOOT + 2 pt tall; its top sits PAGE_NUMBER_GAP below the 版心.
    section.footer_distance = Emu(BOTTOM - PAGE_NUMBER_GAP - Pt(SIZE_FOOT.pt + 2))


def _field(paragraph, instruction: str, shown: str) -> None:
    """A field (PAGE) Word and LibreOffice both update when they lay the page out."""
    for kind, text in (
        ("begin", None),
        ("instr", instruction),
        ("separate", None),
        (shown, None),
        ("end", None),
    ):
        run = paragraph.add_run()
        if kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = f" {text} "
            run._r.append(instr)
        elif kind in ("begin", "separate", "end"):
            run._r.append(_element("w:fldChar", fldCharType=kind))
        else:
            run.text = kind


def _page_number(paragraph, odd: bool) -> None:
    paragraph.style = STYLE_PAGE_NUMBER
    fmt = paragraph.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.RIGHT if odd else WD_ALIGN_PARAGRAPH.LEFT
    if odd:
        fmt.right_indent = SIZE_FOOT  # 单页码居右空一字
    else:
        fmt.left_indent = SIZE_FOOT  # 双页码居左空一字
    paragraph.add_run(f"{DASH} ")
    _field(paragraph, "PAGE", "1")
    paragraph.add_run(f" {DASH}")


def _running_head(section, mark: str) -> None:
    """A draft says so at the top of every page (a 公文 itself has no running head)."""
    for header in (section.header, section.even_page_header):
        paragraph = header.paragraphs[0]
        paragraph.style = STYLE_MARK
        paragraph.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(mark)
        run.font.size = Pt(10.5)
        run.font.color.rgb = RED


def _paragraph(doc, text: str = "", style: str = STYLE_BODY, *, before_lines: float = 0):
    paragraph = doc.add_paragraph(text, style=style)
    if before_lines:
        paragraph.paragraph_format.space_before = Pt(LINE.pt * before_lines)
    return paragraph


def _masthead(doc, notice: NoticeDocument) -> None:
    mark = _paragraph(doc, notice.draft_mark, STYLE_MARK)  # the 份号 line: 草稿 on a draft
    mark.paragraph_format.first_line_indent = Pt(0)
    # The 标志's line is the font size + 6 pt. Its glyphs' top edge stands MASTHEAD_FROM_TOP below the
    # 版心: that far, less the 份号 line above, plus the 2.4 pt LibreOffice (as Word) sets the glyphs of
    # an exact-height line above its top (measured by tests/exports/test_notice_pdf.py).
    masthead = _paragraph(doc, notice.masthead, STYLE_MASTHEAD)
    masthead.paragraph_format.space_before = Pt(MASTHEAD_FROM_TOP.pt - LINE.pt + 2.4)
    width = len(notice.masthead) * SIZE_MASTHEAD.pt
    scale = min(100, int(100 * 0.96 * BLOCK_WIDTH.pt / width))
    for run in masthead.runs:
        set_character_scale(run._r.get_or_add_rPr(), scale)
    number = _paragraph(doc, notice.number, STYLE_NUMBER, before_lines=2)
    # The rule sits below the line box: the glyphs end about 6.5 pt above its foot.
    set_border(number._p.get_or_add_pPr(), "bottom", RED_RULE_EIGHTHS, "FF0000", RULE_BELOW_NUMBER.pt - 6.5)


def _body(doc, notice: NoticeDocument) -> None:
    _paragraph(doc, notice.title, STYLE_TITLE, before_lines=2)
    addressees = _paragraph(doc, notice.addressees, before_lines=1)
    addressees.paragraph_format.first_line_indent = Pt(0)
    for block in notice.blocks:
        if block.kind == "heading":
            _paragraph(doc, block.text, STYLE_HEADING)
            continue
        paragraph = _paragraph(doc)
        if block.lead:
            paragraph.add_run(block.lead, style=STYLE_LEAD)
        paragraph.add_run(block.text)
    for index, name in enumerate(notice.attachments, start=1):
        first = index == 1
        paragraph = _paragraph(
            doc, f"{'附件：' if first else ''}{index}.{name}", before_lines=1 if first else 0
        )
        fmt = paragraph.paragraph_format
        fmt.left_indent = 5 * CHAR  # 左空二字, then 附件： is three characters wide
        fmt.first_line_indent = -3 * CHAR if first else Pt(0)


def _text_width(text: str) -> float:
    """Width in body characters: Arabic numerals and Latin letters are half a character."""
    return sum(0.5 if ord(c) < 0x2E80 else 1.0 for c in text)


def _signature(doc, notice: NoticeDocument) -> None:
    """署名 centred over the 成文日期, which stands 右空四字; a long 署名 keeps 右空二字 and the date is
    centred under it."""
    sign, date = _text_width(notice.signatory), _text_width(notice.date)
    sign_right = 4 + (date - sign) / 2
    date_right = 4.0
    if sign_right < 2:
        sign_right, date_right = 2.0, 2 + (sign - date) / 2
    for text, right, before in ((notice.signatory, sign_right, 3), (notice.date, date_right, 0)):
        paragraph = _paragraph(doc, text, before_lines=before)
        fmt = paragraph.paragraph_format
        fmt.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        fmt.first_line_indent = Pt(0)
        fmt.right_indent = Pt(CHAR.pt * right)
        fmt.keep_with_next = text == notice.signatory


def _framed(paragraph) -> None:
    """Put ``paragraph`` in the 版记's frame: 版心 wide, at the foot of the 版心 of the page it falls on.
    Consecutive paragraphs with the same frame properties share one frame."""
    frame = _element(
        "w:framePr",
        w=int(BLOCK_WIDTH.twips),
        wrap="notBeside",
        hAnchor="margin",
        vAnchor="margin",
        xAlign="center",
        yAlign="bottom",
    )
    paragraph._p.get_or_add_pPr().insert_element_before(frame, *_PPR_AFTER_FRAME, *_PPR_AFTER_PBDR)
    paragraph.paragraph_format.first_line_indent = Pt(0)


def _rule(doc, height: Pt) -> None:
    """A rule of the 版记: an empty paragraph ``height`` tall, shaded black (LibreOffice drops a frame
    whose paragraphs have borders, so the rules are shading, which both programs print the same)."""
    paragraph = _paragraph(doc, "", STYLE_FOOT)
    _framed(paragraph)
    paragraph.paragraph_format.line_spacing = height
    shading = _element("w:shd", val="clear", color="auto", fill="000000")
    paragraph._p.get_or_add_pPr().insert_element_before(shading, *_PPR_AFTER_PBDR[1:])


def _colophon(doc, notice: NoticeDocument) -> None:
    """版记 in a frame held to the foot of the 版心 on the last page, so its last rule lies on the 版心's
    lower edge: a thick rule, 抄送, a thin rule, 印发机关 and 印发日期, a thick rule. The rules span the
    版心; the words stand one character in from each end (左右各空一字)."""
    indent = "\u3000"  # a full-width space: one 4号 character
    _rule(doc, THICK_RULE)
    copy_to = _paragraph(doc, f"{indent}抄送：{notice.copy_to}。", STYLE_FOOT)
    _framed(copy_to)
    _rule(doc, THIN_RULE)
    printed = _paragraph(doc, f"{indent}{notice.printed_by}\t{notice.printed_on}", STYLE_FOOT)
    _framed(printed)
    printed.paragraph_format.tab_stops.add_tab_stop(Emu(BLOCK_WIDTH - SIZE_FOOT), WD_TAB_ALIGNMENT.RIGHT)
    _rule(doc, THICK_RULE)
    # A hairline paragraph after the frame: the frame is laid out with the text that follows it.
    tail = _paragraph(doc, "", STYLE_FOOT)
    tail.paragraph_format.line_spacing = Pt(1)


def write_docx(notice: NoticeDocument, path: Path) -> Path:
    """Write the document to ``path`` (through a partial file, replaced in one step)."""
    doc = Document()
    _styles(doc)
    _font_table(doc)
    _settings(doc, notice.read_only)
    _section(doc)
    section = doc.sections[0]
    _page_number(section.footer.paragraphs[0], odd=True)
    _page_number(section.even_page_footer.paragraphs[0], odd=False)
    if notice.running_head:
        _running_head(section, notice.running_head)
    _masthead(doc, notice)
    _body(doc, notice)
    _signature(doc, notice)
    _colophon(doc, notice)
    properties = doc.core_properties
    for name, value in notice.properties.items():
        setattr(properties, name, value)
    properties.author = notice.printed_by
    properties.last_modified_by = notice.printed_by
    if notice.created is not None:
        properties.created = properties.modified = notice.created
    properties.revision = 1
    path.parent.mkdir(parents=True, exist_ok=True)
    with replacing(path) as partial:
        doc.save(str(partial))
    return path
