"""Flags raised on key results by course-correction analysis (stall, overdue,
watermelon). Rows are written only by `insights.services`; the rules that decide
them live in the pure `insights.metrics` modules."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from headway.accounts.models import Organisation
from headway.goals.models import KeyResult, Pivot


class FlagKind(models.TextChoices):
    STALL = "stall", "Stalled measure"
    OVERDUE = "overdue", "Overdue check-in"
    WATERMELON = "watermelon", "Watermelon"


class Flag(models.Model):
    """A problem found on a key result, open until the analysis no longer finds it.

    One open flag per key result and kind: a refresh updates its reason and facts in
    place (so notifications go out once per flag) and resolves it when the rule stops
    holding. `pivot` is the course correction recorded in answer to it, if any.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="flags")
    key_result = models.ForeignKey(KeyResult, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(max_length=12, choices=FlagKind.choices)
    reason = models.CharField(max_length=300, help_text="Why, with the numbers.")
    facts = models.JSONField(default=dict, blank=True)
    severity = models.FloatField(
        default=0.0, help_text="Larger is more urgent; orders the needs-attention lists."
    )
    opened_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    pivot = models.ForeignKey(
        Pivot, null=True, blank=True, on_delete=models.SET_NULL, related_name="flags"
    )

    class Meta:
        ordering = ["-severity", "opened_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["key_result", "kind"],
                condition=models.Q(resolved_at__isnull=True),
                name="one_open_flag_per_kind",
            )
        ]
        indexes = [
            models.Index(fields=["organisation", "resolved_at", "-severity"]),
            # The needs-attention order, over open flags only: a page of the most
            # urgent reads 25 index entries instead of sorting every open flag.
            models.Index(
                fields=["organisation", "-severity", "opened_at", "id"],
                condition=models.Q(resolved_at__isnull=True),
                name="flag_open_by_urgency",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.key_result}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
