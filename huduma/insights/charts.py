"""Geometry of the dashboard's charts, drawn as SVG by the templates (no chart library, nothing
from another origin). A chart is given its values; it returns coordinates and labels."""

from dataclasses import dataclass

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 16, 36
MAX_X_LABELS = 8


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    label: str
    value: float


@dataclass(frozen=True)
class Tick:
    y: float
    text: str


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    left: int
    right: float
    top: int
    bottom: float
    line: str  # polyline points of the values that exist ("" when none)
    dots: tuple[Dot, ...]
    ticks: tuple[Tick, ...]
    x_labels: tuple[Dot, ...]
    target_y: float | None
    target_text: str


def _nice_max(value: float) -> float:
    """A round top for the y axis, at or above `value`."""
    if value <= 0:
        return 1.0
    step = 10 ** (len(str(int(value))) - 1)
    for factor in (1, 2, 2.5, 5, 10):
        if value <= factor * step:
            return float(factor * step)
    return float(10 * step)


def line_chart(
    points: list[tuple[str, float | None]], *, target: float | None = None, unit: str = ""
) -> LineChart:
    """One value per point (None: no data that day); `target` draws a dashed standard line."""
    values = [v for _label, v in points if v is not None]
    top_value = _nice_max(max([*values, target or 0, 0]))
    inner_w = WIDTH - LEFT - RIGHT
    inner_h = HEIGHT - TOP - BOTTOM
    n = len(points)

    def x(i: int) -> float:
        return round(LEFT + (inner_w * i / (n - 1) if n > 1 else inner_w / 2), 1)

    def y(value: float) -> float:
        return round(TOP + inner_h * (1 - value / top_value), 1)

    dots = tuple(
        Dot(x=x(i), y=y(v), label=label, value=v)
        for i, (label, v) in enumerate(points)
        if v is not None
    )
    every = max(1, -(-n // MAX_X_LABELS))
    x_labels = tuple(
        Dot(x=x(i), y=HEIGHT - 12, label=label, value=0)
        for i, (label, _v) in enumerate(points)
        if i % every == 0
    )
    ticks = tuple(Tick(y=y(top_value * f), text=f"{top_value * f:g}{unit}") for f in (0, 0.5, 1))
    return LineChart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right=WIDTH - RIGHT,
        top=TOP,
        bottom=HEIGHT - BOTTOM,
        line=" ".join(f"{d.x},{d.y}" for d in dots),
        dots=dots,
        ticks=ticks,
        x_labels=x_labels,
        target_y=y(target) if target is not None else None,
        target_text=f"{target:g}{unit}" if target is not None else "",
    )


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    y: float
    width: float


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    label_width: int
    bars: tuple[Bar, ...]
    bar_height: int


def bar_chart(rows: list[tuple[str, float]], *, label_width: int = 220) -> BarChart:
    """Horizontal bars, longest value to the full width."""
    bar_h, gap = 20, 8
    top_value = max([v for _l, v in rows] or [0]) or 1
    inner = WIDTH - label_width - 80
    bars = tuple(
        Bar(
            label=label,
            value=value,
            y=i * (bar_h + gap),
            width=round(inner * value / top_value, 1),
        )
        for i, (label, value) in enumerate(rows)
    )
    return BarChart(
        width=WIDTH,
        height=max(1, len(rows)) * (bar_h + gap),
        label_width=label_width,
        bars=bars,
        bar_height=bar_h,
    )
