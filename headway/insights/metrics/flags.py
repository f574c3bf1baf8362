"""Flags: stalled measures, overdue check-ins and watermelons, each with its reason.

The rules decide for all key results at once with NumPy; only the key results that
raise a flag get a Python object with a sentence and the numbers behind it. Rules,
severities and worked examples: docs/course-correction.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .forecast import Forecasts, forecast
from .pace import (
    AT_RISK,
    OFF_TRACK,
    STATUSES,
    Thresholds,
    expected_progress,
    progress_of,
    status_codes,
)
from .series import Floats, Ints, KeyResultSeries, Kind, checkins_until

STALL = "stall"
OVERDUE = "overdue"
WATERMELON = "watermelon"
KINDS = (STALL, OVERDUE, WATERMELON)

Fact = float | int | str


@dataclass(frozen=True)
class Finding:
    """One flag on one key result. `facts` are the numbers in `reason` (JSON-ready,
    never NaN); `severity` runs 0..1 for every kind, bigger is more urgent."""

    index: int
    key_result_id: int
    kind: str
    reason: str
    facts: dict[str, Fact]
    severity: float


@dataclass(frozen=True)
class _Columns:
    """What every rule reads, computed once per `detect`."""

    series: KeyResultSeries
    today: float
    thresholds: Thresholds
    expected: Floats
    status: Ints
    forecasts: Forecasts
    active: np.ndarray
    used: Ints  # check-ins at or before today
    last: Ints  # index of the latest of them (meaningless where used == 0)
    ids: list[int]

    def at(self, column: Floats, index: Ints) -> Floats:
        """column[index], NaN where the key result has no such check-in."""
        if column.size == 0:
            return np.full(index.shape, np.nan)
        values: Floats = column[np.clip(index, 0, column.size - 1)]
        return values


def detect(
    series: KeyResultSeries,
    today: float,
    thresholds: Thresholds | None = None,
    expected: Floats | None = None,
    forecasts: Forecasts | None = None,
) -> list[Finding]:
    """Every flag raised at `today`, most severe first.

    Only key results whose cycle has started and not ended are flagged. Check-ins
    after `today` are ignored. `expected` and `forecasts` are computed when not given.
    """
    thresholds = thresholds or Thresholds()
    if expected is None:
        expected = expected_progress(series, today)
    if forecasts is None:
        forecasts = forecast(series, today)
    end = series.cycle_end
    used = checkins_until(series, today)
    columns = _Columns(
        series=series,
        today=today,
        thresholds=thresholds,
        expected=expected,
        status=status_codes(series, expected, thresholds, today),
        forecasts=forecasts,
        active=(today >= series.cycle_start) & ~(today >= end),
        used=used,
        last=series.offsets[:-1] + used - 1,
        ids=series.ids.tolist(),
    )
    findings = [*_stalls(columns), *_overdue(columns), *_watermelons(columns)]
    findings.sort(key=lambda f: (-f.severity, f.index, KINDS.index(f.kind)))
    return findings


# --- stall ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Window:
    """Per key result: a stretch of check-ins that ends at the latest one."""

    found: np.ndarray  # the window exists
    checkins: Ints
    first_day: Floats
    first_value: Floats
    moved: Floats  # towards the target, in the key result's units
    needed: Floats  # the least move that counts


def _window(c: _Columns, first: Ints, exists: np.ndarray) -> _Window:
    s = c.series
    first_value = c.at(s.checkin_value, first)
    towards = np.sign(s.target_value - s.start_value)
    return _Window(
        found=exists,
        checkins=c.last - first + 1,
        first_day=c.at(s.checkin_day, first),
        first_value=first_value,
        moved=(c.at(s.checkin_value, c.last) - first_value) * towards,
        needed=c.thresholds.stall_min_move * np.abs(s.target_value - first_value),
    )


def _stalls(c: _Columns) -> list[Finding]:
    """Behind pace, not reached, and the value moved less than `stall_min_move` of the
    way still to go over the last `stall_checkins` check-ins, or since the last
    check-in at least `stall_weeks` weeks old (with a check-in after it)."""
    s, th = c.series, c.thresholds
    measured = (s.kind == Kind.INCREASE) | (s.kind == Kind.DECREASE)
    behind = np.isin(c.status, (AT_RISK, OFF_TRACK)) & (s.progress < 1)
    candidate = c.active & measured & behind
    by_count = _window(c, c.last - th.stall_checkins + 1, candidate & (c.used >= th.stall_checkins))
    cutoff = c.today - 7.0 * th.stall_weeks
    old = checkins_until(s, cutoff)
    by_time = _window(c, s.offsets[:-1] + old - 1, candidate & (old >= 1) & (c.used > old))
    stalled_count = by_count.found & (by_count.moved < by_count.needed)
    stalled_time = by_time.found & (by_time.moved < by_time.needed)
    rows = np.flatnonzero(stalled_count | stalled_time)
    on_count = stalled_count[rows]

    def pick(a: Floats | Ints, b: Floats | Ints) -> list[float]:
        values: list[float] = np.where(on_count, a[rows], b[rows]).tolist()
        return values

    last_day = c.at(s.checkin_day, c.last)
    table = zip(
        rows.tolist(),
        on_count.tolist(),
        pick(by_count.checkins, by_time.checkins),
        (last_day[rows] - pick(by_count.first_day, by_time.first_day)).tolist(),
        pick(by_count.moved, by_time.moved),
        np.abs(s.target_value[rows] - pick(by_count.first_value, by_time.first_value)).tolist(),
        s.progress[rows].tolist(),
        c.expected[rows].tolist(),
        c.status[rows].tolist(),
        strict=True,
    )
    return [
        _stall(c, i, count, int(n), days, moved, distance, done, expected, int(status))
        for i, count, n, days, moved, distance, done, expected, status in table
    ]


def _stall(
    c: _Columns,
    i: int,
    on_count: bool,
    checkins: int,
    days: float,
    moved: float,
    distance: float,
    done: float,
    expected: float,
    status: int,
) -> Finding:
    share = moved / distance if distance > 0 else 0.0
    span = f"{checkins} check-ins over {_span(days)}"
    if moved == 0:
        what = f"No movement in {span}"
    elif moved < 0:
        what = f"Moved away from the target in {span}"
    else:
        what = f"Only {_pct(share)} of the way still to go covered in {span}"
    facts: dict[str, Fact] = {
        "rule": "checkins" if on_count else "weeks",
        "checkins": checkins,
        "days": round(days, 1),
        "moved_share": round(share, 4),
        "min_move": c.thresholds.stall_min_move,
        "progress": round(done, 4),
        "expected": round(expected, 4),
        "status": STATUSES[status].value,
    }
    reason = f"{what}; {_pct(done)} done, {_pct(expected)} expected."
    return _finding(c, i, STALL, reason, facts, expected - done)


# --- overdue ----------------------------------------------------------------------


def _overdue(c: _Columns) -> list[Finding]:
    """Active, not reached (maintain always counts: it must keep holding), and no
    check-in for more than cadence + grace days, counted from the latest check-in or
    from the cycle start when there is none (or the latest is older)."""
    s, th = c.series, c.thresholds
    last_day = np.where(c.used > 0, c.at(s.checkin_day, c.last), np.nan)
    since = c.today - np.fmax(last_day, s.cycle_start)
    reached = (s.progress >= 1) & (s.kind != Kind.MAINTAIN)
    rows = np.flatnonzero(c.active & ~reached & (since > th.cadence_days + th.overdue_grace_days))
    findings = []
    for i, elapsed, checked_in in zip(
        rows.tolist(), since[rows].tolist(), (c.used[rows] > 0).tolist(), strict=True
    ):
        days = math.floor(elapsed)
        if checked_in:
            what = f"No check-in for {days} days"
        else:
            what = f"No check-in yet, {days} days into the cycle"
        late = elapsed - th.cadence_days
        facts: dict[str, Fact] = {
            "days_since": days,
            "cadence_days": th.cadence_days,
            "grace_days": th.overdue_grace_days,
            "checked_in": int(checked_in),
        }
        reason = f"{what} (due every {th.cadence_days} days)."
        findings.append(_finding(c, i, OVERDUE, reason, facts, late / (late + th.cadence_days)))
    return findings


# --- watermelon -------------------------------------------------------------------


def _watermelons(c: _Columns) -> list[Finding]:
    """Active, latest confidence at or above `watermelon_confidence` (out of 10, on
    the organisation's scale), and off track or forecast to miss."""
    s, th, f = c.series, c.thresholds, c.forecasts
    confidence = np.where(c.used > 0, c.at(s.checkin_confidence, c.last), np.nan)
    confident = confidence / s.confidence_scale >= th.watermelon_confidence / 10.0 - 1e-9
    # Forecast to miss: unlikely to reach the target *and* heading for an end short
    # by more than at_risk_gap. A tight forecast of 95% is a near miss, not a watermelon.
    end_progress = progress_of(s, f.value, clamp=False)
    far_short = np.where(s.kind == Kind.MAINTAIN, True, end_progress < 1.0 - th.at_risk_gap)
    miss = f.enough & (f.probability < th.miss_probability) & far_short
    off = c.status == OFF_TRACK
    rows = np.flatnonzero(c.active & confident & (off | miss))
    table = zip(
        rows.tolist(),
        s.kind[rows].tolist(),
        confidence[rows].tolist(),
        off[rows].tolist(),
        c.status[rows].tolist(),
        f.enough[rows].tolist(),
        miss[rows].tolist(),
        s.progress[rows].tolist(),
        c.expected[rows].tolist(),
        s.current_value[rows].tolist(),
        s.target_value[rows].tolist(),
        f.probability[rows].tolist(),
        *(column[rows].tolist() for column in (f.value, f.low, f.high)),
        *(
            progress_of(s, column, clamp=False)[rows].tolist()
            for column in (f.value, f.low, f.high)
        ),
        strict=True,
    )
    return [_watermelon(c, _Melon._make(row)) for row in table]


class _Melon(NamedTuple):
    """One watermelon's numbers, as plain Python values (a tuple: cheap to make)."""

    row: int
    kind: int
    confidence: float
    off_track: bool
    status: int
    forecast: bool
    miss: bool
    progress: float
    expected: float
    value: float
    threshold: float
    probability: float
    end_value: float
    end_low: float
    end_high: float
    end_progress: float
    end_progress_low: float
    end_progress_high: float


def _watermelon(c: _Columns, m: _Melon) -> Finding:
    scale = c.series.confidence_scale
    facts: dict[str, Fact] = {
        "confidence": m.confidence,
        "confidence_scale": scale,
        "status": STATUSES[m.status].value,
    }
    parts = [f"Confidence {m.confidence:g}/{scale:g} but {_behind(m, facts)}"]
    if m.forecast:
        facts["forecast"] = _round(m.end_value)
        facts["forecast_low"] = _round(m.end_low)
        facts["forecast_high"] = _round(m.end_high)
        facts["probability"] = round(m.probability, 4)
        parts.append(_forecast_words(m, c.forecasts.level))
    behind = 0.0
    if m.off_track:
        measured = m.kind in (Kind.INCREASE, Kind.DECREASE)
        behind = m.expected - m.progress if measured else 1.0
    missing = 1.0 - m.probability if m.miss else 0.0
    severity = m.confidence / scale * max(behind, missing)
    return _finding(c, m.row, WATERMELON, "; ".join(parts) + ".", facts, severity)


def _behind(m: _Melon, facts: dict[str, Fact]) -> str:
    """What is wrong, in words, for the watermelon's reason."""
    if m.kind == Kind.MILESTONE:
        return "the milestone is not done" + (" and past due" if m.off_track else "")
    if m.kind == Kind.MAINTAIN:
        facts.update(value=_round(m.value), threshold=_round(m.threshold))
        if m.off_track:
            return f"{m.value:g} breaks the threshold of {m.threshold:g}"
        return f"{m.value:g} holds the threshold of {m.threshold:g} for now"
    facts.update(progress=round(m.progress, 4), expected=_round(m.expected))
    return f"{_pct(m.progress)} done where {_pct(m.expected)} is expected"


def _forecast_words(m: _Melon, level: float) -> str:
    if m.kind == Kind.MAINTAIN:
        spread = f"{m.end_low:.3g} to {m.end_high:.3g}"
        return (
            f"forecast {m.end_value:.3g} at the end ({_pct(level)} interval {spread}), "
            f"{_pct(m.probability)} chance of holding"
        )
    low, high = sorted((m.end_progress_low, m.end_progress_high))
    spread = f"{_pct(low)} to {_pct(high)}"
    return (
        f"forecast {_pct(m.end_progress)} ({_pct(level)} interval {spread}), "
        f"{_pct(m.probability)} chance of reaching the target"
    )


# --- shared -----------------------------------------------------------------------


def _finding(
    c: _Columns, i: int, kind: str, reason: str, facts: dict[str, Fact], severity: float
) -> Finding:
    # JSON has no NaN: a number that is not known is left out.
    clean = {k: v for k, v in facts.items() if v == v}
    return Finding(
        index=i,
        key_result_id=c.ids[i],
        kind=kind,
        reason=reason,
        facts=clean,
        severity=round(min(1.0, max(0.0, severity)), 4),
    )


def _pct(share: float) -> str:
    if not math.isfinite(share):
        return "?"
    text = f"{share * 100:.0f}"
    return "0%" if text == "-0" else f"{text}%"


def _round(value: float) -> float:
    return round(value, 6)


def _span(days: float) -> str:
    if days < 13.5:
        whole = round(days)
        return f"{whole} day" if whole == 1 else f"{whole} days"
    return f"{round(days / 7)} weeks"
