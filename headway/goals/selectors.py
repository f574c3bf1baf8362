"""Reads of cycles and themes, scoped to the member's organisation."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.http import Http404

from headway.accounts.models import Membership

from .models import Cycle, Theme


def cycles_list(member: Membership) -> QuerySet[Cycle]:
    return Cycle.objects.filter(organisation_id=member.organisation_id).select_related("parent")


def cycle_get(member: Membership, cycle_id: int) -> Cycle:
    cycle = cycles_list(member).filter(pk=cycle_id).first()
    if cycle is None:
        raise Http404("No such cycle.")
    return cycle


def cycle_current(member: Membership, today: dt.date | None = None) -> Cycle | None:
    """The shortest cycle running today: the current quarter rather than the year."""
    today = today or dt.date.today()
    running = cycles_list(member).filter(start_date__lte=today, end_date__gte=today)
    return min(running, key=lambda c: c.end_date - c.start_date, default=None)


def themes_list(member: Membership, include_archived: bool = False) -> QuerySet[Theme]:
    themes = Theme.objects.filter(organisation_id=member.organisation_id).select_related("team")
    if not include_archived:
        themes = themes.filter(archived_at=None)
    return themes


def theme_get(member: Membership, theme_id: int) -> Theme:
    theme = themes_list(member, include_archived=True).filter(pk=theme_id).first()
    if theme is None:
        raise Http404("No such theme.")
    return theme
