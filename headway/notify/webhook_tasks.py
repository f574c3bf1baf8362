"""Delivering webhook events: sign, POST with short timeouts, record every attempt,
retry with exponential backoff, give up, and disable a webhook that keeps failing.

Each delivery is one task; an attempt that fails queues the next one with the task
queue's `run_after`, 30 s, 2 min, 8 min, 30 min and 2 h later: six attempts over about
2 h 40 min, then the delivery has failed for good. `Webhook.consecutive_failures`
counts deliveries that failed for good in a row (not attempts: a burst of events
during a short outage would otherwise disable a healthy endpoint); at
DISABLE_AFTER the webhook is disabled and the organisation's owners and admins are
told by e-mail. A delivered event sets the count back to zero. Deliveries are never
deleted: the row keeps the last attempt's answer, error and duration.

The HTTP call never runs inside a database transaction: a short transaction claims
the delivery (a duplicate task for it then finds nothing to do), the POST runs, and a
second short transaction records the outcome.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import http.client
import json
import logging
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from headway.accounts.models import Membership, Role

from .models import (
    Channel,
    DeliveryStatus,
    Notification,
    NotificationKind,
    Webhook,
    WebhookDelivery,
)
from .webhooks import address_problem, default_port, production

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
BACKOFF = (
    dt.timedelta(seconds=30),
    dt.timedelta(minutes=2),
    dt.timedelta(minutes=8),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
)  # the wait after attempt 1, 2, … 5
DISABLE_AFTER = 5  # deliveries failed for good in a row
TIMEOUT = 5.0  # seconds to connect, and for each read
TOTAL_TIMEOUT = 10.0  # the whole attempt, however slowly an endpoint drips its answer
LEASE = dt.timedelta(minutes=2)  # an attempt under way: a duplicate task leaves it alone
CLOCK_SLACK = dt.timedelta(seconds=5)  # between the machine that queued and the worker
EXCERPT = 500
USER_AGENT = "Headway-Webhooks/1"

IN_PLAY = (DeliveryStatus.PENDING, DeliveryStatus.RETRYING)


# --- what is sent --------------------------------------------------------------------


def body_of(payload: dict[str, Any]) -> bytes:
    """The exact bytes sent and signed (keys sorted: the same on every database)."""
    return json.dumps(payload, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed with the secret>`."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def headers_of(webhook: Webhook, delivery: WebhookDelivery, body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Headway-Event": delivery.event,
        "Headway-Delivery": str(delivery.event_id),
        "Headway-Signature": signature(webhook.secret, int(time.time()), body),
    }


# --- one attempt over HTTP -------------------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    """What one POST came to."""

    ok: bool
    status: int | None = None
    excerpt: str = ""
    error: str = ""
    duration_ms: int = 0


class _Watchdog:
    """Cut the connection after TOTAL_TIMEOUT: socket timeouts bound each read, not an
    endpoint that answers a byte every few seconds."""

    def __init__(self, connection: http.client.HTTPConnection, seconds: float) -> None:
        self.connection, self.fired = connection, False
        self.timer = threading.Timer(seconds, self._fire)
        self.timer.daemon = True
        self.timer.start()

    def _fire(self) -> None:
        self.fired = True
        sock = self.connection.sock
        if sock is not None:
            with contextlib.suppress(OSError):  # already closed: nothing to cut
                sock.shutdown(socket.SHUT_RDWR)

    def cancel(self) -> None:
        self.timer.cancel()


def _pinned(addresses: list[str]) -> Callable[..., socket.socket]:
    """Connect to the addresses that were checked, not to whatever the name resolves
    to a moment later (DNS rebinding); TLS still verifies the URL's host name."""

    def connect(
        address: tuple[str, int], timeout: float = TIMEOUT, source: Any = None
    ) -> socket.socket:
        last: OSError = OSError("no address to connect to")
        for ip in addresses[:3]:
            try:
                return socket.create_connection((ip, address[1]), timeout, source)
            except OSError as error:
                last = error
        raise last

    return connect


def _checked_addresses(host: str, port: int, allow_private: bool) -> list[str] | None:
    """In production, the public addresses to connect to (ValueError if there are
    none); elsewhere None: connect as the name resolves."""
    if not production() or allow_private:
        return None
    problem = address_problem(host, port)
    if problem:
        raise ValueError(f"Not sent: {problem}")
    from . import webhooks  # looked up at call time, so a test may patch it

    return webhooks.resolve(host, port)


def post(url: str, body: bytes, headers: dict[str, str], allow_private: bool) -> Attempt:
    """POST `body` to `url`; never raises, never follows a redirect."""
    start = time.monotonic()
    parts = urlsplit(url)
    host, port = parts.hostname or "", parts.port or default_port(parts.scheme)
    try:
        pinned = _checked_addresses(host, port, allow_private)
    except ValueError as refused:
        return Attempt(ok=False, error=str(refused), duration_ms=_since(start))
    if parts.scheme == "https":
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            host, port, timeout=TIMEOUT, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(host, port, timeout=TIMEOUT)
    if pinned:
        connection._create_connection = _pinned(pinned)  # type: ignore[attr-defined]
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    watchdog = _Watchdog(connection, TOTAL_TIMEOUT)
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        excerpt = response.read(EXCERPT).decode("utf-8", "replace")
        return _answer(response, excerpt, _since(start))
    except Exception as error:  # any failure is this attempt's outcome, never the task's
        message = _failure(error, host, port, watchdog.fired)
        return Attempt(ok=False, error=message, duration_ms=_since(start))
    finally:
        watchdog.cancel()
        connection.close()


def _since(start: float) -> int:
    return int((time.monotonic() - start) * 1000)


def _answer(response: http.client.HTTPResponse, excerpt: str, duration_ms: int) -> Attempt:
    status = response.status
    if 200 <= status < 300:
        return Attempt(ok=True, status=status, excerpt=excerpt, duration_ms=duration_ms)
    if 300 <= status < 400:
        where = response.getheader("Location", "elsewhere")[:200]
        error = (
            f"Answered {status} with a redirect to {where}; redirects are not followed, "
            "so point the webhook at the final URL."
        )
    else:
        error = f"Answered {status} {response.reason}; only a 2xx answer counts as delivered."
    return Attempt(ok=False, status=status, excerpt=excerpt, error=error, duration_ms=duration_ms)


def _failure(error: Exception, host: str, port: int, cut: bool) -> str:
    if cut:
        return f"No complete answer within {TOTAL_TIMEOUT:g} s; the connection was closed."
    if isinstance(error, TimeoutError):
        return f"No answer within {TIMEOUT:g} s (timed out)."
    if isinstance(error, ConnectionRefusedError):
        return f"{host}:{port} refused the connection; is the receiver running?"
    if isinstance(error, socket.gaierror):
        return f"Could not resolve {host}: {error.strerror or error}."
    if isinstance(error, ssl.SSLCertVerificationError):
        return f"The TLS certificate of {host} did not verify: {error.verify_message}."
    return f"{type(error).__name__}: {error}"[:1000]


# --- the task ----------------------------------------------------------------------------


@task()
def webhook_deliver_task(delivery_id: int) -> str:
    """One attempt of one delivery; returns the delivery's status after it."""
    return webhook_deliver(delivery_id)


def webhook_deliver(delivery_id: int) -> str:
    """Claim the delivery, POST it, record the outcome (and queue the retry)."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return "skipped"
    if delivery.status == DeliveryStatus.FAILED:  # its webhook was disabled meanwhile
        return str(delivery.status)
    webhook = delivery.webhook
    body = body_of(delivery.payload)
    attempt = post(webhook.url, body, headers_of(webhook, delivery, body), webhook.allow_private)
    status, disabled = _record(delivery.pk, attempt)
    if disabled is not None:
        webhook_disabled_notify(disabled)
    return status


def _claim(delivery_id: int) -> WebhookDelivery | None:
    """The delivery, when it is due and nobody else is sending it (else None). A
    delivery of a disabled webhook is closed here as not sent."""
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("webhook")
            .filter(pk=delivery_id, status__in=IN_PLAY)
            .first()
        )
        if delivery is None or (
            delivery.next_attempt_at is not None and delivery.next_attempt_at > now + CLOCK_SLACK
        ):
            return None
        if not delivery.webhook.enabled:
            delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
            delivery.error = "Not sent: the webhook was disabled. Re-enable it, then redeliver."
            delivery.save(update_fields=["status", "next_attempt_at", "error"])
            return delivery
        delivery.next_attempt_at = now + LEASE
        delivery.save(update_fields=["next_attempt_at"])
    return delivery


def _record(delivery_id: int, attempt: Attempt) -> tuple[str, Webhook | None]:
    """Store the attempt's outcome; queue the retry, or give up and count the failure.
    Returns the new status, and the webhook if this failure disabled it."""
    now = timezone.now()
    disabled = None
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None:  # the webhook was deleted while its delivery was under way
            return "deleted", None
        webhook = Webhook.objects.select_for_update().get(pk=delivery.webhook_id)
        delivery.attempts += 1
        delivery.response_status = attempt.status
        delivery.response_excerpt = attempt.excerpt[:EXCERPT]
        delivery.error = attempt.error
        delivery.duration_ms = attempt.duration_ms
        delivery.next_attempt_at = None
        if attempt.ok:
            delivery.status, delivery.delivered_at = DeliveryStatus.DELIVERED, now
            if webhook.consecutive_failures:
                webhook.consecutive_failures = 0
                webhook.save(update_fields=["consecutive_failures"])
        elif delivery.attempts < MAX_ATTEMPTS:
            delivery.status = DeliveryStatus.RETRYING
            delivery.next_attempt_at = now + BACKOFF[delivery.attempts - 1]
            webhook_deliver_task.using(run_after=delivery.next_attempt_at).enqueue(delivery.pk)
        else:
            delivery.status = DeliveryStatus.FAILED
            disabled = _count_failure(webhook, attempt, now)
        delivery.save()
    return str(delivery.status), disabled


def _count_failure(webhook: Webhook, attempt: Attempt, now: dt.datetime) -> Webhook | None:
    """One more delivery failed for good; disable the webhook at DISABLE_AFTER."""
    webhook.consecutive_failures += 1
    fields = ["consecutive_failures"]
    just_disabled = webhook.enabled and webhook.consecutive_failures >= DISABLE_AFTER
    if just_disabled:
        webhook.enabled, webhook.disabled_at = False, now
        webhook.disabled_reason = (
            f"{webhook.consecutive_failures} deliveries in a row failed after "
            f"{MAX_ATTEMPTS} attempts each. The last error: {attempt.error}"
        )
        fields += ["enabled", "disabled_at", "disabled_reason"]
    webhook.save(update_fields=fields)
    return webhook if just_disabled else None


def webhook_deliveries_resume(older_than: dt.timedelta = dt.timedelta(minutes=10)) -> int:
    """Queue again the deliveries whose task was lost (a worker killed mid-attempt):
    still in play, and due for longer than `older_than`. Safe to run at any time: a
    delivery already being sent is claimed once. Returns how many were queued."""
    due = timezone.now() - older_than
    stuck = WebhookDelivery.objects.filter(status__in=IN_PLAY, webhook__enabled=True).filter(
        next_attempt_at__lt=due
    ) | WebhookDelivery.objects.filter(
        status=DeliveryStatus.PENDING, next_attempt_at=None, created_at__lt=due
    )
    ids = list(stuck.values_list("pk", flat=True)[:1000])
    for delivery_id in ids:
        webhook_deliver_task.enqueue(delivery_id)
    return len(ids)


@task()
def webhook_deliveries_resume_task() -> int:
    """The periodic safety net for `webhook_deliveries_resume`."""
    return webhook_deliveries_resume()


# --- telling the admins ------------------------------------------------------------------


def _page_url(webhook: Webhook) -> str:
    path = reverse(
        "webhook-detail", kwargs={"org": webhook.organisation.slug, "webhook_id": webhook.pk}
    )
    return f"{settings.SITE_URL}{path}"


def webhook_disabled_notify(webhook: Webhook) -> int:
    """E-mail the organisation's owners and admins that `webhook` was disabled, once
    each (a `Notification` per person); returns how many were told."""
    webhook = Webhook.objects.select_related("organisation").get(pk=webhook.pk)
    organisation = webhook.organisation
    stamp = webhook.disabled_at.isoformat(timespec="seconds") if webhook.disabled_at else ""
    key = f"webhook:{webhook.pk}:{stamp}"
    subject = f"Headway disabled a webhook of {organisation.name}"[:200]
    text = (
        f"Headway stopped sending events to the webhook {webhook.url}"
        f"{f' ({webhook.description})' if webhook.description else ''} of {organisation.name}.\n\n"
        f"{webhook.disabled_reason}\n\n"
        "Fix the receiving end, then re-enable the webhook and send the failed "
        f"deliveries again from its delivery log:\n{_page_url(webhook)}\n"
    )
    admins = Membership.objects.filter(
        organisation=organisation, role__in=(Role.OWNER, Role.ADMIN), user__is_active=True
    ).select_related("user")
    told = 0
    for admin in admins:
        try:
            with transaction.atomic():
                note = Notification.objects.create(
                    organisation=organisation,
                    kind=NotificationKind.WEBHOOK_DISABLED,
                    key=key,
                    membership=admin,
                    channel=Channel.EMAIL,
                    subject=subject,
                    attempts=1,
                )
        except IntegrityError:
            continue  # already told about this disabling
        try:
            send_mail(subject, text, None, [admin.user.email])
            note.sent_at = timezone.now()
            told += 1
        except Exception as error:  # a failing mail server must not hide the others
            logger.exception("Telling %s about a disabled webhook failed.", admin.user.email)
            note.error = str(error)[:1000]
        note.save(update_fields=["sent_at", "error"])
    return told
