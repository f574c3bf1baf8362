"""Notification work for the queue: the periodic jobs, retries and a channel's test
message. Nothing here runs in a web request."""

from __future__ import annotations

from django_tasks import task

from .chat import ChatError, chat_send
from .delivery import render_chat
from .jobs import digests_run, flags_run, notifications_retry, reminders_run
from .messages import test_content
from .models import TeamChatChannel


@task()
def reminders_send_task() -> str:
    """Check-in reminders of every organisation whose reminder time has come."""
    return str(reminders_run())


@task()
def digests_send_task() -> str:
    """Weekly digests of every organisation whose digest time has come."""
    return str(digests_run())


@task()
def flags_notify_task() -> str:
    """Tell people and team channels about flags they have not heard of."""
    return str(flags_run())


@task()
def notifications_retry_task(ids: list[int]) -> bool | None:
    """The next attempt at notifications whose send failed (see delivery.deliver)."""
    return notifications_retry(ids)


@task()
def chat_channel_test_task(channel_id: int) -> str:
    """Post a test message to one chat channel; its outcome lands on `last_error`."""
    channel = TeamChatChannel.objects.select_related("organisation").filter(pk=channel_id).first()
    if channel is None:
        return "The channel was deleted."
    title, body = render_chat(
        channel.organisation, test_content(channel.organisation, channel.name)
    )
    try:
        chat_send(channel.url, title, body)
    except ChatError as error:
        TeamChatChannel.objects.filter(pk=channel.pk).update(last_error=str(error))
        return f"Failed: {error}"
    TeamChatChannel.objects.filter(pk=channel.pk).update(last_error="")
    return "Sent."
