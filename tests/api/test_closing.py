"""/api/v1 cycle close: scores, overrides, retrospectives, closing, reopening and
carry-over. The OKRs are tests/okrs.py's: Platform's Q4 objective "Ship without fear"
(bob's team) contributes to the root team's yearly "Win the mid-market"."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from headway.goals import services
from headway.goals.models import ActivityEvent, Cycle, CycleStatus, KeyResult, Objective
from tests.conftest import World
from tests.factories import CycleFactory
from tests.okrs import Okrs, build, more_objectives

from .conftest import problem, queries, send, unauthenticated


@pytest.fixture
def okrs(world: World) -> Okrs:
    return build(world)


@pytest.fixture
def next_quarter(world: World) -> Cycle:
    return CycleFactory(
        organisation=world.acme,
        name="2027 Q1",
        start_date=dt.date(2027, 1, 1),
        end_date=dt.date(2027, 3, 31),
        status=CycleStatus.PLANNING,
    )


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    tables: dict[str, Any] = {
        "cycles": Cycle.objects.values_list("pk", "status", "closed_at"),
        "objectives": Objective.objects.values_list(
            "pk", "status", "version", "score_override", "score_reason", "retro_went_well"
        ),
        "key results": KeyResult.objects.values_list("pk", "score_override", "score_reason"),
        "activity": ActivityEvent.objects.values_list("pk"),
    }
    return {name: sorted(rows) for name, rows in tables.items()}


def writes(okrs: Okrs, next_quarter: Cycle) -> list[tuple[str, str, Any]]:
    return [
        ("put", f"/key-results/{okrs.deploys.pk}/score", {"score": 0.5, "reason": "Why"}),
        ("put", f"/objectives/{okrs.platform.pk}/score", {"score": 0.5, "reason": "Why"}),
        ("put", f"/objectives/{okrs.platform.pk}/retrospective", {"went_well": "Canaries"}),
        ("post", f"/cycles/{okrs.quarter.pk}/close", None),
        ("post", f"/cycles/{okrs.quarter.pk}/reopen", {"reason": "Oops"}),
        ("post", f"/objectives/{okrs.platform.pk}/carry-over", {"cycle_id": next_quarter.pk}),
    ]


# --- access --------------------------------------------------------------------------------------


def test_the_outsider_gets_404_everywhere(okrs: Okrs, next_quarter: Cycle, charlie: Client) -> None:
    before = snapshot()
    problem(send(charlie, "get", f"/cycles/{okrs.quarter.pk}/scores"), 404)
    for method, path, body in writes(okrs, next_quarter):
        problem(send(charlie, method, path, body), 404)
    assert snapshot() == before


def test_a_viewer_gets_403_on_every_write(okrs: Okrs, next_quarter: Cycle, dave: Client) -> None:
    before = snapshot()
    assert send(dave, "get", f"/cycles/{okrs.quarter.pk}/scores").status_code == 200
    for method, path, body in writes(okrs, next_quarter):
        problem(send(dave, method, path, body), 403)
    assert snapshot() == before


def test_a_member_cannot_close_or_reopen_a_cycle(okrs: Okrs, bob: Client) -> None:
    before = snapshot()
    body = problem(send(bob, "post", f"/cycles/{okrs.quarter.pk}/close"), 403)
    assert "Only owners and admins can close cycles" in body["detail"]
    problem(send(bob, "post", f"/cycles/{okrs.quarter.pk}/reopen", {"reason": "x"}), 403)
    problem(
        send(bob, "put", f"/objectives/{okrs.company.pk}/score", {"score": 1, "reason": "x"}), 403
    )
    assert snapshot() == before


def test_every_endpoint_needs_credentials(
    okrs: Okrs, next_quarter: Cycle, anonymous: Client
) -> None:
    unauthenticated(send(anonymous, "get", f"/cycles/{okrs.quarter.pk}/scores"))
    for method, path, body in writes(okrs, next_quarter):
        unauthenticated(send(anonymous, method, path, body))


# --- scores -----------------------------------------------------------------------------------------


def test_it_overrides_and_clears_a_key_result_score(world: World, okrs: Okrs, bob: Client) -> None:
    services.checkin_create(member=world.bob, key_result_id=okrs.deploys.pk, value=6, confidence=7)
    path = f"/key-results/{okrs.deploys.pk}/score"
    response = send(bob, "put", path, {"score": 0.7, "reason": "Target was a stretch"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == okrs.deploys.pk
    assert (
        body["score"],
        body["score_computed"],
        body["score_override"],
        body["score_reason"],
    ) == (
        0.7,
        0.5,
        0.7,
        "Target was a stretch",
    )
    # the key result and its objective carry the effective score too
    kr = send(bob, "get", f"/key-results/{okrs.deploys.pk}").json()
    assert (kr["score"], kr["score_override"], kr["score_reason"]) == (
        0.7,
        0.7,
        "Target was a stretch",
    )
    objective = send(bob, "get", f"/objectives/{okrs.platform.pk}").json()
    assert objective["score"] == pytest.approx((0.7 + 0.0) / 2)
    assert [k["score"] for k in objective["key_results"]] == [0.7, 0.0]
    cleared = send(bob, "put", path, {"score": None}).json()
    assert (cleared["score"], cleared["score_override"], cleared["score_reason"]) == (0.5, None, "")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"score": 0.5}, "reason"),
        ({"score": 0.5, "reason": "  "}, "reason"),
        ({"score": 1.5, "reason": "Too good"}, "score"),
        ({"score": -0.1, "reason": "Too bad"}, "score"),
        ({"score": "high", "reason": "Words"}, "score"),
        ({"reason": "No score at all"}, "score"),
    ],
)
def test_a_bad_score_is_a_422_naming_the_field(
    okrs: Okrs, bob: Client, body: dict[str, Any], field: str
) -> None:
    before = snapshot()
    for path in (f"/key-results/{okrs.deploys.pk}/score", f"/objectives/{okrs.platform.pk}/score"):
        problem(send(bob, "put", path, body), 422, field)
    assert snapshot() == before


def test_overrides_without_a_reason_are_refused_with_that_message(okrs: Okrs, bob: Client) -> None:
    body = problem(send(bob, "put", f"/objectives/{okrs.platform.pk}/score", {"score": 0.3}), 422)
    assert body["detail"].startswith("Overrides without a reason are refused")


def test_it_overrides_an_objective_score(okrs: Okrs, bob: Client) -> None:
    response = send(
        bob, "put", f"/objectives/{okrs.platform.pk}/score", {"score": 0.4, "reason": "Half done"}
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["score"], body["score_computed"], body["score_reason"]) == (0.4, 0.0, "Half done")
    listed = send(bob, "get", f"/objectives?cycle_id={okrs.quarter.pk}").json()["items"]
    assert (listed[0]["score"], listed[0]["score_override"]) == (0.4, 0.4)


# --- retrospectives ----------------------------------------------------------------------------------


def test_it_writes_a_retrospective(okrs: Okrs, bob: Client) -> None:
    body = {"went_well": "Canaries", "learned": "Small batches", "next": "Trunk-based"}
    response = send(bob, "put", f"/objectives/{okrs.platform.pk}/retrospective", body)
    assert response.status_code == 200
    assert response.json()["retrospective"] == body


def test_an_empty_or_long_retrospective_is_refused(okrs: Okrs, bob: Client) -> None:
    before = snapshot()
    path = f"/objectives/{okrs.platform.pk}/retrospective"
    problem(send(bob, "put", path, {"went_well": " "}), 422)
    problem(send(bob, "put", path, {"learned": "x" * 2001}), 422, "learned")
    problem(send(bob, "put", path, {"went_well": 3}), 422, "went_well")
    assert snapshot() == before


# --- closing -------------------------------------------------------------------------------------------


def test_an_admin_closes_a_cycle_and_it_is_locked(
    world: World, okrs: Okrs, alice: Client, bob: Client
) -> None:
    response = send(alice, "post", f"/cycles/{okrs.quarter.pk}/close")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["objectives_closed"] == 1 and body["cycle"]["status"] == "closed"
    before = snapshot()
    for method, path, payload in [
        ("put", f"/key-results/{okrs.deploys.pk}/score", {"score": 1, "reason": "Late"}),
        ("put", f"/objectives/{okrs.platform.pk}/score", {"score": 1, "reason": "Late"}),
        ("put", f"/objectives/{okrs.platform.pk}/retrospective", {"went_well": "Late"}),
        ("patch", f"/objectives/{okrs.platform.pk}", {"version": 2, "title": "Late"}),
        ("patch", f"/key-results/{okrs.deploys.pk}", {"version": 1, "target_value": 5}),
        (
            "post",
            "/key-results",
            {
                "objective_id": okrs.platform.pk,
                "title": "Late",
                "start_value": 0,
                "target_value": 1,
            },
        ),
        ("delete", f"/key-results/{okrs.deploys.pk}", None),
        ("post", f"/key-results/{okrs.deploys.pk}/check-ins", {"value": 9, "confidence": 5}),
    ]:
        body = problem(send(bob, method, path, payload), 422)
        assert "closed" in body["detail"], path
    assert snapshot() == before


def test_closing_twice_or_a_year_with_a_running_quarter_is_a_conflict(
    okrs: Okrs, alice: Client
) -> None:
    before = snapshot()
    body = problem(send(alice, "post", f"/cycles/{okrs.year.pk}/close"), 409)
    assert "still contains running cycles (2026 Q4)" in body["detail"]
    assert snapshot() == before
    send(alice, "post", f"/cycles/{okrs.quarter.pk}/close")
    before = snapshot()
    body = problem(send(alice, "post", f"/cycles/{okrs.quarter.pk}/close"), 409)
    assert "already closed" in body["detail"]
    assert snapshot() == before


def test_an_admin_reopens_a_cycle_with_a_reason(okrs: Okrs, alice: Client) -> None:
    problem(send(alice, "post", f"/cycles/{okrs.quarter.pk}/reopen", {"reason": "Oops"}), 409)
    send(alice, "post", f"/cycles/{okrs.quarter.pk}/close")
    problem(send(alice, "post", f"/cycles/{okrs.quarter.pk}/reopen", {"reason": ""}), 422, "reason")
    problem(send(alice, "post", f"/cycles/{okrs.quarter.pk}/reopen", {}), 422, "reason")
    response = send(alice, "post", f"/cycles/{okrs.quarter.pk}/reopen", {"reason": "Too early"})
    assert response.status_code == 200 and response.json()["status"] == "active"


# --- carry-over -----------------------------------------------------------------------------------------


def test_it_carries_an_objective_over(
    world: World, okrs: Okrs, next_quarter: Cycle, alice: Client, bob: Client
) -> None:
    services.checkin_create(member=world.bob, key_result_id=okrs.deploys.pk, value=6, confidence=7)
    send(alice, "post", f"/cycles/{okrs.quarter.pk}/close")
    path = f"/objectives/{okrs.platform.pk}/carry-over"
    response = send(bob, "post", path, {"cycle_id": next_quarter.pk})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["cycle_id"] == next_quarter.pk and body["title"] == "Ship without fear"
    assert [(k["title"], k["start_value"], k["target_value"]) for k in body["key_results"]] == [
        ("Deploys a week", 6.0, 10.0),
        ("Incidents a month", 12.0, 4.0),
    ]
    assert any("“Win the mid-market” was not copied" in note for note in body["notes"])
    scores = send(bob, "get", f"/cycles/{okrs.quarter.pk}/scores").json()["items"]
    assert scores[0]["carried_to"] == [
        {"id": body["id"], "cycle_id": next_quarter.pk, "title": "Ship without fear"}
    ]
    before = snapshot()
    problem(send(bob, "post", path, {"cycle_id": next_quarter.pk}), 409, "cycle_id")
    assert snapshot() == before


def test_carry_over_into_a_bad_cycle_is_a_422_on_cycle_id(
    world: World, okrs: Okrs, bob: Client
) -> None:
    globex_cycle = CycleFactory(organisation=world.globex, name="Globex Q1")
    before = snapshot()
    path = f"/objectives/{okrs.platform.pk}/carry-over"
    for cycle_id in (globex_cycle.pk, okrs.quarter.pk, okrs.year.pk, 999999):
        problem(send(bob, "post", path, {"cycle_id": cycle_id}), 422, "cycle_id")
    problem(send(bob, "post", path, {}), 422, "cycle_id")
    assert snapshot() == before


# --- the scores list ---------------------------------------------------------------------------------


def test_the_scores_list_pages_objectives_with_their_scores(
    world: World, okrs: Okrs, bob: Client
) -> None:
    services.objective_retrospective_save(
        member=world.bob, objective_id=okrs.platform.pk, learned="Small batches"
    )
    body = send(bob, "get", f"/cycles/{okrs.quarter.pk}/scores").json()
    assert body["count"] == 1
    (item,) = body["items"]
    assert item["id"] == okrs.platform.pk and item["owner_name"] == "Platform"
    assert item["retrospective"] == {"went_well": "", "learned": "Small batches", "next": ""}
    assert [k["id"] for k in item["key_results"]] == [okrs.deploys.pk, okrs.incidents.pk]
    assert (item["score"], item["score_computed"], item["score_override"]) == (0.0, 0.0, None)
    problem(send(bob, "get", "/cycles/999999/scores"), 404)


def test_the_scores_list_runs_the_same_queries_for_3_and_30_objectives(
    world: World, okrs: Okrs, alice: Client, bob: Client
) -> None:
    more_objectives(world, okrs.quarter, 2)
    path = f"/cycles/{okrs.quarter.pk}/scores?page_size=100"
    few = {name: queries(client, path) for name, client in (("alice", alice), ("bob", bob))}
    more_objectives(world, okrs.quarter, 27)
    many = {name: queries(client, path) for name, client in (("alice", alice), ("bob", bob))}
    assert many == few
    assert send(alice, "get", path).json()["count"] == 30
    page = send(alice, "get", f"/cycles/{okrs.quarter.pk}/scores?page=2&page_size=20").json()
    assert len(page["items"]) == 10 and page["count"] == 30
