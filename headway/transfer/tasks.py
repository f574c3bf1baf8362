"""Imports outside the request: checking an uploaded file, and writing it once
confirmed. Each task reads its job from the database, so any worker runs it."""

from __future__ import annotations

from django_tasks import task

from .services import import_validate, import_write


@task()
def import_validate_task(job_id: int) -> str:
    """Check an uploaded file; returns the job's status afterwards."""
    job = import_validate(job_id)
    return job.status if job is not None else "gone"


@task()
def import_write_task(job_id: int) -> str:
    """Write a confirmed import in one transaction; returns the job's status afterwards."""
    job = import_write(job_id)
    return job.status if job is not None else "gone"
