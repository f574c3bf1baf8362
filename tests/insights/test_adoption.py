"""Adoption read from the database: every figure of tests/adopted.py's two quarters
against a count done by hand, groups (levels, pilot and rest) that count a person
once, the stages, the trend, and the query ceilings."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from headway.goals import services
from headway.insights.adoption_counts import local_days
from headway.insights.metrics.adoption import Facts
from headway.insights.metrics.calibration import NOT_ENOUGH
from headway.insights.selectors_adoption import (
    Pilot,
    adoption_facts,
    adoption_of_teams,
    adoption_report,
    adoption_trend,
    checkin_weeks,
    cycles_of_kind,
    pilot_of_plan,
    team_adoption,
)
from headway.rollout.models import PhaseTeam, RolloutPhase, RolloutPlan
from tests.adopted import TODAY, Adopted, build
from tests.conftest import World
from tests.factories import CycleFactory, TeamFactory, TeamMembershipFactory


@pytest.fixture
def adopted(world: World) -> Adopted:
    return build(world)


def test_every_q4_figure_of_every_team_is_the_count_done_by_hand(adopted: Adopted) -> None:
    facts = adoption_facts(adopted.world.acme, adopted.q4, today=TODAY)
    w = adopted.world
    assert set(facts) == {w.root.pk, w.platform.pk, adopted.mobile.pk, adopted.data.pk}
    assert facts[w.root.pk] == Facts(
        teams=1,
        teams_with_okrs=1,
        people=1,  # alice
        people_with_okrs=1,
        objectives=1,
        aligned_objectives=1,  # to the theme
        key_results=2,
        outcome_key_results=2,  # revenue, churn
        classified_key_results=2,
        checkin_weeks_due=16,  # 8 whole weeks from 1 October to 25 November, twice
        checkin_weeks_done=12,  # revenue 8 (30 September is before Q4), churn 4
        pivots=0,
        learnings=0,
        calibration=None,  # Q4 is running
    )
    assert facts[w.platform.pk] == Facts(
        teams=1,
        teams_with_okrs=1,
        people=2,  # bob, frank
        people_with_okrs=1,  # frank owns only a draft's key result
        objectives=2,  # the draft aside
        aligned_objectives=1,  # "Ship without fear", through Acme's objective
        key_results=3,
        outcome_key_results=1,  # customer-reported incidents
        classified_key_results=3,
        checkin_weeks_due=24,
        checkin_weeks_done=10,  # deploys 8, pipeline 2, incidents 0
        pivots=1,
        learnings=1,
    )
    assert facts[adopted.data.pk] == Facts(
        teams=1,
        teams_with_okrs=1,
        people=2,  # bob, gina
        people_with_okrs=2,
        objectives=1,
        aligned_objectives=1,  # through Platform's key result
        key_results=1,
        outcome_key_results=1,
        classified_key_results=1,
        checkin_weeks_due=3,  # created 5 November
        checkin_weeks_done=2,  # 6 and 7 November are one week
    )
    assert facts[adopted.mobile.pk] == Facts(teams=1, people=1, people_with_okrs=1)  # erin


def test_the_organisation_counts_a_person_in_two_teams_once(adopted: Adopted) -> None:
    org = adoption_of_teams(
        adopted.world.acme,
        [adopted.root.pk, adopted.platform.pk, adopted.mobile.pk, adopted.data.pk],
        adopted.q4,
        today=TODAY,
    )
    f = org.facts
    assert (f.teams, f.teams_with_okrs) == (4, 3)
    assert (f.people, f.people_with_okrs) == (5, 4)  # bob once; frank without
    assert (f.objectives, f.aligned_objectives) == (4, 3)
    assert (f.key_results, f.outcome_key_results) == (6, 4)
    assert (f.checkin_weeks_due, f.checkin_weeks_done) == (43, 24)
    assert (f.pivots, f.learnings) == (1, 1)
    assert org.teams_with_okrs == pytest.approx(3 / 4)
    assert org.people_with_okrs == pytest.approx(4 / 5)
    assert org.checkin_rate == pytest.approx(24 / 43)
    assert org.outcome_share == pytest.approx(4 / 6)
    assert org.aligned_share == pytest.approx(3 / 4)
    assert org.calibration is None


def test_a_closed_quarter_has_retrospectives_and_calibration(adopted: Adopted) -> None:
    facts = adoption_facts(adopted.world.acme, adopted.q3, today=TODAY)
    root, platform = facts[adopted.root.pk], facts[adopted.platform.pk]
    # Check-ins on 6, 13 and 20 July. The key results were typed in after Q3: they owe
    # check-ins from their first one, 6 July for alice's (12 whole weeks to 30
    # September), 20 June for bob's, so from 1 July (13 weeks).
    assert (root.key_results, root.checkin_weeks_due, root.checkin_weeks_done) == (3, 36, 9)
    assert (platform.key_results, platform.checkin_weeks_due) == (3, 39)  # the dropped one aside
    assert platform.checkin_weeks_done == 9
    assert (root.learnings, platform.learnings) == (1, 0)
    assert (root.calibration, platform.calibration) == ("sandbagging", "optimistic")
    assert facts[adopted.mobile.pk].calibration == NOT_ENOUGH
    both = adoption_of_teams(
        adopted.world.acme, [adopted.root.pk, adopted.platform.pk], adopted.q3, today=TODAY
    )
    # 6 key results, 2 owners, 2 teams: mean confidence 0.7, delivered 0.5.
    assert both.calibration == "optimistic"


def test_one_teams_calibration_is_not_an_aggregate(adopted: Adopted) -> None:
    one = adoption_of_teams(adopted.world.acme, [adopted.platform.pk], adopted.q3, today=TODAY)
    assert one.calibration == NOT_ENOUGH


def test_it_ignores_another_organisations_teams(adopted: Adopted) -> None:
    found = adoption_of_teams(
        adopted.world.acme, [adopted.world.globex_team.pk], adopted.q4, today=TODAY
    )
    assert found.facts == Facts()
    globex = adoption_facts(adopted.world.globex, adopted.q4, today=TODAY)
    assert set(globex) == {adopted.world.globex_team.pk}
    assert globex[adopted.world.globex_team.pk].key_results == 0


def test_the_report_has_levels_teams_with_stages_and_the_pilot_beside_the_rest(
    adopted: Adopted,
) -> None:
    pilot = Pilot(None, frozenset({adopted.platform.pk, adopted.data.pk}))
    report = adoption_report(adopted.world.acme, adopted.q4, pilot, today=TODAY)
    assert report.previous == adopted.q3
    assert [level.label for level in report.levels] == ["Top of the tree", "Level 1", "Level 2"]
    level_1 = report.levels[1].adoption.facts
    assert (level_1.teams, level_1.people, level_1.people_with_okrs) == (2, 3, 2)
    stages = {row.team.slug: row.stage for row in report.teams}
    assert [row.team.slug for row in report.teams] == ["acme", "mobile", "platform", "data"]
    assert stages["acme"].number == 3
    assert stages["acme"].missing == ["pivots or learnings recorded: none, needs 1"]
    assert stages["platform"].number == 1
    assert stages["platform"].missing == ["check-in rate 41%, needs 60%"]
    assert stages["data"].number == 2
    assert stages["data"].missing == [
        "check-in rate 66%, needs 70%",
        "outcome share needs 50%: not enough data yet (1 key result read by the coach, needs 2)",
    ]
    assert stages["mobile"].number == 0
    assert report.organisation.stages == (1, 1, 1, 1, 0, 0)
    assert report.pilot is not None and report.rest is not None
    p, r = report.pilot.adoption, report.rest.adoption
    assert (p.facts.people, p.facts.people_with_okrs) == (3, 2)
    assert (p.facts.checkin_weeks_due, p.facts.checkin_weeks_done) == (27, 12)
    assert (p.facts.outcome_key_results, p.facts.key_results) == (2, 4)
    assert (r.facts.teams, r.facts.teams_with_okrs, r.facts.people_with_okrs) == (2, 1, 2)
    assert (r.facts.checkin_weeks_due, r.facts.checkin_weeks_done) == (16, 12)
    assert [row.pilot for row in report.teams] == [False, False, True, True]


def test_without_pilot_teams_there_is_no_comparison(adopted: Adopted) -> None:
    report = adoption_report(adopted.world.acme, adopted.q4, None, today=TODAY)
    assert report.pilot is None and report.rest is None
    foreign = adoption_report(
        adopted.world.acme, adopted.q4, [adopted.world.globex_team.pk], today=TODAY
    )
    assert foreign.pilot is None


def test_the_pilot_is_the_latest_plans_first_phase_with_its_subtrees(adopted: Adopted) -> None:
    acme = adopted.world.acme
    assert pilot_of_plan(acme) is None
    old = RolloutPlan.objects.create(organisation=acme, title="Old plan")
    plan = RolloutPlan.objects.create(organisation=acme, title="Plan")
    RolloutPlan.objects.filter(pk=old.pk).update(created_at=plan.created_at - dt.timedelta(days=9))
    phases = [
        RolloutPhase.objects.create(
            organisation=acme,
            plan=owner,
            order=order,
            name=name,
            starts_on=TODAY,
            ends_on=TODAY,
            expected_weeks=6,
        )
        for owner, order, name in (
            (old, 0, "Old pilot"),
            (plan, 1, "Department"),
            (plan, 0, "Pilot"),
        )
    ]
    PhaseTeam.objects.create(phase=phases[0], team=adopted.mobile)
    PhaseTeam.objects.create(phase=phases[1], team=adopted.root, with_subtree=True)
    PhaseTeam.objects.create(phase=phases[2], team=adopted.platform, with_subtree=True)
    PhaseTeam.objects.create(phase=phases[2], team=adopted.mobile)
    found = pilot_of_plan(acme)
    assert found is not None and found.phase == phases[2]
    assert found.team_ids == {adopted.platform.pk, adopted.data.pk, adopted.mobile.pk}


def test_the_trend_runs_over_the_quarters_oldest_first(adopted: Adopted) -> None:
    CycleFactory(
        organisation=adopted.world.acme,
        name="2027 Q1",
        start_date=dt.date(2027, 1, 1),
        end_date=dt.date(2027, 3, 31),
        status="planning",
    )
    CycleFactory(
        organisation=adopted.world.acme,
        name="2026",
        kind="annual",
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 12, 31),
    )
    assert cycles_of_kind(adopted.world.acme, adopted.q4, TODAY) == [adopted.q3, adopted.q4]
    trend = adoption_trend(adopted.world.acme, adopted.q4, today=TODAY)
    assert [point.cycle for point in trend] == [adopted.q3, adopted.q4]
    q3, q4 = trend[0].organisation.adoption, trend[1].organisation.adoption
    assert (q3.facts.teams_with_okrs, q4.facts.teams_with_okrs) == (2, 3)
    assert q3.checkin_rate == pytest.approx(18 / 75)
    assert q3.calibration == "optimistic"
    assert q4.checkin_rate == pytest.approx(24 / 43)
    assert [len(point.levels) for point in trend] == [3, 3]


def test_a_team_has_its_history_with_a_stage_per_quarter(adopted: Adopted) -> None:
    figures, stage, history = team_adoption(
        adopted.world.acme, adopted.root, adopted.q4, today=TODAY
    )
    assert figures.checkin_rate == pytest.approx(12 / 16)
    assert stage.number == 3
    assert [(cycle.name, s.number) for cycle, _, s in history] == [("2026 Q3", 1), ("2026 Q4", 3)]


# --- check-in weeks -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "days", "due", "done"),
    [
        (0, 6, [0], 1, 1),  # one whole week, checked in on its first day
        (0, 5, [0], 0, 0),  # six days are not a week
        (0, 13, [6, 7], 2, 2),  # the last day of week one, the first of week two
        (0, 13, [1, 2, 3], 2, 1),  # several check-ins in one week count once
        (5, 19, [0, 4, 5], 2, 1),  # check-ins before the start do not count
        (0, 20, [21, 30], 3, 0),  # nor after the end
        (0, 9, [8], 1, 0),  # nor in the partial week at the end
    ],
)
def test_it_counts_whole_weeks_due_and_weeks_with_a_check_in(
    start: int, end: int, days: list[int], due: int, done: int
) -> None:
    found_due, found_done = checkin_weeks(
        np.array([start]), np.array([end]), np.zeros(len(days), np.int64), np.array(days)
    )
    assert (int(found_due[0]), int(found_done[0])) == (due, done)


def test_check_in_days_are_the_organisations_days_summer_time_included() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    instants = [
        dt.datetime(2026, 3, 28, 22, 30),  # 23:30 in winter time: still the 28th
        dt.datetime(2026, 3, 28, 23, 30),  # 00:30 on the 29th
        dt.datetime(2026, 3, 29, 21, 30),  # 23:30 in summer time: still the 29th
        dt.datetime(2026, 3, 29, 22, 30),  # 00:30 on the 30th
    ]
    expected = [dt.date(2026, 3, d).toordinal() for d in (28, 29, 29, 30)]
    assert local_days(instants, berlin).tolist() == expected  # naive UTC, as SQLite
    aware = [i.replace(tzinfo=dt.UTC) for i in instants]  # as PostgreSQL
    assert local_days(aware, berlin).tolist() == expected
    text = [i.isoformat(" ") for i in instants]
    assert local_days(text, berlin).tolist() == expected
    assert local_days(instants, ZoneInfo("UTC")).tolist() == [
        dt.date(2026, 3, d).toordinal() for d in (28, 28, 29, 29)
    ]
    assert local_days([], berlin).size == 0


# --- query ceilings -------------------------------------------------------------------------


def grow(world: World, cycle, teams: int) -> None:  # type: ignore[no-untyped-def]
    """`teams` more teams under the root, each with a person, an objective, a key result
    and a check-in."""
    for n in range(teams):
        team = TeamFactory(organisation=world.acme, parent=world.root)
        TeamMembershipFactory(team=team, user=world.bob.user)
        objective = services.objective_create(
            member=world.alice,
            cycle_id=cycle.pk,
            owner_team_id=team.pk,
            title=f"Objective {n}",
            key_results=[{"title": f"Customers {n}", "start_value": 0, "target_value": 10}],
        )
        services.checkin_create(
            member=world.alice,
            key_result_id=objective.key_results.get().pk,
            value=1,
            confidence=5,
        )


def queries(call) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as context:
        call()
    return len(context.captured_queries)


def test_the_facts_take_as_many_queries_for_3_teams_as_for_30(world: World) -> None:
    cycle = CycleFactory(organisation=world.acme, name="Now")
    grow(world, cycle, 1)  # 3 teams with the root and Platform
    few = queries(lambda: adoption_facts(world.acme, cycle, today=TODAY))
    grow(world, cycle, 27)
    many = queries(lambda: adoption_facts(world.acme, cycle, today=TODAY))
    assert few == many == 8


def test_the_report_and_the_trend_take_as_many_queries_for_3_teams_as_for_30(
    adopted: Adopted,
) -> None:
    acme = adopted.world.acme

    def both() -> None:
        adoption_report(acme, adopted.q4, [adopted.platform.pk], today=TODAY)
        adoption_trend(acme, adopted.q4, today=TODAY)

    few = queries(both)
    grow(adopted.world, adopted.q4, 26)
    # Each: the cycles, eight loads, and two for the closed Q3's calibration.
    assert queries(both) == few == 22
