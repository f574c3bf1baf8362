"""Writes to cycles and strategic themes (objectives and check-ins come later)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from headway.accounts.models import Membership
from headway.accounts.services import require_admin
from headway.lib.errors import Conflict
from headway.teams.models import Team

from ..models import Cycle, CycleKind, CycleStatus, Theme


def _sits_inside(parent: Cycle, cycle: Cycle) -> bool:
    """Whether `parent` is `cycle` or one of its descendants (a move that makes a loop).

    Equal dates let two cycles enclose each other, so the date check alone allows loops.
    """
    seen: set[int] = set()
    ancestor: Cycle | None = parent
    while ancestor is not None and ancestor.pk not in seen:
        if ancestor.pk == cycle.pk:
            return True
        seen.add(ancestor.pk)
        ancestor = ancestor.parent
    return False


def _check_cycle(member: Membership, cycle: Cycle) -> None:
    errors: dict[str, str] = {}
    cycle.name = (cycle.name or "").strip()
    if not cycle.name:
        errors["name"] = "Give the cycle a name, e.g. 2027 Q1."
    if cycle.kind not in CycleKind.values:
        errors["kind"] = f"Kind must be one of {', '.join(CycleKind.values)}."
    if cycle.status not in CycleStatus.values:
        errors["status"] = f"Status must be one of {', '.join(CycleStatus.values)}."
    if cycle.end_date <= cycle.start_date:
        errors["end_date"] = "The cycle must end after it starts."
    parent = cycle.parent
    if parent is not None:
        if parent.organisation_id != member.organisation_id:
            errors["parent"] = "Choose a cycle of this organisation."
        elif cycle.pk and _sits_inside(parent, cycle):
            errors["parent"] = "A cycle cannot sit inside itself or inside one of its own cycles."
        elif not parent.encloses(cycle):
            errors["parent"] = (
                f"{parent} runs {parent.start_date} to {parent.end_date}; "
                "a cycle inside it must fit within those dates."
            )
    if errors:
        raise ValidationError(errors)
    clash = Cycle.objects.filter(organisation_id=member.organisation_id, name=cycle.name)
    if cycle.pk:
        clash = clash.exclude(pk=cycle.pk)
    if clash.exists():
        raise Conflict(f"A cycle named {cycle.name!r} already exists.", field="name")


def cycle_create(
    *,
    member: Membership,
    name: str,
    start_date: dt.date,
    end_date: dt.date,
    kind: str = CycleKind.QUARTER,
    parent: Cycle | None = None,
    status: str = CycleStatus.PLANNING,
) -> Cycle:
    """Create a cycle; a quarter names its year as parent and fits inside it."""
    require_admin(member, "create cycles")
    cycle = Cycle(
        organisation=member.organisation,
        name=name,
        start_date=start_date,
        end_date=end_date,
        kind=kind,
        parent=parent,
        status=status,
    )
    _check_cycle(member, cycle)
    cycle.save()
    return cycle


def cycle_update(*, member: Membership, cycle: Cycle, **changes: object) -> Cycle:
    """Change a cycle's name, dates, parent or status. Children must still fit inside."""
    require_admin(member, "change cycles")
    allowed = {"name", "start_date", "end_date", "kind", "parent", "status"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({field: "This field cannot be changed." for field in unknown})
    for field, value in changes.items():
        setattr(cycle, field, value)
    _check_cycle(member, cycle)
    # A status set here (the demo, PATCH /cycles) keeps closed_at true; the close review
    # with its objectives and scores is goals.services.cycle_close.
    if cycle.status != CycleStatus.CLOSED:
        cycle.closed_at = None
    elif cycle.closed_at is None:
        cycle.closed_at = timezone.now()
    with transaction.atomic():
        outside = [child.name for child in cycle.children.all() if not cycle.encloses(child)]
        if outside:
            raise ValidationError(
                {"end_date": f"{', '.join(outside)} would no longer fit inside {cycle}."}
            )
        cycle.save()
    return cycle


def cycle_delete(*, member: Membership, cycle: Cycle) -> None:
    require_admin(member, "delete cycles")
    if cycle.children.exists():
        raise Conflict(f"{cycle} contains other cycles: delete those first.")
    # Found by the authorization matrix (docs/reliability.md): objectives protect
    # their cycle, and the ProtectedError was a 500 on the web and the API.
    if cycle.objectives.exists():
        raise Conflict(f"{cycle} still has objectives: move or delete them first.")
    cycle.delete()


def year_with_quarters(*, member: Membership, year: int) -> Cycle:
    """Create a calendar year and its four quarters in one go."""
    with transaction.atomic():
        annual = cycle_create(
            member=member,
            name=str(year),
            kind=CycleKind.ANNUAL,
            start_date=dt.date(year, 1, 1),
            end_date=dt.date(year, 12, 31),
        )
        for quarter in range(4):
            start = dt.date(year, quarter * 3 + 1, 1)
            end = (
                dt.date(year, quarter * 3 + 4, 1) - dt.timedelta(days=1)
                if quarter < 3
                else dt.date(year, 12, 31)
            )
            cycle_create(
                member=member,
                name=f"{year} Q{quarter + 1}",
                kind=CycleKind.QUARTER,
                start_date=start,
                end_date=end,
                parent=annual,
            )
    return annual


def _check_theme_owner(member: Membership, team: Team | None) -> None:
    if team is None:
        return
    if team.organisation_id != member.organisation_id:
        raise ValidationError({"team": "Choose a team of this organisation."})
    if not team.is_bubble_root:
        raise ValidationError(
            {"team": f"{team} is not a bubble root; mark it as one to give it its own themes."}
        )


def theme_create(
    *,
    member: Membership,
    title: str,
    description: str = "",
    team: Team | None = None,
    order: int | None = None,
) -> Theme:
    """Add a strategic theme to the organisation, or to a bubble root team."""
    require_admin(member, "change the strategy")
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": "Give the theme a title."})
    _check_theme_owner(member, team)
    if order is None:
        order = Theme.objects.filter(organisation_id=member.organisation_id, team=team).count()
    return Theme.objects.create(
        organisation=member.organisation,
        team=team,
        title=title,
        description=description.strip(),
        order=order,
    )


def theme_update(
    *,
    member: Membership,
    theme: Theme,
    title: str | None = None,
    description: str | None = None,
    order: int | None = None,
    archived: bool | None = None,
) -> Theme:
    require_admin(member, "change the strategy")
    if title is not None:
        if not title.strip():
            raise ValidationError({"title": "Give the theme a title."})
        theme.title = title.strip()
    if description is not None:
        theme.description = description.strip()
    if order is not None:
        theme.order = order
    if archived is not None:
        theme.archived_at = (theme.archived_at or timezone.now()) if archived else None
    theme.save()
    return theme


def theme_delete(*, member: Membership, theme: Theme) -> None:
    require_admin(member, "change the strategy")
    theme.delete()
