"""Keeping the database's query planner informed.

SQLite plans queries from statistics that only `ANALYZE` gathers, and nothing runs it
by itself: without them it takes any equality for the most selective filter, for
instance `organisation_id = ?` (which holds for every row of a one-organisation
install) before `owner_team_id = ?`, and a team's check-in screen at scale L walks
60,000 key results (15.7 ms) instead of that team's few (1.3 ms, docs/performance.md).
PostgreSQL's autovacuum analyses tables as they change; nothing is needed there.
"""

from __future__ import annotations

from django.db import connection
from django_tasks import task

# Rows SQLite reads per index when it analyses (approximate statistics, a fraction
# of a second even at scale L); 0 would read every row.
ANALYSIS_LIMIT = 1000


def planner_statistics_refresh() -> bool:
    """Refresh the planner's statistics where the database does not do it itself;
    True when it ran."""
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}")
        cursor.execute("ANALYZE")
    return True


@task()
def planner_statistics_task() -> bool:
    """The daily schedule's run of `planner_statistics_refresh`."""
    return planner_statistics_refresh()
