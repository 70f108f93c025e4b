"""The submission workbook's layout: sheet names and the one header-mapping table (label aliases -> field).

Reading, the template writer and the docs all use this table, so a label a county may write is
listed in exactly one place. Labels are compared folded (see ``catalogue.fold_label``): full-width
and half-width forms, bracket shapes, spaces and line breaks do not matter.

The two figure columns of 指标填报 (本期数, 去年同期数) also list the words a county adds to their label
(本期数（本月）, 本期累计数, 1-3月累计) and what each word makes of the column (``Basis``): the same
figure, a running total since January, or something that is not the figure at all. The reader
(``ingest.headings``) and the template's instructions read these tuples; nothing else lists the words.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from base.catalogue import fold_label

INFO_SHEET = "基本信息"
INDICATOR_SHEET = "指标填报"
TOWNSHIP_SHEET = "乡镇明细"
INSTRUCTIONS_SHEET = "填报说明"
TARGETS_SHEET = "目标管理责任书"

REQUIRED_SHEETS = (INFO_SHEET, INDICATOR_SHEET)


@dataclass(frozen=True)
class Basis:
    """What a figure column holds, and the words after its label that say so.

    ``code``: ``month`` (the column's own figure: read), ``year_to_date`` (a running total since January:
    for a flow indicator never read as the month's figure, see ``ingest.year_to_date``) or ``other``
    (a change, a target, another period: never read). In ``words`` an N stands for a month's number
    (1-3月累计), a "-" for any sign of a range (1—3月, 1~3月, 1至3月), and a trailing 数 may be added to
    any word (累计数)."""

    code: str
    label: str  # what the column then holds, as messages say it ("是1月至本月的累计数")
    words: tuple[str, ...]
    effect: str  # what the reader does with such a column, as the template's instructions say it


MONTH, YEAR_TO_DATE, OTHER = "month", "year_to_date", "other"

_YEAR_TO_DATE_WORDS = (
    "累计",
    "本年累计",
    "今年累计",
    "年累计",
    "本月累计",
    "本期累计",
    "全年累计",
    "年初至今",
    "年初至本月",
    "今年以来",
    "本年以来",
    "年初以来",
    "自年初累计",
    "截至本月",
    "截至本月累计",
    "1-N月",
    "1-N月份",
    "1-N月累计",
    "1-N月合计",
    "元-N月",
    "元-N月累计",
    "截至N月",
    "截至N月底",
    "截至N月累计",
    "截止N月",
    "截止N月累计",
)
_CHANGE_WORDS = (
    "同比",
    "环比",
    "增减",
    "增减额",
    "增幅",
    "增长",
    "增长率",
    "比上年",
    "比上月",
    "比去年同期",
)

_READ = "照常读取"
VALUE_BASES = (
    Basis(MONTH, "是本月数", ("本月", "当月", "本期", "单月", "月度", "本月份", "当月发生"), _READ),
    Basis(
        YEAR_TO_DATE,
        "是1月至本月的累计数",
        _YEAR_TO_DATE_WORDS,
        "按月发生的指标（案件、纠纷、上访等）减去截至上月已接收的累计数，换算为本月数；"
        "上月及以前的月报未接收的，无法换算，退回",
    ),
    Basis(
        OTHER,
        "是增减、目标或其他时期的数，不是本月数",
        ("上月", "上期", "去年", "上年", "目标", "计划", "全年目标", *_CHANGE_WORDS),
        "不作为本期数读取；表中另无本月数列的，退回",
    ),
)
LAST_YEAR_BASES = (
    Basis(
        MONTH,
        "是去年同月数",
        ("去年同月", "上年同月", "同月", "同期", "去年同期", "上年同期", "去年", "上年", "本月", "当月"),
        _READ,
    ),
    Basis(
        YEAR_TO_DATE,
        "是去年1月至同月的累计数",
        (*_YEAR_TO_DATE_WORDS, "去年累计", "上年累计"),
        "按月发生的指标（案件、纠纷、上访等）不读取",
    ),
    Basis(OTHER, "是增减、目标或计划数，不是去年同月数", ("目标", "计划", *_CHANGE_WORDS), "不读取"),
)


@dataclass(frozen=True)
class Column:
    field: str
    label: str  # the label the template writes
    aliases: tuple[str, ...] = ()
    required: bool = True
    bases: tuple[Basis, ...] = ()  # a figure column: the words that may follow its label (see Basis)

    @cached_property
    def names(self) -> frozenset[str]:
        """The label and its aliases, folded."""
        return frozenset(fold_label(name) for name in (self.label, *self.aliases))

    def matches(self, text: object) -> bool:
        return fold_label(text) in self.names


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
    Column("value", "本期数", ("本月数", "本期", "本月", "数值"), bases=VALUE_BASES),
    Column(
        "value_last_year",
        "去年同期数",
        ("去年同期", "上年同期数", "上年同期"),
        required=False,
        bases=LAST_YEAR_BASES,
    ),
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
_TOTAL_ROW_STARTS = tuple(fold_label(label) for label in TOTAL_ROW_LABELS)


def is_total_row(text: object) -> bool:
    return text is not None and fold_label(text).startswith(_TOTAL_ROW_STARTS)


def submission_file_name(short_name: str, period: str, suffix: str = "") -> str:
    """How a unit names its month's workbook (the template asks for it; 大方_2022年01月_综治月报.xlsx)."""
    return f"{short_name}_{period[:4]}年{period[5:]}月_综治月报{suffix}.xlsx"
