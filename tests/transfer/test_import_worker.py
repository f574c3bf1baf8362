"""An import through the real queue: the upload queues its check, a batch worker runs
it; the confirm queues the write, a batch worker writes it."""

from __future__ import annotations

import pytest
from django_tasks_db.models import DBTaskResult

from headway.goals.models import Objective
from headway.transfer import services
from headway.transfer.models import ImportJob
from tests.support import headway_start
from tests.transfer.importing import checkin, csv_bytes, key_result, objective


def drain() -> None:
    worker = headway_start("worker", "--batch", "--no-startup-delay", "--no-scheduler")
    _, err = worker.communicate(timeout=120)
    assert worker.returncode == 0, err


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_batch_worker_checks_then_writes_an_import(acme_okrs):
    alice = acme_okrs.world.alice
    rows = [
        objective("O1", "Deliver on time", team="Operations / Hubs"),
        key_result("K1", "O1", "On-time deliveries", start="80", target="95"),
        checkin("K1", acme_okrs.today, "85", 6),
    ]
    job = services.import_upload(
        member=alice, filename="okrs.csv", content=csv_bytes(rows), format="csv"
    )
    assert DBTaskResult.objects.filter(task_path__endswith="import_validate_task").count() == 1
    drain()
    job.refresh_from_db()
    assert job.status == "ready", (job.errors, job.message)
    assert job.preview["counts"]["objectives"] == 1

    services.import_confirm(member=alice, job_id=job.pk)
    drain()
    job = ImportJob.objects.get(pk=job.pk)
    assert job.status == "done", job.message
    assert (
        Objective.objects.get(organisation=alice.organisation).key_results.get().current_value == 85
    )
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
