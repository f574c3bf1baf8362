"""When a notification is due, in an organisation's own time. No Django here.

The jobs run every 15 minutes in UTC; these functions turn "now" into the
organisation's local date and time and decide whether a person's reminder or digest
has come. Quiet days move a weekly notification to the next day of the same week that
is not quiet (or skip that week when none is left); the time of day stays the same.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Collection

# Flag severities run 0..1; a notification goes out when a flag opens and again only
# when it climbs into a band above every band already notified.
SEVERITY_BANDS = (0.34, 0.67)


def zone(timezone_name: str) -> dt.tzinfo:
    """The organisation's time zone; an unknown name counts as UTC."""
    try:
        return zoneinfo.ZoneInfo(timezone_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def local_now(now: dt.datetime, timezone_name: str) -> dt.datetime:
    """`now` (aware) on the organisation's clock."""
    return now.astimezone(zone(timezone_name))


def week_began(day: dt.date, timezone_name: str) -> dt.datetime:
    """Midnight at the start of `day`'s ISO week, on the organisation's clock."""
    return dt.datetime.combine(week_start(day), dt.time(0, 0), tzinfo=zone(timezone_name))


def week_start(day: dt.date) -> dt.date:
    """The Monday of `day`'s ISO week."""
    return day - dt.timedelta(days=day.weekday())


def weekday_date(day: dt.date, weekday: int) -> dt.date:
    """The date of `weekday` (0 = Monday) in `day`'s ISO week."""
    return week_start(day) + dt.timedelta(days=weekday)


def send_day(base: dt.date, quiet_days: Collection[int]) -> dt.date | None:
    """The first day from `base` to the end of its week that is not quiet; None when
    every one of them is."""
    day = base
    while True:
        if day.weekday() not in quiet_days:
            return day
        if day.weekday() == 6:
            return None
        day += dt.timedelta(days=1)


def is_due(local: dt.datetime, weekday: int, at: dt.time, quiet_days: Collection[int] = ()) -> bool:
    """Whether a weekly notification set for `weekday` at `at` goes out to someone with
    these quiet days at the local moment `local`: on its (possibly moved) day only, at
    or after its time. A day missed entirely is not made up later in the week."""
    day = send_day(weekday_date(local.date(), weekday), quiet_days)
    return day == local.date() and local.time() >= at


def iso_week(day: dt.date) -> str:
    """`2026-W48`: the key of a week's digest."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def severity_band(severity: float) -> int:
    """1 (low), 2 (medium) or 3 (high)."""
    return 1 + sum(severity >= edge for edge in SEVERITY_BANDS)
