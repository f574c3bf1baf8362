"""Outgoing webhooks: signed deliveries to a real local receiver, retries with backoff,
giving up, disabling with a notice to admins, URL checks, and each event emitted once
by the real services."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from headway.accounts.models import Role
from headway.goals import services as goals
from headway.goals.models import CheckIn
from headway.insights.services import flags_refresh
from headway.notify import webhook_events, webhook_tasks
from headway.notify import webhooks as hooks
from headway.notify.models import (
    DeliveryStatus,
    Notification,
    NotificationKind,
    Webhook,
    WebhookDelivery,
)
from tests.conftest import World
from tests.factories import MembershipFactory, UserFactory
from tests.flagged import Flagged
from tests.flagged import build as build_flagged
from tests.okrs import Okrs
from tests.okrs import build as build_okrs
from tests.support import headway_start
from tests.webhook_receiver import Clock, Receiver, run_due, verify

PRODUCTION = override_settings(PRODUCTION=True)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver.running() as running:
        yield running


def webhook(world: World, receiver: Receiver, **changes: Any) -> Webhook:
    return hooks.webhook_create(member=world.alice, url=receiver.url, **changes)


def ping(world: World, hook: Webhook) -> WebhookDelivery:
    return hooks.webhook_test_event(member=world.alice, webhook=hook)


def delivered(delivery: WebhookDelivery) -> WebhookDelivery:
    delivery.refresh_from_db()
    return delivery


def queued_retries() -> list[DBTaskResult]:
    return list(
        DBTaskResult.objects.filter(
            task_path__endswith="webhook_deliver_task", status="READY"
        ).order_by("run_after")
    )


# --- signed deliveries ---------------------------------------------------------------------


def test_a_delivery_arrives_signed_and_verifiable_with_the_documented_recipe(
    world: World, receiver: Receiver
) -> None:
    hook = webhook(world, receiver)
    delivery = ping(world, hook)
    assert run_due() == ["delivered"]
    [request] = receiver.requests
    assert request.path == "/hooks/headway"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["User-Agent"] == "Headway-Webhooks/1"
    assert request.headers["Headway-Event"] == "ping"
    assert request.headers["Headway-Delivery"] == str(delivery.event_id)
    assert verify(hook.secret, request.headers["Headway-Signature"], request.body)
    delivery = delivered(delivery)
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("delivered", 1, 200)
    assert delivery.response_excerpt == "thanks"
    assert delivery.delivered_at is not None and delivery.duration_ms is not None


def test_the_signature_fails_with_another_secret_a_changed_body_or_an_old_timestamp(
    world: World, receiver: Receiver
) -> None:
    hook = webhook(world, receiver)
    ping(world, hook)
    run_due()
    [request] = receiver.requests
    header = request.headers["Headway-Signature"]
    assert header.startswith("t=") and ",v1=" in header
    assert not verify("whsec_someone-else", header, request.body)
    assert not verify(hook.secret, header, request.body.replace(b"ping", b"pong"))
    old = int(time.time()) - 301
    stale = webhook_tasks.signature(hook.secret, old, request.body)
    assert not verify(hook.secret, stale, request.body)  # a replay after 5 minutes


def test_the_payload_is_the_versioned_envelope(world: World, receiver: Receiver) -> None:
    hook = webhook(world, receiver, description="Data warehouse")
    delivery = ping(world, hook)
    run_due()
    body = receiver.requests[0].json
    assert set(body) == {"version", "id", "type", "created_at", "organisation", "data"}
    assert body["version"] == 1
    assert body["id"] == str(delivery.event_id)
    assert body["type"] == "ping"
    assert body["organisation"] == {"id": world.acme.pk, "slug": "acme"}
    assert dt.datetime.fromisoformat(body["created_at"]).tzinfo is not None
    assert body["data"]["webhook"] == {"id": hook.pk, "description": "Data warehouse"}
    assert body["data"]["requested_by"]["id"] == world.alice.user_id


def test_a_task_that_runs_twice_sends_once(world: World, receiver: Receiver) -> None:
    delivery = ping(world, webhook(world, receiver))
    assert webhook_tasks.webhook_deliver_task.call(delivery.pk) == "delivered"
    assert webhook_tasks.webhook_deliver_task.call(delivery.pk) == "skipped"
    assert len(receiver.requests) == 1


# --- retries ------------------------------------------------------------------------------


def test_a_failing_endpoint_is_retried_with_exponential_backoff_then_given_up(
    world: World, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(monkeypatch)
    receiver.answer(500)
    receiver.body = b"database down"
    hook = webhook(world, receiver)
    delivery = ping(world, hook)
    waits = []
    for attempt in range(1, 7):
        assert run_due() == ["retrying" if attempt < 6 else "failed"]
        delivery = delivered(delivery)
        assert delivery.attempts == attempt
        assert (delivery.response_status, delivery.response_excerpt) == (500, "database down")
        assert "Answered 500" in delivery.error
        if attempt < 6:
            [retry] = queued_retries()
            assert retry.run_after == delivery.next_attempt_at
            waits.append(delivery.next_attempt_at - clock.now)
            assert run_due() == []  # not due yet
            clock.advance(waits[-1])
    assert waits == [
        dt.timedelta(seconds=30),
        dt.timedelta(minutes=2),
        dt.timedelta(minutes=8),
        dt.timedelta(minutes=30),
        dt.timedelta(hours=2),
    ]
    assert (delivery.status, delivery.next_attempt_at) == ("failed", None)
    assert queued_retries() == []
    # The same body each time (same event id), signed afresh; the log row was kept.
    assert len(receiver.requests) == 6
    assert len({r.body for r in receiver.requests}) == 1
    assert {r.headers["Headway-Delivery"] for r in receiver.requests} == {str(delivery.event_id)}
    assert all(
        verify(hook.secret, r.headers["Headway-Signature"], r.body) for r in receiver.requests
    )
    assert WebhookDelivery.objects.filter(webhook=hook).count() == 1
    hook.refresh_from_db()
    assert (hook.enabled, hook.consecutive_failures) == (True, 1)


def test_a_retry_that_succeeds_is_delivered(
    world: World, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(monkeypatch)
    receiver.answer(503)
    delivery = ping(world, webhook(world, receiver))
    run_due()
    receiver.answer(204)
    clock.advance(dt.timedelta(seconds=30))
    assert run_due() == ["delivered"]
    delivery = delivered(delivery)
    assert (delivery.attempts, delivery.response_status, delivery.error) == (2, 204, "")


def test_a_redirect_is_not_followed(world: World, receiver: Receiver) -> None:
    receiver.answer(302, Location="http://169.254.169.254/latest/meta-data/")
    delivery = ping(world, webhook(world, receiver))
    run_due()
    delivery = delivered(delivery)
    assert delivery.status == "retrying"
    assert "redirects are not followed" in delivery.error
    assert len(receiver.requests) == 1


def test_an_endpoint_nobody_listens_on_is_a_failed_attempt(world: World) -> None:
    with Receiver.running() as gone:
        url = gone.url
    hook = hooks.webhook_create(member=world.alice, url=url)
    delivery = ping(world, hook)
    run_due()
    delivery = delivered(delivery)
    assert delivery.status == "retrying"
    assert "refused the connection" in delivery.error
    assert delivery.response_status is None


# --- timeouts ----------------------------------------------------------------------------


def test_an_endpoint_that_hangs_is_cut_off_after_the_timeout(
    world: World, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(webhook_tasks, "TIMEOUT", 0.5)
    receiver.answer(200, delay=5)
    delivery = ping(world, webhook(world, receiver))
    started = time.monotonic()
    run_due()
    assert time.monotonic() - started < 2.5
    delivery = delivered(delivery)
    assert delivery.status == "retrying"
    assert delivery.error == "No answer within 0.5 s (timed out)."
    assert 400 <= delivery.duration_ms < 2500


def test_an_endpoint_that_drips_its_answer_is_cut_off_at_the_total_timeout(
    world: World, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each byte comes within the read timeout; only the total deadline stops it.
    monkeypatch.setattr(webhook_tasks, "TIMEOUT", 0.5)
    monkeypatch.setattr(webhook_tasks, "TOTAL_TIMEOUT", 1.0)
    receiver.answer(drip=0.2)
    delivery = ping(world, webhook(world, receiver))
    started = time.monotonic()
    run_due()
    assert time.monotonic() - started < 3
    delivery = delivered(delivery)
    assert delivery.status == "retrying"
    assert delivery.error.startswith("No complete answer within 1 s")


def test_the_default_timeouts_are_short() -> None:
    assert webhook_tasks.TIMEOUT <= 5 and webhook_tasks.TOTAL_TIMEOUT <= 10
    assert webhook_tasks.MAX_ATTEMPTS == 6


# --- disabling --------------------------------------------------------------------------------


def fail_for_good(count: int, world: World, hook: Webhook, clock: Clock) -> None:
    """`count` events, each failing all six attempts."""
    for _ in range(count):
        ping(world, hook)
    for wait in (*webhook_tasks.BACKOFF, dt.timedelta(0)):
        run_due()
        clock.advance(wait)


def test_five_deliveries_failed_for_good_disable_the_webhook_and_tell_the_admins(
    world: World, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    erin = MembershipFactory(
        organisation=world.acme, user=UserFactory(email="erin@acme.test"), role=Role.ADMIN
    )
    clock = Clock(monkeypatch)
    receiver.answer(500)
    hook = webhook(world, receiver, description="Data warehouse")
    fail_for_good(4, world, hook, clock)
    hook.refresh_from_db()
    assert (hook.enabled, hook.consecutive_failures, len(mail.outbox)) == (True, 4, 0)
    fail_for_good(1, world, hook, clock)
    hook.refresh_from_db()
    assert not hook.enabled
    assert hook.disabled_at == clock.now
    assert hook.disabled_reason.startswith("5 deliveries in a row failed after 6 attempts each.")
    assert "Answered 500" in hook.disabled_reason
    # The owner and the admin, not the member nor the viewer; once each.
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@acme.test", "erin@acme.test"]
    message = mail.outbox[0]
    assert "disabled a webhook of Acme" in message.subject
    assert receiver.url in message.body and f"/o/acme/settings/webhooks/{hook.pk}/" in message.body
    notes = Notification.objects.filter(kind=NotificationKind.WEBHOOK_DISABLED)
    assert sorted(n.membership_id for n in notes) == sorted([world.alice.pk, erin.pk])
    assert all(n.sent_at is not None and n.key.startswith(f"webhook:{hook.pk}:") for n in notes)
    assert webhook_tasks.webhook_disabled_notify(hook) == 0  # already told
    assert len(mail.outbox) == 2
    # Nothing new is queued for a disabled webhook.
    assert hooks.webhook_event(world.acme.pk, "objective.created", {"objective": {}}) == []


def test_a_delivery_queued_before_the_webhook_was_disabled_stays_in_the_log_unsent(
    world: World, receiver: Receiver
) -> None:
    hook = webhook(world, receiver)
    delivery = ping(world, hook)
    Webhook.objects.filter(pk=hook.pk).update(enabled=False)
    assert run_due() == ["failed"]
    delivery = delivered(delivery)
    assert delivery.status == "failed" and delivery.attempts == 0
    assert delivery.error.startswith("Not sent: the webhook was disabled.")
    assert receiver.requests == []


def test_a_success_resets_the_failure_count(world: World, receiver: Receiver) -> None:
    hook = webhook(world, receiver)
    Webhook.objects.filter(pk=hook.pk).update(consecutive_failures=4)
    ping(world, hook)
    run_due()
    hook.refresh_from_db()
    assert hook.consecutive_failures == 0


def test_re_enabling_resets_the_count_and_a_failed_delivery_can_be_sent_again(
    world: World, receiver: Receiver
) -> None:
    hook = webhook(world, receiver)
    delivery = ping(world, hook)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="failed", attempts=6)
    DBTaskResult.objects.all().delete()  # as if its six attempts had run
    Webhook.objects.filter(pk=hook.pk).update(
        enabled=False, consecutive_failures=5, disabled_at=timezone.now(), disabled_reason="x"
    )
    hook.refresh_from_db()
    with pytest.raises(Exception, match="disabled; re-enable it first"):
        hooks.webhook_redeliver(member=world.alice, webhook=hook, delivery_id=delivery.pk)
    hook = hooks.webhook_enable(member=world.alice, webhook=hook)
    assert (hook.enabled, hook.consecutive_failures, hook.disabled_at) == (True, 0, None)
    hooks.webhook_redeliver(member=world.alice, webhook=hook, delivery_id=delivery.pk)
    assert run_due() == ["delivered"]
    delivery = delivered(delivery)
    assert (delivery.status, delivery.attempts) == ("delivered", 1)
    assert receiver.requests[0].headers["Headway-Delivery"] == str(delivery.event_id)


def test_only_a_failed_delivery_can_be_sent_again(world: World, receiver: Receiver) -> None:
    hook = webhook(world, receiver)
    delivery = ping(world, hook)
    with pytest.raises(Exception, match="Only a failed delivery"):
        hooks.webhook_redeliver(member=world.alice, webhook=hook, delivery_id=delivery.pk)


def test_a_lost_delivery_task_is_queued_again(world: World, receiver: Receiver) -> None:
    delivery = ping(world, webhook(world, receiver))
    DBTaskResult.objects.all().delete()  # the worker died with it
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=1)
    )
    assert webhook_tasks.webhook_deliveries_resume() == 1
    assert run_due() == ["delivered"]
    assert webhook_tasks.webhook_deliveries_resume() == 0


# --- setting webhooks up --------------------------------------------------------------------


def test_a_new_webhook_gets_a_secret_of_its_own(world: World, receiver: Receiver) -> None:
    first, second = webhook(world, receiver), webhook(world, receiver)
    assert first.secret.startswith("whsec_") and len(first.secret) > 40
    assert first.secret != second.secret
    old = first.secret
    rotated = hooks.webhook_secret_rotate(member=world.alice, webhook=first)
    assert rotated.secret.startswith("whsec_") and rotated.secret != old
    assert Webhook.objects.get(pk=first.pk).secret == rotated.secret


def test_a_rotated_secret_signs_the_next_delivery(world: World, receiver: Receiver) -> None:
    hook = webhook(world, receiver)
    old = hook.secret
    hooks.webhook_secret_rotate(member=world.alice, webhook=hook)
    ping(world, hook)
    run_due()
    [request] = receiver.requests
    assert verify(hook.secret, request.headers["Headway-Signature"], request.body)
    assert not verify(old, request.headers["Headway-Signature"], request.body)


def test_members_cannot_set_webhooks_up(world: World, receiver: Receiver) -> None:
    with pytest.raises(PermissionDenied, match="Only owners and admins"):
        hooks.webhook_create(member=world.bob, url=receiver.url)
    hook = webhook(world, receiver)
    for action in (
        hooks.webhook_secret_rotate,
        hooks.webhook_enable,
        hooks.webhook_delete,
        hooks.webhook_test_event,
    ):
        with pytest.raises(PermissionDenied):
            action(member=world.bob, webhook=hook)
    with pytest.raises(PermissionDenied):
        hooks.webhook_update(member=world.dave, webhook=hook, description="x")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "Enter the URL"),
        ("hooks.example.com/x", "Use an http:// or https:// URL"),
        ("ftp://hooks.example.com/x", "Use an http:// or https:// URL"),
        ("javascript:alert(1)", "Use an http:// or https:// URL"),
        ("file:///etc/passwd", "Use an http:// or https:// URL"),
        ("https://", "needs a host"),
        ("https://:443/x", "needs a host"),
        ("https://bob:secret@hooks.example.com/", "no user name or password"),
        ("https://hooks.example.com:99999/", "port must be a number"),
        ("https://hooks.example.com/a b", "cannot contain spaces"),
        ("https://hooks.example.com/" + "x" * 500, "under 500 characters"),
    ],
)
def test_a_bad_url_is_refused_with_what_to_fix(world: World, url: str, message: str) -> None:
    with pytest.raises(ValidationError) as refused:
        hooks.webhook_create(member=world.alice, url=url)
    assert message in refused.value.message_dict["url"][0]
    assert not Webhook.objects.exists()


def test_unknown_events_are_refused(world: World, receiver: Receiver) -> None:
    with pytest.raises(ValidationError) as refused:
        webhook(world, receiver, events=["checkin.created", "objective.deleted"])
    assert "Unknown event 'objective.deleted'" in refused.value.message_dict["events"][0]


@PRODUCTION
@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "localhost",
        "10.0.0.5",
        "192.168.1.20",
        "172.16.0.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "[::1]",
        "[::ffff:127.0.0.1]",
        "[fd00::1]",
        "[fe80::1]",
    ],
)
def test_private_and_loopback_addresses_are_refused_in_production(world: World, host: str) -> None:
    with pytest.raises(ValidationError) as refused:
        hooks.webhook_create(member=world.alice, url=f"http://{host}:8080/hooks")
    assert "private or loopback address" in refused.value.message_dict["url"][0]


@PRODUCTION
def test_a_name_that_resolves_to_a_private_address_is_refused_in_production(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hooks, "resolve", lambda host, port: ["93.184.215.14", "10.1.2.3"])
    with pytest.raises(ValidationError) as refused:
        hooks.webhook_create(member=world.alice, url="https://hooks.example.test/x")
    assert "hooks.example.test resolves to 10.1.2.3" in refused.value.message_dict["url"][0]


@PRODUCTION
def test_a_name_that_does_not_resolve_is_refused_in_production(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unknown(host: str, port: int) -> list[str]:
        raise OSError("Name or service not known")

    monkeypatch.setattr(hooks, "resolve", unknown)
    with pytest.raises(ValidationError) as refused:
        hooks.webhook_create(member=world.alice, url="https://nowhere.example.test/x")
    assert "could not resolve nowhere.example.test" in refused.value.message_dict["url"][0]


@PRODUCTION
def test_a_public_address_is_accepted_in_production(world: World) -> None:
    hook = hooks.webhook_create(member=world.alice, url="https://93.184.215.14/hooks")
    assert hook.url == "https://93.184.215.14/hooks"


@PRODUCTION
def test_an_admin_may_allow_a_private_address_in_production(
    world: World, receiver: Receiver
) -> None:
    hook = webhook(world, receiver, allow_private=True)
    assert hook.allow_private
    ping(world, hook)
    assert run_due() == ["delivered"]
    # Taking the permission away checks the stored URL again.
    with pytest.raises(ValidationError, match="private or loopback"):
        hooks.webhook_update(member=world.alice, webhook=hook, allow_private=False)


@PRODUCTION
def test_in_production_a_name_that_now_resolves_privately_is_not_sent_to(
    world: World, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = receiver.url.split(":")[2].split("/")[0]
    monkeypatch.setattr(hooks, "resolve", lambda host, port: ["93.184.215.14"])
    hook = hooks.webhook_create(member=world.alice, url=f"http://hooks.example.test:{port}/x")
    monkeypatch.setattr(hooks, "resolve", lambda host, port: ["127.0.0.1"])  # DNS changed
    delivery = ping(world, hook)
    run_due()
    delivery = delivered(delivery)
    assert delivery.status == "retrying"
    assert delivery.error.startswith("Not sent: hooks.example.test resolves to 127.0.0.1")
    assert receiver.requests == []


@PRODUCTION
def test_in_production_the_delivery_connects_to_the_address_that_was_checked(
    world: World, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The name does not resolve at all: the delivery can only arrive through the
    # address the check returned (here the receiver's, passed as public).
    port = receiver.url.split(":")[2].split("/")[0]
    monkeypatch.setattr(hooks, "resolve", lambda host, port: ["127.0.0.1"])
    monkeypatch.setattr(hooks, "not_public", lambda address: False)
    hook = hooks.webhook_create(member=world.alice, url=f"http://hooks.example.test:{port}/x")
    ping(world, hook)
    assert run_due() == ["delivered"]
    assert receiver.requests[0].headers["Host"] == f"hooks.example.test:{port}"


def test_development_sends_to_a_receiver_on_localhost(world: World, receiver: Receiver) -> None:
    ping(world, webhook(world, receiver))
    assert run_due() == ["delivered"]


def test_an_organisation_has_at_most_twenty_webhooks(world: World, receiver: Receiver) -> None:
    for _ in range(hooks.MAX_WEBHOOKS):
        webhook(world, receiver)
    with pytest.raises(Exception, match="at most 20 webhooks"):
        webhook(world, receiver)
    hooks.webhook_create(member=world.charlie, url=receiver.url)  # Globex counts its own


# --- events from the real services -------------------------------------------------------------


@pytest.fixture
def okrs(world: World) -> Okrs:
    return build_okrs(world)


def deliveries(event: str | None = None) -> list[WebhookDelivery]:
    rows = WebhookDelivery.objects.order_by("pk")
    return list(rows.filter(event=event) if event else rows)


def test_a_check_in_sends_checkin_created_once(
    world: World, okrs: Okrs, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    hook = webhook(world, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        result = goals.checkin_create(
            member=world.bob, key_result_id=okrs.deploys.pk, value=6, confidence=7, note="x"
        )
    [delivery] = deliveries("checkin.created")
    assert delivery.webhook == hook
    data = delivery.payload["data"]
    assert data["check_in"] == {
        "id": result.checkin.pk,
        "value": 6.0,
        "confidence": 7,
        "created_at": result.checkin.created_at.isoformat(),
        "author": {"id": world.bob.user_id, "name": "Bob"},
    }
    assert data["key_result"]["id"] == okrs.deploys.pk
    assert data["key_result"]["title"] == "Deploys a week"
    assert (data["key_result"]["current_value"], data["key_result"]["target_value"]) == (6.0, 10.0)
    assert data["objective"]["id"] == okrs.platform.pk
    assert data["objective"]["owner_team"] == {"id": world.platform.pk, "name": "Platform"}
    assert data["objective"]["url"].endswith(f"/o/acme/objectives/{okrs.platform.pk}/")
    assert run_due() == ["delivered"]
    assert receiver.requests[0].json["type"] == "checkin.created"


def test_an_objective_sends_objective_created_once(
    world: World, okrs: Okrs, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    webhook(world, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        objective = goals.objective_create(
            member=world.bob,
            cycle_id=okrs.quarter.pk,
            owner_team_id=world.platform.pk,
            title="Cut the build time",
            key_results=[{"title": "Deploys a day", "start_value": 1, "target_value": 5}],
        )
    [delivery] = deliveries()
    assert delivery.event == "objective.created"
    data = delivery.payload["data"]
    assert data["objective"]["id"] == objective.pk
    assert data["objective"]["title"] == "Cut the build time"
    assert data["objective"]["cycle"] == {"id": okrs.quarter.pk, "name": "2026 Q4"}
    assert data["objective"]["status"] == "active"
    assert [kr["title"] for kr in data["key_results"]] == ["Deploys a day"]


def test_bulk_created_objectives_send_one_event_each(
    world: World, okrs: Okrs, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    webhook(world, receiver)
    rows = [
        {"cycle_id": okrs.quarter.pk, "owner_team_id": world.platform.pk, "title": f"Bulk {n}"}
        for n in range(3)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        goals.objectives_bulk_create(member=world.bob, objectives=rows)
    titles = [d.payload["data"]["objective"]["title"] for d in deliveries("objective.created")]
    assert titles == ["Bulk 0", "Bulk 1", "Bulk 2"]


def test_closing_an_objective_by_hand_sends_objective_closed_once(
    world: World, okrs: Okrs, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    webhook(world, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        goals.objective_update(member=world.bob, objective=okrs.platform, status="closed")
        goals.objective_update(member=world.bob, objective=okrs.platform, title="Renamed")
    [delivery] = deliveries()
    assert delivery.event == "objective.closed"
    objective = delivery.payload["data"]["objective"]
    assert (objective["id"], objective["status"], objective["closed_with_cycle"]) == (
        okrs.platform.pk,
        "closed",
        False,
    )
    assert "score" in objective


def test_closing_a_cycle_sends_objective_closed_for_each_objective_it_closes(
    world: World, okrs: Okrs, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    webhook(world, receiver, events=["objective.closed"])
    with django_capture_on_commit_callbacks(execute=True):
        goals.cycle_close(member=world.alice, cycle_id=okrs.quarter.pk)
    [delivery] = deliveries()
    objective = delivery.payload["data"]["objective"]
    assert (objective["id"], objective["closed_with_cycle"]) == (okrs.platform.pk, True)


@pytest.fixture
def flagged(world: World) -> Flagged:
    return build_flagged(world)


def test_flags_send_flag_raised_once_and_flag_resolved_when_they_stop_holding(
    world: World, flagged: Flagged, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    webhook(world, receiver, events=["flag.raised", "flag.resolved"])
    with django_capture_on_commit_callbacks(execute=True):
        flags_refresh(world.acme)
        flags_refresh(world.acme)  # nothing changed: nothing sent again
    raised = deliveries("flag.raised")
    kinds = sorted(
        (d.payload["data"]["key_result"]["title"], d.payload["data"]["flag"]["kind"])
        for d in raised
    )
    assert ("Weekly active shippers", "stall") in kinds
    assert ("Net promoter score", "watermelon") in kinds
    assert ("Runbooks written", "overdue") in kinds
    assert len(kinds) == len(set(kinds))
    assert deliveries("flag.resolved") == []
    stall = next(d for d in raised if d.payload["data"]["flag"]["kind"] == "stall")
    assert stall.payload["data"]["flag"]["resolved_at"] is None
    assert stall.payload["data"]["objective"]["title"] == "Ship without fear"
    with django_capture_on_commit_callbacks(execute=True):
        # The stalled measure moves: its stall stops holding (the check-in refreshes it).
        goals.checkin_create(
            member=world.bob, key_result_id=flagged.stalled.pk, value=60, confidence=6
        )
        flags_refresh(world.acme)
    resolved = deliveries("flag.resolved")
    assert [d.payload["data"]["key_result"]["title"] for d in resolved] == [
        "Weekly active shippers"
    ]
    assert resolved[0].payload["data"]["flag"]["resolved_at"] is not None
    assert deliveries("checkin.created") == []  # not subscribed


def test_only_enabled_webhooks_of_the_organisation_that_want_the_event_get_it(
    world: World, okrs: Okrs, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    everything = webhook(world, receiver)
    checkins = webhook(world, receiver, events=["checkin.created"])
    webhook(world, receiver, events=["objective.created"])
    disabled = webhook(world, receiver)
    Webhook.objects.filter(pk=disabled.pk).update(enabled=False)
    hooks.webhook_create(member=world.charlie, url=receiver.url)  # Globex's
    with django_capture_on_commit_callbacks(execute=True):
        goals.checkin_create(member=world.bob, key_result_id=okrs.deploys.pk, value=6, confidence=7)
    got = deliveries("checkin.created")
    assert sorted(d.webhook_id for d in got) == sorted([everything.pk, checkins.pk])
    assert len({d.event_id for d in got}) == 1  # one event, two deliveries


def test_nothing_is_sent_for_a_check_in_that_rolled_back(
    world: World, okrs: Okrs, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    webhook(world, receiver)
    with pytest.raises(ValidationError), django_capture_on_commit_callbacks(execute=True):
        goals.checkin_create(
            member=world.bob, key_result_id=okrs.deploys.pk, value="lots", confidence=7
        )
    assert deliveries() == []


def test_a_failure_while_queueing_an_event_never_fails_the_check_in(
    world: World,
    okrs: Okrs,
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    webhook(world, receiver)

    def broken(*args: Any, **kwargs: Any) -> list[Any]:
        raise RuntimeError("boom")

    monkeypatch.setitem(webhook_events.BUILDERS, "checkin.created", broken)
    with django_capture_on_commit_callbacks(execute=True):
        result = goals.checkin_create(
            member=world.bob, key_result_id=okrs.deploys.pk, value=6, confidence=7
        )
    assert CheckIn.objects.filter(pk=result.checkin.pk).exists()
    assert deliveries() == []
    assert "Queueing webhook event checkin.created" in caplog.text


def test_an_organisation_without_webhooks_pays_one_query_per_event(
    world: World,
    okrs: Okrs,
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
    django_assert_num_queries: Any,
) -> None:
    def emits(callbacks: list[Any]) -> list[Any]:
        return [c for c in callbacks if getattr(c, "func", None) is webhook_events._emit]

    with django_assert_num_queries(1):
        webhook_events.webhooks_on_commit(world.acme.pk, "checkin.created", [1])
    with django_capture_on_commit_callbacks() as callbacks:
        goals.checkin_create(member=world.bob, key_result_id=okrs.deploys.pk, value=6, confidence=7)
    assert emits(callbacks) == []  # nothing waits for the commit
    webhook(world, receiver, events=["flag.raised"])
    with django_capture_on_commit_callbacks() as callbacks:
        goals.checkin_create(member=world.bob, key_result_id=okrs.deploys.pk, value=7, confidence=7)
    assert emits(callbacks) == []  # a webhook, but not for check-ins
    webhook(world, receiver, events=["checkin.created"])
    with django_capture_on_commit_callbacks() as callbacks:
        goals.checkin_create(member=world.bob, key_result_id=okrs.deploys.pk, value=8, confidence=7)
    assert len(emits(callbacks)) == 1


# --- a real worker ----------------------------------------------------------------------------


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_delivers_a_check_in_signed_and_schedules_a_retry_for_a_failure(
    world: World, receiver: Receiver
) -> None:
    okrs = build_okrs(world)
    with Receiver.running() as failing:
        failing.answer(500)
        good = webhook(world, receiver, events=["checkin.created"])
        bad = hooks.webhook_create(member=world.alice, url=failing.url, events=["checkin.created"])
        goals.checkin_create(member=world.bob, key_result_id=okrs.deploys.pk, value=6, confidence=7)
        worker = headway_start("worker", "--batch", "--no-startup-delay")
        _, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        assert len(failing.requests) == 1
    [request] = receiver.requests
    assert verify(good.secret, request.headers["Headway-Signature"], request.body)
    body = json.loads(request.body)
    assert (body["type"], body["data"]["check_in"]["value"]) == ("checkin.created", 6.0)
    ok = WebhookDelivery.objects.get(webhook=good)
    assert (ok.status, ok.attempts, ok.response_status) == ("delivered", 1, 200)
    failed = WebhookDelivery.objects.get(webhook=bad)
    assert (failed.status, failed.attempts, failed.response_status) == ("retrying", 1, 500)
    # The retry waits in the queue, 30 s after the failed attempt.
    [retry] = queued_retries()
    assert retry.args_kwargs["args"] == [failed.pk]
    assert retry.run_after == failed.next_attempt_at
    wait = failed.next_attempt_at - timezone.now()
    assert dt.timedelta(seconds=5) < wait <= dt.timedelta(seconds=30)
    assert failed.status == DeliveryStatus.RETRYING
