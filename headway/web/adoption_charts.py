"""Geometry of the adoption trend chart; `templates/adoption/_trend_chart.html` draws it
as SVG with presentation attributes only (no style, no script), so the page keeps its
strict Content-Security-Policy and prints as it is.

One line per share (check-in rate, outcome share, aligned, people and teams with OKRs)
over the cycles, oldest on the left. Each line has its own dash pattern and marker
shape and is named at its end, and the description says every figure in words: colour
is never the only way to tell the lines apart. A cycle where a share has not enough
data leaves a gap in its line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from headway.insights.metrics.adoption import Adoption, percent
from headway.lib.charts import Mark

WIDTH, HEIGHT = 600, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 180, 14, 40
MARKER = 4.0

# (attribute, label, colour, dash pattern, marker shape)
SERIES = (
    ("checkin_rate", "check-in rate", "#1f5fbf", "", "circle"),
    ("outcome_share", "outcome share", "#a15c00", "6 3", "square"),
    ("aligned_share", "aligned", "#2e7d4f", "2 3", "triangle"),
    ("people_with_okrs", "people with OKRs", "#8e3b8e", "8 3 2 3", "diamond"),
    ("teams_with_okrs", "teams with OKRs", "#00758f", "1 2", "cross"),
)


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    marker: str  # an SVG path
    title: str  # "2026 Q3: check-in rate 82%"


@dataclass(frozen=True)
class Line:
    label: str
    colour: str
    dash: str
    segments: list[str]  # polyline points, one string per run without gaps
    points: list[Point]
    end_y: float | None  # where the label goes, beside the last point; None: no point
    key: str = ""  # the marker drawn in the label, so the label names its line's shape
    end_text: str = ""  # "check-in rate 55%": the label, with the latest figure


@dataclass(frozen=True)
class TrendChart:
    width: int
    height: int
    left: float
    right: float
    top: float
    baseline: float
    label_x: float
    grid: list[Mark]
    cycles: list[Mark]
    lines: list[Line]
    description: str


def _n(number: float) -> float:
    return round(number, 1)


def marker(shape: str, x: float, y: float, r: float = MARKER) -> str:
    """A marker as one SVG path centred on (x, y)."""
    if shape == "square":
        return f"M{_n(x - r)},{_n(y - r)}h{_n(2 * r)}v{_n(2 * r)}h{_n(-2 * r)}z"
    if shape == "triangle":
        return f"M{_n(x)},{_n(y - r - 1)}L{_n(x + r + 1)},{_n(y + r)}L{_n(x - r - 1)},{_n(y + r)}z"
    if shape == "diamond":
        return f"M{_n(x)},{_n(y - r - 1)}L{_n(x + r + 1)},{_n(y)}L{_n(x)},{_n(y + r + 1)}L{_n(x - r - 1)},{_n(y)}z"
    if shape == "cross":
        return f"M{_n(x - r)},{_n(y - r)}L{_n(x + r)},{_n(y + r)}M{_n(x - r)},{_n(y + r)}L{_n(x + r)},{_n(y - r)}"
    return f"M{_n(x - r)},{_n(y)}a{r},{r} 0 1,0 {_n(2 * r)},0a{r},{r} 0 1,0 {_n(-2 * r)},0"


def _spread(ends: list[tuple[float, int]], gap: float = 12.0) -> dict[int, float]:
    """Label positions beside the lines' ends, pushed apart so they never overlap."""
    placed: dict[int, float] = {}
    last = -gap
    for y, index in sorted(ends):
        placed[index] = max(y, last + gap)
        last = placed[index]
    return placed


def trend_chart(points: Sequence[tuple[str, Adoption]]) -> TrendChart | None:
    """The chart of (cycle name, figures) oldest first; None without a figure to draw."""
    if not any(getattr(a, s[0]) is not None for _, a in points for s in SERIES):
        return None
    right, baseline = WIDTH - RIGHT, HEIGHT - BOTTOM
    slot = (right - LEFT) / max(len(points), 1)

    def x(n: int) -> float:
        return _n(LEFT + slot * (n + 0.5))

    def y(share: float) -> float:
        return _n(TOP + (baseline - TOP) * (1 - min(max(share, 0.0), 1.0)))

    lines: list[tuple[str, str, str, list[str], list[Point]]] = []
    ends: list[tuple[float, int]] = []
    for index, (attribute, label, colour, dash, shape) in enumerate(SERIES):
        found: list[Point] = []
        segments: list[str] = []
        run: list[str] = []
        for n, (name, figures) in enumerate(points):
            share = getattr(figures, attribute)
            if share is None:  # a gap: the run so far becomes a segment of its own
                segments += [" ".join(run)] if len(run) > 1 else []
                run = []
                continue
            found.append(
                Point(
                    x(n),
                    y(share),
                    marker(shape, x(n), y(share)),
                    f"{name}: {label} {percent(share)}",
                )
            )
            run.append(f"{x(n)},{y(share)}")
        segments += [" ".join(run)] if len(run) > 1 else []
        if found:
            ends.append((found[-1].y, index))
        lines.append((label, colour, dash, segments, found))
    placed = _spread(ends)
    return TrendChart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right=right,
        top=TOP,
        baseline=baseline,
        label_x=right + 28,
        grid=[Mark(y(v), f"{round(v * 100)}%") for v in (0.0, 0.25, 0.5, 0.75, 1.0)],
        cycles=[Mark(x(n), name) for n, (name, _) in enumerate(points)],
        lines=[
            _line(index, label, colour, dash, segments, found, placed.get(index), right)
            for index, (label, colour, dash, segments, found) in enumerate(lines)
        ],
        description=describe(points),
    )


def _line(
    index: int,
    label: str,
    colour: str,
    dash: str,
    segments: list[str],
    points: list[Point],
    end_y: float | None,
    right: float,
) -> Line:
    key = marker(SERIES[index][4], right + 18, end_y) if end_y is not None else ""
    latest = points[-1].title.rsplit(" ", 1)[-1] if points else ""
    return Line(label, colour, dash, segments, points, end_y, key, f"{label} {latest}")


def describe(points: Sequence[tuple[str, Adoption]]) -> str:
    """Every figure of the chart in words, for screen readers."""
    parts = []
    for name, figures in points:
        said = [
            f"{label} {percent(share)}"
            if (share := getattr(figures, attribute)) is not None
            else f"{label} not enough data"
            for attribute, label, *_ in SERIES
        ]
        parts.append(f"{name}: " + ", ".join(said) + ".")
    return " ".join(parts)
