"""Cycle close: scores and overrides, retrospectives, closing a cycle, carry-over."""

# No `from __future__ import annotations` in router modules: ninja resolves the
# parameter types of a @paginate-wrapped view in ninja's own namespace, where a
# string such as "Role | None" names nothing and the endpoint fails with a 500.

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from headway.goals import services
from headway.goals.models import Cycle
from headway.goals.selectors import cycle_get, objectives_list
from headway.goals.selectors_closing import (
    ObjectiveScore,
    cycle_scores_paged,
    key_result_score_of,
    objective_score_get,
)

from .auth import member_of
from .common import BODY_ERRORS, Id, Pages, fields_as, responses
from .goals_objectives import ObjectiveOut
from .strategy import CycleOut

router = Router(tags=["cycle close"])

SCORE_HELP = "0 to 1: the override when one is set, else the computed score."


class KeyResultScoreOut(Schema):
    id: int = Field(..., alias="key_result.id")
    objective_id: int = Field(..., alias="key_result.objective_id")
    title: str = Field(..., alias="key_result.title")
    kind: str = Field(..., alias="key_result.kind")
    status: str = Field(..., alias="key_result.status")
    weight: float = Field(..., alias="key_result.weight")
    current_value: float | None = Field(None, alias="key_result.current_value")
    progress: float | None = Field(None, alias="key_result.progress")
    score: float | None = Field(None, description=SCORE_HELP + " Null when dropped.")
    score_computed: float | None = Field(
        None, alias="computed", description="From the final progress (see docs/cycle-close.md)."
    )
    score_override: float | None = Field(None, alias="override")
    score_reason: str = Field("", alias="reason")


class RetrospectiveOut(Schema):
    went_well: str = Field("", alias="retro_went_well")
    learned: str = Field("", alias="retro_learned")
    next: str = Field("", alias="retro_next")


class CarriedOut(Schema):
    id: int
    cycle_id: int
    title: str


class ObjectiveScoreOut(Schema):
    id: int = Field(..., alias="objective.id")
    cycle_id: int = Field(..., alias="objective.cycle_id")
    title: str = Field(..., alias="objective.title")
    owner_team_id: int | None = Field(None, alias="objective.owner_team_id")
    owner_user_id: int | None = Field(None, alias="objective.owner_user_id")
    owner_name: str = Field(..., alias="objective.owner_name")
    status: str = Field(..., alias="objective.status")
    progress: float | None = Field(None, alias="objective.progress")
    score: float | None = Field(None, description=SCORE_HELP)
    score_computed: float | None = Field(
        None, alias="computed", description="The weighted mean of its key results' scores."
    )
    score_override: float | None = Field(None, alias="override")
    score_reason: str = Field("", alias="reason")
    retrospective: RetrospectiveOut = Field(..., alias="objective")
    carried_from_id: int | None = Field(None, alias="objective.carried_from_id")
    carried_to: list[CarriedOut] = Field(
        ..., description="Its continuations in later cycles that you can see."
    )
    key_results: list[KeyResultScoreOut]


class ScoreIn(Schema):
    score: float | None = Field(
        ..., description="0 to 1; null clears the override and the computed score counts again."
    )
    reason: str = Field("", description="Needed with a score: why the computed one is not right.")


class RetrospectiveIn(Schema):
    went_well: str = ""
    learned: str = ""
    next: str = ""


class CloseOut(Schema):
    cycle: CycleOut
    objectives_closed: int = Field(..., description="Active objectives closed with the cycle.")


class ReopenIn(Schema):
    reason: str = Field(..., description="Why the cycle is reopened; kept in its activity.")


class CarryOverIn(Schema):
    cycle_id: Id = Field(..., description="A planned or active cycle that ends after its own.")


class CarryOverOut(ObjectiveOut):
    notes: list[str] = Field(
        ..., description="What was not copied (key results at their target, links) and why."
    )


@router.get(
    "/cycles/{cycle_id}/scores",
    response=responses({200: list[ObjectiveScoreOut]}),
    summary="Scores and retrospectives of a cycle's objectives, by owner",
)
@paginate(Pages)
def cycle_scores(request: HttpRequest, cycle_id: Id) -> object:
    member = member_of(request)
    return cycle_scores_paged(member, cycle_get(member, cycle_id))


@router.put(
    "/key-results/{key_result_id}/score",
    response=responses({200: KeyResultScoreOut}, BODY_ERRORS),
    summary="Override a key result's score with a reason, or clear the override",
)
def key_result_score(request: HttpRequest, key_result_id: Id, payload: ScoreIn) -> object:
    key_result = services.key_result_score_set(
        member=member_of(request), key_result_id=key_result_id, **payload.dict()
    )
    return key_result_score_of(key_result)


@router.put(
    "/objectives/{objective_id}/score",
    response=responses({200: ObjectiveScoreOut}, BODY_ERRORS),
    summary="Override an objective's score with a reason, or clear the override",
)
def objective_score(request: HttpRequest, objective_id: Id, payload: ScoreIn) -> ObjectiveScore:
    member = member_of(request)
    services.objective_score_set(member=member, objective_id=objective_id, **payload.dict())
    return objective_score_get(member, objective_id)


@router.put(
    "/objectives/{objective_id}/retrospective",
    response=responses({200: ObjectiveScoreOut}, BODY_ERRORS),
    summary="Write an objective's retrospective",
)
def objective_retrospective(
    request: HttpRequest, objective_id: Id, payload: RetrospectiveIn
) -> ObjectiveScore:
    member = member_of(request)
    services.objective_retrospective_save(
        member=member, objective_id=objective_id, **payload.dict()
    )
    return objective_score_get(member, objective_id)


@router.post(
    "/cycles/{cycle_id}/close",
    response=responses({200: CloseOut}, BODY_ERRORS),
    summary="Close a cycle and lock it (admins)",
)
def cycle_close(request: HttpRequest, cycle_id: Id) -> dict[str, object]:
    result = services.cycle_close(member=member_of(request), cycle_id=cycle_id)
    return {"cycle": result.cycle, "objectives_closed": result.objectives_closed}


@router.post(
    "/cycles/{cycle_id}/reopen",
    response=responses({200: CycleOut}, BODY_ERRORS),
    summary="Reopen a closed cycle, with the reason (admins)",
)
def cycle_reopen(request: HttpRequest, cycle_id: Id, payload: ReopenIn) -> Cycle:
    return services.cycle_reopen(
        member=member_of(request), cycle_id=cycle_id, reason=payload.reason
    )


@router.post(
    "/objectives/{objective_id}/carry-over",
    response=responses({201: CarryOverOut}, BODY_ERRORS),
    summary="Continue an objective in a later cycle",
)
def objective_carry_over(
    request: HttpRequest, objective_id: Id, payload: CarryOverIn
) -> Status[dict[str, object]]:
    member = member_of(request)
    with fields_as(to_cycle_id="cycle_id"):
        result = services.objective_carry_over(
            member=member, objective_id=objective_id, to_cycle_id=payload.cycle_id
        )
    created = ObjectiveOut.from_orm(objectives_list(member).get(pk=result.objective.pk)).dict()
    return Status(201, {**created, "notes": result.notes})
