"""Key results waiting for a check-in, for the reminder tests, made through the services.

Acme checks in on Mondays at 09:00 (UTC) and runs "This quarter". Platform (bob's
team, alice its lead) has "Ship without fear" with:

- deploys: owned by bob, last checked in 20 days ago → due;
- incidents: owned by bob, checked in 2 days ago → not due;
- docs: no owner → due, for Platform's lead (alice).

Dave (a viewer) owns nothing. Globex (charlie) has its own due key result. `monday` is
this week's Monday at 10:00 UTC, an hour after the reminder time: the tests pass it
(or a day after it) as "now".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from headway.goals import services
from headway.goals.models import Cycle, KeyResult, Objective
from headway.notify.slots import week_start
from headway.teams.models import TeamMembership, TeamRole
from tests.conftest import World
from tests.flagged import check_in, measure, running_cycle


@dataclass
class Reminded:
    world: World
    quarter: Cycle
    platform: Objective
    deploys: KeyResult
    incidents: KeyResult
    docs: KeyResult
    globex_kr: KeyResult
    monday: dt.datetime

    @property
    def tuesday(self) -> dt.datetime:
        return self.monday + dt.timedelta(days=1)


def this_monday() -> dt.datetime:
    day = week_start(timezone.now().date())
    return dt.datetime.combine(day, dt.time(10, 0), tzinfo=dt.UTC)


def build(world: World) -> Reminded:
    org = world.acme
    org.timezone, org.checkin_weekday, org.reminder_time = "UTC", 0, dt.time(9, 0)
    org.save()
    TeamMembership.objects.create(
        organisation=org, team=world.platform, user=world.alice.user, role=TeamRole.LEAD
    )
    quarter = running_cycle(org)
    bob = world.bob.user_id
    platform = services.objective_create(
        member=world.bob,
        cycle_id=quarter.pk,
        owner_team_id=world.platform.pk,
        title="Ship without fear",
        key_results=[
            measure("Deploys a week", owner_id=bob),
            measure("Incidents a month", owner_id=bob),
            measure("Docs pages written"),
        ],
    )
    deploys, incidents, docs = platform.key_results.order_by("order")
    check_in(world.bob, deploys, 20, 6, 20)
    check_in(world.bob, incidents, 30, 6, 2)
    globex_cycle = running_cycle(world.globex, "Globex quarter")
    globex = services.objective_create(
        member=world.charlie,
        cycle_id=globex_cycle.pk,
        owner_team_id=world.globex_team.pk,
        title="Globex dominates",
        key_results=[measure("Globex shippers", owner_id=world.charlie.user_id)],
    )
    for row in (deploys, incidents, docs):
        row.refresh_from_db()
    return Reminded(
        world, quarter, platform, deploys, incidents, docs, globex.key_results.get(), this_monday()
    )
