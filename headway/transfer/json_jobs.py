"""An organisation JSON export as an import job: the two steps `transfer.services`
hands a job of format "json" to (as `json_import.validate_job` and `write_job`).

validate_job  read the document and check the organisation is empty: the job ends
              invalid (every problem, with its JSON path as the column) or ready (the
              counts to be written, as the preview)
write_job     read and check again, then write it all in one transaction with the
              job's new status: done (with what was written), invalid or failed
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from headway.accounts.models import Membership

from .json_import import ImportRefused, parse, read, write
from .models import ImportJob, ImportStatus
from .rows import Problem

logger = logging.getLogger(__name__)
JOB_FIELDS = ["status", "errors", "preview", "progress", "total", "message"]


def problems_plain(problems: list[Problem]) -> list[dict[str, Any]]:
    """Problems as the job stores them, in the document's order."""
    return [
        {"row": p.row, "column": p.column, "message": p.message, "sheet": p.sheet} for p in problems
    ]


def _source(content: bytes) -> str:
    document, _ = parse(content)
    if not isinstance(document, dict):
        return "Headway organisation export"
    name = (document.get("organisation") or {}).get("name", "")
    made = str(document.get("exported_at") or "")[:10]
    return f"Headway organisation export of {name or 'an organisation'}, made {made}".strip(", ")


def _invalid(job: ImportJob, problems: list[Problem]) -> None:
    job.status = ImportStatus.INVALID
    job.errors = problems_plain(problems)
    job.message = (
        f"{len(problems):,} problem{'s' if len(problems) != 1 else ''}: nothing was imported. "
        "Fix the file (or import into a new, empty organisation) and upload it again."
    )


def validate_job(job: ImportJob) -> ImportJob:
    """Check a validating job's document against its organisation."""
    content = bytes(job.content)
    plan, problems = read(content)
    if not problems:
        from .json_import import emptiness_problems

        problems = emptiness_problems(job.organisation)
    counts = plan.counts()
    job.progress = job.total = sum(counts.values())
    if problems:
        _invalid(job, problems)
    else:
        job.status = ImportStatus.READY
        job.errors = []
        job.preview = {"source": _source(content), "counts": counts, "warnings": []}
        job.message = f"{job.total:,} rows checked: ready to import."
    job.save(update_fields=JOB_FIELDS)
    return job


def _member(job: ImportJob) -> Membership:
    member = (
        Membership.objects.select_related("organisation", "user")
        .filter(organisation_id=job.organisation_id, user_id=job.created_by_id or 0)
        .first()
    )
    if member is None:
        raise PermissionDenied("The person who uploaded the file is no longer a member here.")
    return member


def write_job(job: ImportJob) -> ImportJob:
    """Write an importing job's document, or record why it could not be written."""
    try:
        with transaction.atomic():
            created = write(job.organisation, bytes(job.content), _member(job))
            job.status = ImportStatus.DONE
            job.created = created
            job.progress = job.total
            job.finished_at = timezone.now()
            job.content = b""  # written: the rows are in Headway now
            job.message = _done_message(created)
            job.save(update_fields=[*JOB_FIELDS, "created", "finished_at", "content"])
    except ImportRefused as refused:
        _invalid(job, refused.problems)
        job.save(update_fields=JOB_FIELDS)
    except PermissionDenied as error:
        _failed(job, str(error))
    except Exception as error:
        logger.exception("Writing JSON import %s failed; nothing was written.", job.pk)
        _failed(
            job,
            f"Writing failed ({type(error).__name__}: {str(error)[:300]}), so nothing was "
            "imported: the import is all or nothing. Try again; if it fails again, report "
            "this message.",
        )
    return job


def _failed(job: ImportJob, message: str) -> None:
    job.status = ImportStatus.FAILED
    job.message = message
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "message", "finished_at"])


def _done_message(created: dict[str, int]) -> str:
    return (
        f"Imported the organisation: {created.get('people', 0):,} people "
        f"({created.get('accounts_created', 0):,} new accounts, who set their password with "
        f"“Forgot your password?”), {created.get('teams', 0):,} teams, "
        f"{created.get('objectives', 0):,} objectives, {created.get('key_results', 0):,} key "
        f"results and {created.get('checkins', 0):,} check-ins."
    )
