"""Rollout: a plan of phases (a pilot with one or two teams, then a department, then the
organisation, or any sequence), each with its teams, dates, the time it is expected to
take and measurable success criteria.

Adoption and maturity are not stored: they are computed from the goals data (see
`headway.insights.metrics.adoption`), so a phase's "ready to expand" is always current.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from headway.accounts.models import Organisation
from headway.goals.models import Cycle
from headway.teams.models import Team


class RolloutPlan(models.Model):
    """An organisation's rollout plan: an ordered list of phases."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="rollout_plans"
    )
    title = models.CharField(max_length=160)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class PhaseKind(models.TextChoices):
    PILOT = "pilot", "Pilot"
    DEPARTMENT = "department", "Department"
    ORGANISATION = "organisation", "Whole organisation"
    CUSTOM = "custom", "Custom"


class RolloutPhase(models.Model):
    """One phase: its teams, its dates, how long it is expected to take (stated up
    front), and the cycle its success criteria are measured over (empty: the cycle that
    overlaps the phase's dates most)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    plan = models.ForeignKey(RolloutPlan, on_delete=models.CASCADE, related_name="phases")
    order = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=16, choices=PhaseKind.choices, default=PhaseKind.CUSTOM)
    starts_on = models.DateField()
    ends_on = models.DateField()
    expected_weeks = models.PositiveSmallIntegerField(
        help_text="How long the phase is expected to take, said up front."
    )
    cycle = models.ForeignKey(
        Cycle, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    teams = models.ManyToManyField(Team, through="PhaseTeam", related_name="+")
    notes = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["plan", "order", "starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="phase_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return self.name


class PhaseTeam(models.Model):
    """A team taking part in a phase (with the team's subtree when `with_subtree`)."""

    phase = models.ForeignKey(RolloutPhase, on_delete=models.CASCADE, related_name="phase_teams")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    with_subtree = models.BooleanField(
        default=False, help_text="The teams below it take part too (a department)."
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["phase", "team"], name="phase_team_once")]

    def __str__(self) -> str:
        return f"{self.team} and the teams below" if self.with_subtree else str(self.team)


class Metric(models.TextChoices):
    """What a success criterion measures over the phase's teams in its cycle."""

    CHECKIN_RATE = "checkin_rate", "Weekly check-in rate"
    OUTCOME_SHARE = "outcome_share", "Outcome share of key results"
    ALIGNED_SHARE = "aligned_share", "Share of objectives aligned to strategy"
    PEOPLE_WITH_OKRS = "people_with_okrs", "Share of people with OKRs"
    TEAMS_WITH_OKRS = "teams_with_okrs", "Share of teams with OKRs"
    PIVOTS = "pivots", "Pivots recorded"
    LEARNINGS = "learnings", "Learnings recorded (pivots and retrospectives)"
    CALIBRATION = "calibration", "Confidence calibrated (closed cycle)"


SHARE_METRICS = frozenset(
    {
        Metric.CHECKIN_RATE,
        Metric.OUTCOME_SHARE,
        Metric.ALIGNED_SHARE,
        Metric.PEOPLE_WITH_OKRS,
        Metric.TEAMS_WITH_OKRS,
    }
)


class PhaseCriterion(models.Model):
    """A measurable success criterion: `metric` at least `threshold` (a share 0-1 for
    share metrics, a count for pivots and learnings, ignored for calibration)."""

    phase = models.ForeignKey(RolloutPhase, on_delete=models.CASCADE, related_name="criteria")
    metric = models.CharField(max_length=20, choices=Metric.choices)
    threshold = models.FloatField()
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["phase", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["phase", "metric"], name="phase_metric_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_metric_display()} ≥ {self.threshold:g}"
