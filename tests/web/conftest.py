"""What the web-shell tests share: a furnished Acme, its pages and its write actions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from html import unescape
from typing import Any

import pytest
from django.http import HttpResponse

from headway.accounts.models import ApiToken, Invitation, Membership, Organisation
from headway.accounts.services import api_token_create, invitation_create
from headway.goals.models import Cycle, Theme
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
