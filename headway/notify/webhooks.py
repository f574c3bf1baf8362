"""Outgoing webhooks: set them up (admins), and turn events into deliveries.

An event becomes one `WebhookDelivery` per enabled webhook that wants it, with the
payload fixed at that moment, and one queued delivery task each (webhook_tasks.py
sends, signs, retries and disables). The envelope every event travels in:

    {"version": 1, "id": "<uuid>", "type": "checkin.created", "created_at": "…",
     "organisation": {"id": 1, "slug": "acme"}, "data": {…}}

URLs are checked when saved: http or https, a host, no credentials in the URL, and in
production (HEADWAY_ENV=production) no address that is private, loopback,
link-local or otherwise not public, unless an admin ticks `allow_private` for it.
The sending side checks the address again (DNS may change). docs/webhooks.md is the
integrator's side of all this.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from headway.accounts.models import Membership, Organisation
from headway.accounts.services import require_admin
from headway.lib.addresses import not_public
from headway.lib.addresses import resolve as resolve  # re-exported: tests patch it here
from headway.lib.errors import Conflict
from headway.lib.secrets import new_token

from .models import DeliveryStatus, Webhook, WebhookDelivery
from .webhook_events import EVENTS, PING

PAYLOAD_VERSION = 1
SECRET_PREFIX = "whsec"
MAX_WEBHOOKS = 20  # per organisation: each event fans out to every one of them
MAX_URL = 500
MAX_DESCRIPTION = 160

Data = dict[str, Any]


# --- URL checks ----------------------------------------------------------------------


def production() -> bool:
    """Production mode refuses private addresses; development (a laptop, the demo,
    the tests) sends anywhere, so a receiver on localhost just works."""
    return bool(getattr(settings, "PRODUCTION", False))


def default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


def address_problem(host: str, port: int) -> str | None:
    """Why `host` may not receive webhooks in production, or None if it may."""
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError) as error:
        return f"Headway could not resolve {host} ({error}); check the host name."
    refused = [address for address in addresses if not_public(address)]
    if refused:
        return (
            f"{host} resolves to {refused[0]}, a private or loopback address. Use a "
            "public address, or tick “Allow a private address” if the receiver is "
            "inside your own network."
        )
    return None


def clean_url(value: Any, allow_private: bool) -> str:
    """The URL stripped and checked; ValidationError on `url` says what to fix."""
    url = str(value or "").strip()
    if not url:
        raise ValidationError({"url": "Enter the URL Headway should send events to."})
    if len(url) > MAX_URL:
        raise ValidationError({"url": f"Keep the URL under {MAX_URL} characters."})
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise ValidationError(
            {"url": "Use an http:// or https:// URL, e.g. https://hooks.example.com/headway."}
        )
    try:
        port = parts.port or default_port(parts.scheme)
    except ValueError:
        raise ValidationError({"url": "The port must be a number from 1 to 65535."}) from None
    if not parts.hostname:
        raise ValidationError({"url": "The URL needs a host, e.g. https://hooks.example.com/."})
    if parts.username or parts.password:
        raise ValidationError(
            {
                "url": "Put no user name or password in the URL: every delivery is signed "
                "with the webhook's secret instead."
            }
        )
    if any(char.isspace() for char in url):
        raise ValidationError({"url": "The URL cannot contain spaces."})
    if production() and not allow_private:
        problem = address_problem(parts.hostname, port)
        if problem:
            raise ValidationError({"url": problem})
    return url


def clean_events(events: Any) -> list[str]:
    """Known event names, in catalogue order; an empty list means every event."""
    if events is None:
        return []
    if isinstance(events, str) or not all(isinstance(event, str) for event in events):
        raise ValidationError({"events": "Give the events as a list of names."})
    unknown = sorted(set(events) - set(EVENTS))
    if unknown:
        raise ValidationError(
            {"events": f"Unknown event {unknown[0]!r}; choose from {', '.join(EVENTS)}."}
        )
    return [event for event in EVENTS if event in events]


def _clean(data: dict[str, Any], allow_private: bool) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for field, cleaner in (
        ("url", lambda value: clean_url(value, allow_private)),
        ("events", clean_events),
        ("description", _clean_description),
    ):
        if field in data:
            try:
                clean[field] = cleaner(data[field])
            except ValidationError as error:
                errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return clean


def _clean_description(value: Any) -> str:
    description = str(value or "").strip()
    if len(description) > MAX_DESCRIPTION:
        raise ValidationError(
            {"description": f"Keep the description under {MAX_DESCRIPTION} characters."}
        )
    return description


# --- setting webhooks up ---------------------------------------------------------------


def webhook_create(
    *,
    member: Membership,
    url: str,
    description: str = "",
    events: list[str] | None = None,
    allow_private: bool = False,
) -> Webhook:
    """Add a webhook (owners and admins) with a new secret; the caller shows the
    secret once (`webhook.secret`) and never again."""
    require_admin(member, "manage webhooks")
    clean = _clean(
        {"url": url, "description": description, "events": events or []}, bool(allow_private)
    )
    with transaction.atomic():
        count = Webhook.objects.filter(organisation_id=member.organisation_id).count()
        if count >= MAX_WEBHOOKS:
            raise Conflict(
                f"An organisation has at most {MAX_WEBHOOKS} webhooks; delete one you no "
                "longer use first."
            )
        return Webhook.objects.create(
            organisation_id=member.organisation_id,
            secret=new_token(SECRET_PREFIX),
            allow_private=bool(allow_private),
            created_by=member.user,
            **clean,
        )


def webhook_update(*, member: Membership, webhook: Webhook, **changes: Any) -> Webhook:
    """Change `url`, `description`, `events` or `allow_private`; the URL is checked
    again against the new `allow_private`."""
    require_admin(member, "manage webhooks")
    unknown = set(changes) - {"url", "description", "events", "allow_private"}
    if unknown:
        raise ValidationError({field: "This field cannot be changed here." for field in unknown})
    allow_private = bool(changes.get("allow_private", webhook.allow_private))
    if "allow_private" in changes and "url" not in changes:
        changes["url"] = webhook.url  # allowing private addresses no more: check again
    clean = _clean(changes, allow_private)
    clean["allow_private"] = allow_private
    for field, value in clean.items():
        setattr(webhook, field, value)
    webhook.save(update_fields=list(clean))
    return webhook


def webhook_delete(*, member: Membership, webhook: Webhook) -> None:
    """Delete a webhook with its delivery log; queued deliveries find nothing to send."""
    require_admin(member, "manage webhooks")
    webhook.delete()


def webhook_secret_rotate(*, member: Membership, webhook: Webhook) -> Webhook:
    """A new secret, from the next delivery on (retries included); the old one stops
    working at once. Shown once, like the first."""
    require_admin(member, "manage webhooks")
    webhook.secret = new_token(SECRET_PREFIX)
    webhook.save(update_fields=["secret"])
    return webhook


def webhook_enable(*, member: Membership, webhook: Webhook) -> Webhook:
    """Turn a disabled webhook back on, with its failure count back at zero."""
    require_admin(member, "manage webhooks")
    with transaction.atomic():
        Webhook.objects.filter(pk=webhook.pk).update(
            enabled=True, consecutive_failures=0, disabled_at=None, disabled_reason=""
        )
    webhook.refresh_from_db()
    return webhook


def webhook_test_event(*, member: Membership, webhook: Webhook) -> WebhookDelivery:
    """Queue a `ping` to this webhook, whatever events it subscribes to."""
    require_admin(member, "send test events")
    _require_enabled(webhook)
    data = {
        "message": "A test event from Headway: this webhook works.",
        "webhook": {"id": webhook.pk, "description": webhook.description},
        "requested_by": {"id": member.user_id, "name": str(member.user)},
    }
    organisation = member.organisation
    with transaction.atomic():
        return _deliveries(organisation, PING, [data], [webhook])[0]


def webhook_redeliver(*, member: Membership, webhook: Webhook, delivery_id: int) -> WebhookDelivery:
    """Send a delivery that failed for good again: the same body (same event id), a
    fresh signature, and a fresh round of attempts."""
    require_admin(member, "redeliver webhook events")
    _require_enabled(webhook)
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update().filter(webhook=webhook, pk=delivery_id)
        ).first()
        if delivery is None:
            raise Http404("No such delivery.")
        if delivery.status != DeliveryStatus.FAILED:
            state = delivery.get_status_display().lower()
            raise Conflict(f"Only a failed delivery can be sent again; this one is {state}.")
        delivery.status, delivery.attempts = DeliveryStatus.PENDING, 0
        delivery.next_attempt_at = None
        delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
        _enqueue(delivery)
    return delivery


def _require_enabled(webhook: Webhook) -> None:
    if not webhook.enabled:
        raise Conflict("This webhook is disabled; re-enable it first.")


# --- events into deliveries --------------------------------------------------------------


def envelope(organisation: Organisation, event: str, data: Data) -> Data:
    return {
        "version": PAYLOAD_VERSION,
        "id": str(uuid.uuid4()),
        "type": event,
        "created_at": timezone.now().isoformat(),
        "organisation": {"id": organisation.pk, "slug": organisation.slug},
        "data": data,
    }


def subscribers(organisation_id: int, event: str) -> list[Webhook]:
    """The organisation's enabled webhooks that want `event` (no events chosen: all)."""
    hooks = Webhook.objects.filter(organisation_id=organisation_id, enabled=True).only(
        "pk", "events", "organisation_id"
    )
    return [hook for hook in hooks if not hook.events or event in hook.events]


def webhook_event(organisation_id: int, event: str, data: Data) -> list[WebhookDelivery]:
    """One event: a delivery per enabled webhook subscribed to it, each queued."""
    return webhook_events(organisation_id, event, lambda organisation: [data])


def webhook_events(
    organisation_id: int, event: str, build: Callable[[Organisation], list[Data]]
) -> list[WebhookDelivery]:
    """Events of one type: `build` returns each one's `data`, and is called only when
    some webhook wants them (most organisations have none: one query, then nothing)."""
    if event not in EVENTS:
        raise ValueError(f"Unknown webhook event {event!r}.")
    hooks = subscribers(organisation_id, event)
    if not hooks:
        return []
    organisation = Organisation.objects.get(pk=organisation_id)
    items = build(organisation)
    if not items:
        return []
    with transaction.atomic():
        return _deliveries(organisation, event, items, hooks)


def _deliveries(
    organisation: Organisation, event: str, items: list[Data], hooks: list[Webhook]
) -> list[WebhookDelivery]:
    """Write the deliveries and queue their tasks in the caller's transaction: with
    the database queue both commit together, or neither does."""
    rows = []
    for data in items:
        payload = envelope(organisation, event, data)
        rows += [
            WebhookDelivery(webhook=hook, event=event, event_id=payload["id"], payload=payload)
            for hook in hooks
        ]
    created = WebhookDelivery.objects.bulk_create(rows)
    for delivery in created:
        _enqueue(delivery)
    return created


def _enqueue(delivery: WebhookDelivery) -> None:
    from .webhook_tasks import webhook_deliver_task  # the task module imports this one

    webhook_deliver_task.enqueue(delivery.pk)
