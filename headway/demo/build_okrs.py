"""Create the demo's OKRs and their weekly check-ins through the goals services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from headway.accounts.models import Membership
from headway.goals import services as goals
from headway.goals.models import Cycle, KeyResult, Objective, Theme
from headway.insights.models import Flag
from headway.insights.services import flags_refresh
from headway.teams import services as teams
from headway.teams.models import Team, TeamMembership, TeamRole

from . import okrs

MAINTAIN_MARGIN = {True: 0.05, False: 0.15}  # above/below the threshold, by scale (> 50 or not)


def lead_of(team: Team, owner: Membership) -> Membership:
    lead = (
        TeamMembership.objects.filter(team=team, role=TeamRole.LEAD).select_related("user").first()
    )
    if lead is None:
        return owner
    return Membership.objects.select_related("organisation", "user").get(
        organisation_id=team.organisation_id, user=lead.user
    )


def _key_result_fields(row: tuple[Any, ...], lead: Membership) -> dict[str, Any]:
    title, kind, start, target, unit, fmt, _story = row
    return {
        "title": title,
        "kind": kind,
        "start_value": start,
        "target_value": target,
        "unit": unit,
        "format": fmt,
        "owner_id": lead.user_id,
        "direction": "above",
    }


def _checkin_days(cycle: Cycle, weekday: int, today: dt.date) -> list[dt.date]:
    """Check-in days from the cycle's start up to last week's: this week's check-in is
    left for whoever opens the demo, so the check-in screen always has work on it."""
    this_week = today - dt.timedelta(days=(today.weekday() - weekday) % 7)
    first = cycle.start_date + dt.timedelta(days=(weekday - cycle.start_date.weekday()) % 7)
    days = []
    while first < min(this_week, cycle.end_date):
        days.append(first)
        first += dt.timedelta(days=7)
    return days[-12:]


def _value(key_result: KeyResult, share: float) -> float:
    if key_result.kind == KeyResult.Kind.MILESTONE:
        return share
    if key_result.kind == KeyResult.Kind.MAINTAIN:
        threshold = float(key_result.target_value or 0)
        margin = MAINTAIN_MARGIN[threshold > 50]
        return round(threshold + margin if share >= 1 else threshold - 5 * margin, 2)
    start, target = float(key_result.start_value or 0), float(key_result.target_value or 0)
    value = start + (target - start) * share
    return float(round(value)) if key_result.unit in okrs.COUNTED else round(value, 1)


def _bubble(owner: Membership, by_slug: dict[str, Team]) -> list[Theme]:
    """Make People & Finance a bubble root with its statement and themes (again and
    again: idempotent)."""
    team = teams.team_update(
        member=owner,
        team=by_slug[okrs.BUBBLE],
        is_bubble_root=True,
        strategy_statement=okrs.BUBBLE_STATEMENT,
    )
    themes = []
    for order, (title, description) in enumerate(okrs.BUBBLE_THEMES):
        theme = Theme.objects.filter(
            organisation=owner.organisation, team=team, title=title
        ).first()
        if theme is None:
            theme = goals.theme_create(
                member=owner, title=title, description=description, team=team, order=order
            )
        else:
            theme = goals.theme_update(
                member=owner, theme=theme, description=description, order=order, archived=False
            )
        themes.append(theme)
    return themes


def _link(lead: Membership, objective: Objective, parent: Theme | Objective) -> None:
    goals.alignment_link_create(
        member=lead,
        child=objective,
        parent_type="theme" if isinstance(parent, Theme) else "objective",
        parent_id=parent.pk,
    )


def _objectives(
    owner: Membership, cycle: Cycle, by_slug: dict[str, Team], bubble: list[Theme]
) -> dict[str, Objective]:
    themes = list(
        Theme.objects.filter(organisation=owner.organisation, team=None).order_by("order")
    )
    created: dict[str, Objective] = {}
    for key, team_slug, title, parent, rows in okrs.OBJECTIVES:
        lead = lead_of(by_slug[team_slug], owner)
        objective = goals.objective_create(
            member=lead,
            cycle_id=cycle.pk,
            owner_team_id=by_slug[team_slug].pk,
            title=title,
            key_results=[_key_result_fields(row, lead) for row in rows],
        )
        if parent is None:
            pass  # an orphan: aligned to nothing
        elif parent.startswith("theme:"):
            _link(lead, objective, themes[int(parent[6:])])
        elif parent.startswith("bubble:"):
            _link(lead, objective, bubble[int(parent[7:])])
        else:
            _link(lead, objective, created[parent])
        created[key] = objective
    for child, parent in okrs.SUPPORTS:
        goals.alignment_link_create(
            member=owner,
            child=created[child],
            parent_type="objective",
            parent_id=created[parent].pk,
            kind="supports",
        )
    return created


def _initiatives(owner: Membership, created: dict[str, Objective]) -> None:
    for key, title, status, indexes in okrs.INITIATIVES:
        key_results = list(created[key].key_results.order_by("order"))
        goals.initiative_create(
            member=owner,
            title=title,
            status=status,
            key_result_ids=[key_results[i].pk for i in indexes],
        )


def _checkins(
    owner: Membership, cycle: Cycle, created: dict[str, Objective], today: dt.date
) -> int:
    days = _checkin_days(cycle, owner.organisation.checkin_weekday, today)
    span = (cycle.end_date - cycle.start_date).days
    elapsed = [(day - cycle.start_date).days / span for day in days]
    count = 0
    for key, _team, _title, _parent, rows in okrs.OBJECTIVES:
        objective = created[key]
        lead = lead_of(objective.owner_team, owner)  # type: ignore[arg-type]
        for key_result, row in zip(objective.key_results.order_by("order"), rows, strict=True):
            for week, day in enumerate(days):
                if row[6] == "silent" and week >= len(days) - okrs.SILENT_WEEKS:
                    break  # its owner stopped checking in: the check-in is overdue
                share, confidence, note, blockers = okrs.story_point(row[6], week, elapsed)
                at = timezone.make_aware(dt.datetime.combine(day, dt.time(9, 30)))
                goals.checkin_create(
                    member=lead,
                    key_result_id=key_result.pk,
                    value=_value(key_result, share),
                    confidence=confidence,
                    note=note,
                    blockers=blockers,
                    at=at,
                )
                count += 1
                if key_result.title in okrs.PIVOTS and note == okrs.PIVOT_NOTE:
                    _pivot(lead, key_result, at)
    return count


def _pivot(lead: Membership, key_result: KeyResult, at: dt.datetime) -> None:
    """The stall flag as it was raised that week, and the pivot that answered it."""
    flags_refresh(lead.organisation, key_result_ids=[key_result.pk], now=at)
    flag = Flag.objects.filter(key_result=key_result, kind="stall", resolved_at=None).first()
    goals.pivot_record(
        member=lead,
        key_result_id=key_result.pk,
        flag_id=flag.pk if flag else None,
        at=at + dt.timedelta(hours=2),
        **okrs.PIVOTS[key_result.title],
    )


def demo_okrs(owner: Membership, by_slug: dict[str, Team], cycle: Cycle, today: dt.date) -> None:
    """Make People & Finance a bubble, and give the current quarter its OKRs once: a
    demo that already has objectives in this cycle keeps them (and their history) as
    they are."""
    bubble = _bubble(owner, by_slug)
    if Objective.objects.filter(organisation=owner.organisation, cycle=cycle).exists():
        return
    created = _objectives(owner, cycle, by_slug, bubble)
    _initiatives(owner, created)
    _checkins(owner, cycle, created, today)
