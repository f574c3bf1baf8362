"""The caller, organisations, members and invitations."""

# No `from __future__ import annotations` in router modules: ninja resolves the
# parameter types of a @paginate-wrapped view in ninja's own namespace, where a
# string such as "Role | None" names nothing and the endpoint fails with a 500.

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from headway.accounts import selectors, services
from headway.accounts.models import Role

from .auth import member_of
from .common import BODY_ERRORS, WRITE_ERRORS, Id, LocalTime, Pages, changes, responses

router = Router(tags=["organisation"])


class OrganisationOut(Schema):
    id: int
    name: str
    slug: str
    strategy_statement: str
    timezone: str
    checkin_weekday: int
    reminder_time: LocalTime
    digest_weekday: int
    digest_time: LocalTime
    confidence_scale: int
    at_risk_gap: float
    off_track_gap: float
    watermelon_confidence: int
    stall_checkins: int
    stall_weeks: int
    stall_min_move: float
    overdue_grace_days: int


class MembershipOut(Schema):
    organisation: OrganisationOut
    role: str


class UserOut(Schema):
    id: int
    email: str
    name: str


class MeOut(Schema):
    user: UserOut
    current: MembershipOut
    memberships: list[MembershipOut]


class OrganisationPatch(Schema):
    name: str | None = None
    strategy_statement: str | None = None
    timezone: str | None = None
    checkin_weekday: int | None = None
    reminder_time: LocalTime | None = None
    digest_weekday: int | None = None
    digest_time: LocalTime | None = None
    confidence_scale: int | None = None
    at_risk_gap: float | None = None
    off_track_gap: float | None = None
    watermelon_confidence: int | None = None
    stall_checkins: int | None = None
    stall_weeks: int | None = None
    stall_min_move: float | None = None
    overdue_grace_days: int | None = None


class MemberOut(Schema):
    id: int
    user: UserOut
    role: str
    title: str


class MemberPatch(Schema):
    role: Role


class InvitationIn(Schema):
    email: str = Field(..., description="Checked as an e-mail address; 422 if it is not one.")
    role: Role = Role.MEMBER


class InvitationOut(Schema):
    id: int
    email: str
    role: str
    status: str
    created_at: dt.datetime
    expires_at: dt.datetime


class InvitationCreated(InvitationOut):
    url: str


@router.get("/me", response=responses({200: MeOut}), summary="The caller and their organisations")
def me(request: HttpRequest) -> dict[str, object]:
    member = member_of(request)
    return {
        "user": member.user,
        "current": member,
        "memberships": list(selectors.memberships_of(member.user)),
    }


@router.get(
    "/organisation", response=responses({200: OrganisationOut}), summary="The current organisation"
)
def organisation_read(request: HttpRequest) -> object:
    return member_of(request).organisation


@router.patch(
    "/organisation",
    response=responses({200: OrganisationOut}, BODY_ERRORS),
    summary="Change the organisation's settings (admins)",
)
def organisation_update(request: HttpRequest, payload: OrganisationPatch) -> object:
    return services.organisation_update(member=member_of(request), **changes(payload))


@router.get(
    "/members", response=responses({200: list[MemberOut]}), summary="People in the organisation"
)
@paginate(Pages)
def members_list(request: HttpRequest, role: Role | None = None) -> object:
    members = selectors.members_list(member_of(request))
    return members.filter(role=role) if role else members


@router.patch(
    "/members/{member_id}",
    response=responses({200: MemberOut}, BODY_ERRORS),
    summary="Change a member's role (admins)",
)
def member_update(request: HttpRequest, member_id: Id, payload: MemberPatch) -> object:
    member = member_of(request)
    target = selectors.member_get(member, member_id)
    return services.membership_set_role(member=member, membership=target, role=payload.role)


@router.delete(
    "/members/{member_id}",
    response=responses({204: None}, WRITE_ERRORS),
    summary="Remove someone from the organisation (admins)",
)
def member_remove(request: HttpRequest, member_id: Id) -> Status[None]:
    member = member_of(request)
    services.membership_remove(member=member, membership=selectors.member_get(member, member_id))
    return Status(204, None)


@router.get(
    "/invitations",
    response=responses({200: list[InvitationOut]}),
    summary="Invitations of the organisation",
)
@paginate(Pages)
def invitations_list(request: HttpRequest) -> object:
    return selectors.invitations_list(member_of(request))


@router.post(
    "/invitations",
    response=responses({201: InvitationCreated}, BODY_ERRORS),
    summary="Invite someone by e-mail (admins); the link is returned once",
)
def invitation_create(request: HttpRequest, payload: InvitationIn) -> Status[dict[str, object]]:
    invitation, token = services.invitation_create(
        member=member_of(request), email=payload.email, role=payload.role
    )
    out = InvitationOut.from_orm(invitation).dict()
    return Status(201, {**out, "url": services.invitation_url(token)})


@router.delete(
    "/invitations/{invitation_id}",
    response=responses({200: InvitationOut}, WRITE_ERRORS),
    summary="Withdraw an invitation (admins)",
)
def invitation_revoke(request: HttpRequest, invitation_id: Id) -> object:
    member = member_of(request)
    invitation = selectors.invitation_get(member, invitation_id)
    return services.invitation_revoke(member=member, invitation=invitation)
