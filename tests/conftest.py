"""Personas shared by every test.

alice: owner of Acme.      bob: member of Acme, in team Platform.
dave: viewer in Acme.      charlie: owner of Globex, the outsider.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from headway.accounts.models import Membership, Role
from headway.accounts.services import api_token_create
from headway.teams.models import Team

from .factories import (
    MembershipFactory,
    OrganisationFactory,
    TeamFactory,
    TeamMembershipFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def _fast_passwords(settings: object) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


@dataclass
class World:
    alice: Membership
    bob: Membership
    dave: Membership
    charlie: Membership
    root: Team
    platform: Team
    globex_team: Team

    @property
    def acme(self):  # type: ignore[no-untyped-def]
        return self.alice.organisation

    @property
    def globex(self):  # type: ignore[no-untyped-def]
        return self.charlie.organisation


@pytest.fixture
def world(db: None) -> World:
    return make_world()


def make_world() -> World:
    """The personas, for fixtures of a wider scope than `world` (tests/security)."""
    acme = OrganisationFactory(name="Acme", slug="acme")
    globex = OrganisationFactory(name="Globex", slug="globex")
    alice = MembershipFactory(
        organisation=acme, user=UserFactory(email="alice@acme.test", name="Alice"), role=Role.OWNER
    )
    bob = MembershipFactory(
        organisation=acme, user=UserFactory(email="bob@acme.test", name="Bob"), role=Role.MEMBER
    )
    dave = MembershipFactory(
        organisation=acme, user=UserFactory(email="dave@acme.test", name="Dave"), role=Role.VIEWER
    )
    charlie = MembershipFactory(
        organisation=globex,
        user=UserFactory(email="charlie@globex.test", name="Charlie"),
        role=Role.OWNER,
    )
    root = TeamFactory(organisation=acme, name="Acme", slug="acme")
    platform = TeamFactory(organisation=acme, name="Platform", slug="platform", parent=root)
    TeamMembershipFactory(team=platform, user=bob.user)
    globex_team = TeamFactory(organisation=globex, name="Globex HQ", slug="globex-hq")
    return World(alice, bob, dave, charlie, root, platform, globex_team)


def logged_in(membership: Membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    return client


def api_client(membership: Membership) -> Client:
    """A client that sends a fresh bearer token of this member."""
    _, raw = api_token_create(member=membership, name="tests")
    return Client(headers={"Authorization": f"Bearer {raw}"})
