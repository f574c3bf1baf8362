"""Team chat channels through Apprise: URLs checked on save, shown masked, never
logged; messages posted by the worker with short timeouts."""

from __future__ import annotations

import logging

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from headway.notify.chat import ChatError, chat_send, chat_service, chat_url_check, chat_url_masked
from headway.notify.models import TeamChatChannel
from headway.notify.services import (
    chat_channel_create,
    chat_channel_delete,
    chat_channel_update,
)
from headway.notify.tasks import chat_channel_test_task
from headway.teams.models import TeamMembership, TeamRole
from tests.conftest import World
from tests.notify.local_servers import Receiver, free_port

SLACK = "https://hooks.slack.com/services/T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ"


@pytest.mark.parametrize(
    "url",
    [
        "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ/#general",
        SLACK,
        "discord://4174216298/JHMHI8qBe7bk2ZwO5U711o3dV_js",
        "workflows://prod-161.westeurope.logic.azure.com:443/643e69f83c8944438d68119179a10a64/KODuebWbDGYFr0z0eu-6Rj8aUKz7108W3wrNJZxFE5A",
        "mmost://mattermost.example.com/3ccdd113474722377935511fc85d3dd4",
        "matrixs://user:pass@matrix.example.com/#room",
        "jsons://hooks.example.com/path",
    ],
)
def test_it_accepts_the_chat_services_apprise_knows(url: str) -> None:
    assert chat_url_check(f"  {url} ") == url
    assert chat_service(url)


@pytest.mark.parametrize(
    "url", ["", "https://example.com/hook", "nonsense://x", "slack://", "mailto", "a" * 2001]
)
def test_it_refuses_a_url_apprise_does_not_know_with_examples(url: str) -> None:
    with pytest.raises(ValidationError) as refused:
        chat_url_check(url)
    message = refused.value.message_dict["url"][0]
    assert message.startswith(("Headway does not recognise", "Enter", "That URL is too long"))
    if message.startswith("Headway"):
        assert "slack://" in message and "workflows://" in message and "jsons://" in message


def test_private_addresses_are_refused_where_the_operator_did_not_allow_them(
    settings: object,
) -> None:
    settings.NOTIFY_CHAT_ALLOW_PRIVATE = False  # type: ignore[attr-defined]
    for url in ("json://127.0.0.1:9000/hook", "jsons://10.1.2.3/hook", "json://localhost/x"):
        with pytest.raises(ValidationError, match="private or loopback"):
            chat_url_check(url)
    settings.NOTIFY_CHAT_ALLOW_PRIVATE = True  # type: ignore[attr-defined]
    assert chat_url_check("json://127.0.0.1:9000/hook")


@pytest.mark.parametrize(
    ("url", "secret"),
    [
        (SLACK, "TIiajkdnlazkcOXrIdevi7FQ"),
        ("discord://4174216298/JHMHI8qBe7bk2ZwO5U711o3dV_js", "JHMHI8qBe7bk2ZwO5U711o3dV_js"),
        ("matrixs://user:hunter22@matrix.example.com/#room", "hunter22"),
        ("jsons://hooks.example.com/services/T000/s3cr3tT0k3nV4lue", "s3cr3tT0k3nV4lue"),
    ],
)
def test_a_url_is_shown_masked(url: str, secret: str) -> None:
    masked = chat_url_masked(url)
    assert secret not in masked
    assert "://" in masked


def test_a_message_arrives_at_the_local_receiver(chat_receiver: Receiver) -> None:
    chat_send(chat_receiver.url("hook"), "Hello", "**Bold** news")
    [post] = chat_receiver.to("hook")
    assert (post["title"], post["type"]) == ("Hello", "info")
    assert "Bold" in post["message"]


def test_a_refused_or_unreachable_send_says_why_without_the_url(
    chat_receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    chat_receiver.status = 500
    secret_url = chat_receiver.url("s3cr3t-path")
    with caplog.at_level(logging.DEBUG), pytest.raises(ChatError) as failed:
        chat_send(secret_url, "Hello", "body")
    assert "500" in str(failed.value) and "s3cr3t" not in str(failed.value)
    with pytest.raises(ChatError, match="JSON"):
        chat_send(f"json://127.0.0.1:{free_port()}/s3cr3t", "Hello", "body")
    # Apprise logs URLs: its logger goes nowhere (pytest's own capture aside), and
    # nothing Headway logs names the URL.
    assert logging.getLogger("apprise").propagate is False
    ours = [r.getMessage() for r in caplog.records if not r.name.startswith("apprise")]
    assert not [message for message in ours if "s3cr3t" in message]


def test_a_lead_or_an_admin_adds_a_channel_and_a_member_cannot(
    world: World, chat_receiver: Receiver
) -> None:
    with pytest.raises(PermissionDenied):
        chat_channel_create(
            member=world.bob, team=world.platform, name="#p", url=chat_receiver.url()
        )
    TeamMembership.objects.filter(team=world.platform, user=world.bob.user).update(
        role=TeamRole.LEAD
    )
    channel = chat_channel_create(
        member=world.bob, team=world.platform, name=" #platform ", url=chat_receiver.url()
    )
    assert (channel.name, channel.organisation_id) == ("#platform", world.acme.pk)
    chat_channel_update(member=world.alice, channel=channel, enabled=False)
    with pytest.raises(PermissionDenied):
        chat_channel_delete(member=world.charlie, channel=channel)
    with pytest.raises(ValidationError):
        chat_channel_update(member=world.alice, channel=channel, url="https://example.com")
    channel.refresh_from_db()
    assert channel.url == chat_receiver.url() and not channel.enabled


def test_the_test_message_is_sent_by_the_worker_and_its_failure_kept(
    world: World, chat_receiver: Receiver
) -> None:
    channel = TeamChatChannel.objects.create(
        organisation=world.acme, team=world.platform, name="#platform", url=chat_receiver.url()
    )
    assert chat_channel_test_task.call(channel.pk) == "Sent."
    [post] = chat_receiver.to("hook")
    assert post["title"] == "Headway test message" and "#platform" in post["message"]
    chat_receiver.status = 404
    assert chat_channel_test_task.call(channel.pk).startswith("Failed")
    channel.refresh_from_db()
    assert "404" in channel.last_error
