"""Writes of the notification settings: a member's preferences, the unsubscribe link's
one change, and team chat channels (team leads and admins)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from headway.accounts.models import Membership
from headway.teams.models import Team, TeamMembership, TeamRole

from .chat import chat_url_check
from .links import PREFERENCE_OF
from .models import Channel, NotificationPreference, TeamChatChannel

PREFERENCE_FIELDS = ("channel", "reminders", "digest", "flags", "quiet_days", "away_until")


def _quiet_days(value: Any) -> list[int]:
    try:
        days = sorted({int(day) for day in value or []})
    except (TypeError, ValueError):
        raise ValidationError({"quiet_days": "Quiet days are weekdays, 0 (Monday) to 6."}) from None
    if any(day < 0 or day > 6 for day in days):
        raise ValidationError({"quiet_days": "Quiet days are weekdays, 0 (Monday) to 6."})
    if len(days) == 7:
        raise ValidationError(
            {"quiet_days": "Leave at least one day that is not quiet, or choose “Nothing”."}
        )
    return days


def preference_update(*, member: Membership, **changes: Any) -> NotificationPreference:
    """Change what the member hears about and how; fields left out keep their value."""
    unknown = set(changes) - set(PREFERENCE_FIELDS)
    if unknown:
        raise ValidationError({field: "This preference does not exist." for field in unknown})
    if "channel" in changes and changes["channel"] not in Channel.values:
        raise ValidationError({"channel": f"Choose one of {', '.join(Channel.values)}."})
    if "quiet_days" in changes:
        changes["quiet_days"] = _quiet_days(changes["quiet_days"])
    away = changes.get("away_until")
    if away is not None and not isinstance(away, dt.date):
        raise ValidationError({"away_until": "Give a date, e.g. 2026-12-31."})
    with transaction.atomic():
        preference, _ = NotificationPreference.objects.select_for_update().get_or_create(
            membership=member
        )
        for field, value in changes.items():
            setattr(preference, field, value)
        preference.save()
    member.notification_preference = preference
    return preference


def notification_unsubscribe(*, membership_id: int, kind: str) -> Membership | None:
    """Turn one kind of e-mail off for a member, from a signed unsubscribe link; None
    when the membership no longer exists."""
    member = (
        Membership.objects.select_related("user", "organisation").filter(pk=membership_id).first()
    )
    if member is None:
        return None
    preference_update(member=member, **{PREFERENCE_OF[kind]: False})
    return member


# --- team chat channels --------------------------------------------------------------


def can_manage_chat(member: Membership, team: Team) -> bool:
    """Admins, and the team's own leads, manage its chat channels."""
    if team.organisation_id != member.organisation_id or not member.can_write:
        return False
    if member.is_admin:
        return True
    return TeamMembership.objects.filter(
        team=team, user_id=member.user_id, role=TeamRole.LEAD
    ).exists()


def _require_manager(member: Membership, team: Team) -> None:
    if not can_manage_chat(member, team):
        raise PermissionDenied(
            f"Only {team.name}'s leads and the organisation's admins can change its chat channels."
        )


def _name(value: Any) -> str:
    name = str(value or "").strip()
    if not name:
        raise ValidationError({"name": "Give the channel a name, e.g. #platform-team."})
    if len(name) > 80:
        raise ValidationError({"name": "Keep the name under 80 characters."})
    return name


def chat_channel_create(
    *,
    member: Membership,
    team: Team,
    name: str,
    url: str,
    digest: bool = True,
    flags: bool = True,
) -> TeamChatChannel:
    """Add a chat destination to a team; the URL must be one Apprise knows."""
    _require_manager(member, team)
    return TeamChatChannel.objects.create(
        organisation_id=team.organisation_id,
        team=team,
        name=_name(name),
        url=chat_url_check(url),
        digest=digest,
        flags=flags,
        created_by_id=member.user_id,
    )


CHANNEL_FIELDS = ("name", "url", "digest", "flags", "enabled")


def chat_channel_update(
    *, member: Membership, channel: TeamChatChannel, **changes: Any
) -> TeamChatChannel:
    """Rename, re-point, switch on or off, or choose what a channel receives."""
    _require_manager(member, channel.team)
    unknown = set(changes) - set(CHANNEL_FIELDS)
    if unknown:
        raise ValidationError({field: "This field cannot be changed." for field in unknown})
    if "name" in changes:
        changes["name"] = _name(changes["name"])
    if "url" in changes:
        changes["url"] = chat_url_check(changes["url"])
        changes["last_error"] = ""
    for field, value in changes.items():
        setattr(channel, field, value)
    channel.save()
    return channel


def chat_channel_delete(*, member: Membership, channel: TeamChatChannel) -> None:
    _require_manager(member, channel.team)
    channel.delete()


def chat_channel_test(*, member: Membership, channel: TeamChatChannel) -> None:
    """Queue a test message to the channel (sent by the worker, never in the request)."""
    _require_manager(member, channel.team)
    from .tasks import chat_channel_test_task

    transaction.on_commit(lambda: chat_channel_test_task.enqueue(channel.pk))
