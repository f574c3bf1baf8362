"""Cycles and strategic themes."""

# No `from __future__ import annotations` in router modules: ninja resolves the
# parameter types of a @paginate-wrapped view in ninja's own namespace, where a
# string such as "Role | None" names nothing and the endpoint fails with a 500.

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from headway.goals import services
from headway.goals.models import Cycle, CycleKind, CycleStatus, Theme
from headway.goals.selectors import cycle_get, cycles_list, theme_get, themes_list
from headway.teams.models import Team
from headway.teams.selectors import team_get

from .auth import member_of
from .common import BODY_ERRORS, WRITE_ERRORS, Id, Pages, changes, fields_as, responses

router = Router(tags=["strategy"])


class CycleOut(Schema):
    id: int
    name: str
    kind: str
    start_date: dt.date
    end_date: dt.date
    status: str
    parent_id: int | None


class CycleIn(Schema):
    name: str = Field(..., min_length=1, max_length=60)
    kind: CycleKind = CycleKind.QUARTER
    start_date: dt.date
    end_date: dt.date
    status: CycleStatus = CycleStatus.PLANNING
    parent_id: Id | None = None


class CyclePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=60)
    kind: CycleKind | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    status: CycleStatus | None = None
    parent_id: Id | None = None


class ThemeOut(Schema):
    id: int
    title: str
    description: str
    order: int
    team_id: int | None
    archived: bool = Field(False, alias="is_archived")


class ThemeIn(Schema):
    title: str = Field(..., min_length=1, max_length=160)
    description: str = ""
    team_id: Id | None = Field(None, description="A bubble root team; empty for the organisation.")
    order: int | None = Field(None, ge=0)


class ThemePatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=160)
    description: str | None = None
    order: int | None = Field(None, ge=0)
    archived: bool | None = None


def _parent_cycle(request: HttpRequest, parent_id: Id | None) -> Cycle | None:
    if parent_id is None:
        return None
    try:
        return cycle_get(member_of(request), parent_id)
    except Http404:
        raise ValidationError({"parent_id": "Choose a cycle of this organisation."}) from None


def _theme_team(request: HttpRequest, team_id: Id | None) -> Team | None:
    if team_id is None:
        return None
    try:
        return team_get(member_of(request), team_id)
    except Http404:
        raise ValidationError({"team_id": "Choose a team of this organisation."}) from None


@router.get("/cycles", response=responses({200: list[CycleOut]}), summary="Cycles, oldest first")
@paginate(Pages)
def cycles(request: HttpRequest, status: CycleStatus | None = None) -> object:
    found = cycles_list(member_of(request))
    return found.filter(status=status) if status else found


@router.post(
    "/cycles", response=responses({201: CycleOut}, BODY_ERRORS), summary="Create a cycle (admins)"
)
def cycle_create(request: HttpRequest, payload: CycleIn) -> Status[Cycle]:
    data = payload.dict()
    data["parent"] = _parent_cycle(request, data.pop("parent_id"))
    with fields_as(parent="parent_id"):
        return Status(201, services.cycle_create(member=member_of(request), **data))


@router.get("/cycles/{cycle_id}", response=responses({200: CycleOut}), summary="One cycle")
def cycle_read(request: HttpRequest, cycle_id: Id) -> object:
    return cycle_get(member_of(request), cycle_id)


@router.patch(
    "/cycles/{cycle_id}",
    response=responses({200: CycleOut}, BODY_ERRORS),
    summary="Change a cycle (admins)",
)
def cycle_update(request: HttpRequest, cycle_id: Id, payload: CyclePatch) -> Cycle:
    member = member_of(request)
    cycle = cycle_get(member, cycle_id)
    data = changes(payload, nullable={"parent_id"})
    if "parent_id" in data:
        data["parent"] = _parent_cycle(request, data.pop("parent_id"))
    with fields_as(parent="parent_id"):
        return services.cycle_update(member=member, cycle=cycle, **data)


@router.delete(
    "/cycles/{cycle_id}",
    response=responses({204: None}, WRITE_ERRORS),
    summary="Delete a cycle (admins)",
)
def cycle_delete(request: HttpRequest, cycle_id: Id) -> Status[None]:
    member = member_of(request)
    services.cycle_delete(member=member, cycle=cycle_get(member, cycle_id))
    return Status(204, None)


@router.get("/themes", response=responses({200: list[ThemeOut]}), summary="Strategic themes")
@paginate(Pages)
def themes(request: HttpRequest, team_id: Id | None = None, archived: bool = False) -> object:
    found = themes_list(member_of(request), include_archived=archived)
    return found.filter(team_id=team_id) if team_id is not None else found


@router.post(
    "/themes", response=responses({201: ThemeOut}, BODY_ERRORS), summary="Add a theme (admins)"
)
def theme_create(request: HttpRequest, payload: ThemeIn) -> Status[Theme]:
    data = payload.dict()
    team = _theme_team(request, data.pop("team_id"))
    with fields_as(team="team_id"):
        return Status(201, services.theme_create(member=member_of(request), team=team, **data))


@router.get("/themes/{theme_id}", response=responses({200: ThemeOut}), summary="One theme")
def theme_read(request: HttpRequest, theme_id: Id) -> object:
    return theme_get(member_of(request), theme_id)


@router.patch(
    "/themes/{theme_id}",
    response=responses({200: ThemeOut}, BODY_ERRORS),
    summary="Change or archive a theme (admins)",
)
def theme_update(request: HttpRequest, theme_id: Id, payload: ThemePatch) -> Theme:
    member = member_of(request)
    theme = theme_get(member, theme_id)
    return services.theme_update(member=member, theme=theme, **changes(payload))


@router.delete(
    "/themes/{theme_id}",
    response=responses({204: None}, WRITE_ERRORS),
    summary="Delete a theme (admins)",
)
def theme_delete(request: HttpRequest, theme_id: Id) -> Status[None]:
    member = member_of(request)
    services.theme_delete(member=member, theme=theme_get(member, theme_id))
    return Status(204, None)
