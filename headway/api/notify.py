"""The caller's notification preferences, and a team's chat channels.

A chat channel's URL carries its service's secret: it is written, never read back
(`url_masked` shows scheme, host and the ends of long parts).
"""

# No `from __future__ import annotations` in router modules: ninja resolves the
# parameter types of a @paginate-wrapped view in ninja's own namespace, where a
# string such as "Role | None" names nothing and the endpoint fails with a 500.

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from headway.notify import selectors, services
from headway.notify.chat import chat_service, chat_url_masked
from headway.notify.models import Channel, TeamChatChannel
from headway.teams.selectors import team_get

from .auth import member_of
from .common import BODY_ERRORS, WRITE_ERRORS, Id, Pages, changes, responses

router = Router(tags=["notifications"])

Weekday = Annotated[int, Field(ge=0, le=6)]


class PreferenceOut(Schema):
    channel: str = Field(..., description="email, chat (nothing by e-mail) or none.")
    reminders: bool
    digest: bool
    flags: bool
    quiet_days: list[int] = Field(..., description="Weekdays without notifications, 0 = Monday.")
    away_until: dt.date | None = Field(
        None, description="No reminders or digests through this day; flags wait."
    )


class PreferenceIn(Schema):
    channel: Channel = Channel.EMAIL
    reminders: bool = True
    digest: bool = True
    flags: bool = True
    quiet_days: list[Weekday] = Field([], max_length=7)
    away_until: dt.date | None = None


@router.get(
    "/me/notifications",
    response=responses({200: PreferenceOut}),
    summary="What the caller hears about, and how",
)
def preference_read(request: HttpRequest) -> object:
    return selectors.preference_values(member_of(request))


@router.put(
    "/me/notifications",
    response=responses({200: PreferenceOut}, BODY_ERRORS),
    summary="Replace the caller's notification preferences",
)
def preference_replace(request: HttpRequest, payload: PreferenceIn) -> object:
    member = member_of(request)
    services.preference_update(member=member, **payload.dict())
    return selectors.preference_values(member)


class ChatChannelOut(Schema):
    id: int
    team_id: int
    name: str
    service: str = Field(..., description="The chat service Apprise recognised, e.g. Slack.")
    url_masked: str = Field(..., description="The URL with its secrets cut out.")
    digest: bool
    flags: bool
    enabled: bool
    last_error: str = Field(..., description="Why the last send failed; empty when it worked.")
    created_at: dt.datetime

    @staticmethod
    def resolve_service(channel: TeamChatChannel) -> str:
        return chat_service(channel.url)

    @staticmethod
    def resolve_url_masked(channel: TeamChatChannel) -> str:
        return chat_url_masked(channel.url)


class ChatChannelIn(Schema):
    name: str = Field(..., min_length=1, max_length=80)
    url: str = Field(
        ...,
        min_length=1,
        max_length=2000,
        description="The service's webhook URL or its Apprise form (slack://…, workflows://…, "
        "discord://…, mmost://…, matrixs://…, jsons://…); refused when Apprise does not know it.",
    )
    digest: bool = True
    flags: bool = True


class ChatChannelPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=80)
    url: str | None = Field(None, min_length=1, max_length=2000)
    digest: bool | None = None
    flags: bool | None = None
    enabled: bool | None = None


class Queued(Schema):
    queued: bool = True


def _channel(request: HttpRequest, team_id: Id, channel_id: Id) -> tuple[Any, TeamChatChannel]:
    member = member_of(request)
    return member, selectors.chat_channel_get(team_get(member, team_id), channel_id)


@router.get(
    "/teams/{team_id}/chat-channels",
    response=responses({200: list[ChatChannelOut]}),
    summary="A team's chat channels (URLs masked)",
)
@paginate(Pages)
def chat_channels_list(request: HttpRequest, team_id: Id) -> object:
    return selectors.chat_channels_of_team(team_get(member_of(request), team_id))


@router.post(
    "/teams/{team_id}/chat-channels",
    response=responses({201: ChatChannelOut}, BODY_ERRORS),
    summary="Add a chat channel to a team (its leads and admins); unknown URLs get 422",
)
def chat_channel_create(
    request: HttpRequest, team_id: Id, payload: ChatChannelIn
) -> Status[object]:
    member = member_of(request)
    team = team_get(member, team_id)
    channel = services.chat_channel_create(member=member, team=team, **payload.dict())
    return Status(201, channel)


@router.get(
    "/teams/{team_id}/chat-channels/{channel_id}",
    response=responses({200: ChatChannelOut}),
    summary="One chat channel of a team",
)
def chat_channel_read(request: HttpRequest, team_id: Id, channel_id: Id) -> object:
    return _channel(request, team_id, channel_id)[1]


@router.patch(
    "/teams/{team_id}/chat-channels/{channel_id}",
    response=responses({200: ChatChannelOut}, BODY_ERRORS),
    summary="Rename, re-point, switch on or off, or choose what a chat channel receives",
)
def chat_channel_update(
    request: HttpRequest, team_id: Id, channel_id: Id, payload: ChatChannelPatch
) -> object:
    member, channel = _channel(request, team_id, channel_id)
    data = changes(payload)
    if data:
        services.chat_channel_update(member=member, channel=channel, **data)
    return channel


@router.delete(
    "/teams/{team_id}/chat-channels/{channel_id}",
    response=responses({204: None}, WRITE_ERRORS),
    summary="Delete a chat channel",
)
def chat_channel_delete(request: HttpRequest, team_id: Id, channel_id: Id) -> Status[None]:
    member, channel = _channel(request, team_id, channel_id)
    services.chat_channel_delete(member=member, channel=channel)
    return Status(204, None)


@router.post(
    "/teams/{team_id}/chat-channels/{channel_id}/test",
    response=responses({202: Queued}, WRITE_ERRORS),
    summary="Queue a test message to a chat channel; its outcome shows in `last_error`",
)
def chat_channel_test(request: HttpRequest, team_id: Id, channel_id: Id) -> Status[object]:
    member, channel = _channel(request, team_id, channel_id)
    services.chat_channel_test(member=member, channel=channel)
    return Status(202, {"queued": True})
