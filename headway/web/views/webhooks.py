"""Webhook management (owners and admins): the list with the add form, one webhook
with its delivery log, edit, delete, rotate the secret, re-enable, send a test event,
redeliver a failed delivery. Nothing here waits for an endpoint: sending is the
worker's job (headway.notify.webhook_tasks)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from headway.lib.htmx import render_page
from headway.notify import webhooks as services
from headway.notify.models import DeliveryStatus, Webhook
from headway.notify.webhook_events import EVENTS
from headway.notify.webhook_selectors import (
    secret_hint,
    webhook_deliveries,
    webhook_get,
    webhooks_list,
)
from headway.web.decorators import member_view
from headway.web.forms import call_service, errors_only
from headway.web.forms_webhooks import WebhookForm

DELIVERIES_PER_PAGE = 25


def _form_data(form: WebhookForm) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in form.fields}


@member_view(admin=True)
def webhooks_page(request: HttpRequest) -> HttpResponse:
    """The list and the add form; a new webhook's secret shows on this answer only."""
    member = request.member  # type: ignore[attr-defined]
    form = WebhookForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        data = _form_data(form)
        created = call_service(form, lambda: services.webhook_create(member=member, **data))
        if created is not None:
            form = WebhookForm()  # no redirect: the secret is in this page only
    context = {
        "webhooks": webhooks_list(member),
        "form": form,
        "created": created,
        "events": EVENTS,
    }
    return render_page(request, "webhooks/list.html", context, status=422 if form.errors else 200)


def _detail_context(
    request: HttpRequest, webhook: Webhook, new_secret: str | None = None
) -> dict[str, Any]:
    page = Paginator(webhook_deliveries(webhook), DELIVERIES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return {
        "webhook": webhook,
        "page": page,
        "deliveries": page.object_list,
        "secret_hint": secret_hint(webhook.secret),
        "new_secret": new_secret,
        # The first attempt is seconds away: refresh the log until it has happened.
        "polling": any(d.status == DeliveryStatus.PENDING for d in page.object_list),
        "events": EVENTS,
    }


@member_view(admin=True)
def webhook_detail(request: HttpRequest, webhook_id: int) -> HttpResponse:
    """The webhook and its delivery log; HTMX polls fetch the log alone."""
    webhook = webhook_get(request.member, webhook_id)  # type: ignore[attr-defined]
    return render_page(
        request, "webhooks/detail.html", _detail_context(request, webhook), partial="delivery-log"
    )


@member_view(admin=True)
def webhook_edit(request: HttpRequest, webhook_id: int) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    webhook = webhook_get(member, webhook_id)
    form = WebhookForm.of(webhook, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = _form_data(form)
        saved = call_service(
            form, lambda: services.webhook_update(member=member, webhook=webhook, **data)
        )
        if saved is not None:
            messages.success(request, "Webhook saved.")
            return redirect("webhook-detail", org=member.organisation.slug, webhook_id=webhook.pk)
        webhook.refresh_from_db()  # the page shows what is stored, not the refused input
    return render_page(
        request,
        "webhooks/edit.html",
        {"webhook": webhook, "form": form},
        status=422 if form.errors else 200,
    )


@member_view(admin=True)
def webhook_delete(request: HttpRequest, webhook_id: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes the webhook and its delivery log."""
    member = request.member  # type: ignore[attr-defined]
    webhook = webhook_get(member, webhook_id)
    if request.method == "POST":
        services.webhook_delete(member=member, webhook=webhook)
        messages.success(request, f"Webhook {webhook.url} deleted.")
        return redirect("webhooks", org=member.organisation.slug)
    return render_page(request, "webhooks/delete.html", {"webhook": webhook})


@member_view(admin=True)
@require_POST
def webhook_secret(request: HttpRequest, webhook_id: int) -> HttpResponse:
    """A new secret, shown on this answer only (no redirect)."""
    member = request.member  # type: ignore[attr-defined]
    webhook = services.webhook_secret_rotate(member=member, webhook=webhook_get(member, webhook_id))
    context = _detail_context(request, webhook, new_secret=webhook.secret)
    return render_page(request, "webhooks/detail.html", context)


@member_view(admin=True)
@require_POST
def webhook_enable(request: HttpRequest, webhook_id: int) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    webhook = services.webhook_enable(member=member, webhook=webhook_get(member, webhook_id))
    messages.success(request, "Webhook enabled: new events will be sent to it again.")
    return redirect("webhook-detail", org=member.organisation.slug, webhook_id=webhook.pk)


def _act(request: HttpRequest, webhook: Webhook, action: Any, done: str) -> HttpResponse:
    """Run a service for a button on the webhook page and come back with its message."""
    form = errors_only()
    if call_service(form, action) is not None:
        messages.success(request, done)
    else:
        messages.error(request, " ".join(form.non_field_errors()))
    slug = request.member.organisation.slug  # type: ignore[attr-defined]
    return redirect("webhook-detail", org=slug, webhook_id=webhook.pk)


@member_view(admin=True)
@require_POST
def webhook_test(request: HttpRequest, webhook_id: int) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    webhook = webhook_get(member, webhook_id)
    return _act(
        request,
        webhook,
        lambda: services.webhook_test_event(member=member, webhook=webhook),
        "Test event queued: its delivery shows below within a few seconds.",
    )


@member_view(admin=True)
@require_POST
def webhook_redeliver(request: HttpRequest, webhook_id: int, delivery_id: int) -> HttpResponse:
    member = request.member  # type: ignore[attr-defined]
    webhook = webhook_get(member, webhook_id)
    return _act(
        request,
        webhook,
        lambda: services.webhook_redeliver(member=member, webhook=webhook, delivery_id=delivery_id),
        "Delivery queued again.",
    )
