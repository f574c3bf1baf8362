"""SQLite writers queue on a lock file, not on SQLite's stepped busy wait
(headway/lib/sqlite_backend)."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest
from django.db import connection, connections, transaction

from headway.teams.models import Team

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'sqlite'", reason="SQLite only"),
]


@pytest.fixture
def impatient_sqlite() -> Iterator[None]:
    """New connections give up on SQLite's own lock after 50 ms."""
    options = connections.settings["default"]["OPTIONS"]
    before = options["timeout"]
    options["timeout"] = 0.05
    yield
    options["timeout"] = before


def _writer(name: str, org_id: int, events: list[str], hold: threading.Event | None) -> None:
    try:
        with transaction.atomic():
            events.append(f"{name} began")
            Team.objects.create(organisation_id=org_id, name=name, slug=name.lower())
            if hold is not None:
                hold.wait(5)
        events.append(f"{name} committed")
    except Exception as error:  # the test asserts on what the writer met
        events.append(f"{name} failed: {error}")
    finally:
        connection.close()


def test_a_second_writer_waits_for_the_first_longer_than_sqlites_own_timeout(
    world, impatient_sqlite
):
    events: list[str] = []
    release = threading.Event()
    first = threading.Thread(target=_writer, args=("First", world.acme.pk, events, release))
    first.start()
    while "First began" not in events:
        threading.Event().wait(0.01)
    second = threading.Thread(target=_writer, args=("Second", world.acme.pk, events, None))
    second.start()
    second.join(0.3)  # six times SQLite's timeout: still waiting, not failed
    assert second.is_alive() and not any("failed" in e for e in events)
    release.set()
    first.join()
    second.join()
    # "First committed" is noted after the lock is released, so it may race "Second began".
    assert events[0] == "First began" and sorted(events[1:]) == [
        "First committed",
        "Second began",
        "Second committed",
    ]
    assert Team.objects.filter(name__in=["First", "Second"]).count() == 2


def test_a_rolled_back_writer_releases_the_lock(world, impatient_sqlite):
    with pytest.raises(RuntimeError), transaction.atomic():
        Team.objects.create(organisation_id=world.acme.pk, name="Gone", slug="gone")
        raise RuntimeError("abandon")
    events: list[str] = []
    other = threading.Thread(target=_writer, args=("After", world.acme.pk, events, None))
    other.start()
    other.join(5)
    assert events == ["After began", "After committed"]
    assert not Team.objects.filter(name="Gone").exists()


def test_a_killed_process_holding_the_lock_does_not_block_the_others(world, impatient_sqlite):
    lock_path = connection.settings_dict["NAME"] + ".writelock"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys, time\n"
            f"fd = os.open({str(lock_path)!r}, os.O_RDWR | os.O_CREAT)\n"
            "fcntl.flock(fd, fcntl.LOCK_EX)\n"
            "print('held', flush=True)\n"
            "time.sleep(60)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    events: list[str] = []
    waiter = threading.Thread(target=_writer, args=("Waiter", world.acme.pk, events, None))
    waiter.start()
    waiter.join(0.3)
    assert waiter.is_alive()  # queued behind the other process
    holder.kill()
    holder.wait()
    waiter.join(5)
    assert events == ["Waiter began", "Waiter committed"]
