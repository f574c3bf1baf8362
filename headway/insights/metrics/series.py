"""The columns every course-correction rule reads, for many key results at once.

Times are *day numbers*: days since 1970-01-01 as floats (fractions are the time of
day in UTC), so differences are in days and a week is 7.0. Missing numbers are NaN.

Check-ins are stored flat in time order per key result, in the "compressed rows"
layout: key result `i` owns `checkin_day[offsets[i]:offsets[i + 1]]` (and the same
slice of `checkin_value` and `checkin_confidence`), oldest first.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np
import numpy.typing as npt

from headway.goals.scoring import KeyResultKind, MaintainDirection, Measure, key_result_progress

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

EPOCH = dt.date(1970, 1, 1)
SAME_MOMENT = 1.0 / 86400.0  # one second, in days


class Kind(IntEnum):
    """Key result kinds as array codes (the same names as goals.scoring.KeyResultKind)."""

    INCREASE = 0
    DECREASE = 1
    MILESTONE = 2
    MAINTAIN = 3


class Direction(IntEnum):
    """For `maintain`: stay at or above (0) or at or below (1) the threshold."""

    ABOVE = 0
    BELOW = 1


def day_number(moment: dt.date | dt.datetime) -> float:
    """A date (midnight) or an aware datetime as a day number."""
    if isinstance(moment, dt.datetime):
        return moment.timestamp() / 86400.0
    return float((moment - EPOCH).days)


@dataclass(frozen=True)
class KeyResultSeries:
    """Many key results and their check-ins, as columns.

    `plan_days[i]`/`plan_values[i]` hold key result i's planned values (dates as day
    numbers, ascending) when it has a plan; key results without one are absent from
    the dicts and follow a linear pace.
    """

    ids: Ints  # (n,) key result primary keys
    kind: Ints  # (n,) Kind codes
    direction: Ints  # (n,) Direction codes (maintain only)
    start_value: Floats  # (n,) NaN when unset
    target_value: Floats  # (n,) the threshold for maintain; NaN when unset
    current_value: Floats  # (n,) latest checked-in value, NaN before the first
    progress: Floats  # (n,) stored progress clamped to 0..1, NaN when unknown
    confidence: Floats  # (n,) latest confidence, NaN before the first check-in
    confidence_scale: float  # confidence runs 0..scale
    cycle_start: Floats  # (n,) day number of the cycle's first day
    cycle_end: Floats  # (n,) day number of the day after the cycle's last day; NaN: none
    offsets: Ints  # (n + 1,) slices into the check-in columns
    checkin_day: Floats  # (m,)
    checkin_value: Floats  # (m,)
    checkin_confidence: Floats  # (m,)
    plan_days: dict[int, Floats] = field(default_factory=dict)
    plan_values: dict[int, Floats] = field(default_factory=dict)
    # (n,) day of each key result's latest pivot, NaN where none: a new approach
    # starts a new trend, so forecasts fit the check-ins since (when there are enough).
    trend_from: Floats | None = None

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    def checkin_counts(self) -> Ints:
        return np.diff(self.offsets)


def checkins_until(series: KeyResultSeries, cutoff: float | Floats) -> Ints:
    """How many check-ins each key result has at or before `cutoff` (one day number,
    or one per key result). They are a prefix of its slice: check-ins are in time order."""
    owner = np.repeat(np.arange(len(series)), series.checkin_counts())
    limit = np.broadcast_to(np.asarray(cutoff, dtype=np.float64), (len(series),))
    # A second's tolerance: the database and Python round the same moment differently.
    kept = series.checkin_day <= limit[owner] + SAME_MOMENT
    return np.bincount(owner, weights=kept, minlength=len(series)).astype(np.int64)


# --- small constructors: tests, scripts and one-key-result pages --------------------


@dataclass(frozen=True)
class KeyResultRow:
    """One key result in plain Python, for `build_series`.

    `checkins` holds (day, value) or (day, value, confidence) tuples in any order;
    `plan` holds (day, planned value) pairs. `cycle_end` is the day after the last day
    of the cycle, like the column; None means the cycle has no end.
    """

    kind: Kind = Kind.INCREASE
    start: float | None = 0.0
    target: float | None = 100.0
    cycle_start: float = 0.0
    cycle_end: float | None = 91.0
    checkins: Sequence[tuple[float, ...]] = ()
    direction: Direction = Direction.ABOVE
    plan: Sequence[tuple[float, float]] = ()
    id: int | None = None
    pivot: float | None = None  # day of the latest pivot


def build_series(rows: Sequence[KeyResultRow], confidence_scale: float = 10.0) -> KeyResultSeries:
    """Columns for a few key results written out by hand.

    The current value, progress and confidence come from each key result's latest
    check-in, with progress computed by `goals.scoring` as the stored rows have it.
    A Python loop: fine for tests and pages, not for a whole organisation.
    """
    days: list[float] = []
    values: list[float] = []
    confidences: list[float] = []
    offsets = [0]
    current, progress, confidence = [], [], []
    for row in rows:
        checkins = sorted(row.checkins, key=lambda checkin: checkin[0])
        for checkin in checkins:
            days.append(float(checkin[0]))
            values.append(float(checkin[1]))
            confidences.append(float(checkin[2]) if len(checkin) > 2 else math.nan)
        offsets.append(len(days))
        latest = checkins[-1] if checkins else None
        current.append(math.nan if latest is None else float(latest[1]))
        confidence.append(math.nan if latest is None or len(latest) < 3 else float(latest[2]))
        progress.append(_stored_progress(row, None if latest is None else float(latest[1])))
    plans = [(index, row.plan) for index, row in enumerate(rows) if row.plan]
    return KeyResultSeries(
        ids=np.array([row.id or index + 1 for index, row in enumerate(rows)], dtype=np.int64),
        kind=np.array([int(row.kind) for row in rows], dtype=np.int64),
        direction=np.array([int(row.direction) for row in rows], dtype=np.int64),
        start_value=_column([row.start for row in rows]),
        target_value=_column([row.target for row in rows]),
        current_value=_column(current),
        progress=_column(progress),
        confidence=_column(confidence),
        confidence_scale=float(confidence_scale),
        cycle_start=_column([row.cycle_start for row in rows]),
        cycle_end=_column([row.cycle_end for row in rows]),
        offsets=np.array(offsets, dtype=np.int64),
        checkin_day=_column(days),
        checkin_value=_column(values),
        checkin_confidence=_column(confidences),
        plan_days={index: _column([day for day, _ in plan]) for index, plan in plans},
        plan_values={index: _column([value for _, value in plan]) for index, plan in plans},
        trend_from=_column([row.pivot for row in rows]),
    )


def _column(numbers: Sequence[float | None]) -> Floats:
    return np.array([math.nan if n is None else n for n in numbers], dtype=np.float64)


def _stored_progress(row: KeyResultRow, current: float | None) -> float:
    # The same rules as the stored column (goals.scoring is pure too).
    measure = Measure(
        kind=KeyResultKind[row.kind.name],
        start=row.start,
        target=row.target,
        current=current,
        direction=MaintainDirection[row.direction.name],
    )
    value = key_result_progress(measure).value
    return math.nan if value is None else value


def subset(series: KeyResultSeries, indices: Sequence[int] | Ints) -> KeyResultSeries:
    """The same columns for some key results only (in the order given), with their
    check-ins and plans; a one-key-result page analyses `subset(series, [i])`."""
    rows = np.asarray(indices, dtype=np.int64).reshape(-1)
    counts = series.checkin_counts()[rows]
    offsets = np.zeros(rows.shape[0] + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    # Position j of the new check-in columns comes from the old one shifted by the
    # distance between its key result's old and new first check-in.
    shift = np.repeat(series.offsets[rows] - offsets[:-1], counts)
    taken = shift + np.arange(int(offsets[-1]), dtype=np.int64)
    position = {int(old): new for new, old in enumerate(rows)}
    return KeyResultSeries(
        ids=series.ids[rows],
        kind=series.kind[rows],
        direction=series.direction[rows],
        start_value=series.start_value[rows],
        target_value=series.target_value[rows],
        current_value=series.current_value[rows],
        progress=series.progress[rows],
        confidence=series.confidence[rows],
        confidence_scale=series.confidence_scale,
        cycle_start=series.cycle_start[rows],
        cycle_end=series.cycle_end[rows],
        offsets=offsets,
        checkin_day=series.checkin_day[taken],
        checkin_value=series.checkin_value[taken],
        checkin_confidence=series.checkin_confidence[taken],
        plan_days={position[i]: d for i, d in series.plan_days.items() if i in position},
        plan_values={position[i]: v for i, v in series.plan_values.items() if i in position},
        trend_from=None if series.trend_from is None else series.trend_from[rows],
    )
