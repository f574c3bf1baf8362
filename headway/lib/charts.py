"""Server-rendered SVG charts of a key result's value over its cycle. No Django here.

The SVG uses presentation attributes only (no `style` attribute or element, no
script), so pages that embed it keep a strict Content-Security-Policy, and it prints
and embeds in PDFs as it is. It carries a <title> and a <desc> that say in words what
the picture shows, for screen readers; the chart itself is `role="img"`.

Shapes by kind:

- increase / decrease: the value line starts at the start value on the cycle's first
  day and joins the check-ins; the pace line runs straight from the start value at
  the cycle's start to the target at its end.
- milestone: a step line between "not done" and "done"; no pace line, since a
  milestone has no linear pace.
- maintain: the value line and a horizontal threshold line instead of a pace line.

A key result with a plan draws its pace through the planned values instead of a
straight line. A forecast, when there is one, is a shaded band (its prediction
interval) from the last check-in to the cycle's end, with a dashed middle line.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

WIDTH, HEIGHT = 480, 200
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 76, 14, 14, 48

INK, MUTED, GRID, ACCENT, PACE, TODAY, BAND = (
    "#1d2433",
    "#5b6475",
    "#e3e7ee",
    "#1f5fbf",
    "#a15c00",
    "#8a93a3",
    "#c9d8f0",
)
CURRENCY_SYMBOLS = {"$", "€", "£", "¥", "₹", "₩", "₽", "₺", "₪", "฿", "₫"}


@dataclass(frozen=True)
class Mark:
    """A labelled position on a chart's axis: a tick, a grid line or a guide."""

    at: float
    label: str


@dataclass(frozen=True)
class ChartPoint:
    """One check-in: its day and the value recorded."""

    on: dt.date
    value: float


@dataclass(frozen=True)
class ForecastBand:
    """A projection from the last check-in to the cycle's end: (day, low, middle,
    high) points of the prediction interval, its level and the chance of reaching
    the target."""

    points: Sequence[tuple[dt.date, float, float, float]]
    level: float = 0.8
    probability: float | None = None


@dataclass(frozen=True)
class KeyResultChart:
    """Everything a chart shows, in plain values."""

    title: str
    kind: str  # increase, decrease, milestone or maintain
    cycle_start: dt.date
    cycle_end: dt.date
    start: float | None
    target: float | None
    points: Sequence[ChartPoint] = field(default_factory=tuple)
    unit: str = ""
    format: str = "number"  # number, percent or currency
    direction: str = "above"  # maintain only: stay above or below the threshold
    today: dt.date | None = None
    ident: str = "chart"  # prefix of the ids inside the SVG; unique on the page
    plan: Sequence[ChartPoint] = field(default_factory=tuple)  # planned values, if any
    forecast: ForecastBand | None = None


# --- numbers and words -----------------------------------------------------------------


def format_number(value: float) -> str:
    """12500 -> '12,500'; 2.50 -> '2.5'; 0.125 -> '0.13'."""
    if not math.isfinite(value):
        return str(value)
    if float(value).is_integer():
        return f"{int(value):,}"
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def format_value(
    value: float | None, *, kind: str = "increase", fmt: str = "number", unit: str = ""
) -> str:
    """A value as people read it: '45%', '€12,500', '12,500 EUR', '7 deploys', 'done'."""
    if value is None:
        return "—"
    if kind == "milestone":
        return "done" if value >= 1 else "not done"
    number = format_number(value)
    unit = unit.strip()
    if fmt == "percent":
        return f"{number}%"
    if fmt == "currency" and unit in CURRENCY_SYMBOLS:
        return f"-{unit}{number[1:]}" if number.startswith("-") else f"{unit}{number}"
    return f"{number} {unit}" if unit else number


def format_day(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    """Round tick values covering low..high, about `count` intervals (1, 2, 2.5 or 5 steps)."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return [0.0, 1.0]
    if low > high:
        low, high = high, low
    if low == high:
        low, high = low - 1, high + 1
    raw = (high - low) / max(count, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw * (1 - 1e-9))
    first = math.floor(low / step + 1e-9) * step
    last = math.ceil(high / step - 1e-9) * step
    intervals = max(1, round((last - first) / step))
    return [round(first + n * step, 10) + 0.0 for n in range(intervals + 1)]


def pace_value(
    start: float, target: float, cycle_start: dt.date, cycle_end: dt.date, on: dt.date
) -> float:
    """The value expected on a day if the measure moved linearly over the cycle."""
    days = (cycle_end - cycle_start).days
    if days <= 0:
        return target
    share = min(1.0, max(0.0, (on - cycle_start).days / days))
    return start + (target - start) * share


# --- geometry ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Frame:
    """Maps days and values to SVG coordinates inside the plot area."""

    first_day: dt.date
    last_day: dt.date
    low: float
    high: float

    def x(self, day: dt.date) -> float:
        span = max((self.last_day - self.first_day).days, 1)
        return (
            MARGIN_LEFT + (WIDTH - MARGIN_LEFT - MARGIN_RIGHT) * (day - self.first_day).days / span
        )

    def y(self, value: float) -> float:
        span = (self.high - self.low) or 1.0
        plot = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
        return MARGIN_TOP + plot * (self.high - value) / span


def _values(chart: KeyResultChart) -> list[float]:
    values = [p.value for p in (*chart.points, *chart.plan) if math.isfinite(p.value)]
    values += [v for v in (chart.start, chart.target) if v is not None and math.isfinite(v)]
    if chart.forecast is not None:
        values += [v for _, low, _, high in chart.forecast.points for v in (low, high)]
    return [v for v in values if math.isfinite(v)]


def frame_for(chart: KeyResultChart) -> tuple[Frame, list[float]]:
    """The plot's frame and its y ticks: the whole cycle, every point, start and target."""
    days = [chart.cycle_start, chart.cycle_end, *(p.on for p in chart.points)]
    days += [p.on for p in chart.plan]
    if chart.kind == "milestone":
        return Frame(min(days), max(days), 0.0, 1.0), [0.0, 1.0]
    values = _values(chart) or [0.0, 1.0]
    ticks = nice_ticks(min(values), max(values))
    return Frame(min(days), max(days), ticks[0], ticks[-1]), ticks


def _n(number: float) -> str:
    return f"{number:.1f}".rstrip("0").rstrip(".")


def _line_points(chart: KeyResultChart, frame: Frame) -> list[tuple[float, float]]:
    points = sorted(chart.points, key=lambda p: p.on)
    if not points:
        return []
    first_day = min(chart.cycle_start, points[0].on)
    origin: list[ChartPoint] = []
    if chart.kind in ("increase", "decrease") and chart.start is not None:
        origin = [ChartPoint(first_day, chart.start)]
    elif chart.kind == "milestone":
        origin = [ChartPoint(first_day, 0.0)]
    coordinates: list[tuple[float, float]] = []
    for point in [*origin, *points]:
        value = min(1.0, max(0.0, point.value)) if chart.kind == "milestone" else point.value
        x, y = frame.x(point.on), frame.y(value)
        if chart.kind == "milestone" and coordinates:
            coordinates.append((x, coordinates[-1][1]))  # a step: hold, then jump
        coordinates.append((x, y))
    return coordinates


# --- words for screen readers -----------------------------------------------------------


def describe(chart: KeyResultChart) -> str:
    """The chart in one paragraph, for <desc>."""
    fmt = {"kind": chart.kind, "fmt": chart.format, "unit": chart.unit}
    points = sorted(chart.points, key=lambda p: p.on)
    parts = [f"Cycle from {format_day(chart.cycle_start)} to {format_day(chart.cycle_end)}."]
    if points:
        last = points[-1]
        noun = "check-in" if len(points) == 1 else "check-ins"
        parts.append(
            f"{len(points)} {noun}; latest {format_value(last.value, **fmt)} on {format_day(last.on)}."
        )
    else:
        parts.append("No check-ins yet.")
    if (
        chart.kind in ("increase", "decrease")
        and chart.start is not None
        and chart.target is not None
    ):
        parts.append(
            f"Start {format_value(chart.start, **fmt)}, target {format_value(chart.target, **fmt)}."
        )
        if chart.today is not None and chart.cycle_start <= chart.today <= chart.cycle_end:
            expected = pace_value(
                chart.start, chart.target, chart.cycle_start, chart.cycle_end, chart.today
            )
            parts.append(f"At a steady pace it would be {format_value(expected, **fmt)} today.")
    elif chart.kind == "maintain" and chart.target is not None:
        side = "at or above" if chart.direction == "above" else "at or below"
        parts.append(f"It should stay {side} {format_value(chart.target, **fmt)}.")
    elif chart.kind == "milestone":
        parts.append("A milestone is done or not done; it has no pace line.")
    if chart.plan:
        parts.append("The pace follows the planned values.")
    if chart.forecast is not None and chart.forecast.points:
        _, low, middle, high = chart.forecast.points[-1]
        level = round(chart.forecast.level * 100)
        parts.append(
            f"Forecast at the end: {format_value(middle, **fmt)} "
            f"({level}% interval {format_value(low, **fmt)} to {format_value(high, **fmt)})."
        )
        if chart.forecast.probability is not None:
            parts.append(
                f"Chance of reaching the target: {round(chart.forecast.probability * 100)}%."
            )
    return " ".join(parts)


# --- SVG ----------------------------------------------------------------------------------


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _text(x: float, y: float, label: str, anchor: str = "start", fill: str = MUTED) -> str:
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" font-size="11" font-family="system-ui, sans-serif" '
        f'fill="{fill}" text-anchor="{anchor}">{_e(label)}</text>'
    )


def _line(x1: float, y1: float, x2: float, y2: float, stroke: str, **extra: str) -> str:
    attributes = "".join(
        f' {name.rstrip("_").replace("_", "-")}="{value}"' for name, value in extra.items()
    )
    return f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" stroke="{stroke}"{attributes}/>'


def _grid(chart: KeyResultChart, frame: Frame, ticks: list[float]) -> list[str]:
    parts = ['<g class="chart-grid">']
    left, right = MARGIN_LEFT, WIDTH - MARGIN_RIGHT
    for tick in ticks:
        y = frame.y(tick)
        parts.append(_line(left, y, right, y, GRID, stroke_width="1"))
        label = format_value(tick, kind=chart.kind, fmt=chart.format, unit=chart.unit)
        parts.append(_text(left - 6, y + 4, label, anchor="end"))
    bottom = HEIGHT - MARGIN_BOTTOM
    parts.append(_line(left, bottom, right, bottom, MUTED, stroke_width="1"))
    parts.append(_text(frame.x(chart.cycle_start), bottom + 18, format_day(chart.cycle_start)))
    parts.append(
        _text(frame.x(chart.cycle_end), bottom + 18, format_day(chart.cycle_end), anchor="end")
    )
    parts.append("</g>")
    return parts


def _guides(chart: KeyResultChart, frame: Frame) -> list[str]:
    parts: list[str] = []
    if chart.today is not None and frame.first_day <= chart.today <= frame.last_day:
        x = frame.x(chart.today)
        parts.append(
            _line(
                x,
                MARGIN_TOP,
                x,
                HEIGHT - MARGIN_BOTTOM,
                TODAY,
                stroke_width="1",
                stroke_dasharray="2 3",
                class_="chart-today",
            )
        )
        parts.append(_text(x, MARGIN_TOP + 9, "today", anchor="middle", fill=TODAY))
    if (
        chart.kind in ("increase", "decrease")
        and chart.start is not None
        and chart.target is not None
    ):
        parts.append(_pace(chart, frame, chart.start, chart.target))
    elif chart.kind == "maintain" and chart.target is not None:
        y = frame.y(chart.target)
        parts.append(
            _line(
                MARGIN_LEFT,
                y,
                WIDTH - MARGIN_RIGHT,
                y,
                PACE,
                stroke_width="1.5",
                stroke_dasharray="6 4",
                class_="chart-threshold",
            )
        )
    return parts


def _pace(chart: KeyResultChart, frame: Frame, start: float, target: float) -> str:
    """The pace: straight from start to target, or through the planned values."""
    points = [ChartPoint(chart.cycle_start, start)]
    points += sorted(chart.plan, key=lambda p: p.on) or [ChartPoint(chart.cycle_end, target)]
    coordinates = " ".join(f"{_n(frame.x(p.on))},{_n(frame.y(p.value))}" for p in points)
    return (
        f'<polyline class="chart-pace" points="{coordinates}" fill="none" stroke="{PACE}" '
        'stroke-width="1.5" stroke-dasharray="6 4"/>'
    )


def _band(chart: KeyResultChart, frame: Frame) -> list[str]:
    if chart.forecast is None or len(chart.forecast.points) < 2:
        return []
    points = chart.forecast.points
    upper = [f"{_n(frame.x(on))},{_n(frame.y(high))}" for on, _, _, high in points]
    lower = [f"{_n(frame.x(on))},{_n(frame.y(low))}" for on, low, _, _ in reversed(points)]
    middle = " ".join(f"{_n(frame.x(on))},{_n(frame.y(mid))}" for on, _, mid, _ in points)
    return [
        f'<polygon class="chart-forecast-band" points="{" ".join(upper + lower)}" '
        f'fill="{BAND}" fill-opacity="0.7" stroke="none"/>',
        f'<polyline class="chart-forecast" points="{middle}" fill="none" stroke="{ACCENT}" '
        'stroke-width="1.5" stroke-dasharray="3 3"/>',
    ]


def _series(chart: KeyResultChart, frame: Frame) -> list[str]:
    line = _line_points(chart, frame)
    if not line:
        return []
    points = " ".join(f"{_n(x)},{_n(y)}" for x, y in line)
    parts = [
        f'<polyline class="chart-value" points="{points}" fill="none" stroke="{ACCENT}" '
        'stroke-width="2" stroke-linejoin="round" stroke-linecap="round"/>'
    ]
    fmt = {"kind": chart.kind, "fmt": chart.format, "unit": chart.unit}
    for point in sorted(chart.points, key=lambda p: p.on):
        value = min(1.0, max(0.0, point.value)) if chart.kind == "milestone" else point.value
        parts.append(
            f'<circle class="chart-point" cx="{_n(frame.x(point.on))}" cy="{_n(frame.y(value))}" r="3" '
            f'fill="{ACCENT}"><title>{_e(format_day(point.on))}: {_e(format_value(point.value, **fmt))}</title></circle>'
        )
    return parts


def _legend(chart: KeyResultChart) -> list[str]:
    y = HEIGHT - 4
    parts = [_line(MARGIN_LEFT, y - 4, MARGIN_LEFT + 16, y - 4, ACCENT, stroke_width="2")]
    parts.append(_text(MARGIN_LEFT + 20, y, "value"))
    guide = {"increase": "pace", "decrease": "pace", "maintain": "threshold"}.get(chart.kind)
    if guide:
        x = MARGIN_LEFT + 70
        parts.append(
            _line(x, y - 4, x + 16, y - 4, PACE, stroke_width="1.5", stroke_dasharray="6 4")
        )
        parts.append(_text(x + 20, y, guide))
    if chart.forecast is not None and len(chart.forecast.points) >= 2:
        x = MARGIN_LEFT + 160
        parts.append(f'<rect x="{x}" y="{y - 9}" width="16" height="9" fill="{BAND}"/>')
        parts.append(_text(x + 20, y, "forecast"))
    return parts


def safe_ident(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "-", text) or "chart"


def key_result_svg(chart: KeyResultChart) -> str:
    """The chart as an SVG element, ready to embed in HTML."""
    frame, ticks = frame_for(chart)
    ident = safe_ident(chart.ident)
    title = f"{chart.title}: value over the cycle"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" class="chart" '
        f'aria-labelledby="{ident}-title {ident}-desc">',
        f'<title id="{ident}-title">{_e(title)}</title>',
        f'<desc id="{ident}-desc">{_e(describe(chart))}</desc>',
        *_grid(chart, frame, ticks),
        *_band(chart, frame),
        *_guides(chart, frame),
        *_series(chart, frame),
        *_legend(chart),
        "</svg>",
    ]
    return "\n".join(parts)
