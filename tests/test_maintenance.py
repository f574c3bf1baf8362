"""The daily "database.statistics" job gives SQLite's planner the statistics that
choose a team's index over the organisation's (measured at scale L in
docs/performance.md; a handful of rows here would plan the same either way) (headway/lib/maintenance.py)."""

from __future__ import annotations

import pytest
from django.db import connection

from headway.goals.selectors import key_results_due
from headway.lib.maintenance import planner_statistics_refresh, planner_statistics_task
from tests.okrs import build


@pytest.mark.django_db
def test_sqlite_gets_statistics_and_plans_a_teams_check_in_screen_from_its_objectives(world):
    okrs = build(world)
    due = key_results_due(world.bob, team_id=world.platform.pk)
    if connection.vendor != "sqlite":
        assert planner_statistics_refresh() is False  # autovacuum analyses PostgreSQL
        return
    assert planner_statistics_refresh() is True
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'goals_keyresult'")
        assert cursor.fetchone()[0] > 0
    assert list(due) == [okrs.deploys, okrs.incidents]


@pytest.mark.django_db
def test_the_scheduled_task_runs_it():
    result = planner_statistics_task.call()
    assert result is (connection.vendor == "sqlite")
