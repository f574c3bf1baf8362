"""Reads of the team tree, scoped to the member's organisation.

Tree queries are restricted to one organisation inside the recursive CTE
(`tree_filter`), so their cost follows the organisation's size, not the table's.
"""

from __future__ import annotations

from typing import Any, cast

from django.db import connection
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from headway.accounts.models import Membership

from .models import Team, TeamMembership

# django-tree-queries ships no type information: name the manager's type here once.
_teams = cast(Any, Team.objects)


def teams_tree(member: Membership) -> QuerySet[Team]:
    """All teams of the organisation in depth-first order with `tree_depth` and their
    number of people (for pickers and the API; the tree page uses `teams_top`)."""
    return cast(
        QuerySet[Team],
        _teams.tree_filter(organisation_id=member.organisation_id)
        .with_tree_fields()
        .order_siblings_by("name")
        .annotate(people=Count("memberships")),
    )


def _annotated(teams: QuerySet[Team]) -> QuerySet[Team]:
    """People and sub-team counts for the rows of the tree page."""
    sub_teams = (
        Team.objects.filter(parent=OuterRef("pk"))
        .order_by()
        .values("parent")
        .annotate(n=Count("pk"))
        .values("n")
    )
    annotated = teams.annotate(
        people=Count("memberships"), sub_teams=Coalesce(Subquery(sub_teams), 0)
    )
    return cast(QuerySet[Team], annotated.order_by("name"))


def teams_top(member: Membership, depth: int) -> list[Team]:
    """The first `depth` + 1 levels of the tree in depth-first order, one indexed query
    per level: the cost follows the rows shown, not the organisation's size (the
    whole-tree CTE builds every team first)."""
    org = member.organisation_id
    by_parent: dict[int | None, list[Team]] = {}
    level = list(_annotated(Team.objects.filter(organisation_id=org, parent__isnull=True)))
    for number in range(depth + 1):
        for team in level:
            team.tree_depth = number
            by_parent.setdefault(team.parent_id, []).append(team)
        if number == depth or not level:
            break
        level = list(
            _annotated(
                Team.objects.filter(organisation_id=org, parent_id__in=[t.pk for t in level])
            )
        )
    ordered: list[Team] = []

    def visit(parent_id: int | None) -> None:
        for team in by_parent.get(parent_id, []):
            ordered.append(team)
            visit(team.pk)

    visit(None)
    return ordered


def team_children(member: Membership, team: Team) -> list[Team]:
    """The direct sub-teams of a team, annotated like the tree, one level below it."""
    depth = len(team_ancestors(team)) + 1
    children = list(
        _annotated(Team.objects.filter(organisation_id=member.organisation_id, parent=team))
    )
    for child in children:
        child.tree_depth = depth
    return children


def team_get(member: Membership, team_id: int) -> Team:
    team: Team | None = _teams.filter(organisation_id=member.organisation_id, pk=team_id).first()
    if team is None:
        raise Http404("No such team.")
    return team


def team_get_by_slug(member: Membership, slug: str) -> Team:
    team: Team | None = _teams.filter(organisation_id=member.organisation_id, slug=slug).first()
    if team is None:
        raise Http404("No such team.")
    return team


# Walks up from one team only, so the cost follows the team's depth, not the size of
# the organisation (tree-queries' ancestors() builds the whole tree and needs a second
# query for the path).
_ANCESTORS_SQL = """
WITH RECURSIVE up (id, parent_id, steps) AS (
    SELECT parent.id, parent.parent_id, 1
      FROM teams_team AS child JOIN teams_team AS parent ON parent.id = child.parent_id
     WHERE child.id = %s
    UNION ALL
    SELECT t.id, t.parent_id, up.steps + 1
      FROM teams_team AS t JOIN up ON t.id = up.parent_id
)
SELECT teams_team.* FROM teams_team JOIN up ON up.id = teams_team.id ORDER BY up.steps DESC
"""


def team_ancestors(team: Team) -> list[Team]:
    """The team's ancestors from the root down, in one query."""
    return list(Team.objects.raw(_ANCESTORS_SQL, [team.pk]))


_SUBTREE_SQL = """
WITH RECURSIVE down (id) AS (
    SELECT id FROM teams_team WHERE id = %s
    UNION ALL
    SELECT t.id FROM teams_team AS t JOIN down ON t.parent_id = down.id
)
SELECT id FROM down
"""


def team_subtree_ids(team: Team) -> list[int]:
    """The ids of the team and every team below it, in one query that walks down from
    the team (its cost follows the subtree, not the organisation; see ADR 0002)."""
    with connection.cursor() as cursor:
        cursor.execute(_SUBTREE_SQL, [team.pk])
        return [row[0] for row in cursor.fetchall()]


def team_subtree(team: Team) -> QuerySet[Team]:
    subtree = _teams.tree_filter(organisation_id=team.organisation_id)
    return cast(QuerySet[Team], subtree.descendants(team, include_self=True))


def team_members(team: Team) -> QuerySet[TeamMembership]:
    return (
        TeamMembership.objects.filter(team=team)
        .select_related("user")
        .order_by("role", "user__name")
    )


def teams_of_user(member: Membership) -> QuerySet[Team]:
    return cast(
        QuerySet[Team],
        _teams.filter(organisation_id=member.organisation_id, memberships__user_id=member.user_id),
    )
