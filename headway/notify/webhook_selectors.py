"""Reads of webhooks and their delivery logs, for owners and admins only.

A webhook of another organisation is a 404, the same answer as one that does not
exist; a member who is not an admin gets 403 before anything is looked up.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from headway.accounts.models import Membership
from headway.accounts.services import require_admin

from .models import Webhook, WebhookDelivery


def webhooks_list(member: Membership) -> QuerySet[Webhook]:
    """The organisation's webhooks, oldest first."""
    require_admin(member, "manage webhooks")
    return Webhook.objects.filter(organisation_id=member.organisation_id).order_by("pk")


def webhook_get(member: Membership, webhook_id: int) -> Webhook:
    require_admin(member, "manage webhooks")
    webhook = Webhook.objects.filter(organisation_id=member.organisation_id, pk=webhook_id).first()
    if webhook is None:
        raise Http404("No such webhook.")
    return webhook


def webhook_deliveries(webhook: Webhook) -> QuerySet[WebhookDelivery]:
    """The delivery log, newest first (page it: it only grows)."""
    return WebhookDelivery.objects.filter(webhook=webhook).order_by("-created_at", "-pk")


def webhook_delivery_get(webhook: Webhook, delivery_id: int) -> WebhookDelivery:
    delivery = webhook_deliveries(webhook).filter(pk=delivery_id).first()
    if delivery is None:
        raise Http404("No such delivery.")
    return delivery


def secret_hint(secret: str) -> str:
    """The start of a secret, to tell which one a receiver holds without showing it."""
    return f"{secret[:10]}…"
