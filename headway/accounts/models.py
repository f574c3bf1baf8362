"""Users, organisations (tenants), memberships with roles, invitations and API tokens."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone


class UserManager(BaseUserManager["User"]):
    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with an e-mail address. One account, many organisations."""

    email = models.EmailField(unique=True)
    name = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="Can use the operators' admin.")
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name or self.email.split("@")[0]


def _timezone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


# When the organisation's notifications go out (docs/notifications.md), settable like
# its other settings.
NOTIFY_FIELDS = ("reminder_time", "digest_weekday", "digest_time")

# The organisation's course-correction thresholds, settable like its other settings.
COURSE_FIELDS = (
    "at_risk_gap",
    "off_track_gap",
    "watermelon_confidence",
    "stall_checkins",
    "stall_weeks",
    "stall_min_move",
    "overdue_grace_days",
)


class Organisation(models.Model):
    """A tenant: everything it owns carries a foreign key to it and is never shared."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    strategy_statement = models.TextField(
        blank=True, help_text="Where the organisation is heading, in a few sentences."
    )
    timezone = models.CharField(max_length=64, default="UTC", choices=_timezone_choices)
    checkin_weekday = models.PositiveSmallIntegerField(
        choices=Weekday.choices, default=Weekday.MONDAY, help_text="Day of the weekly check-in."
    )
    reminder_time = models.TimeField(
        default=dt.time(9, 0), help_text="When check-in reminders go out on the check-in day."
    )
    digest_weekday = models.PositiveSmallIntegerField(
        choices=Weekday.choices, default=Weekday.FRIDAY, help_text="Day of the weekly digest."
    )
    digest_time = models.TimeField(default=dt.time(15, 0), help_text="When the digest goes out.")
    confidence_scale = models.PositiveSmallIntegerField(
        default=10,
        validators=[MinValueValidator(3), MaxValueValidator(10)],
        help_text="Confidence is asked from 0 to this number.",
    )
    count_child_progress = models.BooleanField(
        default=True,
        help_text="An objective's progress includes the progress of objectives that contribute to it.",
    )
    # Course-correction thresholds (see docs/course-correction.md for the rules).
    at_risk_gap = models.FloatField(
        default=0.10,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="A key result this far behind pace (share of the way to its target) is at risk.",
    )
    off_track_gap = models.FloatField(
        default=0.25,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="A key result this far behind pace is off track.",
    )
    watermelon_confidence = models.PositiveSmallIntegerField(
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="Confidence at or above this on a key result off track raises a watermelon flag.",
    )
    stall_checkins = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(2), MaxValueValidator(12)],
        help_text="A measure behind pace that has not moved over this many check-ins is stalled.",
    )
    stall_weeks = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text="…or that has not moved over this many weeks.",
    )
    stall_min_move = models.FloatField(
        default=0.05,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="Movement smaller than this share of the distance still to go does not count.",
    )
    overdue_grace_days = models.PositiveSmallIntegerField(
        default=3,
        validators=[MaxValueValidator(28)],
        help_text="A check-in is overdue this many days after the weekly cadence.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.off_track_gap < self.at_risk_gap:
            raise ValidationError(
                {
                    "off_track_gap": "Off track must start at or beyond at risk: make it at "
                    f"least {self.at_risk_gap:g}."
                }
            )


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    MEMBER = "member", "Member"
    VIEWER = "viewer", "Viewer"


class Membership(models.Model):
    """A person's place in an organisation, with the role that decides what they may do."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    title = models.CharField(max_length=120, blank=True, help_text="Job title, e.g. CTO.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="one_membership_per_org")
        ]
        ordering = ["organisation", "user__email"]

    def __str__(self) -> str:
        return f"{self.user} in {self.organisation} ({self.role})"

    @property
    def is_admin(self) -> bool:
        """Owners and admins manage everything in the organisation."""
        return self.role in (Role.OWNER, Role.ADMIN)

    @property
    def can_write(self) -> bool:
        """Viewers read; every other role writes what it is allowed to."""
        return self.role != Role.VIEWER


class Invitation(models.Model):
    """An expiring, single-use link that creates an account or adds a membership."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.organisation}"

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"


class ApiToken(models.Model):
    """A personal API token for one organisation. Only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=12, help_text="Shown so people can tell tokens apart.")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
