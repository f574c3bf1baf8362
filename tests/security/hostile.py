"""A world whose every user-writable text is hostile, written through the services.

`FIELDS` names every CharField/TextField of Headway's models that a person (or a remote
server Headway talks to) can fill, and `EXCLUDED` every other one with the reason;
`test_every_text_field_is_covered_or_excluded` introspects the models, so a new text
field fails the suite until it is added to one of them. `build(text_for)` fills each
field with `text_for(key, max_length)` and returns the ids every web route needs.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.auth.tokens import default_token_generator
from django.db import models
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from headway.accounts.models import Membership
from headway.accounts.services import (
    api_token_create,
    invitation_accept,
    invitation_create,
    organisation_update,
)
from headway.discovery import services as discovery
from headway.discovery import services_survey as surveys
from headway.goals import services as goals
from headway.goals.models import CycleStatus
from headway.insights.models import Flag
from headway.notify.links import unsubscribe_token
from headway.notify.models import WebhookDelivery
from headway.notify.services import chat_channel_create
from headway.notify.webhooks import webhook_create
from headway.rollout import services as rollout
from headway.teams.services import team_create, team_member_add, team_update
from headway.transfer import services as transfer
from tests.conftest import World, make_world
from tests.rollout_tree import phase_row
from tests.transfer.importing import csv_bytes, objective

# Script and markup that runs if a page, e-mail or brief ever prints it unescaped.
PAYLOADS = {
    "script": "<script>window.__pwned=1</script>",
    "attribute": '"><img src=x onerror=window.__pwned=1>',
    "svg": "<svg onload=window.__pwned=1></svg>",
    "single-quote": "'><svg/onload=alert(document.domain)>",
    "iframe": '<iframe srcdoc="<script>parent.__pwned=1</script>"></iframe>',
}
# For the few fields too short for a payload (a key result's unit: 20 characters).
SHORT = "<svg onload=alert()>"
COMBINED = "".join(PAYLOADS.values())

# (app_label.Model, field) → how the build writes it.
FIELDS: dict[str, str] = {
    "accounts.User.name": "invitation_accept (a new member, Mallory)",
    "accounts.Organisation.name": "organisation_update",
    "accounts.Organisation.strategy_statement": "organisation_update",
    "accounts.Membership.title": "set directly: only the demo and Django's admin write it",
    "accounts.ApiToken.name": "api_token_create",
    "teams.Team.name": "team_create",
    "teams.Team.description": "team_create",
    "teams.Team.strategy_statement": "team_update",
    "goals.Cycle.name": "cycle_create",
    "goals.Theme.title": "theme_create",
    "goals.Theme.description": "theme_create",
    "goals.Objective.title": "objective_create",
    "goals.Objective.description": "objective_create",
    "goals.Objective.score_reason": "objective_score_set",
    "goals.Objective.retro_went_well": "objective_retrospective_save",
    "goals.Objective.retro_learned": "objective_retrospective_save",
    "goals.Objective.retro_next": "objective_retrospective_save",
    "goals.KeyResult.title": "objective_create",
    "goals.KeyResult.unit": "objective_create",
    "goals.KeyResult.score_reason": "key_result_score_set",
    "goals.Initiative.title": "initiative_create",
    "goals.Initiative.description": "initiative_create",
    "goals.CheckIn.note": "checkin_create",
    "goals.CheckIn.blockers": "checkin_create",
    "goals.Pivot.tried": "pivot_record",
    "goals.Pivot.learned": "pivot_record",
    "goals.Pivot.next_step": "pivot_record",
    "goals.TargetChange.reason": "key_result_target_change",
    "notify.TeamChatChannel.name": "chat_channel_create",
    "notify.Webhook.description": "webhook_create",
    "notify.WebhookDelivery.response_excerpt": "set as the delivery task does: the remote "
    "server chooses it",
    "notify.WebhookDelivery.error": "set as the delivery task does: the remote server's error",
    "discovery.DiscoveryRecord.why_stated": "discovery_record_save",
    "discovery.DiscoveryRecord.real_reason": "discovery_record_save",
    "discovery.DiscoveryRecord.champion_name": "discovery_record_save",
    "discovery.DiscoveryRecord.time_expectation": "discovery_record_save",
    "discovery.DiscoveryRecord.risks": "discovery_record_save",
    "discovery.DiscoveryRecord.notes": "discovery_record_save",
    "discovery.DiscoveryLeader.name": "discovery_leader_add",
    "discovery.DiscoveryLeader.role": "discovery_leader_add",
    "discovery.DiscoveryLeader.problem_detail": "discovery_leader_add",
    "discovery.PurposeSurvey.title": "survey_create",
    "discovery.PurposeSurvey.question": "survey_create",
    "discovery.PurposeAnswer.text": "answer_submit (anonymous, public link)",
    "rollout.RolloutPlan.title": "plan_create",
    "rollout.RolloutPlan.notes": "plan_create",
    "rollout.RolloutPhase.name": "plan_create",
    "rollout.RolloutPhase.notes": "plan_create",
    "transfer.ImportJob.filename": "import_upload (the uploaded file's name)",
}

EXCLUDED: dict[str, str] = {
    "accounts.User.password": "a hash; never shown",
    "accounts.User.email": "validated as an address (test_it_refuses_markup_as_an_email)",
    "accounts.Organisation.slug": "slugified: letters, digits and hyphens only",
    "accounts.Invitation.email": "validated as an address (test_it_refuses_markup_as_an_email)",
    "accounts.Invitation.token_hash": "generated",
    "accounts.ApiToken.prefix": "generated",
    "accounts.ApiToken.token_hash": "generated",
    "teams.Team.slug": "slugified: letters, digits and hyphens only",
    "goals.CheckIn.idempotency_key": "a request header kept for replays; never shown",
    "goals.ActivityEvent.verb": "generated",
    "goals.ActivityEvent.target_type": "generated",
    "goals.ActivityEvent.target_label": "copied from titles that are covered (the feed shows "
    "it: the crawl sees the copy)",
    "insights.Flag.reason": "written by the flag rules from numbers",
    "notify.ScheduledRun.job": "generated",
    "notify.ScheduledRun.claimed_by": "generated (host and process id)",
    "notify.ScheduledRun.task_id": "generated",
    "notify.TeamChatChannel.url": "validated by Apprise's URL schemes "
    "(test_it_refuses_javascript_urls)",
    "notify.TeamChatChannel.last_error": "written by delivery from Apprise's own wording",
    "notify.Notification.key": "generated",
    "notify.Notification.subject": "generated from titles that are covered; e-mail only",
    "notify.Notification.error": "written by delivery from the mail or chat library",
    "notify.Webhook.url": "validated as an http(s) URL (test_it_refuses_javascript_urls)",
    "notify.Webhook.secret": "generated",
    "notify.Webhook.disabled_reason": "generated",
    "notify.WebhookDelivery.event": "generated",
    "discovery.PurposeSurvey.token": "generated",
    "transfer.ImportJob.message": "generated from the checks' wording (cells quoted in "
    "`errors`, JSON, escaped by the template like every value)",
}


def text_fields() -> list[str]:
    """Every free-text field of Headway's models (choices are not free text)."""
    found = []
    for model in apps.get_models():
        if not model.__module__.startswith("headway."):
            continue
        for f in model._meta.get_fields():
            if isinstance(f, models.CharField | models.TextField) and not f.choices:
                found.append(f"{model._meta.label}.{f.name}")
    return sorted(found)


def max_length(key: str) -> int | None:
    label, name = key.rsplit(".", 1)
    limit: int | None = apps.get_model(label)._meta.get_field(name).max_length
    return limit


TextFor = Callable[[str], str]


def tagged(payload: str) -> TextFor:
    """The payload followed by the field's number, so each field's copy can be found;
    the short payload where the field is too short for it."""

    def text_for(key: str) -> str:
        limit = max_length(key) or 10_000
        text = f"{payload}#{sorted(FIELDS).index(key)}"
        return text if len(text) <= limit else SHORT[:limit]

    return text_for


@dataclass
class Hostile:
    world: World
    ids: dict[str, Any]
    values: dict[str, str] = field(default_factory=dict)


def build(text_for: TextFor) -> Hostile:
    world = make_world()
    alice, bob = world.alice, world.bob
    v: dict[str, str] = {key: text_for(key) for key in FIELDS}
    today = timezone.localdate()

    organisation_update(
        member=alice,
        name=v["accounts.Organisation.name"],
        strategy_statement=v["accounts.Organisation.strategy_statement"],
    )
    team = team_create(
        member=alice,
        name=v["teams.Team.name"],
        parent_id=world.root.pk,
        description=v["teams.Team.description"],
    )
    team_update(member=alice, team=team, strategy_statement=v["teams.Team.strategy_statement"])
    team_member_add(member=alice, team=team, user=bob.user)
    Membership.objects.filter(pk=bob.pk).update(title=v["accounts.Membership.title"])
    _, raw = invitation_create(member=alice, email="mallory@acme.test")
    invitation_accept(token=raw, name=v["accounts.User.name"], password="a long passphrase 42")
    pending, pending_token = invitation_create(member=alice, email="new@acme.test")
    token, _ = api_token_create(member=alice, name=v["accounts.ApiToken.name"])

    cycle = goals.cycle_create(
        member=alice,
        name=v["goals.Cycle.name"],
        start_date=today - dt.timedelta(days=30),
        end_date=today + dt.timedelta(days=60),
        status=CycleStatus.ACTIVE,
    )
    theme = goals.theme_create(
        member=alice, title=v["goals.Theme.title"], description=v["goals.Theme.description"]
    )
    made = goals.objective_create(
        member=bob,
        cycle_id=cycle.pk,
        owner_team_id=team.pk,
        title=v["goals.Objective.title"],
        description=v["goals.Objective.description"],
        key_results=[
            {
                "title": v["goals.KeyResult.title"],
                "unit": v["goals.KeyResult.unit"],
                "start_value": 0,
                "target_value": 100,
            }
        ],
    )
    kr = made.key_results.get()
    link = goals.alignment_link_create(
        member=bob, child=made, parent_type="theme", parent_id=theme.pk
    )
    goals.checkin_create(
        member=bob,
        key_result_id=kr.pk,
        value=20,
        confidence=6,
        note=v["goals.CheckIn.note"],
        blockers=v["goals.CheckIn.blockers"],
    )
    initiative = goals.initiative_create(
        member=bob,
        title=v["goals.Initiative.title"],
        description=v["goals.Initiative.description"],
        key_result_ids=[kr.pk],
    )
    pivot = goals.pivot_record(
        member=bob,
        key_result_id=kr.pk,
        tried=v["goals.Pivot.tried"],
        learned=v["goals.Pivot.learned"],
        next_step=v["goals.Pivot.next_step"],
    )
    goals.key_result_target_change(
        member=bob, key_result_id=kr.pk, new_target=120, reason=v["goals.TargetChange.reason"]
    )
    goals.key_result_score_set(
        member=bob, key_result_id=kr.pk, score=0.5, reason=v["goals.KeyResult.score_reason"]
    )
    goals.objective_score_set(
        member=bob, objective_id=made.pk, score=0.5, reason=v["goals.Objective.score_reason"]
    )
    goals.objective_retrospective_save(
        member=bob,
        objective_id=made.pk,
        went_well=v["goals.Objective.retro_went_well"],
        learned=v["goals.Objective.retro_learned"],
        next=v["goals.Objective.retro_next"],
    )
    flag = Flag.objects.create(
        organisation_id=world.acme.pk, key_result=kr, kind="stall", reason="Stalled."
    )

    channel = chat_channel_create(
        member=alice, team=team, name=v["notify.TeamChatChannel.name"], url="json://localhost/"
    )
    webhook = webhook_create(
        member=alice,
        url="https://hooks.example.com/headway",
        description=v["notify.Webhook.description"],
    )
    delivery = WebhookDelivery.objects.create(
        webhook=webhook,
        event="checkin.created",
        event_id=uuid.uuid4(),
        payload={},
        response_excerpt=v["notify.WebhookDelivery.response_excerpt"],
        error=v["notify.WebhookDelivery.error"],
    )

    record = discovery.discovery_record_save(
        member=alice,
        **{
            name: v[f"discovery.DiscoveryRecord.{name}"]
            for name in (
                "why_stated",
                "real_reason",
                "champion_name",
                "time_expectation",
                "risks",
                "notes",
            )
        },
    )
    leader = discovery.discovery_leader_add(
        member=alice,
        record_id=record.pk,
        name=v["discovery.DiscoveryLeader.name"],
        role=v["discovery.DiscoveryLeader.role"],
        problem="focus",
        problem_detail=v["discovery.DiscoveryLeader.problem_detail"],
    )
    survey = surveys.survey_create(
        member=alice,
        title=v["discovery.PurposeSurvey.title"],
        question=v["discovery.PurposeSurvey.question"],
        opens_on=today,
        closes_on=today + dt.timedelta(days=10),
    )
    surveys.answer_submit(token=survey.token, text=v["discovery.PurposeAnswer.text"])

    plan = rollout.plan_create(
        member=alice,
        title=v["rollout.RolloutPlan.title"],
        notes=v["rollout.RolloutPlan.notes"],
        phases=[
            phase_row(
                v["rollout.RolloutPhase.name"],
                today,
                8,
                team.pk,
                notes=v["rollout.RolloutPhase.notes"],
            )
        ],
    )
    job = transfer.import_upload(
        member=alice,
        filename=v["transfer.ImportJob.filename"],
        content=csv_bytes([objective("o1", "Imported", cycle=cycle.name)]),
        format="csv",
        queue=False,
    )
    transfer.import_validate(job.pk)
    job.refresh_from_db()
    v["transfer.ImportJob.filename"] = job.filename  # the name without a path

    alice_user = alice.user
    ids: dict[str, Any] = {
        "org": "acme",
        "slug": team.slug,
        "team_id": team.pk,
        "user_id": bob.user.pk,
        "member_id": bob.pk,
        "membership_id": bob.pk,
        "cycle_id": cycle.pk,
        "theme_id": theme.pk,
        "objective_id": made.pk,
        "key_result_id": kr.pk,
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
        "invitation_id": pending.pk,
        "token_id": token.pk,
        "job_id": job.pk,
        "name": "objectives",
        "file_format": "csv",
        "uidb64": urlsafe_base64_encode(force_bytes(alice_user.pk)),
        "token:invitation-accept": pending_token,
        "token:survey-answer": survey.token,
        "token:notify-unsubscribe": unsubscribe_token(bob.pk, "reminder"),
        "token:password_reset_confirm": default_token_generator.make_token(alice_user),
    }
    return Hostile(world, ids, v)
