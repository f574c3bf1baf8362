"""Rollout plan services: who may write, every rule of a phase, overlapping phases
(also through "the teams below"), the default three-phase layout, version conflicts,
and that a refused write changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from headway.goals.models import ActivityEvent
from headway.lib.errors import Conflict
from headway.rollout import services
from headway.rollout.models import PhaseCriterion, PhaseKind, RolloutPhase, RolloutPlan
from tests.factories import CycleFactory
from tests.rollout_tree import Q1, Tree, phase_row, snapshot

APR = dt.date(2026, 4, 1)
APR2 = dt.date(2026, 4, 2)  # the day after a 13-week phase from 1 January


def _plan(tree: Tree, *phases: dict[str, Any]) -> RolloutPlan:
    return services.plan_create(member=tree.world.alice, title="Rollout 2026", phases=phases)


def _errors(call: Any, **kwargs: Any) -> dict[str, list[str]]:
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        call(**kwargs)
    assert snapshot() == before, "a refused write changed something"
    return error.value.message_dict  # type: ignore[no-any-return]


# --- plans -----------------------------------------------------------------------------


def test_alice_creates_a_plan_with_phases_in_order(tree: Tree) -> None:
    plan = _plan(
        tree,
        phase_row("Pilot", Q1, 13, tree.platform.pk, kind="pilot"),
        phase_row("Engineering", APR2, 13, (tree.engineering.pk, True), kind="department"),
    )
    phases = list(plan.phases.order_by("order"))
    assert [(p.name, p.order, p.kind) for p in phases] == [
        ("Pilot", 1, "pilot"),
        ("Engineering", 2, "department"),
    ]
    pilot = phases[0]
    assert (pilot.starts_on, pilot.ends_on, pilot.expected_weeks) == (
        Q1,
        dt.date(2026, 4, 1),
        13,
    )
    assert [(pt.team_id, pt.with_subtree) for pt in phases[1].phase_teams.all()] == [
        (tree.engineering.pk, True)
    ]
    assert plan.created_by == tree.world.alice.user
    assert ActivityEvent.objects.filter(verb="created a rollout plan", target_id=plan.pk).exists()


def test_a_phase_without_criteria_gets_the_default_ones(tree: Tree) -> None:
    plan = _plan(tree, phase_row("Pilot", Q1, 13, tree.platform.pk))
    criteria = PhaseCriterion.objects.filter(phase__plan=plan).order_by("order")
    assert [(c.metric, c.threshold) for c in criteria] == [
        ("checkin_rate", 0.8),
        ("outcome_share", 0.6),
        ("aligned_share", 0.7),
        ("pivots", 1),
    ]


def test_a_plan_needs_a_title_of_a_sensible_length(tree: Tree) -> None:
    alice = tree.world.alice
    assert "title" in _errors(services.plan_create, member=alice, title="  ")
    errors = _errors(services.plan_create, member=alice, title="x" * 161, notes="y" * 4001)
    assert set(errors) == {"title", "notes"}
    assert not RolloutPlan.objects.exists()


def test_plan_update_changes_only_what_is_given_and_bumps_the_version(tree: Tree) -> None:
    plan = services.plan_create(member=tree.world.alice, title="Rollout", notes="Keep")
    saved = services.plan_update(
        member=tree.world.alice, plan_id=plan.pk, version=1, title="Rollout 2026"
    )
    assert (saved.title, saved.notes, saved.version) == ("Rollout 2026", "Keep", 2)


def test_a_stale_plan_version_is_a_conflict_and_writes_nothing(tree: Tree) -> None:
    plan = services.plan_create(member=tree.world.alice, title="Rollout")
    services.plan_update(member=tree.world.alice, plan_id=plan.pk, version=1, notes="Mine")
    before = snapshot()
    with pytest.raises(Conflict) as error:
        services.plan_update(member=tree.world.alice, plan_id=plan.pk, version=1, notes="Theirs")
    assert error.value.current == {"version": 2}
    assert error.value.field == "version"
    assert snapshot() == before


def test_plan_update_refuses_unknown_fields(tree: Tree) -> None:
    plan = services.plan_create(member=tree.world.alice, title="Rollout")
    errors = _errors(services.plan_update, member=tree.world.alice, plan_id=plan.pk, owner=1)
    assert set(errors) == {"owner"}


def test_deleting_a_plan_deletes_its_phases(tree: Tree) -> None:
    plan = _plan(tree, phase_row("Pilot", Q1, 13, tree.platform.pk))
    services.plan_delete(member=tree.world.alice, plan_id=plan.pk)
    assert not RolloutPlan.objects.exists()
    assert not RolloutPhase.objects.exists()


# --- who may write ---------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["bob", "dave"])
def test_members_and_viewers_may_not_write(tree: Tree, persona: str) -> None:
    plan = _plan(tree, phase_row("Pilot", Q1, 13, tree.platform.pk))
    phase = plan.phases.get()
    member = getattr(tree.world, persona)
    before = snapshot()
    calls = [
        lambda: services.plan_create(member=member, title="Mine"),
        lambda: services.plan_update(member=member, plan_id=plan.pk, title="Mine"),
        lambda: services.plan_delete(member=member, plan_id=plan.pk),
        lambda: services.phase_create(
            member=member, plan_id=plan.pk, **phase_row("More", APR, 4, tree.mobile.pk)
        ),
        lambda: services.phase_update(member=member, phase_id=phase.pk, name="Mine"),
        lambda: services.phase_delete(member=member, phase_id=phase.pk),
        lambda: services.phase_move(member=member, phase_id=phase.pk, position=1),
        lambda: services.plan_create_default(
            member=member, pilot_team_ids=[tree.platform.pk], starts_on=Q1
        ),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    assert snapshot() == before


def test_the_outsider_gets_404_for_plans_and_phases_of_another_organisation(tree: Tree) -> None:
    plan = _plan(tree, phase_row("Pilot", Q1, 13, tree.platform.pk))
    phase = plan.phases.get()
    charlie = tree.world.charlie
    before = snapshot()
    calls = [
        lambda: services.plan_update(member=charlie, plan_id=plan.pk, title="Mine"),
        lambda: services.plan_delete(member=charlie, plan_id=plan.pk),
        lambda: services.phase_create(
            member=charlie,
            plan_id=plan.pk,
            **phase_row("More", APR, 4, tree.world.globex_team.pk),
        ),
        lambda: services.phase_update(member=charlie, phase_id=phase.pk, name="Mine"),
        lambda: services.phase_delete(member=charlie, phase_id=phase.pk),
        lambda: services.phase_move(member=charlie, phase_id=phase.pk, position=1),
    ]
    for call in calls:
        with pytest.raises(Http404):
            call()
    assert snapshot() == before


# --- the rules of a phase --------------------------------------------------------------


def _add(tree: Tree, plan: RolloutPlan | None = None, **fields: Any) -> dict[str, list[str]]:
    plan = plan or services.plan_create(member=tree.world.alice, title="Rollout")
    row = phase_row("Pilot", Q1, 13, tree.platform.pk)
    row.update(fields)
    return _errors(services.phase_create, member=tree.world.alice, plan_id=plan.pk, **row)


def test_a_phase_needs_a_name_of_a_sensible_length(tree: Tree) -> None:
    assert "name" in _add(tree, name="")
    assert "Keep it under 120" in _add(tree, name="x" * 121)["name"][0]


def test_a_phase_needs_at_least_one_team(tree: Tree) -> None:
    assert "at least one team" in _add(tree, teams=[])["teams"][0]


def test_a_phase_takes_teams_of_its_own_organisation_only(tree: Tree) -> None:
    errors = _add(tree, teams=[tree.platform.pk, tree.world.globex_team.pk])
    assert errors["teams"] == ["Choose teams of this organisation."]


def test_a_phase_lists_each_team_once(tree: Tree) -> None:
    errors = _add(tree, teams=[tree.mobile.pk, {"team_id": tree.mobile.pk, "with_subtree": True}])
    assert errors["teams"] == ["List each team once: Mobile is listed twice."]


def test_a_phase_refuses_a_malformed_team_list(tree: Tree) -> None:
    assert "teams" in _add(tree, teams="platform")
    assert "teams" in _add(tree, teams=[{"team_id": tree.mobile.pk, "with_subtree": "yes"}])


def test_a_phase_ends_on_or_after_its_first_day(tree: Tree) -> None:
    errors = _add(tree, starts_on=APR, ends_on=Q1, expected_weeks=None)
    assert errors["ends_on"] == [
        "The phase would end on 1 Jan 2026, before it starts on 1 Apr 2026: choose a last day "
        "on or after the first."
    ]


def test_a_phase_needs_a_start_and_an_end_or_a_length(tree: Tree) -> None:
    assert "starts_on" in _add(tree, starts_on=None)
    assert "ends_on" in _add(tree, expected_weeks=None)
    assert "starts_on" in _add(tree, starts_on="1 April")
    assert "starts_on" in _add(tree, starts_on="9999-01-01")


@pytest.mark.parametrize("weeks", [0, 261, -3, "many", 2.5, True])
def test_expected_weeks_are_whole_weeks_from_1_to_260(tree: Tree, weeks: object) -> None:
    assert "expected_weeks" in _add(tree, expected_weeks=weeks)


def test_a_phase_longer_than_five_years_by_its_dates_is_refused(tree: Tree) -> None:
    errors = _add(tree, expected_weeks=None, ends_on=dt.date(2032, 1, 1))
    assert "at most 260 weeks" in errors["ends_on"][0]


def test_expected_weeks_come_from_the_dates_when_left_out(tree: Tree) -> None:
    plan = services.plan_create(member=tree.world.alice, title="Rollout")
    phase = services.phase_create(
        member=tree.world.alice,
        plan_id=plan.pk,
        **phase_row("Pilot", Q1, 0, tree.platform.pk, expected_weeks=None),
        ends_on=dt.date(2026, 3, 31),
    )
    assert phase.expected_weeks == 13


def test_a_phase_refuses_an_unknown_kind(tree: Tree) -> None:
    assert "kind" in _add(tree, kind="big-bang")


def test_a_phase_refuses_a_cycle_of_another_organisation(tree: Tree) -> None:
    globex_cycle = CycleFactory(organisation=tree.world.globex, name="Globex Q1")
    errors = _add(tree, cycle_id=globex_cycle.pk)
    assert "cycle of this organisation" in errors["cycle_id"][0]


def test_a_phase_refuses_unknown_fields(tree: Tree) -> None:
    assert "budget" in _add(tree, budget=100)


def test_an_unknown_metric_is_refused_listing_the_valid_ones(tree: Tree) -> None:
    errors = _add(tree, criteria=[{"metric": "happiness", "threshold": 0.9}])
    message = errors["criteria.0.metric"][0]
    assert "happiness" in message
    for valid in ("checkin_rate", "outcome_share", "aligned_share", "pivots", "calibration"):
        assert valid in message


@pytest.mark.parametrize("threshold", [-0.1, 1.2, 80, None, "lots", float("nan")])
def test_a_share_threshold_is_between_0_and_1(tree: Tree, threshold: object) -> None:
    errors = _add(tree, criteria=[{"metric": "checkin_rate", "threshold": threshold}])
    assert "share from 0 to 1" in errors["criteria.0.threshold"][0]


@pytest.mark.parametrize("threshold", [-1, 1.5, None, "two"])
def test_a_count_threshold_is_a_whole_number_of_0_or_more(tree: Tree, threshold: object) -> None:
    errors = _add(tree, criteria=[{"metric": "pivots", "threshold": threshold}])
    assert "whole number" in errors["criteria.0.threshold"][0]


def test_criteria_list_each_measure_once_and_at_least_one(tree: Tree) -> None:
    twice = [{"metric": "pivots", "threshold": 1}, {"metric": "pivots", "threshold": 2}]
    assert "listed twice" in _add(tree, criteria=twice)["criteria.1.metric"][0]
    assert "at least one success criterion" in _add(tree, criteria=[])["criteria"][0]


def test_calibration_needs_no_threshold(tree: Tree) -> None:
    plan = services.plan_create(member=tree.world.alice, title="Rollout")
    phase = services.phase_create(
        member=tree.world.alice,
        plan_id=plan.pk,
        **phase_row("Pilot", Q1, 13, tree.platform.pk, criteria=[{"metric": "calibration"}]),
    )
    assert [(c.metric, c.threshold) for c in phase.criteria.all()] == [("calibration", 0.0)]


def test_every_error_of_a_phase_is_listed_at_once(tree: Tree) -> None:
    errors = _add(
        tree,
        name="",
        teams=[],
        expected_weeks=0,
        criteria=[{"metric": "mood", "threshold": 1}, {"metric": "checkin_rate", "threshold": 5}],
    )
    assert set(errors) == {
        "name",
        "teams",
        "expected_weeks",
        "criteria.0.metric",
        "criteria.1.threshold",
    }


def test_errors_of_phases_given_with_a_new_plan_name_their_phase(tree: Tree) -> None:
    errors = _errors(
        services.plan_create,
        member=tree.world.alice,
        title="Rollout",
        phases=[phase_row("Pilot", Q1, 13, tree.platform.pk), phase_row("", APR, 13)],
    )
    assert set(errors) == {"phases.1.name", "phases.1.teams"}
    assert not RolloutPlan.objects.exists()


# --- overlapping phases ----------------------------------------------------------------


def test_a_team_may_not_be_in_two_phases_whose_dates_overlap(tree: Tree) -> None:
    plan = _plan(tree, phase_row("Pilot", Q1, 13, tree.platform.pk))
    errors = _add(tree, plan, name="Second wave", starts_on=dt.date(2026, 3, 1))
    message = errors["teams"][0]
    assert message.startswith("Platform is already in the phase “Pilot”")
    assert "1 Jan 2026 to 1 Apr 2026" in message


def test_a_team_covered_through_the_teams_below_counts_as_in_the_phase(tree: Tree) -> None:
    plan = _plan(tree, phase_row("Department", Q1, 13, (tree.engineering.pk, True)))
    errors = _add(tree, plan, name="Payments pilot", teams=[tree.payments.pk])
    assert errors["teams"] == [
        "Payments is already in the phase “Department”, through Engineering and the teams "
        "below it, from 1 Jan 2026 to 1 Apr 2026, and the dates overlap: change the dates or "
        "the teams."
    ]


def test_a_new_phase_with_the_teams_below_clashes_with_teams_already_planned(
    tree: Tree,
) -> None:
    plan = _plan(tree, phase_row("Pilot", Q1, 13, tree.mobile.pk, tree.platform.pk))
    services.phase_create(  # Engineering's own people only: no clash
        member=tree.world.alice,
        plan_id=plan.pk,
        **phase_row("Engineering leads", Q1, 13, tree.engineering.pk),
    )
    errors = _add(
        tree,
        plan,
        name="Department",
        teams=[{"team_id": tree.engineering.pk, "with_subtree": True}],
    )
    assert errors["teams"][0].startswith(
        "Mobile (and 1 other team) is already in the phase “Pilot” from"
    )


def test_the_same_teams_may_follow_one_another_and_other_teams_may_run_alongside(
    tree: Tree,
) -> None:
    plan = _plan(tree, phase_row("Pilot", Q1, 13, tree.platform.pk))
    alice = tree.world.alice
    services.phase_create(
        member=alice, plan_id=plan.pk, **phase_row("Mobile", Q1, 13, tree.mobile.pk)
    )
    services.phase_create(
        member=alice,
        plan_id=plan.pk,
        **phase_row("Department", dt.date(2026, 4, 2), 13, (tree.engineering.pk, True)),
    )
    assert plan.phases.count() == 3


def test_phases_given_with_a_new_plan_may_not_overlap_each_other(tree: Tree) -> None:
    errors = _errors(
        services.plan_create,
        member=tree.world.alice,
        title="Rollout",
        phases=[
            phase_row("Pilot", Q1, 13, tree.platform.pk, tree.mobile.pk),
            phase_row("Everyone", dt.date(2026, 2, 1), 13, (tree.world.root.pk, True)),
        ],
    )
    assert errors["phases.1.teams"] == [
        "Mobile (and 1 other team) is already in the phase “Pilot” from 1 Jan 2026 to 1 Apr "
        "2026, and the dates overlap: change the dates or the teams."
    ]


def test_changing_a_phase_is_checked_against_the_others_but_not_itself(tree: Tree) -> None:
    plan = _plan(
        tree,
        phase_row("Pilot", Q1, 13, tree.platform.pk),
        phase_row("Department", APR2, 13, (tree.engineering.pk, True)),
    )
    pilot, department = plan.phases.order_by("order")
    alice = tree.world.alice
    services.phase_update(member=alice, phase_id=pilot.pk, ends_on=dt.date(2026, 3, 31))
    errors = _errors(
        services.phase_update,
        member=alice,
        phase_id=department.pk,
        starts_on=dt.date(2026, 3, 1),
    )
    assert "Platform is already in the phase “Pilot”" in errors["teams"][0]


# --- changing, moving and deleting phases ----------------------------------------------


def test_phase_update_replaces_teams_and_criteria_and_bumps_the_version(tree: Tree) -> None:
    plan = _plan(tree, phase_row("Pilot", Q1, 13, tree.platform.pk))
    phase = plan.phases.get()
    saved = services.phase_update(
        member=tree.world.alice,
        phase_id=phase.pk,
        version=1,
        name="Pilot of two",
        teams=[tree.platform.pk, {"team_id": tree.mobile.pk, "with_subtree": True}],
        criteria=[{"metric": "people_with_okrs", "threshold": 0.5}],
    )
    assert (saved.name, saved.version, saved.starts_on, saved.expected_weeks) == (
        "Pilot of two",
        2,
        Q1,
        13,
    )
    assert sorted((pt.team_id, pt.with_subtree) for pt in saved.phase_teams.all()) == sorted(
        [(tree.platform.pk, False), (tree.mobile.pk, True)]
    )
    assert [(c.metric, c.threshold) for c in saved.criteria.all()] == [("people_with_okrs", 0.5)]


def test_a_stale_phase_version_is_a_conflict(tree: Tree) -> None:
    plan = _plan(tree, phase_row("Pilot", Q1, 13, tree.platform.pk))
    phase = plan.phases.get()
    services.phase_update(member=tree.world.alice, phase_id=phase.pk, version=1, notes="Mine")
    before = snapshot()
    with pytest.raises(Conflict) as error:
        services.phase_update(member=tree.world.alice, phase_id=phase.pk, version=1, name="X")
    assert error.value.current == {"version": 2}
    assert snapshot() == before


def test_phase_update_refuses_an_end_before_the_current_start(tree: Tree) -> None:
    plan = _plan(tree, phase_row("Pilot", APR, 13, tree.platform.pk))
    errors = _errors(
        services.phase_update,
        member=tree.world.alice,
        phase_id=plan.phases.get().pk,
        ends_on=Q1,
    )
    assert "ends_on" in errors


def test_phases_move_and_the_others_keep_their_order(tree: Tree) -> None:
    days = [Q1 + dt.timedelta(weeks=4 * n) for n in range(3)]
    plan = _plan(
        tree,
        *(phase_row(f"Phase {n}", day, 4, tree.platform.pk) for n, day in enumerate(days)),
    )
    last = plan.phases.get(name="Phase 2")
    services.phase_move(member=tree.world.alice, phase_id=last.pk, position=1)
    assert list(plan.phases.order_by("order").values_list("name", "order")) == [
        ("Phase 2", 1),
        ("Phase 0", 2),
        ("Phase 1", 3),
    ]
    errors = _errors(services.phase_move, member=tree.world.alice, phase_id=last.pk, position=4)
    assert errors["position"] == ["Give a position from 1 to 3 (1 is the first phase)."]


def test_a_phase_update_with_a_bad_position_writes_nothing(tree: Tree) -> None:
    plan = _plan(tree, phase_row("Pilot", Q1, 13, tree.platform.pk))
    errors = _errors(
        services.phase_update,
        member=tree.world.alice,
        phase_id=plan.phases.get().pk,
        name="Renamed",
        position=0,
    )
    assert "position" in errors


def test_deleting_a_phase_closes_the_gap_in_the_order(tree: Tree) -> None:
    days = [Q1 + dt.timedelta(weeks=4 * n) for n in range(3)]
    plan = _plan(
        tree,
        *(phase_row(f"Phase {n}", day, 4, tree.platform.pk) for n, day in enumerate(days)),
    )
    services.phase_delete(member=tree.world.alice, phase_id=plan.phases.get(name="Phase 0").pk)
    assert list(plan.phases.order_by("order").values_list("name", "order")) == [
        ("Phase 1", 1),
        ("Phase 2", 2),
    ]


def test_a_plan_has_at_most_12_phases(tree: Tree) -> None:
    days = [Q1 + dt.timedelta(weeks=n) for n in range(12)]
    plan = _plan(tree, *(phase_row(f"P{n}", d, 1, tree.platform.pk) for n, d in enumerate(days)))
    errors = _add(tree, plan, starts_on=dt.date(2027, 1, 1))
    assert "at most 12 phases" in errors["name"][0]


# --- the default layout ----------------------------------------------------------------


def test_the_default_plan_runs_pilot_then_department_then_organisation(tree: Tree) -> None:
    plan = services.plan_create_default(
        member=tree.world.alice,
        pilot_team_ids=[tree.platform.pk, tree.mobile.pk],
        starts_on=Q1,
    )
    pilot, department, everyone = plan.phases.order_by("order")
    assert plan.title == "Rollout plan"
    assert (pilot.name, pilot.kind, pilot.expected_weeks) == (
        "Pilot: Platform and Mobile",
        PhaseKind.PILOT,
        13,
    )
    # Starting on the first day of a quarter, each phase ends with its last quarter.
    assert (pilot.starts_on, pilot.ends_on) == (Q1, dt.date(2026, 3, 31))
    assert sorted(pilot.phase_teams.values_list("team_id", "with_subtree")) == sorted(
        [(tree.platform.pk, False), (tree.mobile.pk, False)]
    )
    assert (department.name, department.starts_on, department.ends_on) == (
        "Department: Engineering",
        dt.date(2026, 4, 1),
        dt.date(2026, 6, 30),
    )
    assert department.expected_weeks == 13
    assert list(department.phase_teams.values_list("team_id", "with_subtree")) == [
        (tree.engineering.pk, True)
    ]
    assert (everyone.kind, everyone.starts_on, everyone.ends_on, everyone.expected_weeks) == (
        PhaseKind.ORGANISATION,
        dt.date(2026, 7, 1),
        dt.date(2026, 12, 31),
        26,
    )
    assert list(everyone.phase_teams.values_list("team_id", "with_subtree")) == [
        (tree.world.root.pk, True)
    ]
    assert [c.metric for c in everyone.criteria.all()] == [
        "checkin_rate",
        "outcome_share",
        "aligned_share",
        "pivots",
    ]


def test_a_default_phase_running_past_the_last_quarter_lasts_two_quarters_of_weeks(
    tree: Tree,
) -> None:
    plan = services.plan_create_default(
        member=tree.world.alice, pilot_team_ids=[tree.platform.pk], starts_on="2026-07-01"
    )
    everyone = plan.phases.get(kind=PhaseKind.ORGANISATION)
    # 1 January 2027 starts no quarter: two quarters of 13 weeks each.
    assert (everyone.starts_on, everyone.expected_weeks) == (dt.date(2027, 1, 1), 26)
    assert everyone.ends_on == dt.date(2027, 7, 1)


def test_the_default_pilot_lasts_13_weeks_without_quarters(world: Any) -> None:
    plan = services.plan_create_default(
        member=world.alice, pilot_team_ids=[world.platform.pk], starts_on=dt.date(2030, 5, 6)
    )
    names = list(plan.phases.order_by("order").values_list("name", "expected_weeks"))
    # Platform sits right below the top team: no department phase in between.
    assert names == [("Pilot: Platform", 13), ("The whole organisation", 26)]


def test_the_default_pilot_lasts_as_long_as_the_quarter_covering_its_start(tree: Tree) -> None:
    CycleFactory(
        organisation=tree.world.acme,
        name="Long quarter",
        kind="quarter",
        start_date=dt.date(2030, 1, 1),
        end_date=dt.date(2030, 4, 29),
    )
    plan = services.plan_create_default(
        member=tree.world.alice, pilot_team_ids=[tree.platform.pk], starts_on="2030-02-01"
    )
    assert plan.phases.order_by("order").first().expected_weeks == 17  # type: ignore[union-attr]


def test_the_default_department_is_the_nearest_team_above_both_pilots(tree: Tree) -> None:
    plan = services.plan_create_default(
        member=tree.world.alice,
        pilot_team_ids=[tree.payments.pk, tree.mobile.pk],
        starts_on=Q1,
    )
    department = plan.phases.get(kind=PhaseKind.DEPARTMENT)
    assert department.phase_teams.get().team_id == tree.engineering.pk


@pytest.mark.parametrize("pilots", [[], "three", None])
def test_the_default_plan_needs_one_or_two_pilot_teams(tree: Tree, pilots: Any) -> None:
    errors = _errors(
        services.plan_create_default,
        member=tree.world.alice,
        pilot_team_ids=pilots,
        starts_on=Q1,
    )
    assert errors["pilot_team_ids"] == ["Choose one or two pilot teams."]


def test_the_default_plan_refuses_three_pilots_or_another_organisations_team(
    tree: Tree,
) -> None:
    alice = tree.world.alice
    three = [tree.platform.pk, tree.mobile.pk, tree.sales.pk]
    errors = _errors(services.plan_create_default, member=alice, pilot_team_ids=three, starts_on=Q1)
    assert "one or two" in errors["pilot_team_ids"][0]
    errors = _errors(
        services.plan_create_default,
        member=alice,
        pilot_team_ids=[tree.world.globex_team.pk],
        starts_on="",
    )
    assert set(errors) == {"pilot_team_ids", "starts_on"}
