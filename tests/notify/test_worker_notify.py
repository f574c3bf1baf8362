"""Real `headway worker` processes sending reminders: however many runs of the job two
workers pick up at once, each person gets each reminder once."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from headway.accounts.models import Organisation
from headway.notify.models import Notification, NotificationKind
from headway.notify.tasks import reminders_send_task
from tests.conftest import World
from tests.notify.local_servers import Inbox
from tests.reminded import build
from tests.support import headway_start


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_two_workers_running_the_reminder_job_at_once_send_each_reminder_once(
    world: World, smtp_server: Inbox, settings: object
) -> None:
    build(world)
    # Today is check-in day in both organisations, and the reminder time has passed.
    Organisation.objects.update(
        timezone="UTC", checkin_weekday=timezone.now().weekday(), reminder_time=dt.time(0, 0)
    )
    for _ in range(4):  # runs of the job left queued, e.g. by a backlog
        reminders_send_task.enqueue()
    env = {
        "HEADWAY_EMAIL_HOST": "127.0.0.1",
        "HEADWAY_EMAIL_PORT": str(settings.EMAIL_PORT),  # type: ignore[attr-defined]
        "HEADWAY_EMAIL_USE_TLS": "false",
    }
    workers = [headway_start("worker", "--batch", "--no-startup-delay", env=env) for _ in (1, 2)]
    outputs = [worker.communicate(timeout=120) for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], [err for _, err in outputs]
    runs = DBTaskResult.objects.filter(task_path__endswith="reminders_send_task")
    assert runs.count() == 5  # the four queued and the one the schedule added
    assert {run.status for run in runs} == {"SUCCESSFUL"}
    reminders = Notification.objects.filter(kind=NotificationKind.REMINDER)
    assert sorted(reminders.values_list("membership__user__email", flat=True)) == [
        "alice@acme.test",
        "bob@acme.test",
        "charlie@globex.test",
    ]
    assert all(note.sent_at is not None for note in reminders)
    received = Counter(
        address
        for message, rcpt in zip(smtp_server.messages, smtp_server.recipients, strict=True)
        if message["Subject"].startswith("Check-in day")
        for address in rcpt
    )
    assert received == {"alice@acme.test": 1, "bob@acme.test": 1, "charlie@globex.test": 1}
