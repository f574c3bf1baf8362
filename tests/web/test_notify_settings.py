"""The notification settings pages: a person's preferences, a team's chat channels."""

from __future__ import annotations

import re
from typing import Any

from django_tasks_db.models import DBTaskResult

from headway.notify.models import Channel, Notification, NotificationKind, TeamChatChannel
from headway.notify.selectors import preference_of
from headway.teams.models import TeamMembership, TeamRole
from tests.conftest import World, logged_in
from tests.web.conftest import error_of

SETTINGS = "/o/acme/settings/notifications/"
CHAT = "/o/acme/teams/platform/chat/"
SECRET = "s3cr3tT0k3nV4lue"
URL = f"jsons://hooks.example.com/services/T000/{SECRET}"


def test_the_page_shows_the_defaults_and_the_organisations_times(world: World) -> None:
    response = logged_in(world.bob).get(SETTINGS)
    assert response.status_code == 200
    html = response.content.decode()
    assert "reminders go out on Mondays at 09:00" in html
    assert re.search(r'value="email"[^>]*checked', html)
    assert "Nothing yet." in html


def test_it_saves_channel_kinds_quiet_days_and_away(world: World) -> None:
    client = logged_in(world.bob)
    response = client.post(
        SETTINGS,
        {
            "channel": "email",
            "reminders": "on",
            "quiet_days": ["4", "5"],
            "away_until": "2030-01-02",
        },
    )
    assert response["Location"] == SETTINGS
    preference = preference_of(world.bob)
    assert (preference.channel, preference.reminders, preference.digest, preference.flags) == (
        Channel.EMAIL,
        True,
        False,
        False,
    )
    assert preference.quiet_days == [4, 5]
    assert str(preference.away_until) == "2030-01-02"
    assert "Notification settings saved" in client.get(SETTINGS).content.decode()


def test_it_refuses_seven_quiet_days_and_saves_nothing(world: World) -> None:
    response = logged_in(world.bob).post(
        SETTINGS, {"channel": "email", "quiet_days": [str(d) for d in range(7)]}
    )
    assert response.status_code == 422
    assert "Leave at least one day" in error_of(response, "quiet_days")
    assert not hasattr(world.bob, "notification_preference") or preference_of(world.bob).pk is None


def test_it_lists_what_was_sent_lately(world: World) -> None:
    Notification.objects.create(
        organisation=world.acme,
        kind=NotificationKind.REMINDER,
        key="reminder:2026-11-30",
        membership=world.bob,
        channel=Channel.EMAIL,
        subject="Check-in day: 2 key results to update",
        attempts=3,
        error="Could not reach the mail server.",
    )
    html = logged_in(world.bob).get(SETTINGS).content.decode()
    assert "Check-in day: 2 key results to update" in html
    assert "not sent after 3 attempts" in html
    assert "Check-in day" not in logged_in(world.alice).get(SETTINGS).content.decode()


def test_the_outsider_gets_404(world: World) -> None:
    assert logged_in(world.charlie).get(SETTINGS).status_code == 404
    assert logged_in(world.charlie).get(CHAT).status_code == 404


def test_the_menu_and_the_team_page_link_to_the_settings(world: World) -> None:
    html = logged_in(world.bob).get("/o/acme/teams/platform/").content.decode()
    assert f'href="{SETTINGS}"' in html and f'href="{CHAT}"' in html


# --- team chat channels


def test_an_admin_adds_a_channel_and_sees_it_masked(world: World) -> None:
    client = logged_in(world.alice)
    response = client.post(CHAT, {"name": "#platform", "url": URL, "digest": "on", "flags": "on"})
    assert response["Location"] == CHAT
    channel = TeamChatChannel.objects.get()
    assert (channel.team, channel.url, channel.digest) == (world.platform, URL, True)
    html = client.get(CHAT).content.decode()
    assert "#platform" in html and "JSON" in html
    assert SECRET not in html and "hooks.example.com" in html


def test_it_refuses_a_chat_url_it_does_not_know_with_examples(world: World) -> None:
    response = logged_in(world.alice).post(
        CHAT, {"name": "#platform", "url": "https://example.com/hook"}
    )
    assert response.status_code == 422
    error = error_of(response, "url")
    assert "does not recognise" in error and "slack://" in error
    assert not TeamChatChannel.objects.exists()


def test_a_member_sees_the_channels_but_only_a_lead_changes_them(world: World) -> None:
    channel = TeamChatChannel.objects.create(
        organisation=world.acme, team=world.platform, name="#platform", url=URL
    )
    client = logged_in(world.bob)
    html = client.get(CHAT).content.decode()
    assert "#platform" in html and "Add a chat channel" not in html
    assert client.post(CHAT, {"name": "#mine", "url": URL}).status_code == 403
    toggle = f"{CHAT}{channel.pk}/toggle/"
    assert client.post(toggle).status_code == 403
    TeamMembership.objects.filter(team=world.platform, user=world.bob.user).update(
        role=TeamRole.LEAD
    )
    assert client.post(toggle).status_code == 302
    channel.refresh_from_db()
    assert channel.enabled is False


def test_a_lead_sends_a_test_message_through_the_queue_and_deletes_a_channel(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    channel = TeamChatChannel.objects.create(
        organisation=world.acme, team=world.platform, name="#platform", url=URL
    )
    client = logged_in(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{CHAT}{channel.pk}/test/")
    assert response.status_code == 302
    queued = DBTaskResult.objects.get(task_path__endswith="chat_channel_test_task")
    assert queued.args_kwargs["args"] == [channel.pk]
    assert "queued" in client.get(CHAT).content.decode()
    assert client.post(f"{CHAT}{channel.pk}/delete/").status_code == 302
    assert not TeamChatChannel.objects.exists()


def test_a_channel_of_another_team_or_organisation_is_404(world: World) -> None:
    channel = TeamChatChannel.objects.create(
        organisation=world.globex, team=world.globex_team, name="#globex", url=URL
    )
    client = logged_in(world.alice)
    assert client.post(f"{CHAT}{channel.pk}/delete/").status_code == 404
    assert client.post(f"/o/acme/teams/acme/chat/{channel.pk}/toggle/").status_code == 404
    assert TeamChatChannel.objects.filter(pk=channel.pk, enabled=True).exists()
