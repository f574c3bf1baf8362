"""Crash consistency, the suite's short run of the kill harness (the full one is
`make crash`, scripts/kill_harness.py): check-ins and imports keep coming while
gunicorn (master and workers together, or one worker) and the task worker are killed
with SIGKILL and started again. Afterwards no import is half written or left hanging,
every check-in that got a 2xx is stored exactly once, no request got a 5xx, and
`headway recompute --verify` is clean. SQLite, or PostgreSQL with
HEADWAY_DATABASE_URL."""

from __future__ import annotations

from pathlib import Path

import pytest

from .crash import run

pytestmark = pytest.mark.worker  # starts gunicorn and a task worker


def test_nothing_acknowledged_is_lost_and_no_import_is_half_written_after_kills(
    tmp_path: Path,
) -> None:
    # One restart of the whole server (the slow kind: new workers load Django), the rest
    # cheaper: a gunicorn worker, and the task worker, aimed at imports in flight.
    plan = ["web", "web-worker", "worker", "worker", "web-worker"]
    figures = run(
        tmp_path,
        kills=len(plan),
        clients=4,
        import_objectives=60,
        pause=(0.3, 1.2),
        out=lambda _: None,
        plan=plan,
    )

    assert figures.kills == {"web": 1, "web-worker": 2, "worker": 2}
    assert figures.acknowledged > 20, figures.summary()
    assert figures.imports["done"] >= 1, figures.summary()
    assert figures.ok, (
        figures.summary()
        + "\n"
        + "\n".join(figures.missing + figures.duplicated + figures.partial_imports)
    )
