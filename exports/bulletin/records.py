"""The bulletin's record sheets: 填报情况, 数据质量, 说明, the hidden 清单 (manifest) and 更正说明."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from base import catalogue
from base.approvals import ACCEPTED
from base.calendar import date_text, deadline_day, month_label
from exports import styles as st
from exports.bulletin import layout
from exports.bulletin.data import BulletinData
from exports.bulletin.format import SEVERITIES, rank_change_legend, target_type_label
from exports.bulletin.manifest import SubmissionChange, UnitMove, first_scores
from exports.bulletin.sheets import Masthead, cell_ref, new_sheet

FMT_DATE = "yyyy-mm-dd"
FMT_TIME = "yyyy-mm-dd hh:mm"
STATUS_COLOURS = (("逾期", st.YELLOW_FILL), ("未报", st.RED_FILL), ("退回", st.RED_FILL))


def status_colours(ws: Worksheet, ref: str) -> None:
    for text, fill in STATUS_COLOURS:
        layout.highlight_text(ws, ref, text, fill)


def write_submissions(wb: Workbook, data: BulletinData, mh: Masthead) -> Worksheet:
    ws = new_sheet(wb, "填报情况")
    months = data.period.months
    rows = [s for s in data.status if s["period"] in months]
    reporting = {s["unit_code"] for s in rows}
    units = [u for u in data.units if u["unit_code"] in reporting]
    by_key = {(s["unit_code"], s["period"]): s for s in rows}
    if len(months) == 1:
        headers = [
            "序号",
            "单位名称",
            "报送状态",
            "截止日期",
            "收到时间",
            "采用版本",
            "收到版本数",
            "错误数",
            "警告数",
        ]
    else:
        headers = ["序号", "单位名称", *map(month_label, months), "按时", "逾期", "未报", "退回", "及时率"]
    approvals = data.approvals is not None  # the county portal's sign-off and acceptance are in use
    if approvals:
        headers.append("审核状态" if len(months) == 1 else "已受理月数")
    n = len(headers)
    header = mh.start(ws, n, "月报报送情况")
    layout.header_row(ws, header, headers)
    row = header
    for i, unit in enumerate(units, start=1):
        row += 1
        layout.put(ws, row, 1, i, st.CENTER)
        layout.put(ws, row, 2, unit["unit_name"])
        own = [by_key.get((unit["unit_code"], m)) for m in months]
        if len(months) == 1:
            s = own[0]
            values = [
                (s["status_label"], st.CENTER, None),
                (s["deadline"], st.CENTER, FMT_DATE),
                (s["received_at"], st.CENTER, FMT_TIME),
                (s["version"], st.CENTER, None),
                (s["versions_received"], st.CENTER, None),
                (s["error_count"], st.INTEGER, None),
                (s["warning_count"], st.INTEGER, None),
            ]
        else:
            labels = [(s["status_label"] if s else "/", st.CENTER, None) for s in own]
            known = [s for s in own if s]
            counts = [
                (sum(bool(s[f]) for s in known), st.INTEGER, None)
                for f in ("on_time", "late", "missing", "rejected")
            ]
            expected = sum(bool(s["expected"]) for s in known)
            rate = counts[0][0] / expected if expected else None
            values = [*labels, *counts, (rate, st.PERCENT, None)]
        if approvals:
            values.append((_approval_text(data, own), st.CENTER, None))
        for col, (value, style, fmt) in enumerate(values, start=3):
            layout.put(ws, row, col, value, style, fmt)
    first = header + 1
    status_colours(ws, f"C{first}:{cell_ref(2 + len(months), max(row, first))}")
    if len(months) > 1:
        rate_column = n - 1 if approvals else n
        layout.highlight_below(
            ws, f"{cell_ref(rate_column, first)}:{cell_ref(rate_column, max(row, first))}", 1
        )
    table_end = row
    row += 2
    layout.section(ws, row, "报送率与及时率")
    rate_headers = ["月份", "应报单位", "已报送", "按时", "逾期", "未报", "退回", "报送率", "及时率"]
    layout.header_row(ws, row + 1, rate_headers)
    row += 1
    rate_first = row + 1
    for r in data.rates:
        row += 1
        values = [(month_label(r["period"]), st.CENTER, None)]
        values += [
            (r[f], st.CENTER, None)
            for f in (
                "units_expected",
                "units_received",
                "units_on_time",
                "units_late",
                "units_missing",
                "units_rejected",
            )
        ]
        values += [(r["completeness_rate"], st.PERCENT, None), (r["timeliness_rate"], st.PERCENT, None)]
        for col, (value, style, fmt) in enumerate(values, start=1):
            layout.put(ws, row, col, value, style, fmt)
    if not data.rates:
        row += 1
        layout.note_rows(ws, row, ["数据仓库中暂无报送率数据。"], len(rate_headers))
    elif row >= rate_first:
        layout.highlight_below(ws, f"H{rate_first}:I{row}", 1)
    layout.fit_columns(ws, header, minimum=8)
    notes = [
        f"注：月报于次月{deadline_day()}日前（含当日）报送。已报=按时报送，逾期=截止后报送，"
        "未报=未收到，退回=未通过数据校验且无可用版本。报送率=收到可用月报的单位数÷应报单位数，及时率=按时报送单位数÷应报单位数。"
    ]
    if approvals:
        notes.append(
            "审核状态为发布时采用版本的审核情况：县级已审核=县审核人已审核，已受理=综治办已受理，已退回=综治办已退回待更正，"
            "待审核/需重新审核=尚未审核或收到新版本后尚未重新审核。"
        )
    layout.note_rows(ws, row + 2, notes, n)
    st.print_setup(
        ws,
        f"{header}:{header}",
        freeze=f"C{first}",
        table_ref=f"A{header}:{cell_ref(n, max(table_end, first))}",
    )
    return ws


def _approval_text(data: BulletinData, own: list[dict | None]) -> str:
    """A unit's approval: the state of the month's version used (a month), or how many of its months
    with a version used the office accepted, 'accepted / used' (a quarter, a year)."""
    used = [s for s in own if s and s["version"] is not None]
    if len(own) == 1:
        return data.approval(used[0]).label if used else ""
    accepted = sum(data.approval(s).state == ACCEPTED for s in used)
    return f"{accepted} / {len(used)}"


QUALITY_HEADERS = (
    "序号",
    "单位名称",
    "月份",
    "版本",
    "级别",
    "规则",
    "位置",
    "填报值",
    "问题说明",
    "修改建议",
)
QUALITY_WIDTHS = {1: 6, 3: 7, 4: 6, 5: 7, 6: 9, 7: 16, 8: 12, 9: 40, 10: 32}


def _unit_line(unit: dict, own: list[dict], status: list[dict]) -> str:
    errors = sum(f["severity"] == "error" for f in own)
    received = sum(s["versions_received"] or 0 for s in status)
    rejected = sum(bool(s["rejected"]) for s in status)
    counts = f"错误 {errors} 条，警告 {len(own) - errors} 条"
    returned = f"，{rejected} 个月被退回且无可用版本" if rejected else ""
    return f"{unit['unit_name']}：{counts}（本期收到月报 {received} 份{returned}）"


def write_quality(wb: Workbook, data: BulletinData, mh: Masthead) -> Worksheet:
    """Findings per unit: for each unit with findings a line with its counts, then its findings; the units
    without findings named together in one closing line."""
    ws = new_sheet(wb, "数据质量")
    n = len(QUALITY_HEADERS)
    findings = data.findings
    errors = sum(f["severity"] == "error" for f in findings)
    header = mh.start(ws, n, f"数据质量问题（错误 {errors} 条，警告 {len(findings) - errors} 条）")
    layout.header_row(ws, header, QUALITY_HEADERS)
    months = set(data.period.months)
    findings_of: dict[str, list[dict]] = defaultdict(list)
    for f in findings:
        findings_of[f["unit_code"]].append(f)
    status_of: dict[str, list[dict]] = defaultdict(list)
    for s in data.status:
        status_of[s["unit_code"]].append(s)
    units = [u for u in data.units if u["unit_code"] in status_of]
    listed = {u["unit_code"] for u in units}
    for f in findings:
        if f["unit_code"] not in listed:
            listed.add(f["unit_code"])
            units.append({"unit_code": f["unit_code"], "unit_name": f["unit_name"]})
    row, number, groups, clean = header, 0, [], []
    for unit in units:
        own = findings_of.get(unit["unit_code"], [])
        if not own:
            clean.append(unit["unit_name"])
            continue
        status = [s for s in status_of.get(unit["unit_code"], []) if s["period"] in months]
        row += 1
        layout.put(ws, row, 1, _unit_line(unit, own, status), st.GROUP)
        groups.append(row)
        for f in own:
            row += 1
            number += 1
            place = " ".join(str(x) for x in (f["sheet"], f["cell"]) if x)
            values = [
                number,
                f["unit_name"],
                month_label(f["period"]) if f["period"] else "",
                f["version"],
                SEVERITIES.get(f["severity"], f["severity"]),
                f["rule_id"],
                place,
                f["value"],
                f["message"],
                f["hint"],
            ]
            for col, value in enumerate(values, start=1):
                layout.put(ws, row, col, value, st.CENTER if col in (1, 3, 4, 5, 6) else st.TEXT)
    if not findings:
        text = "本期各单位报送数据未发现问题。"
    elif clean:
        text = f"其他单位（{'、'.join(clean)}）本期报送数据未发现问题。"
    else:
        text = None
    if text:
        row += 1
        layout.put(ws, row, 1, text, st.GROUP)
        groups.append(row)
    first = header + 1
    layout.highlight_text(ws, f"E{first}:E{row}", SEVERITIES["error"], st.RED_FILL, st.RED_FONT)
    layout.highlight_text(ws, f"E{first}:E{row}", SEVERITIES["warning"], st.YELLOW_FILL)
    widths = dict(QUALITY_WIDTHS)
    widths[2] = max((layout.display_width(u["unit_name"]) for u in units), default=8) + 2
    for col, field, cap in ((6, "rule_id", 20), (8, "value", 20)):
        shown = max((layout.display_width(f[field] or "") for f in findings), default=0) + 2
        widths[col] = min(max(widths[col], shown), cap)
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = width
    for r in groups:
        layout.merge(ws, r, 1, n)
        ws.row_dimensions[r].height = 20
    layout.fit_rows(ws, first)
    st.print_setup(ws, f"{header}:{header}", freeze=f"C{first}", table_ref=f"A{header}:{cell_ref(n, row)}")
    return ws


def _grades_text() -> str:
    grades = catalogue.grades()  # best first
    parts = [
        f"{grade} ≥{minimum:g}分" if minimum > 0 else f"{grade} 低于{grades[i - 1][1]:g}分"
        for i, (grade, minimum) in enumerate(grades)
    ]
    return "；".join(parts)


def _ranking_rule(data: BulletinData) -> str:
    """排名规则 of the 说明 sheet: the composite ranking's, or (the year's targets not loaded) that there is
    none and what the league tables' 名次变化 means."""
    if not data.scored:
        return "本期不排综合名次。重点指标排名的" + rank_change_legend(data.rankings, "indicator")
    return "综合得分相同的名次并列，其后名次顺延（1、2、2、4）。" + rank_change_legend(data.scores, "score")


def write_notes(wb: Workbook, data: BulletinData, mh: Masthead, manifest: dict) -> Worksheet:
    ws = new_sheet(wb, "说明")
    header = mh.start(ws, 1 + len(data.period.scope_months), "计分办法与数据来源")
    targets = manifest["targets"]
    if targets is not None:
        targets_text = f"{targets['file_name']}（第{targets['version']}版，sha256 {targets['sha256'][:12]}）"
    else:
        targets_text = manifest["scores_note"] or "未找到已接收的目标管理责任书"
    items = [
        ("通报期间", f"{data.period.label}（{data.period.basis}）"),
        ("数据截止时间", date_text(mh.as_of)),
        (
            "计分办法",
            "各单位按签订的目标管理责任书逐项考评，每项目标设有分值：达标得满分；"
            f"“{target_type_label('min')}”类目标未达标的按完成比例计分，最高不超过满分；其他类型未达标不得分。"
            "流量指标的年度目标按已过月数折算后与累计数比较。"
            "综合得分 = 实得分值 ÷ 已评价目标分值 × 100（保留1位小数）；尚无测评结果的目标本期不评价、不计分。",
        ),
        ("等级划分", _grades_text() + "。"),
        (
            "一票否决",
            f"一票否决目标未达标的，等级定为{catalogue.veto_grade()}，名次排在所有未被否决单位之后。",
        ),
        (
            "黄牌警告",
            f"等级为{catalogue.yellow_card_grade()}，或连续"
            f"{catalogue.settings()['yellow_card_last_place_periods']}期排名末位的，给予黄牌警告。",
        ),
        ("排名规则", _ranking_rule(data)),
        ("规则版本", f"{manifest['rule_version']}（考评目录与规则配置文件的摘要）"),
        ("目标责任书", targets_text),
        (
            "所用月报",
            f"共 {len(manifest['submissions'])} 份（{data.period.year}年1月至{data.period.scope_months[-1][5:].lstrip('0')}月，"
            "各单位各月采用的最新有效版本），见下表。",
        ),
    ]
    months = data.period.scope_months
    n = 1 + len(months)
    layout.header_row(ws, header, ["项目", "内容"])
    for col in range(3, n + 1):
        layout.put(ws, header, col, None, st.HEADER)
    ws.merge_cells(start_row=header, start_column=2, end_row=header, end_column=n)
    row = header
    for label, text in items:
        row += 1
        layout.put(ws, row, 1, label, st.CENTER)
        layout.put(ws, row, 2, text, st.NOTE)
        for col in range(3, n + 1):
            layout.put(ws, row, col, None, st.NOTE)
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=n)
    row += 2
    layout.section(ws, row, "本通报所用月报版本", n)
    row += 1
    layout.header_row(ws, row, ["单位名称", *map(month_label, months)])
    matrix_first = row + 1
    cells = {(s["unit_code"], s["period"]): s for s in data.status}
    expected = {s["unit_code"] for s in data.status}
    for unit in (u for u in data.units if u["unit_code"] in expected):
        row += 1
        layout.put(ws, row, 1, unit["unit_name"])
        for col, month in enumerate(months, start=2):
            s = cells.get((unit["unit_code"], month))
            value = "/" if s is None else (s["version"] if s["version"] is not None else s["status_label"])
            late = s is not None and s["late"] and s["version"] is not None
            layout.put(ws, row, col, value, st.CENTER, fill=st.YELLOW_FILL if late else None)
    status_colours(ws, f"B{matrix_first}:{cell_ref(n, max(row, matrix_first))}")
    legend = (
        "注：表中数字为本通报采用的月报版本号（同一单位同一月份重报的，采用最新的有效版本）；黄色为逾期报送，"
        "“未报”“退回”为该月无可用月报。各版本文件的 sha256 指纹见通报附带的清单文件（.manifest.json）"
        "及本工作簿的隐藏工作表“清单”。"
    )
    widest = max((layout.display_width(u["unit_name"]) for u in data.units), default=8) + 2
    ws.column_dimensions["A"].width = max(widest, 14)
    for col in range(2, n + 1):
        ws.column_dimensions[get_column_letter(col)].width = max(5.5, 66 / max(len(months), 1))
    layout.fit_rows(ws, header + 1, line_height=18)
    layout.note_rows(ws, row + 1, [legend], n)
    st.print_setup(ws, None, landscape=False)
    return ws


def write_manifest_sheet(wb: Workbook, manifest: dict) -> Worksheet:
    """The hidden 清单 sheet: the manifest as rows (key, value) and the submissions with full sha256."""
    ws = wb.create_sheet("清单")
    targets = manifest["targets"] or {}
    pairs = [
        ("period", manifest["period"]),
        ("period_type", manifest["period_type"]),
        ("period_label", manifest["period_label"]),
        ("as_of", manifest["as_of"]),
        ("rule_version", manifest["rule_version"]),
        ("targets_sha256", targets.get("sha256")),
        ("targets_file", targets.get("file_name")),
        ("targets_version", targets.get("version")),
        ("file", manifest["file"]),
        ("issued_by", manifest["issued_by"]),
        ("correction", (manifest["correction"] or {}).get("number")),
    ]
    # A record for programs (and the curious), not for print: plain cells, fixed widths.
    rows = [*pairs, (), MANIFEST_COLUMNS]
    rows += [[s[key] for key in MANIFEST_COLUMNS] for s in manifest["submissions"]]
    for row, values in enumerate(rows, start=1):
        for column, value in enumerate(values, start=1):
            layout.put_plain(ws, row, column, value)
    for letter, width in zip("ABCDEF", (16, 28, 10, 8, 68, 14), strict=True):
        ws.column_dimensions[letter].width = width
    ws.sheet_state = "hidden"
    return ws


MANIFEST_COLUMNS = ("unit_code", "unit_name", "period", "version", "sha256", "status_label")


def write_correction(
    wb: Workbook,
    mh: Masthead,
    number: int,
    original: dict,
    changes: list[SubmissionChange],
    moves: list[UnitMove],
    manifest: dict,
) -> Worksheet:
    """更正说明: which submissions changed since the published bulletin (``original``, its manifest), and
    which units moved in this one (``manifest``)."""
    ws = new_sheet(wb, "更正说明")
    n = 8
    header = mh.start(ws, n, f"第{number}次更正说明")
    published = datetime.fromisoformat(original["as_of"]) if original.get("as_of") else None
    loaded = first_scores(original, manifest)
    if changes:
        why = "原通报发布后，下列月报有补报或更正，现按最新有效数据重新考评"
    elif loaded:
        why = f"原通报发布后，{manifest['period'][:4]}年度目标管理责任书已载入，现计算各单位综合得分并排名"
    else:
        why = "原通报发布后，目标责任书或考评规则有更新，现重新考评"
    intro = (
        f"本通报更正原通报《{original['file']}》（数据截止 {date_text(published) if published else '未知'}）。"
        f"{why}，原通报同时保留备查。"
    )
    row = layout.note_rows(ws, header, [intro], n) + 1
    layout.section(ws, row, "一、月报变化")
    row += 1
    layout.header_row(ws, row, ["单位名称", "月份", "原采用版本", "现采用版本", "变化"])
    for c in changes:
        row += 1
        values = [c.unit_name, month_label(c.period), c.old_version or "无", c.new_version or "无", c.kind]
        for col, value in enumerate(values, start=1):
            layout.put(ws, row, col, value, st.TEXT if col == 1 else st.CENTER)
    if not changes:
        row += 1
        unchanged = "月报未变化（目标责任书或考评规则已更新）。"
        if loaded:
            unchanged = (
                f"月报未变化。原通报发布时{manifest['period'][:4]}年度目标管理责任书尚未载入，未计算综合得分；"
                "现已载入，本更正首次计算各单位综合得分、等级和名次。"
            )
        layout.note_rows(ws, row, [unchanged], n)
    row += 2
    layout.section(ws, row, "二、名次与得分变化")
    row += 1
    layout.header_row(
        ws, row, ["单位名称", "原名次", "现名次", "原得分", "现得分", "原等级", "现等级", "原因"]
    )
    for m in moves:
        row += 1
        old, new = m.old or {}, m.new or {}
        values = [
            (m.unit_name, st.TEXT, None),
            (old.get("rank"), st.CENTER, None),
            (new.get("rank"), st.CENTER, None),
            (old.get("score"), st.DECIMAL, "0.0"),
            (new.get("score"), st.DECIMAL, "0.0"),
            (old.get("grade"), st.CENTER, None),
            (new.get("grade"), st.CENTER, None),
            (m.reason, st.TEXT, None),
        ]
        for col, (value, style, fmt) in enumerate(values, start=1):
            layout.put(ws, row, col, value, style, fmt)
    if not moves:
        row += 1
        layout.note_rows(ws, row, ["各单位名次、得分和等级均无变化。"], n)
    layout.fit_columns(ws, header + 2, minimum=9, fixed={8: 44})
    st.print_setup(ws, None)
    return ws
