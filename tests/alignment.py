"""An organisation with every alignment case, made through the services.

Acme (alice owns it; bob is in Platform; dave is a viewer) runs a year and, inside
it, this quarter. Its strategy has two themes, "Grow in the mid-market" and
"Delight customers" (nothing contributes to the second). Platform is a bubble root
with its own statement and one theme, "Calm delivery".

    Grow in the mid-market  <-c-  Win the mid-market (root, year)
                                   ^ c  Ship without fear (Platform, quarter)  -c->  Calm delivery
                                   |     ^ c, to its key result "Deploys a week"
                                   |     Deploy many times a day (Squad, below Platform)
                                   ^ s  Tell shippers about reliability (Sales: only supports)
                                   ^ c  Organise the summer party (root; a link to check)
    Grow in the mid-market  <-c-  Buy a competitor (root, year, PRIVATE: bob cannot see it)
                                   ^ c  Follow the acquisition (root, quarter)
    Tidy the backlog (Platform, quarter): aligned to nothing (an orphan)
    Ship without any fear (Squad, quarter): a possible duplicate of Ship without fear
    Sketch next year (Platform, quarter, draft): not counted

Globex, charlie's organisation, has a theme and an objective of its own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from headway.accounts.models import Membership
from headway.goals import services
from headway.goals.models import Cycle, KeyResult, Objective, Theme
from headway.teams import services as teams
from headway.teams.models import Team
from tests.conftest import World
from tests.factories import CycleFactory, TeamFactory, TeamMembershipFactory, ThemeFactory


@dataclass
class Alignment:
    world: World
    year: Cycle
    quarter: Cycle
    last_quarter: Cycle
    grow: Theme
    delight: Theme
    calm: Theme
    squad: Team
    sales: Team
    company: Objective
    secret: Objective
    platform: Objective
    deploys: KeyResult
    deploy_often: Objective
    reliability: Objective
    party: Objective
    follower: Objective
    orphan: Objective
    twin: Objective
    draft: Objective
    old: Objective
    globex: Objective
    globex_theme: Theme

    def url(self, path: str = "") -> str:
        return f"/o/acme/{path}"


def objective(member: Membership, cycle: Cycle, team: Team, title: str, **data: Any) -> Objective:
    data.setdefault("key_results", [{"title": f"{title}: done", "kind": "milestone"}])
    return services.objective_create(
        member=member, cycle_id=cycle.pk, owner_team_id=team.pk, title=title, **data
    )


def align(member: Membership, child: Objective, parent: Any, **data: Any) -> None:
    parent_type = {Theme: "theme", Objective: "objective", KeyResult: "key_result"}[type(parent)]
    services.alignment_link_create(
        member=member, child=child, parent_type=parent_type, parent_id=parent.pk, **data
    )


def build_alignment(world: World) -> Alignment:
    alice, bob = world.alice, world.bob
    today = timezone.localdate()
    year = CycleFactory(
        organisation=world.acme,
        name="FY",
        kind="annual",
        start_date=today - dt.timedelta(days=200),
        end_date=today + dt.timedelta(days=165),
    )
    quarter = CycleFactory(
        organisation=world.acme,
        name="This quarter",
        parent=year,
        start_date=today - dt.timedelta(days=45),
        end_date=today + dt.timedelta(days=45),
    )
    last_quarter = CycleFactory(
        organisation=world.acme,
        name="Last quarter",
        parent=year,
        start_date=today - dt.timedelta(days=136),
        end_date=today - dt.timedelta(days=46),
    )
    squad = TeamFactory(organisation=world.acme, name="Squad", slug="squad", parent=world.platform)
    sales = TeamFactory(organisation=world.acme, name="Sales", slug="sales", parent=world.root)
    TeamMembershipFactory(team=world.root, user=alice.user)
    grow = services.theme_create(member=alice, title="Grow in the mid-market")
    delight = services.theme_create(
        member=alice, title="Delight customers", description="Customers recommend us."
    )
    teams.team_update(
        member=alice,
        team=world.platform,
        is_bubble_root=True,
        strategy_statement="Platform sets its own direction: calm, frequent delivery.",
    )
    calm = services.theme_create(member=alice, title="Calm delivery", team=world.platform)

    company = objective(
        alice,
        year,
        world.root,
        "Win the mid-market",
        key_results=[
            {"title": "Revenue from mid-sized shippers", "start_value": 0, "target_value": 100}
        ],
    )
    align(alice, company, grow)
    secret = objective(alice, year, world.root, "Buy a competitor", visibility="private")
    align(alice, secret, grow)
    platform = objective(
        bob,
        quarter,
        world.platform,
        "Ship without fear",
        key_results=[
            {"title": "Deploys a week", "start_value": 2, "target_value": 10},
            {
                "title": "Incidents a month",
                "kind": "decrease",
                "start_value": 12,
                "target_value": 4,
            },
        ],
    )
    align(bob, platform, company)
    align(bob, platform, calm)
    deploys = platform.key_results.get(title="Deploys a week")
    deploy_often = objective(alice, quarter, squad, "Deploy many times a day")
    align(alice, deploy_often, deploys)
    reliability = objective(alice, quarter, sales, "Tell shippers about reliability")
    align(alice, reliability, company, kind="supports")
    party = objective(
        alice,
        quarter,
        world.root,
        "Organise the summer party",
        key_results=[{"title": "Staff attending", "start_value": 0, "target_value": 40}],
    )
    align(alice, party, company)
    follower = objective(alice, quarter, world.root, "Follow the acquisition")
    align(alice, follower, secret)
    orphan = objective(bob, quarter, world.platform, "Tidy the backlog")
    twin = objective(alice, quarter, squad, "Ship without any fear")
    align(alice, twin, platform)
    draft = objective(bob, quarter, world.platform, "Sketch next year", status="draft")
    old = objective(alice, last_quarter, world.root, "Last quarter's goal")
    services.checkin_create(
        member=bob, key_result_id=deploys.pk, value=6, confidence=7, note="halfway"
    )

    globex_cycle = CycleFactory(
        organisation=world.globex,
        name="Globex quarter",
        start_date=quarter.start_date,
        end_date=quarter.end_date,
    )
    globex_theme = ThemeFactory(organisation=world.globex, title="Globex dominates")
    globex = objective(world.charlie, globex_cycle, world.globex_team, "Globex's own goal")
    align(world.charlie, globex, globex_theme)
    for row in (company, platform, deploy_often):
        row.refresh_from_db()
    return Alignment(
        world,
        year,
        quarter,
        last_quarter,
        grow,
        delight,
        calm,
        squad,
        sales,
        company,
        secret,
        platform,
        deploys,
        deploy_often,
        reliability,
        party,
        follower,
        orphan,
        twin,
        draft,
        old,
        globex,
        globex_theme,
    )
