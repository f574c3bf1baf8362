"""Reads for adoption and maturity: the figures of one team, a group of teams (a level
of the tree, a rollout phase, the pilot teams or the rest) or the whole organisation in
a cycle, the trend over cycles, and each team's maturity stage.

Everything is counted once for the whole organisation by `adoption_counts.counts_load`
(a fixed number of queries whatever the number of teams), then summed for any group.
Counts are of everything in the organisation, private objectives included: they are
numbers, never titles. A team's own calibration verdict is private to its people (the
interfaces decide who sees it); a group's calibration is an aggregate and follows the
minimum group size of the calibration page's levels (`adoption_counts.group_verdict`).
Definitions and a worked example: docs/adoption.md.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from django.db.models import Q

from headway.accounts.models import Organisation
from headway.goals.models import Cycle
from headway.rollout.models import PhaseTeam, RolloutPhase
from headway.teams.models import Team

from . import adoption_counts
from .adoption_counts import (
    Counts,
    TeamNode,
    checkin_weeks,
    counts_load,
    group_verdict,
    subtrees,
    team_tree,
)
from .metrics.adoption import Adoption, Facts, Stage

__all__ = [
    "AdoptionReport",
    "Group",
    "Pilot",
    "TeamFigures",
    "TeamNode",
    "TrendPoint",
    "adoption_facts",
    "adoption_of_teams",
    "adoption_report",
    "adoption_trend",
    "checkin_weeks",
    "counts_load",
    "cycles_of_kind",
    "group_verdict",
    "pilot_of_plan",
    "subtrees",
    "team_adoption",
    "teams_with_subtrees",
]


# --- what callers ask for -------------------------------------------------------------------


def cycles_of_kind(
    organisation: Organisation, cycle: Cycle, today: dt.date | None = None
) -> list[Cycle]:
    """The organisation's cycles of `cycle`'s kind (the quarters, say) that have started
    by today, and `cycle` itself, oldest first: the trend's cycles. One query."""
    today = today or adoption_counts.organisation_today(organisation)
    found = Cycle.objects.filter(
        Q(start_date__lte=today) | Q(pk=cycle.pk),
        organisation_id=organisation.pk,
        kind=cycle.kind,
    )
    return list(found.order_by("start_date", "-end_date", "pk"))


def adoption_facts(
    organisation: Organisation, cycle: Cycle, today: dt.date | None = None
) -> dict[int, Facts]:
    """Every team's facts in `cycle`, by team id, each with its own calibration verdict
    (private to the team's people). A fixed number of queries whatever the number of
    teams (see `counts_load`)."""
    counts = counts_load(organisation, [cycle], today)
    return {team: counts.team_facts(cycle, team) for team in counts.team_ids()}


def adoption_of_teams(
    organisation: Organisation,
    team_ids: Collection[int],
    cycle: Cycle,
    today: dt.date | None = None,
) -> Adoption:
    """The figures of a group of the organisation's teams in `cycle` (ids of other
    organisations' teams are ignored). People count once however many of the teams
    they are in; calibration is the group's aggregate (`group_verdict`)."""
    counts = counts_load(organisation, [cycle], today)
    ours = set(counts.team_ids()) & set(team_ids)
    return counts.adoption_of(cycle, ours)


def teams_with_subtrees(organisation: Organisation, rows: Iterable[tuple[int, bool]]) -> set[int]:
    """Team ids from (team id, with its subtree) pairs, as a rollout phase lists its
    teams: one query for the tree."""
    rows = list(rows)
    teams = team_tree(organisation)
    known = {t.id for t in teams}
    flat = {team for team, below in rows if not below and team in known}
    return flat | subtrees(teams, [team for team, below in rows if below])


@dataclass(frozen=True)
class Pilot:
    """Where the pilot teams come from: the first phase of the latest rollout plan, or
    the teams picked on the page (`phase` None)."""

    phase: RolloutPhase | None
    team_ids: frozenset[int]


def pilot_of_plan(organisation: Organisation) -> Pilot | None:
    """The teams of the latest rollout plan's first phase (a team `with_subtree` brings
    the teams below it); None without a plan or phase. Two queries."""
    phase = (
        RolloutPhase.objects.filter(organisation_id=organisation.pk)
        .select_related("plan")
        .order_by("-plan__created_at", "-plan_id", "order", "starts_on", "pk")
        .first()
    )
    if phase is None:
        return None
    rows = PhaseTeam.objects.filter(phase=phase).values_list("team_id", "with_subtree")
    return Pilot(phase, frozenset(teams_with_subtrees(organisation, rows)))


@dataclass(frozen=True)
class Group:
    """A group of teams and its figures in one cycle: a level, the pilot, the rest."""

    label: str
    team_ids: frozenset[int]
    adoption: Adoption
    stages: tuple[int, ...]  # how many of its teams are at stage 0, 1, ... 5


@dataclass(frozen=True)
class TeamFigures:
    team: TeamNode
    adoption: Adoption
    stage: Stage
    pilot: bool = False


@dataclass
class AdoptionReport:
    """What the adoption page shows of one cycle."""

    cycle: Cycle
    previous: Cycle | None  # the cycle before, of the same kind (for the stages)
    today: dt.date
    organisation: Group
    levels: list[Group]
    teams: list[TeamFigures]
    pilot: Group | None = None
    rest: Group | None = None
    pilot_source: Pilot | None = None


def _stages(stages: Iterable[Stage]) -> tuple[int, ...]:
    found = [0] * 6
    for stage in stages:
        found[stage.number] += 1
    return tuple(found)


def _group(counts: Counts, cycle: Cycle, label: str, ids: Iterable[int]) -> Group:
    ids = frozenset(ids)
    stages = _stages(counts.stage(t, cycle) for t in ids)
    return Group(label, ids, counts.adoption_of(cycle, ids), stages)


def level_label(depth: int) -> str:
    return "Top of the tree" if depth == 0 else f"Level {depth}"


def _levels(counts: Counts, cycle: Cycle) -> list[Group]:
    by_depth: dict[int, list[int]] = defaultdict(list)
    for team in counts.teams:
        by_depth[team.depth].append(team.id)
    return [_group(counts, cycle, level_label(d), ids) for d, ids in sorted(by_depth.items())]


def adoption_report(
    organisation: Organisation,
    cycle: Cycle,
    pilot: Collection[int] | Pilot | None = None,
    today: dt.date | None = None,
) -> AdoptionReport:
    """The organisation's figures in `cycle`, per level of the team tree and per team
    with its stage, and the pilot teams beside the rest when `pilot` names some (a
    collection of team ids, or a `Pilot`). Loads `cycle` and the cycle of its kind
    just before it, which the stages read."""
    today = today or adoption_counts.organisation_today(organisation)
    kind = cycles_of_kind(organisation, cycle, today)
    at = next(n for n, c in enumerate(kind) if c.pk == cycle.pk)
    counts = counts_load(organisation, kind[max(0, at - 1) : at + 1], today)
    source = pilot if isinstance(pilot, Pilot) else None
    wanted = source.team_ids if source else pilot if not isinstance(pilot, Pilot) else ()
    chosen = set(wanted or ()) & set(counts.team_ids())
    every = counts.team_ids()
    report = AdoptionReport(
        cycle=cycle,
        previous=counts.before(cycle),
        today=counts.today,
        organisation=_group(counts, cycle, organisation.name, every),
        levels=_levels(counts, cycle),
        teams=[
            TeamFigures(
                t, counts.team_adoption(cycle, t.id), counts.stage(t.id, cycle), t.id in chosen
            )
            for t in counts.teams
        ],
        pilot_source=source,
    )
    if chosen:
        report.pilot = _group(counts, cycle, "Pilot teams", chosen)
        report.rest = _group(counts, cycle, "The rest", set(every) - chosen)
    return report


@dataclass(frozen=True)
class TrendPoint:
    """One cycle of the trend: the organisation, each level, and the stages of its teams."""

    cycle: Cycle
    organisation: Group
    levels: list[Group]


def adoption_trend(
    organisation: Organisation, cycle: Cycle, today: dt.date | None = None
) -> list[TrendPoint]:
    """The organisation's figures over its cycles of `cycle`'s kind, oldest first (see
    `cycles_of_kind`), with each level and the number of teams at each stage. One load
    for every cycle: a fixed number of queries, two more per closed cycle."""
    counts = counts_load(organisation, cycles_of_kind(organisation, cycle, today), today)
    every = counts.team_ids()
    return [
        TrendPoint(
            c.cycle,
            _group(counts, c.cycle, organisation.name, every),
            _levels(counts, c.cycle),
        )
        for c in counts.cycles
    ]


def team_adoption(
    organisation: Organisation, team: Team, cycle: Cycle, today: dt.date | None = None
) -> tuple[Adoption, Stage, list[tuple[Cycle, Adoption, Stage]]]:
    """One team's figures and stage in `cycle`, and its history over the cycles of that
    kind (oldest first), each with its stage then."""
    counts = counts_load(organisation, cycles_of_kind(organisation, cycle, today), today)
    history = [
        (c.cycle, counts.team_adoption(c.cycle, team.pk), counts.stage(team.pk, c.cycle))
        for c in counts.cycles
    ]
    return counts.team_adoption(cycle, team.pk), counts.stage(team.pk, cycle), history
