"""Every write to users, organisations, memberships, invitations and API tokens.

Each function validates first, then writes in one transaction, so bad input never
leaves half of anything behind. Permission checks take the acting membership.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from headway.lib.errors import Conflict
from headway.lib.mail import email_enqueue
from headway.lib.secrets import digest, new_token

from .models import (
    COURSE_FIELDS,
    NOTIFY_FIELDS,
    ApiToken,
    Invitation,
    Membership,
    Organisation,
    Role,
    User,
)

# How often last_used_at is written for a busy token: once a minute is precise enough
# and keeps API reads from turning into writes.
TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)


def require_admin(member: Membership, action: str) -> None:
    if not member.is_admin:
        raise PermissionDenied(f"Only owners and admins can {action}.")


def require_writer(member: Membership, action: str) -> None:
    if not member.can_write:
        raise PermissionDenied(f"Viewers cannot {action}; ask an admin for the member role.")


def _clean_email(email: str, field: str = "email") -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
        if len(email) > 254:  # the longest address mail systems deliver (RFC 5321)
            raise ValidationError("too long")
    except ValidationError:
        raise ValidationError(
            {field: f"{email or 'An empty value'} is not a valid e-mail address."}
        ) from None
    return email


def user_create(
    *, email: str, password: str | None, name: str = "", password_hash: str = ""
) -> User:
    """Create an account. The password is checked against the password rules.

    `password_hash` (from `make_password`) lets bulk callers such as the demo hash one
    password once instead of once per person.
    """
    email = _clean_email(email)
    if User.objects.filter(email__iexact=email).exists():
        raise Conflict(f"An account for {email} already exists.", field="email")
    user = User(email=email, name=name.strip())
    if password is not None and not password_hash:
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise ValidationError({"password": error.messages}) from None
    with transaction.atomic():
        if password_hash:
            user.password = password_hash
        else:
            user.set_password(password)
        user.save()
    return user


def organisation_create(
    *, name: str, owner: User, slug: str = "", **details: object
) -> Organisation:
    """Create an organisation and make `owner` its first owner."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the organisation a name."})
    slug = slugify(slug or name)[:60].strip("-")
    if not slug:
        raise ValidationError({"slug": "Use letters or digits in the short name."})
    if Organisation.objects.filter(slug=slug).exists():
        raise Conflict(f"The short name {slug!r} is taken; choose another.", field="slug")
    organisation = Organisation(name=name, slug=slug, **details)
    organisation.full_clean()
    with transaction.atomic():
        organisation.save()
        Membership.objects.create(organisation=organisation, user=owner, role=Role.OWNER)
    return organisation


ORGANISATION_FIELDS = (
    "name",
    "strategy_statement",
    "timezone",
    "checkin_weekday",
    *NOTIFY_FIELDS,
    "confidence_scale",
    *COURSE_FIELDS,
)


def organisation_update(*, member: Membership, **changes: object) -> Organisation:
    """Change the organisation's settings (admins only)."""
    require_admin(member, "change the organisation's settings")
    organisation = member.organisation
    unknown = set(changes) - set(ORGANISATION_FIELDS)
    if unknown:
        raise ValidationError({field: "This setting cannot be changed here." for field in unknown})
    for field, value in changes.items():
        setattr(organisation, field, value)
    organisation.full_clean(exclude=["slug"])
    organisation.save()
    return organisation


def _assignable_role(member: Membership, role: str) -> None:
    if role not in Role.values:
        raise ValidationError({"role": f"Role must be one of {', '.join(Role.values)}."})
    if role == Role.OWNER and member.role != Role.OWNER:
        raise PermissionDenied("Only an owner can make someone an owner.")


def invitation_create(
    *, member: Membership, email: str, role: str = Role.MEMBER
) -> tuple[Invitation, str]:
    """Invite someone by e-mail. Returns the invitation and its one-time link token."""
    require_admin(member, "invite people")
    email = _clean_email(email)
    _assignable_role(member, role)
    organisation = member.organisation
    if organisation.memberships.filter(user__email__iexact=email).exists():
        raise Conflict(f"{email} is already a member of {organisation}.", field="email")
    token = new_token("inv")
    with transaction.atomic():
        # A new invitation replaces any pending one for the same address.
        organisation.invitations.filter(
            email__iexact=email, accepted_at=None, revoked_at=None
        ).update(revoked_at=timezone.now())
        invitation = Invitation.objects.create(
            organisation=organisation,
            email=email,
            role=role,
            token_hash=digest(token),
            invited_by=member.user,
            expires_at=timezone.now() + timedelta(days=settings.INVITATION_DAYS),
        )
        transaction.on_commit(lambda: _send_invitation(invitation, token))
    return invitation, token


def invitation_url(token: str) -> str:
    return f"{settings.SITE_URL}/invitations/{token}/"


def _send_invitation(invitation: Invitation, token: str) -> None:
    context = {
        "organisation": invitation.organisation.name,
        "invited_by": str(invitation.invited_by or "An admin"),
        "role": invitation.get_role_display(),
        "expires_at": invitation.expires_at,
        "url": invitation_url(token),
    }
    email_enqueue([invitation.email], "invitation", context)


def invitation_find(token: str) -> Invitation:
    """The invitation behind a link, or a clear error if it cannot be used."""
    invitation = (
        Invitation.objects.select_related("organisation")
        .filter(token_hash=digest(token or ""))
        .first()
    )
    if invitation is None:
        raise ValidationError("This invitation link is not valid. Ask for a new one.")
    status = invitation.status
    if status == "accepted":
        raise Conflict("This invitation has already been used. Log in instead.")
    if status == "revoked":
        raise ValidationError("This invitation was withdrawn. Ask an admin for a new one.")
    if status == "expired":
        raise ValidationError("This invitation has expired. Ask an admin for a new one.")
    return invitation


def invitation_accept(
    *, token: str, user: User | None = None, name: str = "", password: str | None = None
) -> Membership:
    """Accept an invitation: as the logged-in `user`, or by creating an account."""
    with transaction.atomic():
        invitation = invitation_find(token)
        # Lock the row so that two clicks on the same link cannot both succeed.
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at:
            raise Conflict("This invitation has already been used. Log in instead.")
        if user is None:
            existing = User.objects.filter(email__iexact=invitation.email).first()
            if existing is not None:
                raise Conflict(
                    f"An account for {invitation.email} exists: log in, then open the link again."
                )
            user = user_create(email=invitation.email, password=password, name=name)
        elif user.email.lower() != invitation.email.lower():
            raise PermissionDenied(
                f"This invitation is for {invitation.email}; you are logged in as {user.email}."
            )
        membership, _ = Membership.objects.get_or_create(
            organisation=invitation.organisation, user=user, defaults={"role": invitation.role}
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


def invitation_revoke(*, member: Membership, invitation: Invitation) -> Invitation:
    require_admin(member, "withdraw invitations")
    if invitation.accepted_at:
        raise Conflict("This invitation was already accepted; remove the member instead.")
    invitation.revoked_at = invitation.revoked_at or timezone.now()
    invitation.save(update_fields=["revoked_at"])
    return invitation


def _other_owners(membership: Membership) -> bool:
    return (
        Membership.objects.filter(organisation=membership.organisation, role=Role.OWNER)
        .exclude(pk=membership.pk)
        .exists()
    )


def membership_set_role(*, member: Membership, membership: Membership, role: str) -> Membership:
    """Change someone's role. The last owner cannot step down."""
    require_admin(member, "change roles")
    _assignable_role(member, role)
    if membership.role == Role.OWNER and member.role != Role.OWNER:
        raise PermissionDenied("Only an owner can change another owner's role.")
    with transaction.atomic():
        if membership.role == Role.OWNER and role != Role.OWNER and not _other_owners(membership):
            raise Conflict("An organisation needs an owner: make someone else owner first.")
        membership.role = role
        membership.save(update_fields=["role"])
    return membership


def membership_remove(*, member: Membership, membership: Membership) -> None:
    """Remove someone from the organisation and from its teams."""
    require_admin(member, "remove members")
    if membership.role == Role.OWNER and member.role != Role.OWNER:
        raise PermissionDenied("Only an owner can remove an owner.")
    with transaction.atomic():
        if membership.role == Role.OWNER and not _other_owners(membership):
            raise Conflict("An organisation needs an owner: make someone else owner first.")
        from headway.teams.models import TeamMembership

        TeamMembership.objects.filter(
            team__organisation=membership.organisation, user=membership.user
        ).delete()
        ApiToken.objects.filter(organisation=membership.organisation, user=membership.user).update(
            revoked_at=timezone.now()
        )
        membership.delete()


def api_token_create(*, member: Membership, name: str) -> tuple[ApiToken, str]:
    """A personal token for this member's organisation. The raw token is returned once."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Name the token after where it will be used."})
    if len(name) > 80:
        raise ValidationError({"name": "Keep the name under 80 characters."})
    raw = new_token("hw")
    token = ApiToken.objects.create(
        user=member.user,
        organisation=member.organisation,
        name=name,
        prefix=raw[:10],
        token_hash=digest(raw),
    )
    return token, raw


def api_token_revoke(*, user: User, token: ApiToken) -> ApiToken:
    if token.user_id != user.pk:
        raise PermissionDenied("You can only revoke your own tokens.")
    token.revoked_at = token.revoked_at or timezone.now()
    token.save(update_fields=["revoked_at"])
    return token


def api_token_member(raw: str) -> tuple[ApiToken, Membership] | None:
    """The active token for a raw bearer value and its owner's membership in the
    token's organisation, in one query; None if the token is unknown, revoked, or
    its owner left the organisation or was deactivated."""
    member = (
        Membership.objects.select_related("organisation", "user")
        .filter(
            user__is_active=True,
            user__api_tokens__token_hash=digest(raw or ""),
            user__api_tokens__revoked_at=None,
            user__api_tokens__organisation=F("organisation"),
        )
        .annotate(
            token_id=F("user__api_tokens__pk"),
            token_name=F("user__api_tokens__name"),
            token_prefix=F("user__api_tokens__prefix"),
            token_used=F("user__api_tokens__last_used_at"),
        )
        .first()
    )
    if member is None:
        return None
    token = ApiToken(
        pk=member.token_id,
        user=member.user,
        organisation=member.organisation,
        name=member.token_name,
        prefix=member.token_prefix,
        last_used_at=member.token_used,
    )
    now = timezone.now()
    # Writing the last use at most once a minute keeps API reads from becoming writes.
    if token.last_used_at is None or now - token.last_used_at > TOKEN_TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token, member


def api_token_authenticate(raw: str) -> ApiToken | None:
    """The active token for a raw bearer value whose user is still a member, else None."""
    found = api_token_member(raw)
    return found[0] if found else None
