"""Schedules: which periodic job ran for which time slot."""

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
