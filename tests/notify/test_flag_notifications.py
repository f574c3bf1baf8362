"""Flags (stall, watermelon, overdue) to the key result's owner, the team's leads and
the team's chat channels: once per flag, and again only when it gets worse or reopens."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from headway.goals.models import KeyResult
from headway.insights.models import Flag, FlagKind
from headway.insights.services import flags_refresh
from headway.notify import jobs
from headway.notify.models import Notification, TeamChatChannel
from headway.notify.services import preference_update
from headway.notify.slots import severity_band
from headway.teams.models import TeamMembership, TeamRole
from tests.flagged import Flagged, build
from tests.notify.local_servers import Receiver


@pytest.fixture
def flagged(world: object) -> Flagged:
    flagged = build(world)  # type: ignore[arg-type]
    platform_krs = [flagged.stalled, flagged.melon, flagged.overdue, flagged.fine]
    KeyResult.objects.filter(pk__in=[kr.pk for kr in platform_krs]).update(
        owner=flagged.world.bob.user
    )
    TeamMembership.objects.create(
        organisation=flagged.world.acme,
        team=flagged.world.platform,
        user=flagged.world.dave.user,
        role=TeamRole.LEAD,
    )
    TeamMembership.objects.create(
        organisation=flagged.world.globex,
        team=flagged.world.globex_team,
        user=flagged.world.charlie.user,
    )
    flags_refresh(flagged.world.acme)
    flags_refresh(flagged.world.globex)
    return flagged


def mails_to(address: str) -> list[mail.EmailMultiAlternatives]:
    return [m for m in mail.outbox if m.to == [address]]  # type: ignore[misc]


def test_the_owner_and_the_teams_lead_hear_of_each_flag_once(flagged: Flagged) -> None:
    summary = jobs.flags_run()
    [bobs] = mails_to("bob@acme.test")
    assert bobs.subject == "3 flags on key results you follow"
    for words in ("Stalled measure: Weekly active shippers", "Watermelon: Net promoter score"):
        assert words in bobs.body
    assert "Overdue check-in: Runbooks written" in bobs.body
    assert f"/o/acme/key-results/{flagged.stalled.pk}/pivot/" in bobs.body  # the next step
    [daves] = mails_to("dave@acme.test")  # Platform's lead
    assert "Net promoter score" in daves.body
    # Alice owns the root team's private objective: its flag goes to her alone.
    [alices] = mails_to("alice@acme.test")
    assert "Term sheets signed" in alices.body and "Term sheets signed" not in bobs.body
    [charlies] = mails_to("charlie@globex.test")  # the outsider: his own flag only
    assert "Globex shippers" in charlies.body and "Net promoter" not in charlies.body
    assert summary.sent == len(mail.outbox) == 4
    assert jobs.flags_run().sent == 0
    assert len(mail.outbox) == 4


def test_a_flag_that_gets_worse_is_told_again_and_one_that_eases_is_not(
    flagged: Flagged,
) -> None:
    jobs.flags_run()
    mail.outbox.clear()
    stall = Flag.objects.get(key_result=flagged.stalled, kind=FlagKind.STALL)
    band = severity_band(stall.severity)
    worse = {1: 0.5, 2: 0.9, 3: None}[band]
    if worse is None:  # already at the top: ease it first, then it cannot "climb" again
        Flag.objects.filter(pk=stall.pk).update(severity=0.1)
        assert jobs.flags_run().sent == 0
        return
    Flag.objects.filter(pk=stall.pk).update(severity=worse, reason="Much worse now.")
    jobs.flags_run()
    [bobs] = mails_to("bob@acme.test")
    assert bobs.subject == "Stalled measure: Weekly active shippers"
    assert "Much worse now." in bobs.body
    Flag.objects.filter(pk=stall.pk).update(severity=0.0)
    assert jobs.flags_run().sent == 0


def test_a_flag_resolved_and_raised_again_is_told_again(flagged: Flagged) -> None:
    jobs.flags_run()
    mail.outbox.clear()
    melon = Flag.objects.get(key_result=flagged.melon, kind=FlagKind.WATERMELON)
    Flag.objects.filter(pk=melon.pk).update(resolved_at=timezone.now())
    flags_refresh(flagged.world.acme)  # the rule still holds: a new flag opens
    reopened = Flag.objects.get(
        key_result=flagged.melon, kind=FlagKind.WATERMELON, resolved_at=None
    )
    assert reopened.pk != melon.pk
    jobs.flags_run()
    [bobs] = mails_to("bob@acme.test")
    assert bobs.subject == "Watermelon: Net promoter score"


def test_people_who_turned_flags_off_are_away_or_quiet_today_hear_later_or_never(
    flagged: Flagged,
) -> None:
    today = timezone.localdate()
    preference_update(member=flagged.world.bob, quiet_days=[today.weekday()])
    preference_update(member=flagged.world.dave, flags=False)
    preference_update(member=flagged.world.alice, away_until=today)
    jobs.flags_run()
    assert not mails_to("bob@acme.test") and not mails_to("alice@acme.test")
    assert not mails_to("dave@acme.test")
    tomorrow = timezone.now() + dt.timedelta(days=1)
    jobs.flags_run(tomorrow)
    assert len(mails_to("bob@acme.test")) == 1  # the quiet day is over
    assert len(mails_to("alice@acme.test")) == 1  # back from holiday
    assert not mails_to("dave@acme.test")


def test_a_team_chat_channel_that_takes_flags_gets_them_once(
    flagged: Flagged, chat_receiver: Receiver
) -> None:
    for name, path, flags in (("#platform", "flags", True), ("#digest", "digest", False)):
        TeamChatChannel.objects.create(
            organisation=flagged.world.acme,
            team=flagged.world.platform,
            name=name,
            url=chat_receiver.url(path),
            flags=flags,
        )
    jobs.flags_run()
    [post] = chat_receiver.to("flags")
    assert post["title"] == "3 new flags in Platform"
    assert "**Watermelon**: [Net promoter score](http://127.0.0.1:8000/o/acme/" in post["message"]
    assert "Term sheets signed" not in post["message"]
    assert not chat_receiver.to("digest")
    jobs.flags_run()
    assert len(chat_receiver.to("flags")) == 1
    assert Notification.objects.filter(chat_channel__name="#platform").count() == 3
