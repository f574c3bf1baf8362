"""Reads of goals, always scoped to the member's organisation and visibility."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from headway.accounts.models import Membership
from headway.teams.models import TeamMembership

from .models import (
    ActivityEvent,
    AlignmentLink,
    CheckIn,
    Cycle,
    CycleStatus,
    Initiative,
    KeyResult,
    KeyResultStatus,
    Objective,
    ObjectiveStatus,
    Theme,
    Visibility,
)


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


def visible_q(member: Membership, path: str = "") -> Q:
    """The visibility rule as a condition on the objective at `path` (e.g. "child__"):
    public objectives, and private ones of the member's teams or their own; everything
    for admins. A join condition rather than an IN (subquery), so the database can
    use its indexes whatever the organisation's size."""
    if member.is_admin:
        return Q()
    return (
        Q(**{f"{path}visibility": Visibility.PUBLIC})
        | Q(**{f"{path}owner_user_id": member.user_id})
        | Q(**{f"{path}owner_team_id__in": _my_team_ids(member)})
    )


def objectives_visible(member: Membership) -> QuerySet[Objective]:
    """Objectives this member may see: public ones, and private ones of their teams,
    their own, or all of them for admins."""
    return Objective.objects.filter(visible_q(member), organisation_id=member.organisation_id)


def can_edit_objective(member: Membership, objective: Objective) -> bool:
    """Admins edit everything of their organisation; members edit their own and their
    teams' objectives."""
    if not member.can_write or objective.organisation_id != member.organisation_id:
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


def objectives_list(
    member: Membership,
    *,
    cycle_id: int | None = None,
    team_id: int | None = None,
    owner_user_id: int | None = None,
    status: str | None = None,
) -> QuerySet[Objective]:
    """Visible objectives with their owners, cycle and key results in three queries,
    whatever their number."""
    objectives = objectives_visible(member).select_related("cycle", "owner_team", "owner_user")
    if cycle_id is not None:
        objectives = objectives.filter(cycle_id=cycle_id)
    if team_id is not None:
        objectives = objectives.filter(owner_team_id=team_id)
    if owner_user_id is not None:
        objectives = objectives.filter(owner_user_id=owner_user_id)
    if status is not None:
        objectives = objectives.filter(status=status)
    return objectives.prefetch_related(
        Prefetch(
            "key_results",
            queryset=KeyResult.objects.select_related("owner").order_by("order", "pk"),
        )
    ).order_by("cycle__start_date", "order", "pk")


def initiatives_for_objective(objective: Objective) -> QuerySet[Initiative]:
    return (
        Initiative.objects.filter(key_results__objective=objective)
        .select_related("owner")
        .prefetch_related("key_results")
        .distinct()
        .order_by("pk")
    )


def checkins_for_key_result(key_result: KeyResult) -> QuerySet[CheckIn]:
    return (
        CheckIn.objects.filter(key_result=key_result)
        .select_related("author")
        .order_by("created_at", "pk")
    )


def activity_for_objective(objective: Objective, limit: int = 20) -> list[ActivityEvent]:
    return list(ActivityEvent.objects.filter(objective=objective).select_related("actor")[:limit])


CHECKIN_DUE_AFTER = dt.timedelta(days=6)


def key_results_due(
    member: Membership,
    *,
    user_id: int | None = None,
    team_id: int | None = None,
    now: dt.datetime | None = None,
) -> QuerySet[KeyResult]:
    """Key results waiting for this week's check-in: active key results of active
    objectives in running cycles, not checked in for six days, owned by the person
    (directly or through their own objectives) or by the team's objectives."""
    now = now or timezone.now()
    due = (
        KeyResult.objects.filter(
            organisation_id=member.organisation_id,
            status=KeyResultStatus.ACTIVE,
            objective__status=ObjectiveStatus.ACTIVE,
            objective__cycle__status=CycleStatus.ACTIVE,
        )
        .filter(visible_q(member, "objective__"))
        .filter(Q(last_checkin_at__isnull=True) | Q(last_checkin_at__lt=now - CHECKIN_DUE_AFTER))
    )
    if user_id is not None:
        due = due.filter(
            Q(owner_id=user_id) | Q(owner__isnull=True, objective__owner_user_id=user_id)
        )
    if team_id is not None:
        due = due.filter(objective__owner_team_id=team_id)
    return due.select_related("objective", "objective__owner_team", "owner").order_by(
        "objective__order", "objective_id", "order", "pk"
    )


# --- lists for the API: key results, initiatives, alignment links ---------------------


def key_results_list(
    member: Membership,
    *,
    objective_id: int | None = None,
    owner_id: int | None = None,
    cycle_id: int | None = None,
    status: str | None = None,
) -> QuerySet[KeyResult]:
    """Key results of the objectives this member may see, in objective order; one
    query whatever their number."""
    key_results = KeyResult.objects.filter(
        organisation_id=member.organisation_id, objective__in=objectives_visible(member)
    )
    if objective_id is not None:
        key_results = key_results.filter(objective_id=objective_id)
    if owner_id is not None:
        key_results = key_results.filter(owner_id=owner_id)
    if cycle_id is not None:
        key_results = key_results.filter(objective__cycle_id=cycle_id)
    if status is not None:
        key_results = key_results.filter(status=status)
    return key_results.order_by(
        "objective__cycle__start_date", "objective__order", "objective_id", "order", "pk"
    )


def initiatives_list(
    member: Membership,
    *,
    key_result_id: int | None = None,
    objective_id: int | None = None,
    status: str | None = None,
    owner_id: int | None = None,
) -> QuerySet[Initiative]:
    """Initiatives linked to a key result of a visible objective, with their key result
    ids prefetched: two queries whatever their number."""
    visible = KeyResult.objects.filter(
        organisation_id=member.organisation_id, objective__in=objectives_visible(member)
    )
    initiatives = Initiative.objects.filter(organisation_id=member.organisation_id).filter(
        key_results__in=visible
    )
    if key_result_id is not None:
        initiatives = initiatives.filter(key_results__pk=key_result_id)
    if objective_id is not None:
        initiatives = initiatives.filter(key_results__objective_id=objective_id)
    if status is not None:
        initiatives = initiatives.filter(status=status)
    if owner_id is not None:
        initiatives = initiatives.filter(owner_id=owner_id)
    # Filtering through the many-to-many twice repeats rows: keep each initiative once.
    ids = initiatives.values("pk")
    return (
        Initiative.objects.filter(pk__in=ids)
        .select_related("owner")
        .prefetch_related(Prefetch("key_results", queryset=KeyResult.objects.order_by("pk")))
        .order_by("pk")
    )


def initiative_get_for_member(member: Membership, initiative_id: int) -> Initiative:
    initiative = initiatives_list(member).filter(pk=initiative_id).first()
    if initiative is None:
        raise Http404("No such initiative.")
    return initiative


def alignment_links_list(
    member: Membership,
    *,
    child_id: int | None = None,
    parent_type: str | None = None,
    parent_id: int | None = None,
    below_objective_id: int | None = None,
) -> QuerySet[AlignmentLink]:
    """Links whose child and parent objective (if any) the member may see, with both
    ends joined: one query whatever their number. `below_objective_id` gives the links
    into an objective or one of its key results (alignment down)."""
    links = AlignmentLink.objects.filter(
        visible_q(member, "child__"), organisation_id=member.organisation_id
    )
    if not member.is_admin:
        links = links.filter(
            Q(parent_objective__isnull=True) | visible_q(member, "parent_objective__")
        ).filter(
            Q(parent_key_result__isnull=True) | visible_q(member, "parent_key_result__objective__")
        )
    if child_id is not None:
        links = links.filter(child_id=child_id)
    if parent_type is not None:
        links = links.filter(**{f"parent_{parent_type}__isnull": False})
        if parent_id is not None:
            links = links.filter(**{f"parent_{parent_type}_id": parent_id})
    if below_objective_id is not None:
        # The key-result ids as a subquery (not a join inside the OR) keep both
        # branches on their indexes.
        its_key_results = KeyResult.objects.filter(objective_id=below_objective_id).values("pk")
        links = links.filter(
            Q(parent_objective_id=below_objective_id) | Q(parent_key_result__in=its_key_results)
        )
    return links.select_related(
        "child", "parent_theme", "parent_objective", "parent_key_result"
    ).order_by("pk")


def alignment_link_get(member: Membership, link_id: int) -> AlignmentLink:
    link = alignment_links_list(member).filter(pk=link_id).first()
    if link is None:
        raise Http404("No such alignment link.")
    return link


# --- reads for the web pages (my work, team page, objective page, check-in screen) -----


def objectives_overlapping(
    member: Membership, cycle: Cycle, *, team_id: int | None = None, mine: bool = False
) -> QuerySet[Objective]:
    """Visible objectives whose cycle overlaps `cycle`, with owners and key results
    prefetched (three or four queries whatever their number).

    Overlap rather than equality, so that a quarter shows the year's objectives that
    run through it, and a year shows its quarters'. `mine` keeps the objectives owned
    by the member or by one of their teams.
    """
    objectives = objectives_list(member, team_id=team_id).filter(
        cycle__organisation_id=member.organisation_id,
        cycle__start_date__lte=cycle.end_date,
        cycle__end_date__gte=cycle.start_date,
    )
    if mine:
        objectives = objectives.filter(
            Q(owner_user_id=member.user_id) | Q(owner_team_id__in=_my_team_ids(member))
        )
    return objectives.order_by("cycle__start_date", "-cycle__end_date", "order", "pk")


def key_results_due_for_me(
    member: Membership, now: dt.datetime | None = None
) -> QuerySet[KeyResult]:
    """My weekly check-in list: due key results that I own, and due key results with no
    owner of objectives owned by me or by one of my teams (nobody else is named for
    those, so the team's people share them)."""
    return key_results_due(member, now=now).filter(
        Q(owner_id=member.user_id)
        | Q(
            owner__isnull=True,
            objective__owner_user_id=member.user_id,
        )
        | Q(owner__isnull=True, objective__owner_team_id__in=_my_team_ids(member))
    )


def key_result_ids_writable(member: Membership, key_results: list[KeyResult]) -> set[int]:
    """The ids among `key_results` the member may check in on, in at most one query
    (the rule of key_result_get_for_member(write=True) for a whole list).
    `objective` must be loaded on each key result."""
    if not member.can_write:
        return set()
    if member.is_admin:
        return {kr.pk for kr in key_results}
    team_ids = set(_my_team_ids(member)) if key_results else set()
    return {
        kr.pk
        for kr in key_results
        if kr.owner_id == member.user_id
        or kr.objective.owner_user_id == member.user_id
        or (kr.objective.owner_team_id is not None and kr.objective.owner_team_id in team_ids)
    }


def checkins_for_objective(objective: Objective) -> QuerySet[CheckIn]:
    """Every check-in of the objective's key results, oldest first, in one query (the
    objective page draws one chart per key result from these)."""
    # Filtering on the key result ids (not the organisation) lets both databases use
    # the (key_result, created_at) index instead of walking the organisation's history.
    key_results = KeyResult.objects.filter(objective=objective).values("pk")
    return (
        CheckIn.objects.filter(key_result__in=key_results)
        .select_related("author")
        .order_by("created_at", "pk")
    )


def alignment_parent_candidates(member: Membership, child: Objective) -> QuerySet[Objective]:
    """Objectives the child could align to: visible, other than itself, in the child's
    cycle or one that encloses it, with their key results prefetched. The service
    still refuses loops; this only keeps the list short."""
    return (
        objectives_list(member)
        .exclude(pk=child.pk)
        .filter(
            cycle__start_date__lte=child.cycle.start_date,
            cycle__end_date__gte=child.cycle.end_date,
        )
        .exclude(status=ObjectiveStatus.CLOSED)
        .order_by("-cycle__end_date", "cycle__start_date", "owner_team__name", "title", "pk")
    )


def activity_for_team(member: Membership, team_id: int, limit: int = 20) -> list[ActivityEvent]:
    """A team's feed as this member may read it: everything for admins and the team's
    people; for others, only events on objectives they can see (a private objective's
    title must not show through its events, nor through the record of its deletion)."""
    events = ActivityEvent.objects.filter(organisation_id=member.organisation_id, team_id=team_id)
    if not member.is_admin and team_id not in _my_team_ids(member):
        events = events.filter(objective__in=objectives_visible(member))
    return list(events.select_related("actor")[:limit])
