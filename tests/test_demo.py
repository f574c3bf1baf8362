"""The demo organisation is a believable company of the promised shape."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from headway.accounts.models import Membership, Role
from headway.demo.build import demo_build
from headway.goals.models import Cycle, CycleStatus, Theme
from headway.teams.models import Team, TeamMembership, TeamRole


def test_the_demo_has_four_levels_of_about_fifteen_teams_with_leads(db):
    organisation = demo_build(today=dt.date(2026, 11, 29))
    teams = list(Team.objects.filter(organisation=organisation).with_tree_fields())
    assert 14 <= len(teams) <= 18
    assert max(t.tree_depth for t in teams) == 3  # four levels: 0..3
    leads = set(TeamMembership.objects.filter(role=TeamRole.LEAD).values_list("team_id", flat=True))
    assert leads == {t.pk for t in teams}


def test_the_demo_has_forty_named_people_in_every_role(db):
    organisation = demo_build(today=dt.date(2026, 11, 29))
    members = Membership.objects.filter(organisation=organisation).select_related("user")
    assert members.count() == 40
    assert all(m.user.name and m.title for m in members)
    roles = Counter(m.role for m in members)
    assert roles[Role.OWNER] == 1 and roles[Role.ADMIN] >= 2 and roles[Role.VIEWER] >= 1


def test_the_demo_has_a_strategy_three_themes_and_this_years_cycles(db):
    organisation = demo_build(today=dt.date(2026, 11, 29))
    assert organisation.strategy_statement
    assert Theme.objects.filter(organisation=organisation, team=None).count() == 3
    cycles = {c.name: c.status for c in Cycle.objects.filter(organisation=organisation)}
    assert cycles == {
        "2026": CycleStatus.ACTIVE,
        "2026 Q1": CycleStatus.CLOSED,
        "2026 Q2": CycleStatus.CLOSED,
        "2026 Q3": CycleStatus.CLOSED,
        "2026 Q4": CycleStatus.ACTIVE,
    }
