"""Reads for the cycle close: each objective of a cycle with its key results' scores,
its own score and its retrospective, grouped by owner. The maths is goals.scoring's;
this module fetches the rows in a fixed number of queries and pairs them with it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import overload

from django.db.models import F, Prefetch, QuerySet
from django.http import Http404

from headway.accounts.models import Membership
from headway.teams.models import Team, TeamMembership

from . import scoring
from .models import Cycle, CycleStatus, KeyResult, KeyResultStatus, Objective
from .selectors import cycles_list, objectives_visible


@dataclass(frozen=True)
class KeyResultScore:
    """A key result at close: its final progress, computed score and any override."""

    key_result: KeyResult
    computed: float | None

    @property
    def override(self) -> float | None:
        return self.key_result.score_override

    @property
    def reason(self) -> str:
        return self.key_result.score_reason

    @property
    def dropped(self) -> bool:
        return self.key_result.status == KeyResultStatus.DROPPED

    @property
    def score(self) -> float | None:
        return None if self.dropped else scoring.effective_score(self.computed, self.override)


@dataclass(frozen=True)
class ObjectiveScore:
    """An objective at close: its key results' scores, its own, its retrospective."""

    objective: Objective
    key_results: list[KeyResultScore]
    computed: float | None
    can_edit: bool = False
    carried_to: list[Objective] = field(default_factory=list)

    @property
    def override(self) -> float | None:
        return self.objective.score_override

    @property
    def reason(self) -> str:
        return self.objective.score_reason

    @property
    def score(self) -> float | None:
        return scoring.effective_score(self.computed, self.override)

    @property
    def has_retrospective(self) -> bool:
        o = self.objective
        return bool(o.retro_went_well or o.retro_learned or o.retro_next)

    @property
    def locked(self) -> bool:
        return self.objective.cycle.status == CycleStatus.CLOSED


@dataclass(frozen=True)
class ScoreGroup:
    """The objectives of one owner: a team, or a person for personal objectives."""

    label: str
    team: Team | None
    objectives: list[ObjectiveScore]

    @property
    def score(self) -> float | None:
        """The owner's mean objective score, unweighted: each objective counts once."""
        return scoring.weighted_mean((1.0, item.score) for item in self.objectives)


@dataclass(frozen=True)
class CycleScores:
    cycle: Cycle
    groups: list[ScoreGroup]

    @property
    def objectives(self) -> list[ObjectiveScore]:
        return [item for group in self.groups for item in group.objectives]

    @property
    def can_edit_any(self) -> bool:
        return any(item.can_edit for item in self.objectives)


def key_result_score_of(key_result: KeyResult) -> KeyResultScore:
    return KeyResultScore(
        key_result, scoring.key_result_score(key_result.progress, key_result.kind)
    )


def objective_score_of(
    objective: Objective,
    key_results: list[KeyResult],
    *,
    can_edit: bool = False,
    carried_to: list[Objective] | None = None,
) -> ObjectiveScore:
    """Pair an objective and its (already loaded) key results with their scores."""
    rows = [key_result_score_of(kr) for kr in key_results]
    computed = scoring.objective_score(
        scoring.ScoredKeyResult(kr.key_result.weight, kr.computed, kr.override, kr.dropped)
        for kr in rows
    )
    return ObjectiveScore(objective, rows, computed, can_edit, carried_to or [])


def _team_ids(member: Membership) -> set[int]:
    return set(
        TeamMembership.objects.filter(
            organisation_id=member.organisation_id, user_id=member.user_id
        ).values_list("team_id", flat=True)
    )


def _scored(member: Membership, objectives: QuerySet[Objective]) -> list[ObjectiveScore]:
    """Scores of these objectives: one query for them, one for their key results, one
    for where they were carried over to, and one for the member's teams."""
    later = objectives_visible(member).select_related("cycle").order_by("cycle__start_date", "pk")
    rows = list(
        objectives.select_related("cycle", "owner_team", "owner_user").prefetch_related(
            Prefetch(
                "key_results",
                queryset=KeyResult.objects.select_related("owner").order_by("order", "pk"),
            ),
            Prefetch("carried_to", queryset=later),
        )
    )
    if not member.can_write:
        writable: set[int] = set()
    elif member.is_admin:
        writable = {o.pk for o in rows}
    else:
        teams = _team_ids(member) if rows else set()
        writable = {
            o.pk for o in rows if o.owner_user_id == member.user_id or o.owner_team_id in teams
        }
    return [
        objective_score_of(
            o,
            list(o.key_results.all()),
            can_edit=o.pk in writable,
            carried_to=list(o.carried_to.all()),
        )
        for o in rows
    ]


def cycle_objectives(member: Membership, cycle: Cycle) -> QuerySet[Objective]:
    """The cycle's objectives this member may see, team by team (by team name), then
    personal ones by person, each in its own order."""
    return (
        objectives_visible(member)
        .filter(cycle=cycle)
        .order_by(
            F("owner_team__name").asc(nulls_last=True),
            "owner_team_id",
            "owner_user__name",
            "owner_user_id",
            "order",
            "pk",
        )
    )


def cycle_scores(member: Membership, cycle: Cycle) -> CycleScores:
    """Every visible objective of the cycle with its scores and retrospective, grouped
    by owner, in a fixed number of queries whatever their number."""
    groups: list[ScoreGroup] = []
    last: tuple[str, int | None] | None = None
    for item in _scored(member, cycle_objectives(member, cycle)):
        objective = item.objective
        owner = (
            ("team", objective.owner_team_id)
            if objective.owner_team_id
            else ("person", objective.owner_user_id)
        )
        if owner != last:
            groups.append(ScoreGroup(objective.owner_name, objective.owner_team, []))
            last = owner
        groups[-1].objectives.append(item)
    return CycleScores(cycle, groups)


def objective_score_get(member: Membership, objective_id: int) -> ObjectiveScore:
    """One visible objective with its scores (404 otherwise), as on the close page."""
    found = _scored(member, objectives_visible(member).filter(pk=objective_id))
    if not found:
        raise Http404("No such objective.")
    return found[0]


class ObjectiveScoresPage(Sequence[ObjectiveScore]):
    """A cycle's objective scores that load only the slice asked for: the API pages
    them with the fixed query count of `_scored` per page."""

    def __init__(self, member: Membership, objectives: QuerySet[Objective]) -> None:
        self.member = member
        self.objectives = objectives

    def __len__(self) -> int:
        return self.objectives.count()

    @overload
    def __getitem__(self, index: int) -> ObjectiveScore: ...

    @overload
    def __getitem__(self, index: slice) -> list[ObjectiveScore]: ...

    def __getitem__(self, index: int | slice) -> ObjectiveScore | list[ObjectiveScore]:
        if isinstance(index, slice):
            return _scored(self.member, self.objectives[index])
        return _scored(self.member, self.objectives[index : index + 1])[0]

    def __iter__(self) -> Iterator[ObjectiveScore]:
        return iter(_scored(self.member, self.objectives))


def cycle_scores_paged(member: Membership, cycle: Cycle) -> ObjectiveScoresPage:
    return ObjectiveScoresPage(member, cycle_objectives(member, cycle))


def carry_over_targets(member: Membership, objective: Objective) -> list[Cycle]:
    """Cycles an objective can be carried over into: planned or running, ending after
    its own, and not one it was already carried into; the soonest first."""
    taken = Objective.objects.filter(carried_from=objective).values("cycle_id")
    return list(
        cycles_list(member)
        .exclude(status=CycleStatus.CLOSED)
        .filter(end_date__gt=objective.cycle.end_date)
        .exclude(pk__in=taken)
        .order_by("start_date", "end_date", "name")
    )
