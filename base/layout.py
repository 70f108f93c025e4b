"""The submission workbook's layout: sheet names and the one header-mapping table (label aliases -> field).

Reading, the template writer and the docs all use this table, so a label a county may write is
listed in exactly one place. Labels are compared folded (see ``catalogue.fold_label``): full-width
and half-width forms, spaces and line breaks do not matter.
"""

from __future__ import annotations

from dataclasses import dataclass

from base.catalogue import fold_label

INFO_SHEET = "基本信息"
INDICATOR_SHEET = "指标填报"
TOWNSHIP_SHEET = "乡镇明细"
INSTRUCTIONS_SHEET = "填报说明"
TARGETS_SHEET = "目标管理责任书"

REQUIRED_SHEETS = (INFO_SHEET, INDICATOR_SHEET)


@dataclass(frozen=True)
class Column:
    field: str
    label: str  # the label the template writes
    aliases: tuple[str, ...] = ()
    required: bool = True

    def matches(self, text: object) -> bool:
        folded = fold_label(text)
        return folded in {fold_label(self.label), *(fold_label(a) for a in self.aliases)}


# 基本信息: one label per row, its value in the next cell to the right.
INFO_FIELDS = (
    Column("unit_name", "单位名称", ("填报单位", "单位")),
    Column("unit_code", "行政区划代码", ("区划代码", "单位代码"), required=False),
    Column("period", "报送期间", ("报送月份", "统计期间", "所属期间", "期间")),
    Column("reporter", "填报人", (), required=False),
    Column("phone", "联系电话", ("电话",), required=False),
    Column("reviewer", "审核人", ("审核",), required=False),
    Column("fill_date", "填报日期", ("报送日期",), required=False),
)

# 指标填报: a header row, then one row per indicator.
INDICATOR_COLUMNS = (
    Column("indicator_code", "指标代码", ("代码", "编码", "指标编码"), required=False),
    Column("indicator_name", "指标名称", ("指标", "项目")),
    Column("measure_unit", "计量单位", ("单位",), required=False),
    Column("value", "本期数", ("本月数", "本期", "本月", "数值")),
    Column("value_last_year", "去年同期数", ("去年同期", "上年同期数", "上年同期"), required=False),
    Column("remark", "备注", ("说明",), required=False),
)

# 乡镇明细: a header row, then one row per township; a 合计 row at the end is common.
TOWNSHIP_COLUMNS = (
    Column("township_name", "乡镇名称", ("乡镇(办事处)", "乡镇（办事处）名称", "乡镇")),
    Column("d02", "调解民间纠纷数", (), required=False),
    Column("d03", "调解成功数", (), required=False),
    Column("has_centre", "是否建成维稳中心", ("是否建成信访综治维稳中心", "维稳中心"), required=False),
    Column("p02", "平安村(社区)数", ("平安村数",), required=False),
    Column("c01", "刑事案件立案数", (), required=False),
    Column("g03", "视频监控点位数", (), required=False),
)

# Which township column adds up to which indicator on 指标填报.
TOWNSHIP_SUM_INDICATORS = {"d02": "D02", "d03": "D03", "p02": "P02", "c01": "C01", "g03": "G03"}

# 目标管理责任书: one row per unit, year and indicator.
TARGET_COLUMNS = (
    Column("unit_name", "单位名称", ("单位",)),
    Column("unit_code", "行政区划代码", ("区划代码",), required=False),
    Column("year", "年度", ("考核年度",)),
    Column("indicator_code", "指标代码", ("代码",)),
    Column("indicator_name", "指标名称", ("指标",), required=False),
    Column("target_type", "目标类型", ("类型",)),
    Column("target_value", "目标值", ("目标",)),
    Column("points", "分值", ("分值/权重", "权重")),
    Column("is_veto", "是否一票否决", ("一票否决",), required=False),
    Column("note", "备注", ("说明",), required=False),
)


# Row labels that close a table rather than belong to it.
TOTAL_ROW_LABELS = ("合计", "总计", "小计", "说明", "备注", "填表说明", "注")


def is_total_row(text: object) -> bool:
    folded = fold_label(text) if text is not None else ""
    return any(folded.startswith(fold_label(label)) for label in TOTAL_ROW_LABELS)


def submission_file_name(short_name: str, period: str, suffix: str = "") -> str:
    """How a unit names its month's workbook (the template asks for it; 大方_2022年01月_综治月报.xlsx)."""
    return f"{short_name}_{period[:4]}年{period[5:]}月_综治月报{suffix}.xlsx"
