"""Forecasts: each key result's value at the end of its cycle, from its check-ins.

A Theil-Sen line (median of pairwise slopes) through the check-ins, extended to the
cycle end, with a prediction interval from the residual scale and Student's t, and
the probability of reaching the target under the same distribution. Fewer than
`MIN_CHECKINS` check-ins give no forecast, never a guess. Rules, the interval's
measured coverage and worked examples: docs/course-correction.md.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .pace import progress_of
from .series import (
    SAME_MOMENT,
    Direction,
    Floats,
    Ints,
    KeyResultSeries,
    Kind,
    checkins_until,
    subset,
)

MIN_CHECKINS = 3
LEVEL = 0.8
# Pairwise slopes of one batch of key results are held in memory at once; batches
# stay under this many numbers (about 32 MB).
PAIRS_PER_BATCH = 4_000_000

REASON_MILESTONE = "milestone: no forecast"
REASON_NO_TARGET = "no target"
REASON_NO_END = "the cycle has no end date"
REASON_ENDED = "the cycle has ended: the outcome is known"
REASON_ENDED_UNMEASURED = "the cycle ended before any check-in"
REASON_ONE_DAY = "not enough data: every check-in is on the same day"


def not_enough(count: int) -> str:
    noun = "check-in" if count == 1 else "check-ins"
    return f"not enough data: {count} {noun}, {MIN_CHECKINS} needed"


# Reason codes index REASONS; code 0 means a forecast was made.
REASONS: tuple[str, ...] = (
    "",
    REASON_MILESTONE,
    REASON_NO_TARGET,
    REASON_NO_END,
    REASON_ENDED,
    REASON_ENDED_UNMEASURED,
    REASON_ONE_DAY,
    *(not_enough(count) for count in range(MIN_CHECKINS)),
)
_MADE, _MILESTONE, _NO_TARGET, _NO_END, _ENDED, _ENDED_UNMEASURED, _ONE_DAY, _FEW = range(8)


@dataclass(frozen=True)
class Forecasts:
    """Forecasts for many key results; NaN where none was made.

    `enough` is True where a trend forecast was made (reason ""). When the cycle has
    ended, value is the last value at or before the end, low = high = value and
    probability 1.0 or 0.0, with a reason saying the outcome is known.
    """

    value: Floats
    low: Floats
    high: Floats
    probability: Floats
    enough: npt.NDArray[np.bool_]
    reason: tuple[str, ...]
    level: float = LEVEL

    def __len__(self) -> int:
        return int(self.value.shape[0])

    def row(self, i: int) -> Forecast:
        """Key result i's forecast as plain Python numbers (None where NaN)."""
        return Forecast(
            value=_number(self.value[i]),
            low=_number(self.low[i]),
            high=_number(self.high[i]),
            probability=_number(self.probability[i]),
            reason=self.reason[i],
            level=self.level,
        )


@dataclass(frozen=True)
class Forecast:
    """One key result's forecast, with None for the numbers not made."""

    value: float | None
    low: float | None
    high: float | None
    probability: float | None
    reason: str
    level: float = LEVEL

    @property
    def enough(self) -> bool:
        return self.reason == ""


@dataclass(frozen=True)
class _Fit:
    """Per key result: the line y = intercept + slope * (t - t_mean) and what the
    prediction interval needs. NaN (n = 0) where no line was fitted."""

    slope: Floats
    intercept: Floats
    t_mean: Floats
    sxx: Floats
    scale: Floats
    n: Ints
    quantile: Floats

    def predict(self, rows: Ints, day: Floats) -> tuple[Floats, Floats]:
        """(value, scale of the predictive t distribution) at `day` for key results
        `rows`: an OLS prediction interval's widening with the distance from the
        check-ins' mean time."""
        x = day - self.t_mean[rows]
        value = self.intercept[rows] + self.slope[rows] * x
        with np.errstate(divide="ignore", invalid="ignore"):
            spread = self.scale[rows] * np.sqrt(1.0 + 1.0 / self.n[rows] + x * x / self.sxx[rows])
        return value, spread


# --- Student's t ------------------------------------------------------------------

# Up to this many degrees of freedom the CDF is summed exactly; beyond, a normal
# approximation is closer than 1e-5.
EXACT_DF = 400


def t_cdf(t: npt.ArrayLike, df: npt.ArrayLike) -> Floats:
    """P(T <= t) for Student's t with integer `df` degrees of freedom (1 or more).

    Exact finite sums for integer df (Abramowitz and Stegun 26.7.3-4) up to EXACT_DF;
    beyond, the normal approximation of A&S 26.7.8.
    """
    tt, nu = np.broadcast_arrays(np.asarray(t, dtype=np.float64), np.asarray(df, dtype=np.int64))
    out = np.full(tt.shape, np.nan)
    exact = (nu >= 1) & (nu <= EXACT_DF)
    out[exact] = _t_cdf_exact(tt[exact], nu[exact])
    large = nu > EXACT_DF
    if large.any():
        z = tt[large] * (1 - 1 / (4 * nu[large])) / np.sqrt(1 + tt[large] ** 2 / (2 * nu[large]))
        out[large] = normal_cdf(z)
    return out


def _t_cdf_exact(t: Floats, nu: Ints) -> Floats:
    theta = np.arctan(t / np.sqrt(nu))
    sin, cos2 = np.sin(theta), np.cos(theta) ** 2
    even_term = np.ones_like(t)
    even_sum = np.ones_like(t)
    odd_term = np.cos(theta)
    odd_sum = np.where(nu >= 3, odd_term, 0.0)
    for j in range(1, (int(nu.max(initial=0)) - 1) // 2 + 1):
        even_term = even_term * (2 * j - 1) / (2 * j) * cos2
        even_sum += np.where(2 * j <= nu - 2, even_term, 0.0)
        odd_term = odd_term * (2 * j) / (2 * j + 1) * cos2
        odd_sum += np.where(2 * j + 1 <= nu - 2, odd_term, 0.0)
    inside = np.where(nu % 2 == 1, 2 / math.pi * (theta + sin * odd_sum), sin * even_sum)
    result: Floats = 0.5 + 0.5 * inside
    return result


def normal_cdf(z: npt.ArrayLike) -> Floats:
    """Standard normal CDF through erf (A&S 7.1.26, error below 1.5e-7)."""
    x = np.asarray(z, dtype=np.float64) / math.sqrt(2.0)
    a = np.abs(x)
    k = 1.0 / (1.0 + 0.3275911 * a)
    poly = k * (
        0.254829592 + k * (-0.284496736 + k * (1.421413741 + k * (-1.453152027 + k * 1.061405429)))
    )
    erf = np.sign(x) * (1.0 - poly * np.exp(-a * a))
    result: Floats = 0.5 * (1.0 + erf)
    return result


def t_quantile(p: npt.ArrayLike, df: npt.ArrayLike) -> Floats:
    """The t with P(T <= t) = p, for Student's t with integer df, by bisection on
    `t_cdf` (accurate to about 1e-10; a few hundred evaluations, all vectorised)."""
    pp, nu = np.broadcast_arrays(np.asarray(p, dtype=np.float64), np.asarray(df, dtype=np.int64))
    upper = np.abs(pp - 0.5) + 0.5
    low, high = np.zeros(pp.shape), np.ones(pp.shape)
    for _ in range(64):
        short = t_cdf(high, nu) < upper
        if not short.any():
            break
        high = np.where(short, high * 2.0, high)
    for _ in range(100):
        middle = (low + high) / 2.0
        below = t_cdf(middle, nu) < upper
        low, high = np.where(below, middle, low), np.where(below, high, middle)
    quantile = np.where(pp < 0.5, -1.0, 1.0) * (low + high) / 2.0
    quantile = np.where(pp >= 1.0, np.inf, np.where(pp <= 0.0, -np.inf, quantile))
    result: Floats = np.where((nu < 1) | np.isnan(pp), np.nan, quantile)
    return result


@functools.lru_cache(maxsize=512)
def _quantile(p: float, df: int) -> float:
    # A handful of (level, df) pairs recur in every call; bisection costs milliseconds.
    return float(t_quantile(p, df)[()])


# --- forecasts --------------------------------------------------------------------


def usable_counts(series: KeyResultSeries, today: float) -> Ints:
    """Check-ins each key result has at or before `today` and its cycle end (those
    after are ignored)."""
    return checkins_until(series, np.fmin(today, series.cycle_end))


def forecast(series: KeyResultSeries, today: float, level: float = LEVEL) -> Forecasts:
    """Every key result's forecast value at its cycle end, with an interval at
    `level` and the probability of reaching the target (or holding a threshold)."""
    return _forecast(series, today, level)[0]


def _forecast(series: KeyResultSeries, today: float, level: float) -> tuple[Forecasts, _Fit]:
    if not 0.0 < level < 1.0:
        raise ValueError(f"The interval's level must be between 0 and 1, not {level}.")
    used = usable_counts(series, today)
    codes = _reason_codes(series, today, used)
    skip = _before_trend(series, used)
    fit = _fit(series, np.flatnonzero(codes == _MADE), used - skip, level, skip)
    codes = np.where((codes == _MADE) & (fit.n == 0), _ONE_DAY, codes)
    rows = np.arange(len(series))
    value, spread = fit.predict(rows, series.cycle_end)
    made = codes == _MADE
    value = np.where(made, value, np.nan)
    half = np.where(made, fit.quantile * spread, np.nan)
    probability = np.where(made, _probability(series, fit, value, spread), np.nan)
    low, high = value - half, value + half
    ended = codes == _ENDED
    if ended.any():
        outcome = _outcome(series, used)
        value = np.where(ended, outcome, value)
        low, high = np.where(ended, outcome, low), np.where(ended, outcome, high)
        reached = progress_of(series, outcome, clamp=False)
        reached = np.where(np.isnan(reached), np.nan, reached >= 1.0)
        probability = np.where(ended, reached, probability)
        codes = np.where(ended & np.isnan(outcome), _ENDED_UNMEASURED, codes)
    reason = tuple(np.array(REASONS, dtype=object)[codes].tolist())
    return Forecasts(value, low, high, probability, made, reason, level), fit


def _before_trend(series: KeyResultSeries, used: Ints) -> Ints:
    """How many of each key result's first check-ins to leave out of its trend: those
    before its latest pivot, when at least MIN_CHECKINS remain after it."""
    if series.trend_from is None:
        return np.zeros(len(series), dtype=np.int64)
    before = checkins_until(series, series.trend_from - 2 * SAME_MOMENT)
    result: Ints = np.where(used - before >= MIN_CHECKINS, np.minimum(before, used), 0)
    return result


def _reason_codes(series: KeyResultSeries, today: float, used: Ints) -> Ints:
    end = series.cycle_end
    few = _FEW + np.minimum(used, MIN_CHECKINS - 1)
    codes: Ints = np.select(
        [
            series.kind == Kind.MILESTONE,
            np.isnan(series.target_value),
            np.isnan(end),
            today >= end,
            used < MIN_CHECKINS,
        ],
        [_MILESTONE, _NO_TARGET, _NO_END, _ENDED, few],
        _MADE,
    ).astype(np.int64)
    return codes


def _outcome(series: KeyResultSeries, used: Ints) -> Floats:
    """The last value at or before each cycle end; an increase or decrease never
    checked in stands at its start, as goals.scoring has it."""
    last = series.offsets[:-1] + used - 1
    values = series.checkin_value[np.clip(last, 0, None)] if series.checkin_value.size else 0.0
    outcome = np.where(used > 0, values, np.nan)
    measured = (series.kind == Kind.INCREASE) | (series.kind == Kind.DECREASE)
    result: Floats = np.where((used == 0) & measured, series.start_value, outcome)
    return result


def _probability(series: KeyResultSeries, fit: _Fit, value: Floats, spread: Floats) -> Floats:
    """P(end value on the target's side) under the predictive t distribution; 1 or
    0 when the spread is 0 (check-ins on a straight line)."""
    target = series.target_value
    upward = (series.kind == Kind.INCREASE) | (
        (series.kind == Kind.MAINTAIN) & (series.direction == Direction.ABOVE)
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        below = t_cdf((target - value) / spread, np.maximum(fit.n - 2, 1))
    sure = np.where(upward, value >= target, value <= target).astype(np.float64)
    result: Floats = np.where(spread > 0, np.where(upward, 1.0 - below, below), sure)
    return result


def _fit(
    series: KeyResultSeries, rows: Ints, used: Ints, level: float, skip: Ints | None = None
) -> _Fit:
    """Theil-Sen lines for key results `rows` over `used` check-ins each (after the
    first `skip`), batched by check-in count so each batch is one rectangular array."""
    skip = np.zeros(len(series), dtype=np.int64) if skip is None else skip
    n = len(series)
    fit = _Fit(
        slope=np.full(n, np.nan),
        intercept=np.full(n, np.nan),
        t_mean=np.full(n, np.nan),
        sxx=np.full(n, np.nan),
        scale=np.full(n, np.nan),
        n=np.zeros(n, dtype=np.int64),
        quantile=np.full(n, np.nan),
    )
    order = rows[np.argsort(used[rows], kind="stable")]
    counts, starts = np.unique(used[order], return_index=True)
    bounds = [*starts.tolist(), order.size]
    for k, first, last in zip(counts.tolist(), bounds[:-1], bounds[1:], strict=True):
        quantile = _quantile((1.0 + level) / 2.0, k - 2)
        batch = max(1, PAIRS_PER_BATCH // (k * (k - 1) // 2))
        for begin in range(first, last, batch):
            _fit_batch(series, order[begin : min(begin + batch, last)], k, quantile, fit, skip)
    return fit


def _fit_batch(
    series: KeyResultSeries, rows: Ints, k: int, quantile: float, fit: _Fit, skip: Ints
) -> None:
    position = (series.offsets[rows] + skip[rows])[:, None] + np.arange(k)
    t, y = series.checkin_day[position], series.checkin_value[position]
    t_mean = t.mean(axis=1)
    x = t - t_mean[:, None]
    first, second = np.triu_indices(k, 1)
    dx = x[:, second] - x[:, first]
    with np.errstate(divide="ignore", invalid="ignore"):
        slopes = np.where(dx != 0, (y[:, second] - y[:, first]) / dx, np.nan)
    slope = _row_median(slopes)
    intercept = np.median(y - slope[:, None] * x, axis=1)
    residual = y - intercept[:, None] - slope[:, None] * x
    scale = np.sqrt((residual**2).sum(axis=1) / (k - 2))
    # A straight line leaves rounding dust, not noise.
    scale = np.where(scale <= 1e-9 * np.maximum(1.0, np.abs(y).max(axis=1)), 0.0, scale)
    fitted = np.isfinite(slope)
    keep = rows[fitted]
    fit.slope[keep], fit.intercept[keep] = slope[fitted], intercept[fitted]
    fit.t_mean[keep], fit.scale[keep] = t_mean[fitted], scale[fitted]
    fit.sxx[keep] = (x[fitted] ** 2).sum(axis=1)
    fit.n[keep], fit.quantile[keep] = k, quantile


def _row_median(values: Floats) -> Floats:
    """Median of each row, ignoring NaN (NaN for a row of NaN), without warnings."""
    if not np.isnan(values).any():
        median: Floats = np.median(values, axis=1)
        return median
    ordered = np.sort(values, axis=1)  # NaN sort last
    valid = (~np.isnan(values)).sum(axis=1)
    rows = np.arange(values.shape[0])
    low = ordered[rows, np.maximum((valid - 1) // 2, 0)]
    high = ordered[rows, valid // 2]
    result: Floats = np.where(valid > 0, (low + high) / 2.0, np.nan)
    return result


# --- one key result, for its page --------------------------------------------------


def forecast_one(series: KeyResultSeries, i: int, today: float, level: float = LEVEL) -> Forecast:
    """Key result i's forecast; the same numbers as row i of `forecast(series, ...)`."""
    return forecast(subset(series, [i]), today, level).row(0)


def band(
    series: KeyResultSeries, i: int, today: float, level: float = LEVEL, steps: int = 8
) -> list[tuple[float, float, float, float]]:
    """Points (day, low, mid, high) of key result i's projected band, from its last
    check-in used by the forecast to the cycle end (`steps` + 1 points, evenly
    spaced); empty when no forecast was made. The last point equals the forecast."""
    one = subset(series, [i])
    found, fit = _forecast(one, today, level)
    if not found.enough[0]:
        return []
    used = int(usable_counts(one, today)[0])
    last_day = float(one.checkin_day[used - 1])
    days = np.linspace(last_day, float(one.cycle_end[0]), steps + 1)
    mid, spread = fit.predict(np.zeros(days.size, dtype=np.int64), days)
    half = fit.quantile[0] * spread
    return [
        (float(d), float(m - h), float(m), float(m + h))
        for d, m, h in zip(days, mid, half, strict=True)
    ]


def _number(value: float) -> float | None:
    return None if math.isnan(value) else float(value)
