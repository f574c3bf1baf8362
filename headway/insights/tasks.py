"""Flag analysis outside the request: the whole organisation at once."""

from __future__ import annotations

from django_tasks import task

from headway.accounts.models import Organisation

from .services import flags_refresh


@task()
def flags_refresh_task(organisation_id: int) -> str:
    """Refresh every flag of one organisation; returns the summary line."""
    organisation = Organisation.objects.get(pk=organisation_id)
    return str(flags_refresh(organisation))


@task()
def flags_refresh_all_task() -> int:
    """Queue one flag refresh per organisation (the hourly schedule); returns how many."""
    ids = list(Organisation.objects.values_list("pk", flat=True))
    for organisation_id in ids:
        flags_refresh_task.enqueue(organisation_id)
    return len(ids)
