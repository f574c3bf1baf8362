"""Objectives, created with their key results one by one or in bulk."""

# No `from __future__ import annotations` in router modules: ninja resolves the
# parameter types of a @paginate-wrapped view in ninja's own namespace, where a
# string such as "Role | None" names nothing and the endpoint fails with a 500.

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from headway.accounts.models import Membership
from headway.goals import services
from headway.goals.models import Objective, ObjectiveStatus, Visibility
from headway.goals.selectors import (
    alignment_links_list,
    initiatives_for_objective,
    objective_get_for_member,
    objectives_list,
)
from headway.goals.selectors_alignment import line_of_sight
from headway.goals.selectors_closing import objective_score_of

from .auth import member_of
from .common import BODY_ERRORS, WRITE_ERRORS, Id, Pages, changes, responses
from .goals_alignment import SightChainOut, sight_data
from .goals_key_results import KeyResultFields, KeyResultOut, key_result_data
from .goals_links import InitiativeOut, LinkOut

router = Router(tags=["objectives"])


class ObjectiveOut(Schema):
    id: int
    cycle_id: int
    owner_team_id: int | None
    owner_user_id: int | None
    owner_name: str
    title: str
    description: str
    status: str
    visibility: str
    order: int
    progress: float | None = Field(
        None, description="0 to 1: its key results and contributing children, weighted."
    )
    version: int = Field(..., description="Send it back with a PATCH.")
    created_at: dt.datetime
    updated_at: dt.datetime
    key_results: list[KeyResultOut]
    score: float | None = Field(
        None,
        description="Cycle close: 0 to 1, the override when set, else the weighted mean of its key results' scores.",
    )
    score_override: float | None = None
    score_reason: str = ""

    @staticmethod
    def resolve_score(obj: Any) -> float | None:
        # A dict is this schema's own output read again (the detail and carry-over).
        if isinstance(obj, dict):
            return obj.get("score")
        return objective_score_of(obj, list(obj.key_results.all())).score


class AlignmentOut(Schema):
    up: list[LinkOut] = Field(..., description="What this objective is aligned to.")
    down: list[LinkOut] = Field(
        ..., description="Objectives aligned to it or to one of its key results."
    )


class ObjectiveDetailOut(ObjectiveOut):
    initiatives: list[InitiativeOut]
    alignment: AlignmentOut
    line_of_sight: list[SightChainOut] = Field(
        ..., description="Every chain from this objective up to strategy, best first."
    )


class ObjectiveIn(Schema):
    cycle_id: Id
    owner_team_id: Id | None = Field(None, description="Give this or owner_user_id, not both.")
    owner_user_id: Id | None = Field(None, description="A user id of a member of the organisation.")
    title: str = Field(..., min_length=1, max_length=200)
    description: str = ""
    status: ObjectiveStatus = ObjectiveStatus.ACTIVE
    visibility: Visibility = Visibility.PUBLIC
    order: int | None = Field(None, ge=0)
    key_results: list[KeyResultFields] = []


class ObjectivePatch(Schema):
    version: int = Field(..., description="The version you read; a stale one gets 409.")
    cycle_id: Id | None = None
    owner_team_id: Id | None = None
    owner_user_id: Id | None = None
    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    status: ObjectiveStatus | None = None
    visibility: Visibility | None = None
    order: int | None = Field(None, ge=0)


class BulkIn(Schema):
    objectives: list[ObjectiveIn] = Field(..., min_length=1, max_length=200)


class BulkOut(Schema):
    ids: list[int] = Field(..., description="The new objectives' ids, in the order sent.")
    count: int


def objective_data(payload: ObjectiveIn) -> dict[str, Any]:
    data = payload.dict(exclude={"key_results"})
    if data["order"] is None:
        del data["order"]
    data["key_results"] = [key_result_data(row) for row in payload.key_results]
    return data


def _objective_out(member: Membership, objective_id: Id) -> Objective:
    objective = objectives_list(member).filter(pk=objective_id).first()
    if objective is None:
        raise Http404("No such objective.")
    return objective


@router.get(
    "/objectives",
    response=responses({200: list[ObjectiveOut]}),
    summary="Objectives with their key results, by cycle and order",
)
@paginate(Pages)
def objectives(
    request: HttpRequest,
    cycle_id: Id | None = None,
    team_id: Id | None = None,
    owner_user_id: Id | None = None,
    status: ObjectiveStatus | None = None,
) -> object:
    return objectives_list(
        member_of(request),
        cycle_id=cycle_id,
        team_id=team_id,
        owner_user_id=owner_user_id,
        status=status,
    )


@router.post(
    "/objectives",
    response=responses({201: ObjectiveOut}, BODY_ERRORS),
    summary="Create an objective with its key results",
)
def objective_create(request: HttpRequest, payload: ObjectiveIn) -> Status[Objective]:
    member = member_of(request)
    objective = services.objective_create(member=member, **objective_data(payload))
    return Status(201, _objective_out(member, objective.pk))


@router.post(
    "/objectives/bulk",
    response=responses({201: BulkOut}, BODY_ERRORS),
    summary="Create many objectives with their key results: all or none",
    description=(
        "One transaction. Every row is checked first; errors name the row, "
        "e.g. `objectives.3.key_results.0.target_value`, and nothing is written."
    ),
)
def objectives_bulk_create(request: HttpRequest, payload: BulkIn) -> Status[dict[str, Any]]:
    created = services.objectives_bulk_create(
        member=member_of(request),
        objectives=[objective_data(row) for row in payload.objectives],
    )
    return Status(201, {"ids": [objective.pk for objective in created], "count": len(created)})


@router.get(
    "/objectives/{objective_id}",
    response=responses({200: ObjectiveDetailOut}),
    summary="One objective with key results, initiatives and alignment up and down",
)
def objective_read(request: HttpRequest, objective_id: Id) -> dict[str, Any]:
    member = member_of(request)
    objective = _objective_out(member, objective_id)
    return {
        **ObjectiveOut.from_orm(objective).dict(),
        "initiatives": list(initiatives_for_objective(objective)),
        "alignment": {
            "up": list(alignment_links_list(member, child_id=objective.pk)),
            "down": list(alignment_links_list(member, below_objective_id=objective.pk)),
        },
        "line_of_sight": sight_data(line_of_sight(member, objective)),
    }


@router.patch(
    "/objectives/{objective_id}",
    response=responses({200: ObjectiveOut}, BODY_ERRORS),
    summary="Change an objective; a stale version gets 409 with the current values",
)
def objective_update(request: HttpRequest, objective_id: Id, payload: ObjectivePatch) -> object:
    member = member_of(request)
    objective = objective_get_for_member(member, objective_id)
    data = changes(payload, nullable={"owner_team_id", "owner_user_id"})
    version = data.pop("version")
    services.objective_update(member=member, objective=objective, version=version, **data)
    return _objective_out(member, objective_id)


@router.delete(
    "/objectives/{objective_id}",
    response=responses({204: None}, WRITE_ERRORS),
    summary="Delete an objective with its key results and check-ins",
)
def objective_delete(request: HttpRequest, objective_id: Id) -> Status[None]:
    member = member_of(request)
    services.objective_delete(
        member=member, objective=objective_get_for_member(member, objective_id)
    )
    return Status(204, None)
