"""The data-quality feedback workbook (数据质量反馈表) that goes back to a county for one submission.

``write_feedback_workbook`` writes three things into one workbook, all in Chinese:

- 反馈说明: unit, period, file, version, time received, the outcome in words, the counts of errors and
  warnings, and what to do next;
- 问题清单: one row per finding (errors first) with a link to the cell in the copy below;
- a copy of every sheet of the county's own workbook, values only, each offending cell filled (red for
  an error, yellow for a warning) and carrying a comment with the rule and the hint. The values are
  those the reader read (``ingest.read``, the values the findings speak of); for an .xlsx/.xlsm the
  copy keeps the sheets' number formats, widths, heights, merges and frozen panes
  (``ingest.sheet_layout``).

The county's file is untrusted: only cell values are copied (cached results, never formulas; macros,
external links, hyperlinks and defined names are dropped) and every string goes through
``exports.safe.set_text``, so text such as ``=HYPERLINK(...)`` stays text. A file the reader could not
open (rule check ``workbook_readable``) is never opened again here: its findings are only listed.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from base import calendar
from base.catalogue import fold_label
from base.names import bounded_name
from base.outside_text import workbook_text
from base.rules import rules
from exports import styles
from exports.safe import safe_sheet_title, set_text
from exports.template import save_workbook
from ingest.cell_flags import FORMULA_WITHOUT_VALUE
from ingest.read import Sheet, read_workbook
from ingest.sheet_layout import SheetLayout

SUMMARY_SHEET = "反馈说明"
LIST_SHEET = "问题清单"
COMMENT_AUTHOR = "pingan"
ERROR_FILL = styles.RED_FILL
WARNING_FILL = styles.YELLOW_FILL
# A county's workbook is ~30 KB and ~1,000 cells; beyond these its findings are listed but not copied.
# Bytes are checked before opening: inflated sheet XML and shared strings for a zip (.xlsx/.xlsm/.ods),
# the file size otherwise.
MAX_COPY_CELLS = 50_000
MAX_COPY_BYTES = 2 * 1024 * 1024

STATUS_TEXT = {
    "accepted": "已接收",
    "accepted_with_warnings": "已接收（有提示，请核对）",
    "rejected": "退回（请修改后重新报送）",
}
SEVERITY_TEXT = {"error": "错误", "warning": "提示"}
LIST_COLUMNS = (  # label, width
    ("序号", 6),
    ("严重程度", 9),
    ("工作表", 14),
    ("单元格", 10),
    ("填报值", 16),
    ("规则编号", 9),
    ("问题说明", 46),
    ("修改建议", 40),
)
_WRAPPED_COLUMNS = {5, 7, 8}
_BAD_FILE_CHARS = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
_LINK_FONT = styles.font(11, color=styles.LINK_BLUE, underline="single", fallback=False)
_WRAP = Alignment(vertical="center", wrap_text=True)
_FILLS = {"error": styles.solid(ERROR_FILL), "warning": styles.solid(WARNING_FILL)}
_MARK = {
    sev: Border(*(Side(style="medium", color=color),) * 4)
    for sev, color in (("error", styles.DARK_RED), ("warning", styles.DARK_YELLOW))
}


@dataclass
class CopiedSheet:
    original: str  # the sheet's name in the county's workbook
    title: str  # its name in the feedback workbook
    visible: bool


@dataclass(frozen=True)
class Target:
    sheet: CopiedSheet
    coordinate: str  # as reported, e.g. 'D15'


# --------------------------------------------------------------------------------------------------
# Entry point


def write_feedback_workbook(
    out_dir: Path,
    *,
    original: Path | None,
    file_name: str,
    unit_name: str | None,
    period: str | None,
    version: int | None,
    status: str,
    findings: list[dict],
    received_at: str | None = None,
    deadline_text: str | None = None,
    sha256: str | None = None,
) -> Path:
    """Write the feedback workbook for one submission into ``out_dir``; return its path.

    ``original`` is the file as received (its archive copy), opened only to copy its cells: call this in
    the sandbox (``orchestration.intake`` does), or with ``original=None`` for a workbook with the list
    alone. ``findings`` are finding dicts as in ``FileResult.errors`` (rule_id, severity, sheet, cell,
    field, value, message, hint); ``sha256`` (the file's) keeps the names of unversioned files apart
    (``feedback_file_name``).
    """
    ordered = sorted(findings, key=lambda f: f.get("severity") != "error")
    wb = Workbook()
    styles.add_form_styles(wb)
    summary = wb.active
    summary.title = SUMMARY_SHEET
    listing = wb.create_sheet(LIST_SHEET)
    if original is None:
        copies, copy_note = [], _NOT_COPIED_NOTE
    else:
        copies, copy_note = _copy_original(wb, Path(original), ordered, {SUMMARY_SHEET, LIST_SHEET})
    targets = [_target(f, copies) for f in ordered]
    _mark_cells(wb, ordered, targets)
    _list_sheet(listing, ordered, targets)
    _summary_sheet(
        summary,
        unit_name=unit_name,
        period=period,
        file_name=file_name,
        version=version,
        received_at=received_at,
        status=status,
        findings=ordered,
        deadline_text=deadline_text,
        copy_note=copy_note,
    )
    wb.active = 0
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / feedback_file_name(unit_name, period, version, file_name, sha256)
    staged = path.with_name(f".{path.name}.tmp")
    save_workbook(wb, staged, _stamp(received_at))
    staged.replace(path)
    return path


def feedback_file_name(
    unit_name: str | None, period: str | None, version: int | None, file_name: str, sha256: str | None = None
) -> str:
    """'<unit>_<period>_v<version>_数据质量反馈表.xlsx'; without a version (an unreadable file) the name
    of the file received, and the first 8 characters of its sha256, take the version's place, so two
    such files (even two of the same name) do not overwrite each other."""
    unit = _file_part(unit_name) or "未识别单位"
    when = _file_part(period) or "未识别期间"
    which = f"v{version}"
    if version is None:
        which = bounded_name(_file_part(Path(file_name).stem), max_bytes=90) or "未编号"
        which += f"_{sha256[:8]}" if sha256 else ""
    return f"{unit}_{when}_{which}_数据质量反馈表.xlsx"


def period_text(period: str | None) -> str:
    """The period's label ('2022年5月', '2022年度' for a targets workbook); what was given when it is not
    a period key; '未识别' when there is none."""
    if not period:
        return "未识别"
    try:
        return calendar.period_label(period)
    except ValueError:
        return period


# --------------------------------------------------------------------------------------------------
# The copy of the county's workbook


def _copy_original(
    wb: Workbook, original: Path, findings: list[dict], taken: set[str]
) -> tuple[list[CopiedSheet], str | None]:
    """Copy the county's sheets into ``wb``; return them and, when there is no copy, why (Chinese)."""
    if any(_unreadable(f) for f in findings):
        return [], "原文件无法读取，本表未附原表副本，问题见「问题清单」。"
    if not original.is_file():
        return [], "未找到原文件，本表未附原表副本，问题见「问题清单」。"
    if _bytes_to_read(original) > MAX_COPY_BYTES:
        return [], _TOO_LARGE_NOTE
    try:
        sheets = read_workbook(original, layout=True).sheets
    except Exception:  # noqa: BLE001 - the feedback must still be written, with the list alone
        return [], "原文件无法再次读取，本表未附原表副本，问题见「问题清单」。"
    if sum(len(row) for sheet in sheets for row in sheet.rows) > MAX_COPY_CELLS:
        return [], _TOO_LARGE_NOTE
    try:
        return [_copy_sheet(wb, sheet, taken) for sheet in sheets], None
    except Exception:  # noqa: BLE001 - as above; the sheets copied so far go too
        _drop_copies(wb, taken)
        return [], _NOT_COPIED_NOTE


_TOO_LARGE_NOTE = "原表过大，本表未附原表副本，问题见「问题清单」。"
_NOT_COPIED_NOTE = "原表副本未能生成，本表未附原表副本，问题见「问题清单」。"


def _bytes_to_read(path: Path) -> int:
    """What a reader would inflate: sheet XML and shared strings of a zip, else the file's size."""
    if zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as archive:
                return sum(
                    entry.file_size
                    for entry in archive.infolist()
                    if entry.filename.startswith("xl/worksheets/")
                    or entry.filename in {"xl/sharedStrings.xml", "content.xml"}
                )
        except zipfile.BadZipFile:
            return 0  # the reader below fails and the findings are listed alone
    return path.stat().st_size


def _unreadable(finding: dict) -> bool:
    rule = rules().get(str(finding.get("rule_id")))
    return rule is not None and rule.check == "workbook_readable"


def _drop_copies(wb: Workbook, taken: set[str]) -> None:
    for ws in wb.worksheets[2:]:
        taken.discard(ws.title)
        wb.remove(ws)


def _copy_sheet(wb: Workbook, sheet: Sheet, taken: set[str]) -> CopiedSheet:
    """One sheet's values (cached results for formulas, the error text for error values) and, for an
    .xlsx/.xlsm, its number formats, widths, heights, merges and frozen pane; for other files, widths
    estimated from the values."""
    title = safe_sheet_title(sheet.name, taken)
    target = wb.create_sheet(title)
    layout = sheet.layout or SheetLayout()
    errors = {address: text for address, text in sheet.flagged.items() if text != FORMULA_WITHOUT_VALUE}
    widths: dict[int, int] = {}
    for r, row in enumerate(sheet.rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is None or value == "":
                continue
            cell = set_text(target.cell(row=r, column=c), value)
            if layout.number_formats and not isinstance(value, str):
                code = layout.number_formats.get(cell.coordinate)
                if code is not None:
                    cell.number_format = code
            if sheet.layout is None:
                widths[c] = max(widths.get(c, 0), _display_width(value))
    for address, text in errors.items():
        set_text(target[address], text)
    if sheet.layout is None:
        for column, width in widths.items():
            target.column_dimensions[get_column_letter(column)].width = min(50, max(8, width + 2))
    for column, width in layout.column_widths.items():
        target.column_dimensions[get_column_letter(column)].width = width
    for row, height in layout.row_heights.items():
        target.row_dimensions[row].height = height
    for min_col, min_row, max_col, max_row in layout.merged:  # the covered cells' values are dropped
        target.merge_cells(start_row=min_row, start_column=min_col, end_row=max_row, end_column=max_col)
    target.freeze_panes = layout.frozen_at
    if not sheet.visible:
        target.sheet_state = "hidden"
    columns = layout.max_column or max((len(row) for row in sheet.rows), default=0)
    styles.print_setup(target, landscape=columns > 8, document=False, centred=False)
    return CopiedSheet(sheet.name, title, sheet.visible)


def _target(finding: dict, copies: list[CopiedSheet]) -> Target | None:
    """Where a finding points in the copy, when its sheet and cell are known and the sheet was copied."""
    coordinate = _coordinate(finding.get("cell"))
    sheet = _resolve_sheet(finding.get("sheet"), copies)
    if coordinate is None or sheet is None:
        return None
    return Target(sheet, coordinate)


def _resolve_sheet(name: object, copies: list[CopiedSheet]) -> CopiedSheet | None:
    """The copied sheet a finding names: same name, else same folded name, else one containing it
    (the rule the reader uses to find 指标填报 in '指标填报（5月）'), visible sheets first."""
    if not name:
        return None
    for copy in copies:
        if copy.original == name:
            return copy
    wanted = fold_label(name)
    ordered = sorted(copies, key=lambda c: not c.visible)
    for test in (lambda folded: folded == wanted, lambda folded: wanted in folded):
        for copy in ordered:
            if test(fold_label(copy.original)):
                return copy
    return None


def _coordinate(cell: object) -> str | None:
    """'D15' from 'D15', '$D$15' or a range 'D15:E16' (its first cell); None when it is not a cell."""
    if not cell:
        return None
    text = str(cell).strip().replace("$", "").split(":")[0].upper()
    try:
        column, row = coordinate_from_string(text)
        column_number = column_index_from_string(column)
    except ValueError:
        return None
    if not (1 <= row <= 1_048_576 and 1 <= column_number <= 16_384):
        return None
    return f"{column}{row}"


def _mark_cells(wb: Workbook, findings: list[dict], targets: list[Target | None]) -> None:
    """Fill each offending cell (red error, yellow warning) and give it a comment naming rule and hint."""
    by_cell: dict[tuple[str, str], list[dict]] = {}
    for finding, target in zip(findings, targets, strict=True):
        if target is not None:
            by_cell.setdefault((target.sheet.title, target.coordinate), []).append(finding)
    for (title, coordinate), found in by_cell.items():
        ws = wb[title]
        if ws.sheet_state != "visible":
            ws.sheet_state = "visible"
        cell = _anchor(ws, coordinate)
        severity = "error" if any(f.get("severity") == "error" for f in found) else "warning"
        cell.fill = _FILLS[severity]
        cell.border = _MARK[severity]
        text = "\n\n".join(_comment_text(f) for f in found)
        lines = sum(1 + _display_width(line) // 36 for line in text.split("\n"))
        cell.comment = Comment(text, COMMENT_AUTHOR, height=max(60, 18 * lines + 10), width=260)


def _anchor(ws: Worksheet, coordinate: str):
    """The cell to mark: the top-left cell when ``coordinate`` lies inside a merged area."""
    for merged in ws.merged_cells.ranges:
        if coordinate in merged:
            return ws.cell(row=merged.min_row, column=merged.min_col)
    return ws[coordinate]


def _comment_text(finding: dict) -> str:
    text = f"规则 {finding.get('rule_id') or ''}：{finding.get('message') or ''}"
    if finding.get("hint"):
        text += f"\n建议：{finding['hint']}"
    return workbook_text(text)


# --------------------------------------------------------------------------------------------------
# 问题清单


def _list_sheet(ws: Worksheet, findings: list[dict], targets: list[Target | None]) -> None:
    errors, warnings_ = _counts(findings)
    width = len(LIST_COLUMNS)
    set_text(
        ws.cell(row=1, column=1), f"数据质量问题清单（错误 {errors} 项，提示 {warnings_} 项）"
    ).style = styles.FORM_TITLE
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.row_dimensions[1].height = 28
    for col, (label, col_width) in enumerate(LIST_COLUMNS, start=1):
        set_text(ws.cell(row=2, column=col), label).style = styles.FORM_HEADER
        ws.column_dimensions[get_column_letter(col)].width = col_width
    row = 2
    for number, (finding, target) in enumerate(zip(findings, targets, strict=True), start=1):
        row += 1
        sheet_name = target.sheet.original if target else finding.get("sheet")
        values = (
            number,
            SEVERITY_TEXT.get(finding.get("severity"), finding.get("severity")),
            sheet_name,
            finding.get("cell"),
            finding.get("value"),
            finding.get("rule_id"),
            finding.get("message"),
            finding.get("hint"),
        )
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=row, column=col)
            set_text(cell, value).style = styles.FORM_LABEL
            if col in _WRAPPED_COLUMNS:
                cell.alignment = _WRAP
        if target is not None:
            link = ws.cell(row=row, column=4)
            link.hyperlink = Hyperlink(
                ref=link.coordinate, location=cell_reference(target.sheet.title, target.coordinate)
            )
            link.font = _LINK_FONT
        ws.row_dimensions[row].height = 16 * _lines_needed(values) + 4
    if not findings:
        row += 1
        set_text(ws.cell(row=row, column=1), "未发现问题。").style = styles.FORM_NOTE
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    last = get_column_letter(width)
    if findings:
        body = f"A3:{last}{row}"
        for text, color in (("错误", ERROR_FILL), ("提示", WARNING_FILL)):
            ws.conditional_formatting.add(
                body, FormulaRule(formula=[f'$B3="{text}"'], fill=PatternFill("solid", bgColor=color))
            )
        ws.auto_filter.ref = f"A2:{last}{row}"
    ws.freeze_panes = "A3"
    styles.print_setup(ws, "1:2", document=False, centred=False)


def cell_reference(sheet_title: str, coordinate: str) -> str:
    """An internal link target such as "'指标填报'!D15" (quotes in the title doubled)."""
    return "'{}'!{}".format(sheet_title.replace("'", "''"), coordinate)


def _lines_needed(values: tuple) -> int:
    lines = 1
    for col in _WRAPPED_COLUMNS:
        value = values[col - 1]
        if value:
            usable = max(1, LIST_COLUMNS[col - 1][1] - 2)
            lines = max(
                lines, sum(math.ceil(max(1, _display_width(p)) / usable) for p in str(value).split("\n"))
            )
    return lines


# --------------------------------------------------------------------------------------------------
# 反馈说明


def _summary_sheet(
    ws: Worksheet,
    *,
    unit_name: str | None,
    period: str | None,
    file_name: str,
    version: int | None,
    received_at: str | None,
    status: str,
    findings: list[dict],
    deadline_text: str | None,
    copy_note: str | None,
) -> None:
    errors, warnings_ = _counts(findings)
    set_text(ws.cell(row=1, column=1), "数据质量反馈表").style = styles.FORM_TITLE
    ws.merge_cells("A1:B1")
    ws.row_dimensions[1].height = 30
    rows: list[tuple[str, object]] = [
        ("单位", unit_name or "未识别"),
        ("报送期间", period_text(period)),
        ("文件名", file_name),
        ("版本", f"第{version}版" if version is not None else "未编号"),
        ("接收时间", received_text(received_at)),
        ("处理结果", STATUS_TEXT.get(status, status)),
        ("错误数", errors),
        ("提示数", warnings_),
    ]
    if deadline_text:
        rows.append(("报送截止", deadline_text))
    rows += [
        ("下一步", next_steps(status, errors, warnings_, deadline_text)),
        ("本表说明", _how_to_read(copy_note)),
    ]
    for row, (label, value) in enumerate(rows, start=2):
        set_text(ws.cell(row=row, column=1), label).style = styles.FORM_LABEL
        cell = set_text(ws.cell(row=row, column=2), value)
        cell.style = styles.FORM_LABEL
        cell.alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
        lines = sum(math.ceil(max(1, _display_width(p)) / 76) for p in str(value).split("\n"))
        ws.row_dimensions[row].height = max(20, 17 * lines + 4)
        if label == "处理结果":
            color = styles.DARK_RED if status == "rejected" else "000000"
            cell.font = styles.font(12, bold=True, color=color, fallback=False)
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 80
    styles.print_setup(ws, landscape=False, document=False, centred=False)


def next_steps(status: str, errors: int, warnings_: int, deadline_text: str | None) -> str:
    """What the county should do now, in plain words."""
    if status == "rejected":
        when = f"请于{deadline_text}前" if deadline_text else "请尽快"
        text = (
            f"本次报送未被接收。请按「问题清单」逐项修改标为“错误”的 {errors} 处，"
            f"改好后{when}重新报送完整的月报（整个工作簿，不要只报改动的部分），文件名后加“_更正”。"
            "数据以最后一次报送的为准，逾期按迟报统计。"
        )
        if warnings_:
            text += f"\n标为“提示”的 {warnings_} 处请一并核对。"
        return text
    if status == "accepted_with_warnings" or warnings_:
        return (
            f"本次报送已接收。「问题清单」中有 {warnings_} 处“提示”，请逐项核对：\n"
            "· 数据确实无误的，请在月报相应行的“备注”栏写明原因（如“含往年积案”），以后报送时照此填写；\n"
            "· 确有填错的，请修改后重新报送完整的月报（文件名后加“_更正”），以最后一次报送的为准。"
        )
    return "本次报送已接收，未发现问题，无需再做处理。"


def received_text(received_at: str | None) -> str:
    """'2022-06-03T10:15:00' -> '2022年6月3日 10:15'."""
    if not received_at:
        return "—"
    try:
        return calendar.date_text(dt.datetime.fromisoformat(received_at))
    except ValueError:
        return received_at


def _how_to_read(copy_note: str | None) -> str:
    if copy_note:
        return f"「{LIST_SHEET}」列出每个问题所在的工作表、单元格、填报值和修改建议。{copy_note}"
    return (
        f"「{LIST_SHEET}」列出每个问题所在的工作表、单元格、填报值和修改建议，点击单元格地址可跳到后面所附原表副本中的"
        "相应位置。原表副本中红色底纹为错误，黄色底纹为提示，鼠标指向单元格可看批注。请在本单位的原文件中修改，"
        "不要修改或报送本反馈表。"
    )


# --------------------------------------------------------------------------------------------------
# Helpers


def _counts(findings: Iterable[dict]) -> tuple[int, int]:
    findings = list(findings)
    errors = sum(f.get("severity") == "error" for f in findings)
    return errors, len(findings) - errors


def _display_width(value: object) -> int:
    """Width in Latin characters: CJK and other wide characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(value))


def _file_part(text: str | None) -> str:
    return _BAD_FILE_CHARS.sub("_", text).strip(" .") if text else ""


def _stamp(received_at: str | None) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(received_at) if received_at else None
    except ValueError:
        moment = None
    moment = moment or dt.datetime.now().replace(microsecond=0)
    return max(moment.replace(tzinfo=None), dt.datetime(1980, 1, 1))
