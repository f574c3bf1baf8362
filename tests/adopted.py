"""Two quarters of Acme to measure adoption on, made through the services.

Teams: Acme (the root, level 0; alice), Platform (level 1; bob, frank), Mobile (level 1;
erin) and Data (level 2, below Platform; bob, gina). Theme "Grow in the mid-market".
Today is Wednesday 25 November 2026 (pass `today=TODAY`): 2026 Q4 (1 October to 31
December, running) has 8 whole weeks behind it; every Q4 key result was created on
1 October, except Data's, created on 5 November (3 weeks due).

2026 Q3 is tests/calibrated.py's closed quarter (Acme: alice's 3 key results,
sandbagging; Platform: bob's 3, optimistic), with a retrospective on Acme's objective
saying what was learned. Its key results were typed in on 1 November, after the quarter,
so they owe check-ins from their first one: 6 July for alice's, 20 June (so 1 July) for
bob's.

Q4, by team (verdicts are the coach's):

- Acme: "Win the mid-market" (aligned to the theme): revenue (alice, outcome; checked in
  every week: 8 of 8) and churn rate (alice, outcome; 5 check-ins in 4 weeks: 4 of 8).
- Platform: "Ship without fear" (contributes to Acme's, so it reaches strategy): deploys
  a week (bob, output; 8 of 8, and a pivot on 10 November) and the deploy pipeline
  milestone (nobody, output; 2 of 8). "Fewer surprises for customers" (aligned to
  nothing): customer-reported incidents (bob, outcome; never checked in: 0 of 8). A
  draft "Someday maybe" with a key result frank owns: not counted, so frank owns nothing.
- Data: "Know our numbers" (aligned to Platform's deploys key result): dashboards used
  weekly (gina, outcome; 2 of 3 weeks).
- Mobile: no objectives. erin has a personal objective, so she has OKRs.

Globex (charlie) has its own closed Q3 and nothing in Q4.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from headway.accounts.models import Membership, Role
from headway.goals import services
from headway.goals.models import Cycle, KeyResult, Objective, Theme
from headway.teams.models import Team
from tests import calibrated
from tests.conftest import World
from tests.factories import (
    CycleFactory,
    MembershipFactory,
    TeamFactory,
    TeamMembershipFactory,
    ThemeFactory,
    UserFactory,
)

TODAY = dt.date(2026, 11, 25)
Q4_START, Q4_END = dt.date(2026, 10, 1), dt.date(2026, 12, 31)
WEEKLY = [Q4_START + dt.timedelta(days=4 + 7 * n) for n in range(8)]  # Mondays 5 Oct ... 23 Nov


@dataclass
class Adopted:
    world: World
    q3: Cycle
    q4: Cycle
    theme: Theme
    mobile: Team
    data: Team
    frank: Membership
    erin: Membership
    gina: Membership
    company: Objective
    ship: Objective
    surprises: Objective
    numbers: Objective
    deploys: KeyResult

    @property
    def root(self) -> Team:
        return self.world.root

    @property
    def platform(self) -> Team:
        return self.world.platform


def person(world: World, name: str, team: Team) -> Membership:
    member = MembershipFactory(
        organisation=world.acme,
        user=UserFactory(email=f"{name.lower()}@acme.test", name=name),
        role=Role.MEMBER,
    )
    TeamMembershipFactory(team=team, user=member.user)
    return member


def check_ins(member: Membership, key_result: KeyResult, days: list[dt.date]) -> None:
    for n, day in enumerate(days, start=1):
        calibrated.check_in(member, key_result, n, 6, calibrated.at(day))


def created_on(key_results: list[KeyResult], day: dt.date) -> None:
    """Test setup: when the key results were created (the service stamps now)."""
    KeyResult.objects.filter(pk__in=[k.pk for k in key_results]).update(
        created_at=calibrated.at(day, 9)
    )


def build(world: World) -> Adopted:
    found = calibrated.build(world)
    q3 = found.quarter
    alice, bob = world.alice, world.bob
    services.cycle_reopen(member=alice, cycle_id=q3.pk, reason="Add the retrospective")
    services.objective_retrospective_save(
        member=alice, objective_id=found.company.pk, learned="Mid-sized shippers buy on trust."
    )
    services.cycle_close(member=alice, cycle_id=q3.pk)
    q3.refresh_from_db()
    # Typed in after the quarter, from notes: they owe check-ins from their first one.
    created_on([*found.bobs, found.dropped, *found.alices], dt.date(2026, 11, 1))

    mobile = TeamFactory(organisation=world.acme, name="Mobile", slug="mobile", parent=world.root)
    data = TeamFactory(organisation=world.acme, name="Data", slug="data", parent=world.platform)
    frank = person(world, "Frank", world.platform)
    erin = person(world, "Erin", mobile)
    gina = person(world, "Gina", data)
    TeamMembershipFactory(team=data, user=bob.user)
    theme = ThemeFactory(organisation=world.acme, title="Grow in the mid-market")
    q4 = CycleFactory(organisation=world.acme, name="2026 Q4", start_date=Q4_START, end_date=Q4_END)

    def objective(member: Membership, title: str, team: Team | None, *krs: dict) -> Objective:
        owner = {"owner_team_id": team.pk} if team else {"owner_user_id": member.user_id}
        return services.objective_create(
            member=member, cycle_id=q4.pk, title=title, key_results=list(krs), **owner
        )

    company = objective(
        alice,
        "Win the mid-market",
        world.root,
        {
            "title": "Revenue from mid-sized shippers",
            "start_value": 0,
            "target_value": 100,
            "unit": "kEUR",
            "format": "currency",
            "owner_id": alice.user_id,
        },
        {
            "title": "Churn rate",
            "kind": "decrease",
            "start_value": 8,
            "target_value": 4,
            "unit": "%",
            "format": "percent",
            "owner_id": alice.user_id,
        },
    )
    services.alignment_link_create(
        member=alice, child=company, parent_type="theme", parent_id=theme.pk
    )
    ship = objective(
        bob,
        "Ship without fear",
        world.platform,
        {
            "title": "Deploys a week",
            "start_value": 2,
            "target_value": 10,
            "unit": "deploys",
            "owner_id": bob.user_id,
        },
        {"title": "Launch the new deploy pipeline", "kind": "milestone", "owner_id": None},
    )
    services.alignment_link_create(
        member=bob, child=ship, parent_type="objective", parent_id=company.pk
    )
    surprises = objective(
        bob,
        "Fewer surprises for customers",
        world.platform,
        {
            "title": "Customer-reported incidents a month",
            "kind": "decrease",
            "start_value": 12,
            "target_value": 4,
            "unit": "incidents",
            "owner_id": bob.user_id,
        },
    )
    services.objective_create(
        member=bob,
        cycle_id=q4.pk,
        owner_team_id=world.platform.pk,
        title="Someday maybe",
        status="draft",
        key_results=[{"title": "Try a chaos day", "kind": "milestone", "owner_id": frank.user_id}],
    )
    numbers = objective(
        gina,
        "Know our numbers",
        data,
        {
            "title": "Dashboards used weekly by 30 people",
            "start_value": 5,
            "target_value": 30,
            "unit": "people",
            "owner_id": gina.user_id,
        },
    )
    revenue, churn = company.key_results.order_by("order")
    deploys, pipeline = ship.key_results.order_by("order")
    services.alignment_link_create(
        member=gina, child=numbers, parent_type="key_result", parent_id=deploys.pk
    )
    personal = objective(
        erin, "Learn Swift", None, {"title": "Ship a toy app", "kind": "milestone"}
    )
    created_on(
        [
            revenue,
            churn,
            deploys,
            pipeline,
            *surprises.key_results.all(),
            *personal.key_results.all(),
        ],
        Q4_START,
    )
    dashboards = numbers.key_results.get()
    created_on([dashboards], dt.date(2026, 11, 5))

    check_ins(alice, revenue, [dt.date(2026, 9, 30), *WEEKLY])  # 30 September: before Q4
    check_ins(alice, churn, [dt.date(2026, 10, d) for d in (5, 6, 19)] + [dt.date(2026, 11, 2)])
    check_ins(alice, churn, [dt.date(2026, 11, 23)])
    check_ins(bob, deploys, WEEKLY)
    check_ins(bob, pipeline, [dt.date(2026, 10, 12)])
    calibrated.check_in(bob, pipeline, 1, 8, calibrated.at(dt.date(2026, 11, 16)))
    check_ins(gina, dashboards, [dt.date(2026, 11, d) for d in (6, 7, 20)])
    services.pivot_record(
        member=bob,
        key_result_id=deploys.pk,
        tried="Bigger releases",
        learned="Small changes ship faster",
        next_step="Deploy every merge",
        at=calibrated.at(dt.date(2026, 11, 10)),
    )
    for row in (company, ship, surprises, numbers):
        row.refresh_from_db()
    return Adopted(
        world,
        q3,
        q4,
        theme,
        mobile,
        data,
        frank,
        erin,
        gina,
        company,
        ship,
        surprises,
        numbers,
        deploys,
    )
