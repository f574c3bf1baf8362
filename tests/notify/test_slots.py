"""When a weekly notification is due, on the organisation's clock (no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from headway.notify.slots import (
    is_due,
    iso_week,
    local_now,
    send_day,
    severity_band,
    week_began,
    weekday_date,
)

MONDAY = dt.date(2026, 11, 30)
NINE = dt.time(9, 0)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("base", "quiet", "expected"),
    [
        (MONDAY, [], MONDAY),
        (MONDAY, [0], MONDAY + dt.timedelta(days=1)),
        (MONDAY, [0, 1, 2], MONDAY + dt.timedelta(days=3)),
        (MONDAY + dt.timedelta(days=4), [4, 5, 6], None),
        (MONDAY + dt.timedelta(days=6), [6], None),
        (MONDAY, [5, 6], MONDAY),
    ],
    ids=["not quiet", "next day", "skips several", "none left", "sunday quiet", "weekend"],
)
def test_a_quiet_day_moves_to_the_next_day_of_the_same_week(
    base: dt.date, quiet: list[int], expected: dt.date | None
) -> None:
    assert send_day(base, quiet) == expected


@pytest.mark.parametrize(
    ("now", "quiet", "due"),
    [
        (at(MONDAY, 8, 59), [], False),
        (at(MONDAY, 9, 0), [], True),
        (at(MONDAY, 17, 0), [], True),
        (at(MONDAY + dt.timedelta(days=1), 10), [], False),
        (at(MONDAY - dt.timedelta(days=1), 10), [], False),
        (at(MONDAY, 10), [0], False),
        (at(MONDAY + dt.timedelta(days=1), 8), [0], False),
        (at(MONDAY + dt.timedelta(days=1), 9), [0], True),
    ],
    ids=[
        "before the time",
        "at the time",
        "later that day",
        "a day missed is not made up",
        "the day before",
        "quiet on the day",
        "moved, before the time",
        "moved, at the time",
    ],
)
def test_a_weekly_notification_is_due_on_its_day_from_its_time(
    now: dt.datetime, quiet: list[int], due: bool
) -> None:
    assert is_due(now, 0, NINE, quiet) is due


def test_the_organisations_clock_decides_the_day() -> None:
    # 23:30 on Sunday in UTC is already Monday 08:30 in Tokyo.
    sunday_night = at(MONDAY - dt.timedelta(days=1), 23, 30)
    tokyo = local_now(sunday_night, "Asia/Tokyo")
    assert (tokyo.date(), tokyo.hour) == (MONDAY, 8)
    assert is_due(local_now(sunday_night + dt.timedelta(minutes=30), "Asia/Tokyo"), 0, NINE)
    assert local_now(sunday_night, "Not/AZone").tzinfo == dt.UTC


def test_weeks_start_on_monday_at_local_midnight() -> None:
    wednesday = MONDAY + dt.timedelta(days=2)
    assert weekday_date(wednesday, 4) == MONDAY + dt.timedelta(days=4)
    assert iso_week(wednesday) == "2026-W49"
    began = week_began(wednesday, "Europe/Amsterdam")
    assert began.isoformat() == "2026-11-30T00:00:00+01:00"


@pytest.mark.parametrize(
    ("severity", "band"), [(0.0, 1), (0.33, 1), (0.34, 2), (0.66, 2), (0.67, 3), (1.0, 3)]
)
def test_severity_falls_in_three_bands(severity: float, band: int) -> None:
    assert severity_band(severity) == band
