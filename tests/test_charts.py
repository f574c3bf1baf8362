"""headway.lib.charts: numbers in words, nice ticks, pace, and the SVG itself. No database."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest

from headway.lib import charts
from headway.lib.charts import ChartPoint, KeyResultChart

SVG = "{http://www.w3.org/2000/svg}"
START, END = dt.date(2026, 10, 1), dt.date(2026, 12, 31)


@pytest.mark.parametrize(
    ("value", "kind", "fmt", "unit", "text"),
    [
        (None, "increase", "number", "", "—"),
        (7.0, "increase", "number", "deploys", "7 deploys"),
        (12500, "increase", "number", "", "12,500"),
        (2.5, "increase", "number", "", "2.5"),
        (0.126, "increase", "number", "", "0.13"),
        (-3.0, "decrease", "number", "°C", "-3 °C"),
        (45, "increase", "percent", "%", "45%"),
        (99.95, "maintain", "percent", "", "99.95%"),
        (12500, "increase", "currency", "EUR", "12,500 EUR"),
        (12500, "increase", "currency", "€", "€12,500"),
        (-40, "increase", "currency", "$", "-$40"),
        (1.0, "milestone", "number", "", "done"),
        (0.0, "milestone", "number", "", "not done"),
    ],
)
def test_it_writes_values_as_people_read_them(
    value: float | None, kind: str, fmt: str, unit: str, text: str
) -> None:
    assert charts.format_value(value, kind=kind, fmt=fmt, unit=unit) == text


@pytest.mark.parametrize(
    ("low", "high", "ticks"),
    [
        (2, 10, [2, 4, 6, 8, 10]),
        (0, 1, [0, 0.25, 0.5, 0.75, 1]),
        (4, 12, [4, 6, 8, 10, 12]),
        (-3, 7, [-5, -2.5, 0, 2.5, 5, 7.5]),
        (0, 12500, [0, 5000, 10000, 15000]),
        (10, 2, [2, 4, 6, 8, 10]),  # reversed bounds
        (5, 5, [4, 4.5, 5, 5.5, 6]),  # nothing to span: one either side
        (0.1, 0.13, [0.1, 0.11, 0.12, 0.13]),
        (99.2, 99.9, [99.2, 99.4, 99.6, 99.8, 100]),
    ],
)
def test_nice_ticks_cover_the_range_with_round_steps(
    low: float, high: float, ticks: list[float]
) -> None:
    assert charts.nice_ticks(low, high) == pytest.approx(ticks)


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (0, 2.0),
        (100, 10.0),
        (25, 4.0),
        (50, 6.0),
        (-10, 2.0),  # before the cycle: the start
        (110, 10.0),  # after: the target
    ],
)
def test_pace_runs_straight_from_start_to_target(on: int, expected: float) -> None:
    end = START + dt.timedelta(days=100)
    day = START + dt.timedelta(days=on)
    assert charts.pace_value(2, 10, START, end, day) == pytest.approx(expected)
    assert charts.pace_value(10, 2, START, end, day) == pytest.approx(12 - expected)


def test_pace_on_a_one_day_cycle_is_the_target() -> None:
    assert charts.pace_value(2, 10, START, START, START) == 10


def chart(**changes: object) -> KeyResultChart:
    base = KeyResultChart(
        title="Deploys a week",
        kind="increase",
        cycle_start=START,
        cycle_end=END,
        start=2,
        target=10,
        points=[ChartPoint(dt.date(2026, 10, 15), 3), ChartPoint(dt.date(2026, 11, 1), 5)],
        unit="deploys",
        today=dt.date(2026, 11, 15),
        ident="kr-1",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def by_class(root: ET.Element, name: str) -> list[ET.Element]:
    return [e for e in root.iter() if e.get("class") == name]


def polyline(root: ET.Element) -> list[tuple[float, float]]:
    (line,) = by_class(root, "chart-value")
    return [tuple(map(float, pair.split(","))) for pair in line.get("points", "").split()]  # type: ignore[misc]


CASES = {
    "increase": chart(),
    "decrease": chart(kind="decrease", start=12, target=4, points=[ChartPoint(START, 11)]),
    "no check-ins": chart(points=[]),
    "one check-in": chart(points=[ChartPoint(dt.date(2026, 11, 20), 9)]),
    "negative values": chart(start=-10, target=-2, points=[ChartPoint(START, -12)]),
    "before the cycle": chart(points=[ChartPoint(dt.date(2026, 9, 20), 1)]),
    "over-achiever": chart(points=[ChartPoint(dt.date(2026, 11, 1), 14)]),
    "milestone": chart(kind="milestone", start=0, target=1, points=[ChartPoint(END, 1)]),
    "maintain": chart(
        kind="maintain",
        start=None,
        target=99.9,
        format="percent",
        unit="%",
        points=[ChartPoint(START, 99.95), ChartPoint(END, 99.7)],
    ),
    "start equals target": chart(start=5, target=5, points=[ChartPoint(START, 5)]),
    "no today": chart(today=None),
}


@pytest.mark.parametrize("name", list(CASES))
def test_every_chart_is_well_formed_accessible_svg_without_style_or_script(name: str) -> None:
    svg = charts.key_result_svg(CASES[name])
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby", "").split()
    assert root.find(f"{SVG}title").get("id") == title_id  # type: ignore[union-attr]
    assert root.find(f"{SVG}desc").get("id") == desc_id  # type: ignore[union-attr]
    assert "style" not in svg
    assert "<script" not in svg
    assert "href" not in svg
    for element in root.iter():
        assert "style" not in element.attrib, element.tag
        for attribute in element.attrib:
            assert not attribute.startswith("on"), (element.tag, attribute)
    # Everything is drawn inside the picture.
    for element in root.iter():
        for attribute in ("x", "x1", "x2", "cx"):
            if attribute in element.attrib:
                assert 0 <= float(element.attrib[attribute]) <= charts.WIDTH, (name, element.attrib)
        for attribute in ("y", "y1", "y2", "cy"):
            if attribute in element.attrib:
                assert 0 <= float(element.attrib[attribute]) <= charts.HEIGHT, (
                    name,
                    element.attrib,
                )


@pytest.mark.parametrize(
    ("name", "pace", "threshold", "points", "line"),
    [
        ("increase", 1, 0, 2, 3),  # the line starts at the start value on day one
        ("decrease", 1, 0, 1, 2),
        ("no check-ins", 1, 0, 0, None),
        ("one check-in", 1, 0, 1, 2),
        ("milestone", 0, 0, 1, 3),  # a step: hold, then jump
        ("maintain", 0, 1, 2, 2),
    ],
)
def test_each_kind_draws_its_own_guides(
    name: str, pace: int, threshold: int, points: int, line: int | None
) -> None:
    root = parse(charts.key_result_svg(CASES[name]))
    assert len(by_class(root, "chart-pace")) == pace
    assert len(by_class(root, "chart-threshold")) == threshold
    assert len(by_class(root, "chart-point")) == points
    if line is None:
        assert by_class(root, "chart-value") == []
    else:
        assert len(polyline(root)) == line


def points_of(element: ET.Element) -> list[tuple[float, float]]:
    return [tuple(map(float, pair.split(","))) for pair in element.get("points", "").split()]  # type: ignore[misc]


def test_the_pace_line_joins_the_start_at_cycle_start_to_the_target_at_cycle_end() -> None:
    data = CASES["increase"]
    frame, _ = charts.frame_for(data)
    (pace,) = by_class(parse(charts.key_result_svg(data)), "chart-pace")
    (x1, y1), (x2, y2) = points_of(pace)
    assert (x1, y1) == pytest.approx((frame.x(START), frame.y(2)), abs=0.1)
    assert (x2, y2) == pytest.approx((frame.x(END), frame.y(10)), abs=0.1)
    assert y1 > y2  # up is smaller y


def test_a_decreasing_pace_line_goes_down() -> None:
    (pace,) = by_class(parse(charts.key_result_svg(CASES["decrease"])), "chart-pace")
    (_, y1), (_, y2) = points_of(pace)
    assert y1 < y2


def test_a_planned_pace_runs_through_the_planned_values() -> None:
    plan = [ChartPoint(dt.date(2026, 11, 15), 3), ChartPoint(END, 10)]
    data = chart(plan=plan)
    frame, _ = charts.frame_for(data)
    (pace,) = by_class(parse(charts.key_result_svg(data)), "chart-pace")
    expected = [(START, 2), (plan[0].on, 3), (END, 10)]
    for (x, y), (on, value) in zip(points_of(pace), expected, strict=True):
        assert (x, y) == pytest.approx((frame.x(on), frame.y(value)), abs=0.1)
    assert "follows the planned values" in charts.describe(data)


def test_a_forecast_is_a_band_from_the_last_check_in_to_the_end_and_is_described() -> None:
    last = dt.date(2026, 11, 1)
    band = charts.ForecastBand(points=[(last, 5, 5, 5), (END, 6, 8, 10)], probability=0.31)
    data = chart(forecast=band)
    frame, _ = charts.frame_for(data)
    root = parse(charts.key_result_svg(data))
    (polygon,) = by_class(root, "chart-forecast-band")
    corners = points_of(polygon)
    assert corners[0] == pytest.approx((frame.x(last), frame.y(5)), abs=0.1)
    assert (frame.x(END), frame.y(10)) in [pytest.approx(c, abs=0.1) for c in corners]
    assert (frame.x(END), frame.y(6)) in [pytest.approx(c, abs=0.1) for c in corners]
    (middle,) = by_class(root, "chart-forecast")
    assert points_of(middle)[-1] == pytest.approx((frame.x(END), frame.y(8)), abs=0.1)
    words = charts.describe(data)
    assert "Forecast at the end: 8 deploys (80% interval 6 deploys to 10 deploys)" in words
    assert "Chance of reaching the target: 31%" in words


def test_without_a_forecast_there_is_no_band() -> None:
    assert by_class(parse(charts.key_result_svg(CASES["increase"])), "chart-forecast-band") == []


def test_points_are_placed_by_day_and_value() -> None:
    data = CASES["increase"]
    frame, _ = charts.frame_for(data)
    line = polyline(parse(charts.key_result_svg(data)))
    assert line[0] == pytest.approx((frame.x(START), frame.y(2)), abs=0.1)
    assert line[1] == pytest.approx((frame.x(dt.date(2026, 10, 15)), frame.y(3)), abs=0.1)
    assert line[2] == pytest.approx((frame.x(dt.date(2026, 11, 1)), frame.y(5)), abs=0.1)
    assert line[1][0] < line[2][0]


def test_the_frame_stretches_to_points_outside_the_cycle_and_beyond_the_target() -> None:
    frame, ticks = charts.frame_for(CASES["before the cycle"])
    assert frame.first_day == dt.date(2026, 9, 20)
    frame, ticks = charts.frame_for(CASES["over-achiever"])
    assert ticks[-1] >= 14
    frame, ticks = charts.frame_for(CASES["negative values"])
    assert ticks[0] <= -12 and ticks[-1] >= -2


def test_today_is_marked_only_inside_the_frame() -> None:
    assert by_class(parse(charts.key_result_svg(chart())), "chart-today")
    assert not by_class(parse(charts.key_result_svg(chart(today=None))), "chart-today")
    later = chart(today=dt.date(2027, 3, 1))
    assert not by_class(parse(charts.key_result_svg(later)), "chart-today")


@pytest.mark.parametrize(
    ("name", "sentences"),
    [
        (
            "increase",
            [
                "Cycle from 1 Oct 2026 to 31 Dec 2026.",
                "2 check-ins; latest 5 deploys on 1 Nov 2026.",
                "Start 2 deploys, target 10 deploys.",
                "At a steady pace it would be 5.96 deploys today.",
            ],
        ),
        ("no check-ins", ["No check-ins yet."]),
        ("one check-in", ["1 check-in; latest 9 deploys on 20 Nov 2026."]),
        ("maintain", ["It should stay at or above 99.9%.", "latest 99.7%"]),
        ("milestone", ["latest done on 31 Dec 2026", "it has no pace line"]),
    ],
)
def test_the_description_says_what_the_chart_shows(name: str, sentences: list[str]) -> None:
    description = charts.describe(CASES[name])
    for sentence in sentences:
        assert sentence in description


def test_text_is_escaped_and_ids_are_safe() -> None:
    svg = charts.key_result_svg(
        chart(title='<script>alert("x")</script> & co', unit="<b>", ident='kr 1"><x')
    )
    root = parse(svg)  # still well formed
    assert "<script>" not in svg
    assert root.find(f"{SVG}title").text == '<script>alert("x")</script> & co: value over the cycle'  # type: ignore[union-attr]
    assert root.get("aria-labelledby") == "kr-1---x-title kr-1---x-desc"


def test_a_below_threshold_is_described_as_such() -> None:
    data = replace(CASES["maintain"], direction="below", target=300.0, unit="ms", format="number")
    assert "It should stay at or below 300 ms." in charts.describe(data)
