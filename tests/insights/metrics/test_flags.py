"""Flags as tables: what raises a stall, an overdue check-in or a watermelon, and what
does not. docs/course-correction.md walks through the same examples.

Key results here live in a 13-week cycle (days 0 to 91) and are looked at on day 56,
when 56/91 = 62% of the way is expected; target 100 from 0 unless a row says otherwise.
"""

from __future__ import annotations

import json

import pytest

from headway.insights.metrics.flags import OVERDUE, STALL, WATERMELON, detect
from headway.insights.metrics.forecast import forecast
from headway.insights.metrics.pace import Thresholds, expected_progress
from headway.insights.metrics.series import Direction, Kind, build_series
from headway.insights.metrics.series import KeyResultRow as Row

TODAY = 56.0


def kr(checkins, confidence=5, **fields):
    """A key result with (day, value) check-ins, all at `confidence`."""
    rows = [(day, value, confidence) for day, value in checkins]
    return Row(**{"cycle_start": 0.0, "cycle_end": 91.0, "checkins": rows, **fields})


def found(row, kind, today=TODAY, thresholds=None, scale=10):
    series = build_series([row], confidence_scale=scale)
    return [f for f in detect(series, today, thresholds or Thresholds()) if f.kind == kind]


STALL_CASES = [
    # case, key result, reason (None: no stall)
    (
        "flat for three check-ins while behind pace",
        kr([(35, 30), (42, 30), (49, 30), (56, 30)]),
        "No movement in 3 check-ins over 2 weeks; 30% done, 62% expected.",
    ),
    (
        "creeping by less than 5% of the way still to go",
        kr([(42, 30), (49, 31), (56, 32)]),
        "Only 3% of the way still to go covered in 3 check-ins over 2 weeks; 32% done, 62% expected.",
    ),
    (
        "sliding back",
        kr([(42, 40), (49, 35), (56, 30)]),
        "Moved away from the target in 3 check-ins over 2 weeks; 30% done, 62% expected.",
    ),
    (
        "a decrease flat while behind",
        kr([(42, 80), (49, 80), (56, 80)], start=100, target=20, kind=Kind.DECREASE),
        "No movement in 3 check-ins over 2 weeks; 25% done, 62% expected.",
    ),
    (
        "flat for four weeks with too few check-ins to count",
        kr([(28, 30), (56, 30.5)]),
        "Only 1% of the way still to go covered in 2 check-ins over 4 weeks; 30% done, 62% expected.",
    ),
    ("moving well while behind", kr([(28, 20), (42, 30), (49, 34), (56, 38)]), None),
    ("flat but on pace", kr([(42, 62), (49, 62), (56, 62)]), None),
    ("flat after reaching the target", kr([(42, 100), (49, 100), (56, 100)], target=90), None),
    ("only two check-ins, both recent", kr([(49, 30), (56, 30)]), None),
    ("silent since the window began: overdue, not stalled", kr([(20, 30), (30, 30)]), None),
    ("a milestone not moving", kr([(42, 0), (49, 0), (56, 0)], kind=Kind.MILESTONE), None),
    (
        "a maintain key result holding still",
        kr([(42, 99), (49, 99), (56, 99)], kind=Kind.MAINTAIN, start=None, target=99.5),
        None,
    ),
    ("flat in a cycle that has ended", kr([(42, 30), (49, 30), (56, 30)], cycle_end=56), None),
    (
        "flat before the cycle starts",
        kr([(42, 30), (49, 30), (56, 30)], cycle_start=60, cycle_end=150),
        None,
    ),
    ("no pace without an end date", kr([(42, 30), (49, 30), (56, 30)], cycle_end=None), None),
]


@pytest.mark.parametrize(("case", "row", "reason"), STALL_CASES, ids=[c[0] for c in STALL_CASES])
def test_stall(case, row, reason):
    stalls = found(row, STALL)
    assert [f.reason for f in stalls] == ([] if reason is None else [reason])


def test_a_stall_window_follows_the_organisation_settings():
    row = kr([(35, 30), (42, 30), (49, 31), (56, 40)])  # moved 10 in the last two weeks
    assert found(row, STALL) == []
    lenient = Thresholds(stall_min_move=0.2)  # 10 of 70 to go is under 20%
    assert found(row, STALL, thresholds=lenient)[0].facts["rule"] == "checkins"


def test_a_stall_says_its_numbers_in_its_facts():
    (stall,) = found(kr([(35, 30), (42, 30), (49, 30), (56, 30)]), STALL)
    assert stall.facts == {
        "rule": "checkins",
        "checkins": 3,
        "days": 14.0,
        "moved_share": 0.0,
        "min_move": 0.05,
        "progress": 0.3,
        "expected": round(56 / 91, 4),
        "status": "off_track",
    }
    assert stall.severity == pytest.approx(56 / 91 - 0.3, abs=1e-4)


OVERDUE_CASES = [
    # case, key result, today, reason (None: not overdue)
    (
        "eleven days since the last check-in",
        kr([(45, 50)]),
        56,
        "No check-in for 11 days (due every 7 days).",
    ),
    ("exactly cadence plus grace", kr([(46, 50)]), 56, None),
    (
        "no check-in yet, eleven days into the cycle",
        kr([], cycle_start=45, cycle_end=136),
        56,
        "No check-in yet, 11 days into the cycle (due every 7 days).",
    ),
    ("no check-in yet, eight days in", kr([]), 8, None),
    ("a check-in before the cycle counts from the start", kr([(-20, 5)]), 8, None),
    (
        "a milestone not done",
        kr([(30, 0)], kind=Kind.MILESTONE),
        56,
        "No check-in for 26 days (due every 7 days).",
    ),
    ("a milestone done", kr([(30, 1)], kind=Kind.MILESTONE), 56, None),
    ("a key result that reached its target", kr([(30, 100)]), 56, None),
    (
        "a maintain key result holding must keep checking in",
        kr([(30, 99.9)], kind=Kind.MAINTAIN, start=None, target=99.5),
        56,
        "No check-in for 26 days (due every 7 days).",
    ),
    ("a cycle that has ended", kr([(30, 50)]), 95, None),
    ("a cycle that has not started", kr([], cycle_start=60, cycle_end=150), 56, None),
    (
        "a cycle without an end is never over",
        kr([(30, 50)], cycle_end=None),
        400,
        "No check-in for 370 days (due every 7 days).",
    ),
]


@pytest.mark.parametrize(
    ("case", "row", "today", "reason"), OVERDUE_CASES, ids=[c[0] for c in OVERDUE_CASES]
)
def test_overdue(case, row, today, reason):
    overdue = found(row, OVERDUE, today=today)
    assert [f.reason for f in overdue] == ([] if reason is None else [reason])


def test_the_grace_days_are_the_organisations():
    row = kr([(48, 50)])
    assert found(row, OVERDUE) == []
    assert found(row, OVERDUE, thresholds=Thresholds(overdue_grace_days=0))[0].facts == {
        "days_since": 8,
        "cadence_days": 7,
        "grace_days": 0,
        "checked_in": 1,
    }


def test_the_longer_the_silence_the_more_severe():
    late, later = found(kr([(45, 50)]), OVERDUE), found(kr([(20, 50)]), OVERDUE)
    assert 0 < late[0].severity < later[0].severity < 1


WATERMELON_CASES = [
    # case, key result, confidence scale, reason (None: no watermelon)
    (
        "confident but off track",
        kr([(42, 20), (49, 20), (56, 20)], confidence=8),
        10,
        "Confidence 8/10 but 20% done where 62% is expected; forecast 20% (80% interval 20% to 20%), 0% chance of reaching the target.",
    ),
    (
        "confident, only at risk, but forecast to miss",
        kr([(35, 30), (42, 40), (49, 45), (56, 50)], confidence=9),
        10,
        "Confidence 9/10 but 50% done where 62% is expected; forecast 80% (80% interval 66% to 93%), 5% chance of reaching the target.",
    ),
    (
        "confident on a milestone past due",
        kr([(42, 0)], kind=Kind.MILESTONE, plan=[(40, 1)], confidence=9),
        10,
        "Confidence 9/10 but the milestone is not done and past due.",
    ),
    (
        "confident on a breached threshold",
        kr([(56, 98.0)], kind=Kind.MAINTAIN, start=None, target=99.5, confidence=7),
        10,
        "Confidence 7/10 but 98 breaks the threshold of 99.5.",
    ),
    (
        "on a five-point scale, 4 is 80%",
        kr([(56, 20)], confidence=4),
        5,
        "Confidence 4/5 but 20% done where 62% is expected.",
    ),
    ("on a five-point scale, 3 is 60%", kr([(56, 20)], confidence=3), 5, None),
    ("worried and off track is honest", kr([(42, 20), (49, 20), (56, 20)], confidence=3), 10, None),
    ("confident and on pace", kr([(42, 50), (49, 58), (56, 64)], confidence=9), 10, None),
    (
        "confident, at risk, with a forecast that makes it",
        kr([(35, 30), (42, 40), (49, 50), (56, 51)], confidence=9, target=75),
        10,
        None,
    ),
    (
        "confident on a held threshold",
        kr([(56, 99.9)], kind=Kind.MAINTAIN, start=None, target=99.5, confidence=9),
        10,
        None,
    ),
    (
        "confident and off track in a closed cycle",
        kr([(42, 20), (49, 20), (56, 20)], confidence=9, cycle_end=56),
        10,
        None,
    ),
]


@pytest.mark.parametrize(
    ("case", "row", "scale", "reason"), WATERMELON_CASES, ids=[c[0] for c in WATERMELON_CASES]
)
def test_watermelon(case, row, scale, reason):
    melons = found(row, WATERMELON, scale=scale)
    assert [f.reason for f in melons] == ([] if reason is None else [reason])


def test_a_watermelon_on_a_maintain_key_result_forecasts_its_value():
    row = kr(
        [(35, 1.0), (42, 1.4), (49, 1.7), (56, 2.1)],
        kind=Kind.MAINTAIN,
        start=None,
        target=2.0,
        direction=Direction.BELOW,
        confidence=8,
    )
    (melon,) = found(row, WATERMELON)
    assert melon.reason.startswith("Confidence 8/10 but 2.1 breaks the threshold of 2;")
    assert "chance of holding" in melon.reason
    assert melon.facts["probability"] < 0.2


def test_a_watermelon_is_more_severe_with_more_confidence_and_a_bigger_gap():
    checkins = [(42, 20), (49, 20), (56, 20)]
    mild = found(kr([(42, 40), (49, 40), (56, 40)], confidence=7), WATERMELON)
    bold = found(kr(checkins, confidence=10), WATERMELON)
    assert 0 < mild[0].severity < bold[0].severity <= 1


def organisation():
    return build_series(
        [
            kr([(35, 30), (42, 30), (49, 30), (56, 30)], confidence=9),  # stall + watermelon
            kr([(20, 50)]),  # overdue
            kr([(42, 50), (49, 58), (56, 64)]),  # fine
            kr([], kind=Kind.MILESTONE),  # overdue: never checked in
        ]
    )


def test_findings_come_most_severe_first_with_their_key_result():
    findings = detect(organisation(), TODAY, Thresholds())
    assert [(f.key_result_id, f.kind) for f in findings] == [
        (1, WATERMELON),
        (4, OVERDUE),
        (2, OVERDUE),
        (1, STALL),
    ]
    assert [f.severity for f in findings] == sorted((f.severity for f in findings), reverse=True)
    assert [f.index for f in findings] == [0, 3, 1, 0]


def test_findings_are_ready_for_json():
    for finding in detect(organisation(), TODAY, Thresholds()):
        json.dumps(finding.facts, allow_nan=False)
        assert 0 <= finding.severity <= 1
        assert len(finding.reason) <= 300


def test_detect_gives_the_same_answer_with_pace_and_forecast_handed_in():
    series = organisation()
    handed = detect(
        series,
        TODAY,
        Thresholds(),
        expected=expected_progress(series, TODAY),
        forecasts=forecast(series, TODAY),
    )
    assert handed == detect(series, TODAY)


def test_check_ins_after_today_are_not_known_yet():
    # The stored progress is the latest (45%: still behind), but the check-in on day
    # 70 has not happened yet on day 56.5, so the measure is flat until then.
    row = kr([(35, 30), (42, 30), (49, 30), (56, 30), (70, 45)])
    assert found(row, STALL, today=70.5) == []
    assert [f.kind for f in found(row, STALL, today=56.5)] == [STALL]


def test_an_organisation_without_key_results_or_check_ins_has_no_flags_to_raise():
    assert detect(build_series([]), TODAY) == []
    never = build_series([kr([]), kr([], kind=Kind.MAINTAIN, start=None, target=1.0)])
    assert {f.kind for f in detect(never, TODAY)} == {OVERDUE}


def test_a_confident_near_miss_is_not_a_watermelon():
    # Steady, a little behind a linear pace: forecast 92% of the way on a straight
    # line, so the chance of the full target is nil but the end is close.
    row = kr([(35, 36), (42, 43), (49, 50), (56, 57)], confidence=8)
    series = build_series([row])
    assert forecast(series, TODAY).value[0] == pytest.approx(92.0)
    assert found(row, WATERMELON) == []
