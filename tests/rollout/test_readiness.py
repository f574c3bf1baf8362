"""A phase's "ready to expand", from real OKRs made through the services (see
`okrs_in_q1` in tests/rollout_tree.py: Platform checks in on the first N of the 12
whole weeks of 2026 Q1; Mobile has no OKRs)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from headway.rollout import services
from headway.rollout.models import RolloutPhase
from headway.rollout.selectors import (
    phase_cycle,
    phase_readiness,
    phase_team_ids,
    plan_detail,
    plan_readiness,
)
from tests.rollout_tree import Q1, Tree, okrs_in_q1, phase_row

END = dt.date(2026, 3, 31)


def _phase(tree: Tree, *teams: object, criteria: list[dict[str, object]]) -> RolloutPhase:
    plan = services.plan_create(
        member=tree.world.alice,
        title="Rollout",
        phases=[phase_row("Pilot", Q1, 13, *teams, criteria=criteria)],
    )
    return plan.phases.get()


CRITERIA = [
    {"metric": "checkin_rate", "threshold": 0.8},
    {"metric": "aligned_share", "threshold": 0.7},
    {"metric": "pivots", "threshold": 1},
]


def test_a_phase_whose_criteria_are_all_met_is_ready_to_expand(tree: Tree) -> None:
    okrs_in_q1(tree, weeks=12, pivot=True)
    readiness = phase_readiness(
        tree.world.bob, _phase(tree, tree.platform.pk, criteria=CRITERIA), END
    )
    assert readiness.cycle == tree.quarter(1)
    assert [(s.metric, s.met) for s in readiness.criteria] == [
        ("checkin_rate", True),
        ("aligned_share", True),
        ("pivots", True),
    ]
    assert readiness.criteria[0].value == 1.0
    assert readiness.ready is True
    assert readiness.missing == []
    assert (readiness.weeks_elapsed, readiness.expected_weeks) == (12, 13)


def test_an_unmet_criterion_says_what_is_missing_with_its_numbers(tree: Tree) -> None:
    okrs_in_q1(tree, weeks=5)
    readiness = phase_readiness(
        tree.world.alice, _phase(tree, tree.platform.pk, criteria=CRITERIA), END
    )
    assert readiness.ready is False
    assert [s.met for s in readiness.criteria] == [False, True, False]
    assert readiness.missing == [
        "Weekly check-in rate: 41% of weekly check-ins done, 10 of 24 (target 80%)",
        "Pivots recorded: 0 pivots recorded (target 1)",
    ]


def test_criteria_that_cannot_be_measured_yet_block_readiness_as_not_enough_data(
    tree: Tree,
) -> None:
    okrs_in_q1(tree, weeks=12, pivot=True)
    phase = _phase(tree, tree.mobile.pk, criteria=CRITERIA)
    readiness = phase_readiness(tree.world.alice, phase, END)
    assert [s.met for s in readiness.criteria] == [None, None, None]
    assert readiness.ready is False
    assert len(readiness.missing) == 3
    assert all("not enough data" in reason for reason in readiness.missing)


def test_early_in_the_cycle_a_check_in_rate_is_not_enough_data_never_a_pass(tree: Tree) -> None:
    okrs_in_q1(tree, weeks=1)
    phase = _phase(tree, tree.platform.pk, criteria=[{"metric": "checkin_rate", "threshold": 0}])
    readiness = phase_readiness(tree.world.alice, phase, dt.date(2026, 1, 9))
    assert readiness.criteria[0].met is None
    assert readiness.ready is False


def test_a_department_counts_the_teams_below_it(tree: Tree) -> None:
    okrs_in_q1(tree, weeks=12, pivot=True)
    phase = _phase(tree, (tree.engineering.pk, True), criteria=CRITERIA)
    assert phase_team_ids(phase) == sorted(
        [tree.engineering.pk, tree.platform.pk, tree.mobile.pk, tree.payments.pk]
    )
    readiness = phase_readiness(tree.world.alice, phase, END)
    assert readiness.ready is True
    assert readiness.figures is not None
    assert readiness.figures.facts.teams == 4


def test_a_phase_without_a_cycle_over_its_dates_is_not_enough_data(tree: Tree) -> None:
    plan = services.plan_create(
        member=tree.world.alice,
        title="Later",
        phases=[phase_row("Pilot", dt.date(2035, 1, 1), 13, tree.platform.pk)],
    )
    readiness = phase_readiness(tree.world.alice, plan.phases.get(), END)
    assert readiness.cycle is None
    assert readiness.figures is None
    assert readiness.ready is False
    assert all(s.met is None for s in readiness.criteria)
    assert "no cycle overlaps" in readiness.missing[0]
    assert readiness.weeks_elapsed == 0
    assert readiness.started is False


def test_the_outsider_cannot_read_a_phase_of_another_organisation(tree: Tree) -> None:
    phase = _phase(tree, tree.platform.pk, criteria=CRITERIA)
    with pytest.raises(Http404):
        phase_readiness(tree.world.charlie, phase, END)


# --- the cycle a phase is measured over ------------------------------------------------


def test_the_measured_cycle_is_the_quarter_overlapping_most(tree: Tree) -> None:
    plan = services.plan_create(
        member=tree.world.alice,
        title="Rollout",
        phases=[phase_row("Pilot", dt.date(2026, 3, 20), 13, tree.platform.pk)],
    )
    assert phase_cycle(plan.phases.get()) == tree.quarter(2)


def test_a_chosen_cycle_wins_and_without_quarters_any_cycle_overlapping_most(
    tree: Tree,
) -> None:
    alice = tree.world.alice
    plan = services.plan_create(
        member=alice,
        title="Rollout",
        phases=[
            phase_row("Chosen", Q1, 13, tree.platform.pk, cycle_id=tree.year.pk),
            phase_row("Later", dt.date(2026, 4, 2), 13, tree.mobile.pk),
        ],
    )
    chosen, later = plan.phases.order_by("order")
    assert phase_cycle(chosen) == tree.year
    assert phase_cycle(later) == tree.quarter(2)
    tree.year.children.all().delete()
    assert phase_cycle(later) == tree.year


# --- query counts ----------------------------------------------------------------------


def _plan_with(tree: Tree, phases: int) -> int:
    rows = [
        phase_row(f"Phase {n}", Q1 + dt.timedelta(weeks=13 * n), 13, tree.platform.pk, (tree.mobile.pk, True))
        for n in range(phases)
    ]  # fmt: skip
    return services.plan_create(member=tree.world.alice, title=f"{phases}", phases=rows).pk


def _queries(call: object) -> int:
    with CaptureQueriesContext(connection) as context:
        call()  # type: ignore[operator]
    return len(context.captured_queries)


def test_plan_detail_runs_the_same_queries_for_1_and_for_5_phases(tree: Tree) -> None:
    alice = tree.world.alice
    one, five = _plan_with(tree, 1), _plan_with(tree, 5)

    def detail(pk: int) -> None:
        view = plan_detail(alice, pk)
        for phase in view.phases:
            [pt.team.name for pt in phase.phase_teams.all()]
            list(phase.criteria.all())
            _ = phase.cycle

    assert _queries(lambda: detail(one)) == _queries(lambda: detail(five)) == 4


def test_plan_readiness_runs_the_same_queries_for_1_and_for_5_phases(tree: Tree) -> None:
    okrs_in_q1(tree, weeks=3)
    alice = tree.world.alice
    one, five = plan_detail(alice, _plan_with(tree, 1)), plan_detail(alice, _plan_with(tree, 5))
    # The phases run in the four quarters of 2026 (the fifth starts on 31 December):
    # the counts of the four quarters load together.
    many = _queries(lambda: plan_readiness(alice, five, END))
    assert _queries(lambda: plan_readiness(alice, one, END)) == many
    cycles = [r.cycle.name for r in plan_readiness(alice, five, END) if r.cycle]
    assert cycles == ["2026 Q1", "2026 Q2", "2026 Q3", "2026 Q4", "2026 Q4"]


def test_a_phase_past_its_expected_weeks_and_not_ready_is_overdue(tree: Tree) -> None:
    okrs_in_q1(tree, weeks=5)
    phase = _phase(tree, tree.platform.pk, criteria=CRITERIA)
    assert phase_readiness(tree.world.alice, phase, dt.date(2026, 3, 31)).overdue is False
    late = phase_readiness(tree.world.alice, phase, dt.date(2026, 4, 2))
    assert (late.overdue, late.ended, late.weeks_elapsed) == (True, True, 13)
