"""A real task goes through a real worker process, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from django_tasks_db.models import DBTaskResult

from headway.lib.mail import email_send

from .support import headway, headway_start

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_queued_email_is_sent_by_the_worker():
    result = email_send.enqueue(
        to=["erin@acme.test"], subject="Welcome to Headway", text="Hello from the queue."
    )
    assert DBTaskResult.objects.get(pk=result.id).status == "READY"

    worker = headway("worker", "--batch", "--no-startup-delay", "--max-tasks", "1")

    assert worker.returncode == 0, worker.stderr
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "SUCCESSFUL"
    assert row.return_value == 1  # one message delivered
    # Locally e-mail goes to the console backend: the worker printed the message.
    assert "Subject: Welcome to Headway" in worker.stdout
    assert "To: erin@acme.test" in worker.stdout


def test_two_workers_at_once_run_every_task_exactly_once():
    ids = [
        email_send.enqueue(to=[f"p{n}@acme.test"], subject=f"n{n}", text=".").id for n in range(20)
    ]
    workers = [headway_start("worker", "--batch", "--no-startup-delay") for _ in range(2)]
    outputs = [worker.communicate(timeout=60) for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], [err for _, err in outputs]
    rows = DBTaskResult.objects.filter(pk__in=ids)
    assert {row.status for row in rows} == {"SUCCESSFUL"}
    subjects = [
        line for out, _ in outputs for line in out.splitlines() if line.startswith("Subject: n")
    ]
    assert sorted(subjects) == sorted(f"Subject: n{n}" for n in range(20))
