"""Outgoing webhooks (owners and admins): set them up, rotate their secret, send a
test event, read the delivery log and send a failed delivery again.
docs/webhooks.md describes the events, the payloads and the signature."""

# No `from __future__ import annotations` in router modules (see accounts.py).

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from headway.notify import webhooks as services
from headway.notify.models import Webhook
from headway.notify.webhook_events import EVENTS
from headway.notify.webhook_selectors import (
    secret_hint,
    webhook_deliveries,
    webhook_get,
    webhooks_list,
)

from .auth import member_of
from .common import BODY_ERRORS, READ_ERRORS, WRITE_ERRORS, Id, Pages, changes, responses

router = Router(tags=["webhooks"])

EVENT_NAMES = ", ".join(f"`{name}`" for name in EVENTS)


class WebhookOut(Schema):
    id: int
    url: str
    description: str
    events: list[str] = Field(..., description=f"{EVENT_NAMES}; empty: every event.")
    enabled: bool
    allow_private: bool
    consecutive_failures: int = Field(
        ..., description="Deliveries that failed for good in a row; at 5 the webhook is disabled."
    )
    disabled_at: dt.datetime | None
    disabled_reason: str
    secret_hint: str = Field(..., description="The start of the secret, e.g. `whsec_AbC…`.")
    created_at: dt.datetime

    @staticmethod
    def resolve_secret_hint(obj: Webhook) -> str:
        return secret_hint(obj.secret)


class WebhookSecretOut(WebhookOut):
    secret: str = Field(..., description="The signing secret, shown only in this answer.")


class WebhookIn(Schema):
    url: str = Field(..., description="http or https; checked when saved.")
    description: str = ""
    events: list[str] = Field(default_factory=list, description="Empty: every event.")
    allow_private: bool = Field(
        False, description="Allow a private or loopback address (refused otherwise in production)."
    )


class WebhookPatch(Schema):
    url: str | None = None
    description: str | None = None
    events: list[str] | None = None
    allow_private: bool | None = None


class WebhookDeliveryOut(Schema):
    id: int
    event: str
    event_id: uuid.UUID = Field(..., description="The envelope's `id`, the same on every retry.")
    status: str = Field(..., description="`pending`, `delivered`, `retrying` or `failed`.")
    attempts: int
    next_attempt_at: dt.datetime | None
    response_status: int | None
    response_excerpt: str
    error: str
    duration_ms: int | None
    created_at: dt.datetime
    delivered_at: dt.datetime | None
    payload: dict[str, Any]


@router.get(
    "/webhooks",
    response=responses({200: list[WebhookOut]}, (*READ_ERRORS, 403)),
    summary="The organisation's webhooks (owners and admins)",
)
@paginate(Pages)
def webhooks(request: HttpRequest) -> Any:
    return webhooks_list(member_of(request))


@router.post(
    "/webhooks",
    response=responses({201: WebhookSecretOut}, BODY_ERRORS),
    summary="Add a webhook (owners and admins); its secret is returned once",
)
def webhook_create(request: HttpRequest, payload: WebhookIn) -> Status[Webhook]:
    return Status(201, services.webhook_create(member=member_of(request), **payload.dict()))


@router.get(
    "/webhooks/{webhook_id}",
    response=responses({200: WebhookOut}, (*READ_ERRORS, 403)),
    summary="One webhook",
)
def webhook_read(request: HttpRequest, webhook_id: Id) -> Webhook:
    return webhook_get(member_of(request), webhook_id)


@router.patch(
    "/webhooks/{webhook_id}",
    response=responses({200: WebhookOut}, BODY_ERRORS),
    summary="Change a webhook's URL, description, events or allow_private",
)
def webhook_update(request: HttpRequest, webhook_id: Id, payload: WebhookPatch) -> Webhook:
    member = member_of(request)
    webhook = webhook_get(member, webhook_id)
    return services.webhook_update(member=member, webhook=webhook, **changes(payload))


@router.delete(
    "/webhooks/{webhook_id}",
    response=responses({204: None}, WRITE_ERRORS),
    summary="Delete a webhook with its delivery log",
)
def webhook_delete(request: HttpRequest, webhook_id: Id) -> Status[None]:
    member = member_of(request)
    services.webhook_delete(member=member, webhook=webhook_get(member, webhook_id))
    return Status(204, None)


@router.post(
    "/webhooks/{webhook_id}/secret",
    response=responses({200: WebhookSecretOut}, WRITE_ERRORS),
    summary="Replace the signing secret; the new one is returned once, the old one stops at once",
)
def webhook_secret_rotate(request: HttpRequest, webhook_id: Id) -> Webhook:
    member = member_of(request)
    return services.webhook_secret_rotate(member=member, webhook=webhook_get(member, webhook_id))


@router.post(
    "/webhooks/{webhook_id}/enable",
    response=responses({200: WebhookOut}, WRITE_ERRORS),
    summary="Turn a disabled webhook back on, its failure count back at zero",
)
def webhook_enable(request: HttpRequest, webhook_id: Id) -> Webhook:
    member = member_of(request)
    return services.webhook_enable(member=member, webhook=webhook_get(member, webhook_id))


@router.post(
    "/webhooks/{webhook_id}/test",
    response=responses({202: WebhookDeliveryOut}, WRITE_ERRORS),
    summary="Queue a `ping` event to this webhook; follow it in the delivery log",
)
def webhook_test(request: HttpRequest, webhook_id: Id) -> Status[Any]:
    member = member_of(request)
    webhook = webhook_get(member, webhook_id)
    return Status(202, services.webhook_test_event(member=member, webhook=webhook))


@router.get(
    "/webhooks/{webhook_id}/deliveries",
    response=responses({200: list[WebhookDeliveryOut]}, (*READ_ERRORS, 403)),
    summary="A webhook's delivery log, newest first",
)
@paginate(Pages)
def webhook_deliveries_list(request: HttpRequest, webhook_id: Id) -> Any:
    return webhook_deliveries(webhook_get(member_of(request), webhook_id))


@router.post(
    "/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver",
    response=responses({202: WebhookDeliveryOut}, WRITE_ERRORS),
    summary="Send a failed delivery again: same body, fresh signature, fresh attempts",
)
def webhook_redeliver(request: HttpRequest, webhook_id: Id, delivery_id: Id) -> Status[Any]:
    member = member_of(request)
    webhook = webhook_get(member, webhook_id)
    delivery = services.webhook_redeliver(member=member, webhook=webhook, delivery_id=delivery_id)
    return Status(202, delivery)
