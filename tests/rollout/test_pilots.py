"""Pilot suggestions: ranked teams, each with its reasons in words."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from headway.discovery import services as discovery
from headway.goals import services as goals
from headway.rollout.selectors_pilots import pilot_suggestions
from headway.teams.models import TeamMembership, TeamRole
from tests.factories import CycleFactory, TeamFactory, TeamMembershipFactory, UserFactory
from tests.rollout_tree import Tree


def _people(tree: Tree, team: object, count: int) -> None:
    for n in range(count):
        TeamMembershipFactory(team=team, user=UserFactory(email=f"{team}{n}@acme.test"))


def _platform_wanted(tree: Tree) -> None:
    """Platform: bob leads 4 people, chosen in discovery, where bob wants OKRs for focus;
    two key results with numeric targets, one checked in."""
    world = tree.world
    TeamMembership.objects.filter(team=tree.platform, user=world.bob.user).update(
        role=TeamRole.LEAD
    )
    _people(tree, tree.platform, 3)
    record = discovery.discovery_record_save(
        member=world.alice, why_stated="Focus", pilot_team_ids=[tree.platform.pk]
    )
    discovery.discovery_leader_add(
        member=world.alice, record_id=record.pk, user_id=world.bob.user_id, problem="focus"
    )
    today = timezone.localdate()
    cycle = CycleFactory(
        organisation=world.acme,
        name="Now",
        start_date=today - dt.timedelta(days=30),
        end_date=today + dt.timedelta(days=60),
    )
    objective = goals.objective_create(
        member=world.bob,
        cycle_id=cycle.pk,
        owner_team_id=tree.platform.pk,
        title="Ship calmly",
        key_results=[
            {"title": "Deploys a week", "start_value": 2, "target_value": 10},
            {"title": "Incidents a month", "kind": "decrease", "start_value": 9, "target_value": 3},
        ],
    )
    goals.checkin_create(
        member=world.bob,
        key_result_id=objective.key_results.first().pk,  # type: ignore[union-attr]
        value=4,
        confidence=7,
    )


def test_teams_are_ranked_with_their_reasons_and_cautions(tree: Tree) -> None:
    _platform_wanted(tree)
    _people(tree, tree.sales, 5)
    suggestions = pilot_suggestions(tree.world.alice)
    assert [s.team.name for s in suggestions] == ["Platform", "Sales"]
    platform, sales = suggestions
    assert platform.reasons == [
        "Chosen as a pilot team in discovery.",
        "Bob, a leader in discovery, wants OKRs to solve focus.",
        "4 people: a manageable size for a pilot.",
        "Led by Bob.",
        "2 of its 2 recent key results have numeric targets: its work can be measured.",
        "Checked in once in the last 90 days.",
    ]
    assert platform.cautions == []
    assert (platform.people, platform.leads) == (4, ["Bob"])
    assert sales.reasons == ["5 people: a manageable size for a pilot."]
    assert "No lead named: name one before the pilot starts." in sales.cautions


def test_a_leader_listed_in_a_teams_own_record_counts_for_that_team(tree: Tree) -> None:
    _people(tree, tree.mobile, 3)
    record = discovery.discovery_record_save(
        member=tree.world.alice, team_id=tree.mobile.pk, why_stated="Alignment"
    )
    discovery.discovery_leader_add(
        member=tree.world.alice, record_id=record.pk, name="Eve", problem="other"
    )
    mobile = next(s for s in pilot_suggestions(tree.world.alice) if s.team == tree.mobile)
    assert "Eve, a leader in discovery, wants OKRs to solve a problem of their own." in (
        mobile.reasons
    )


def test_teams_with_nothing_for_them_are_left_out(tree: Tree) -> None:
    # Nobody is in Mobile, Payments, Engineering or Sales; bob alone is in Platform.
    assert pilot_suggestions(tree.world.alice) == []


def test_the_outsider_sees_only_their_own_teams(tree: Tree) -> None:
    _platform_wanted(tree)
    _people(tree, tree.world.globex_team, 4)
    names = [s.team.name for s in pilot_suggestions(tree.world.charlie)]
    assert names == ["Globex HQ"]


def test_suggestions_run_the_same_queries_for_few_and_many_teams(tree: Tree) -> None:
    _platform_wanted(tree)

    def count() -> int:
        with CaptureQueriesContext(connection) as context:
            pilot_suggestions(tree.world.alice)
        return len(context.captured_queries)

    few = count()
    for n in range(8):
        team = TeamFactory(organisation=tree.world.acme, name=f"Squad {n}", parent=tree.sales)
        _people(tree, team, 4)
    assert count() == few == 6
