"""GET/PUT /api/v1/me/notifications and /api/v1/teams/{id}/chat-channels."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult

from headway.notify.models import TeamChatChannel
from headway.notify.selectors import preference_of
from headway.teams.models import TeamMembership, TeamRole
from tests.conftest import World

from .conftest import problem, send, unauthenticated

SECRET = "s3cr3tT0k3nV4lue"
URL = f"jsons://hooks.example.com/services/T000/{SECRET}"


def test_it_returns_the_default_preferences(bob: Client) -> None:
    response = send(bob, "get", "/me/notifications")
    assert response.status_code == 200
    assert response.json() == {
        "channel": "email",
        "reminders": True,
        "digest": True,
        "flags": True,
        "quiet_days": [],
        "away_until": None,
    }


def test_it_replaces_the_preferences(world: World, bob: Client) -> None:
    body = {"channel": "email", "digest": False, "quiet_days": [6, 5], "away_until": "2030-01-02"}
    response = send(bob, "put", "/me/notifications", body)
    assert response.status_code == 200, response.content
    assert response.json()["quiet_days"] == [5, 6]
    assert response.json()["reminders"] is True  # left out: back to its default
    preference = preference_of(world.bob)
    assert (preference.digest, str(preference.away_until)) == (False, "2030-01-02")
    assert preference_of(world.alice).pk is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"channel": "pigeon"}, "channel"),
        ({"quiet_days": [7]}, "quiet_days.0"),
        ({"quiet_days": [0, 1, 2, 3, 4, 5, 6]}, "quiet_days"),
        ({"away_until": "someday"}, "away_until"),
    ],
)
def test_it_refuses_bad_preferences(
    world: World, bob: Client, body: dict[str, Any], field: str
) -> None:
    problem(send(bob, "put", "/me/notifications", body), 422, field)
    assert preference_of(world.bob).pk is None


def test_it_needs_authentication() -> None:
    unauthenticated(send(Client(), "get", "/me/notifications"))


# --- chat channels


def channels(world: World) -> str:
    return f"/teams/{world.platform.pk}/chat-channels"


def test_an_admin_adds_a_channel_and_never_reads_its_url_back(world: World, alice: Client) -> None:
    response = send(alice, "post", channels(world), {"name": "#platform", "url": URL})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["service"], body["digest"], body["flags"]) == (
        "#platform",
        "JSON",
        True,
        True,
    )
    assert "url" not in body and SECRET not in response.content.decode()
    assert body["url_masked"].startswith("jsons://hooks.example.com/")
    listed = send(alice, "get", channels(world))
    assert [c["id"] for c in listed.json()["items"]] == [body["id"]]
    assert SECRET not in listed.content.decode()
    assert TeamChatChannel.objects.get().url == URL


def test_it_refuses_an_unknown_chat_url_as_a_problem(world: World, alice: Client) -> None:
    body = problem(
        send(alice, "post", channels(world), {"name": "#p", "url": "https://example.com"}),
        422,
        "url",
    )
    assert "slack://" in body["errors"][0]["message"]
    assert not TeamChatChannel.objects.exists()


def test_a_member_reads_but_only_a_lead_or_admin_writes(world: World, bob: Client) -> None:
    channel = TeamChatChannel.objects.create(
        organisation=world.acme, team=world.platform, name="#platform", url=URL
    )
    item = f"{channels(world)}/{channel.pk}"
    assert send(bob, "get", item).status_code == 200
    problem(send(bob, "patch", item, {"enabled": False}), 403)
    problem(send(bob, "post", channels(world), {"name": "#x", "url": URL}), 403)
    TeamMembership.objects.filter(team=world.platform, user=world.bob.user).update(
        role=TeamRole.LEAD
    )
    response = send(bob, "patch", item, {"enabled": False, "flags": False})
    assert response.status_code == 200
    assert (response.json()["enabled"], response.json()["flags"]) == (False, False)
    problem(send(bob, "patch", item, {"url": "nonsense://x"}), 422, "url")
    problem(send(bob, "patch", item, {"name": None}), 422, "name")


def test_test_message_is_queued_and_delete_removes(
    world: World, alice: Client, django_capture_on_commit_callbacks: Any
) -> None:
    channel = TeamChatChannel.objects.create(
        organisation=world.acme, team=world.platform, name="#platform", url=URL
    )
    item = f"{channels(world)}/{channel.pk}"
    with django_capture_on_commit_callbacks(execute=True):
        response = send(alice, "post", f"{item}/test")
    assert (response.status_code, response.json()) == (202, {"queued": True})
    assert DBTaskResult.objects.filter(task_path__endswith="chat_channel_test_task").count() == 1
    assert send(alice, "delete", item).status_code == 204
    assert not TeamChatChannel.objects.exists()


def test_the_outsider_gets_404(world: World, charlie: Client) -> None:
    channel = TeamChatChannel.objects.create(
        organisation=world.acme, team=world.platform, name="#platform", url=URL
    )
    problem(send(charlie, "get", channels(world)), 404)
    problem(send(charlie, "delete", f"{channels(world)}/{channel.pk}"), 404)
    other = f"/teams/{world.root.pk}/chat-channels/{channel.pk}"
    problem(send(charlie, "get", other), 404)
    assert TeamChatChannel.objects.exists()


def test_a_channel_is_reached_only_through_its_own_team(world: World, alice: Client) -> None:
    channel = TeamChatChannel.objects.create(
        organisation=world.acme, team=world.platform, name="#platform", url=URL
    )
    problem(send(alice, "get", f"/teams/{world.root.pk}/chat-channels/{channel.pk}"), 404)
