"""The alignment map: strategy at the top, one level at a time below it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce

from headway.accounts.models import Membership
from headway.teams.models import Team
from headway.teams.selectors import team_subtree

from ..models import AlignmentLink, Cycle, Objective, ObjectiveStatus, Theme
from ..selectors import objectives_visible, themes_list
from .common import links_below, objective_band, overlapping


@dataclass
class ParentLabel:
    """What a top objective of a team aligns to, as the map names it."""

    kind: str
    type: str  # theme, objective, key_result or private
    title: str | None
    objective_id: int | None = None
    theme_id: int | None = None


@dataclass
class MapRow:
    """An objective on the map with the link that puts it there and how many
    objectives are aligned below it (those the member may see, and the rest)."""

    objective: Objective
    band: str
    link_kind: str | None = None
    link_weight: float = 1.0
    key_result_title: str | None = None
    children: int = 0
    private_children: int = 0
    parents: list[ParentLabel] = field(default_factory=list)


@dataclass
class TeamGroup:
    name: str
    team: Team | None
    rows: list[MapRow] = field(default_factory=list)

    @property
    def team_id(self) -> int | None:
        return self.team.pk if self.team else None


@dataclass
class ThemeBlock:
    """A theme on the map with the objectives aligned directly to it, by team."""

    theme: Theme
    groups: list[TeamGroup] = field(default_factory=list)
    private: int = 0

    @property
    def count(self) -> int:
        return sum(len(group.rows) for group in self.groups)


@dataclass
class StrategyBlock:
    """The top of a subtree: the organisation's strategy, or a bubble root's own."""

    statement: str
    themes: list[ThemeBlock]
    bubble: Team | None = None


@dataclass
class AlignmentMap:
    """The first level of the map: strategy blocks, or a team's top objectives."""

    cycle: Cycle
    blocks: list[StrategyBlock] = field(default_factory=list)
    team: Team | None = None
    roots: list[TeamGroup] = field(default_factory=list)
    unaligned: list[MapRow] = field(default_factory=list)
    unaligned_count: int = 0

    UNALIGNED_SHOWN = 20


def _group_rows(rows: list[MapRow]) -> list[TeamGroup]:
    """Rows by owning team (personal objectives by person), teams in name order."""
    groups: dict[tuple[str, int | None], TeamGroup] = {}
    for row in rows:
        objective = row.objective
        key = (objective.owner_name, objective.owner_team_id)
        group = groups.setdefault(key, TeamGroup(key[0], objective.owner_team))
        group.rows.append(row)
    return sorted(groups.values(), key=lambda g: (g.team is None, g.name.lower()))


def _child_counts(
    visible: QuerySet[Objective], objective_ids: list[int], cycle: Cycle
) -> dict[int, tuple[int, int]]:
    """For each objective: (children the member may see, children in all), counting
    the objectives aligned to it or to one of its key results in the cycle. One query."""
    if not objective_ids:
        return {}
    rows = (
        AlignmentLink.objects.filter(links_below(objective_ids))
        .filter(child__cycle__start_date__lte=cycle.end_date)
        .filter(child__cycle__end_date__gte=cycle.start_date)
        .annotate(target=Coalesce("parent_objective_id", "parent_key_result__objective_id"))
        .values("target")
        .annotate(
            seen=Count("child", distinct=True, filter=Q(child__in=visible)),
            total=Count("child", distinct=True),
        )
    )
    return {r["target"]: (r["seen"], r["total"]) for r in rows}


def _rows(
    visible: QuerySet[Objective],
    links: list[AlignmentLink] | None,
    objectives: list[Objective],
    cycle: Cycle,
    today: dt.date,
) -> list[MapRow]:
    """Map rows for these objectives (with the link that placed each, if any)."""
    counts = _child_counts(visible, [o.pk for o in objectives], cycle)
    rows = []
    for n, objective in enumerate(objectives):
        seen, total = counts.get(objective.pk, (0, 0))
        row = MapRow(objective, objective_band(objective, today), children=seen)
        row.private_children = total - seen
        if links is not None:
            link = links[n]
            row.link_kind, row.link_weight = link.kind, link.weight
            row.key_result_title = link.parent_key_result.title if link.parent_key_result else None
        rows.append(row)
    return rows


_ROW_FIELDS = ("child__cycle", "child__owner_team", "child__owner_user")


def _theme_blocks(
    member: Membership, visible: QuerySet[Objective], cycle: Cycle, today: dt.date
) -> list[StrategyBlock]:
    themes = list(themes_list(member).order_by("team__name", "order", "title"))
    links = list(
        AlignmentLink.objects.filter(
            organisation_id=member.organisation_id, parent_theme__in=[t.pk for t in themes]
        )
        .filter(child__in=overlapping(visible, cycle))
        .select_related(*_ROW_FIELDS)
        .order_by("child__title", "pk")
    )
    hidden = dict(
        AlignmentLink.objects.filter(parent_theme__in=[t.pk for t in themes])
        .filter(child__in=overlapping(Objective.objects.all(), cycle))
        .exclude(child__in=visible)
        .values("parent_theme")
        .annotate(n=Count("pk"))
        .values_list("parent_theme", "n")
    )
    rows = _rows(visible, links, [link.child for link in links], cycle, today)
    by_theme: dict[int, list[MapRow]] = {}
    for link, row in zip(links, rows, strict=True):
        by_theme.setdefault(link.parent_theme_id or 0, []).append(row)
    blocks = {
        t.pk: ThemeBlock(t, _group_rows(by_theme.get(t.pk, [])), hidden.get(t.pk, 0))
        for t in themes
    }
    bubbles = Team.objects.filter(organisation_id=member.organisation_id, is_bubble_root=True)
    out = [
        StrategyBlock(
            member.organisation.strategy_statement,
            [blocks[t.pk] for t in themes if t.team_id is None],
        )
    ]
    for bubble in bubbles.order_by("name"):
        own = [blocks[t.pk] for t in themes if t.team_id == bubble.pk]
        out.append(StrategyBlock(bubble.strategy_statement, own, bubble))
    return out


def _team_roots(
    member: Membership, visible: QuerySet[Objective], cycle: Cycle, team: Team, today: dt.date
) -> list[TeamGroup]:
    """The team's part of the map: objectives of the team and the teams below it whose
    parents are outside that subtree, and what each aligns to."""
    inside = overlapping(visible, cycle).filter(owner_team__in=team_subtree(team).values("pk"))
    roots = list(
        inside.exclude(parent_links__parent_objective__in=inside)
        .exclude(parent_links__parent_key_result__objective__in=inside)
        .select_related("cycle", "owner_team", "owner_user")
        .order_by("title", "pk")
    )
    rows = _rows(visible, None, roots, cycle, today)
    labels = _parent_labels(visible, [o.pk for o in roots])
    for row in rows:
        row.parents = labels.get(row.objective.pk, [])
    return _group_rows(rows)


def _parent_labels(
    visible: QuerySet[Objective], objective_ids: list[int]
) -> dict[int, list[ParentLabel]]:
    links = list(
        AlignmentLink.objects.filter(child_id__in=objective_ids)
        .select_related("parent_theme", "parent_objective", "parent_key_result")
        .order_by("pk")
    )
    parents = {
        link.parent_objective_id or link.parent_key_result.objective_id  # type: ignore[union-attr]
        for link in links
        if not link.parent_theme_id
    }
    seen = set(visible.filter(pk__in=parents).values_list("pk", flat=True)) if parents else set()
    labels: dict[int, list[ParentLabel]] = {}
    for link in links:
        labels.setdefault(link.child_id, []).append(_parent_label(link, seen))
    return labels


def _parent_label(link: AlignmentLink, seen: set[int]) -> ParentLabel:
    if link.parent_theme is not None:
        return ParentLabel(
            link.kind, "theme", link.parent_theme.title, theme_id=link.parent_theme_id
        )
    if link.parent_objective is not None:
        above = link.parent_objective
        title = above.title
    else:
        above = link.parent_key_result.objective  # type: ignore[union-attr]
        title = link.parent_key_result.title  # type: ignore[union-attr]
    if above.pk not in seen:
        return ParentLabel(link.kind, "private", None)
    kind = "objective" if link.parent_objective is not None else "key_result"
    return ParentLabel(link.kind, kind, title, objective_id=above.pk)


def _unaligned(
    visible: QuerySet[Objective], cycle: Cycle, team: Team | None, today: dt.date
) -> tuple[list[MapRow], int]:
    """Objectives of the cycle aligned to nothing: the first few, and how many."""
    # A draft aligned to nothing is normal: it is not a commitment yet.
    orphans = (
        overlapping(visible, cycle)
        .filter(parent_links__isnull=True)
        .exclude(status=ObjectiveStatus.DRAFT)
    )
    if team is not None:
        orphans = orphans.filter(owner_team__in=team_subtree(team).values("pk"))
    shown = list(
        orphans.select_related("cycle", "owner_team", "owner_user").order_by("title", "pk")[
            : AlignmentMap.UNALIGNED_SHOWN
        ]
    )
    count = len(shown) if len(shown) < AlignmentMap.UNALIGNED_SHOWN else orphans.count()
    return _rows(visible, None, shown, cycle, today), count


def alignment_map(
    member: Membership, cycle: Cycle, team: Team | None = None, today: dt.date | None = None
) -> AlignmentMap:
    """The map's first level, in a fixed number of queries whatever the number of
    objectives: the organisation's and each bubble's themes with the objectives
    aligned directly to them (by team), or with `team`, that team's top objectives.
    Deeper levels load on demand (`map_children`)."""
    today = today or dt.date.today()
    visible = objectives_visible(member)
    result = AlignmentMap(cycle, team=team)
    if team is None:
        result.blocks = _theme_blocks(member, visible, cycle, today)
    else:
        result.roots = _team_roots(member, visible, cycle, team, today)
    result.unaligned, result.unaligned_count = _unaligned(visible, cycle, team, today)
    return result


@dataclass
class Branch:
    """The objectives aligned directly below one objective, by team: one page of
    them (`BRANCH_PAGE` rows), and how many there are in all."""

    parent: Objective
    cycle: Cycle
    groups: list[TeamGroup]
    private: int
    count: int = 0
    page: int = 1

    @property
    def shown(self) -> int:
        return sum(len(group.rows) for group in self.groups)

    @property
    def next_page(self) -> int | None:
        more = (self.page - 1) * BRANCH_PAGE + self.shown < self.count
        return self.page + 1 if more else None


BRANCH_PAGE = 50


def map_children(
    member: Membership,
    objective: Objective,
    cycle: Cycle,
    today: dt.date | None = None,
    page: int = 1,
) -> Branch:
    """One level below `objective` in `cycle` (and the cycles overlapping it), one
    page at a time (an objective of a large organisation may have hundreds of
    children), in a fixed number of queries."""
    today = today or dt.date.today()
    visible = objectives_visible(member)
    below = (
        AlignmentLink.objects.filter(links_below([objective.pk]))
        .filter(child__cycle__start_date__lte=cycle.end_date)
        .filter(child__cycle__end_date__gte=cycle.start_date)
    )
    seen = below.filter(child__in=visible)
    start = (max(1, page) - 1) * BRANCH_PAGE
    links = list(
        seen.select_related(*_ROW_FIELDS, "parent_key_result").order_by(
            "child__owner_team__name", "child__title", "pk"
        )[start : start + BRANCH_PAGE]
    )
    count = seen.count() if links or start else 0
    hidden = below.exclude(child__in=visible).values("child").distinct().count()
    rows = _rows(visible, links, [link.child for link in links], cycle, today)
    return Branch(objective, cycle, _group_rows(rows), hidden, count, max(1, page))
