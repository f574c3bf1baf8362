from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from headway.lib.errors import Conflict
from headway.teams import services
from headway.teams.models import Team
from headway.teams.selectors import (
    team_ancestors,
    team_get,
    team_subtree,
    team_subtree_ids,
    teams_tree,
)

from ..factories import TeamFactory


def test_it_creates_a_team_under_a_parent(world):
    team = services.team_create(member=world.alice, name="Data Squad", parent_id=world.platform.pk)
    assert team.slug == "data-squad"
    assert team.parent == world.platform
    assert [t.name for t in team_ancestors(team)] == ["Acme", "Platform"]


def test_it_rejects_a_duplicate_slug(world):
    with pytest.raises(Conflict, match="platform"):
        services.team_create(member=world.alice, name="Platform")
    assert Team.objects.filter(organisation=world.acme, slug="platform").count() == 1


def test_the_same_slug_is_fine_in_another_organisation(world):
    team = services.team_create(member=world.charlie, name="Platform")
    assert team.slug == "platform"


def test_it_rejects_a_parent_from_another_organisation(world):
    with pytest.raises(ValidationError, match="parent"):
        services.team_create(member=world.alice, name="Spy", parent_id=world.globex_team.pk)
    assert not Team.objects.filter(name="Spy").exists()


def test_a_move_under_its_own_descendant_is_refused_and_changes_nothing(world):
    squad = services.team_create(member=world.alice, name="Squad", parent_id=world.platform.pk)
    with pytest.raises(ValidationError, match="cannot move under itself"):
        services.team_move(member=world.alice, team=world.root, parent_id=squad.pk)
    with pytest.raises(ValidationError):
        services.team_move(member=world.alice, team=world.platform, parent_id=world.platform.pk)
    world.root.refresh_from_db()
    assert world.root.parent_id is None


def test_a_move_carries_the_subtree(world):
    ops = services.team_create(member=world.alice, name="Operations", parent_id=world.root.pk)
    squad = services.team_create(member=world.alice, name="Squad", parent_id=world.platform.pk)
    services.team_move(member=world.alice, team=world.platform, parent_id=ops.pk)
    assert [t.name for t in team_ancestors(squad)] == ["Acme", "Operations", "Platform"]


def test_a_team_with_members_or_sub_teams_is_not_deleted(world):
    with pytest.raises(Conflict, match="1 member"):
        services.team_delete(member=world.alice, team=world.platform)
    with pytest.raises(Conflict, match="sub-teams"):
        services.team_delete(member=world.alice, team=world.root)
    assert Team.objects.filter(pk__in=[world.root.pk, world.platform.pk]).count() == 2


def test_an_empty_team_is_deleted(world):
    team = services.team_create(member=world.alice, name="Temporary", parent_id=world.root.pk)
    services.team_delete(member=world.alice, team=team)
    assert not Team.objects.filter(pk=team.pk).exists()


def test_members_and_viewers_cannot_change_the_tree(world):
    for member in (world.bob, world.dave):
        with pytest.raises(PermissionDenied):
            services.team_create(member=member, name="Rogue")
        with pytest.raises(PermissionDenied):
            services.team_move(member=member, team=world.platform, parent_id=None)


def test_the_outsider_cannot_reach_a_team(world):
    with pytest.raises(Http404):
        team_get(world.charlie, world.platform.pk)


def test_a_bubble_root_needs_a_strategy_statement(world):
    with pytest.raises(ValidationError, match="strategy statement"):
        services.team_update(member=world.alice, team=world.platform, is_bubble_root=True)
    team = services.team_update(
        member=world.alice,
        team=world.platform,
        is_bubble_root=True,
        strategy_statement="Make every deploy boring.",
    )
    assert team.is_bubble_root


def test_adding_someone_outside_the_organisation_to_a_team_is_refused(world):
    with pytest.raises(ValidationError, match="not a member"):
        services.team_member_add(member=world.alice, team=world.platform, user=world.charlie.user)


def _deep_chain(world, depth: int) -> Team:
    parent = world.root
    for level in range(depth):
        parent = TeamFactory(
            organisation=world.acme, parent=parent, name=f"L{level}", slug=f"l{level}"
        )
    return parent


@pytest.mark.parametrize("depth", [3, 30])
def test_subtree_and_ancestor_queries_are_single_queries_at_any_depth(world, depth):
    leaf = _deep_chain(world, depth)
    with CaptureQueriesContext(connection) as queries:
        ancestors = list(team_ancestors(leaf))
        subtree = list(team_subtree(world.root))
        tree = list(teams_tree(world.alice))
    assert len(queries) == 3
    assert len(ancestors) == depth
    assert len(subtree) == depth + 2  # root, platform and the chain
    assert max(t.tree_depth for t in tree) == depth


def test_the_tree_never_shows_another_organisations_teams(world):
    names = {t.name for t in teams_tree(world.charlie)}
    assert names == {"Globex HQ"}


def test_the_subtree_walks_down_from_the_team_at_any_depth(world):
    mobile = services.team_create(member=world.alice, name="Mobile", parent_id=world.platform.pk)
    ios = services.team_create(member=world.alice, name="iOS", parent_id=mobile.pk)
    services.team_create(member=world.alice, name="Sales", parent_id=world.root.pk)
    expected = {world.platform.pk, mobile.pk, ios.pk}
    assert set(team_subtree_ids(world.platform)) == expected
    assert set(team_subtree(world.platform).values_list("pk", flat=True)) == expected
    assert team_subtree_ids(ios) == [ios.pk]
