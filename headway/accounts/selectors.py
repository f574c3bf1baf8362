"""Reads of organisations, memberships, invitations and tokens, scoped to a member."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from .models import ApiToken, Invitation, Membership, Organisation, Role, User


def membership_get(user: User, organisation_slug: str) -> Membership:
    """The user's membership in an organisation; 404 if none (no existence leak)."""
    if not user.is_authenticated:
        raise Http404("No such organisation.")
    membership = (
        Membership.objects.select_related("organisation", "user")
        .filter(user=user, organisation__slug=organisation_slug)
        .first()
    )
    if membership is None:
        raise Http404("No such organisation.")
    return membership


def memberships_of(user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.select_related("organisation")
        .filter(user=user)
        .order_by("organisation__name")
    )


def members_list(member: Membership) -> QuerySet[Membership]:
    return (
        Membership.objects.select_related("user")
        .filter(organisation_id=member.organisation_id)
        .order_by("user__name", "user__email")
    )


def member_get(member: Membership, membership_id: int) -> Membership:
    found = members_list(member).filter(pk=membership_id).first()
    if found is None:
        raise Http404("No such member.")
    return found


def invitations_list(member: Membership) -> QuerySet[Invitation]:
    return Invitation.objects.select_related("invited_by").filter(
        organisation_id=member.organisation_id
    )


def invitation_get(member: Membership, invitation_id: int) -> Invitation:
    found = invitations_list(member).filter(pk=invitation_id).first()
    if found is None:
        raise Http404("No such invitation.")
    return found


def api_tokens_list(member: Membership) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user_id=member.user_id, organisation_id=member.organisation_id)


def api_token_get(member: Membership, token_id: int) -> ApiToken:
    found = api_tokens_list(member).filter(pk=token_id).first()
    if found is None:
        raise Http404("No such token.")
    return found


def acting_member(organisation: Organisation, email: str | None = None) -> Membership | None:
    """Who a command-line action acts as: the member with this e-mail, else the
    organisation's first owner; None when there is no such member."""
    members = Membership.objects.select_related("organisation", "user").filter(
        organisation=organisation
    )
    if email:
        return members.filter(user__email__iexact=email).first()
    return members.filter(role=Role.OWNER).order_by("pk").first()
