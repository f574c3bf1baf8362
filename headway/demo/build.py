"""Create or refresh the demo organisation through the services.

Idempotent: running it again brings the demo back to its defined shape (names,
parents, roles, themes, cycles, purpose surveys) without duplicating anything.
"""

from __future__ import annotations

import datetime as dt
import functools

from django.contrib.auth.hashers import get_hashers, make_password
from django.db import transaction
from django.utils import timezone

from headway.accounts.models import Membership, Organisation, Role, User
from headway.accounts.services import organisation_create, organisation_update, user_create
from headway.goals import services as goals
from headway.goals.models import Cycle, CycleStatus, Theme
from headway.insights.services import flags_deferred, flags_refresh
from headway.teams import services as teams
from headway.teams.models import Team

from . import data
from .build_okrs import demo_okrs
from .past import demo_past_quarter, previous_quarter
from .rollout import demo_discovery, demo_rollout
from .surveys import demo_surveys


@functools.cache
def _password_hash(hasher: str) -> str:
    # Hash once per run (not once per person), keyed on the configured hasher so a
    # process that changes its hashers never reuses a hash made with another.
    return make_password(data.DEMO_PASSWORD, hasher=hasher)


def _hasher() -> str:
    return get_hashers()[0].algorithm


def _person(first: str, last: str) -> User:
    email = data.email_of(first, last)
    user = User.objects.filter(email=email).first()
    if user is None:
        user = user_create(
            email=email,
            password=None,
            name=f"{first} {last}",
            password_hash=_password_hash(_hasher()),
        )
    return user


def _owner_membership() -> Membership:
    first, last = data.PEOPLE[0][:2]
    owner = _person(first, last)
    organisation = Organisation.objects.filter(slug=data.DEMO_SLUG).first()
    if organisation is None:
        organisation = organisation_create(
            name=str(data.ORGANISATION["name"]), owner=owner, slug=data.DEMO_SLUG
        )
    member, _ = Membership.objects.get_or_create(organisation=organisation, user=owner)
    if member.role != Role.OWNER:
        member.role = Role.OWNER
        member.save(update_fields=["role"])
    organisation_update(member=member, **data.ORGANISATION)
    return Membership.objects.select_related("organisation", "user").get(pk=member.pk)


def _teams(owner: Membership) -> dict[str, Team]:
    existing = {t.slug: t for t in Team.objects.filter(organisation=owner.organisation)}
    for slug, name, parent_slug, description in data.TEAMS:
        parent_id = existing[parent_slug].pk if parent_slug else None
        team = existing.get(slug)
        if team is None:
            existing[slug] = teams.team_create(
                member=owner, name=name, slug=slug, description=description, parent_id=parent_id
            )
            continue
        teams.team_update(member=owner, team=team, name=name, description=description)
        if team.parent_id != parent_id:
            teams.team_move(member=owner, team=team, parent_id=parent_id)
    return existing


def _people(owner: Membership, by_slug: dict[str, Team]) -> None:
    for first, last, title, role, placements in data.PEOPLE:
        user = _person(first, last)
        Membership.objects.update_or_create(
            organisation=owner.organisation, user=user, defaults={"role": role, "title": title}
        )
        for slug, team_role in placements:
            teams.team_member_add(member=owner, team=by_slug[slug], user=user, role=team_role)


def _themes(owner: Membership) -> None:
    for order, (title, description) in enumerate(data.THEMES):
        theme = Theme.objects.filter(
            organisation=owner.organisation, team=None, title=title
        ).first()
        if theme is None:
            goals.theme_create(member=owner, title=title, description=description, order=order)
        else:
            goals.theme_update(
                member=owner, theme=theme, description=description, order=order, archived=False
            )


def _status(cycle: Cycle, today: dt.date) -> str:
    if cycle.end_date < today:
        return CycleStatus.CLOSED
    if cycle.start_date <= today:
        return CycleStatus.ACTIVE
    return CycleStatus.PLANNING


def _years(owner: Membership, today: dt.date) -> None:
    """This year and its quarters; last year's too in the first quarter, so the demo
    always has a previous quarter to show closed."""
    years = [today.year, today.year - 1] if today.month <= 3 else [today.year]
    for year in years:
        if not Cycle.objects.filter(organisation=owner.organisation, name=str(year)).exists():
            goals.year_with_quarters(member=owner, year=year)


def _cycles(owner: Membership, today: dt.date) -> None:
    for cycle in Cycle.objects.filter(organisation=owner.organisation):
        status = _status(cycle, today)
        if cycle.status != status:
            goals.cycle_update(member=owner, cycle=cycle, status=status)


def demo_build(today: dt.date | None = None) -> Organisation:
    """Create or refresh Tidewater Freight; returns the organisation."""
    today = today or dt.date.today()
    # One flag refresh at the end, not one per check-in.
    with transaction.atomic(), flags_deferred():
        owner = _owner_membership()
        by_slug = _teams(owner)
        _people(owner, by_slug)
        _themes(owner)
        _years(owner, today)
        quarter = _current_quarter(owner, today)
        previous = previous_quarter(owner, quarter) if quarter is not None else None
        if previous is not None:
            demo_past_quarter(owner, by_slug, previous)
        _cycles(owner, today)
        if quarter is not None:
            demo_okrs(owner, by_slug, quarter, today)
        demo_surveys(owner, by_slug, today)
        demo_discovery(owner, by_slug)
        if quarter is not None and previous is not None:
            demo_rollout(owner, by_slug, previous, quarter)
        now = timezone.make_aware(dt.datetime.combine(today, dt.time(12, 0)))
        flags_refresh(owner.organisation, now=now)
    return owner.organisation


def _current_quarter(owner: Membership, today: dt.date) -> Cycle | None:
    return Cycle.objects.filter(
        organisation=owner.organisation, kind="quarter", start_date__lte=today, end_date__gte=today
    ).first()
