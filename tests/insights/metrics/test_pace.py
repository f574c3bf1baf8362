"""Pace and status as tables; docs/course-correction.md walks through the same examples.

Every key result here lives in a 100-day cycle from day 0 (cycle_end = 100) unless a
row says otherwise, so expected progress is simply today / 100.
"""

from __future__ import annotations

import math
from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pytest

from headway.goals.scoring import KeyResultKind, MaintainDirection, Measure, key_result_progress
from headway.insights.metrics.pace import (
    STATUSES,
    Status,
    Thresholds,
    expected_one,
    expected_progress,
    milestone_due,
    progress_of,
    status_codes,
    status_one,
    statuses,
)
from headway.insights.metrics.series import Direction, Kind, build_series, subset
from headway.insights.metrics.series import KeyResultRow as Row

NAN = math.nan


def row(**fields):
    return Row(**{"cycle_start": 0.0, "cycle_end": 100.0, **fields})


EXPECTED_CASES = [
    # case, key result, today, expected progress
    ("linear before the cycle starts", row(), -5, 0.0),
    ("linear on the first day", row(), 0, 0.0),
    ("linear a quarter in", row(), 25, 0.25),
    ("linear halfway", row(), 50, 0.5),
    ("linear at the end", row(), 100, 1.0),
    ("linear after the end", row(), 130, 1.0),
    ("decrease runs the same clock", row(start=50, target=10), 40, 0.4),
    (
        "plan: from the start value to the first point",
        row(plan=[(30, 10), (100, 100)]),
        15,
        0.05,
    ),
    ("plan: on a point", row(plan=[(30, 10), (100, 100)]), 30, 0.10),
    ("plan: between points", row(plan=[(30, 10), (100, 100)]), 65, 0.55),
    ("plan: holds after the last point", row(plan=[(30, 10), (60, 80)]), 90, 0.80),
    ("plan: before the cycle it stands at the start", row(plan=[(30, 10)]), -3, 0.0),
    (
        "plan: a point before the cycle start is interpolated from",
        row(plan=[(-10, 20), (50, 60)]),
        0,
        (20 + 40 * 10 / 60) / 100,
    ),
    ("plan on a decrease", row(start=50, target=10, plan=[(50, 40)]), 25, 0.125),
    ("plan beyond the target is capped", row(plan=[(50, 120)]), 60, 1.0),
    ("plan without an end date", row(cycle_end=None, plan=[(50, 50)]), 25, 0.25),
    ("no end date and no plan", row(cycle_end=None), 25, NAN),
    ("no target", row(target=None), 25, NAN),
    ("no start", row(start=None), 25, NAN),
    ("start equals target", row(start=5, target=5), 25, NAN),
    ("milestone before the cycle end", row(kind=Kind.MILESTONE), 99.9, 0.0),
    ("milestone from the cycle end", row(kind=Kind.MILESTONE), 100, 1.0),
    (
        "milestone with a plan: before the end of its day",
        row(kind=Kind.MILESTONE, plan=[(40, 1)]),
        40.5,
        0.0,
    ),
    ("milestone with a plan: due after its day", row(kind=Kind.MILESTONE, plan=[(40, 1)]), 41, 1.0),
    ("milestone without an end date", row(kind=Kind.MILESTONE, cycle_end=None), 50, NAN),
    ("maintain holds all along", row(kind=Kind.MAINTAIN, start=None, target=99.5), 10, 1.0),
    (
        "maintain without an end date",
        row(kind=Kind.MAINTAIN, start=None, target=99.5, cycle_end=None),
        10,
        1.0,
    ),
]


@pytest.mark.parametrize(
    ("case", "kr", "today", "expected"), EXPECTED_CASES, ids=[c[0] for c in EXPECTED_CASES]
)
def test_expected_progress(case, kr, today, expected):
    got = expected_progress(build_series([kr]), today)[0]
    assert got == pytest.approx(expected, nan_ok=True)


def test_expected_progress_of_many_equals_each_one_alone():
    rows = [case[1] for case in EXPECTED_CASES]
    series = build_series(rows)
    for today in (-5, 0, 15, 40.5, 65, 100, 130):
        together = expected_progress(series, today)
        for i in range(len(rows)):
            alone = expected_one(series, i, today)
            assert (alone is None and math.isnan(together[i])) or alone == pytest.approx(
                together[i]
            )


def test_a_milestone_is_due_at_the_end_of_its_planned_day_or_at_the_cycle_end():
    series = build_series(
        [row(kind=Kind.MILESTONE, plan=[(20, 0), (40, 1)]), row(kind=Kind.MILESTONE)]
    )
    assert milestone_due(series).tolist() == [41.0, 100.0]


def checked(value, kind=Kind.INCREASE, day=1.0, **fields):
    """A key result whose latest check-in is `value` (on day 1 unless said)."""
    return row(kind=kind, checkins=[] if value is None else [(day, value, 5)], **fields)


STATUS_CASES = [
    # case, key result, today, status
    ("at pace", checked(50), 50, Status.ON_TRACK),
    ("ahead of pace", checked(90), 50, Status.ON_TRACK),
    ("exactly at_risk_gap behind is still on track", checked(35), 45, Status.ON_TRACK),
    ("just over at_risk_gap behind", checked(34), 45, Status.AT_RISK),
    ("exactly off_track_gap behind is at risk", checked(35), 60, Status.AT_RISK),
    ("just over off_track_gap behind", checked(34), 60, Status.OFF_TRACK),
    ("no check-in yet, early on", checked(None), 5, Status.ON_TRACK),
    ("no check-in yet, half way", checked(None), 50, Status.OFF_TRACK),
    ("decrease a quarter behind", checked(40, start=50, target=10), 50, Status.AT_RISK),
    ("after the end, short of the target", checked(80), 120, Status.AT_RISK),
    ("before the cycle starts", checked(0), -1, Status.NOT_STARTED),
    ("no end date", checked(10, cycle_end=None), 50, Status.NO_PACE),
    ("no target", checked(10, target=None), 50, Status.NO_PACE),
    ("milestone done", checked(1, Kind.MILESTONE), 100, Status.ON_TRACK),
    ("milestone not done, early", checked(0, Kind.MILESTONE), 50, Status.ON_TRACK),
    ("milestone not done, last tenth before due", checked(0, Kind.MILESTONE), 90, Status.AT_RISK),
    ("milestone not done, past due", checked(0, Kind.MILESTONE), 100, Status.OFF_TRACK),
    (
        "milestone due by plan, past due",
        checked(0, Kind.MILESTONE, plan=[(40, 1)]),
        41,
        Status.OFF_TRACK,
    ),
    (
        "milestone due by plan, on its day",
        checked(0, Kind.MILESTONE, plan=[(40, 1)]),
        40,
        Status.AT_RISK,
    ),
    (
        "milestone without any due date",
        checked(0, Kind.MILESTONE, cycle_end=None),
        50,
        Status.NO_PACE,
    ),
    ("maintain held", checked(99.7, Kind.MAINTAIN, start=None, target=99.5), 50, Status.ON_TRACK),
    (
        "maintain breached",
        checked(99.1, Kind.MAINTAIN, start=None, target=99.5),
        50,
        Status.OFF_TRACK,
    ),
    (
        "maintain below, held",
        checked(1.2, Kind.MAINTAIN, start=None, target=2.0, direction=Direction.BELOW),
        50,
        Status.ON_TRACK,
    ),
    (
        "maintain not measured yet",
        checked(None, Kind.MAINTAIN, start=None, target=99.5),
        50,
        Status.NO_PACE,
    ),
]


@pytest.mark.parametrize(
    ("case", "kr", "today", "status"), STATUS_CASES, ids=[c[0] for c in STATUS_CASES]
)
def test_status(case, kr, today, status):
    # Checked in on the day the status is read, unless the case is about time passing.
    kr = replace(kr, checkins=[(today, value, c) for _, value, c in kr.checkins])
    series = build_series([kr])
    codes = status_codes(series, expected_progress(series, today), Thresholds(), today)
    assert STATUSES[codes[0]] == status
    assert status_one(series, 0, today) == status


def test_a_key_result_is_held_against_the_pace_of_its_latest_check_in():
    # On pace when checked in on day 40; two weeks later, with no newer check-in, it
    # is still on track (staleness is the overdue rule's business, not the pace's).
    series = build_series([checked(44, day=40.0)])
    assert expected_progress(series, 54)[0] == pytest.approx(0.40)
    codes = status_codes(series, expected_progress(series, 54), Thresholds(), 54)
    assert STATUSES[codes[0]] == Status.ON_TRACK


def test_a_milestone_is_judged_on_the_day_whatever_its_check_ins():
    series = build_series([checked(0, Kind.MILESTONE, day=10.0)])
    assert expected_progress(series, 101)[0] == 1.0


def test_the_organisation_thresholds_move_the_lines():
    series = build_series([checked(40, day=50.0)])
    strict = Thresholds(at_risk_gap=0.05, off_track_gap=0.08)
    codes = status_codes(series, expected_progress(series, 50), strict, 50)
    assert statuses(codes) == [Status.OFF_TRACK]


def test_thresholds_are_read_from_an_organisation_like_object():
    organisation = SimpleNamespace(
        at_risk_gap=0.2, off_track_gap=0.4, watermelon_confidence=8, stall_checkins=4, name="Acme"
    )
    thresholds = Thresholds.from_settings(organisation)
    assert (thresholds.at_risk_gap, thresholds.off_track_gap) == (0.2, 0.4)
    assert (thresholds.watermelon_confidence, thresholds.stall_checkins) == (8, 4)
    assert thresholds.stall_weeks == Thresholds().stall_weeks


def test_status_codes_index_the_statuses_in_a_fixed_order():
    assert [s.value for s in STATUSES] == [
        "on_track",
        "at_risk",
        "off_track",
        "not_started",
        "no_pace",
    ]


PROGRESS_CASES = [
    (Kind.INCREASE, Direction.ABOVE, 20, 60, 40),
    (Kind.INCREASE, Direction.ABOVE, 20, 60, 72),
    (Kind.INCREASE, Direction.ABOVE, 20, 60, 10),
    (Kind.DECREASE, Direction.ABOVE, 48, 24, 36),
    (Kind.DECREASE, Direction.ABOVE, 48, 24, 60),
    (Kind.INCREASE, Direction.ABOVE, -10, 10, 0),
    (Kind.MILESTONE, Direction.ABOVE, None, None, 1),
    (Kind.MILESTONE, Direction.ABOVE, None, None, 0),
    (Kind.MAINTAIN, Direction.ABOVE, None, 99.5, 99.5),
    (Kind.MAINTAIN, Direction.ABOVE, None, 99.5, 99.1),
    (Kind.MAINTAIN, Direction.BELOW, None, 2.0, 1.2),
    (Kind.MAINTAIN, Direction.BELOW, None, 2.0, 2.4),
]


@pytest.mark.parametrize(("kind", "direction", "start", "target", "value"), PROGRESS_CASES)
def test_progress_of_follows_the_scoring_rules(kind, direction, start, target, value):
    series = build_series([row(kind=kind, direction=direction, start=start, target=target)])
    measure = Measure(
        KeyResultKind[kind.name], start, target, value, MaintainDirection[direction.name]
    )
    scored = key_result_progress(measure)
    values = np.array([value], dtype=float)
    assert progress_of(series, values)[0] == pytest.approx(scored.value)
    assert progress_of(series, values, clamp=False)[0] == pytest.approx(scored.raw)


def test_a_subset_keeps_each_key_results_checkins_and_plan():
    series = build_series(
        [
            row(checkins=[(1, 1), (2, 2)]),
            row(checkins=[(3, 3)], plan=[(50, 50)]),
            row(checkins=[(4, 4), (5, 5), (6, 6)]),
        ]
    )
    picked = subset(series, [2, 1])
    assert picked.ids.tolist() == [3, 2]
    assert picked.offsets.tolist() == [0, 3, 4]
    assert picked.checkin_value.tolist() == [4, 5, 6, 3]
    assert list(picked.plan_days) == [1]
