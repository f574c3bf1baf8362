"""The webhooks API: owners and admins set webhooks up and read their delivery logs;
members get 403, the outsider 404, the anonymous 401."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client, override_settings

from headway.notify import webhooks as hooks
from headway.notify.models import Webhook, WebhookDelivery
from tests.conftest import World
from tests.webhook_receiver import Receiver, run_due, verify

from .conftest import problem, send


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver.running() as running:
        yield running


@pytest.fixture
def hook(world: World, receiver: Receiver) -> Webhook:
    return hooks.webhook_create(member=world.alice, url=receiver.url, description="Warehouse")


def test_an_admin_adds_a_webhook_and_gets_its_secret_once(
    alice: Client, receiver: Receiver
) -> None:
    response = send(
        alice,
        "post",
        "/webhooks",
        {"url": receiver.url, "description": "Dashboard", "events": ["flag.raised"]},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    hook = Webhook.objects.get()
    assert body["secret"] == hook.secret
    assert body["secret_hint"] == hook.secret[:10] + "…"
    assert (body["url"], body["events"], body["enabled"]) == (receiver.url, ["flag.raised"], True)
    again = send(alice, "get", f"/webhooks/{hook.pk}").json()
    assert "secret" not in again and again["secret_hint"] == body["secret_hint"]
    listed = send(alice, "get", "/webhooks").json()
    assert listed["count"] == 1 and "secret" not in listed["items"][0]


def test_bad_input_is_a_422_naming_the_field(alice: Client) -> None:
    problem(send(alice, "post", "/webhooks", {"url": "gopher://x"}), 422, "url")
    problem(
        send(alice, "post", "/webhooks", {"url": "https://a.example", "events": ["nope"]}),
        422,
        "events",
    )
    problem(send(alice, "post", "/webhooks", {"description": "no url"}), 422, "url")
    assert not Webhook.objects.exists()


@override_settings(PRODUCTION=True)
def test_a_private_address_is_refused_in_production_unless_allowed(
    alice: Client, receiver: Receiver
) -> None:
    body = problem(send(alice, "post", "/webhooks", {"url": receiver.url}), 422, "url")
    assert "private or loopback address" in body["detail"]
    response = send(alice, "post", "/webhooks", {"url": receiver.url, "allow_private": True})
    assert response.status_code == 201


def test_an_admin_changes_rotates_tests_and_deletes_a_webhook(
    alice: Client, hook: Webhook, receiver: Receiver
) -> None:
    changed = send(alice, "patch", f"/webhooks/{hook.pk}", {"description": "Renamed"})
    assert changed.status_code == 200 and changed.json()["description"] == "Renamed"
    problem(send(alice, "patch", f"/webhooks/{hook.pk}", {"url": None}), 422, "url")
    rotated = send(alice, "post", f"/webhooks/{hook.pk}/secret").json()
    assert rotated["secret"] != hook.secret
    tested = send(alice, "post", f"/webhooks/{hook.pk}/test")
    assert tested.status_code == 202
    assert (tested.json()["event"], tested.json()["status"]) == ("ping", "pending")
    run_due()
    [request] = receiver.requests
    assert verify(rotated["secret"], request.headers["Headway-Signature"], request.body)
    assert send(alice, "delete", f"/webhooks/{hook.pk}").status_code == 204
    assert not Webhook.objects.exists() and not WebhookDelivery.objects.exists()


def test_the_delivery_log_is_paged_newest_first(alice: Client, world: World, hook: Webhook) -> None:
    sent = [hooks.webhook_test_event(member=world.alice, webhook=hook) for _ in range(3)]
    body = send(alice, "get", f"/webhooks/{hook.pk}/deliveries?page_size=2").json()
    assert body["count"] == 3
    assert [d["id"] for d in body["items"]] == [sent[2].pk, sent[1].pk]
    item = body["items"][0]
    assert item["event_id"] == str(sent[2].event_id)
    assert item["payload"]["version"] == 1 and item["payload"]["type"] == "ping"


def test_a_disabled_webhook_is_enabled_again_and_its_failed_delivery_redelivered(
    alice: Client, world: World, hook: Webhook
) -> None:
    delivery = hooks.webhook_test_event(member=world.alice, webhook=hook)
    redeliver = f"/webhooks/{hook.pk}/deliveries/{delivery.pk}/redeliver"
    problem(send(alice, "post", redeliver), 409)  # still pending
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="failed", attempts=6)
    Webhook.objects.filter(pk=hook.pk).update(enabled=False, consecutive_failures=5)
    problem(send(alice, "post", redeliver), 409)  # disabled
    problem(send(alice, "post", f"/webhooks/{hook.pk}/test"), 409)
    enabled = send(alice, "post", f"/webhooks/{hook.pk}/enable").json()
    assert (enabled["enabled"], enabled["consecutive_failures"]) == (True, 0)
    response = send(alice, "post", redeliver)
    assert response.status_code == 202 and response.json()["status"] == "pending"
    problem(send(alice, "post", f"/webhooks/{hook.pk}/deliveries/999999/redeliver"), 404)


@pytest.mark.parametrize("persona", ["bob", "dave"])
def test_members_and_viewers_get_403(
    persona: str, hook: Webhook, request: pytest.FixtureRequest
) -> None:
    client = request.getfixturevalue(persona)
    for method, path, body in (
        ("get", "/webhooks", None),
        ("post", "/webhooks", {"url": "http://127.0.0.1:1/x"}),
        ("get", f"/webhooks/{hook.pk}", None),
        ("patch", f"/webhooks/{hook.pk}", {"description": "x"}),
        ("delete", f"/webhooks/{hook.pk}", None),
        ("post", f"/webhooks/{hook.pk}/secret", None),
        ("post", f"/webhooks/{hook.pk}/enable", None),
        ("post", f"/webhooks/{hook.pk}/test", None),
        ("get", f"/webhooks/{hook.pk}/deliveries", None),
    ):
        problem(send(client, method, path, body), 403)
    assert Webhook.objects.get().description == "Warehouse"


def test_the_outsider_gets_404_for_another_organisations_webhook(
    charlie: Client, hook: Webhook
) -> None:
    for method, path in (
        ("get", f"/webhooks/{hook.pk}"),
        ("patch", f"/webhooks/{hook.pk}"),
        ("delete", f"/webhooks/{hook.pk}"),
        ("post", f"/webhooks/{hook.pk}/secret"),
        ("post", f"/webhooks/{hook.pk}/test"),
        ("get", f"/webhooks/{hook.pk}/deliveries"),
    ):
        problem(send(charlie, method, path, {} if method == "patch" else None), 404)
    assert send(charlie, "get", "/webhooks").json()["count"] == 0
    assert Webhook.objects.get().pk == hook.pk


def test_the_anonymous_get_401(anonymous: Client, hook: Webhook) -> None:
    problem(send(anonymous, "get", "/webhooks"), 401)
    problem(send(anonymous, "post", f"/webhooks/{hook.pk}/test"), 401)
