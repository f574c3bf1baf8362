"""Periodic jobs: each time slot runs once, however many workers race for it."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone as django_timezone
from django_tasks_db.models import DBTaskResult

from headway.goals import services
from headway.goals.models import KeyResult
from headway.insights.models import Flag
from headway.notify.models import ScheduledRun
from headway.notify.schedule import JOBS, Job, tick
from tests.conftest import World
from tests.factories import CycleFactory
from tests.support import headway_start

UTC = dt.UTC
HOURLY = Job("test.hourly", dt.timedelta(hours=1), lambda: None, dt.timedelta(minutes=5))


@pytest.mark.parametrize(
    ("now", "slot"),
    [
        (
            dt.datetime(2026, 11, 29, 10, 4, 59, tzinfo=UTC),
            dt.datetime(2026, 11, 29, 9, 5, tzinfo=UTC),
        ),
        (
            dt.datetime(2026, 11, 29, 10, 5, 0, tzinfo=UTC),
            dt.datetime(2026, 11, 29, 10, 5, tzinfo=UTC),
        ),
        (
            dt.datetime(2026, 11, 29, 10, 59, tzinfo=UTC),
            dt.datetime(2026, 11, 29, 10, 5, tzinfo=UTC),
        ),
        (
            dt.datetime(2026, 11, 29, 11, 5, 1, tzinfo=UTC),
            dt.datetime(2026, 11, 29, 11, 5, tzinfo=UTC),
        ),
    ],
    ids=["just before the offset", "on the offset", "late in the period", "next period"],
)
def test_a_slot_starts_at_the_period_plus_its_offset(now: dt.datetime, slot: dt.datetime) -> None:
    assert HOURLY.slot(now) == slot


@pytest.mark.django_db
def test_a_tick_enqueues_each_job_once_per_slot() -> None:
    now = dt.datetime(2026, 11, 29, 10, 40, tzinfo=UTC)
    every_job = [job.name for job in JOBS]
    assert tick(now) == every_job
    assert tick(now + dt.timedelta(minutes=2)) == []  # same slots: already claimed
    # A quarter of an hour on, only the quarter-hourly notification jobs and the
    # ten-minute webhook safety net have a new slot.
    assert tick(now + dt.timedelta(minutes=15)) == [
        "notify.reminders",
        "notify.digests",
        "webhooks.resume",
    ]
    # An hour on, every job but the daily one.
    assert tick(now + dt.timedelta(hours=1)) == [n for n in every_job if n != "database.statistics"]
    runs = ScheduledRun.objects.filter(job="flags.refresh").order_by("slot")
    assert [run.slot.hour for run in runs] == [10, 11]
    assert DBTaskResult.objects.filter(pk__in=[run.task_id for run in runs]).count() == 2


@pytest.mark.django_db(transaction=True)
def test_threads_racing_for_one_slot_enqueue_it_once() -> None:
    # SQLite writers queue on the file lock (processes race in the test below).
    threads_count = 2 if connection.vendor == "sqlite" else 6
    now = dt.datetime(2026, 11, 29, 10, 30, tzinfo=UTC)
    results: list[list[str]] = []
    barrier = threading.Barrier(threads_count)

    def race() -> None:
        barrier.wait()
        try:
            results.append(tick(now))
        finally:
            connection.close()

    threads = [threading.Thread(target=race) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Every job's slot went to exactly one thread, whichever it was.
    assert sorted(name for names in results for name in names) == sorted(j.name for j in JOBS)
    assert ScheduledRun.objects.count() == len(JOBS)
    assert DBTaskResult.objects.count() == len(JOBS)


def stalled_key_result(world: World) -> KeyResult:
    """A key result of a cycle running today, flat for four weekly check-ins, far behind."""
    today = django_timezone.localdate()
    cycle = CycleFactory(
        organisation=world.acme,
        start_date=today - dt.timedelta(days=60),
        end_date=today + dt.timedelta(days=30),
    )
    objective = services.objective_create(
        member=world.bob,
        cycle_id=cycle.pk,
        owner_team_id=world.platform.pk,
        title="Ship without fear",
        key_results=[
            {"title": "Deploys a week", "kind": "increase", "start_value": 2, "target_value": 10}
        ],
    )
    key_result = objective.key_results.get()
    for weeks_ago in (4, 3, 2, 1):
        services.checkin_create(
            member=world.bob,
            key_result_id=key_result.pk,
            value=3,
            confidence=5,
            at=django_timezone.now() - dt.timedelta(weeks=weeks_ago),
        )
    return key_result


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_two_batch_workers_run_the_hourly_flag_refresh_once(world: World) -> None:
    stalled = stalled_key_result(world)
    workers = [headway_start("worker", "--batch", "--no-startup-delay") for _ in range(2)]
    outputs = [worker.communicate(timeout=120) for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], [err for _, err in outputs]
    assert ScheduledRun.objects.filter(job="flags.refresh").count() == 1
    refreshes = DBTaskResult.objects.filter(task_path__endswith="flags_refresh_task")
    assert {row.status for row in refreshes} == {"SUCCESSFUL"}
    # One refresh per organisation, and the stalled key result got its flag.
    assert refreshes.count() == 2
    assert Flag.objects.filter(key_result=stalled, kind="stall", resolved_at=None).exists()


def test_the_worker_schedules_flags_surveys_notifications_and_lost_deliveries() -> None:
    assert [job.name for job in JOBS] == [
        "flags.refresh",
        "surveys.analyse_ended",
        "notify.reminders",
        "notify.digests",
        "notify.flags",
        "webhooks.resume",
        "database.statistics",
    ]


def test_flag_notifications_go_out_after_the_hourly_flag_refresh() -> None:
    jobs = {job.name: job for job in JOBS}
    assert jobs["notify.flags"].every == jobs["flags.refresh"].every
    assert jobs["notify.flags"].offset > jobs["flags.refresh"].offset
