"""The weekly digest for team leads and team chat channels: their teams' progress this
week, new flags, pivots and learnings; once per lead (and channel) per ISO week."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.core import mail

from headway.goals import services as goals
from headway.insights.services import flags_refresh
from headway.notify import jobs
from headway.notify.models import Notification, NotificationKind, TeamChatChannel
from headway.notify.slots import iso_week
from headway.teams.models import Team, TeamMembership, TeamRole
from tests.conftest import World
from tests.flagged import Flagged, build, check_in, measure
from tests.notify.local_servers import Receiver
from tests.reminded import this_monday


@dataclass
class Week:
    flagged: Flagged
    friday: dt.datetime  # this week's digest time, plus an hour

    @property
    def world(self) -> World:
        return self.flagged.world


def lead(team: Team, membership: object) -> None:
    TeamMembership.objects.update_or_create(
        team=team,
        user=membership.user,  # type: ignore[attr-defined]
        defaults={"organisation": team.organisation, "role": TeamRole.LEAD},
    )


@pytest.fixture
def week(world: World) -> Week:
    flagged = build(world)
    org = world.acme
    org.timezone, org.digest_weekday, org.digest_time = "UTC", 4, dt.time(15, 0)
    org.save()
    lead(world.root, world.alice)
    lead(world.platform, world.bob)
    flags_refresh(org)
    goals.pivot_record(
        member=world.bob,
        key_result_id=flagged.stalled.pk,
        tried="Cold e-mails to shippers",
        learned="Shippers answer phone calls, not e-mails",
        next_step="Call ten shippers a week",
    )
    return Week(flagged, this_monday() + dt.timedelta(days=4, hours=6))


def digest_of(address: str) -> mail.EmailMultiAlternatives:
    [message] = [m for m in mail.outbox if m.to == [address]]
    return message  # type: ignore[return-value]


def test_a_lead_gets_their_teams_progress_flags_and_pivots_of_the_week(week: Week) -> None:
    summary = jobs.digests_run(week.friday)
    assert summary.sent == 2  # alice (Acme, with Platform below) and bob (Platform)
    bobs = digest_of("bob@acme.test")
    assert bobs.subject == f"Weekly digest for Platform, {iso_week(week.friday.date())}"
    text = bobs.body
    assert "Platform: " in text and "4 of 4 waiting" not in text
    assert "Stalled measure: Weekly active shippers" in text
    assert "Watermelon: Net promoter score" in text
    assert "Learned: Shippers answer phone calls, not e-mails" in text
    assert "Term sheets signed" not in text  # the root team's, not in bob's subtree
    html = bobs.alternatives[0][0]  # type: ignore[index]
    assert (
        "Shippers answer phone calls" in html
        and "http://127.0.0.1:8000/o/acme/teams/platform/" in html
    )
    alices = digest_of("alice@acme.test")
    assert "- Acme:" in alices.body and "- Platform:" in alices.body
    assert "Term sheets signed" in alices.body  # her own team's private objective


def test_a_lead_sees_no_private_objective_of_a_team_they_are_not_in(week: Week) -> None:
    world = week.world
    hidden = goals.objective_create(
        member=world.bob,
        cycle_id=week.flagged.quarter.pk,
        owner_team_id=world.platform.pk,
        title="Quietly rewrite the router",
        visibility="private",
        key_results=[measure("Routes ported")],
    )
    check_in(world.bob, hidden.key_results.get(), 5, 9, 1)
    flags_refresh(world.acme)
    lead(world.root, world.dave)  # a lead of the root team, not in Platform, not an admin
    jobs.digests_run(week.friday)
    assert "Routes ported" in digest_of("bob@acme.test").body
    assert "Routes ported" not in digest_of("dave@acme.test").body
    assert "Routes ported" in digest_of("alice@acme.test").body  # an admin


def test_it_sends_each_digest_once_per_week(week: Week) -> None:
    jobs.digests_run(week.friday)
    assert jobs.digests_run(week.friday + dt.timedelta(hours=3)).sent == 0
    assert len(mail.outbox) == 2
    next_week = jobs.digests_run(week.friday + dt.timedelta(days=7))
    assert next_week.sent == 2
    keys = set(Notification.objects.values_list("key", flat=True))
    assert keys == {
        f"digest:{iso_week(week.friday.date())}",
        f"digest:{iso_week(week.friday.date() + dt.timedelta(days=7))}",
    }


def test_nothing_goes_out_before_the_digest_time(week: Week) -> None:
    assert jobs.digests_run(week.friday - dt.timedelta(hours=2)).sent == 0
    assert jobs.digests_run(week.friday - dt.timedelta(days=1)).sent == 0
    assert not mail.outbox


def test_a_lead_of_a_team_with_nothing_going_on_gets_no_digest(week: Week) -> None:
    empty = Team.objects.create(
        organisation=week.world.acme, name="Empty", slug="empty", parent=week.world.root
    )
    lead(empty, week.world.dave)
    jobs.digests_run(week.friday)
    assert not [m for m in mail.outbox if m.to == ["dave@acme.test"]]


def test_a_team_chat_channel_that_takes_digests_gets_one(
    week: Week, chat_receiver: Receiver
) -> None:
    platform = week.world.platform
    for name, path, digest, enabled in (
        ("#platform", "digest", True, True),
        ("#platform-alerts", "flags-only", False, True),
        ("#old", "off", True, False),
    ):
        TeamChatChannel.objects.create(
            organisation=week.world.acme,
            team=platform,
            name=name,
            url=chat_receiver.url(path),
            digest=digest,
            enabled=enabled,
        )
    jobs.digests_run(week.friday)
    [post] = chat_receiver.to("digest")
    assert post["title"] == f"Weekly digest for Platform, {iso_week(week.friday.date())}"
    assert "[Platform](http://127.0.0.1:8000/o/acme/teams/platform/)" in post["message"]
    assert "learned Shippers answer phone calls" in post["message"]
    assert not chat_receiver.to("flags-only") and not chat_receiver.to("off")
    jobs.digests_run(week.friday + dt.timedelta(hours=1))
    assert len(chat_receiver.to("digest")) == 1
    note = Notification.objects.get(chat_channel__name="#platform")
    assert (note.kind, note.sent_at is not None) == (NotificationKind.DIGEST, True)


def test_a_chat_channel_that_fails_keeps_the_error(week: Week, chat_receiver: Receiver) -> None:
    chat_receiver.status = 500
    channel = TeamChatChannel.objects.create(
        organisation=week.world.acme,
        team=week.world.platform,
        name="#platform",
        url=chat_receiver.url("digest"),
    )
    summary = jobs.digests_run(week.friday)
    assert summary.failed == 1
    note = Notification.objects.get(chat_channel=channel)
    assert note.sent_at is None and "JSON" in note.error and "500" in note.error
    channel.refresh_from_db()
    assert channel.last_error == note.error
    assert chat_receiver.url("digest") not in note.error
