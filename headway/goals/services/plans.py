"""A key result's planned values: the points its pace follows instead of a straight line.

A plan is a list of (day, value) points in the key result's own unit, stored sorted as
`[["2026-11-15", 40.0], ...]` and read by `insights.metrics.pace` (expected progress)
and the key result's chart. `plan_clean` is the one validation every interface goes
through (the key result forms, the API, bulk creation); the rules and examples are in
docs/course-correction.md.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from typing import Any

from ..models import Cycle, KeyResult
from .editing import MAX_MAGNITUDE, TOO_LARGE

MAX_PLAN_POINTS = 52  # one a week for a year


def plan_clean(
    errors: dict[str, str], raw: object, *, kind: str | None, cycle: Cycle | None
) -> list[list[Any]]:
    """The plan as stored, sorted by day; errors go to `plan` or `plan.<i>.on` /
    `plan.<i>.value` (i counts the points as given, from 0).

    Each point is `[day, value]` or `{"on": day, "value": value}`, the day a date or
    "YYYY-MM-DD" inside the cycle, the value a finite number. Days are unique, at most
    52 points. A maintain key result has no plan; a milestone's plan is one point, its
    due date, with the value 1 (done) or no value. `kind` or `cycle` None (invalid
    elsewhere) skips the rules that need them.
    """
    if raw in (None, ""):
        return []
    if isinstance(raw, str | bytes | Mapping) or not isinstance(raw, Sequence):
        errors["plan"] = 'Give the plan as a list of points, e.g. [["2026-11-15", 40]].'
        return []
    if len(raw) > MAX_PLAN_POINTS:
        errors["plan"] = (
            f"Plan at most {MAX_PLAN_POINTS} points (one a week for a year); "
            f"this plan has {len(raw)}."
        )
        return []
    if raw and kind == KeyResult.Kind.MAINTAIN:
        errors["plan"] = (
            "A maintain key result holds its threshold the whole cycle, so it has no plan: "
            "leave the planned values empty."
        )
        return []
    if len(raw) > 1 and kind == KeyResult.Kind.MILESTONE:
        errors["plan"] = (
            "A milestone's plan is one point: its due date, with the value 1 (done). "
            f"Give one date instead of {len(raw)}."
        )
        return []
    points: dict[dt.date, float] = {}
    for index, point in enumerate(raw):
        day, value = _point(errors, f"plan.{index}", point, kind, cycle)
        if day is not None and day in points:
            errors[f"plan.{index}.on"] = f"{day} is planned twice; give each date once."
        elif day is not None and value is not None:
            points[day] = value
    return [[day.isoformat(), value] for day, value in sorted(points.items())]


def _point(
    errors: dict[str, str], name: str, point: object, kind: str | None, cycle: Cycle | None
) -> tuple[dt.date | None, float | None]:
    if isinstance(point, Mapping):
        on, value = point.get("on"), point.get("value")
    elif isinstance(point, Sequence) and not isinstance(point, str) and 1 <= len(point) <= 2:
        on, value = point[0], point[1] if len(point) == 2 else None
    else:
        errors[name] = 'Give a date and a value, e.g. ["2026-11-15", 40].'
        return None, None
    day = _day(errors, f"{name}.on", on, cycle)
    return day, _value(errors, f"{name}.value", value, kind, day)


def _day(errors: dict[str, str], name: str, on: object, cycle: Cycle | None) -> dt.date | None:
    if isinstance(on, dt.datetime):
        on = on.date()
    if not isinstance(on, dt.date):
        try:
            on = dt.date.fromisoformat(str(on or "").strip())
        except ValueError:
            errors[name] = (
                f"{str(on or '')!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-11-15."
            )
            return None
    if cycle is not None and not cycle.start_date <= on <= cycle.end_date:
        errors[name] = (
            f"{on} is outside the cycle {cycle} ({cycle.start_date:%d %b %Y} to "
            f"{cycle.end_date:%d %b %Y}); plan a date inside it."
        )
    return on


def _value(
    errors: dict[str, str], name: str, value: object, kind: str | None, day: dt.date | None
) -> float | None:
    milestone = kind == KeyResult.Kind.MILESTONE
    if value is None or str(value).strip() == "":
        if milestone:
            return 1.0  # the due date alone
        if day is not None:  # else the day's own error says enough
            errors[name] = f"Give the value planned for {day}, e.g. 40."
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        errors[name] = f"{value!r} is not a number; enter digits such as 40 or 12.5."
        return None
    if not math.isfinite(number):
        errors[name] = "Enter a finite number."
        return None
    if abs(number) > MAX_MAGNITUDE:
        errors[name] = TOO_LARGE
        return None
    if milestone and number != 1:
        errors[name] = (
            "A milestone's plan is its due date with the value 1 (done); "
            "give 1 or leave the value out."
        )
        return None
    return number
