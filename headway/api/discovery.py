"""Discovery records: why OKRs, the champion, the leaders and their problems, the
pilot teams and the time expectation, with the "ready to pilot?" checklist."""

# No `from __future__ import annotations` in router modules (see goals_learning.py).

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from headway.discovery import services
from headway.discovery.selectors import (
    DiscoveryView,
    discovery_leader_get,
    discovery_record_for,
    discovery_record_get,
)
from headway.teams.selectors import team_get_by_slug

from .accounts import UserOut
from .auth import member_of
from .common import BODY_ERRORS, WRITE_ERRORS, Id, PathText, responses

router = Router(tags=["discovery"])


class DiscoveryFollowupOut(Schema):
    question: str
    answer: str


class DiscoveryTeamOut(Schema):
    id: int
    name: str
    slug: str


class DiscoveryLeaderOut(Schema):
    id: int
    user: UserOut | None
    name: str
    role: str
    problem: str = Field(
        ...,
        description="strategy_execution, alignment, communication, focus, engagement or other.",
    )
    problem_detail: str
    order: int


class DiscoveryReadinessItemOut(Schema):
    key: str = Field(..., description="`reason`, `champion`, `pilot_teams` or `time`.")
    label: str
    done: bool
    missing: str = Field(..., description="What is missing; empty when done.")
    anchor: str = Field(..., description="The section of the web form that fixes it.")
    warning: str = Field("", description="A caution on a done item, e.g. too many pilot teams.")


class DiscoveryReadinessOut(Schema):
    ready: bool
    items: list[DiscoveryReadinessItemOut]


class DiscoveryOut(Schema):
    id: int | None = Field(None, description="Null until the record is first saved.")
    team: DiscoveryTeamOut | None = Field(None, description="Null for the organisation's record.")
    why_stated: str
    why_followups: list[DiscoveryFollowupOut]
    next_question: str | None = Field(
        None, description="The next 'dig deeper' question; null once all are answered."
    )
    real_reason: str
    champion: UserOut | None
    champion_name: str
    champion_seniority: str = Field(..., description="executive, senior, middle, none or empty.")
    champion_hours_per_month: int | None
    pilot_teams: list[DiscoveryTeamOut]
    time_expectation: str
    time_expectation_agreed: bool
    risks: str
    notes: str
    leaders: list[DiscoveryLeaderOut]
    version: int = Field(..., description="Send it back with a PUT; 0 before the first save.")
    updated_at: dt.datetime | None
    updated_by: UserOut | None
    readiness: DiscoveryReadinessOut


class DiscoveryIn(Schema):
    version: int | None = Field(
        None, description="The version you read; a stale one gets 409. Leave out to overwrite."
    )
    why_stated: str | None = None
    real_reason: str | None = None
    champion_id: Id | None = Field(None, description="A user of this organisation.")
    champion_name: str | None = Field(None, description="The champion, if they have no account.")
    champion_seniority: str | None = None
    champion_hours_per_month: int | None = None
    pilot_team_ids: list[Id] | None = Field(None, description="Replaces the pilot teams.")
    time_expectation: str | None = None
    time_expectation_agreed: bool | None = None
    risks: str | None = None
    notes: str | None = None


class DiscoveryFollowupIn(Schema):
    answer: str = Field(..., description="The answer to `next_question`.")


class DiscoveryLeaderIn(Schema):
    user_id: Id | None = Field(None, description="A user of this organisation, if any.")
    name: str = Field("", description="Defaults to the user's name.")
    role: str = ""
    problem: str
    problem_detail: str = ""


class DiscoveryLeaderPatch(Schema):
    user_id: Id | None = None
    name: str | None = None
    role: str | None = None
    problem: str | None = None
    problem_detail: str | None = None


def _out(view: DiscoveryView) -> dict[str, Any]:
    record = view.record
    saved = record.pk is not None
    return {
        "id": record.pk,
        "team": record.team,
        "why_stated": record.why_stated,
        "why_followups": record.why_followups or [],
        "next_question": view.next_question,
        "real_reason": record.real_reason,
        "champion": record.champion,
        "champion_name": record.champion_name,
        "champion_seniority": record.champion_seniority,
        "champion_hours_per_month": record.champion_hours_per_month,
        "pilot_teams": view.pilot_teams,
        "time_expectation": record.time_expectation,
        "time_expectation_agreed": record.time_expectation_agreed,
        "risks": record.risks,
        "notes": record.notes,
        "leaders": view.leaders,
        "version": record.version,
        "updated_at": record.updated_at if saved else None,
        "updated_by": record.updated_by if saved else None,
        "readiness": {"ready": view.ready, "items": view.checklist},
    }


def _save(request: HttpRequest, payload: DiscoveryIn, slug: str | None) -> dict[str, Any]:
    member = member_of(request)
    team = team_get_by_slug(member, slug) if slug else None
    data = payload.dict(exclude_unset=True)
    version = data.pop("version", None)
    services.discovery_record_save(
        member=member, team_id=team.pk if team else None, version=version, **data
    )
    return _out(discovery_record_for(member, team))


@router.get(
    "/discovery",
    response=responses({200: DiscoveryOut}),
    summary="The organisation's discovery record with its readiness checklist",
)
def discovery_organisation(request: HttpRequest) -> dict[str, Any]:
    return _out(discovery_record_for(member_of(request)))


@router.put(
    "/discovery",
    response=responses({200: DiscoveryOut}, BODY_ERRORS),
    summary="Save the organisation's discovery record (owners and admins); "
    "fields left out keep their values",
)
def discovery_organisation_save(request: HttpRequest, payload: DiscoveryIn) -> dict[str, Any]:
    return _save(request, payload, None)


@router.get(
    "/teams/{slug}/discovery",
    response=responses({200: DiscoveryOut}),
    summary="A team's discovery record with its readiness checklist",
)
def discovery_team(request: HttpRequest, slug: PathText) -> dict[str, Any]:
    member = member_of(request)
    return _out(discovery_record_for(member, team_get_by_slug(member, slug)))


@router.put(
    "/teams/{slug}/discovery",
    response=responses({200: DiscoveryOut}, BODY_ERRORS),
    summary="Save a team's discovery record (owners, admins and the team's leads)",
)
def discovery_team_save(
    request: HttpRequest, slug: PathText, payload: DiscoveryIn
) -> dict[str, Any]:
    return _save(request, payload, slug)


@router.post(
    "/discovery/{record_id}/followups",
    response=responses({201: DiscoveryOut}, BODY_ERRORS),
    summary="Answer the next 'dig deeper' question; the answer is kept with its question",
)
def discovery_followup_add(
    request: HttpRequest, record_id: Id, payload: DiscoveryFollowupIn
) -> Status[dict[str, Any]]:
    member = member_of(request)
    services.discovery_followup_add(member=member, record_id=record_id, answer=payload.answer)
    return Status(201, _out(discovery_record_get(member, record_id)))


@router.post(
    "/discovery/{record_id}/leaders",
    response=responses({201: DiscoveryLeaderOut}, BODY_ERRORS),
    summary="Add a leader and the problem they need OKRs to solve",
)
def discovery_leader_add(
    request: HttpRequest, record_id: Id, payload: DiscoveryLeaderIn
) -> Status[Any]:
    member = member_of(request)
    leader = services.discovery_leader_add(member=member, record_id=record_id, **payload.dict())
    return Status(201, discovery_leader_get(member, leader.pk))


@router.patch(
    "/discovery/leaders/{leader_id}",
    response=responses({200: DiscoveryLeaderOut}, BODY_ERRORS),
    summary="Change a leader; only the fields sent change",
)
def discovery_leader_update(
    request: HttpRequest, leader_id: Id, payload: DiscoveryLeaderPatch
) -> Any:
    member = member_of(request)
    services.discovery_leader_update(
        member=member, leader_id=leader_id, **payload.dict(exclude_unset=True)
    )
    return discovery_leader_get(member, leader_id)


@router.delete(
    "/discovery/leaders/{leader_id}",
    response=responses({204: None}, WRITE_ERRORS),
    summary="Remove a leader from the record",
)
def discovery_leader_remove(request: HttpRequest, leader_id: Id) -> Status[None]:
    services.discovery_leader_remove(member=member_of(request), leader_id=leader_id)
    return Status(204, None)
