"""What the web-shell tests share: a furnished Acme, its pages and its write actions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from html import unescape
from typing import Any

import pytest
from django.http import HttpResponse

from headway.accounts.models import (
    COURSE_FIELDS,
    NOTIFY_FIELDS,
    ApiToken,
    Invitation,
    Membership,
    Organisation,
)
from headway.accounts.services import api_token_create, invitation_create
from headway.goals.models import Cycle, KeyResult, Objective, Theme
from headway.teams.models import Team, TeamMembership
from tests.conftest import World
from tests.factories import CycleFactory, ThemeFactory


@dataclass
class Acme:
    """Acme with one of every row a page links to, and the URLs of its pages."""

    world: World
    year: Cycle
    quarter: Cycle
    theme: Theme
    invitation: Invitation
    token: ApiToken
    empty_team: Team
    pages: dict[str, str] = field(default_factory=dict)
    admin_pages: dict[str, str] = field(default_factory=dict)
    writes: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)

    def url(self, path: str = "") -> str:
        return f"/o/acme/{path}"


@pytest.fixture
def acme(world: World) -> Acme:
    org = world.acme
    year = CycleFactory(
        organisation=org,
        name="2026",
        kind="annual",
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 12, 31),
    )
    quarter = CycleFactory(organisation=org, name="2026 Q4", parent=year)
    theme = ThemeFactory(organisation=org, title="Delight customers")
    invitation, _ = invitation_create(member=world.alice, email="erin@acme.test")
    token, _ = api_token_create(member=world.alice, name="alice's script")
    empty_team = Team.objects.create(
        organisation=org, name="Empty", slug="empty", parent=world.root
    )
    a = Acme(world, year, quarter, theme, invitation, token, empty_team)
    a.pages = {
        "home": a.url(),
        "people": a.url("people/"),
        "tokens": a.url("tokens/"),
        "team tree": a.url("teams/"),
        "team detail": a.url("teams/platform/"),
        "cycles": a.url("cycles/"),
        "strategy": a.url("strategy/"),
    }
    a.admin_pages = {
        "settings": a.url("settings/"),
        "team delete": a.url("teams/empty/delete/"),
        "cycle edit": a.url(f"cycles/{quarter.pk}/"),
    }
    bob = world.bob
    a.writes = {
        "settings": (
            a.url("settings/"),
            {
                "name": "Hacked",
                "strategy_statement": "",
                "timezone": "UTC",
                "checkin_weekday": org.checkin_weekday,
                "confidence_scale": org.confidence_scale,
                **{field: getattr(org, field) for field in (*NOTIFY_FIELDS, *COURSE_FIELDS)},
            },
        ),
        "invite": (a.url("people/invite/"), {"email": "mallory@acme.test", "role": "member"}),
        "invitation revoke": (a.url(f"people/invitations/{invitation.pk}/revoke/"), {}),
        "role": (a.url(f"people/{bob.pk}/role/"), {"role": "admin"}),
        "member remove": (a.url(f"people/{bob.pk}/remove/"), {}),
        "team create": (a.url("teams/"), {"name": "Shadow", "slug": "shadow"}),
        "team edit": (a.url("teams/platform/edit/"), {"name": "Renamed", "slug": "renamed"}),
        "team move": (a.url("teams/platform/move/"), {"parent": ""}),
        "team delete": (a.url("teams/empty/delete/"), {}),
        "team member add": (
            a.url("teams/platform/members/"),
            {"email": "dave@acme.test", "role": "member"},
        ),
        "team member remove": (a.url(f"teams/platform/members/{bob.user_id}/remove/"), {}),
        "cycle create": (
            a.url("cycles/"),
            {
                "name": "2027",
                "kind": "annual",
                "start_date": "2027-01-01",
                "end_date": "2027-12-31",
                "status": "planning",
            },
        ),
        "cycle year": (a.url("cycles/year/"), {"year": "2030"}),
        "cycle edit": (
            a.url(f"cycles/{quarter.pk}/"),
            {
                "name": "Renamed",
                "kind": "quarter",
                "start_date": "2026-10-01",
                "end_date": "2026-12-31",
                "status": "active",
                "parent": year.pk,
            },
        ),
        "cycle delete": (a.url(f"cycles/{quarter.pk}/delete/"), {}),
        "theme create": (a.url("strategy/"), {"title": "Take over the world"}),
        "theme archive": (a.url(f"strategy/themes/{theme.pk}/archive/"), {}),
    }
    return a


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row the web shell can write, to show that a refused request wrote nothing."""
    tables: dict[str, Any] = {
        "organisations": Organisation.objects.values_list(
            "pk", "name", "slug", "strategy_statement", "timezone"
        ),
        "memberships": Membership.objects.values_list("pk", "organisation_id", "user_id", "role"),
        "invitations": Invitation.objects.values_list(
            "pk", "email", "role", "accepted_at", "revoked_at"
        ),
        "tokens": ApiToken.objects.values_list("pk", "name", "revoked_at"),
        "teams": Team.objects.values_list(
            "pk", "name", "slug", "parent_id", "description", "is_bubble_root"
        ),
        "team memberships": TeamMembership.objects.values_list("pk", "team_id", "user_id", "role"),
        "cycles": Cycle.objects.values_list(
            "pk", "name", "kind", "start_date", "end_date", "status", "parent_id"
        ),
        "themes": Theme.objects.values_list("pk", "title", "team_id", "archived_at"),
    }
    return {name: sorted(rows) for name, rows in tables.items()}


def error_of(response: HttpResponse, field_name: str) -> str:
    """The text of the error shown next to a form field (see components/form.html)."""
    html = response.content.decode()
    marker = f'id="id_{field_name}_error"'
    assert marker in html, f"no error next to {field_name!r}"
    start = html.index(">", html.index(marker)) + 1
    return unescape(html[start : html.index("</p>", start)])


# --- goals ---------------------------------------------------------------------------


@dataclass
class Okrs:
    """OKRs in Acme around today, made through the services.

    A running year and the quarter inside it. The root team (alice is in it) has a
    yearly objective with one key result (revenue 0 → 100 kEUR, never checked in) and a
    private one bob cannot see. Platform (bob's team) has a quarterly objective,
    contributing to the yearly one, with deploys a week (2 → 10, last checked in 13
    days ago, so due) and incidents a month (12 → 4, checked in 2 days ago, not due).
    Bob has a personal objective with a milestone. Globex has one objective.
    """

    world: World
    year: Cycle
    quarter: Cycle
    theme: Theme
    company: Objective
    revenue: KeyResult
    secret: Objective
    platform: Objective
    deploys: KeyResult
    incidents: KeyResult
    personal: Objective
    rust: KeyResult
    globex: Objective

    def url(self, path: str = "") -> str:
        return f"/o/acme/{path}"


def _objective(member: Membership, cycle: Cycle, title: str, **data: Any) -> Objective:
    from headway.goals import services

    return services.objective_create(member=member, cycle_id=cycle.pk, title=title, **data)


@pytest.fixture
def okrs(world: World) -> Okrs:
    from django.utils import timezone

    from headway.goals import services
    from tests.factories import TeamMembershipFactory

    today = timezone.localdate()
    now = timezone.now()
    org = world.acme
    TeamMembershipFactory(team=world.root, user=world.alice.user)
    year = CycleFactory(
        organisation=org,
        name="FY",
        kind="annual",
        start_date=today - dt.timedelta(days=200),
        end_date=today + dt.timedelta(days=165),
    )
    quarter = CycleFactory(
        organisation=org,
        name="This quarter",
        parent=year,
        start_date=today - dt.timedelta(days=45),
        end_date=today + dt.timedelta(days=45),
    )
    theme = ThemeFactory(organisation=org, title="Grow in the mid-market")
    company = _objective(
        world.alice,
        year,
        "Win the mid-market",
        owner_team_id=world.root.pk,
        key_results=[
            {
                "title": "Revenue from mid-sized shippers",
                "start_value": 0,
                "target_value": 100,
                "unit": "kEUR",
                "format": "currency",
            }
        ],
    )
    secret = _objective(
        world.alice,
        year,
        "Buy a competitor",
        owner_team_id=world.root.pk,
        visibility="private",
        key_results=[{"title": "Signed term sheets", "start_value": 0, "target_value": 1}],
    )
    platform = _objective(
        world.bob,
        quarter,
        "Ship without fear",
        owner_team_id=world.platform.pk,
        key_results=[
            {"title": "Deploys a week", "start_value": 2, "target_value": 10, "unit": "deploys"},
            {
                "title": "Incidents a month",
                "kind": "decrease",
                "start_value": 12,
                "target_value": 4,
            },
        ],
    )
    services.alignment_link_create(
        member=world.bob, child=platform, parent_type="objective", parent_id=company.pk
    )
    services.alignment_link_create(
        member=world.alice, child=company, parent_type="theme", parent_id=theme.pk
    )
    deploys, incidents = platform.key_results.order_by("order")
    for days, value in ((20, 3), (13, 5)):
        services.checkin_create(
            member=world.bob,
            key_result_id=deploys.pk,
            value=value,
            confidence=7,
            note=f"{value} deploys",
            at=now - dt.timedelta(days=days),
        )
    services.checkin_create(
        member=world.bob,
        key_result_id=incidents.pk,
        value=9,
        confidence=6,
        at=now - dt.timedelta(days=2),
    )
    personal = _objective(
        world.bob,
        quarter,
        "Grow as an engineer",
        owner_user_id=world.bob.user_id,
        key_results=[{"title": "Give a talk at the meetup", "kind": "milestone"}],
    )
    globex_cycle = CycleFactory(
        organisation=world.globex,
        name="Globex quarter",
        start_date=quarter.start_date,
        end_date=quarter.end_date,
    )
    globex = _objective(
        world.charlie,
        globex_cycle,
        "Globex's own goal",
        owner_team_id=world.globex_team.pk,
        key_results=[{"title": "Globex KR", "start_value": 0, "target_value": 5}],
    )
    for row in (company, platform, personal, deploys, incidents):
        row.refresh_from_db()
    return Okrs(
        world,
        year,
        quarter,
        theme,
        company,
        company.key_results.get(),
        secret,
        platform,
        deploys,
        incidents,
        personal,
        personal.key_results.get(),
        globex,
    )


def goals_snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every goals row the web pages can write, to show that a refused request wrote nothing."""
    from headway.goals.models import AlignmentLink, CheckIn, Initiative

    tables: dict[str, Any] = {
        "objectives": Objective.objects.values_list(
            "pk",
            "title",
            "description",
            "status",
            "visibility",
            "cycle_id",
            "owner_team_id",
            "owner_user_id",
            "progress",
            "version",
        ),
        "key results": KeyResult.objects.values_list(
            "pk",
            "title",
            "kind",
            "start_value",
            "target_value",
            "weight",
            "status",
            "current_value",
            "progress",
            "confidence",
            "version",
        ),
        "initiatives": Initiative.objects.values_list("pk", "title", "status", "owner_id"),
        "links": AlignmentLink.objects.values_list(
            "pk",
            "child_id",
            "parent_theme_id",
            "parent_objective_id",
            "parent_key_result_id",
            "kind",
            "weight",
        ),
        "check-ins": CheckIn.objects.values_list("pk", "key_result_id", "value", "confidence"),
    }
    return {name: sorted(rows) for name, rows in tables.items()}
