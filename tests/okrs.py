"""OKRs for the goals API tests, made through the services.

Acme has a year (2026) and its Q4, both running. The root team's yearly objective
"Win the mid-market" has one key result (revenue 0 → 100 kEUR). Platform's Q4
objective "Ship without fear", made by bob, has two (deploys a week 2 → 10, incidents
a month 12 → 4) and contributes to the yearly one. Globex, charlie's organisation, has
one objective of its own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from headway.goals import services
from headway.goals.models import Cycle, CycleStatus, KeyResult, Objective
from tests.conftest import World
from tests.factories import CycleFactory


@dataclass
class Okrs:
    year: Cycle
    quarter: Cycle
    company: Objective
    revenue: KeyResult
    platform: Objective
    deploys: KeyResult
    incidents: KeyResult
    globex: Objective
    globex_kr: KeyResult


def deploys_kr(**changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "title": "Deploys a week",
        "kind": "increase",
        "start_value": 2,
        "target_value": 10,
    }
    row.update(changes)
    return row


def build(world: World) -> Okrs:
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
            deploys_kr(),
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
    globex_cycle = CycleFactory(
        organisation=world.globex,
        name="Globex 2026",
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 12, 31),
    )
    globex = services.objective_create(
        member=world.charlie,
        cycle_id=globex_cycle.pk,
        owner_team_id=world.globex_team.pk,
        title="Globex dominates",
        key_results=[deploys_kr(title="Globex deploys")],
    )
    deploys, incidents = platform.key_results.order_by("order")
    return Okrs(
        year,
        quarter,
        company,
        company.key_results.get(),
        platform,
        deploys,
        incidents,
        globex,
        globex.key_results.get(),
    )


def more_objectives(world: World, cycle: Cycle, count: int) -> None:
    """`count` more team objectives with two key results each, in one bulk write."""
    services.objectives_bulk_create(
        member=world.alice,
        objectives=[
            {
                "cycle_id": cycle.pk,
                "owner_team_id": world.platform.pk if n % 2 else world.root.pk,
                "title": f"Objective {n}",
                "key_results": [deploys_kr(owner_id=world.bob.user_id), deploys_kr()],
            }
            for n in range(count)
        ],
    )
