"""The mapping step of a Viva Goals import: which column of the file holds which
Headway field, when detection alone cannot tell.

The job page shows `viva_mapping_context(job)` (every column of the file with the
field it was recognised as, the required fields still missing); an admin's choice is
saved by `viva_mapping_set`, which stores it in `ImportJob.mapping` (source header →
field) and checks the file again with it.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from headway.accounts.models import Membership
from headway.accounts.services import require_admin
from headway.lib.errors import Conflict

from .models import ImportFormat, ImportJob, ImportStatus
from .selectors import import_job_get
from .viva import viva_headers
from .viva_columns import FIELDS, MISSING_LABELS, MULTI, detect_viva_columns, field_of

# What the mapping step offers, in the order a person looks for them.
CHOICES: list[tuple[str, str]] = [("ignore", "— not imported —")] + [
    (name, label) for name, label in FIELDS.items() if name != "ignore"
]


def viva_mapping_context(job: ImportJob) -> dict[str, Any] | None:
    """What the job page's mapping step shows, or None for a job that is not a Viva
    Goals import, or no longer open to changes."""
    if job.format != ImportFormat.VIVA or job.status in (ImportStatus.IMPORTING, ImportStatus.DONE):
        return None
    headers = viva_headers(bytes(job.content), job.filename, job.mapping)
    if not headers:
        return None
    detection = detect_viva_columns(headers, job.mapping)
    columns = [
        {
            "index": i,
            "header": header,
            "field": detection.columns.get(i, "ignore"),
            "known": bool(field_of(header)) or header in job.mapping,
        }
        for i, header in enumerate(headers)
        if header
    ]
    return {
        "job": job,
        "columns": columns,
        "choices": CHOICES,
        "missing": [MISSING_LABELS[name] for name in detection.missing],
        "needed": bool(detection.missing),
    }


def viva_mapping_from_form(job: ImportJob, data: Any) -> dict[str, str]:
    """The mapping a submitted form says: `column-<index>` → field, for each header."""
    headers = viva_headers(bytes(job.content), job.filename, job.mapping)
    return {
        header: str(data.get(f"column-{i}", "ignore") or "ignore")
        for i, header in enumerate(headers)
        if header
    }


def viva_mapping_set(*, member: Membership, job_id: object, mapping: dict[str, str]) -> ImportJob:
    """Store the columns chosen for a Viva Goals import and check its file again
    (owners and admins). Each field may be chosen for one column (tags for several);
    what a person chose the same as detection is not stored."""
    require_admin(member, "import files")
    job = import_job_get(member, job_id, with_content=True)
    if job.format != ImportFormat.VIVA:
        raise ValidationError({"mapping": "Only a Viva Goals import has columns to choose."})
    if job.status in (ImportStatus.IMPORTING, ImportStatus.DONE):
        raise Conflict(
            f"This import is {job.get_status_display().lower()}: its columns can no longer change.",
            field="status",
        )
    job.mapping = _clean(mapping, viva_headers(bytes(job.content), job.filename, mapping))
    job.status = ImportStatus.VALIDATING
    job.errors, job.preview, job.message, job.progress = [], {}, "", 0
    with transaction.atomic():
        job.save(update_fields=["mapping", "status", "errors", "preview", "message", "progress"])
        from .tasks import import_validate_task

        transaction.on_commit(partial(import_validate_task.enqueue, job.pk))
    return job


def _clean(mapping: dict[str, str], headers: list[str]) -> dict[str, str]:
    unknown = sorted(set(mapping) - set(headers))
    if unknown:
        raise ValidationError({"mapping": f"The file has no column {', '.join(unknown)}."})
    wrong = sorted(field for field in mapping.values() if field not in FIELDS)
    if wrong:
        raise ValidationError({"mapping": f"Headway has no field {', '.join(wrong)}."})
    chosen: dict[str, str] = {}
    for header, field in mapping.items():
        if field in chosen and field not in MULTI and field != "ignore":
            raise ValidationError(
                {
                    "mapping": f"Both '{chosen[field]}' and '{header}' are chosen as"
                    f" {FIELDS[field].split(' (')[0].lower()}: choose one of them."
                }
            )
        chosen.setdefault(field, header)
    missing = detect_viva_columns(headers, mapping).missing
    if missing:
        raise ValidationError(
            {
                "mapping": "Choose a column for "
                + " and ".join(MISSING_LABELS[m] for m in missing)
                + "."
            }
        )
    return {h: f for h, f in mapping.items() if f != (field_of(h) or "ignore")}
