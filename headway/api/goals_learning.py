"""Course corrections and the learning log: pivots, target changes and their history."""

# No `from __future__ import annotations` in router modules: ninja resolves the
# parameter types of a @paginate-wrapped view in ninja's own namespace, where a
# string such as "Role | None" names nothing and the endpoint fails with a 500.

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from headway.goals import services
from headway.goals.selectors import key_result_get_for_member
from headway.goals.selectors_learning import (
    LearningEntry,
    key_result_pivots,
    key_result_target_history,
    learning_log,
    pivot_entry,
    pivot_get_for_member,
)
from headway.teams.models import Team
from headway.teams.selectors import team_get_by_slug

from .accounts import UserOut
from .auth import member_of
from .common import BODY_ERRORS, Id, Pages, fields_as, responses
from .goals_key_results import KeyResultOut, ObjectiveProgressOut

router = Router(tags=["learning"])


class PivotIn(Schema):
    tried: str = Field(..., description="What we tried.")
    learned: str = Field(..., description="What we learned.")
    next_step: str = Field(..., description="What we try next.")
    flag_id: Id | None = Field(
        None, description="The flag of this key result the pivot answers, open or resolved."
    )
    new_target: float | None = Field(
        None, description="Move the target with this pivot (not for milestones); needs a reason."
    )
    target_reason: str = Field("", description="Why the target moves; required with `new_target`.")
    start_initiatives: list[str] = Field(
        [], description="Titles of initiatives to start, linked to this key result (at most 20)."
    )
    stop_initiative_ids: list[Id] = Field(
        [], description="Open initiatives of this key result to mark dropped."
    )


class TargetChangeIn(Schema):
    new_target: float = Field(..., description="Different from the current target.")
    reason: str = Field(..., description="Why the target moves; a change without one is refused.")


class TargetChangeOut(Schema):
    id: int
    key_result_id: int
    pivot_id: int | None = Field(None, description="The pivot that moved it, if any.")
    author: UserOut | None
    old_target: float | None
    new_target: float
    reason: str
    created_at: dt.datetime


class TargetChangeResultOut(Schema):
    target_change: TargetChangeOut
    key_result: KeyResultOut = Field(..., description="The key result with its new progress.")
    objective: ObjectiveProgressOut = Field(..., description="Its objective's new progress.")


class LearningObjectiveOut(Schema):
    id: int
    title: str
    cycle_id: int


class LearningKeyResultOut(Schema):
    id: int
    title: str


class LearningTeamOut(Schema):
    id: int
    name: str
    slug: str


class AnsweredFlagOut(Schema):
    id: int
    kind: str = Field(..., description="`stall`, `overdue` or `watermelon`.")
    reason: str
    opened_at: dt.datetime
    resolved_at: dt.datetime | None


class InitiativeChangeOut(Schema):
    id: int
    title: str
    change: Literal["started", "stopped"]


class AftermathOut(Schema):
    value_at: float | None = Field(None, description="The key result's value at the pivot.")
    progress_at: float | None = Field(None, description="Its progress (0 to 1) at the pivot.")
    value_now: float | None
    progress_now: float | None
    checkins_since: int
    points: int | None = Field(
        None, description="Change in progress since the pivot, in percentage points."
    )


class LearningEntryOut(Schema):
    kind: Literal["pivot", "retrospective"]
    pivot_id: int | None = Field(None, description="Null for a retrospective.")
    at: dt.datetime
    objective: LearningObjectiveOut
    key_result: LearningKeyResultOut | None = Field(None, description="Null for a retrospective.")
    team: LearningTeamOut | None
    author: UserOut | None
    tried: str
    learned: str
    next_step: str
    went_well: str = Field("", description="Retrospectives only.")
    initiative_changes: list[InitiativeChangeOut]
    target_changes: list[TargetChangeOut]
    flags: list[AnsweredFlagOut] = Field(..., description="The flags this pivot answered.")
    aftermath: AftermathOut | None = Field(
        None, description="What the measure did since the pivot; null for a retrospective."
    )


def _team(request: HttpRequest, slug: str | None) -> Team | None:
    if not slug:
        return None
    try:
        return team_get_by_slug(member_of(request), slug)
    except Http404:
        raise ValidationError({"team": "No team with this short name here."}) from None


@router.get(
    "/learning",
    response=responses({200: list[LearningEntryOut]}),
    summary="The learning log: pivots and retrospectives, newest first",
    description=(
        "The whole organisation's, or with `team` (its short name) that team's and its "
        "sub-teams'. `q` keeps entries with every word in what was tried, learned or comes "
        "next, or in the key result's or objective's title; `cycle` keeps one cycle's."
    ),
)
@paginate(Pages)
def learning(
    request: HttpRequest, team: str | None = None, q: str = "", cycle: Id | None = None
) -> object:
    return learning_log(member_of(request), team=_team(request, team), query=q[:100], cycle=cycle)


@router.get(
    "/key-results/{key_result_id}/pivots",
    response=responses({200: list[LearningEntryOut]}),
    summary="A key result's pivots, newest first",
)
@paginate(Pages)
def pivots(request: HttpRequest, key_result_id: Id) -> object:
    member = member_of(request)
    return key_result_pivots(member, key_result_get_for_member(member, key_result_id))


@router.post(
    "/key-results/{key_result_id}/pivots",
    response=responses({201: LearningEntryOut}, BODY_ERRORS),
    summary="Record a pivot: what we tried, learned and try next",
    description=(
        "Optionally answers a flag, moves the target (with a reason) and starts or stops "
        "initiatives, all in one transaction; any invalid part refuses the whole pivot."
    ),
)
def pivot_record(
    request: HttpRequest, key_result_id: Id, payload: PivotIn
) -> Status[LearningEntry]:
    with fields_as(key_result="key_result_id"):
        pivot = services.pivot_record(
            member=member_of(request), key_result_id=key_result_id, **payload.dict()
        )
    return Status(201, pivot_entry(pivot))


@router.get(
    "/pivots/{pivot_id}",
    response=responses({200: LearningEntryOut}),
    summary="One pivot, with what the measure did since",
)
def pivot_read(request: HttpRequest, pivot_id: Id) -> LearningEntry:
    return pivot_get_for_member(member_of(request), pivot_id)


@router.post(
    "/key-results/{key_result_id}/target",
    response=responses({201: TargetChangeResultOut}, BODY_ERRORS),
    summary="Move a key result's target, with the reason",
    description=(
        "The old target stays in the history; progress is computed again against the new "
        "target and rolls up at once."
    ),
)
def target_change(
    request: HttpRequest, key_result_id: Id, payload: TargetChangeIn
) -> Status[dict[str, Any]]:
    with fields_as(key_result="key_result_id"):
        change = services.key_result_target_change(
            member=member_of(request), key_result_id=key_result_id, **payload.dict()
        )
    key_result = change.key_result
    body = {"target_change": change, "key_result": key_result, "objective": key_result.objective}
    return Status(201, body)


@router.get(
    "/key-results/{key_result_id}/targets",
    response=responses({200: list[TargetChangeOut]}),
    summary="A key result's target history, oldest first",
)
@paginate(Pages)
def targets(request: HttpRequest, key_result_id: Id) -> object:
    member = member_of(request)
    return key_result_target_history(key_result_get_for_member(member, key_result_id))
