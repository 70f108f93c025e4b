"""Labels as compared (``base.catalogue.fold_label``), short ones remembered, long ones folded alike."""

import pytest

from base import catalogue, layout
from base.catalogue import fold_label


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("指标 名称", "指标名称"),
        ("本期数\n（本月）", "本期数(本月)"),
        ("　平安村（社区）数　", "平安村(社区)数"),
        ("视频监控\u200b点位数", "视频监控点位数"),
        ("【说明】", "(说明)"),
        (2022.0, "2022.0"),
    ],
)
def test_a_label_is_folded_as_counties_type_it(typed, folded):
    assert fold_label(typed) == folded
    assert fold_label(typed) == folded  # the second time from memory, the same


def test_a_long_text_is_folded_alike_and_not_remembered():
    long_text = "（本期数）\n" * 40
    remembered = catalogue._fold_label_remembered.cache_info().currsize
    assert fold_label(long_text) == "(本期数)" * 40
    assert catalogue._fold_label_remembered.cache_info().currsize == remembered


def test_memory_of_labels_is_bounded():
    for number in range(20_000):  # a file full of distinct short strings
        fold_label(f"乡镇{number}")
    assert catalogue._fold_label_remembered.cache_info().currsize <= 8192


@pytest.mark.parametrize(
    ("text", "closes"),
    [("合计", True), ("合 计：", True), ("填表说明：1.", True), ("注：", True), ("总计（全县）", True)]
    + [("大方镇", False), ("", False), (None, False), (0, False), ("备案数", False)],
)
def test_total_and_note_rows_close_a_table(text, closes):
    assert layout.is_total_row(text) is closes
