"""Build county workbooks for tests, in the layouts counties really send (made here, not checked in).

``consistent_values`` is one month of figures that passes every rule; ``write_report`` lays them out
with options for the messy variants (title rows, merged titles, no code column, reordered rows, …).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl

from base import catalogue

TOWNSHIPS = [
    # name, D02, D03, has centre, P02, C01, G03
    ("甲镇", 60, 55, "是", 3, 12, 40),
    ("乙乡", 40, 35, "否", 2, 8, 20),
]


def consistent_values() -> dict[str, object]:
    values: dict[str, object] = {i.code: 10 for i in catalogue.submitted_indicators()}
    values.update(
        {
            "C01": 20,
            "C02": 12,
            "C03": 5,
            "C04": 4,
            "C05": 1,
            "C06": 1,
            "C07": 9,
            "D01": 120,
            "D02": 100,
            "D03": 90,
            "D04": 0,
            "S01": None,
            "S02": None,
            "S03": None,
            "P02": 5,
            "G01": 2,
            "G02": 1,
            "G03": 60,
            "G05": 100,
            "G06": 50,
            "K01": 50,
            "K02": 60,
            "K03": 10,
            "K04": 9,
        }
    )
    return values


def write_report(
    path: Path,
    unit: str = "大方县",
    period: object = "2022-01",
    values: dict[str, object] | None = None,
    *,
    title_rows: int = 1,
    merged_title: bool = False,
    code_column: bool = True,
    reverse_rows: bool = False,
    blank_row_every: int = 0,
    total_row: bool = True,
    header_labels: dict[str, str] | None = None,
    info_layout: str = "pairs",  # pairs | inline
    townships: list[tuple] | None = None,
    sheet_names: dict[str, str] | None = None,
    extra_sheets: tuple[str, ...] = (),
    unit_code: str | None = None,
    last_year: dict[str, object] | None = None,
    relabel: dict[str, dict[str, str]] | None = None,  # code -> {"indicator_name"|"measure_unit": text}
) -> Path:
    values = consistent_values() if values is None else values
    names = {"info": "基本信息", "indicators": "指标填报", "townships": "乡镇明细", **(sheet_names or {})}
    workbook = openpyxl.Workbook()
    info = workbook.active
    info.title = names["info"]
    info.append(["综治工作月报 基本信息"])
    rows = [("单位名称", unit), ("报送期间", period), ("填报人", "张三"), ("联系电话", "0857-1234567")]
    if unit_code:
        rows.insert(1, ("行政区划代码", unit_code))
    for label, value in rows:
        info.append([f"{label}：{value}"] if info_layout == "inline" else [label, value])

    sheet = workbook.create_sheet(names["indicators"])
    for n in range(title_rows):
        sheet.append([f"综治工作月报表（第{n + 1}行标题）"])
    if merged_title and title_rows:
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=6)
    labels = {
        "indicator_code": "指标代码",
        "indicator_name": "指标名称",
        "measure_unit": "计量单位",
        "value": "本期数",
        "value_last_year": "去年同期数",
        "remark": "备注",
        **(header_labels or {}),
    }
    order = ["indicator_code", "indicator_name", "measure_unit", "value", "value_last_year", "remark"]
    if not code_column:
        order.remove("indicator_code")
    sheet.append([labels[field] for field in order])
    indicators = list(catalogue.submitted_indicators())
    if reverse_rows:
        indicators.reverse()
    for n, indicator in enumerate(indicators, start=1):
        record = {
            "indicator_code": indicator.code,
            "indicator_name": indicator.name,
            "measure_unit": indicator.measure_unit,
            "value": values.get(indicator.code),
            "value_last_year": (last_year or {}).get(indicator.code),
            "remark": None,
            **(relabel or {}).get(indicator.code, {}),
        }
        if indicator.code not in values:
            continue
        sheet.append([record[field] for field in order])
        if blank_row_every and n % blank_row_every == 0:
            sheet.append([])
    if total_row:
        sheet.append(["合计", None, None, None])
        sheet.append(["说明：本表由县综治办填报"])

    if townships is not False:
        township_sheet = workbook.create_sheet(names["townships"])
        township_sheet.append(
            [
                "乡镇名称",
                "调解民间纠纷数",
                "调解成功数",
                "是否建成维稳中心",
                "平安村(社区)数",
                "刑事案件立案数",
                "视频监控点位数",
            ]
        )
        for row in townships if townships is not None else TOWNSHIPS:
            township_sheet.append(list(row))
        township_sheet.append(["合计"])
    for name in extra_sheets:
        extra = workbook.create_sheet(name)
        extra.append(["与本表无关的内容"])
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def rewrite_with_other_writer(source: Path, target: Path) -> Path:
    """The same sheets and values written by a different writer: xlwt for .xls, odfpy (via pandas) for .ods."""
    workbook = openpyxl.load_workbook(source)
    sheets = {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in workbook.worksheets}
    if target.suffix == ".xls":
        import xlwt

        book = xlwt.Workbook(encoding="utf-8")
        for title, rows in sheets.items():
            sheet = book.add_sheet(title)
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    if value is not None:
                        sheet.write(r, c, value)
        book.save(str(target))
    elif target.suffix == ".ods":
        import pandas as pd

        with pd.ExcelWriter(target, engine="odf") as writer:
            for title, rows in sheets.items():
                pd.DataFrame(rows).to_excel(writer, sheet_name=title, header=False, index=False)
    else:
        raise ValueError(target.suffix)
    return target


def set_cached_error(path: Path, sheet_index: int, address: str, error: str = "#DIV/0!") -> Path:
    """Give one cell a cached error value, as Excel saves a formula like =D13/0."""
    import re
    import zipfile

    member = f"xl/worksheets/sheet{sheet_index}.xml"
    with zipfile.ZipFile(path) as source:
        items = [(item, source.read(item)) for item in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item, data in items:
            if item.filename == member:
                data = re.sub(
                    rf'<c r="{address}"[^>]*?(/>|>.*?</c>)'.encode(),
                    f'<c r="{address}" t="e"><f>1/0</f><v>{error}</v></c>'.encode(),
                    data,
                )
            target.writestr(item, data)
    return path


# The writers a county's workbook may come from: openpyxl (.xlsx), xlwt (.xls), odfpy (.ods).
WRITERS = (".xlsx", ".xls", ".ods")


def write_report_in(suffix: str, path: Path, **options) -> Path:
    """``write_report``'s workbook as written by openpyxl (.xlsx), xlwt (.xls) or odfpy (.ods)."""
    source = write_report(path.with_name(f"{path.stem}.source.xlsx"), **options)
    if suffix == ".xlsx":
        return source.rename(path.with_suffix(".xlsx"))
    return rewrite_with_other_writer(source, path.with_suffix(suffix))


def rewrite_xml(path: Path, out: Path, replacements: dict[str, str]) -> Path:
    """``path`` written again as ``out`` with each text replaced in its XML parts: what openpyxl refuses
    to write but a county's file can hold (``_x0007_``, the bell character in a string; ``<v>inf</v>``,
    infinity in a numeric cell)."""
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.endswith(".xml"):
                text = data.decode("utf-8")
                for old, new in replacements.items():
                    text = text.replace(old, new)
                data = text.encode("utf-8")
            target.writestr(item, data)
    return out
