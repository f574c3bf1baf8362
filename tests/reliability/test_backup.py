"""Backup and restore (issue 12, point 6) on the suite's database, SQLite or PostgreSQL
(HEADWAY_DATABASE_URL): a backup taken while check-ins are being written restores to a
consistent database (`recompute --verify` clean), and a backup of a quiet database
restores to the same rows, table by table (count and content hash)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from headway.demo.build import demo_build
from headway.goals import services as goals
from headway.goals.models import CheckIn
from headway.transfer.backup import POSTGRESQL, SQLITE, backup, restore, vendor_of
from tests.conftest import make_world
from tests.okrs import build as build_okrs
from tests.support import ROOT

Digest = dict[str, tuple[int, str]]


def database() -> dict[str, Any]:
    return dict(connection.settings_dict)


# --- another database to restore into ----------------------------------------------------


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """An empty database of the suite's kind, dropped afterwards."""
    settings = database()
    if vendor_of(settings) == SQLITE:
        yield {**settings, "NAME": str(tmp_path / "restored.sqlite3")}
        return
    import psycopg

    name = f"{settings['NAME']}_restored"[:63]
    admin = {**settings, "NAME": "postgres"}
    with psycopg.connect(**_pg_args(admin), autocommit=True) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}"')
        server.execute(f'CREATE DATABASE "{name}"')
    yield {**settings, "NAME": name}
    with psycopg.connect(**_pg_args(admin), autocommit=True) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _pg_args(settings: dict[str, Any]) -> dict[str, Any]:
    args = {
        "dbname": settings["NAME"],
        "host": settings.get("HOST") or None,
        "port": settings.get("PORT") or None,
        "user": settings.get("USER") or None,
        "password": settings.get("PASSWORD") or None,
    }
    return {k: v for k, v in args.items() if v}


def url_of(settings: dict[str, Any]) -> str:
    if vendor_of(settings) == SQLITE:
        return f"sqlite:///{settings['NAME']}"
    user = settings.get("USER") or "postgres"
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    host, port = settings.get("HOST") or "127.0.0.1", settings.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"


# --- comparing databases -----------------------------------------------------------------


def digest(settings: dict[str, Any]) -> Digest:
    """Every table's row count and a hash of its rows (sorted, so order does not count)."""
    if vendor_of(settings) == SQLITE:
        import sqlite3

        db = sqlite3.connect(settings["NAME"])
        tables = [
            row[0]
            for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        result = {t: _hash(db.execute(f'SELECT * FROM "{t}"').fetchall()) for t in tables}
        db.close()
        return result
    import psycopg

    with psycopg.connect(**_pg_args(settings)) as db:
        tables = [
            row[0]
            for row in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        return {t: _hash(db.execute(f'SELECT * FROM "{t}"').fetchall()) for t in tables}


def _hash(rows: list[Any]) -> tuple[int, str]:
    lines = sorted(repr(tuple(row)) for row in rows)
    return len(lines), hashlib.sha256("\n".join(lines).encode()).hexdigest()


def verify(settings: dict[str, Any], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """`headway recompute --verify` against that database, in its own process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEADWAY_")}
    env.update(HEADWAY_DATABASE_URL=url_of(settings), HEADWAY_DATA_DIR=str(tmp_path / "verify"))
    return subprocess.run(
        [sys.executable, "manage.py", "recompute", "--verify"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def count(settings: dict[str, Any], table: str) -> int:
    return digest(settings)[table][0]


# --- a writer ----------------------------------------------------------------------------


class Writer(threading.Thread):
    """Check-ins through the service, one after another, until stopped."""

    def __init__(self, member: Any, key_result_ids: list[int]) -> None:
        super().__init__(daemon=True)
        self.member, self.key_result_ids = member, key_result_ids
        self.stop = threading.Event()
        self.written = 0
        self.error: BaseException | None = None

    def run(self) -> None:
        from django.db import connection as own

        try:
            while not self.stop.is_set():
                kr = self.key_result_ids[self.written % len(self.key_result_ids)]
                goals.checkin_create(
                    member=self.member, key_result_id=kr, value=self.written % 90, confidence=6
                )
                self.written += 1
        except BaseException as error:  # reported by the test
            self.error = error
        finally:
            own.close()


def small_writer() -> Writer:
    """A writer over three key results of a small organisation (the demo, built once
    below, is for the every-table comparison; the writes need only a few rows)."""
    world = make_world()
    okrs = build_okrs(world)
    return Writer(world.alice, [okrs.deploys.pk, okrs.incidents.pk, okrs.revenue.pk])


# --- the tests ---------------------------------------------------------------------------


def test_a_backup_taken_while_check_ins_are_written_restores_consistent(
    transactional_db: None, tmp_path: Path, fresh: dict[str, Any]
) -> None:
    writer = small_writer()
    writer.start()
    while writer.written < 20 and writer.is_alive():
        time.sleep(0.01)
    for _attempt in range(10):  # a small database backs up fast: retry until writes overlap
        before = CheckIn.objects.count()
        made = backup(database(), tmp_path / "during.bak")
        after = CheckIn.objects.count()
        if after > before:
            break
    writer.stop.set()
    writer.join(30)
    assert writer.error is None, writer.error
    assert after > before, "check-ins were being written during the backup"

    restore(fresh, made.path)
    restored = count(fresh, "goals_checkin")
    assert before <= restored <= after
    checked = verify(fresh, tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    print(
        f"\nbackup during writes ({connection.vendor}): {made.size / 2**20:.1f} MB in "
        f"{made.seconds:.2f} s; {restored} check-ins in the copy ({before}..{after} live)"
    )


def test_a_backup_restores_every_row_of_every_table(
    transactional_db: None, tmp_path: Path, fresh: dict[str, Any]
) -> None:
    demo_build()
    source = digest(database())
    made = backup(database(), tmp_path / "quiet.bak")
    restored = restore(fresh, made.path)
    copy = digest(fresh)
    assert copy == source
    assert source["goals_checkin"][0] > 100, "a real amount of data"
    checked = verify(fresh, tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    rows = sum(n for n, _ in source.values())
    print(
        f"\n{connection.vendor}: {len(source)} tables, {rows} rows; backup "
        f"{made.size / 2**20:.1f} MB in {made.seconds:.2f} s, restore {restored.seconds:.2f} s"
    )


def test_the_commands_put_the_database_back_as_it_was(
    transactional_db: None, tmp_path: Path
) -> None:
    writer = small_writer()  # not started: its member and key results are used below
    path = tmp_path / "cli.bak"
    call_command("backup", str(path))
    before = digest(database())
    goals.checkin_create(
        member=writer.member, key_result_id=writer.key_result_ids[0], value=1, confidence=2
    )
    assert digest(database()) != before
    call_command("restore", str(path), yes=True)
    assert digest(database()) == before
    checked = verify(database(), tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_restore_refuses_a_file_that_is_not_a_backup_of_this_kind(
    transactional_db: None, tmp_path: Path
) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("not a backup")
    with pytest.raises(CommandError, match="not a Headway backup"):
        call_command("restore", str(junk), yes=True)
    other = tmp_path / "other.bak"
    other.write_bytes(
        b"PGDMP" if vendor_of(database()) == SQLITE else b"SQLite format 3\x00" + b"\0" * 100
    )
    with pytest.raises(CommandError, match="Restore it into a database of the same kind"):
        call_command("restore", str(other), yes=True)


def test_the_backup_command_names_its_file_by_the_time(
    transactional_db: None, tmp_path: Path, settings: Any, capsys: Any
) -> None:
    settings.DATA_DIR = tmp_path
    call_command("backup")
    (made,) = (tmp_path / "backups").iterdir()
    extension = {SQLITE: ".sqlite3", POSTGRESQL: ".dump"}[vendor_of(database())]
    assert made.name.startswith("headway-") and made.suffix == extension
    assert "Backed up to" in capsys.readouterr().out
