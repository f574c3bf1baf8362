"""A key result's planned values: set through the key result services, validated before
anything is written, and followed by the pace (expected progress and status)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from headway.goals import services
from headway.goals.models import Cycle, KeyResult, Objective
from headway.goals.services.plans import MAX_PLAN_POINTS
from headway.insights.metrics.pace import Status
from headway.insights.selectors import key_result_insights

from .conftest import day, reload

# 2026 Q4 runs from 1 October (day 0) to 31 December (its end is day 92); day 45 is
# 15 November. A plan that expects 10 by mid-cycle and the target at the end is
# back-loaded: a slow start is on plan.
BACK_LOADED = [["2026-12-31", 100], ["2026-11-15", 10]]


def shippers(world: Any, objective: Objective, **extra: Any) -> KeyResult:
    return services.key_result_create(
        member=world.bob,
        objective=objective,
        title="Shippers onboarded",
        start_value=0,
        target_value=100,
        **extra,
    )


def insight(world: Any, key_result: KeyResult, at: dt.datetime) -> Any:
    queryset = KeyResult.objects.filter(pk=key_result.pk)
    return key_result_insights(world.acme, queryset, now=at)[key_result.pk]


def plans() -> list[tuple[int, Any, int]]:
    return sorted(KeyResult.objects.values_list("pk", "plan", "version"))


def test_it_stores_a_plan_sorted_by_day_with_numbers(world, okrs):
    created = shippers(world, okrs.platform, plan=[["2026-12-31", "100"], ("2026-11-15", 10)])
    assert reload(created)[0].plan == [["2026-11-15", 10.0], ["2026-12-31", 100.0]]


def test_it_takes_the_apis_points_with_dates(world, okrs):
    created = shippers(
        world,
        okrs.platform,
        plan=[{"on": dt.date(2026, 11, 15), "value": 10.0}, {"on": "2026-12-31", "value": 100}],
    )
    assert created.plan == [["2026-11-15", 10.0], ["2026-12-31", 100.0]]


def test_a_back_loaded_plan_puts_a_slow_start_on_track(world, okrs):
    """20% on day 45: off track against a straight line (49% expected), on track
    against a plan of 10 by mid-cycle (11% expected: 10, and a little of the way to 100)."""
    linear = shippers(world, okrs.platform)
    planned = shippers(world, okrs.platform, plan=BACK_LOADED)
    for key_result in (linear, planned):
        services.checkin_create(
            member=world.bob, key_result_id=key_result.pk, value=20, confidence=6, at=day(45)
        )
    now = day(45) + dt.timedelta(hours=2)
    straight, back_loaded = insight(world, linear, now), insight(world, planned, now)
    assert straight.expected == pytest.approx(45.375 / 92, abs=1e-3)
    assert straight.status == Status.OFF_TRACK
    assert back_loaded.expected == pytest.approx((10 + 90 * 0.375 / 46) / 100, abs=1e-3)
    assert back_loaded.status == Status.ON_TRACK


def test_setting_a_plan_on_an_existing_key_result_changes_its_status(world, okrs):
    key_result = shippers(world, okrs.platform)
    services.checkin_create(
        member=world.bob, key_result_id=key_result.pk, value=20, confidence=6, at=day(45)
    )
    now = day(45) + dt.timedelta(hours=2)
    assert insight(world, key_result, now).status == Status.OFF_TRACK
    updated = services.key_result_update(
        member=world.bob, key_result=key_result, version=key_result.version, plan=BACK_LOADED
    )
    assert updated.version == key_result.version + 1
    assert insight(world, key_result, now).status == Status.ON_TRACK
    services.key_result_update(member=world.bob, key_result=updated, plan=[])
    assert insight(world, key_result, now).status == Status.OFF_TRACK
    assert services.recompute_all(write=False) == []


def test_a_milestones_plan_is_its_due_date(world, okrs):
    """Due on 20 November instead of the cycle's end: not done on day 55 is off track."""
    runbook = services.key_result_create(
        member=world.bob,
        objective=okrs.platform,
        title="Runbook published",
        kind="milestone",
        plan=[["2026-11-20"]],
    )
    assert runbook.plan == [["2026-11-20", 1.0]]
    assert insight(world, runbook, day(40)).status == Status.ON_TRACK
    assert insight(world, runbook, day(55)).status == Status.OFF_TRACK
    services.key_result_update(member=world.bob, key_result=runbook, plan=[["2026-12-20", 1]])
    assert insight(world, runbook, day(55)).status == Status.ON_TRACK


BAD_PLANS = [
    ([["2027-01-05", 40]], "plan.0.on", "outside the cycle 2026 Q4 (01 Oct 2026 to 31 Dec 2026)"),
    ([["2026-11-15", 10], ["2026-09-30", 5]], "plan.1.on", "outside the cycle"),
    ([["15/11/2026", 40]], "plan.0.on", "is not a date; write it as YYYY-MM-DD"),
    ([["2026-11-15", "forty"]], "plan.0.value", "'forty' is not a number"),
    ([["2026-11-15", float("nan")]], "plan.0.value", "Enter a finite number"),
    ([["2026-11-15", "inf"]], "plan.0.value", "Enter a finite number"),
    ([["2026-11-15"]], "plan.0.value", "Give the value planned for 2026-11-15"),
    ([["2026-11-15", 40, 3]], "plan.0", "Give a date and a value"),
    ([["2026-11-15", 40], ["2026-12-01", 60], ["2026-11-15", 50]], "plan.2.on", "planned twice"),
    ("2026-11-15 40", "plan", "a list of points"),
    (
        [[(dt.date(2026, 10, 1) + dt.timedelta(days=n)).isoformat(), n] for n in range(53)],
        "plan",
        "at most 52 points",
    ),
]


@pytest.mark.parametrize(("plan", "field", "message"), BAD_PLANS)
def test_a_bad_plan_is_refused_naming_the_point_and_nothing_is_written(
    world, okrs, plan, field, message
):
    before = plans()
    with pytest.raises(ValidationError) as error:
        shippers(world, okrs.platform, plan=plan)
    assert message in error.value.message_dict[field][0]
    with pytest.raises(ValidationError) as error:
        services.key_result_update(member=world.bob, key_result=okrs.deploys, plan=plan)
    assert message in error.value.message_dict[field][0]
    assert plans() == before


def test_it_reports_every_bad_point_at_once(world, okrs):
    with pytest.raises(ValidationError) as error:
        shippers(world, okrs.platform, plan=[["2026-13-01", 5], ["2026-11-15", "x"]])
    assert set(error.value.message_dict) == {"plan.0.on", "plan.1.value"}


def test_a_plan_may_have_52_points(world, okrs):
    start = dt.date(2026, 10, 1)
    plan = [[(start + dt.timedelta(days=n)).isoformat(), n] for n in range(MAX_PLAN_POINTS)]
    assert len(shippers(world, okrs.platform, plan=plan).plan) == MAX_PLAN_POINTS


def test_a_maintain_key_result_has_no_plan(world, okrs):
    with pytest.raises(ValidationError, match="no plan") as error:
        services.key_result_create(
            member=world.bob,
            objective=okrs.platform,
            title="Uptime",
            kind="maintain",
            target_value=99.9,
            plan=[["2026-11-15", 99.9]],
        )
    assert set(error.value.message_dict) == {"plan"}
    planned = shippers(world, okrs.platform, plan=BACK_LOADED)
    with pytest.raises(ValidationError, match="leave the planned values empty"):
        services.key_result_update(member=world.bob, key_result=planned, kind="maintain")
    services.key_result_update(member=world.bob, key_result=planned, kind="maintain", plan=[])
    assert reload(planned)[0].kind == "maintain"


@pytest.mark.parametrize(
    ("plan", "field", "message"),
    [
        ([["2026-11-20", 1], ["2026-12-01", 1]], "plan", "one point: its due date"),
        ([["2026-11-20", 40]], "plan.0.value", "with the value 1 (done)"),
    ],
)
def test_a_milestone_plans_one_due_date_with_the_value_1(world, okrs, plan, field, message):
    with pytest.raises(ValidationError) as error:
        services.key_result_create(
            member=world.bob, objective=okrs.platform, title="Go live", kind="milestone", plan=plan
        )
    assert message in error.value.message_dict[field][0]
    assert not KeyResult.objects.filter(title="Go live").exists()


def test_nested_key_results_name_the_row_and_the_point(world, okrs):
    with pytest.raises(ValidationError) as error:
        services.objective_create(
            member=world.bob,
            cycle_id=okrs.quarter.pk,
            owner_team_id=world.platform.pk,
            title="Planned",
            key_results=[
                {"title": "ok", "start_value": 0, "target_value": 5},
                {"title": "late", "start_value": 0, "target_value": 5, "plan": [["2027-02-01", 5]]},
            ],
        )
    assert "key_results.1.plan.0.on" in error.value.message_dict
    assert not Objective.objects.filter(title="Planned").exists()
    with pytest.raises(ValidationError) as error:
        services.objectives_bulk_create(
            member=world.alice,
            objectives=[
                {
                    "cycle_id": okrs.quarter.pk,
                    "owner_team_id": world.platform.pk,
                    "title": "Bulk",
                    "key_results": [
                        {"title": "x", "start_value": 0, "target_value": 5},
                        {"title": "y", "start_value": 0, "target_value": 5, "plan": [["x", 1]]},
                    ],
                }
            ],
        )
    assert "objectives.0.key_results.1.plan.0.on" in error.value.message_dict
    assert not Objective.objects.filter(title="Bulk").exists()


def test_bulk_created_key_results_keep_their_plans(world, okrs):
    (created,) = services.objectives_bulk_create(
        member=world.alice,
        objectives=[
            {
                "cycle_id": okrs.quarter.pk,
                "owner_team_id": world.platform.pk,
                "title": "Bulk",
                "key_results": [
                    {"title": "y", "start_value": 0, "target_value": 100, "plan": BACK_LOADED}
                ],
            }
        ],
    )
    assert created.key_results.get().plan == [["2026-11-15", 10.0], ["2026-12-31", 100.0]]


def test_an_objective_cannot_move_to_a_cycle_its_plans_fall_outside(world, okrs):
    shippers(world, okrs.platform, plan=BACK_LOADED)
    q3 = Cycle.objects.get(organisation=world.acme, name="2026 Q3")
    with pytest.raises(ValidationError, match="plans values on 2026-11-15, 2026-12-31"):
        services.objective_update(member=world.bob, objective=okrs.platform, cycle_id=q3.pk)
    assert reload(okrs.platform)[0].cycle_id == okrs.quarter.pk


def test_only_who_may_change_the_objective_sets_a_plan(world, okrs):
    before = plans()
    for member in (world.dave, world.charlie):
        with pytest.raises(PermissionDenied):
            services.key_result_update(member=member, key_result=okrs.deploys, plan=BACK_LOADED)
    with pytest.raises(PermissionDenied):
        services.key_result_update(member=world.bob, key_result=okrs.revenue, plan=BACK_LOADED)
    assert plans() == before
