"""A subtree of the alignment map, level by level, each level paged.

Level 1 holds the objectives aligned directly to the root (a theme, an objective or
one of its key results, or, for the whole strategy, any theme); level n+1 those
aligned to an objective of level n. An objective with parents on two levels appears
on both, as on the map. Every level is a queryset built on the one before, so a
level's size is counted in the database and only the requested page of it is read:
a fixed number of queries per level, whatever the organisation's size. Objectives the
member may not see are counted per level as private and not walked through.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from headway.accounts.models import Membership

from ..models import AlignmentLink, Cycle, Objective, Theme
from ..selectors import objectives_visible
from .common import objective_band, overlapping
from .map import _child_counts

MAX_DEPTH = 5


@dataclass
class TreeRoot:
    """Where the subtree starts: one theme, one objective, or the whole strategy."""

    type: str  # "strategy", "theme" or "objective"
    theme: Theme | None = None
    objective: Objective | None = None


@dataclass
class TreeItem:
    objective: Objective
    band: str
    parents: list[dict[str, Any]]
    children: int
    private_children: int


@dataclass
class TreeLevel:
    level: int
    count: int
    private: int
    items: list[TreeItem] = field(default_factory=list)
    has_more: bool = False


def _below(objectives: QuerySet[Objective], parents: QuerySet[Objective]) -> QuerySet[Objective]:
    return objectives.filter(
        Q(parent_links__parent_objective__in=parents)
        | Q(parent_links__parent_key_result__objective__in=parents)
    )


def _first_level(
    root: TreeRoot, member: Membership, candidates: QuerySet[Objective]
) -> QuerySet[Objective]:
    if root.type == "objective":
        return _below(candidates, Objective.objects.filter(pk=root.objective.pk))  # type: ignore[union-attr]
    if root.type == "theme":
        return candidates.filter(parent_links__parent_theme=root.theme)
    themes = Theme.objects.filter(organisation_id=member.organisation_id, archived_at=None)
    return candidates.filter(parent_links__parent_theme__in=themes)


def alignment_tree(
    member: Membership,
    cycle: Cycle,
    root: TreeRoot,
    depth: int,
    *,
    page: int = 1,
    page_size: int = 50,
    today: dt.date | None = None,
) -> list[TreeLevel]:
    """`depth` levels below `root` in `cycle` (and the cycles overlapping it), page
    `page` of each."""
    today = today or dt.date.today()
    visible = objectives_visible(member)
    everyone = overlapping(Objective.objects.filter(organisation_id=member.organisation_id), cycle)
    seen = overlapping(visible, cycle)
    levels: list[TreeLevel] = []
    current = _first_level(root, member, seen).distinct()
    hidden = _first_level(root, member, everyone).exclude(pk__in=visible).distinct()
    for level in range(1, depth + 1):
        levels.append(_level(level, current, hidden, visible, cycle, page, page_size, today))
        if not levels[-1].count:
            break
        parents = current
        current = _below(seen, parents).distinct()
        hidden = _below(everyone, parents).exclude(pk__in=visible).distinct()
    return levels


def _level(
    level: int,
    objectives: QuerySet[Objective],
    hidden: QuerySet[Objective],
    visible: QuerySet[Objective],
    cycle: Cycle,
    page: int,
    page_size: int,
    today: dt.date,
) -> TreeLevel:
    count = objectives.count()
    start = (page - 1) * page_size
    rows = list(
        Objective.objects.filter(pk__in=objectives.values("pk"))
        .select_related("cycle", "owner_team", "owner_user")
        .order_by("owner_team__name", "title", "pk")[start : start + page_size]
    )
    ids = [o.pk for o in rows]
    counts = _child_counts(visible, ids, cycle)
    parents = _parents(visible, ids)
    items = [
        TreeItem(
            o,
            objective_band(o, today),
            parents.get(o.pk, []),
            counts.get(o.pk, (0, 0))[0],
            counts.get(o.pk, (0, 0))[1] - counts.get(o.pk, (0, 0))[0],
        )
        for o in rows
    ]
    return TreeLevel(level, count, hidden.count(), items, start + len(rows) < count)


def _parents(visible: QuerySet[Objective], ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The links up from these objectives whose parent the member may see."""
    links = (
        AlignmentLink.objects.filter(child_id__in=ids)
        .filter(Q(parent_objective__isnull=True) | Q(parent_objective__in=visible))
        .filter(Q(parent_key_result__isnull=True) | Q(parent_key_result__objective__in=visible))
        .values_list(
            "child_id",
            "parent_theme_id",
            "parent_objective_id",
            "parent_key_result_id",
            "parent_key_result__objective_id",
            "kind",
            "weight",
        )
        .order_by("pk")
    )
    out: dict[int, list[dict[str, Any]]] = {}
    for child, theme, objective, key_result, via, kind, weight in links:
        out.setdefault(child, []).append(
            {
                "type": "theme" if theme else "objective",
                "id": theme or objective or via,
                "key_result_id": key_result,
                "kind": kind,
                "weight": weight,
            }
        )
    return out
