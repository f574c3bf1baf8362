"""A closed quarter to calibrate, made through the services.

Acme's "2026 Q3" runs from 1 July to 30 September 2026 (organisation time zone UTC).

- bob, the optimist. Platform's objective "Ship without fear" has three key results
  bob owns, 0 → 10, checked in on 6, 13 and 20 July at confidence 9 and ending at 2,
  3 and 4 (scores 0.2, 0.3, 0.4): all missed. Brier (0.9 - 0)² = 0.81, mean confidence
  0.9, hit rate 0, bias +0.9: optimistic.
- Check-ins outside the cycle's dates are left out: on each of bob's key results one on
  20 June and one on 5 October, at confidence 0 with the value it ends at.
- A fourth Platform key result bob owns, checked in at confidence 0 and reaching its
  target, was dropped: left out.
- alice, the sandbagger. The root team's (Acme, alice is in it) objective "Win the
  mid-market" has three key results she owns, 0 → 10, checked in at confidence 5 and
  reaching 10 (score 1.0): Brier 0.25, mean 0.5, hit rate 1, bias -0.5: sandbagging.
- dave, a viewer, owns nothing. Globex has its own closed quarter (charlie).

Levels: the root team is level 0 (alice: 3 key results, 1 owner, 1 team), Platform
level 1 (bob: 3, 1, 1): both below the minimum group size. `with_mobile` adds team
Mobile beside Platform at level 1 with erin's three key results at confidence 7, all
delivered (Brier 0.09), so level 1 has 6 key results, 2 owners and 2 teams: Brier
(3 * 0.81 + 3 * 0.09) / 6 = 0.45, mean confidence 0.8, hit rate 0.5, bias +0.3.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from headway.accounts.models import Membership, Role
from headway.goals import services
from headway.goals.models import Cycle, KeyResult, Objective
from headway.teams.models import Team
from tests.conftest import World
from tests.factories import (
    CycleFactory,
    MembershipFactory,
    TeamFactory,
    TeamMembershipFactory,
    UserFactory,
)

START, END = dt.date(2026, 7, 1), dt.date(2026, 9, 30)
WEEKS = (dt.date(2026, 7, 6), dt.date(2026, 7, 13), dt.date(2026, 7, 20))


@dataclass
class Calibrated:
    world: World
    quarter: Cycle
    platform: Objective
    bobs: list[KeyResult]
    dropped: KeyResult
    company: Objective
    alices: list[KeyResult]
    globex_quarter: Cycle
    erin: Membership | None = None
    mobile: Team | None = None

    def url(self, path: str = "") -> str:
        return f"/o/acme/{path}"


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


def measure(title: str, owner: Membership) -> dict[str, Any]:
    return {"title": title, "start_value": 0, "target_value": 10, "owner_id": owner.user_id}


def check_in(
    member: Membership, key_result: KeyResult, value: float, confidence: int, when: dt.datetime
) -> None:
    services.checkin_create(
        member=member, key_result_id=key_result.pk, value=value, confidence=confidence, at=when
    )


def team_objective(
    member: Membership, cycle: Cycle, team: Team, title: str, count: int, prefix: str
) -> list[KeyResult]:
    objective = services.objective_create(
        member=member,
        cycle_id=cycle.pk,
        owner_team_id=team.pk,
        title=title,
        key_results=[measure(f"{prefix} {n + 1}", member) for n in range(count)],
    )
    return list(objective.key_results.order_by("order"))


def history(
    member: Membership, key_results: list[KeyResult], finals: list[float], confidence: int
) -> None:
    """Weekly check-ins at `confidence` ending at each final value."""
    for key_result, final in zip(key_results, finals, strict=True):
        for week, day in enumerate(WEEKS, start=1):
            check_in(member, key_result, final * week / len(WEEKS), confidence, at(day))


def build(world: World, *, with_mobile: bool = False) -> Calibrated:
    TeamMembershipFactory(team=world.root, user=world.alice.user)
    quarter = CycleFactory(
        organisation=world.acme, name="2026 Q3", start_date=START, end_date=END, status="active"
    )
    bob, alice = world.bob, world.alice
    *bobs, dropped = team_objective(bob, quarter, world.platform, "Ship without fear", 4, "Deploys")
    platform = bobs[0].objective
    for key_result in bobs:
        check_in(bob, key_result, 0, 0, at(dt.date(2026, 6, 20)))
    history(bob, bobs, [2, 3, 4], 9)
    for key_result, final in zip(bobs, (2, 3, 4), strict=True):
        check_in(bob, key_result, final, 0, at(dt.date(2026, 10, 5)))
    history(bob, [dropped], [10], 0)
    services.key_result_update(member=bob, key_result=dropped, status="dropped")
    alices = team_objective(alice, quarter, world.root, "Win the mid-market", 3, "Revenue")
    history(alice, alices, [10, 10, 10], 5)
    found = Calibrated(
        world, quarter, platform, bobs, dropped, alices[0].objective, alices, globex(world)
    )
    if with_mobile:
        add_mobile(found)
    services.cycle_close(member=alice, cycle_id=quarter.pk)
    for row in (*bobs, dropped, *alices):
        row.refresh_from_db()
    quarter.refresh_from_db()
    return found


def add_mobile(found: Calibrated) -> None:
    world = found.world
    found.mobile = TeamFactory(
        organisation=world.acme, name="Mobile", slug="mobile", parent=world.root
    )
    found.erin = MembershipFactory(
        organisation=world.acme,
        user=UserFactory(email="erin@acme.test", name="Erin"),
        role=Role.MEMBER,
    )
    TeamMembershipFactory(team=found.mobile, user=found.erin.user)
    erins = team_objective(found.erin, found.quarter, found.mobile, "Apps people love", 3, "Rating")
    history(found.erin, erins, [10, 10, 10], 7)


def globex(world: World) -> Cycle:
    cycle = CycleFactory(
        organisation=world.globex, name="Globex Q3", start_date=START, end_date=END
    )
    key_results = team_objective(
        world.charlie, cycle, world.globex_team, "Globex dominates", 3, "Globex"
    )
    history(world.charlie, key_results, [1, 1, 1], 9)
    services.cycle_close(member=world.charlie, cycle_id=cycle.pk)
    return cycle


def more_key_results(found: Calibrated, count: int, first: int = 0) -> None:
    """Reopen the quarter, add `count` of bob's Platform key results like his others
    (confidence 9, missed), and close it again."""
    world = found.world
    services.cycle_reopen(member=world.alice, cycle_id=found.quarter.pk, reason="More data")
    key_results = team_objective(
        world.bob, found.quarter, world.platform, f"More {first}", count, f"Extra {first}"
    )
    history(world.bob, key_results, [2.0] * count, 9)
    services.cycle_close(member=world.alice, cycle_id=found.quarter.pk)
