"""The team tree and team membership."""

# No `from __future__ import annotations` in router modules: ninja resolves the
# parameter types of a @paginate-wrapped view in ninja's own namespace, where a
# string such as "Role | None" names nothing and the endpoint fails with a 500.

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from headway.accounts.models import Membership
from headway.accounts.selectors import member_get
from headway.teams import services
from headway.teams.models import TeamRole
from headway.teams.selectors import team_get, team_members, teams_tree

from .accounts import UserOut
from .auth import member_of
from .common import BODY_ERRORS, WRITE_ERRORS, Id, Pages, changes, fields_as, responses

router = Router(tags=["teams"])


class TeamOut(Schema):
    id: int
    name: str
    slug: str
    description: str
    parent_id: int | None
    depth: int = Field(0, alias="tree_depth")
    is_bubble_root: bool
    strategy_statement: str
    people: int = 0


class TeamIn(Schema):
    name: str = Field(..., min_length=1, max_length=120)
    slug: str = Field("", max_length=60)
    description: str = ""
    parent_id: Id | None = None


class TeamPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    slug: str | None = Field(None, min_length=1, max_length=60)
    description: str | None = None
    parent_id: Id | None = None
    is_bubble_root: bool | None = None
    strategy_statement: str | None = None


class TeamMemberOut(Schema):
    user: UserOut
    role: str


class TeamMemberIn(Schema):
    member_id: Id = Field(..., description="The id of the person's organisation membership.")
    role: TeamRole = TeamRole.MEMBER


def _team_out(member: Membership, team_id: Id) -> object:
    return teams_tree(member).get(pk=team_id)


def _person(member: Membership, member_id: Id) -> Membership:
    """A person named in a body: one of another organisation is bad input, not a 404."""
    try:
        return member_get(member, member_id)
    except Http404:
        raise ValidationError({"member_id": "Choose a member of this organisation."}) from None


@router.get("/teams", response=responses({200: list[TeamOut]}), summary="Teams in tree order")
@paginate(Pages)
def teams_list(request: HttpRequest, parent_id: Id | None = None) -> object:
    teams = teams_tree(member_of(request))
    return teams.filter(parent_id=parent_id) if parent_id is not None else teams


@router.post(
    "/teams", response=responses({201: TeamOut}, BODY_ERRORS), summary="Create a team (admins)"
)
def team_create(request: HttpRequest, payload: TeamIn) -> Status[object]:
    member = member_of(request)
    with fields_as(parent="parent_id"):
        team = services.team_create(member=member, **payload.dict())
    return Status(201, _team_out(member, team.pk))


@router.get("/teams/{team_id}", response=responses({200: TeamOut}), summary="One team")
def team_read(request: HttpRequest, team_id: Id) -> object:
    member = member_of(request)
    return _team_out(member, team_get(member, team_id).pk)


@router.patch(
    "/teams/{team_id}",
    response=responses({200: TeamOut}, BODY_ERRORS),
    summary="Rename, move or change a team (admins); moves that make a loop get 422",
)
def team_update(request: HttpRequest, team_id: Id, payload: TeamPatch) -> object:
    member = member_of(request)
    team = team_get(member, team_id)
    data = changes(payload, nullable={"parent_id"})
    with transaction.atomic(), fields_as(parent="parent_id"):
        if "parent_id" in data:
            services.team_move(member=member, team=team, parent_id=data.pop("parent_id"))
        if data:
            services.team_update(member=member, team=team, **data)
    return _team_out(member, team.pk)


@router.delete(
    "/teams/{team_id}",
    response=responses({204: None}, WRITE_ERRORS),
    summary="Delete an empty team (admins); a team with people or sub-teams gets 409",
)
def team_delete(request: HttpRequest, team_id: Id) -> Status[None]:
    member = member_of(request)
    services.team_delete(member=member, team=team_get(member, team_id))
    return Status(204, None)


@router.get(
    "/teams/{team_id}/members",
    response=responses({200: list[TeamMemberOut]}),
    summary="People in a team",
)
@paginate(Pages)
def team_members_list(request: HttpRequest, team_id: Id) -> object:
    return team_members(team_get(member_of(request), team_id))


@router.post(
    "/teams/{team_id}/members",
    response=responses({200: TeamMemberOut}, BODY_ERRORS),
    summary="Add a person to a team or change their team role (admins)",
)
def team_member_add(request: HttpRequest, team_id: Id, payload: TeamMemberIn) -> object:
    member = member_of(request)
    team = team_get(member, team_id)
    person = _person(member, payload.member_id)
    with fields_as(user="member_id"):
        return services.team_member_add(
            member=member, team=team, user=person.user, role=payload.role
        )


@router.delete(
    "/teams/{team_id}/members/{member_id}",
    response=responses({204: None}, WRITE_ERRORS),
    summary="Take a person out of a team (admins)",
)
def team_member_remove(request: HttpRequest, team_id: Id, member_id: Id) -> Status[None]:
    member = member_of(request)
    team = team_get(member, team_id)
    services.team_member_remove(member=member, team=team, user=member_get(member, member_id).user)
    return Status(204, None)
