"""Cycles and strategic themes; objectives, key results and check-ins join them later."""

from __future__ import annotations

from django.db import models

from headway.accounts.models import Organisation
from headway.teams.models import Team


class CycleKind(models.TextChoices):
    ANNUAL = "annual", "Annual"
    QUARTER = "quarter", "Quarter"
    CUSTOM = "custom", "Custom"


class CycleStatus(models.TextChoices):
    PLANNING = "planning", "Planning"
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed"


class Cycle(models.Model):
    """A period objectives are set for: a year, or a quarter nested in its year."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="cycles")
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="The longer cycle this one sits inside, e.g. the year of a quarter.",
    )
    name = models.CharField(max_length=60)
    kind = models.CharField(max_length=10, choices=CycleKind.choices, default=CycleKind.QUARTER)
    start_date = models.DateField()
    end_date = models.DateField()
    status = models.CharField(
        max_length=10, choices=CycleStatus.choices, default=CycleStatus.PLANNING
    )

    class Meta:
        ordering = ["start_date", "-end_date", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="cycle_name_unique_in_org"
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__gt=models.F("start_date")),
                name="cycle_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def encloses(self, other: Cycle) -> bool:
        return self.start_date <= other.start_date and other.end_date <= self.end_date


class Theme(models.Model):
    """A strategic theme (pillar) of the organisation, or of a bubble root team."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="themes")
    team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="themes",
        help_text="Empty for the organisation's themes; a bubble root team for its own.",
    )
    title = models.CharField(max_length=160)
    description = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["order", "title"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None
