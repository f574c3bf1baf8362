"""Reads for course correction: key results and their check-ins as NumPy columns,
and the flags raised on them.

`key_result_series` is the one loader every analysis uses. It reads only the
columns the rules need, in two queries whatever the number of key results, and
reads check-in rows through the cursor (no model instances, no per-row converters)
so an organisation of 720,000 check-ins loads in well under a second or two.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import connection
from django.db.models import F, Func, Max, QuerySet
from django.db.models.fields import FloatField
from django.http import Http404
from django.utils import timezone

from headway.accounts.models import Membership, Organisation
from headway.goals.models import (
    CheckIn,
    CycleStatus,
    KeyResult,
    KeyResultStatus,
    ObjectiveStatus,
    Pivot,
)
from headway.goals.selectors import visible_q

from .metrics import forecast as forecasting
from .metrics import pace
from .metrics.pace import Thresholds
from .metrics.series import EPOCH, Direction, KeyResultSeries, Kind, day_number
from .models import Flag

KIND_CODES = {kind.name.lower(): int(kind) for kind in Kind}
DIRECTION_CODES = {direction.name.lower(): int(direction) for direction in Direction}
SECONDS_PER_DAY = 86400.0


class DayNumber(Func):
    """A timestamp column as days since 1970-01-01 UTC, computed by the database."""

    output_field = FloatField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # Julian day 2440587.5 is 1970-01-01 00:00 UTC.
        return self.as_sql(
            compiler, connection, template="(julianday(%(expressions)s) - 2440587.5)"
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template=f"(EXTRACT(EPOCH FROM %(expressions)s) / {SECONDS_PER_DAY})",
        )


def thresholds_of(organisation: Organisation) -> Thresholds:
    """The organisation's course-correction thresholds for the pure rules."""
    return Thresholds(
        at_risk_gap=organisation.at_risk_gap,
        off_track_gap=organisation.off_track_gap,
        watermelon_confidence=float(organisation.watermelon_confidence),
        stall_checkins=organisation.stall_checkins,
        stall_weeks=organisation.stall_weeks,
        stall_min_move=organisation.stall_min_move,
        overdue_grace_days=organisation.overdue_grace_days,
    )


def key_results_in_play(organisation_id: int) -> QuerySet[KeyResult]:
    """Key results that course correction watches: not dropped, of an active
    objective in a cycle that is not closed."""
    return KeyResult.objects.filter(
        organisation_id=organisation_id,
        status=KeyResultStatus.ACTIVE,
        objective__status=ObjectiveStatus.ACTIVE,
    ).exclude(objective__cycle__status=CycleStatus.CLOSED)


KR_COLUMNS = (
    "pk",
    "kind",
    "direction",
    "start_value",
    "target_value",
    "current_value",
    "progress",
    "confidence",
    "objective__cycle__start_date",
    "objective__cycle__end_date",
    "plan",
)


def key_result_series(
    organisation: Organisation, key_results: QuerySet[KeyResult] | None = None
) -> KeyResultSeries:
    """Columns of the given key results (default: all in play) and their check-ins.

    Three queries: the key results, their check-ins in (key result, time) order, and
    the day of each one's latest pivot (a new approach starts a new trend).
    """
    if key_results is None:
        key_results = key_results_in_play(organisation.pk)
    rows = list(key_results.order_by("pk").values_list(*KR_COLUMNS))
    ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
    checkins = _checkin_columns(key_results, len(rows))
    offsets = np.searchsorted(checkins[0], ids, side="left")
    offsets = np.append(offsets, checkins[0].shape[0]).astype(np.int64)
    plan_days, plan_values = _plans(rows)
    return KeyResultSeries(
        ids=ids,
        kind=_codes(rows, 1, KIND_CODES),
        direction=_codes(rows, 2, DIRECTION_CODES),
        start_value=_floats(rows, 3),
        target_value=_floats(rows, 4),
        current_value=_floats(rows, 5),
        progress=_floats(rows, 6),
        confidence=_floats(rows, 7),
        confidence_scale=float(organisation.confidence_scale),
        cycle_start=np.array([day_number(row[8]) for row in rows], dtype=np.float64),
        cycle_end=np.array(
            [day_number(row[9] + dt.timedelta(days=1)) if row[9] else math.nan for row in rows],
            dtype=np.float64,
        ),
        offsets=offsets,
        checkin_day=checkins[1],
        checkin_value=checkins[2],
        checkin_confidence=checkins[3],
        plan_days=plan_days,
        plan_values=plan_values,
        trend_from=_latest_pivots(key_results, ids),
    )


def _latest_pivots(key_results: QuerySet[KeyResult], ids: np.ndarray) -> np.ndarray:
    latest = (
        Pivot.objects.filter(key_result__in=key_results.values("pk"))
        .values("key_result_id")
        .annotate(day=Max(DayNumber(F("created_at"))))
        .values_list("key_result_id", "day")
    )
    days = np.full(ids.shape[0], np.nan)
    for key_result_id, day in latest:
        days[np.searchsorted(ids, key_result_id)] = day
    return days


def _floats(rows: Sequence[tuple[Any, ...]], column: int) -> np.ndarray:
    return np.array(
        [math.nan if row[column] is None else row[column] for row in rows], dtype=np.float64
    )


def _codes(rows: Sequence[tuple[Any, ...]], column: int, codes: dict[str, int]) -> np.ndarray:
    return np.array([codes[row[column]] for row in rows], dtype=np.int64)


def _plans(rows: Sequence[tuple[Any, ...]]) -> tuple[dict[int, np.ndarray], dict[int, np.ndarray]]:
    days: dict[int, np.ndarray] = {}
    values: dict[int, np.ndarray] = {}
    for index, row in enumerate(rows):
        points = plan_points(row[10])
        if points:
            days[index] = np.array([day_number(on) for on, _ in points], dtype=np.float64)
            values[index] = np.array([value for _, value in points], dtype=np.float64)
    return days, values


def plan_points(plan: Any) -> list[tuple[dt.date, float]]:
    """A stored plan ([["2026-05-15", 40], ...], or its JSON text) as sorted points."""
    if isinstance(plan, str):
        plan = json.loads(plan or "[]")
    points = [(dt.date.fromisoformat(str(on)), float(value)) for on, value in plan or ()]
    return sorted(points)


def _checkin_columns(
    key_results: QuerySet[KeyResult], expected_krs: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(key result id, day number, value, confidence) of every check-in, sorted."""
    query = (
        CheckIn.objects.filter(key_result__in=key_results.values("pk"))
        .annotate(day=DayNumber(F("created_at")))
        .order_by("key_result_id", "created_at", "pk")
        .values_list("key_result_id", "day", "value", "confidence")
    )
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        empty = np.empty(0, dtype=np.float64)
        return np.empty(0, dtype=np.int64), empty, empty.copy(), empty.copy()
    table = np.array(rows, dtype=np.float64)
    return table[:, 0].astype(np.int64), table[:, 1], table[:, 2], table[:, 3]


def today_number(now: dt.datetime | None = None) -> float:
    return day_number(now or timezone.now())


# --- a few key results, for their pages ------------------------------------------------

STATUS_LABELS = {
    pace.Status.ON_TRACK: "On track",
    pace.Status.AT_RISK: "At risk",
    pace.Status.OFF_TRACK: "Off track",
    pace.Status.NOT_STARTED: "Not started",
    pace.Status.NO_PACE: "No pace",
}


@dataclass(frozen=True)
class KeyResultInsight:
    """Pace, status and forecast of one key result, ready for a page or the API."""

    expected: float | None  # progress expected today, 0..1
    status: pace.Status
    forecast: forecasting.Forecast
    band: list[tuple[dt.date, float, float, float]]  # (day, low, middle, high)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def key_result_insights(
    organisation: Organisation,
    key_results: QuerySet[KeyResult],
    now: dt.datetime | None = None,
    with_band: bool = False,
) -> dict[int, KeyResultInsight]:
    """Pace, status and forecast of some key results, in two queries (the series)."""
    series = key_result_series(organisation, key_results)
    today = today_number(now)
    expected = pace.expected_progress(series, today)
    codes = pace.status_codes(series, expected, thresholds_of(organisation), today)
    found = forecasting.forecast(series, today)
    insights: dict[int, KeyResultInsight] = {}
    for i, key_result_id in enumerate(series.ids.tolist()):
        insights[key_result_id] = KeyResultInsight(
            expected=_number(expected[i]),
            status=pace.STATUSES[int(codes[i])],
            forecast=found.row(i),
            band=_band_days(series, i, today) if with_band and found.enough[i] else [],
        )
    return insights


def _number(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def _band_days(
    series: KeyResultSeries, i: int, today: float
) -> list[tuple[dt.date, float, float, float]]:
    return [
        (EPOCH + dt.timedelta(days=math.floor(day)), low, middle, high)
        for day, low, middle, high in forecasting.band(series, i, today)
    ]


# --- flags -----------------------------------------------------------------------


def flags_visible(member: Membership, team_ids: Iterable[int] | None = None) -> QuerySet[Flag]:
    """Flags, open or resolved, on key results the member can see, with what a list
    shows of them. `team_ids` narrows them to objectives owned by those teams."""
    if team_ids is None:
        flags = Flag.objects.filter(organisation_id=member.organisation_id)
    else:
        # Through the team's key results (whose organisation is checked), so the
        # database starts from the team's few objectives, not every flag it holds.
        key_results = KeyResult.objects.filter(
            organisation_id=member.organisation_id, objective__owner_team_id__in=list(team_ids)
        )
        flags = Flag.objects.filter(key_result_id__in=key_results.values("pk"))
    return flags.filter(visible_q(member, "key_result__objective__")).select_related(
        "key_result__objective__owner_team",
        "key_result__objective__owner_user",
        "key_result__owner",
        "key_result__objective__cycle",
    )


def flags_open(member: Membership, *, team_ids: Iterable[int] | None = None) -> QuerySet[Flag]:
    """Open flags on key results the member can see, most urgent first."""
    flags = flags_visible(member, team_ids).filter(resolved_at=None)
    return flags.order_by("-severity", "opened_at", "pk")


def flags_for_key_results(key_result_ids: Iterable[int]) -> dict[int, list[Flag]]:
    """Open flags grouped by key result, for pages that show a few key results."""
    grouped: dict[int, list[Flag]] = {}
    for flag in Flag.objects.filter(key_result_id__in=list(key_result_ids), resolved_at=None):
        grouped.setdefault(flag.key_result_id, []).append(flag)
    return grouped


def flag_get(member: Membership, flag_id: int) -> Flag:
    flag = (
        Flag.objects.filter(organisation_id=member.organisation_id, pk=flag_id)
        .filter(visible_q(member, "key_result__objective__"))
        .select_related("key_result__objective", "pivot")
        .first()
    )
    if flag is None:
        raise Http404("No such flag.")
    return flag


__all__ = [
    "DayNumber",
    "flag_get",
    "flags_for_key_results",
    "flags_open",
    "flags_visible",
    "key_result_insights",
    "key_result_series",
    "key_results_in_play",
    "plan_points",
    "thresholds_of",
    "today_number",
]
