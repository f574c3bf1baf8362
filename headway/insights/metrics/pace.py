"""Pace and status: how far each key result should be by today, and how far behind it is.

Expected progress is linear over the cycle unless the key result has a plan; status
compares it with the stored progress. Rules and worked examples: docs/course-correction.md.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt

from .series import Direction, Floats, Ints, KeyResultSeries, Kind, checkins_until, subset

# A gap exactly on a threshold (0.35 expected, 0.25 done) must not tip over it
# because of binary fractions.
EPSILON = 1e-9


@dataclass(frozen=True)
class Thresholds:
    """An organisation's course-correction settings (the same names as its fields).

    `watermelon_confidence` is on a 0-10 scale whatever the organisation's confidence
    scale; gaps and moves are shares of the way from start to target.
    """

    at_risk_gap: float = 0.10
    off_track_gap: float = 0.25
    watermelon_confidence: float = 7
    stall_checkins: int = 3
    stall_weeks: int = 3
    stall_min_move: float = 0.05
    overdue_grace_days: int = 3
    cadence_days: int = 7
    miss_probability: float = 0.2

    @classmethod
    def from_settings(cls, source: object) -> Thresholds:
        """Thresholds read from any object with attributes of these names (an
        organisation row); missing attributes keep their defaults."""
        values: dict[str, Any] = {
            field.name: getattr(source, field.name)
            for field in dataclasses.fields(cls)
            if getattr(source, field.name, None) is not None
        }
        return cls(**values)


class Status(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    NOT_STARTED = "not_started"  # the cycle has not started
    NO_PACE = "no_pace"  # pace undefined: no end date, no target, not measured yet


# Integer codes index this tuple: STATUSES[code].
STATUSES: tuple[Status, ...] = tuple(Status)
ON_TRACK, AT_RISK, OFF_TRACK, NOT_STARTED, NO_PACE = range(len(STATUSES))


def progress_of(series: KeyResultSeries, values: Floats, clamp: bool = True) -> Floats:
    """Progress each key result would have at `values`, by the rules of goals.scoring.

    Increase/decrease: (value - start) / (target - start), NaN without a usable scale.
    Milestone: 1 when the value is 1 (done), else 0. Maintain: 1 on the right side of
    the threshold (inclusive), 0 across it, NaN without a value. `clamp` limits the
    result to 0..1 like the stored progress; unclamped it is scoring's raw progress.
    """
    return _progress(series, np.arange(len(series)), values, clamp)


def _progress(series: KeyResultSeries, rows: Ints, values: Floats, clamp: bool) -> Floats:
    kind, direction = series.kind[rows], series.direction[rows]
    start, target = series.start_value[rows], series.target_value[rows]
    with np.errstate(divide="ignore", invalid="ignore"):
        span = target - start
        raw = np.where(span != 0, (values - start) / span, np.nan)
    milestone = np.where(values >= 1, 1.0, 0.0)
    held = np.where(direction == Direction.BELOW, values <= target, values >= target)
    maintain = np.where(np.isnan(values) | np.isnan(target), np.nan, held.astype(np.float64))
    out: Floats = np.select(
        [kind == Kind.MILESTONE, kind == Kind.MAINTAIN], [milestone, maintain], raw
    )
    return np.clip(out, 0.0, 1.0) if clamp else out


def elapsed_share(series: KeyResultSeries, today: float | Floats) -> Floats:
    """Share of the cycle gone by at `today`, 0..1; NaN when the cycle has no end."""
    start, end = series.cycle_start, series.cycle_end
    with np.errstate(divide="ignore", invalid="ignore"):
        share = (today - start) / (end - start)
    return np.clip(share, 0.0, 1.0)


def milestone_due(series: KeyResultSeries) -> Floats:
    """When each key result's milestone is due (a day number): the end of its plan's
    last day when it has a plan, else the cycle end; NaN when neither exists."""
    due = series.cycle_end.copy()
    for index, days in series.plan_days.items():
        if len(days):
            due[index] = float(days[-1]) + 1.0
    return due


def measured_day(series: KeyResultSeries, today: float) -> Floats:
    """The moment each key result's progress was measured: its latest check-in at or
    before `today`, or `today` when it has none."""
    used = checkins_until(series, today)
    if series.checkin_day.size == 0:
        return np.full(len(series), today, dtype=np.float64)
    latest = np.clip(series.offsets[:-1] + used - 1, 0, series.checkin_day.size - 1)
    result: Floats = np.where(used > 0, series.checkin_day[latest], today)
    return result


def expected_progress(series: KeyResultSeries, today: float) -> Floats:
    """Progress (0..1) each key result should have reached when it was last measured.

    Increase/decrease: the elapsed share of the cycle, or the planned value, at the
    key result's latest check-in (at `today` before the first one) turned into
    progress. Progress is only known as of a check-in, so it is held against what was
    expected then: between weekly check-ins a key result on pace stays on track, and
    staleness is the overdue rule's business. Milestone: 0 until it is due, 1 from
    then (due dates pass whether anyone checks in or not). Maintain: 1 (it must hold
    all along). NaN where pace is undefined.
    """
    return expected_at(series, measured_day(series, today), today)


def expected_at(series: KeyResultSeries, at: Floats | float, today: float) -> Floats:
    """Expected progress of increase/decrease key results at `at` (one day number or
    one per key result); milestones are judged at `today`."""
    at = np.broadcast_to(np.asarray(at, dtype=np.float64), (len(series),))
    kind = series.kind
    measured = (kind == Kind.INCREASE) | (kind == Kind.DECREASE)
    usable = (
        np.isfinite(series.start_value)
        & np.isfinite(series.target_value)
        & (series.start_value != series.target_value)
    )
    expected = np.where(measured & usable, elapsed_share(series, at), np.nan)
    planned, planned_values = _planned_values_at(series, at)
    if planned.size:
        as_progress = _progress(series, planned, planned_values, clamp=True)
        keep = measured[planned]
        expected[planned[keep]] = as_progress[keep]
    due = milestone_due(series)
    milestone = np.where(np.isnan(due), np.nan, np.where(today >= due, 1.0, 0.0))
    expected = np.where(kind == Kind.MILESTONE, milestone, expected)
    result: Floats = np.where(kind == Kind.MAINTAIN, 1.0, expected)
    return result


def _planned_values_at(series: KeyResultSeries, at: Floats) -> tuple[Ints, Floats]:
    """(indices, planned value at each one's day in `at`) of the key results with a plan.

    Before the first plan point the value moves linearly from the start value at the
    cycle start (or holds the first point when there is no start, or the plan begins
    on or before the cycle start); after the last point it holds. Vectorised: all plans
    are laid end to end, each behind an extra first point.
    """
    keys = sorted(i for i, days in series.plan_days.items() if len(days))
    if not keys:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
    rows = np.array(keys, dtype=np.int64)
    lengths = np.array([len(series.plan_days[i]) for i in keys], dtype=np.int64)
    days = np.concatenate([np.asarray(series.plan_days[i], dtype=np.float64) for i in keys])
    values = np.concatenate([np.asarray(series.plan_values[i], dtype=np.float64) for i in keys])
    first = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    start_day, start_value = series.cycle_start[rows], series.start_value[rows]
    from_start = (start_day < days[first]) & np.isfinite(start_value)
    lead_day = np.where(from_start, start_day, days[first] - 1.0)
    lead_value = np.where(from_start, start_value, values[first])
    days = np.insert(days, first, lead_day)
    values = np.insert(values, first, lead_value)
    lengths = lengths + 1
    first = first + np.arange(rows.size)
    today = at[rows]
    passed = np.add.reduceat((days <= np.repeat(today, lengths)).astype(np.int64), first)
    low = first + np.clip(passed - 1, 0, lengths - 1)
    high = first + np.clip(passed, 0, lengths - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(high > low, (today - days[low]) / (days[high] - days[low]), 0.0)
    return rows, values[low] + share * (values[high] - values[low])


def status_codes(
    series: KeyResultSeries, expected: Floats, thresholds: Thresholds, today: float
) -> Ints:
    """Each key result's status as a code into STATUSES.

    Increase/decrease: gap = expected - progress; on track up to `at_risk_gap`, at
    risk up to `off_track_gap`, off track beyond. Milestone: done is on track; not
    done past due is off track, and in the last `at_risk_gap` share of the time before
    it is due at risk. Maintain: held on track, breached off track, unmeasured no pace.
    Before the cycle starts: not started.
    """
    kind, progress = series.kind, series.progress
    gap = expected - progress
    graded = np.where(
        gap <= thresholds.at_risk_gap + EPSILON,
        ON_TRACK,
        np.where(gap <= thresholds.off_track_gap + EPSILON, AT_RISK, OFF_TRACK),
    )
    codes = np.where(np.isfinite(gap), graded, NO_PACE)
    due = milestone_due(series)
    warn_from = due - thresholds.at_risk_gap * (due - series.cycle_start)
    milestone = np.select(
        [progress >= 1, np.isnan(due), today >= due, today >= warn_from],
        [ON_TRACK, NO_PACE, OFF_TRACK, AT_RISK],
        ON_TRACK,
    )
    maintain = np.select([progress >= 1, progress <= 0], [ON_TRACK, OFF_TRACK], NO_PACE)
    codes = np.select(
        [today < series.cycle_start, kind == Kind.MILESTONE, kind == Kind.MAINTAIN],
        [NOT_STARTED, milestone, maintain],
        codes,
    )
    result: Ints = codes.astype(np.int64)
    return result


def statuses(codes: npt.ArrayLike) -> list[Status]:
    """Status codes as Status members."""
    return [STATUSES[int(code)] for code in np.asarray(codes).reshape(-1)]


def expected_one(series: KeyResultSeries, i: int, today: float) -> float | None:
    """Expected progress of key result i alone (None when pace is undefined)."""
    value = float(expected_progress(subset(series, [i]), today)[0])
    return None if np.isnan(value) else value


def status_one(
    series: KeyResultSeries, i: int, today: float, thresholds: Thresholds | None = None
) -> Status:
    """Status of key result i alone."""
    one = subset(series, [i])
    codes = status_codes(one, expected_progress(one, today), thresholds or Thresholds(), today)
    return STATUSES[int(codes[0])]
