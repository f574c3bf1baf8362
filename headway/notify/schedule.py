"""Periodic jobs, scheduled by `headway worker` itself: no cron entries to write.

Each worker runs `scheduler_loop` in a thread. Every tick it works out the current
time slot of every job and tries to claim it by inserting a `ScheduledRun` row; the
database's unique constraint lets exactly one worker win a slot, and the winner
enqueues the job's task in the same transaction. A slot missed while no worker ran
is not replayed: periodic jobs here bring state up to date, so the next slot's run
covers it.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, close_old_connections, transaction
from django.utils import timezone

from .models import ScheduledRun

logger = logging.getLogger(__name__)
TICK_SECONDS = 30.0


@dataclass(frozen=True)
class Job:
    """A task enqueued once per `every`, at `offset` into each period."""

    name: str
    every: dt.timedelta
    task: Callable[[], Any]  # returns the task (imported lazily: apps must be ready)
    offset: dt.timedelta = dt.timedelta(0)

    def slot(self, now: dt.datetime) -> dt.datetime:
        """Start of the period `now` falls in (periods counted from the Unix epoch, UTC)."""
        epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
        period = self.every.total_seconds()
        elapsed = (now - epoch - self.offset).total_seconds()
        return epoch + self.offset + dt.timedelta(seconds=period * (elapsed // period))


def _planner_statistics() -> Any:
    from headway.lib.maintenance import planner_statistics_task

    return planner_statistics_task


def _flags_refresh_all() -> Any:
    from headway.insights.tasks import flags_refresh_all_task

    return flags_refresh_all_task


def _surveys_analyse_ended() -> Any:
    from headway.discovery.tasks import surveys_analyse_ended_task

    return surveys_analyse_ended_task


def _reminders_send() -> Any:
    from headway.notify.tasks import reminders_send_task

    return reminders_send_task


def _digests_send() -> Any:
    from headway.notify.tasks import digests_send_task

    return digests_send_task


def _flags_notify() -> Any:
    from headway.notify.tasks import flags_notify_task

    return flags_notify_task


def _webhook_deliveries_resume() -> Any:
    from headway.notify.webhook_tasks import webhook_deliveries_resume_task

    return webhook_deliveries_resume_task


JOBS: list[Job] = [
    # Overdue check-ins and stalls depend on the calendar, not only on new check-ins.
    Job("flags.refresh", dt.timedelta(hours=1), _flags_refresh_all, dt.timedelta(minutes=5)),
    # A survey that reaches its last day is analysed without anyone closing it by hand.
    Job(
        "surveys.analyse_ended",
        dt.timedelta(hours=1),
        _surveys_analyse_ended,
        dt.timedelta(minutes=20),
    ),
    # Each run sends what is due in organisations whose local reminder or digest time
    # has come; a quarter of an hour is how late one can be. Sent notifications are
    # unique rows, so overlapping runs send nothing twice.
    Job("notify.reminders", dt.timedelta(minutes=15), _reminders_send),
    Job("notify.digests", dt.timedelta(minutes=15), _digests_send, dt.timedelta(minutes=7)),
    # Half an hour after the hourly flag refresh has had time to run.
    Job("notify.flags", dt.timedelta(hours=1), _flags_notify, dt.timedelta(minutes=35)),
    # Deliveries whose task was lost (a worker killed mid-attempt) are queued again.
    Job(
        "webhooks.resume",
        dt.timedelta(minutes=10),
        _webhook_deliveries_resume,
        dt.timedelta(minutes=3),
    ),
    # SQLite's query planner needs statistics that nothing else gathers (lib/maintenance.py).
    Job(
        "database.statistics",
        dt.timedelta(days=1),
        _planner_statistics,
        dt.timedelta(hours=3, minutes=10),
    ),
]


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def tick(now: dt.datetime | None = None, jobs: list[Job] | None = None) -> list[str]:
    """Claim and enqueue every job whose current slot nobody has claimed yet; returns
    the names of the jobs this call enqueued."""
    now = now or timezone.now()
    enqueued = []
    for job in JOBS if jobs is None else jobs:
        slot = job.slot(now)
        if ScheduledRun.objects.filter(job=job.name, slot=slot).exists():
            continue
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(job=job.name, slot=slot, claimed_by=worker_name())
                result = job.task().enqueue()
                run.task_id = str(result.id)
                run.save(update_fields=["task_id"])
        except IntegrityError:
            continue  # another worker claimed this slot first
        enqueued.append(job.name)
    return enqueued


def scheduler_loop(stop: threading.Event, seconds: float = TICK_SECONDS) -> None:
    """Tick until `stop` is set; a failing tick is logged and retried next time."""
    while not stop.is_set():
        try:
            tick()
        except Exception:
            logger.exception("The scheduler tick failed; retrying in %s s.", seconds)
        finally:
            close_old_connections()
        stop.wait(seconds)


def scheduler_start(seconds: float = TICK_SECONDS) -> threading.Event:
    """Run the scheduler in a daemon thread; set the returned event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(
        target=scheduler_loop, args=(stop, seconds), name="headway-scheduler", daemon=True
    )
    thread.start()
    return stop
