"""Cycles, themes, objectives, key results, initiatives, alignment links, check-ins
and the activity feed: what every later analysis reads."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

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
    closed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the cycle was closed and its scores locked."
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


class ObjectiveStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed"


class Visibility(models.TextChoices):
    PUBLIC = "public", "Everyone in the organisation"
    PRIVATE = "private", "Its team and admins"


class Objective(models.Model):
    """A qualitative goal of a team or a person for one cycle.

    `progress` is stored and kept current by the check-in service in the same
    transaction as the change that moved it; `headway recompute --verify` proves it
    equals what the check-ins say. `version` guards edits against lost updates.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="objectives"
    )
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="objectives")
    owner_team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="objectives"
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="objectives",
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=ObjectiveStatus.choices, default=ObjectiveStatus.ACTIVE
    )
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    order = models.PositiveIntegerField(default=0)
    progress = models.FloatField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    carried_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="carried_to",
        help_text="The objective of an earlier cycle this one continues.",
    )
    # Cycle close: a score overriding the computed one needs a reason; a short retrospective.
    score_override = models.FloatField(null=True, blank=True)
    score_reason = models.TextField(blank=True)
    retro_went_well = models.TextField(blank=True)
    retro_learned = models.TextField(blank=True)
    retro_next = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(owner_team__isnull=False, owner_user__isnull=True)
                    | models.Q(owner_team__isnull=True, owner_user__isnull=False)
                ),
                name="objective_has_one_owner",
            )
        ]
        indexes = [
            models.Index(fields=["organisation", "cycle", "owner_team"]),
            models.Index(fields=["organisation", "owner_user"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def owner_name(self) -> str:
        return str(self.owner_team or self.owner_user)


class KeyResultStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    DROPPED = "dropped", "Dropped"


class KeyResult(models.Model):
    """A measurable outcome of an objective; its value moves only through check-ins.

    For `maintain`, `target_value` is the threshold and `direction` says whether to
    stay above or below it. `progress` is clamped to 0..1; `progress_raw` keeps
    over-achievement (see goals.scoring).
    """

    class Kind(models.TextChoices):
        INCREASE = "increase", "Increase to a target"
        DECREASE = "decrease", "Decrease to a target"
        MILESTONE = "milestone", "Milestone (done or not)"
        MAINTAIN = "maintain", "Maintain above or below a threshold"

    class Format(models.TextChoices):
        NUMBER = "number", "Number"
        PERCENT = "percent", "Percentage"
        CURRENCY = "currency", "Currency"

    class Direction(models.TextChoices):
        ABOVE = "above", "Stay at or above"
        BELOW = "below", "Stay at or below"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="key_results"
    )
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="key_results")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.INCREASE)
    format = models.CharField(max_length=10, choices=Format.choices, default=Format.NUMBER)
    unit = models.CharField(max_length=20, blank=True, help_text="e.g. %, EUR, tickets, ms")
    start_value = models.FloatField(null=True, blank=True)
    target_value = models.FloatField(null=True, blank=True)
    direction = models.CharField(max_length=5, choices=Direction.choices, default=Direction.ABOVE)
    weight = models.FloatField(default=1.0)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="key_results",
    )
    status = models.CharField(
        max_length=10, choices=KeyResultStatus.choices, default=KeyResultStatus.ACTIVE
    )
    order = models.PositiveIntegerField(default=0)
    current_value = models.FloatField(null=True, blank=True)
    progress = models.FloatField(null=True, blank=True)
    progress_raw = models.FloatField(null=True, blank=True)
    confidence = models.PositiveSmallIntegerField(null=True, blank=True)
    last_checkin_at = models.DateTimeField(null=True, blank=True)
    plan = models.JSONField(
        default=list,
        blank=True,
        help_text='Planned values over the cycle, [["2026-05-15", 40], ...]; empty for a linear pace.',
    )
    score_override = models.FloatField(null=True, blank=True)
    score_reason = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weight__gt=0), name="key_result_weight_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(score_override__isnull=True)
                | models.Q(score_override__gte=0, score_override__lte=1),
                name="key_result_score_in_unit_range",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "owner", "status"])]

    def __str__(self) -> str:
        return self.title


class Initiative(models.Model):
    """Work done to move key results (an output). Never counts in progress."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="initiatives"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PLANNED)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="initiatives",
    )
    key_results = models.ManyToManyField(KeyResult, related_name="initiatives")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title


class LinkKind(models.TextChoices):
    CONTRIBUTES = "contributes", "Contributes (counts in the parent's progress)"
    SUPPORTS = "supports", "Supports (shown, not counted)"


class AlignmentLink(models.Model):
    """A child objective aligned to a parent: a theme, an objective or a key result.

    A `contributes` link counts the child's progress in the parent's with `weight`;
    for a key-result parent it counts in that key result's objective (the key result
    itself stays measured by its own check-ins). `supports` links are shown only.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="alignment_links"
    )
    child = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="parent_links")
    parent_theme = models.ForeignKey(
        Theme, null=True, blank=True, on_delete=models.CASCADE, related_name="child_links"
    )
    parent_objective = models.ForeignKey(
        Objective, null=True, blank=True, on_delete=models.CASCADE, related_name="child_links"
    )
    parent_key_result = models.ForeignKey(
        KeyResult, null=True, blank=True, on_delete=models.CASCADE, related_name="child_links"
    )
    kind = models.CharField(max_length=12, choices=LinkKind.choices, default=LinkKind.CONTRIBUTES)
    weight = models.FloatField(default=1.0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        parent_theme__isnull=False,
                        parent_objective__isnull=True,
                        parent_key_result__isnull=True,
                    )
                    | models.Q(
                        parent_theme__isnull=True,
                        parent_objective__isnull=False,
                        parent_key_result__isnull=True,
                    )
                    | models.Q(
                        parent_theme__isnull=True,
                        parent_objective__isnull=True,
                        parent_key_result__isnull=False,
                    )
                ),
                name="alignment_link_has_one_parent",
            ),
            models.CheckConstraint(
                condition=models.Q(weight__gt=0), name="alignment_link_weight_positive"
            ),
            models.UniqueConstraint(fields=["child", "parent_theme"], name="one_link_per_theme"),
            models.UniqueConstraint(
                fields=["child", "parent_objective"], name="one_link_per_objective"
            ),
            models.UniqueConstraint(
                fields=["child", "parent_key_result"], name="one_link_per_key_result"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child} {self.kind} {self.parent}"

    @property
    def parent(self) -> Theme | Objective | KeyResult:
        return self.parent_theme or self.parent_objective or self.parent_key_result  # type: ignore[return-value]


class CheckIn(models.Model):
    """A key result's value at a moment, with the author's confidence. Append-only:
    a correction is a new check-in, so the history is never rewritten."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="checkins"
    )
    key_result = models.ForeignKey(KeyResult, on_delete=models.CASCADE, related_name="checkins")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="checkins"
    )
    value = models.FloatField()
    confidence = models.PositiveSmallIntegerField()
    note = models.TextField(blank=True)
    blockers = models.TextField(blank=True)
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "idempotency_key"],
                name="checkin_idempotency_key_unique",
                condition=models.Q(idempotency_key__isnull=False),
            )
        ]
        indexes = [models.Index(fields=["key_result", "created_at"])]

    def __str__(self) -> str:
        return f"{self.key_result}: {self.value} at {self.created_at:%Y-%m-%d}"


class ActivityEvent(models.Model):
    """Who did what to which object, when, and which fields changed; a feed on
    objectives and teams."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="activity"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    verb = models.CharField(max_length=40)
    target_type = models.CharField(max_length=30)
    target_id = models.BigIntegerField()
    target_label = models.CharField(max_length=200)
    objective = models.ForeignKey(
        Objective, null=True, blank=True, on_delete=models.CASCADE, related_name="activity"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.CASCADE, related_name="activity"
    )
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["objective", "-created_at"]),
            models.Index(fields=["team", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.actor} {self.verb} {self.target_label}"


class Pivot(models.Model):
    """A course correction on a key result, and what the team learned from it.

    Recorded from a flag or from the key result itself: what we tried, what we
    learned, what we try next; optionally with initiatives changed and the target
    moved (a `TargetChange` keeps the old target). `value_before`/`progress_before`
    freeze the measure at that moment, so the log can show what happened after.
    `team` is the objective's owner team when recorded, for the team's learning log.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="pivots")
    key_result = models.ForeignKey(KeyResult, on_delete=models.CASCADE, related_name="pivots")
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="pivots")
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="pivots"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="pivots"
    )
    tried = models.TextField(help_text="What we tried.")
    learned = models.TextField(help_text="What we learned.")
    next_step = models.TextField(help_text="What we will try next.")
    initiative_changes = models.JSONField(
        default=list,
        blank=True,
        help_text='Initiatives started or stopped with this pivot: [{"id", "title", "change"}].',
    )
    value_before = models.FloatField(null=True, blank=True)
    progress_before = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["organisation", "-created_at"]),
            models.Index(fields=["team", "-created_at"]),
            models.Index(fields=["key_result", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"Pivot on {self.key_result}: {self.next_step[:60]}"


class TargetChange(models.Model):
    """A key result's target moved during its cycle, with the reason; the history of
    targets is these rows, oldest first (the first `old_target` is the original)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="target_changes"
    )
    key_result = models.ForeignKey(
        KeyResult, on_delete=models.CASCADE, related_name="target_changes"
    )
    pivot = models.ForeignKey(
        Pivot, null=True, blank=True, on_delete=models.SET_NULL, related_name="target_changes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    old_target = models.FloatField(null=True, blank=True)
    new_target = models.FloatField()
    reason = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["key_result", "created_at"])]

    def __str__(self) -> str:
        return f"{self.key_result}: target {self.old_target} -> {self.new_target}"
