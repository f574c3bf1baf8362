"""What the alignment reads share: the steady pace, status bands, link rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from headway.accounts.models import Membership
from headway.teams.models import Team

from .. import alignment
from ..models import AlignmentLink, Cycle, Objective

# --- shared -----------------------------------------------------------------------------


def cycle_elapsed(cycle: Cycle, today: dt.date) -> float:
    """The share of the cycle behind us on `today`, 0..1 (the steady pace)."""
    span = (cycle.end_date - cycle.start_date).days
    if span <= 0:
        return 1.0
    return min(1.0, max(0.0, (today - cycle.start_date).days / span))


def objective_band(objective: Objective, today: dt.date) -> str:
    """The map's status band of an objective (its cycle must be loaded)."""
    return alignment.progress_status(
        objective.status, objective.progress, cycle_elapsed(objective.cycle, today)
    )


def _edge(row: tuple[Any, ...]) -> alignment.Edge:
    """An Edge from (id, child, theme, objective, key result, key result's objective,
    kind, weight)."""
    pk, child, theme, objective, key_result, via, kind, weight = row[:8]
    if theme is not None:
        return alignment.Edge(child, theme, alignment.THEME, kind, weight, None, pk)
    if objective is not None:
        return alignment.Edge(child, objective, alignment.OBJECTIVE, kind, weight, None, pk)
    return alignment.Edge(child, via, alignment.KEY_RESULT, kind, weight, key_result, pk)


EDGE_COLUMNS = (
    "pk",
    "child_id",
    "parent_theme_id",
    "parent_objective_id",
    "parent_key_result_id",
    "parent_key_result__objective_id",
    "kind",
    "weight",
)


def organisation_edges(organisation_id: int) -> list[alignment.Edge]:
    """Every alignment link of the organisation as a graph edge, in one query."""
    rows = AlignmentLink.objects.filter(organisation_id=organisation_id).values_list(*EDGE_COLUMNS)
    return [_edge(row) for row in rows]


def overlapping(objectives: QuerySet[Objective], cycle: Cycle) -> QuerySet[Objective]:
    """Objectives whose cycle overlaps `cycle`: a quarter shows its year's objectives."""
    return objectives.filter(
        cycle__start_date__lte=cycle.end_date, cycle__end_date__gte=cycle.start_date
    )


def links_below(objective_ids: Any) -> Q:
    """Links into these objectives or one of their key results."""
    return Q(parent_objective_id__in=objective_ids) | Q(
        parent_key_result__objective_id__in=objective_ids
    )


PICKER_DEPTH = 2


def teams_for_picker(member: Membership, chosen: Team | None = None) -> list[tuple[Team, int]]:
    """(team, depth) for a team picker, in tree order: the top levels of the tree
    (down to PICKER_DEPTH), and the chosen team wherever it sits. Plain joins in one
    query, not the whole tree: an organisation may have thousands of teams, more than
    a picker can usefully list."""
    near_top = Q(parent__isnull=True)
    path = "parent"
    for _ in range(PICKER_DEPTH):
        near_top |= Q(**{f"{path}__parent__isnull": True})
        path += "__parent"
    teams = {
        t.pk: t
        for t in Team.objects.filter(organisation_id=member.organisation_id).filter(
            near_top | Q(pk=chosen.pk if chosen else None)
        )
    }

    def line(team: Team) -> list[str]:
        names = [team.name.lower()]
        parent = teams.get(team.parent_id or 0)
        while parent is not None:
            names.insert(0, parent.name.lower())
            parent = teams.get(parent.parent_id or 0)
        return names

    ordered = sorted(teams.values(), key=line)
    return [(t, len(line(t)) - 1) for t in ordered]
