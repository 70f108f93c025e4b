"""The leaders' trend chart is the published 得分走势 table drawn to scale: a higher score is higher on the
page, a month without a score has no dot, and a year without scores has no chart."""

from portal.trend_chart import HEIGHT, TOP, trend_chart


def trend(*rows: tuple[str, list[str]]) -> dict:
    return {"months": ["1月", "2月", "3月"], "rows": [{"unit_name": n, "scores": s} for n, s in rows]}


def test_each_unit_is_a_line_through_its_scores_to_scale():
    chart = trend_chart(trend(("大方县", ["100.0", "80.0", ""]), ("赫章县", ["60.0", "90.0", "70.0"])))
    dafang, hezhang = chart.lines
    assert [x for x, _ in dafang.dots] == [x for x, _ in hezhang.dots][:2]  # no dot for March
    assert dafang.dots[0][1] == TOP  # 100 at the top of the plot
    assert hezhang.dots[0][1] == HEIGHT - 28  # 60, the floor, at its bottom
    assert dafang.dots[1][1] < hezhang.dots[2][1] < hezhang.dots[0][1]  # 80 above 70 above 60
    assert [label for _, label in chart.y_ticks] == ["60", "70", "80", "90", "100"]
    assert dafang.points == " ".join(f"{x},{y}" for x, y in dafang.dots)


def test_a_low_score_lowers_the_floor_and_no_score_means_no_chart():
    chart = trend_chart(trend(("大方县", ["35.5", "", ""])))
    assert chart.y_ticks[0][1] == "30" and chart.lines[0].dots[0][1] < HEIGHT - 28
    assert trend_chart(trend(("大方县", ["", "", ""]))) is None
