"""Acme's tree for rollout tests, OKRs in its first quarter, and a snapshot of every
rollout row.

Acme (root, alice in it) ─┬─ Engineering ─┬─ Platform (bob) ── Payments
                          │               └─ Mobile
                          └─ Sales

Platform moves under Engineering; Payments sits below Platform, so "Engineering with
the teams below" covers Platform, Mobile and Payments. Acme has the year 2026 and its
four quarters (13 weeks each).

`okrs_in_q1`: Platform (bob) runs an objective in 2026 Q1 (1 January to 31 March: 12
whole weeks) aligned to the theme "Grow", with two key results of numbers, checked in
on the first `weeks` weeks (both), with a pivot if asked. Mobile has no OKRs at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from headway.goals import services as goals
from headway.goals.models import Cycle, KeyResult
from headway.rollout.models import PhaseCriterion, PhaseTeam, RolloutPhase, RolloutPlan
from headway.teams.models import Team
from tests.calibrated import at
from tests.conftest import World
from tests.factories import TeamFactory

Q1 = dt.date(2026, 1, 1)


@dataclass
class Tree:
    world: World
    engineering: Team
    platform: Team
    mobile: Team
    payments: Team
    sales: Team
    year: Cycle

    def quarter(self, number: int) -> Cycle:
        return Cycle.objects.get(organisation=self.world.acme, name=f"2026 Q{number}")


def build_tree(world: World) -> Tree:
    acme = world.acme
    engineering = TeamFactory(
        organisation=acme, name="Engineering", slug="engineering", parent=world.root
    )
    Team.objects.filter(pk=world.platform.pk).update(parent=engineering)
    world.platform.refresh_from_db()
    mobile = TeamFactory(organisation=acme, name="Mobile", slug="mobile", parent=engineering)
    payments = TeamFactory(
        organisation=acme, name="Payments", slug="payments", parent=world.platform
    )
    sales = TeamFactory(organisation=acme, name="Sales", slug="sales", parent=world.root)
    year = goals.year_with_quarters(member=world.alice, year=2026)
    return Tree(world, engineering, world.platform, mobile, payments, sales, year)


def snapshot() -> list[Any]:
    return [
        list(RolloutPlan.objects.values().order_by("pk")),
        list(RolloutPhase.objects.values().order_by("pk")),
        list(PhaseTeam.objects.values().order_by("pk")),
        list(PhaseCriterion.objects.values().order_by("pk")),
    ]


def phase_row(name: str, start: dt.date, weeks: int, *teams: Any, **more: Any) -> dict[str, Any]:
    """A phase as the services take it; teams as ids or (id, with_subtree)."""
    listed = [{"team_id": t[0], "with_subtree": t[1]} if isinstance(t, tuple) else t for t in teams]
    return {"name": name, "starts_on": start, "expected_weeks": weeks, "teams": listed, **more}


def okrs_in_q1(tree: Tree, weeks: int, pivot: bool = False) -> list[KeyResult]:
    bob, alice = tree.world.bob, tree.world.alice
    theme = goals.theme_create(member=alice, title="Grow")
    objective = goals.objective_create(
        member=bob,
        cycle_id=tree.quarter(1).pk,
        owner_team_id=tree.platform.pk,
        title="Customers stay with us",
        key_results=[
            {"title": "Monthly churn of customers", "kind": "decrease", "start_value": 5,
             "target_value": 2, "unit": "%"},
            {"title": "Net promoter score", "start_value": 20, "target_value": 40},
        ],
    )  # fmt: skip
    goals.alignment_link_create(
        member=bob, child=objective, parent_type="theme", parent_id=theme.pk
    )
    key_results = list(objective.key_results.order_by("order"))
    for week in range(weeks):
        for key_result in key_results:
            goals.checkin_create(
                member=bob,
                key_result_id=key_result.pk,
                value=key_result.start_value,
                confidence=6,
                at=at(Q1 + dt.timedelta(days=7 * week + 2)),
            )
    if pivot:
        goals.pivot_record(
            member=bob,
            key_result_id=key_results[0].pk,
            tried="Discounts",
            learned="Price is not why they leave",
            next_step="Onboarding calls",
            at=at(dt.date(2026, 2, 10)),
        )
    return key_results
