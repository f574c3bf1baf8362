"""Sending: claim a notification once, render it for its channel, send it, record the
outcome, and retry a failure a bounded number of times through the queue.

A `Notification` row is inserted before anything is sent; the unique (kind, key,
recipient) constraints let exactly one worker insert it, so a second run of a job, or
a second worker, sends nothing twice. Rows of one recipient claimed in one run (the
new flags of a person) go out as one message and share their outcome.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections.abc import Sequence

from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from headway.accounts.models import Membership, Organisation

from .chat import ChatError, chat_send
from .links import PREFERENCE_OF, absolute_url, unsubscribe_url
from .messages import Content
from .models import Channel, Notification, NotificationKind, TeamChatChannel

logger = logging.getLogger(__name__)

# What an unsubscribe link turns off, in the e-mail's words.
KIND_LABELS: dict[str, str] = {
    NotificationKind.REMINDER: "check-in reminders",
    NotificationKind.DIGEST: "the weekly digest",
    NotificationKind.FLAG: "flag notifications",
}
MAX_ATTEMPTS = 3
# Waits before the second and the third attempt.
RETRY_DELAYS = (dt.timedelta(minutes=1), dt.timedelta(minutes=10))


def notification_claim(
    organisation: Organisation,
    kind: str,
    key: str,
    subject: str,
    *,
    member: Membership | None = None,
    chat_channel: TeamChatChannel | None = None,
) -> Notification | None:
    """Insert the row that says this recipient gets this notification; None when
    another run or worker already did."""
    try:
        with transaction.atomic():
            return Notification.objects.create(
                organisation=organisation,
                kind=kind,
                key=key,
                membership=member,
                chat_channel=chat_channel,
                channel=Channel.EMAIL if member is not None else Channel.CHAT,
                subject=subject[:200],
            )
    except IntegrityError:
        return None


def render_email(member: Membership, kind: str, content: Content) -> EmailMultiAlternatives:
    """The e-mail of `content` for one member, with the unsubscribe link for this kind
    in the text, the HTML and the List-Unsubscribe headers (RFC 2369 and 8058)."""
    organisation = member.organisation
    unsubscribe = unsubscribe_url(member.pk, kind) if kind in PREFERENCE_OF else ""
    context = {
        **content.context,
        "subject": content.subject,
        "member": member,
        "organisation": organisation,
        "unsubscribe_url": unsubscribe,
        "kind_label": KIND_LABELS.get(kind, ""),
        "settings_url": absolute_url("notify-settings", organisation.slug),
    }
    name = f"notify/email/{content.template}"
    headers = {"Auto-Submitted": "auto-generated"}
    if unsubscribe:
        headers["List-Unsubscribe"] = f"<{unsubscribe}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMultiAlternatives(
        subject=" ".join(render_to_string(f"{name}_subject.txt", context).split()),
        body=render_to_string(f"{name}.txt", context),
        to=[member.user.email],
        headers=headers,
    )
    message.attach_alternative(render_to_string(f"{name}.html", context), "text/html")
    return message


def render_chat(organisation: Organisation, content: Content) -> tuple[str, str]:
    """(title, Markdown body) of `content` for a chat channel."""
    context = {**content.context, "subject": content.subject, "organisation": organisation}
    body = render_to_string(f"notify/chat/{content.template}.md", context).strip()
    return content.subject, body


def _send(note: Notification, content: Content) -> None:
    if note.membership is not None:
        render_email(note.membership, note.kind, content).send()
    elif note.chat_channel is not None:
        title, body = render_chat(note.organisation, content)
        chat_send(note.chat_channel.url, title, body)


def _describe(error: Exception) -> str:
    if isinstance(error, ChatError):
        return str(error)
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "The mail server refused the address: " + "; ".join(
            f"{code} {reply.decode(errors='replace')}" for code, reply in error.recipients.values()
        )
    if isinstance(error, smtplib.SMTPResponseException):
        return f"The mail server answered {error.smtp_code}: {error.smtp_error!r}"
    return f"Could not reach the mail server ({type(error).__name__}: {error})."


def deliver(notes: Sequence[Notification], content: Content | None) -> bool:
    """One attempt at sending `notes` (one recipient, one kind) as `content`.

    Records the attempt on every row; on failure, queues the next attempt until
    MAX_ATTEMPTS, then leaves the last error on the rows. Never raises for a failed
    send: the job goes on with the next recipient. `content` None means there is
    nothing left to say (everything was checked in or resolved meanwhile).
    """
    if not notes:
        return False
    attempt = max(note.attempts for note in notes) + 1
    now = timezone.now()
    error = ""
    if content is None:
        error = "Not sent: nothing is left to tell (checked in or resolved since)."
    else:
        try:
            _send(notes[0], content)
        except (OSError, smtplib.SMTPException, ChatError) as failure:
            error = _describe(failure)[:1000]
    ids = [note.pk for note in notes]
    Notification.objects.filter(pk__in=ids).update(
        attempts=attempt, error=error, sent_at=None if error else now
    )
    channel = notes[0].chat_channel
    if channel is not None and content is not None:
        TeamChatChannel.objects.filter(pk=channel.pk).update(last_error=error)
    if error and content is not None and attempt < MAX_ATTEMPTS:
        from .tasks import notifications_retry_task  # tasks import the jobs, which import this

        notifications_retry_task.using(run_after=now + RETRY_DELAYS[attempt - 1]).enqueue(ids)
    if error:
        logger.warning(
            "Notification %s (%s) attempt %s failed: %s", ids, notes[0].kind, attempt, error
        )
    return not error
