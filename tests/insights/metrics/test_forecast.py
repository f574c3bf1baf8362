"""Forecasts: the trend, its interval, the probability of reaching the target, the
edge cases, and the interval's coverage on simulated key results with a known truth.

Key results here live in a 13-week cycle, days 0 to 91, unless a row says otherwise.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from headway.insights.metrics.forecast import (
    MIN_CHECKINS,
    REASON_ENDED,
    REASON_ENDED_UNMEASURED,
    REASON_MILESTONE,
    REASON_NO_END,
    REASON_NO_TARGET,
    REASON_ONE_DAY,
    band,
    forecast,
    forecast_one,
    normal_cdf,
    not_enough,
    t_cdf,
    t_quantile,
)
from headway.insights.metrics.series import Direction, Kind, build_series
from headway.insights.metrics.series import KeyResultRow as Row

END = 91.0

# Student's t quantiles from the usual printed tables.
QUANTILES = [
    (0.90, 1, 3.0777),
    (0.90, 2, 1.8856),
    (0.90, 3, 1.6377),
    (0.90, 4, 1.5332),
    (0.90, 5, 1.4759),
    (0.90, 10, 1.3722),
    (0.90, 30, 1.3104),
    (0.90, 120, 1.2886),
    (0.95, 7, 1.8946),
    (0.975, 1, 12.7062),
    (0.975, 2, 4.3027),
    (0.975, 5, 2.5706),
    (0.975, 10, 2.2281),
    (0.975, 30, 2.0423),
    (0.995, 4, 4.6041),
    (0.999, 3, 10.2145),
    (0.10, 10, -1.3722),
    (0.50, 6, 0.0),
    (0.90, 1000, 1.2824),  # past EXACT_DF: the normal approximation
]


@pytest.mark.parametrize(
    ("p", "df", "t"), QUANTILES, ids=[f"p{p}-df{df}" for p, df, _ in QUANTILES]
)
def test_t_quantile_matches_the_printed_table(p, df, t):
    assert t_quantile(p, df)[()] == pytest.approx(t, abs=2e-4)


CDFS = [
    (1.0, 1, 0.75),  # Cauchy
    (2.0, 2, 0.5 + 1 / math.sqrt(6)),  # closed form for two degrees of freedom
    (2.0, 5, 0.949030),
    (-1.5, 10, 0.082254),
    (0.0, 7, 0.5),
    (3.0, 3, 0.5 + 1 / 3 + math.sqrt(3) / (4 * math.pi)),  # closed form for three
    (1.959964, 100_000, 0.975),
]


@pytest.mark.parametrize(("t", "df", "p"), CDFS, ids=[f"t{t}-df{df}" for t, df, _ in CDFS])
def test_t_cdf_matches_known_values(t, df, p):
    assert t_cdf(t, df)[()] == pytest.approx(p, abs=1e-5)


def test_t_cdf_undoes_t_quantile_for_every_small_df():
    df = np.arange(1, 60)
    for p in (0.6, 0.8, 0.9, 0.95, 0.99):
        assert np.allclose(t_cdf(t_quantile(p, df), df), p, atol=1e-9)


def test_normal_cdf_matches_known_values():
    assert normal_cdf([0.0, 1.0, -1.6448536, 2.3263479]) == pytest.approx(
        [0.5, 0.8413447, 0.05, 0.99], abs=2e-7
    )


def kr(checkins, **fields):
    return Row(**{"cycle_start": 0.0, "cycle_end": END, "checkins": checkins, **fields})


def weekly(values, first_week=1):
    return [(7.0 * (first_week + n), v) for n, v in enumerate(values)]


def one(row, today=60.0, level=0.8):
    return forecast_one(build_series([row]), 0, today, level)


def test_a_straight_line_is_extended_to_the_cycle_end_with_no_spread():
    found = one(kr(weekly([10, 17, 24, 31])))  # 1 a day from day 7
    assert found.reason == ""
    assert (found.value, found.low, found.high) == pytest.approx((94.0, 94.0, 94.0))
    assert found.probability == 0.0  # target 100 out of reach on this line


def test_a_straight_line_that_reaches_the_target_is_certain():
    found = one(kr(weekly([10, 17, 24, 31]), target=90))
    assert found.probability == 1.0


def test_one_outlier_does_not_bend_the_trend():
    values = [5 + 14.0 * n for n in range(1, 10)]  # 2 a day
    values[4] += 500  # a typo in one check-in
    found = one(kr(weekly(values)), today=70)
    assert found.value == pytest.approx(5 + 2 * END)
    least_squares = np.polyfit([7.0 * n for n in range(1, 10)], values, 1)
    assert abs(np.polyval(least_squares, END) - (5 + 2 * END)) > 50


def test_a_decreasing_key_result_reaches_its_target_by_going_down():
    row = kr(weekly([100, 90, 80, 71, 60]), start=100, target=20, kind=Kind.DECREASE)
    found = one(row, today=40)
    assert found.value < 20
    assert found.probability > 0.9
    assert found.low <= found.value <= found.high


def test_a_forecast_right_on_the_target_is_a_coin_toss():
    found = one(kr(weekly([10, 14, 10, 14, 10, 14]), target=12), today=45)
    assert found.value == pytest.approx(12)
    assert found.probability == pytest.approx(0.5)


def test_a_wider_level_gives_a_wider_interval():
    row = kr(weekly([10, 15, 13, 22, 20]))
    narrow, wide = one(row, level=0.8), one(row, level=0.95)
    assert wide.low < narrow.low < narrow.value < narrow.high < wide.high


def test_the_interval_widens_with_noise():
    calm, noisy = one(kr(weekly([10, 16, 25, 31]))), one(kr(weekly([10, 30, 15, 31])))
    assert noisy.high - noisy.low > calm.high - calm.low > 0


EDGE_CASES = [
    # case, key result, today, reason, value, probability
    ("no check-ins", kr([]), 60, not_enough(0), None, None),
    ("one check-in", kr(weekly([10])), 60, not_enough(1), None, None),
    ("two check-ins", kr(weekly([10, 20])), 60, not_enough(2), None, None),
    (
        "check-ins after today are not known yet",
        kr(weekly([10, 17, 24, 31])),
        20,
        not_enough(2),
        None,
        None,
    ),
    (
        "check-ins before the cycle start count with their time",
        kr([(-7.0, 3), (0.0, 10), (7.0, 17)]),
        10,
        "",
        101.0,
        1.0,
    ),
    (
        "check-ins on one day give no trend",
        kr([(7.0, 1), (7.0, 2), (7.0, 3)]),
        10,
        REASON_ONE_DAY,
        None,
        None,
    ),
    ("milestone", kr(weekly([0, 0, 0]), kind=Kind.MILESTONE), 60, REASON_MILESTONE, None, None),
    ("no target", kr(weekly([1, 2, 3]), target=None), 60, REASON_NO_TARGET, None, None),
    ("no end date", kr(weekly([1, 2, 3]), cycle_end=None), 60, REASON_NO_END, None, None),
    (
        "ended: the last value at or before the end, missed",
        kr([(50.0, 40), (90.0, 70), (95.0, 100)]),
        100,
        REASON_ENDED,
        70.0,
        0.0,
    ),
    ("ended: reached", kr([(50.0, 40), (90.0, 100)]), 91, REASON_ENDED, 100.0, 1.0),
    ("ended without a check-in stands at the start", kr([], start=5), 100, REASON_ENDED, 5.0, 0.0),
    (
        "maintain ended without a check-in",
        kr([], kind=Kind.MAINTAIN, start=None, target=99.5),
        100,
        REASON_ENDED_UNMEASURED,
        None,
        None,
    ),
    (
        "maintain above, drifting down to a breach",
        kr(weekly([99.9, 99.8, 99.7, 99.6]), kind=Kind.MAINTAIN, start=None, target=99.5),
        30,
        "",
        98.7,
        0.0,
    ),
    (
        "maintain below, holding",
        kr(
            weekly([1.0, 1.0, 1.0]),
            kind=Kind.MAINTAIN,
            start=None,
            target=2.0,
            direction=Direction.BELOW,
        ),
        30,
        "",
        1.0,
        1.0,
    ),
]


@pytest.mark.parametrize(
    ("case", "row", "today", "reason", "value", "probability"),
    EDGE_CASES,
    ids=[c[0] for c in EDGE_CASES],
)
def test_forecast_edge_cases(case, row, today, reason, value, probability):
    found = one(row, today=today)
    assert found.reason == reason
    assert found.enough == (reason == "")
    assert found.value == pytest.approx(value)
    assert found.probability == pytest.approx(probability)
    if reason in ("", REASON_ENDED) and found.low is not None and found.high - found.low == 0:
        assert found.low == found.high == found.value


def test_check_ins_after_the_cycle_end_are_ignored():
    before = one(kr(weekly([10, 20, 30, 40])), today=50)
    after = one(kr([*weekly([10, 20, 30, 40]), (95.0, 0), (99.0, 1000)]), today=50)
    assert after == before


def test_fewer_than_the_minimum_never_guess():
    assert MIN_CHECKINS == 3
    rows = [kr(weekly(range(count))) for count in range(MIN_CHECKINS)]
    found = forecast(build_series(rows), 60)
    assert np.isnan(found.value).all() and np.isnan(found.probability).all()
    assert not found.enough.any()


def random_rows(count, seed):
    rng = np.random.default_rng(seed)
    kinds = [Kind.INCREASE, Kind.DECREASE, Kind.MILESTONE, Kind.MAINTAIN]
    rows = []
    for _ in range(count):
        kind = kinds[rng.integers(0, 4)]
        days = np.sort(rng.uniform(-10, 100, rng.integers(0, 13)))
        values = rng.normal(50, 20, days.size)
        if rng.random() < 0.1:
            days[: min(3, days.size)] = 20.0  # same-day check-ins
        rows.append(
            Row(
                kind=kind,
                start=None if kind == Kind.MAINTAIN else 40.0,
                target=None if rng.random() < 0.05 else 80.0,
                cycle_start=0.0,
                cycle_end=None if rng.random() < 0.05 else 91.0,
                checkins=list(zip(days.tolist(), values.tolist(), strict=True)),
                direction=Direction(int(rng.integers(0, 2))),
            )
        )
    return rows


@pytest.mark.parametrize("today", [5.0, 45.5, 91.0, 120.0])
def test_the_forecast_of_many_equals_each_one_alone(today):
    series = build_series(random_rows(300, seed=3))
    together = forecast(series, today)
    for i in range(len(series)):
        alone = forecast_one(series, i, today)
        assert alone.reason == together.reason[i] == together.row(i).reason
        for name in ("value", "low", "high", "probability"):
            mine, theirs = getattr(alone, name), getattr(together, name)[i]
            assert (mine is None and math.isnan(theirs)) or mine == pytest.approx(theirs)


def test_the_band_runs_from_the_last_check_in_to_the_forecast():
    series = build_series([kr(weekly([10, 15, 13, 22, 20]))])
    points = band(series, 0, today=40, steps=4)
    found = forecast_one(series, 0, today=40)
    assert [day for day, *_ in points] == pytest.approx([35, 49, 63, 77, 91])
    assert points[-1][1:] == pytest.approx((found.low, found.value, found.high))
    widths = [high - low for _, low, _, high in points]
    assert widths == sorted(widths)


def test_there_is_no_band_without_a_forecast():
    assert band(build_series([kr(weekly([10, 20]))]), 0, today=40) == []


def simulated_key_results(count, seed):
    """Linear trends with Gaussian noise, 3 to 12 weekly check-ins, and the value
    that will actually be observed at the end (the trend plus fresh noise)."""
    rng = np.random.default_rng(seed)
    rows, truth = [], []
    for _ in range(count):
        checkins = int(rng.integers(3, 13))
        start = rng.uniform(0, 100)
        slope = rng.normal(0, 1.5)  # per day
        noise = rng.uniform(0.5, 10)
        days = 7.0 * np.arange(1, checkins + 1)
        values = start + slope * days + rng.normal(0, noise, checkins)
        target = start + rng.uniform(10, 100)
        rows.append(
            kr(list(zip(days.tolist(), values.tolist(), strict=True)), start=start, target=target)
        )
        truth.append(start + slope * END + rng.normal(0, noise))
    return build_series(rows), np.array(truth)


def test_the_80_percent_interval_holds_the_end_value_about_80_percent_of_the_time():
    series, truth = simulated_key_results(2000, seed=20261129)
    found = forecast(series, today=84.0)  # every forecast made at its last check-in
    assert found.enough.all()
    inside = (found.low <= truth) & (truth <= found.high)
    coverage = inside.mean()
    by_count = {
        int(k): round(float(inside[series.checkin_counts() == k].mean()), 3) for k in range(3, 13)
    }
    print(
        f"80% interval coverage on 2,000 simulated key results: {coverage:.3f}; by check-ins: {by_count}"
    )
    assert 0.75 <= coverage <= 0.85


def test_the_probability_of_reaching_the_target_is_honest_on_simulated_key_results():
    series, truth = simulated_key_results(2000, seed=7)
    found = forecast(series, today=84.0)
    reached = truth >= series.target_value
    # Among key results given p, about p of them reach the target.
    for low, high in ((0.0, 0.2), (0.2, 0.5), (0.5, 0.8), (0.8, 1.0)):
        group = (found.probability >= low) & (found.probability < high)
        assert abs(reached[group].mean() - found.probability[group].mean()) < 0.08


def test_an_interval_level_outside_zero_to_one_is_refused():
    with pytest.raises(ValueError, match="between 0 and 1"):
        forecast(build_series([kr(weekly([1, 2, 3]))]), 30, level=1.0)


def test_after_a_pivot_the_trend_starts_again_from_the_pivot():
    # Flat for three weeks, a pivot on day 21, then 5 points a week: the trend since
    # the pivot forecasts the end; over all check-ins the flat start would drag it down.
    checkins = [(0, 10), (7, 10), (14, 10), (21, 10), (28, 15), (35, 20), (42, 25), (49, 30)]
    since = build_series([Row(checkins=checkins, pivot=21.5)])
    before = build_series([Row(checkins=checkins)])
    after_pivot = forecast(since, 49.0)
    all_along = forecast(before, 49.0)
    assert after_pivot.value[0] == pytest.approx(30 + 5 * (91 - 49) / 7)
    assert all_along.value[0] < after_pivot.value[0] - 5


def test_a_pivot_with_fewer_than_three_check_ins_since_keeps_the_whole_trend():
    checkins = [(0, 10), (7, 12), (14, 14), (21, 16), (28, 30)]
    with_pivot = forecast(build_series([Row(checkins=checkins, pivot=25.0)]), 28.0)
    without = forecast(build_series([Row(checkins=checkins)]), 28.0)
    assert with_pivot.value[0] == pytest.approx(without.value[0])
