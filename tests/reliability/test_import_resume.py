"""An import whose worker died mid-task is finished by the next worker, once.

A SIGKILLed worker leaves its task "running" for ever; before `imports_resume` its
import stayed "importing", neither written nor cancellable (found by the kill harness,
tests/reliability/crash.py). `headway worker` now queues such imports again at start.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from headway.goals.models import Objective
from headway.notify.schedule import worker_name
from headway.transfer import services
from headway.transfer.models import ImportJob
from tests.support import headway_start
from tests.transfer.conftest import AcmeOkrs
from tests.transfer.importing import checkin, csv_bytes, key_result, objective

HOST = worker_name().rsplit(":", 1)[0]


def confirmed_import(okrs: AcmeOkrs, title: str) -> ImportJob:
    """A checked and confirmed import whose write task is queued, not yet run."""
    rows = [
        objective("O1", title, team="Operations / Hubs"),
        key_result("K1", "O1", f"{title}: on-time deliveries", start="80", target="95"),
        checkin("K1", okrs.today, "85", 6),
    ]
    alice = okrs.world.alice
    job = services.import_upload(
        member=alice, filename="okrs.csv", content=csv_bytes(rows), format="csv", queue=False
    )
    services.import_validate(job.pk)
    services.import_confirm(member=alice, job_id=job.pk)
    return ImportJob.objects.get(pk=job.pk)


def claimed(job: ImportJob, by: str, started: dt.datetime | None = None) -> None:
    """Its write task as a worker named `by` left it: claimed, running."""
    task = DBTaskResult.objects.get(
        task_path__endswith="import_write_task", args_kwargs__args=[job.pk]
    )
    task.status = "RUNNING"
    task.worker_ids = [by]
    task.started_at = started or timezone.now()
    task.save(update_fields=["status", "worker_ids", "started_at"])


def dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_next_worker_writes_an_import_whose_worker_was_killed_and_only_that_one(
    acme_okrs: AcmeOkrs,
) -> None:
    lost = confirmed_import(acme_okrs, "Deliver on time")
    claimed(lost, f"{HOST}:{dead_pid()}")
    busy = confirmed_import(acme_okrs, "Sort without errors")
    claimed(busy, f"{HOST}:{os.getpid()}")  # a worker that is alive: this process

    worker = headway_start("worker", "--batch", "--no-startup-delay", "--no-scheduler")
    _, err = worker.communicate(timeout=120)

    assert worker.returncode == 0, err
    assert ImportJob.objects.get(pk=lost.pk).status == "done"
    assert Objective.objects.filter(title="Deliver on time").count() == 1
    assert ImportJob.objects.get(pk=busy.pk).status == "importing"
    assert not Objective.objects.filter(title="Sort without errors").exists()


@pytest.mark.django_db(transaction=True)  # the confirm queues its write on commit
def test_a_task_running_for_too_long_on_another_machine_counts_as_lost(
    acme_okrs: AcmeOkrs,
) -> None:
    job = confirmed_import(acme_okrs, "Deliver on time")
    started = timezone.now()
    claimed(job, "elsewhere:123", started)

    assert services.imports_resume(now=started + dt.timedelta(minutes=5)) == []
    assert services.imports_resume(now=started + services.LOST_AFTER * 2) == [job.pk]


@pytest.mark.django_db(transaction=True)  # the confirm queues its write on commit
def test_a_resumed_write_beside_one_that_finished_writes_nothing_more(
    acme_okrs: AcmeOkrs,
) -> None:
    job = confirmed_import(acme_okrs, "Deliver on time")
    # Two runs of the write task: both checked the file while the job was importing...
    first = services.import_check_job(job)
    second = services.import_check_job(job)
    services._write(job, *first)
    assert ImportJob.objects.get(pk=job.pk).status == "done"

    # ... and the second finds the job written when it starts its transaction.
    again = services._write(ImportJob.objects.get(pk=job.pk), *second)

    assert again.status == "done"
    assert Objective.objects.filter(title="Deliver on time").count() == 1
