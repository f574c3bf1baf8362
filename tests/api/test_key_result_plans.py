"""A key result's `plan` and `target_reason` through the API: planned values in and out,
what the pace makes of them, 422 naming the point, and a target moved by PATCH kept in
the target's history."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from headway.goals import services
from headway.goals.models import KeyResult, Objective, TargetChange
from tests.conftest import World
from tests.factories import CycleFactory
from tests.okrs import Okrs, build

from .conftest import problem, send

# In 2026 Q4 (1 October to 31 December): 10 by mid-November, 100 at the end.
BACK_LOADED = [{"on": "2026-12-31", "value": 100}, {"on": "2026-11-15", "value": 10}]


@pytest.fixture
def okrs(world: World) -> Okrs:
    return build(world)


def written(key_result: KeyResult) -> tuple[Any, ...]:
    row = KeyResult.objects.get(pk=key_result.pk)
    return row.plan, row.target_value, row.version, TargetChange.objects.count()


def shippers(**extra: Any) -> dict[str, Any]:
    return {"title": "Shippers onboarded", "start_value": 0, "target_value": 100, **extra}


def test_it_adds_a_key_result_with_a_plan_and_answers_it_sorted(
    world: World, okrs: Okrs, bob: Client
) -> None:
    body = shippers(objective_id=okrs.platform.pk, plan=BACK_LOADED)
    response = send(bob, "post", "/key-results", body)
    assert response.status_code == 201, response.content
    sorted_plan = [{"on": "2026-11-15", "value": 10.0}, {"on": "2026-12-31", "value": 100.0}]
    assert response.json()["plan"] == sorted_plan
    created = KeyResult.objects.get(pk=response.json()["id"])
    assert created.plan == [["2026-11-15", 10.0], ["2026-12-31", 100.0]]
    assert send(bob, "get", f"/key-results/{created.pk}").json()["plan"] == sorted_plan
    detail = send(bob, "get", f"/objectives/{okrs.platform.pk}").json()
    assert [kr["plan"] for kr in detail["key_results"]] == [[], [], sorted_plan]


def test_a_back_loaded_plan_changes_the_pace_the_api_answers(world: World, bob: Client) -> None:
    """A cycle 45 days either side of today: 20% today is off track on a straight
    line, on track against a plan of 10% by today."""
    today = timezone.localdate()
    cycle = CycleFactory(
        organisation=world.acme,
        name="Around today",
        start_date=today - dt.timedelta(days=45),
        end_date=today + dt.timedelta(days=45),
    )
    objective = services.objective_create(
        member=world.bob, cycle_id=cycle.pk, owner_team_id=world.platform.pk, title="Onboard"
    )
    key_result = send(bob, "post", "/key-results", shippers(objective_id=objective.pk)).json()
    path = f"/key-results/{key_result['id']}"
    send(bob, "post", f"{path}/check-ins", {"value": 20, "confidence": 6})
    linear = send(bob, "get", path).json()
    assert linear["expected_progress"] == pytest.approx(0.5, abs=0.02)
    assert linear["pace_status"] == "off_track"
    plan = [{"on": str(cycle.end_date), "value": 100}, {"on": str(today), "value": 10}]
    planned = send(bob, "patch", path, {"version": linear["version"], "plan": plan}).json()
    assert planned["expected_progress"] == pytest.approx(0.1, abs=0.03)
    assert planned["pace_status"] == "on_track"
    cleared = send(bob, "patch", path, {"version": planned["version"], "plan": []}).json()
    assert (cleared["plan"], cleared["pace_status"]) == ([], "off_track")


@pytest.mark.parametrize(
    ("plan", "field", "message"),
    [
        (
            [
                {"on": "2026-11-01", "value": 5},
                {"on": "2026-11-15", "value": 10},
                {"on": "2027-01-05", "value": 40},
            ],
            "plan.2.on",
            "2027-01-05 is outside the cycle 2026 Q4",
        ),
        ([{"on": "2026-11-01", "value": 5}, {"on": "2026-13-01", "value": 9}], "plan.1.on", ""),
        ([{"on": "2026-11-01", "value": "lots"}], "plan.0.value", ""),
        ([{"on": "2026-11-01"}], "plan.0.value", ""),
        (
            [{"on": "2026-11-01", "value": 5}, {"on": "2026-11-01", "value": 6}],
            "plan.1.on",
            "planned twice",
        ),
        (
            [{"on": f"2026-10-{n:02d}", "value": n} for n in range(1, 32)]
            + [{"on": f"2026-11-{n:02d}", "value": n} for n in range(1, 23)],
            "plan",
            "at most 52 points",
        ),
        ("2026-11-01 5", "plan", ""),
    ],
)
def test_a_bad_plan_gets_422_naming_the_point_and_writes_nothing(
    world: World, okrs: Okrs, bob: Client, plan: Any, field: str, message: str
) -> None:
    before = written(okrs.deploys)
    path = f"/key-results/{okrs.deploys.pk}"
    body = problem(send(bob, "patch", path, {"version": 1, "plan": plan}), 422, field)
    assert message in next(e["message"] for e in body["errors"] if e["field"] == field)
    problem(
        send(bob, "post", "/key-results", shippers(objective_id=okrs.platform.pk, plan=plan)),
        422,
        field,
    )
    assert written(okrs.deploys) == before
    assert not KeyResult.objects.filter(title="Shippers onboarded").exists()


def test_a_maintain_or_milestone_key_result_takes_only_what_fits(
    world: World, okrs: Okrs, bob: Client
) -> None:
    maintain = {"title": "Uptime", "kind": "maintain", "target_value": 99.9}
    point = [{"on": "2026-11-20", "value": 99.9}]
    body = {"objective_id": okrs.platform.pk, **maintain, "plan": point}
    assert "has no plan" in problem(send(bob, "post", "/key-results", body), 422, "plan")["detail"]
    milestone = {"objective_id": okrs.platform.pk, "title": "Go live", "kind": "milestone"}
    body = {**milestone, "plan": [{"on": "2026-11-20", "value": 3}]}
    problem(send(bob, "post", "/key-results", body), 422, "plan.0.value")
    response = send(
        bob, "post", "/key-results", {**milestone, "plan": [{"on": "2026-11-20", "value": 1}]}
    )
    assert response.json()["plan"] == [{"on": "2026-11-20", "value": 1.0}]


def test_a_nested_key_results_plan_error_names_the_row_and_the_point(
    world: World, okrs: Okrs, bob: Client
) -> None:
    body = {
        "cycle_id": okrs.quarter.pk,
        "owner_team_id": world.platform.pk,
        "title": "Planned ahead",
        "key_results": [shippers(plan=[{"on": "2027-03-01", "value": 5}])],
    }
    problem(send(bob, "post", "/objectives", body), 422, "key_results.0.plan.0.on")
    assert not Objective.objects.filter(title="Planned ahead").exists()


def test_viewers_and_the_outsider_cannot_set_a_plan(
    world: World, okrs: Okrs, dave: Client, charlie: Client
) -> None:
    before = written(okrs.deploys)
    body = {"version": 1, "plan": BACK_LOADED}
    problem(send(dave, "patch", f"/key-results/{okrs.deploys.pk}", body), 403)
    problem(send(charlie, "patch", f"/key-results/{okrs.deploys.pk}", body), 404)
    assert written(okrs.deploys) == before


# ------------------------------------------------------------------ target_reason


def test_a_patched_target_after_check_ins_needs_a_reason_and_keeps_the_history(
    world: World, okrs: Okrs, bob: Client
) -> None:
    services.checkin_create(member=world.bob, key_result_id=okrs.deploys.pk, value=6, confidence=7)
    path = f"/key-results/{okrs.deploys.pk}"
    before = written(okrs.deploys)
    for reason in ({}, {"target_reason": ""}, {"target_reason": None}):
        body = problem(
            send(bob, "patch", path, {"version": 1, "target_value": 8, **reason}),
            422,
            "target_reason",
        )
        assert body["detail"].startswith(
            "The key result has check-ins: moving its target from 10 to 8 needs a reason."
        )
    assert written(okrs.deploys) == before
    body = {"version": 1, "target_value": 8, "target_reason": "10 was a guess"}
    response = send(bob, "patch", path, body)
    assert response.status_code == 200, response.content
    assert response.json()["progress"] == pytest.approx((6 - 2) / (8 - 2))
    (moved,) = send(bob, "get", f"{path}/targets").json()["items"]
    assert (moved["old_target"], moved["new_target"], moved["reason"]) == (10, 8, "10 was a guess")
    assert (moved["author"]["email"], moved["pivot_id"]) == ("bob@acme.test", None)
    assert services.recompute_all(write=False) == []


def test_before_any_check_in_a_patched_target_needs_no_reason(
    world: World, okrs: Okrs, bob: Client
) -> None:
    path = f"/key-results/{okrs.deploys.pk}"
    assert send(bob, "patch", path, {"version": 1, "target_value": 8}).status_code == 200
    assert send(bob, "get", f"{path}/targets").json()["items"] == []


def test_a_reason_without_a_new_target_gets_422(world: World, okrs: Okrs, bob: Client) -> None:
    path = f"/key-results/{okrs.deploys.pk}"
    body = {"version": 1, "title": "Deploys", "target_reason": "Because"}
    problem(send(bob, "patch", path, body), 422, "target_reason")
    assert KeyResult.objects.get(pk=okrs.deploys.pk).title == "Deploys a week"


def test_the_openapi_document_describes_plans_and_the_reason(client: Client) -> None:
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert set(schemas["PlanPoint"]["properties"]) == {"on", "value"}
    assert schemas["PlanPoint"]["properties"]["on"]["format"] == "date"
    for name in ("KeyResultIn", "KeyResultPatch", "KeyResultPacedOut"):
        assert "plan" in schemas[name]["properties"], name
    assert "target_reason" in schemas["KeyResultPatch"]["properties"]
