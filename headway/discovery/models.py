"""Discovery before rollout: why OKRs, who champions them, what each leader needs;
and the anonymous purpose survey with its answers.

An answer carries its text, the team the respondent chose (if the survey offers
teams) and the date only: never a user, an address, a browser or a time of day.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from headway.accounts.models import Organisation
from headway.teams.models import Team


class Seniority(models.TextChoices):
    EXECUTIVE = "executive", "Executive (board, C-level)"
    SENIOR = "senior", "Senior leader (head of a department)"
    MIDDLE = "middle", "Middle manager"
    NONE = "none", "No champion yet"


class DiscoveryRecord(models.Model):
    """What discovery found for the organisation (`team` empty) or one team.

    `why_followups` holds the "dig deeper" questions and their answers in order
    ([{"question", "answer"}]); `real_reason` is the reason the digging arrived at.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="discovery_records"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.CASCADE, related_name="discovery_records"
    )
    why_stated = models.TextField(blank=True, help_text="Why OKRs, as first stated.")
    why_followups = models.JSONField(default=list, blank=True)
    real_reason = models.TextField(blank=True)
    champion = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The senior person who champions OKRs, if they use Headway.",
    )
    champion_name = models.CharField(max_length=150, blank=True)
    champion_seniority = models.CharField(
        max_length=10, choices=Seniority.choices, blank=True, default=""
    )
    champion_hours_per_month = models.PositiveSmallIntegerField(null=True, blank=True)
    pilot_teams = models.ManyToManyField(Team, blank=True, related_name="+")
    time_expectation = models.TextField(
        blank=True, help_text="How long the rollout is expected to take, as agreed."
    )
    time_expectation_agreed = models.BooleanField(default=False)
    risks = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"],
                condition=models.Q(team__isnull=True),
                name="one_discovery_record_per_organisation",
            ),
            models.UniqueConstraint(fields=["team"], name="one_discovery_record_per_team"),
        ]

    def __str__(self) -> str:
        return f"Discovery of {self.team or self.organisation}"


class LeaderProblem(models.TextChoices):
    STRATEGY = "strategy_execution", "Strategy execution"
    ALIGNMENT = "alignment", "Alignment"
    COMMUNICATION = "communication", "Communication"
    FOCUS = "focus", "Focus"
    ENGAGEMENT = "engagement", "Engagement"
    OTHER = "other", "Other"


class DiscoveryLeader(models.Model):
    """A leader involved, and the problem they need OKRs to solve."""

    record = models.ForeignKey(DiscoveryRecord, on_delete=models.CASCADE, related_name="leaders")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(max_length=150)
    role = models.CharField(max_length=120, blank=True)
    problem = models.CharField(max_length=20, choices=LeaderProblem.choices)
    problem_detail = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return f"{self.name}: {self.get_problem_display()}"


DEFAULT_QUESTION = "What is the purpose of your work?"


class PurposeSurvey(models.Model):
    """An anonymous survey behind a public link with an unguessable token.

    It takes answers from `opens_on` to `closes_on` (inclusive, in the organisation's
    time zone) unless closed early (`closed_at`). The token is meant to be shared, so
    it is stored as it is; regenerating it retires the old link.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="purpose_surveys"
    )
    title = models.CharField(max_length=160)
    question = models.CharField(max_length=300, default=DEFAULT_QUESTION)
    teams = models.ManyToManyField(
        Team, blank=True, related_name="+", help_text="Teams respondents may choose from."
    )
    opens_on = models.DateField()
    closes_on = models.DateField()
    closed_at = models.DateTimeField(null=True, blank=True)
    token = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    analysis_requested_at = models.DateTimeField(
        null=True, blank=True, help_text="When an analysis was last asked for (queued)."
    )
    analysed_at = models.DateTimeField(null=True, blank=True)
    analysis = models.JSONField(
        null=True, blank=True, help_text="The latest analysis; see docs/purpose-survey.md."
    )

    class Meta:
        ordering = ["-opens_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")),
                name="survey_closes_after_it_opens",
            )
        ]

    def __str__(self) -> str:
        return self.title


class PurposeAnswer(models.Model):
    """One anonymous answer: its text, the team chosen (optional) and the date only."""

    survey = models.ForeignKey(PurposeSurvey, on_delete=models.CASCADE, related_name="answers")
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()
    answered_on = models.DateField()

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["survey", "team"])]

    def __str__(self) -> str:
        return self.text[:60]
