"""The settings module reads HEADWAY_* variables and refuses unsafe production setups."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from headway.lib.env import ConfigError, env_bool, env_int, env_list

from .support import ROOT


def _settings_in_child(tmp_path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HEADWAY_")}
    clean.update({"HEADWAY_DATA_DIR": str(tmp_path), **env})
    code = "import headway.settings as s; print(s.SECRET_KEY); print(s.DEBUG, s.ALLOWED_HOSTS)"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = _settings_in_child(
        tmp_path, HEADWAY_ENV="production", HEADWAY_ALLOWED_HOSTS="okr.example.com"
    )
    assert result.returncode != 0
    assert "HEADWAY_SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts(tmp_path):
    result = _settings_in_child(tmp_path, HEADWAY_ENV="production", HEADWAY_SECRET_KEY="x" * 60)
    assert result.returncode != 0
    assert "HEADWAY_ALLOWED_HOSTS must be set" in result.stderr


def test_production_starts_with_both(tmp_path):
    result = _settings_in_child(
        tmp_path,
        HEADWAY_ENV="production",
        HEADWAY_SECRET_KEY="k" * 60,
        HEADWAY_ALLOWED_HOSTS="okr.example.com, www.okr.example.com",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "k" * 60,
        "False ['okr.example.com', 'www.okr.example.com']",
    ]


def test_a_local_run_generates_its_secret_key_once(tmp_path):
    first = _settings_in_child(tmp_path)
    second = _settings_in_child(tmp_path)
    assert first.returncode == 0, first.stderr
    key = first.stdout.splitlines()[0]
    assert len(key) >= 50
    assert second.stdout.splitlines()[0] == key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_an_unknown_environment_is_named_in_the_error(tmp_path):
    result = _settings_in_child(tmp_path, HEADWAY_ENV="staging")
    assert "HEADWAY_ENV must be development or production" in result.stderr


@pytest.mark.parametrize(
    ("reader", "raw", "expected"),
    [
        (lambda e: env_bool("X", False, e), "yes", True),
        (lambda e: env_bool("X", True, e), "off", False),
        (lambda e: env_bool("X", True, e), "", True),
        (lambda e: env_int("X", 5, e), "12", 12),
        (lambda e: env_int("X", 5, e), "", 5),
        (lambda e: env_list("X", ["a"], e), "b, c,,", ["b", "c"]),
    ],
)
def test_env_readers(reader, raw, expected):
    assert reader({"X": raw}) == expected


@pytest.mark.parametrize(("reader", "raw"), [(env_bool, "maybe"), (env_int, "ten")])
def test_a_malformed_variable_names_itself(reader, raw):
    with pytest.raises(ConfigError, match="HEADWAY_THING"):
        reader("HEADWAY_THING", 1, {"HEADWAY_THING": raw})


def test_the_default_sqlite_database_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    # In a child process with no HEADWAY_DATABASE_URL, so the default is checked on
    # both CI legs (the suite itself may run on PostgreSQL).
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'headway.settings'; django.setup();"
        "from django.db import connection; c = connection.cursor();"
        "print(c.execute('PRAGMA journal_mode').fetchone()[0], c.execute('PRAGMA busy_timeout').fetchone()[0])"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HEADWAY_")}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        env={**clean, "HEADWAY_DATA_DIR": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "20000"]
