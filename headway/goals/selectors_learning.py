"""Reads of the learning log: pivots and retrospectives as the member may see them,
what happened to each measure after its pivot, and a key result's target history.

The log mixes two sources (pivots, and the "what we learned" of closed objectives'
retrospectives), newest first. `LearningLog` is a lazy sequence over both, so Django's
Paginator and the API's pagination load one page at a time: two counts, two queries
for the page, and three to complete its pivots, whatever the number of entries.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, overload

from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from headway.accounts.models import Membership, User
from headway.insights.models import Flag
from headway.teams.models import Team
from headway.teams.selectors import team_subtree_ids

from .models import (
    CheckIn,
    Cycle,
    CycleStatus,
    Initiative,
    KeyResult,
    Objective,
    ObjectiveStatus,
    Pivot,
    TargetChange,
)
from .selectors import key_result_get_for_member, visible_q

MAX_QUERY_WORDS = 6
# Initiatives a pivot may stop: the work still planned or under way.
OPEN_INITIATIVES = (Initiative.Status.PLANNED, Initiative.Status.IN_PROGRESS)


@dataclass(frozen=True)
class Aftermath:
    """A pivot's measure then and now: the value and progress frozen when it was
    recorded, the key result's current ones, and the check-ins since."""

    value_at: float | None
    progress_at: float | None
    value_now: float | None
    progress_now: float | None
    checkins_since: int

    @property
    def points(self) -> int | None:
        """Change in progress, in percentage points (each against the target of its time)."""
        if self.progress_at is None or self.progress_now is None:
            return None
        return round((self.progress_now - self.progress_at) * 100)


@dataclass
class LearningEntry:
    """One entry of the log: a pivot on a key result, or a closed objective's
    retrospective (then `key_result`, `pivot` and `author` are None)."""

    kind: str  # "pivot" or "retrospective"
    at: dt.datetime
    objective: Objective
    key_result: KeyResult | None
    team: Team | None
    author: User | None
    tried: str
    learned: str
    next_step: str
    went_well: str = ""
    pivot: Pivot | None = None
    target_changes: list[TargetChange] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    aftermath: Aftermath | None = None

    @property
    def pivot_id(self) -> int | None:
        return self.pivot.pk if self.pivot else None

    @property
    def initiative_changes(self) -> list[dict[str, Any]]:
        return list(self.pivot.initiative_changes) if self.pivot else []


class LearningLog:
    """Pivots and retrospectives, newest first, loaded a slice at a time.

    Supports `len()` / `count()` and slicing, which is all Django's Paginator and
    ninja's pagination ask of a list.
    """

    def __init__(self, pivots: QuerySet[Pivot], retrospectives: QuerySet[Objective] | None) -> None:
        self.pivots = pivots.order_by("-created_at", "-pk")
        self.retrospectives = retrospectives

    @cached_property
    def _count(self) -> int:
        extra = self.retrospectives.count() if self.retrospectives is not None else 0
        return self.pivots.count() + extra

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> LearningEntry: ...
    @overload
    def __getitem__(self, index: slice) -> list[LearningEntry]: ...
    def __getitem__(self, index: int | slice) -> LearningEntry | list[LearningEntry]:
        if isinstance(index, int):
            found = self[index : index + 1]
            if not found:
                raise IndexError(index)
            return found[0]
        start, stop = index.start or 0, index.stop
        if stop is None:
            stop = self._count
        if stop <= start:
            return []
        # The top `stop` entries of the merged log are among the top `stop` of each source.
        entries = pivot_entries(list(with_details(self.pivots)[:stop]))
        if self.retrospectives is not None:
            entries += retrospective_entries(list(self.retrospectives[:stop]))
        entries.sort(key=lambda e: (e.at, e.kind == "pivot", e.objective.pk), reverse=True)
        return entries[start:stop]


def key_result_for_correction(member: Membership, key_result_id: int) -> KeyResult:
    """A key result the member may correct course on: the rule of check-ins (its
    owner, editors of its objective, admins); 404 when hidden, 403 otherwise."""
    try:
        return key_result_get_for_member(member, key_result_id, write=True)
    except PermissionDenied:
        raise PermissionDenied(
            "You can record pivots only on your own key results and those of your teams; "
            "ask a team lead or an admin."
        ) from None


def _words(query: str) -> list[str]:
    return query.split()[:MAX_QUERY_WORDS]


def _matching(fields: tuple[str, ...], query: str) -> Q:
    """Every word of the query in one of the fields, case-insensitively."""
    condition = Q()
    for word in _words(query):
        any_field = Q()
        for name in fields:
            any_field |= Q(**{f"{name}__icontains": word})
        condition &= any_field
    return condition


PIVOT_TEXT = ("tried", "learned", "next_step", "key_result__title", "objective__title")
RETRO_TEXT = ("retro_learned", "retro_went_well", "retro_next", "title")


def team_and_below(team: Team | None) -> list[int] | None:
    """The ids of a team and all its sub-teams (one query); None for no team."""
    if team is None:
        return None
    return team_subtree_ids(team)


def _cycle_id(cycle: Cycle | int | None) -> int | None:
    return cycle.pk if isinstance(cycle, Cycle) else cycle


def learning_pivots(
    member: Membership,
    *,
    team_ids: list[int] | None = None,
    query: str = "",
    cycle: Cycle | int | None = None,
    key_result: KeyResult | None = None,
) -> QuerySet[Pivot]:
    """Pivots on objectives the member may see, filtered like the log (`team_ids`:
    the teams whose pivots to keep, see `team_and_below`)."""
    pivots = Pivot.objects.filter(
        visible_q(member, "objective__"), organisation_id=member.organisation_id
    )
    if team_ids is not None:
        pivots = pivots.filter(team_id__in=team_ids)
    if (cycle_id := _cycle_id(cycle)) is not None:
        pivots = pivots.filter(objective__cycle_id=cycle_id)
    if key_result is not None:
        pivots = pivots.filter(key_result=key_result)
    return pivots.filter(_matching(PIVOT_TEXT, query))


def learning_retrospectives(
    member: Membership,
    *,
    team_ids: list[int] | None = None,
    query: str = "",
    cycle: Cycle | int | None = None,
) -> QuerySet[Objective]:
    """Closed objectives (or objectives of a closed cycle) whose retrospective says
    what was learned, newest first by the cycle's close."""
    objectives = Objective.objects.filter(
        visible_q(member), organisation_id=member.organisation_id
    ).filter(
        Q(status=ObjectiveStatus.CLOSED) | Q(cycle__status=CycleStatus.CLOSED),
        ~Q(retro_learned=""),
    )
    if team_ids is not None:
        objectives = objectives.filter(owner_team_id__in=team_ids)
    if (cycle_id := _cycle_id(cycle)) is not None:
        objectives = objectives.filter(cycle_id=cycle_id)
    return (
        objectives.filter(_matching(RETRO_TEXT, query))
        .annotate(closed_on=Coalesce("cycle__closed_at", "updated_at"))
        .select_related("owner_team", "cycle")
        .order_by("-closed_on", "-pk")
    )


def learning_log(
    member: Membership,
    *,
    team: Team | None = None,
    query: str = "",
    cycle: Cycle | int | None = None,
) -> LearningLog:
    """The learning log of the organisation, or of a team and its sub-teams: pivots and
    retrospectives the member may see, newest first, searchable, paged lazily."""
    query = (query or "").strip()
    team_ids = team_and_below(team)
    return LearningLog(
        learning_pivots(member, team_ids=team_ids, query=query, cycle=cycle),
        learning_retrospectives(member, team_ids=team_ids, query=query, cycle=cycle),
    )


def key_result_pivots(member: Membership, key_result: KeyResult) -> LearningLog:
    """One key result's pivots, newest first, as log entries (the caller checked that
    the member may see the key result)."""
    return LearningLog(learning_pivots(member, key_result=key_result), None)


def pivot_get_for_member(member: Membership, pivot_id: int) -> LearningEntry:
    """One pivot as a log entry; 404 for another organisation's or a hidden one."""
    pivot = with_details(learning_pivots(member)).filter(pk=pivot_id).first()
    if pivot is None:
        raise Http404("No such pivot.")
    return pivot_entries([pivot])[0]


def pivot_entry(pivot: Pivot) -> LearningEntry:
    """A pivot just recorded, as the log will show it."""
    return pivot_entries([with_details(Pivot.objects.filter(pk=pivot.pk)).get()])[0]


# --- completing a page -------------------------------------------------------------------


def with_details(pivots: QuerySet[Pivot]) -> QuerySet[Pivot]:
    """What a log entry shows of a pivot: its key result, objective, team and author
    joined, its target changes and the flags it answered prefetched."""
    return pivots.select_related(
        "key_result", "objective", "objective__cycle", "team", "author"
    ).prefetch_related(
        Prefetch(
            "target_changes",
            queryset=TargetChange.objects.select_related("author").order_by("created_at", "pk"),
        ),
        Prefetch("flags", queryset=Flag.objects.order_by("opened_at", "pk")),
    )


def pivot_entries(pivots: list[Pivot]) -> list[LearningEntry]:
    """Log entries for a page of pivots loaded `with_details`, with their aftermath
    (one more query)."""
    after = pivot_aftermath(pivots)
    return [_pivot_entry(pivot, after[pivot.pk]) for pivot in pivots]


def _pivot_entry(pivot: Pivot, aftermath: Aftermath) -> LearningEntry:
    return LearningEntry(
        kind="pivot",
        at=pivot.created_at,
        objective=pivot.objective,
        key_result=pivot.key_result,
        team=pivot.team,
        author=pivot.author,
        tried=pivot.tried,
        learned=pivot.learned,
        next_step=pivot.next_step,
        pivot=pivot,
        target_changes=list(pivot.target_changes.all()),
        flags=list(pivot.flags.all()),
        aftermath=aftermath,
    )


def retrospective_entries(objectives: list[Objective]) -> list[LearningEntry]:
    return [
        LearningEntry(
            kind="retrospective",
            at=getattr(objective, "closed_on", None) or objective.updated_at,
            objective=objective,
            key_result=None,
            team=objective.owner_team,
            author=None,
            tried="",
            learned=objective.retro_learned,
            next_step=objective.retro_next,
            went_well=objective.retro_went_well,
        )
        for objective in objectives
    ]


def pivot_aftermath(pivots: Any) -> dict[int, Aftermath]:
    """What happened to each pivot's measure afterwards, for a whole page in one query:
    the value and progress then, the key result's now, and the check-ins since."""
    ids = [pivot.pk for pivot in pivots]
    if not ids:
        return {}
    since = (
        CheckIn.objects.filter(
            key_result=OuterRef("key_result"), created_at__gt=OuterRef("created_at")
        )
        .order_by()
        .values("key_result")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = (
        Pivot.objects.filter(pk__in=ids)
        .annotate(since=Coalesce(Subquery(since), 0))
        .values_list(
            "pk",
            "value_before",
            "progress_before",
            "key_result__current_value",
            "key_result__progress",
            "since",
        )
    )
    return {pk: Aftermath(*values) for pk, *values in rows}


# --- the objective page and the target history ----------------------------------------------


@dataclass
class KeyResultPivots:
    """A key result's pivots on its objective's page: how many, and the latest few."""

    count: int = 0
    latest: list[Pivot] = field(default_factory=list)


LATEST_ON_OBJECTIVE_PAGE = 3


def pivots_by_key_result(objective: Objective) -> dict[int, KeyResultPivots]:
    """The pivots of every key result of an objective, in one query."""
    found: dict[int, KeyResultPivots] = defaultdict(KeyResultPivots)
    pivots = (
        Pivot.objects.filter(objective=objective)
        .select_related("author")
        .order_by("-created_at", "-pk")
    )
    for pivot in pivots:
        item = found[pivot.key_result_id]
        item.count += 1
        if len(item.latest) < LATEST_ON_OBJECTIVE_PAGE:
            item.latest.append(pivot)
    return dict(found)


def key_result_target_history(key_result: KeyResult) -> QuerySet[TargetChange]:
    """Every move of the key result's target, oldest first; the first `old_target` is
    the target it was set up with."""
    return (
        TargetChange.objects.filter(key_result=key_result)
        .select_related("author", "pivot")
        .order_by("created_at", "pk")
    )


def flag_for_key_result(key_result: KeyResult, flag_id: object) -> Flag | None:
    """The flag a pivot form answers, when it is one of this key result's; else None."""
    try:
        pk = int(str(flag_id))
    except (TypeError, ValueError):
        return None
    return Flag.objects.filter(
        pk=pk, organisation_id=key_result.organisation_id, key_result=key_result
    ).first()


def open_initiatives(key_result: KeyResult) -> list[Initiative]:
    """The key result's initiatives still planned or in progress: those a pivot may stop."""
    return list(
        Initiative.objects.filter(key_results=key_result, status__in=OPEN_INITIATIVES).order_by(
            "pk"
        )
    )
