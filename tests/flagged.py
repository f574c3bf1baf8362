"""Key results that raise flags by the real rules, made through the services.

Acme runs "This quarter", 60 days gone of 100 (60 % elapsed). Platform's objective
"Ship without fear" (bob's team) has four key results from 0 to 100:

- stalled: four weekly check-ins at 10 (28 to 7 days ago), confidence 5 → a stall;
- melon: one check-in at 10 two days ago with confidence 9 → a watermelon;
- overdue: one check-in at 55 twenty days ago, confidence 5 → an overdue check-in;
- fine: at 60 two days ago, confidence 6 → nothing.

The root team's private objective "Buy a competitor" (alice is in the root team; bob
and dave are not) has a key result checked in 20 days ago → overdue, hidden from bob
and dave. Globex has its own overdue key result. `flags_refresh` is not run here: the
tests run it (or not) themselves.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from headway.accounts.models import Membership
from headway.goals import services
from headway.goals.models import Cycle, CycleStatus, KeyResult, Objective
from tests.conftest import World
from tests.factories import CycleFactory, TeamMembershipFactory

ELAPSED_DAYS = 60
REMAINING_DAYS = 39  # the end date is inclusive: 60 of 100 days gone


@dataclass
class Flagged:
    world: World
    quarter: Cycle
    platform: Objective
    stalled: KeyResult
    melon: KeyResult
    overdue: KeyResult
    fine: KeyResult
    secret: Objective
    secret_kr: KeyResult
    globex_kr: KeyResult

    def url(self, path: str = "") -> str:
        return f"/o/acme/{path}"


def running_cycle(organisation: Any, name: str = "This quarter") -> Cycle:
    today = timezone.localdate()
    return CycleFactory(
        organisation=organisation,
        name=name,
        start_date=today - dt.timedelta(days=ELAPSED_DAYS),
        end_date=today + dt.timedelta(days=REMAINING_DAYS),
        status=CycleStatus.ACTIVE,
    )


def measure(title: str, **changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {"title": title, "start_value": 0, "target_value": 100}
    row.update(changes)
    return row


def check_in(
    member: Membership, key_result: KeyResult, value: float, confidence: int, days_ago: float
) -> None:
    services.checkin_create(
        member=member,
        key_result_id=key_result.pk,
        value=value,
        confidence=confidence,
        at=timezone.now() - dt.timedelta(days=days_ago),
    )


def build(world: World) -> Flagged:
    TeamMembershipFactory(team=world.root, user=world.alice.user)
    quarter = running_cycle(world.acme)
    platform = services.objective_create(
        member=world.bob,
        cycle_id=quarter.pk,
        owner_team_id=world.platform.pk,
        title="Ship without fear",
        key_results=[
            measure("Weekly active shippers"),
            measure("Net promoter score"),
            measure("Runbooks written"),
            measure("Deploys automated"),
        ],
    )
    stalled, melon, overdue, fine = platform.key_results.order_by("order")
    bob = world.bob
    for days in (28, 21, 14, 7):
        check_in(bob, stalled, 10, 5, days)
    check_in(bob, melon, 10, 9, 2)
    check_in(bob, overdue, 55, 5, 20)
    check_in(bob, fine, 60, 6, 2)
    secret = services.objective_create(
        member=world.alice,
        cycle_id=quarter.pk,
        owner_team_id=world.root.pk,
        title="Buy a competitor",
        visibility="private",
        key_results=[measure("Term sheets signed")],
    )
    secret_kr = secret.key_results.get()
    check_in(world.alice, secret_kr, 50, 5, 20)
    globex_cycle = running_cycle(world.globex, "Globex quarter")
    globex = services.objective_create(
        member=world.charlie,
        cycle_id=globex_cycle.pk,
        owner_team_id=world.globex_team.pk,
        title="Globex dominates",
        key_results=[measure("Globex shippers")],
    )
    globex_kr = globex.key_results.get()
    check_in(world.charlie, globex_kr, 55, 5, 20)
    return Flagged(
        world, quarter, platform, stalled, melon, overdue, fine, secret, secret_kr, globex_kr
    )


def more_overdue(world: World, cycle: Cycle, count: int, first: int = 0) -> list[KeyResult]:
    """`count` Platform key results never checked in, 60 days into the cycle: overdue."""
    objective = services.objective_create(
        member=world.bob,
        cycle_id=cycle.pk,
        owner_team_id=world.platform.pk,
        title=f"Quiet objective {first}",
        key_results=[measure(f"Silent measure {first + n}") for n in range(count)],
    )
    return list(objective.key_results.order_by("order"))
