"""Reading imports: one job, an organisation's recent jobs, and the names the
template's example rows borrow from the organisation."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from headway.accounts.models import Membership
from headway.accounts.services import require_admin
from headway.goals.models import Cycle, CycleStatus, Theme
from headway.teams.models import Team

from .models import ImportJob
from .template import Example

RECENT = 20


def import_jobs_list(member: Membership) -> QuerySet[ImportJob]:
    """The organisation's latest imports, without their files (owners and admins)."""
    require_admin(member, "see imports")
    return (
        ImportJob.objects.filter(organisation_id=member.organisation_id)
        .select_related("created_by")
        .defer("content", "errors", "preview")[:RECENT]
    )


def import_job_get(member: Membership, job_id: object, with_content: bool = False) -> ImportJob:
    """One import of the member's organisation (owners and admins); 404 for any other,
    so ids of other organisations' imports tell nothing."""
    require_admin(member, "see imports")
    try:
        pk = int(str(job_id))
    except ValueError:
        raise Http404("No such import.") from None
    jobs = ImportJob.objects.select_related("created_by").filter(
        organisation_id=member.organisation_id, pk=pk
    )
    job = (jobs if with_content else jobs.defer("content")).first()
    if job is None:
        raise Http404("No such import.")
    return job


def organisation_today(member: Membership) -> dt.date:
    zone = zoneinfo.ZoneInfo(member.organisation.timezone)
    return timezone.now().astimezone(zone).date()


def template_example(member: Membership) -> Example:
    """Example rows that import as they are into this organisation: its running (or
    planned) cycle, a team below the root, the member's e-mail, a theme."""
    today = organisation_today(member)
    cycles = Cycle.objects.filter(organisation_id=member.organisation_id).exclude(
        status=CycleStatus.CLOSED
    )
    cycle = (
        cycles.filter(start_date__lte=today, end_date__gte=today).order_by("-start_date").first()
        or cycles.order_by("start_date").first()
    )
    teams = Team.objects.filter(organisation_id=member.organisation_id).with_tree_fields()
    team = min(teams, key=lambda t: (t.tree_depth != 1, t.tree_depth, t.name), default=None)
    theme = (
        Theme.objects.filter(
            organisation_id=member.organisation_id, team__isnull=True, archived_at__isnull=True
        )
        .values_list("title", flat=True)
        .first()
    )
    example = Example(owner=member.user.email, theme=theme or "")
    if team is not None:
        path = [*(t.name for t in team.ancestors()), team.name][-2:]
        example = _replace(example, team=" / ".join(path))
    if cycle is not None:
        example = _replace(example, cycle=cycle.name, checkin_days=_days(cycle, today))
    return example


def _days(cycle: Cycle, today: dt.date) -> tuple[dt.date, ...]:
    """Two days of the cycle that are not in the future (none before it starts)."""
    if cycle.start_date > today:
        return ()
    days = {min(cycle.start_date + dt.timedelta(days=n), today, cycle.end_date) for n in (7, 21)}
    return tuple(sorted(days))


def _replace(example: Example, **changes: object) -> Example:
    from dataclasses import replace

    return replace(example, **changes)  # type: ignore[arg-type]
