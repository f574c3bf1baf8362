""" "N need attention" on the top team's page counts the whole organisation's team
objectives a cheaper way (selectors_attention.open_flag_count); it must count the same."""

from __future__ import annotations

import pytest

from headway.goals import services
from headway.insights import selectors_attention
from headway.insights.selectors import flags_open
from headway.insights.services import flags_refresh
from headway.teams.models import Team
from tests.flagged import build, check_in, measure


@pytest.mark.parametrize("persona", ["alice", "dave"])
def test_every_team_counts_the_same_as_team_by_team_without_personal_objectives(
    world, monkeypatch, persona
):
    flagged = build(world)
    personal = services.objective_create(
        member=world.bob,
        cycle_id=flagged.quarter.pk,
        owner_user_id=world.bob.user_id,
        title="Learn the on-call tooling",
        key_results=[measure("Runbooks read")],
    )
    check_in(world.bob, personal.key_results.get(), 55, 5, 20)  # overdue: a flag
    flags_refresh(world.acme)
    member = getattr(world, persona)
    teams = list(Team.objects.filter(organisation=world.acme).values_list("pk", flat=True))
    by_team = flags_open(member, team_ids=teams).count()
    on_personal = flags_open(member).filter(key_result__objective=personal).count()
    assert on_personal == 1 and flags_open(member).count() == by_team + 1

    monkeypatch.setattr(selectors_attention, "MANY_TEAMS", 1)  # take the whole-organisation way
    assert selectors_attention.open_flag_count(member, teams) == by_team
    # A subtree that is not every team still counts team by team.
    assert (
        selectors_attention.open_flag_count(member, [world.platform.pk])
        == flags_open(member, team_ids=[world.platform.pk]).count()
    )
