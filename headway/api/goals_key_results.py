"""Key results and their check-ins."""

# No `from __future__ import annotations` in router modules: ninja resolves the
# parameter types of a @paginate-wrapped view in ninja's own namespace, where a
# string such as "Role | None" names nothing and the endpoint fails with a 500.

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from ninja.params.functions import Header
from pydantic import field_validator

from headway.accounts.models import Membership
from headway.goals import services
from headway.goals.models import KeyResult, KeyResultStatus, Objective
from headway.goals.selectors import (
    checkins_for_key_result,
    key_result_get_for_member,
    key_results_list,
    objective_get_for_member,
)
from headway.goals.selectors_closing import key_result_score_of
from headway.insights.selectors import plan_points

from .accounts import UserOut
from .auth import member_of
from .common import BODY_ERRORS, WRITE_ERRORS, Id, Pages, changes, fields_as, responses
from .insights import ForecastOut, InsightPages, PaceStatus, attach_insights, forecast_data

router = Router(tags=["key results"])

# The models' nested choices would all be documented under bare names ("Kind",
# "Format", "Direction") that collide in the OpenAPI components; literals are inlined.
# tests/api/test_goals_key_results.py checks they match the models.
Kind = Literal["increase", "decrease", "milestone", "maintain"]
Format = Literal["number", "percent", "currency"]
Direction = Literal["above", "below"]

# What a check-in sets: sending these to PATCH gets 422 pointing at the check-in.
VALUE_FIELDS = ("current_value", "progress", "confidence")
PLAN_DESCRIPTION = (
    "Planned values: the expected progress follows them instead of a straight line from "
    "start to target. Days inside the objective's cycle, each once, at most 52 points; "
    "values in the key result's unit. Maintain: none. Milestone: one point, the due "
    "date, with value 1. Empty for a steady pace."
)


class PlanPoint(Schema):
    on: dt.date = Field(..., description="A day inside the objective's cycle.")
    value: float = Field(
        ..., description="The value expected by that day, in the key result's unit."
    )


class KeyResultOut(Schema):
    id: int
    objective_id: int
    title: str
    kind: str
    format: str
    unit: str
    start_value: float | None
    target_value: float | None
    direction: str
    weight: float
    owner_id: int | None
    status: str
    order: int
    current_value: float | None
    progress: float | None = Field(None, description="0 to 1, for bars and roll-ups.")
    progress_raw: float | None = Field(
        None, description="Unclamped: above 1 for over-achievement, below 0 when going backwards."
    )
    confidence: int | None
    last_checkin_at: dt.datetime | None
    version: int = Field(..., description="Send it back with a PATCH.")
    score: float | None = Field(
        None,
        description="Cycle close: 0 to 1, the override when set, else computed from the progress; null when dropped.",
    )
    score_override: float | None = None
    score_reason: str = ""
    plan: list[PlanPoint] = Field(default_factory=list, description=PLAN_DESCRIPTION)

    @staticmethod
    def resolve_plan(obj: Any) -> list[dict[str, Any]]:
        if isinstance(obj, dict):  # this schema's own output read again
            return obj.get("plan") or []
        return [{"on": on, "value": value} for on, value in plan_points(obj.plan)]

    @staticmethod
    def resolve_score(obj: Any) -> float | None:
        # A dict is this schema's own output read again (an objective's detail).
        if isinstance(obj, dict):
            return obj.get("score")
        return key_result_score_of(obj).score


class KeyResultPacedOut(KeyResultOut):
    """A key result as its own endpoints answer: with its pace and forecast, computed
    for the whole page in one analysis. (`status` is the key result's own: active or
    dropped; its standing against the pace is `pace_status`.)"""

    expected_progress: float | None = Field(
        None, description="Progress (0 to 1) expected today from the pace; null without one."
    )
    pace_status: PaceStatus = Field(
        ..., description="Progress against the pace: on_track, at_risk, off_track, …"
    )
    forecast: ForecastOut = Field(
        ..., description="The value expected at the cycle's end, or why there is none."
    )

    @staticmethod
    def resolve_expected_progress(obj: Any) -> float | None:
        return obj.insight.expected  # type: ignore[no-any-return]

    @staticmethod
    def resolve_pace_status(obj: Any) -> str:
        return obj.insight.status.value  # type: ignore[no-any-return]

    @staticmethod
    def resolve_forecast(obj: Any) -> dict[str, Any]:
        return forecast_data(obj.insight)


def with_pace(member: Membership, key_result: KeyResult) -> KeyResult:
    attach_insights(member.organisation, [key_result])
    return key_result


class KeyResultFields(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    kind: Kind = "increase"
    format: Format = "number"
    unit: str = Field("", max_length=20)
    start_value: float | None = Field(
        None, description="Increase and decrease: the value you start from. Milestones: ignored."
    )
    target_value: float | None = Field(
        None,
        description=(
            "Increase and decrease: the value you aim for, different from the start. "
            "Maintain: the threshold. Milestones: ignored (0 → 1)."
        ),
    )
    direction: Direction = Field(
        "above", description="Maintain only: stay above or below the threshold."
    )
    weight: float = Field(1.0, description="Above 0; its share of the objective's progress.")
    owner_id: Id | None = Field(None, description="A user id of a member of the organisation.")
    status: KeyResultStatus = KeyResultStatus.ACTIVE
    order: int | None = Field(None, ge=0, description="Position; defaults to the end.")
    plan: list[PlanPoint] = Field(default_factory=list, description=PLAN_DESCRIPTION)


class KeyResultIn(KeyResultFields):
    objective_id: Id


class KeyResultPatch(Schema):
    version: int = Field(..., description="The version you read; a stale one gets 409.")
    title: str | None = Field(None, min_length=1, max_length=200)
    kind: Kind | None = None
    format: Format | None = None
    unit: str | None = Field(None, max_length=20)
    start_value: float | None = None
    target_value: float | None = None
    direction: Direction | None = None
    weight: float | None = None
    owner_id: Id | None = None
    status: KeyResultStatus | None = Field(None, description="`dropped` ends its check-ins.")
    order: int | None = Field(None, ge=0)
    plan: list[PlanPoint] | None = Field(
        None, description=PLAN_DESCRIPTION + " Replaces the whole plan; `[]` clears it."
    )
    target_reason: str | None = Field(
        None,
        description=(
            "Why the target moves: required once the key result has check-ins, when "
            "`target_value` (or a new `kind`) changes it; the move is then kept in the "
            "target's history (`GET /key-results/{id}/targets`)."
        ),
    )
    current_value: float | None = Field(
        None, description="Not editable: POST a check-in to change the value (422)."
    )
    progress: float | None = Field(None, description="Not editable: follows the check-ins (422).")
    confidence: int | None = Field(None, description="Not editable: set by check-ins (422).")


class CheckInIn(Schema):
    value: bool | int | float | str = Field(
        ...,
        description=(
            "The new value: a number; for a milestone `done` or `not done` (also true/false, 1/0)."
        ),
    )
    confidence: int = Field(
        ..., description="0 to the organisation's confidence scale (10 unless changed)."
    )
    note: str = ""
    blockers: str = ""

    @field_validator("value", mode="before")
    @classmethod
    def one_value(cls, value: object) -> object:
        # Reported once as `value` rather than once per member of the union.
        if not isinstance(value, bool | int | float | str):
            raise ValueError("Give the new value: a number, or done / not done for a milestone.")
        return value


class CheckInOut(Schema):
    id: int
    key_result_id: int
    author: UserOut | None
    value: float
    confidence: int
    note: str
    blockers: str
    created_at: dt.datetime


class ObjectiveProgressOut(Schema):
    id: int
    title: str
    progress: float | None


class CheckInResultOut(Schema):
    checkin: CheckInOut
    key_result: KeyResultOut = Field(..., description="The key result with its new value.")
    objective: ObjectiveProgressOut = Field(..., description="Its objective's new progress.")


def key_result_data(fields: KeyResultFields) -> dict[str, Any]:
    """A key result's fields for the services; an unset order means "at the end"."""
    data = fields.dict(exclude={"objective_id"})
    if data["order"] is None:
        del data["order"]
    return data


def _objective_in_body(member: Membership, objective_id: Id) -> Objective:
    try:
        return objective_get_for_member(member, objective_id)
    except Http404:
        raise ValidationError({"objective_id": "Choose an objective you can see."}) from None


@router.get(
    "/key-results",
    response=responses({200: list[KeyResultPacedOut]}),
    summary="Key results, in objective order",
)
@paginate(InsightPages)
def key_results(
    request: HttpRequest,
    objective_id: Id | None = None,
    owner_id: Id | None = None,
    cycle_id: Id | None = None,
    status: KeyResultStatus | None = None,
) -> object:
    return key_results_list(
        member_of(request),
        objective_id=objective_id,
        owner_id=owner_id,
        cycle_id=cycle_id,
        status=status,
    )


@router.post(
    "/key-results",
    response=responses({201: KeyResultPacedOut}, BODY_ERRORS),
    summary="Add a key result to an objective",
)
def key_result_create(request: HttpRequest, payload: KeyResultIn) -> Status[KeyResult]:
    member = member_of(request)
    objective = _objective_in_body(member, payload.objective_id)
    created = services.key_result_create(
        member=member, objective=objective, **key_result_data(payload)
    )
    return Status(201, with_pace(member, created))


@router.get(
    "/key-results/{key_result_id}",
    response=responses({200: KeyResultPacedOut}),
    summary="One key result",
)
def key_result_read(request: HttpRequest, key_result_id: Id) -> KeyResult:
    member = member_of(request)
    return with_pace(member, key_result_get_for_member(member, key_result_id))


@router.patch(
    "/key-results/{key_result_id}",
    response=responses({200: KeyResultPacedOut}, BODY_ERRORS),
    summary="Change a key result's definition (its value changes only by check-ins)",
)
def key_result_update(request: HttpRequest, key_result_id: Id, payload: KeyResultPatch) -> object:
    member = member_of(request)
    key_result = key_result_get_for_member(member, key_result_id)
    data = changes(
        payload,
        nullable={"owner_id", "start_value", "target_value", "target_reason", *VALUE_FIELDS},
    )
    version = data.pop("version")
    updated = services.key_result_update(
        member=member, key_result=key_result, version=version, **data
    )
    return with_pace(member, updated)


@router.delete(
    "/key-results/{key_result_id}",
    response=responses({204: None}, WRITE_ERRORS),
    summary="Delete a key result with its check-ins",
)
def key_result_delete(request: HttpRequest, key_result_id: Id) -> Status[None]:
    member = member_of(request)
    key_result = key_result_get_for_member(member, key_result_id)
    services.key_result_delete(member=member, key_result=key_result)
    return Status(204, None)


@router.get(
    "/key-results/{key_result_id}/check-ins",
    response=responses({200: list[CheckInOut]}),
    summary="A key result's check-ins, oldest first",
)
@paginate(Pages)
def checkins(request: HttpRequest, key_result_id: Id) -> object:
    return checkins_for_key_result(key_result_get_for_member(member_of(request), key_result_id))


@router.post(
    "/key-results/{key_result_id}/check-ins",
    response=responses({200: CheckInResultOut, 201: CheckInResultOut}, BODY_ERRORS),
    summary="Check in a key result's new value; progress rolls up at once",
    description=(
        "201 with the new check-in, the key result and its objective's new progress. "
        "With an `Idempotency-Key` header, a retry with the same key returns the first "
        "check-in with 200 and `Idempotent-Replayed: true`, and never makes a second one."
    ),
)
def checkin_create(
    request: HttpRequest,
    key_result_id: Id,
    payload: CheckInIn,
    response: HttpResponse,
    idempotency_key: str | None = Header(
        None,
        alias="Idempotency-Key",
        max_length=100,
        description="Any unique string per check-in, e.g. a UUID; reuse it only to retry.",
    ),
) -> Status[dict[str, Any]]:
    member = member_of(request)
    with fields_as(key_result="key_result_id", idempotency_key="Idempotency-Key"):
        result = services.checkin_create(
            member=member,
            key_result_id=key_result_id,
            idempotency_key=idempotency_key,
            **payload.dict(),
        )
    # A new check-in carries its key result and objective as the roll-up left them; a
    # replay reads today's values.
    key_result = (
        result.checkin.key_result
        if result.created
        else key_result_get_for_member(member, key_result_id)
    )
    body = {"checkin": result.checkin, "key_result": key_result, "objective": key_result.objective}
    if result.created:
        return Status(201, body)
    response["Idempotent-Replayed"] = "true"
    return Status(200, body)
