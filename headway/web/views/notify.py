"""Notification settings: a person's preferences, a team's chat channels, and the
page an e-mail's unsubscribe link opens (no login: the link itself is signed)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from headway.accounts.models import Membership
from headway.notify import selectors, services
from headway.notify.chat import chat_service, chat_url_masked
from headway.notify.links import unsubscribe_read
from headway.notify.models import NotificationKind, TeamChatChannel
from headway.teams.models import Team
from headway.teams.selectors import team_get_by_slug
from headway.web.decorators import member_view
from headway.web.forms import call_service
from headway.web.forms_notify import ChatChannelForm, PreferenceForm

# --- a person's preferences -------------------------------------------------------------


@member_view()
def notify_settings(request: HttpRequest) -> HttpResponse:
    member: Membership = request.member  # type: ignore[attr-defined]
    form = PreferenceForm(request.POST or None, initial=selectors.preference_values(member))
    saved = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = call_service(form, lambda: services.preference_update(member=member, **data))
    if saved is not None:
        messages.success(request, "Notification settings saved.")
        return redirect("notify-settings", org=member.organisation.slug)
    context = {"form": form, "recent": selectors.notifications_of(member)}
    status = 422 if request.method == "POST" else 200
    return render(request, "notify/settings.html", context, status=status)


# --- a team's chat channels ---------------------------------------------------------------


@dataclass(frozen=True)
class ChannelRow:
    channel: TeamChatChannel
    masked: str
    service: str


def _channels_page(
    request: HttpRequest, team: Team, form: ChatChannelForm | None = None, status: int = 200
) -> HttpResponse:
    member: Membership = request.member  # type: ignore[attr-defined]
    rows = [
        ChannelRow(channel, chat_url_masked(channel.url), chat_service(channel.url))
        for channel in selectors.chat_channels_of_team(team)
    ]
    context = {
        "team": team,
        "rows": rows,
        "can_manage": services.can_manage_chat(member, team),
        "form": form or ChatChannelForm(),
    }
    return render(request, "notify/team_channels.html", context, status=status)


@member_view()
def team_chat_channels(request: HttpRequest, slug: str) -> HttpResponse:
    """The team's chat channels (everyone in the organisation may look, URLs masked);
    leads and admins add them here."""
    member: Membership = request.member  # type: ignore[attr-defined]
    team = team_get_by_slug(member, slug)
    if request.method != "POST":
        return _channels_page(request, team)
    if not services.can_manage_chat(member, team):
        raise PermissionDenied(f"Only {team.name}'s leads and admins can add chat channels.")
    form = ChatChannelForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        created = call_service(
            form, lambda: services.chat_channel_create(member=member, team=team, **data)
        )
        if created is not None:
            messages.success(request, f"Chat channel {created.name} added.")
            return redirect("team-chat-channels", org=member.organisation.slug, slug=team.slug)
    return _channels_page(request, team, form, status=422)


def _channel(
    request: HttpRequest, slug: str, channel_id: int
) -> tuple[Membership, TeamChatChannel]:
    member: Membership = request.member  # type: ignore[attr-defined]
    team = team_get_by_slug(member, slug)
    return member, selectors.chat_channel_get(team, channel_id)


def _back(member: Membership, channel: TeamChatChannel) -> HttpResponse:
    return redirect("team-chat-channels", org=member.organisation.slug, slug=channel.team.slug)


@member_view()
@require_POST
def team_chat_channel_toggle(request: HttpRequest, slug: str, channel_id: int) -> HttpResponse:
    member, channel = _channel(request, slug, channel_id)
    services.chat_channel_update(member=member, channel=channel, enabled=not channel.enabled)
    state = "enabled" if channel.enabled else "disabled"
    messages.success(request, f"Chat channel {channel.name} {state}.")
    return _back(member, channel)


@member_view()
@require_POST
def team_chat_channel_delete(request: HttpRequest, slug: str, channel_id: int) -> HttpResponse:
    member, channel = _channel(request, slug, channel_id)
    services.chat_channel_delete(member=member, channel=channel)
    messages.success(request, f"Chat channel {channel.name} deleted.")
    return _back(member, channel)


@member_view()
@require_POST
def team_chat_channel_test(request: HttpRequest, slug: str, channel_id: int) -> HttpResponse:
    member, channel = _channel(request, slug, channel_id)
    services.chat_channel_test(member=member, channel=channel)
    messages.success(
        request,
        f"A test message to {channel.name} is queued; the worker sends it within a minute. "
        "Reload this page to see whether it failed.",
    )
    return _back(member, channel)


# --- unsubscribe ---------------------------------------------------------------------------

KIND_WORDS = {
    NotificationKind.REMINDER: "check-in reminders",
    NotificationKind.DIGEST: "the weekly digest",
    NotificationKind.FLAG: "flag notifications",
}


# The link is its own credential (signed, per member and kind), and RFC 8058's one-click
# unsubscribe is a POST from the mail provider, which carries no CSRF token.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks to confirm (mail clients prefetch links); POST turns the kind off."""
    found = unsubscribe_read(token)
    member = None
    if found is not None:
        member = (
            Membership.objects.select_related("user", "organisation").filter(pk=found[0]).first()
        )
    if found is None or member is None:
        return render(request, "notify/unsubscribe.html", {"broken": True}, status=400)
    kind = found[1]
    context = {"who": member, "what": KIND_WORDS[kind], "token": token}  # type: ignore[index]
    if request.method == "POST":
        services.notification_unsubscribe(membership_id=member.pk, kind=kind)
        context["done"] = True
    return render(request, "notify/unsubscribe.html", context)
