"""Imports: an uploaded file, its validation report, its preview and its progress.

The file's bytes are kept in the database (capped), not on a disk, so any worker on any
machine can run the import. Nothing of the file reaches the goals tables until the
whole of it validated and someone confirmed; the import then writes in one transaction.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from headway.accounts.models import Organisation


class ImportFormat(models.TextChoices):
    CSV = "csv", "CSV (Headway template)"
    XLSX = "xlsx", "Excel (Headway template)"
    VIVA = "viva", "Viva Goals export (CSV or Excel)"
    JSON = "json", "Headway organisation export (JSON)"


class ImportStatus(models.TextChoices):
    VALIDATING = "validating", "Validating"
    INVALID = "invalid", "Has errors"
    READY = "ready", "Ready to import"
    IMPORTING = "importing", "Importing"
    DONE = "done", "Imported"
    FAILED = "failed", "Failed"


class ImportJob(models.Model):
    """One upload and what became of it.

    `errors` lists every problem found ([{"row", "column", "message"}], rows counted as
    in the file, 1 being the header); `preview` what would be created (counts and the
    first rows); `mapping` the columns chosen for a Viva Goals file (source header →
    Headway field); `progress` / `total` rows while validating or importing.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="import_jobs"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    format = models.CharField(max_length=8, choices=ImportFormat.choices)
    filename = models.CharField(max_length=255)
    content = models.BinaryField()
    size = models.PositiveIntegerField()
    status = models.CharField(
        max_length=12, choices=ImportStatus.choices, default=ImportStatus.VALIDATING
    )
    mapping = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    preview = models.JSONField(default=dict, blank=True)
    progress = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    created = models.JSONField(default=dict, blank=True, help_text="What the import wrote.")
    finished_at = models.DateTimeField(null=True, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.status})"
