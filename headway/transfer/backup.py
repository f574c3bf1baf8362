"""Backups of the whole database, and restores from them (docs/backup.md).

- SQLite: the online backup API (`sqlite3.Connection.backup`) copies the file in one
  step inside a read transaction, so the copy is one consistent moment even while the
  web and the worker keep writing (WAL lets them). The copy is written beside the
  target and renamed into place, so a half-written backup never carries its name, and
  is checked with `PRAGMA integrity_check` before that.
- PostgreSQL: `pg_dump -Fc` (one consistent snapshot, compressed) and
  `pg_restore --clean --if-exists --single-transaction`, so a restore that fails half
  way leaves the database as it was.

A backup file says what it is by its first bytes: restoring a SQLite backup into
PostgreSQL (or the reverse) is refused before anything is touched.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"
SQLITE = "sqlite"
POSTGRESQL = "postgresql"


class BackupError(Exception):
    """A backup or restore that cannot run, with what to do about it."""


@dataclass(frozen=True)
class Result:
    path: Path
    size: int
    seconds: float

    def summary(self, verb: str) -> str:
        return f"{verb} {self.path} ({self.size / 2**20:.1f} MB) in {self.seconds:.2f} s."


def vendor_of(database: Mapping[str, Any]) -> str:
    engine = str(database["ENGINE"])
    if "sqlite" in engine:
        return SQLITE
    if "postgresql" in engine:
        return POSTGRESQL
    raise BackupError(f"Backups support SQLite and PostgreSQL, not {engine}.")


def kind_of(path: Path) -> str:
    """Which database a backup file holds, from its first bytes."""
    with path.open("rb") as file:
        head = file.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return SQLITE
    if head.startswith(PG_MAGIC):
        return POSTGRESQL
    raise BackupError(f"{path} is not a Headway backup (neither SQLite nor pg_dump -Fc).")


def default_name(database: Mapping[str, Any], when: float | None = None) -> str:
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(when))
    extension = "sqlite3" if vendor_of(database) == SQLITE else "dump"
    return f"headway-{stamp}.{extension}"


def backup(database: Mapping[str, Any], target: Path) -> Result:
    """Write a backup of `database` (a Django DATABASES entry) to `target`."""
    started = time.monotonic()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if vendor_of(database) == SQLITE:
            _sqlite_backup(Path(database["NAME"]), partial)
        else:
            _pg_run(["pg_dump", "-Fc", "--no-owner", "-f", str(partial)], database)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return Result(target, target.stat().st_size, time.monotonic() - started)


def restore(database: Mapping[str, Any], source: Path) -> Result:
    """Replace everything in `database` with the backup at `source`."""
    started = time.monotonic()
    if not source.is_file():
        raise BackupError(f"No backup file at {source}.")
    vendor, kind = vendor_of(database), kind_of(source)
    if vendor != kind:
        raise BackupError(
            f"{source} is a {kind} backup; this server's database is {vendor}. "
            "Restore it into a database of the same kind."
        )
    if vendor == SQLITE:
        _sqlite_restore(source, Path(database["NAME"]))
    else:
        _pg_run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                str(source),
            ],
            database,
        )
    return Result(source, source.stat().st_size, time.monotonic() - started)


def _sqlite_backup(name: Path, target: Path) -> None:
    if not name.is_file():
        raise BackupError(f"No SQLite database at {name}.")
    source = sqlite3.connect(f"file:{name}?mode=ro", uri=True, timeout=30)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # all pages in one step: one consistent snapshot
        copy.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
        _integrity(copy, target)
    finally:
        copy.close()
        source.close()


def _sqlite_restore(source: Path, name: Path) -> None:
    backup_file = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        _integrity(backup_file, source)
        live = sqlite3.connect(name, timeout=30)
        try:
            # The backup API replaces every page of the live database under its write
            # lock: readers see the old or the new database, never a mix.
            backup_file.backup(live)
        finally:
            live.close()
    finally:
        backup_file.close()


def _integrity(connection: sqlite3.Connection, path: Path) -> None:
    verdict = connection.execute("PRAGMA integrity_check").fetchone()[0]
    if verdict != "ok":
        raise BackupError(f"{path} failed SQLite's integrity check: {verdict}")


def _pg_run(command: list[str], database: Mapping[str, Any]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(
            f"{command[0]} is not installed: install the PostgreSQL client tools "
            "(Debian: apt-get install postgresql-client) of the server's major version."
        )
    env = {**os.environ, **_pg_environment(database)}
    result = subprocess.run(
        [*command, "--dbname", str(database["NAME"])],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()}")


def _pg_environment(database: Mapping[str, Any]) -> dict[str, str]:
    """libpq's variables for this database; the password never goes on a command line."""
    values = {
        "PGHOST": database.get("HOST"),
        "PGPORT": database.get("PORT"),
        "PGUSER": database.get("USER"),
        "PGPASSWORD": database.get("PASSWORD"),
    }
    return {name: str(value) for name, value in values.items() if value}
