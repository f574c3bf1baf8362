"""Webhook pages: the list with the add form, one webhook with its delivery log, and
its buttons. Owners and admins only; the outsider sees nothing."""

from __future__ import annotations

from collections.abc import Iterator
from html import unescape
from typing import Any

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from headway.notify import webhooks as hooks
from headway.notify.models import Webhook, WebhookDelivery
from tests.conftest import World, logged_in
from tests.web.conftest import error_of
from tests.webhook_receiver import Receiver, run_due

LIST = "/o/acme/settings/webhooks/"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver.running() as running:
        yield running


@pytest.fixture
def hook(world: World, receiver: Receiver) -> Webhook:
    return hooks.webhook_create(member=world.alice, url=receiver.url, description="Warehouse")


def page(hook: Webhook, action: str = "") -> str:
    return f"{LIST}{hook.pk}/{action}"


def rows() -> list[tuple[Any, ...]]:
    return sorted(
        Webhook.objects.values_list(
            "pk", "url", "description", "events", "enabled", "allow_private", "secret"
        )
    )


# --- who may -----------------------------------------------------------------------------


def urls(hook: Webhook, delivery: WebhookDelivery) -> dict[str, str]:
    return {
        "list": LIST,
        "detail": page(hook),
        "edit": page(hook, "edit/"),
        "delete": page(hook, "delete/"),
        "secret": page(hook, "secret/"),
        "enable": page(hook, "enable/"),
        "test": page(hook, "test/"),
        "redeliver": page(hook, f"deliveries/{delivery.pk}/redeliver/"),
    }


@pytest.mark.parametrize("persona", ["bob", "dave"])
def test_members_and_viewers_get_403_on_every_webhook_page_and_button(
    world: World, hook: Webhook, persona: str
) -> None:
    delivery = hooks.webhook_test_event(member=world.alice, webhook=hook)
    client = logged_in(getattr(world, persona))
    before = rows()
    for name, url in urls(hook, delivery).items():
        assert client.get(url).status_code in (403, 405), name
        assert client.post(url, {"url": "http://127.0.0.1:1/x"}).status_code == 403, name
    assert rows() == before


def test_the_outsider_gets_404_and_cannot_reach_another_organisations_webhook(
    world: World, hook: Webhook
) -> None:
    delivery = hooks.webhook_test_event(member=world.alice, webhook=hook)
    client = logged_in(world.charlie)
    before = rows()
    for name, url in urls(hook, delivery).items():
        assert client.get(url).status_code == 404, name
        assert client.post(url).status_code == 404, name
        # Through his own organisation's URLs, Acme's webhook does not exist either.
        own = url.replace("/o/acme/", "/o/globex/")
        if name != "list":
            assert client.get(own).status_code in (404, 405), name
            assert client.post(own).status_code == 404, name
    assert rows() == before
    assert "Warehouse" not in client.get("/o/globex/settings/webhooks/").content.decode()


# --- the list and the add form -------------------------------------------------------------


def test_the_settings_page_links_to_the_webhooks(world: World) -> None:
    html = logged_in(world.alice).get("/o/acme/settings/").content.decode()
    assert f'href="{LIST}"' in html


def test_adding_a_webhook_shows_its_secret_once(world: World, receiver: Receiver) -> None:
    client = logged_in(world.alice)
    response = client.post(
        LIST,
        {"url": receiver.url, "description": "Dashboard", "events": ["checkin.created"]},
    )
    assert response.status_code == 200
    hook = Webhook.objects.get()
    assert (hook.url, hook.description, hook.events) == (
        receiver.url,
        "Dashboard",
        ["checkin.created"],
    )
    assert hook.secret in response.content.decode()
    assert hook.created_by == world.alice.user
    for url in (LIST, page(hook)):
        html = client.get(url).content.decode()
        assert hook.secret not in html
    assert hook.secret[:10] in client.get(page(hook)).content.decode()  # the hint


def test_a_bad_url_is_refused_next_to_the_field(world: World) -> None:
    response = logged_in(world.alice).post(LIST, {"url": "ftp://files.example.com/"})
    assert response.status_code == 422
    assert "Use an http:// or https:// URL" in error_of(response, "url")
    assert not Webhook.objects.exists()


@override_settings(PRODUCTION=True)
def test_a_loopback_url_is_refused_in_production_unless_allowed(
    world: World, receiver: Receiver
) -> None:
    client = logged_in(world.alice)
    response = client.post(LIST, {"url": receiver.url})
    assert response.status_code == 422
    assert "private or loopback address" in error_of(response, "url")
    assert not Webhook.objects.exists()
    assert client.post(LIST, {"url": receiver.url, "allow_private": "on"}).status_code == 200
    assert Webhook.objects.get().allow_private


def test_urls_and_descriptions_are_escaped(world: World) -> None:
    client = logged_in(world.alice)
    script = "<script>alert(1)</script>"
    url = 'http://127.0.0.1:9/x?q="><img/src=x>'
    assert client.post(LIST, {"url": url, "description": script}).status_code == 200
    hook = Webhook.objects.get()
    assert hook.url == url
    for url in (LIST, page(hook), page(hook, "edit/"), page(hook, "delete/")):
        html = client.get(url).content.decode()
        assert script not in html and "<img/src=x>" not in html, url
        assert "&lt;img/src=x&gt;" in html, url
        assert "&lt;script&gt;" in html or url.endswith("delete/"), url


# --- one webhook ------------------------------------------------------------------------------


def test_the_webhook_page_shows_the_delivery_log_newest_first(
    world: World, hook: Webhook, receiver: Receiver
) -> None:
    receiver.answer(500)
    receiver.body = b"<b>broken</b>"
    first = hooks.webhook_test_event(member=world.alice, webhook=hook)
    run_due()
    second = hooks.webhook_test_event(member=world.alice, webhook=hook)
    html = logged_in(world.alice).get(page(hook)).content.decode()
    assert html.index(f'id="delivery-{second.pk}"') < html.index(f'id="delivery-{first.pk}"')
    row = html[html.index(f'id="delivery-{first.pk}"') :]
    assert "Failed, will retry" in row and "500" in row and "Answered 500" in row
    assert "&lt;b&gt;broken&lt;/b&gt;" in row and "<b>broken</b>" not in row


def test_the_delivery_log_is_paged(world: World, hook: Webhook) -> None:
    for _ in range(30):
        hooks.webhook_test_event(member=world.alice, webhook=hook)
    client = logged_in(world.alice)
    html = client.get(page(hook)).content.decode()
    assert html.count('<tr id="delivery-') == 25
    assert "Page 1 of 2" in html
    assert client.get(page(hook) + "?page=2").content.decode().count('<tr id="delivery-') == 5


def test_the_webhook_page_runs_the_same_queries_for_3_and_25_deliveries(
    world: World, hook: Webhook
) -> None:
    client = logged_in(world.alice)

    def count() -> int:
        client.get(page(hook))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page(hook)).status_code == 200
        return len(queries)

    for _ in range(3):
        hooks.webhook_test_event(member=world.alice, webhook=hook)
    small = count()
    for _ in range(22):
        hooks.webhook_test_event(member=world.alice, webhook=hook)
    assert count() == small


def test_htmx_polls_the_log_while_a_delivery_is_pending(world: World, hook: Webhook) -> None:
    client = logged_in(world.alice)
    html = client.get(page(hook)).content.decode()
    assert 'hx-trigger="every 3s"' not in html
    hooks.webhook_test_event(member=world.alice, webhook=hook)
    html = client.get(page(hook)).content.decode()
    assert 'hx-trigger="every 3s"' in html
    partial = client.get(page(hook), headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith('<div id="delivery-log"')
    assert "<html" not in partial and "Rotate secret" not in partial
    run_due()
    assert 'hx-trigger="every 3s"' not in client.get(page(hook)).content.decode()


def test_send_test_event_queues_a_ping_without_waiting_for_the_endpoint(
    world: World, hook: Webhook, receiver: Receiver
) -> None:
    receiver.answer(200, delay=10)  # the page must not wait for this
    client = logged_in(world.alice)
    response = client.post(page(hook, "test/"))
    assert response["Location"] == page(hook)
    assert receiver.requests == []
    delivery = WebhookDelivery.objects.get()
    assert (delivery.event, delivery.status) == ("ping", "pending")
    assert "Test event queued" in client.get(page(hook)).content.decode()


def test_editing_a_webhook(world: World, hook: Webhook) -> None:
    client = logged_in(world.alice)
    assert 'value="Warehouse"' in client.get(page(hook, "edit/")).content.decode()
    response = client.post(
        page(hook, "edit/"),
        {"url": "http://127.0.0.1:1/new", "description": "New", "events": ["flag.raised"]},
    )
    assert response["Location"] == page(hook)
    hook.refresh_from_db()
    assert (hook.url, hook.description, hook.events) == (
        "http://127.0.0.1:1/new",
        "New",
        ["flag.raised"],
    )
    before = rows()
    response = client.post(page(hook, "edit/"), {"url": "nonsense", "description": "x"})
    assert response.status_code == 422
    assert "http://" in error_of(response, "url")
    assert rows() == before


def test_deleting_a_webhook_asks_first(world: World, hook: Webhook) -> None:
    client = logged_in(world.alice)
    assert "Delete the webhook" in client.get(page(hook, "delete/")).content.decode()
    assert Webhook.objects.exists()
    assert client.post(page(hook, "delete/"))["Location"] == LIST
    assert not Webhook.objects.exists()


def test_rotating_the_secret_shows_the_new_one_once(world: World, hook: Webhook) -> None:
    client = logged_in(world.alice)
    old = hook.secret
    html = client.post(page(hook, "secret/")).content.decode()
    hook.refresh_from_db()
    assert hook.secret != old
    assert hook.secret in html and old not in html
    assert hook.secret not in client.get(page(hook)).content.decode()


def test_a_disabled_webhook_says_why_and_can_be_enabled_again(world: World, hook: Webhook) -> None:
    Webhook.objects.filter(pk=hook.pk).update(
        enabled=False, consecutive_failures=5, disabled_reason="5 deliveries in a row failed."
    )
    client = logged_in(world.alice)
    html = client.get(page(hook)).content.decode()
    assert "5 deliveries in a row failed." in html and "Enable again" in html
    assert "Send test event" not in html
    assert "disabled" in client.get(LIST).content.decode()
    assert client.post(page(hook, "enable/"))["Location"] == page(hook)
    hook.refresh_from_db()
    assert (hook.enabled, hook.consecutive_failures) == (True, 0)


def test_a_failed_delivery_can_be_redelivered_from_the_log(world: World, hook: Webhook) -> None:
    delivery = hooks.webhook_test_event(member=world.alice, webhook=hook)
    client = logged_in(world.alice)
    redeliver = page(hook, f"deliveries/{delivery.pk}/redeliver/")
    assert redeliver not in client.get(page(hook)).content.decode()  # pending: no button
    client.post(redeliver)
    assert "Only a failed delivery" in unescape(client.get(page(hook)).content.decode())
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="failed", attempts=6)
    assert redeliver in client.get(page(hook)).content.decode()
    assert client.post(redeliver)["Location"] == page(hook)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 0)
