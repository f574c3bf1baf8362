"""Check-in reminders: one per owner and check-in date, with the due key results and a
link to the check-in screen, skipped for recent check-ins, people away, quiet days
and people who said no."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db.models import QuerySet
from django_tasks_db.models import DBTaskResult

from headway.notify import jobs
from headway.notify.models import Channel, Notification, NotificationKind
from headway.notify.services import preference_update
from tests.conftest import World
from tests.flagged import check_in
from tests.notify.local_servers import Inbox
from tests.reminded import Reminded, build


@pytest.fixture
def reminded(world: World) -> Reminded:
    return build(world)


def sent_to(address: str) -> list[mail.EmailMultiAlternatives]:
    return [m for m in mail.outbox if m.to == [address]]  # type: ignore[misc]


def test_each_owner_gets_one_reminder_listing_their_due_key_results(reminded: Reminded) -> None:
    summary = jobs.reminders_run(reminded.monday)
    assert (summary.sent, summary.failed) == (3, 0)  # bob, alice, and charlie at Globex
    [bobs] = sent_to("bob@acme.test")
    assert bobs.subject == "Check-in day: 1 key result to update"
    assert "Deploys a week" in bobs.body
    assert "Incidents a month" not in bobs.body  # checked in two days ago
    assert "http://127.0.0.1:8000/o/acme/check-in/" in bobs.body
    # The key result nobody owns goes to its team's lead.
    [alices] = sent_to("alice@acme.test")
    assert "Docs pages written" in alices.body and "Deploys a week" not in alices.body
    assert not sent_to("dave@acme.test")
    # The outsider hears about Globex only.
    [charlies] = sent_to("charlie@globex.test")
    assert "Globex shippers" in charlies.body and "acme" not in charlies.body


def test_it_sends_each_reminder_once_per_check_in_date(reminded: Reminded) -> None:
    jobs.reminders_run(reminded.monday)
    again = jobs.reminders_run(reminded.monday + dt.timedelta(hours=2))
    assert again.sent == 0
    assert len(mail.outbox) == 3
    keys = set(Notification.objects.values_list("kind", "key"))
    assert keys == {(NotificationKind.REMINDER, f"reminder:{reminded.monday.date()}")}


def test_nothing_goes_out_before_the_reminder_time_or_on_another_day(reminded: Reminded) -> None:
    assert jobs.reminders_run(reminded.monday - dt.timedelta(hours=2)).sent == 0
    assert jobs.reminders_run(reminded.tuesday).sent == 0  # a missed day is not made up
    assert not mail.outbox


def test_a_key_result_checked_in_recently_is_not_reminded(reminded: Reminded) -> None:
    check_in(reminded.world.bob, reminded.deploys, 30, 7, 0)
    jobs.reminders_run(reminded.monday + dt.timedelta(days=7))
    assert not sent_to("bob@acme.test")


@pytest.mark.parametrize(
    "preference",
    [
        {"away_until": "today"},
        {"reminders": False},
        {"channel": Channel.NONE},
        {"channel": Channel.CHAT},
    ],
    ids=["away", "reminders off", "nothing", "chat only"],
)
def test_it_skips_people_who_are_away_or_said_no(
    reminded: Reminded, preference: dict[str, object]
) -> None:
    if preference.get("away_until") == "today":
        preference = {"away_until": reminded.monday.date()}
    preference_update(member=reminded.world.bob, **preference)
    jobs.reminders_run(reminded.monday)
    assert not sent_to("bob@acme.test")
    assert sent_to("alice@acme.test")


def test_someone_back_from_holiday_is_reminded(reminded: Reminded) -> None:
    preference_update(
        member=reminded.world.bob, away_until=reminded.monday.date() - dt.timedelta(days=1)
    )
    jobs.reminders_run(reminded.monday)
    assert sent_to("bob@acme.test")


def test_a_reminder_on_a_quiet_day_waits_for_the_next_day(reminded: Reminded) -> None:
    preference_update(member=reminded.world.bob, quiet_days=[0])
    jobs.reminders_run(reminded.monday)
    assert not sent_to("bob@acme.test")
    jobs.reminders_run(reminded.tuesday)
    assert len(sent_to("bob@acme.test")) == 1
    note = Notification.objects.get(membership=reminded.world.bob)
    assert note.key == f"reminder:{reminded.monday.date()}"  # still Monday's reminder
    jobs.reminders_run(reminded.tuesday + dt.timedelta(hours=3))
    assert len(sent_to("bob@acme.test")) == 1


def test_send_now_ignores_the_day_but_not_the_once_rule(reminded: Reminded) -> None:
    wednesday = reminded.monday + dt.timedelta(days=2)
    org = [reminded.world.acme.pk]
    assert jobs.reminders_run(wednesday, organisation_ids=org, force=True).sent == 2
    assert jobs.reminders_run(wednesday, organisation_ids=org, force=True).sent == 0
    assert not sent_to("charlie@globex.test")


def test_the_reminder_arrives_over_smtp_with_both_parts_links_and_unsubscribe_header(
    reminded: Reminded, smtp_server: Inbox
) -> None:
    summary = jobs.reminders_run(reminded.monday, organisation_ids=[reminded.world.acme.pk])
    assert (summary.sent, summary.failed) == (2, 0)
    [message] = smtp_server.to("bob@acme.test")
    assert message["Subject"] == "Check-in day: 1 key result to update"
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "Deploys a week" in text and "Deploys a week" in html
    assert "http://127.0.0.1:8000/o/acme/check-in/" in text
    assert 'href="http://127.0.0.1:8000/o/acme/check-in/"' in html
    unsubscribe = message["List-Unsubscribe"].strip("<> ")
    assert unsubscribe.startswith("http://127.0.0.1:8000/unsubscribe/")
    assert unsubscribe in text and unsubscribe in html
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    note = Notification.objects.get(membership=reminded.world.bob)
    assert note.sent_at is not None and note.attempts == 1 and note.error == ""


def retries() -> QuerySet[DBTaskResult]:
    return DBTaskResult.objects.filter(task_path__endswith="notifications_retry_task")


def test_with_the_mail_server_down_it_records_the_error_and_retries_three_times_at_most(
    reminded: Reminded, smtp_down: int
) -> None:
    summary = jobs.reminders_run(reminded.monday, organisation_ids=[reminded.world.acme.pk])
    assert (summary.sent, summary.failed) == (0, 2)
    note = Notification.objects.get(membership=reminded.world.bob)
    assert (note.sent_at, note.attempts) == (None, 1)
    assert "Could not reach the mail server" in note.error
    assert retries().count() == 2  # one per failed reminder, waiting a minute
    assert all(retry.run_after > note.created_at for retry in retries())
    assert jobs.notifications_retry([note.pk]) is False
    assert jobs.notifications_retry([note.pk]) is False
    note.refresh_from_db()
    assert (note.sent_at, note.attempts) == (None, 3)
    assert "Could not reach the mail server" in note.error
    # Three attempts made: no further retry is queued for it.
    assert retries().count() == 2 + 1
    assert jobs.reminders_run(reminded.monday).sent == 0  # and the job does not resend it


def test_a_retry_after_the_server_is_back_sends_it(
    reminded: Reminded, smtp_down: int, settings: object
) -> None:
    jobs.reminders_run(reminded.monday, organisation_ids=[reminded.world.acme.pk])
    note = Notification.objects.get(membership=reminded.world.bob)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # type: ignore[attr-defined]
    assert jobs.notifications_retry([note.pk]) is True
    note.refresh_from_db()
    assert note.sent_at is not None and note.error == "" and note.attempts == 2
    assert [m.to for m in mail.outbox] == [["bob@acme.test"]]


def test_a_retry_after_everything_was_checked_in_sends_nothing(
    reminded: Reminded, smtp_down: int
) -> None:
    jobs.reminders_run(reminded.monday, organisation_ids=[reminded.world.acme.pk])
    note = Notification.objects.get(membership=reminded.world.bob)
    check_in(reminded.world.bob, reminded.deploys, 30, 7, 0)
    assert jobs.notifications_retry([note.pk]) is False
    note.refresh_from_db()
    assert note.sent_at is None and "nothing is left" in note.error
