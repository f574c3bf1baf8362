"""The world of the authorization matrix, built once per module.

Personas (tests/conftest.py's world, plus two): alice owner of Acme, erin admin of
Acme, bob member of Acme in team Platform (the team that owns the objectives below),
frank member of Acme in team Design, dave viewer of Acme, charlie owner of Globex,
and anonymous. Acme holds one object of every kind a URL names; the objective and key
result come twice, public and private, both owned by Platform.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.test import Client
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from headway.accounts.models import Membership, Role
from headway.accounts.services import api_token_create, invitation_create
from headway.discovery import services as discovery
from headway.goals import services as goals
from headway.goals.models import Theme
from headway.insights.models import Flag
from headway.notify.links import unsubscribe_token
from headway.notify.models import TeamChatChannel, WebhookDelivery
from headway.notify.webhooks import webhook_create
from headway.rollout import services as rollout
from tests.conftest import World, make_world
from tests.factories import MembershipFactory, TeamFactory, TeamMembershipFactory, UserFactory
from tests.flagged import measure, running_cycle
from tests.rollout_tree import phase_row
from tests.surveys import survey_with
from tests.transfer.importing import checked, csv_bytes, objective

PERSONAS = ("anonymous", "outsider", "viewer", "other_member", "member", "admin", "owner")


@dataclass
class Matrix:
    world: World
    ids: dict[str, Any]
    private: dict[str, Any]
    web: dict[str, Client] = field(default_factory=dict)
    api: dict[str, Client] = field(default_factory=dict)


def build() -> Matrix:
    world = make_world()
    acme = world.acme
    erin = MembershipFactory(
        organisation=acme, user=UserFactory(email="erin@acme.test", name="Erin"), role=Role.ADMIN
    )
    frank = MembershipFactory(
        organisation=acme, user=UserFactory(email="frank@acme.test", name="Frank"), role=Role.MEMBER
    )
    design = TeamFactory(organisation=acme, name="Design", slug="design", parent=world.root)
    TeamMembershipFactory(team=design, user=frank.user)
    cycle = running_cycle(acme)
    theme = Theme.objects.create(organisation=acme, title="On-time freight", order=1)

    def okr(title: str, visibility: str) -> Any:
        made = goals.objective_create(
            member=world.bob,
            cycle_id=cycle.pk,
            owner_team_id=world.platform.pk,
            title=title,
            visibility=visibility,
            key_results=[measure(f"{title} measure")],
        )
        kr = made.key_results.get()
        goals.checkin_create(member=world.bob, key_result_id=kr.pk, value=10, confidence=6)
        return made, kr

    public, public_kr = okr("Ship without fear", "public")
    private, private_kr = okr("Quiet acquisition", "private")
    link = goals.alignment_link_create(
        member=world.bob, child=public, parent_type="theme", parent_id=theme.pk
    )
    initiative = goals.initiative_create(
        member=world.bob, title="Canary deploys", key_result_ids=[public_kr.pk]
    )
    pivot = goals.pivot_record(
        member=world.bob, key_result_id=public_kr.pk, tried="a", learned="b", next_step="c"
    )
    flag = Flag.objects.create(
        organisation_id=acme.pk, key_result=public_kr, kind="stall", reason="Stalled."
    )
    private_flag = Flag.objects.create(
        organisation_id=acme.pk, key_result=private_kr, kind="stall", reason="Stalled."
    )
    survey = survey_with(acme, {world.platform: ["Freight on time."]})
    plan = rollout.plan_create(
        member=world.alice,
        title="Rollout",
        phases=[phase_row("Pilot", timezone.localdate(), 8, world.platform.pk)],
    )
    webhook = webhook_create(member=world.alice, url="https://hooks.example.com/headway")
    delivery = WebhookDelivery.objects.create(
        webhook=webhook, event="checkin.created", event_id=uuid.uuid4(), payload={}
    )
    channel = TeamChatChannel.objects.create(
        organisation_id=acme.pk, team=world.platform, name="#platform", url="json://localhost/"
    )
    record = discovery.discovery_record_save(member=world.alice)
    leader = discovery.discovery_leader_add(
        member=world.alice, record_id=record.pk, name="Lea", problem="focus"
    )
    invitation, invitation_token = invitation_create(member=world.alice, email="new@acme.test")
    token, _ = api_token_create(member=world.alice, name="alice's")
    job = checked(world.alice, csv_bytes([objective("o1", "Imported", cycle=cycle.name)]))
    alice_user = world.alice.user
    ids = {
        "org": "acme",
        "slug": world.platform.slug,
        "team_id": world.platform.pk,
        "user_id": world.bob.user.pk,
        "member_id": world.bob.pk,
        "membership_id": world.bob.pk,
        "cycle_id": cycle.pk,
        "theme_id": theme.pk,
        "objective_id": public.pk,
        "key_result_id": public_kr.pk,
        "initiative_id": initiative.pk,
        "link_id": link.pk,
        "pivot_id": pivot.pk,
        "flag_id": flag.pk,
        "survey_id": survey.pk,
        "plan_id": plan.pk,
        "phase_id": plan.phases.get().pk,
        "webhook_id": webhook.pk,
        "delivery_id": delivery.pk,
        "channel_id": channel.pk,
        "record_id": record.pk,
        "leader_id": leader.pk,
        "invitation_id": invitation.pk,
        "token_id": token.pk,
        "job_id": job.pk,
        "name": "objectives",
        "name:/import-templates/{name}": "headway-import.csv",
        "file_format": "csv",
        "uidb64": urlsafe_base64_encode(force_bytes(alice_user.pk)),
        # `token` differs per route: see TOKENS in the test module.
        "token:invitation-accept": invitation_token,
        "token:survey-answer": survey.token,
        "token:/public/surveys/{token}/answers": survey.token,
        "token:notify-unsubscribe": unsubscribe_token(world.bob.pk, "reminder"),
        "token:password_reset_confirm": default_token_generator.make_token(alice_user),
    }
    private_ids = {
        "objective_id": private.pk,
        "key_result_id": private_kr.pk,
        "flag_id": private_flag.pk,
    }
    members: dict[str, Membership] = {
        "outsider": world.charlie,
        "viewer": world.dave,
        "other_member": frank,
        "member": world.bob,
        "admin": erin,
        "owner": world.alice,
    }
    matrix = Matrix(world, ids, private_ids)
    matrix.web["anonymous"] = Client()
    matrix.api["anonymous"] = Client()
    for persona, membership in members.items():
        web = Client()
        web.force_login(membership.user)
        matrix.web[persona] = web
        _, raw = api_token_create(member=membership, name="matrix")
        matrix.api[persona] = Client(headers={"Authorization": f"Bearer {raw}"})
    return matrix


@pytest.fixture(scope="module")
def matrix(django_db_setup: None, django_db_blocker: Any) -> Iterator[Matrix]:
    """Built once per module inside a transaction that is rolled back afterwards, so
    other modules never see it; each test runs in a savepoint of its own (`db`)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build()
        transaction.set_rollback(True)
