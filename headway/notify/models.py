"""Notifications and schedules: which periodic job ran for which slot, what each member
wants to hear and how, each notification sent (once), team chat channels, and outgoing
webhooks with their delivery log."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class ScheduledRun(models.Model):
    """One time slot of one periodic job, claimed by the worker that enqueued it.

    The unique (job, slot) pair is what makes a slot run once however many workers,
    on however many machines, race for it: the first insert wins, the others fail.
    """

    job = models.CharField(max_length=80)
    slot = models.DateTimeField(help_text="Start of the time slot this run covers.")
    claimed_at = models.DateTimeField(default=timezone.now)
    claimed_by = models.CharField(max_length=120, blank=True)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-slot", "job"]
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="one_run_per_job_slot")]

    def __str__(self) -> str:
        return f"{self.job} @ {self.slot:%Y-%m-%d %H:%M}"


# --- notifications to people and teams ------------------------------------------------


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    CHAT = "chat", "Chat (the team's channels)"
    NONE = "none", "Nothing"


class NotificationPreference(models.Model):
    """What one member wants to hear about, and how. Absent: email for everything.

    `quiet_days` are weekdays (0 = Monday) on which nothing is sent to them; reminders
    falling on one wait for the next day that is not quiet. `away_until` pauses
    reminders (a holiday) through that day.
    """

    membership = models.OneToOneField(
        "accounts.Membership", on_delete=models.CASCADE, related_name="notification_preference"
    )
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.EMAIL)
    reminders = models.BooleanField(default=True)
    digest = models.BooleanField(default=True, help_text="The weekly digest (team leads).")
    flags = models.BooleanField(default=True, help_text="Stalls, watermelons, overdue check-ins.")
    quiet_days = models.JSONField(default=list, blank=True)
    away_until = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.membership_id}: {self.channel}"


class TeamChatChannel(models.Model):
    """A chat destination of a team, as an Apprise URL (Slack, Teams, Discord, Matrix,
    Mattermost, a JSON webhook …). The URL holds the destination's secret: it is never
    logged and shown masked."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="chat_channels")
    name = models.CharField(max_length=80)
    url = models.TextField()
    digest = models.BooleanField(default=True)
    flags = models.BooleanField(default=True)
    enabled = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["team", "name"]

    def __str__(self) -> str:
        return self.name


class NotificationKind(models.TextChoices):
    REMINDER = "reminder", "Check-in reminder"
    DIGEST = "digest", "Weekly digest"
    FLAG = "flag", "Flag"
    WEBHOOK_DISABLED = "webhook_disabled", "Webhook disabled"


class Notification(models.Model):
    """One notification sent (or attempted) to one member or one chat channel.

    `key` names what it is about (e.g. "reminder:2026-11-30", "flag:41:stall:3"): the
    unique (kind, key, recipient) rows are what make each go out once, however many
    workers run the job.
    """

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    key = models.CharField(max_length=120)
    membership = models.ForeignKey(
        "accounts.Membership", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    chat_channel = models.ForeignKey(
        TeamChatChannel, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    subject = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "key", "membership"],
                condition=models.Q(membership__isnull=False),
                name="notification_once_per_member",
            ),
            models.UniqueConstraint(
                fields=["kind", "key", "chat_channel"],
                condition=models.Q(chat_channel__isnull=False),
                name="notification_once_per_chat",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"


# --- outgoing webhooks ------------------------------------------------------------------


class Webhook(models.Model):
    """An HTTPS endpoint that receives signed JSON events of the organisation.

    `secret` signs every delivery (HMAC-SHA256 over "<timestamp>.<body>"); it is shown
    once when created. After `consecutive_failures` reach the limit the webhook is
    disabled (`disabled_at`, `disabled_reason`) and the organisation's admins are told.
    """

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="webhooks"
    )
    url = models.URLField(max_length=500)
    description = models.CharField(max_length=160, blank=True)
    secret = models.CharField(max_length=80)
    events = models.JSONField(default=list, help_text="Event types sent; empty: every event.")
    enabled = models.BooleanField(default=True)
    allow_private = models.BooleanField(
        default=False, help_text="An admin allowed a private or loopback address."
    )
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organisation", "pk"]

    def __str__(self) -> str:
        return self.url


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    RETRYING = "retrying", "Failed, will retry"
    FAILED = "failed", "Failed, gave up"


class WebhookDelivery(models.Model):
    """One event for one webhook, with every attempt's outcome: the delivery log.

    The payload is fixed when the event happens; retries send the same body with a new
    timestamp and signature.
    """

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40)
    event_id = models.UUIDField()
    payload = models.JSONField()
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_excerpt = models.CharField(max_length=500, blank=True)
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["webhook", "-created_at"])]
        constraints = [
            models.UniqueConstraint(fields=["webhook", "event_id"], name="delivery_once_per_event")
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.event_id}"
