"""Adoption and maturity as tables: shares with their "not enough data", success
criteria against the figures, and the maturity ladder. No database."""

from __future__ import annotations

from dataclasses import replace

import pytest

from headway.insights.metrics.adoption import (
    CALIBRATED,
    METRICS,
    NOT_ENOUGH,
    Adoption,
    Facts,
    adoption,
    criterion_status,
    maturity,
    percent,
)
from headway.rollout.models import Metric

# A team at stage 4 in a running cycle: OKRs, 8 of 10 check-in weeks, 3 of 4 key results
# outcomes, 3 of 4 objectives reach strategy, a pivot.
STAGE_4 = Facts(
    teams=1,
    teams_with_okrs=1,
    people=4,
    people_with_okrs=3,
    objectives=4,
    aligned_objectives=3,
    key_results=4,
    outcome_key_results=3,
    classified_key_results=4,
    checkin_weeks_due=10,
    checkin_weeks_done=8,
    pivots=1,
    learnings=1,
)


def figures(**changes: object) -> Adoption:
    return adoption(replace(STAGE_4, **changes))


def test_the_metrics_are_those_a_rollout_criterion_can_name() -> None:
    assert set(METRICS) == set(Metric.values)


# --- shares -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "share", "expected"),
    [
        ({}, "teams_with_okrs", 1.0),
        ({"teams": 4, "teams_with_okrs": 1}, "teams_with_okrs", 0.25),
        ({"teams": 0, "teams_with_okrs": 0}, "teams_with_okrs", None),
        ({}, "people_with_okrs", 0.75),
        ({"people": 0, "people_with_okrs": 0}, "people_with_okrs", None),
        ({}, "checkin_rate", 0.8),
        # Two weeks due per key result on average: 8 for 4 key results is enough ...
        ({"checkin_weeks_due": 8, "checkin_weeks_done": 2}, "checkin_rate", 0.25),
        # ... 7 is not (one week in, or one key result added late).
        ({"checkin_weeks_due": 7, "checkin_weeks_done": 7}, "checkin_rate", None),
        ({"key_results": 0, "checkin_weeks_due": 0, "checkin_weeks_done": 0}, "checkin_rate", None),
        ({}, "outcome_share", 0.75),
        ({"classified_key_results": 2, "outcome_key_results": 1}, "outcome_share", 0.5),
        ({"classified_key_results": 1, "outcome_key_results": 1}, "outcome_share", None),
        ({"classified_key_results": 0, "outcome_key_results": 0}, "outcome_share", None),
        ({}, "aligned_share", 0.75),
        ({"objectives": 1, "aligned_objectives": 0}, "aligned_share", 0.0),
        ({"objectives": 0, "aligned_objectives": 0}, "aligned_share", None),
    ],
)
def test_a_share_is_a_fraction_or_none_without_enough_data(
    changes: dict[str, int], share: str, expected: float | None
) -> None:
    assert getattr(figures(**changes), share) == expected


def test_counts_and_the_verdict_pass_through() -> None:
    found = figures(pivots=2, learnings=5, calibration="optimistic")
    assert (found.pivots, found.learnings, found.calibration) == (2, 5, "optimistic")
    assert found.facts.pivots == 2


def test_facts_of_disjoint_groups_add_up() -> None:
    one = Facts(
        teams=1, teams_with_okrs=1, people=2, objectives=3, pivots=1, calibration="calibrated"
    )
    two = Facts(teams=2, people=5, objectives=1, learnings=4, calibration="calibrated")
    both = one + two
    assert (both.teams, both.teams_with_okrs, both.people, both.objectives) == (3, 1, 7, 4)
    assert (both.pivots, both.learnings, both.calibration) == (1, 4, "calibrated")
    assert (one + replace(two, calibration="optimistic")).calibration is None
    assert (one + replace(two, calibration=None)).calibration is None
    assert Facts() + Facts() == Facts()


def test_a_share_in_words_is_rounded_down_so_60_percent_means_at_least_60() -> None:
    assert [percent(x) for x in (0.599, 0.6, 0.29, 0.7, 1.0, 0.0)] == [
        "59%",
        "60%",
        "29%",
        "70%",
        "100%",
        "0%",
    ]


# --- success criteria ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("metric", "threshold", "changes", "value", "met", "reason"),
    [
        (
            "checkin_rate",
            0.8,
            {},
            0.8,
            True,
            "80% of weekly check-ins done, 8 of 10 (target 80%)",
        ),
        (
            "checkin_rate",
            0.81,
            {},
            0.8,
            False,
            "80% of weekly check-ins done, 8 of 10 (target 81%)",
        ),
        (
            "checkin_rate",
            0.5,
            {"checkin_weeks_due": 4, "checkin_weeks_done": 4},
            None,
            None,
            "not enough data: 4 check-in weeks due over 4 key results, needs 8 (2 weeks each)",
        ),
        (
            "outcome_share",
            0.5,
            {},
            0.75,
            True,
            "75% of key results read as outcomes, 3 of 4 (target 50%)",
        ),
        (
            "outcome_share",
            0.5,
            {"classified_key_results": 1, "outcome_key_results": 1},
            None,
            None,
            "not enough data: 1 key result read by the coach, needs 2",
        ),
        (
            "aligned_share",
            0.75,
            {},
            0.75,
            True,
            "75% of objectives reach strategy, 3 of 4 (target 75%)",
        ),
        (
            "aligned_share",
            0.5,
            {"objectives": 0, "aligned_objectives": 0},
            None,
            None,
            "not enough data: no objectives yet (drafts aside)",
        ),
        (
            "people_with_okrs",
            0.8,
            {},
            0.75,
            False,
            "75% of people own an objective or key result, 3 of 4 (target 80%)",
        ),
        (
            "teams_with_okrs",
            1.0,
            {"teams": 3, "teams_with_okrs": 2},
            2 / 3,
            False,
            "66% of teams have OKRs, 2 of 3 (target 100%)",
        ),
        ("pivots", 1, {}, 1, True, "1 pivot recorded (target 1)"),
        ("pivots", 2, {}, 1, False, "1 pivot recorded (target 2)"),
        ("learnings", 3, {"learnings": 3}, 3, True, "3 learnings recorded (target 3)"),
        (
            "learnings",
            1,
            {"objectives": 0},
            None,
            None,
            "not enough data: no objectives yet (drafts aside)",
        ),
        (
            "calibration",
            0,
            {"calibration": "calibrated"},
            "calibrated",
            True,
            "confidence calibrated at the close",
        ),
        (
            "calibration",
            0,
            {"calibration": "sandbagging"},
            "sandbagging",
            False,
            "confidence sandbagging at the close (target calibrated)",
        ),
        (
            "calibration",
            0,
            {"calibration": None},
            None,
            None,
            "not enough data: calibration is computed when the cycle closes",
        ),
        (
            "calibration",
            0,
            {"calibration": NOT_ENOUGH},
            NOT_ENOUGH,
            None,
            "not enough data: too few key results with check-ins to calibrate (at least 3; "
            "a group of teams also needs 2 owners and 2 teams)",
        ),
    ],
)
def test_a_criterion_is_met_not_met_or_not_measurable_yet(
    metric: str,
    threshold: float,
    changes: dict[str, object],
    value: object,
    met: bool | None,
    reason: str,
) -> None:
    status = criterion_status(metric, threshold, figures(**changes))
    assert (status.metric, status.threshold) == (metric, threshold)
    assert (
        status.value == pytest.approx(value) if isinstance(value, float) else status.value == value
    )
    assert status.met is met
    assert status.reason == reason


def test_not_enough_data_is_never_a_pass_even_at_a_zero_threshold() -> None:
    empty = adoption(Facts())
    for metric in METRICS:
        status = criterion_status(metric, 0, empty)
        assert status.met is None, metric
        assert status.reason.startswith("not enough data: "), metric


def test_a_share_just_under_its_threshold_by_float_noise_is_met() -> None:
    # 7 of 10 is 0.7 exactly on paper; 0.1 * 7 is 0.7000000000000001 in binary.
    status = criterion_status("checkin_rate", 0.1 * 7, figures(checkin_weeks_done=7))
    assert status.met is True


def test_an_unknown_metric_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match="checkin_rate"):
        criterion_status("happiness", 1, figures())


# --- maturity -----------------------------------------------------------------------------

RUNNING_4 = adoption(STAGE_4)
CLOSED_4 = adoption(replace(STAGE_4, calibration=CALIBRATED))


@pytest.mark.parametrize(
    ("changes", "number", "name", "missing"),
    [
        (
            {"teams_with_okrs": 0, "key_results": 0, "checkin_weeks_due": 0},
            0,
            "Not started",
            ["an objective (not a draft) with at least one active key result"],
        ),
        (
            {"checkin_weeks_done": 4},
            1,
            "Starting",
            ["check-in rate 40%, needs 60%"],
        ),
        (
            {"checkin_weeks_due": 6},
            1,
            "Starting",
            [
                "check-in rate needs 60%: not enough data yet (6 check-in weeks due over "
                "4 key results, needs 8 (2 weeks each))"
            ],
        ),
        (
            {"checkin_weeks_done": 6, "outcome_key_results": 1},
            2,
            "Rhythm",
            ["check-in rate 60%, needs 70%", "outcome share 25%, needs 50%"],
        ),
        (
            {"classified_key_results": 1, "outcome_key_results": 1},
            2,
            "Rhythm",
            [
                "outcome share needs 50%: not enough data yet (1 key result read by the coach, needs 2)"
            ],
        ),
        (
            {"aligned_objectives": 2, "pivots": 0, "learnings": 0},
            3,
            "Outcomes",
            ["aligned 50%, needs 70%", "pivots or learnings recorded: none, needs 1"],
        ),
        (
            {"pivots": 0, "learnings": 1},  # a retrospective's learning is enough
            4,
            "Aligned and adapting",
            [
                "stage-4 figures in the previous cycle too (there is none yet)",
                "confidence calibrated at a cycle close (neither cycle is closed yet)",
            ],
        ),
    ],
)
def test_one_cycle_places_a_team_on_the_ladder_and_says_what_the_next_stage_needs(
    changes: dict[str, int], number: int, name: str, missing: list[str]
) -> None:
    stage = maturity([figures(**changes)])
    assert (stage.number, stage.name, stage.missing) == (number, name, missing)


def test_a_stage_needs_every_stage_below_it() -> None:
    # Aligned and learning, but no rhythm: stage 1, whatever the later figures say.
    stage = maturity([figures(checkin_weeks_done=1)])
    assert stage.number == 1


@pytest.mark.parametrize(
    ("history", "number", "missing"),
    [
        ([CLOSED_4, RUNNING_4], 5, []),
        ([RUNNING_4, CLOSED_4], 5, []),
        (
            [adoption(replace(STAGE_4, checkin_weeks_done=5, calibration=CALIBRATED)), RUNNING_4],
            4,
            ["stage-4 figures in the previous cycle too (it reached stage 1)"],
        ),
        (
            [adoption(replace(STAGE_4, calibration="optimistic")), RUNNING_4],
            4,
            ["confidence calibrated at the latest cycle close"],
        ),
        (
            [CLOSED_4, adoption(replace(STAGE_4, calibration="optimistic"))],
            4,
            ["confidence calibrated at the latest cycle close"],
        ),
        (
            [RUNNING_4, RUNNING_4],
            4,
            ["confidence calibrated at a cycle close (neither cycle is closed yet)"],
        ),
        (
            [adoption(replace(STAGE_4, calibration=NOT_ENOUGH)), RUNNING_4],
            4,
            ["confidence calibrated at the latest cycle close"],
        ),
        # Only the latest cycle and the one before count: an old good cycle is not enough.
        ([CLOSED_4, adoption(Facts()), RUNNING_4], 4, None),
        ([CLOSED_4, CLOSED_4, figures(checkin_weeks_done=0)], 1, None),
    ],
)
def test_stage_five_needs_two_cycles_at_stage_four_and_a_calibrated_close(
    history: list[Adoption], number: int, missing: list[str] | None
) -> None:
    stage = maturity(history)
    assert stage.number == number
    assert stage.name == ("Learning" if number == 5 else stage.name)
    if missing is not None:
        assert stage.missing == missing


def test_without_history_a_team_has_not_started() -> None:
    stage = maturity([])
    assert (stage.number, stage.name) == (0, "Not started")
    assert stage.missing
