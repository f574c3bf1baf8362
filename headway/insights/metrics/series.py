"""The columns every course-correction rule reads, for many key results at once.

Times are *day numbers*: days since 1970-01-01 as floats (fractions are the time of
day in UTC), so differences are in days and a week is 7.0. Missing numbers are NaN.

Check-ins are stored flat in time order per key result, in the "compressed rows"
layout: key result `i` owns `checkin_day[offsets[i]:offsets[i + 1]]` (and the same
slice of `checkin_value` and `checkin_confidence`), oldest first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

EPOCH = dt.date(1970, 1, 1)


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

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    def checkin_counts(self) -> Ints:
        return np.diff(self.offsets)
