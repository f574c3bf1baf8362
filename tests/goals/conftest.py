from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from headway.goals import services
from headway.goals.models import Cycle, CycleStatus, KeyResult, Objective


@dataclass
class Okrs:
    year: Cycle
    quarter: Cycle
    company: Objective  # owned by the root team, one key result
    revenue: KeyResult
    platform: Objective  # owned by Platform, contributes to company
    deploys: KeyResult  # increase 2 -> 10 deploys a week
    incidents: KeyResult  # decrease 12 -> 4 incidents


@pytest.fixture
def okrs(world) -> Okrs:
    year = services.year_with_quarters(member=world.alice, year=2026)
    quarter = Cycle.objects.get(organisation=world.acme, name="2026 Q4")
    Cycle.objects.filter(pk__in=[year.pk, quarter.pk]).update(status=CycleStatus.ACTIVE)
    company = services.objective_create(
        member=world.alice,
        cycle_id=year.pk,
        owner_team_id=world.root.pk,
        title="Win the mid-market",
        key_results=[
            {
                "title": "Revenue from mid-sized shippers",
                "kind": "increase",
                "start_value": 0,
                "target_value": 100,
                "unit": "kEUR",
                "format": "currency",
            }
        ],
    )
    platform = services.objective_create(
        member=world.bob,
        cycle_id=quarter.pk,
        owner_team_id=world.platform.pk,
        title="Ship without fear",
        key_results=[
            {"title": "Deploys a week", "kind": "increase", "start_value": 2, "target_value": 10},
            {
                "title": "Incidents a month",
                "kind": "decrease",
                "start_value": 12,
                "target_value": 4,
            },
        ],
    )
    services.alignment_link_create(
        member=world.bob, child=platform, parent_type="objective", parent_id=company.pk
    )
    revenue = company.key_results.get()
    deploys, incidents = platform.key_results.order_by("order")
    return Okrs(year, quarter, company, revenue, platform, deploys, incidents)


def reload(*rows):
    for row in rows:
        row.refresh_from_db()
    return rows


def day(n: int) -> dt.datetime:
    return dt.datetime(2026, 10, 1, 9, tzinfo=dt.UTC) + dt.timedelta(days=n)
