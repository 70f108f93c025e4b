"""The year's scores as a line chart a page can draw: an SVG made of numbers, no script, no inline style.

The leaders' page draws each unit's monthly composite score (the published 得分走势 table) as a line.
The page's Content-Security-Policy allows no inline style or script, so the chart is plain SVG elements
with presentation attributes; everything here is the geometry.
"""

from __future__ import annotations

from dataclasses import dataclass

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 44, 150, 16, 28  # room for the axis labels and the legend
# Distinct colours that stay apart when printed in grey as well.
PALETTE = ("#8b1a1a", "#1f6feb", "#1a7f37", "#9a6700", "#6f42c1", "#0a7a8a", "#d1242f", "#57606a", "#bc4c00")


@dataclass(frozen=True)
class Line:
    unit_name: str
    colour: str
    points: str  # "x,y x,y …" for <polyline points>
    dots: list[tuple[float, float]]
    legend_y: float


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    x_labels: list[tuple[float, str]]
    y_ticks: list[tuple[float, str]]
    lines: list[Line]
    left: int
    right_edge: int
    bottom_edge: int


def trend_chart(trend: dict) -> Chart | None:
    """The chart of ``trend`` (``exports.bulletin.tables``: months, and per unit its scores as shown);
    None when no unit has a score."""
    months = trend["months"]
    series = [(row["unit_name"], [float(s) if s else None for s in row["scores"]]) for row in trend["rows"]]
    values = [v for _, scores in series for v in scores if v is not None]
    if not values or not months:
        return None
    floor = min(60.0, (min(values) // 10) * 10)
    span = 100.0 - floor or 1.0
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_width / max(len(months) - 1, 1)

    def x(index: int) -> float:
        return round(LEFT + index * step, 1)

    def y(value: float) -> float:
        return round(TOP + (100.0 - value) / span * plot_height, 1)

    lines = []
    for number, (name, scores) in enumerate(series):
        dots = [(x(i), y(v)) for i, v in enumerate(scores) if v is not None]
        lines.append(
            Line(
                name,
                PALETTE[number % len(PALETTE)],
                " ".join(f"{a},{b}" for a, b in dots),
                dots,
                TOP + 14 * number + 8,
            )
        )
    ticks = [floor + span * i / 4 for i in range(5)]
    return Chart(
        WIDTH,
        HEIGHT,
        [(x(i), label) for i, label in enumerate(months)],
        [(y(t), f"{t:g}") for t in ticks],
        lines,
        LEFT,
        WIDTH - RIGHT,
        HEIGHT - BOTTOM,
    )
