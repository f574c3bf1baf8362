"""Reads of cycles and themes, scoped to the member's organisation."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from headway.accounts.models import Membership
from headway.teams.models import TeamMembership

from .models import Cycle, KeyResult, Objective, Theme, Visibility


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


# --- objectives and key results -------------------------------------------------------


def _my_team_ids(member: Membership) -> list[int]:
    return list(
        TeamMembership.objects.filter(
            organisation_id=member.organisation_id, user_id=member.user_id
        ).values_list("team_id", flat=True)
    )


def objectives_visible(member: Membership) -> QuerySet[Objective]:
    """Objectives this member may see: public ones, and private ones of their teams,
    their own, or all of them for admins."""
    objectives = Objective.objects.filter(organisation_id=member.organisation_id)
    if member.is_admin:
        return objectives
    return objectives.filter(
        Q(visibility=Visibility.PUBLIC)
        | Q(owner_user_id=member.user_id)
        | Q(owner_team_id__in=_my_team_ids(member))
    )


def can_edit_objective(member: Membership, objective: Objective) -> bool:
    """Admins edit everything; members edit their own and their teams' objectives."""
    if not member.can_write:
        return False
    if member.is_admin or objective.owner_user_id == member.user_id:
        return True
    return objective.owner_team_id is not None and objective.owner_team_id in _my_team_ids(member)


def objective_get_for_member(
    member: Membership, objective_id: int, write: bool = False
) -> Objective:
    """An objective the member may see (404 otherwise); with write=True, may edit (403)."""
    objective = (
        objectives_visible(member)
        .select_related("cycle", "owner_team", "owner_user")
        .filter(pk=objective_id)
        .first()
    )
    if objective is None:
        raise Http404("No such objective.")
    if write and not can_edit_objective(member, objective):
        raise PermissionDenied(
            "You can edit only your own objectives and those of your teams; ask a team lead or an admin."
        )
    return objective


def key_result_get_for_member(
    member: Membership, key_result_id: int, write: bool = False
) -> KeyResult:
    """A key result whose objective the member may see (404); with write=True, may edit
    (403). The key result's own owner may always check in on it."""
    key_result = (
        KeyResult.objects.select_related("objective", "objective__cycle", "organisation")
        .filter(organisation_id=member.organisation_id, pk=key_result_id)
        .first()
    )
    if (
        key_result is None
        or not objectives_visible(member).filter(pk=key_result.objective_id).exists()
    ):
        raise Http404("No such key result.")
    if write and not (
        (member.can_write and key_result.owner_id == member.user_id)
        or can_edit_objective(member, key_result.objective)
    ):
        raise PermissionDenied(
            "You can check in only on your own key results and those of your teams."
        )
    return key_result
