"""`--db sqlite|postgres`: run the benchmark on its own database.

The command re-executes itself with HEADWAY_DATABASE_URL pointing at the benchmark
database (settings are read once, at start-up), after creating it if missing; the
new process migrates it. Without `--db` the configured database is used.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

POSTGRES_SERVER = "postgres://postgres@127.0.0.1:5432"
POSTGRES_NAME = "headway_bench"
MARK = "HEADWAY_BENCH_DB"


def url_for(db: str) -> str:
    if db == "postgres":
        return f"{POSTGRES_SERVER}/{POSTGRES_NAME}"
    return f"sqlite:///{settings.DATA_DIR / 'bench.sqlite3'}"


def _create_postgres() -> None:
    import psycopg

    with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [POSTGRES_NAME]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{POSTGRES_NAME}"')


def use(db: str, out: Callable[[str], None]) -> None:
    """Switch this command to the benchmark database `db` (re-executing), or, in the
    re-executed process, migrate it."""
    if os.environ.get(MARK) == db:
        call_command("migrate", verbosity=0)
        return
    try:
        start = sys.argv.index("bench")
    except ValueError:
        raise CommandError(
            "--db works from the command line only (headway bench ... --db)."
        ) from None
    if db == "postgres":
        _create_postgres()
    env = {**os.environ, MARK: db, "HEADWAY_DATABASE_URL": url_for(db)}
    out(f"Using the benchmark database {env['HEADWAY_DATABASE_URL']}")
    sys.stdout.flush()
    os.execve(sys.executable, [sys.executable, "-m", "headway.cli", *sys.argv[start:]], env)


def current_url() -> str:
    """A HEADWAY_DATABASE_URL for the database this process uses (for gunicorn)."""
    configured = os.environ.get("HEADWAY_DATABASE_URL")
    if configured:
        return configured
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{database['NAME']}"
    raise CommandError("Set HEADWAY_DATABASE_URL to run the throughput test on this database.")
