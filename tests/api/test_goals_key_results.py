"""/api/v1/key-results and their check-ins: definitions, values, idempotent retries
and the roll-up a check-in triggers."""

from __future__ import annotations

from typing import Any, get_args

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from headway.api.goals_key_results import Direction, Format, Kind
from headway.api.goals_links import InitiativeStatus
from headway.goals import services
from headway.goals.models import CheckIn, CycleStatus, Initiative, KeyResult, Objective
from tests.conftest import World
from tests.okrs import Okrs, build, deploys_kr, more_objectives

from .conftest import problem, queries, send, unauthenticated


@pytest.fixture
def okrs(world: World) -> Okrs:
    return build(world)


def check_in(client: Client, key_result: KeyResult, key: str | None = None, **body: Any) -> Any:
    body = {"value": 6, "confidence": 7, **body}
    headers = {"headers": {"Idempotency-Key": key}} if key else {}
    return send(client, "post", f"/key-results/{key_result.pk}/check-ins", body, **headers)


def progress(*rows: KeyResult | Objective) -> list[float | None]:
    for row in rows:
        row.refresh_from_db()
    return [row.progress for row in rows]


# ---------------------------------------------------------------- reading


def test_the_api_offers_exactly_the_models_choices() -> None:
    assert set(get_args(Kind)) == set(KeyResult.Kind.values)
    assert set(get_args(Format)) == set(KeyResult.Format.values)
    assert set(get_args(Direction)) == set(KeyResult.Direction.values)
    assert set(get_args(InitiativeStatus)) == set(Initiative.Status.values)


def test_it_lists_key_results_in_objective_order(world: World, okrs: Okrs, dave: Client) -> None:
    response = send(dave, "get", "/key-results")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [kr["title"] for kr in body["items"]] == [
        "Revenue from mid-sized shippers",
        "Deploys a week",
        "Incidents a month",
    ]
    revenue = body["items"][0]
    assert (revenue["objective_id"], revenue["unit"], revenue["format"]) == (
        okrs.company.pk,
        "kEUR",
        "currency",
    )


def test_it_filters_key_results(world: World, okrs: Okrs, alice: Client) -> None:
    services.key_result_update(
        member=world.alice, key_result=okrs.deploys, owner_id=world.bob.user_id
    )
    services.key_result_update(member=world.alice, key_result=okrs.incidents, status="dropped")

    def found(query: str) -> list[str]:
        return [kr["title"] for kr in send(alice, "get", f"/key-results?{query}").json()["items"]]

    assert found(f"objective_id={okrs.platform.pk}") == ["Deploys a week", "Incidents a month"]
    assert found(f"owner_id={world.bob.user_id}") == ["Deploys a week"]
    assert found(f"cycle_id={okrs.year.pk}") == ["Revenue from mid-sized shippers"]
    assert found("status=dropped") == ["Incidents a month"]
    problem(send(alice, "get", "/key-results?status=gone"), 422, "status")


def test_it_never_lists_another_organisations_key_results(
    world: World, okrs: Okrs, charlie: Client
) -> None:
    body = send(charlie, "get", "/key-results").json()
    assert [kr["title"] for kr in body["items"]] == ["Globex deploys"]
    empty = send(charlie, "get", f"/key-results?objective_id={okrs.platform.pk}").json()
    assert empty == {"items": [], "count": 0}


def test_it_hides_key_results_of_a_private_objective(world: World, okrs: Okrs, bob: Client) -> None:
    services.objective_update(member=world.alice, objective=okrs.company, visibility="private")
    assert "Revenue from mid-sized shippers" not in [
        kr["title"] for kr in send(bob, "get", "/key-results").json()["items"]
    ]
    problem(send(bob, "get", f"/key-results/{okrs.revenue.pk}"), 404)


def test_it_returns_one_key_result(world: World, okrs: Okrs, dave: Client) -> None:
    body = send(dave, "get", f"/key-results/{okrs.incidents.pk}").json()
    assert (body["kind"], body["start_value"], body["target_value"], body["version"]) == (
        "decrease",
        12,
        4,
        1,
    )


def test_it_hides_another_organisations_key_result(
    world: World, okrs: Okrs, charlie: Client
) -> None:
    path = f"/key-results/{okrs.deploys.pk}"
    problem(send(charlie, "get", path), 404)
    problem(send(charlie, "patch", path, {"version": 1, "title": "x"}), 404)
    problem(send(charlie, "delete", path), 404)
    problem(send(charlie, "get", f"{path}/check-ins"), 404)
    problem(check_in(charlie, okrs.deploys), 404)
    assert not CheckIn.objects.exists()
    assert KeyResult.objects.filter(pk=okrs.deploys.pk).exists()


def test_it_rejects_anonymous_key_result_calls(world: World, okrs: Okrs, anonymous: Client) -> None:
    unauthenticated(send(anonymous, "get", "/key-results"))
    unauthenticated(check_in(anonymous, okrs.deploys))


def test_it_runs_the_same_queries_for_key_results_of_3_and_30_objectives(
    world: World, okrs: Okrs, bob: Client
) -> None:
    more_objectives(world, okrs.quarter, 1)
    few = queries(bob, "/key-results")
    more_objectives(world, okrs.quarter, 27)
    assert send(bob, "get", "/key-results").json()["count"] == 3 + 2 * 28
    assert queries(bob, "/key-results") == few


# ---------------------------------------------------------------- creating


def test_it_adds_a_key_result_to_an_objective(world: World, okrs: Okrs, bob: Client) -> None:
    body = deploys_kr(title="Rollbacks", objective_id=okrs.platform.pk, weight=2)
    response = send(bob, "post", "/key-results", body)
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["objective_id"], created["order"], created["weight"]) == (
        okrs.platform.pk,
        2,
        2.0,
    )
    assert okrs.platform.key_results.count() == 3


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"start_value": "two"}, "start_value"),
        ({"start_value": 5, "target_value": 5}, "target_value"),
        ({"kind": "decrease"}, "target_value"),
        ({"kind": "maintain", "target_value": None}, "target_value"),
        ({"weight": 0}, "weight"),
        ({"weight": -1}, "weight"),
        ({"objective_id": None}, "objective_id"),
    ],
)
def test_it_rejects_a_bad_key_result_and_writes_nothing(
    world: World, okrs: Okrs, bob: Client, changes: dict[str, Any], field: str
) -> None:
    body = {**deploys_kr(title="Rollbacks", objective_id=okrs.platform.pk), **changes}
    problem(send(bob, "post", "/key-results", body), 422, field)
    assert not KeyResult.objects.filter(title="Rollbacks").exists()


def test_it_refuses_an_objective_of_another_organisation(
    world: World, okrs: Okrs, alice: Client
) -> None:
    body = deploys_kr(title="Rollbacks", objective_id=okrs.globex.pk)
    problem(send(alice, "post", "/key-results", body), 422, "objective_id")
    assert okrs.globex.key_results.count() == 1


def test_it_forbids_adding_key_results_to_others_objectives(
    world: World, okrs: Okrs, bob: Client, dave: Client
) -> None:
    problem(send(dave, "post", "/key-results", deploys_kr(objective_id=okrs.platform.pk)), 403)
    problem(send(bob, "post", "/key-results", deploys_kr(objective_id=okrs.company.pk)), 403)
    assert KeyResult.objects.filter(organisation=world.acme).count() == 3


# ---------------------------------------------------------------- changing


def test_it_changes_a_target_and_recomputes_progress(world: World, okrs: Okrs, bob: Client) -> None:
    services.checkin_create(member=world.bob, key_result_id=okrs.deploys.pk, value=6, confidence=7)
    path = f"/key-results/{okrs.deploys.pk}"
    body = {"version": 1, "target_value": 14, "target_reason": "Two more teams ship with us"}
    response = send(bob, "patch", path, body)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["target_value"], body["version"]) == (14, 2)
    assert body["progress"] == pytest.approx(4 / 12)
    assert progress(okrs.platform) == [pytest.approx(4 / 12 / 2)]
    (moved,) = send(bob, "get", f"{path}/targets").json()["items"]
    assert (moved["old_target"], moved["new_target"]) == (10, 14)


@pytest.mark.parametrize("field", ["current_value", "progress", "confidence"])
def test_it_refuses_to_patch_a_value_and_points_to_check_ins(
    world: World, okrs: Okrs, bob: Client, field: str
) -> None:
    body = problem(
        send(bob, "patch", f"/key-results/{okrs.deploys.pk}", {"version": 1, field: 9}),
        422,
        field,
    )
    assert "check in" in body["errors"][0]["message"]
    okrs.deploys.refresh_from_db()
    assert (okrs.deploys.current_value, okrs.deploys.version) == (None, 1)


def test_it_refuses_a_stale_key_result_edit_with_the_current_values(
    world: World, okrs: Okrs, bob: Client, alice: Client
) -> None:
    path = f"/key-results/{okrs.deploys.pk}"
    assert send(alice, "patch", path, {"version": 1, "target_value": 12}).status_code == 200
    body = problem(send(bob, "patch", path, {"version": 1, "target_value": 20}), 409, "version")
    assert (body["current"]["target_value"], body["current"]["version"]) == (12, 2)
    okrs.deploys.refresh_from_db()
    assert okrs.deploys.target_value == 12


def test_it_rejects_bad_key_result_changes(world: World, okrs: Okrs, bob: Client) -> None:
    path = f"/key-results/{okrs.deploys.pk}"
    problem(send(bob, "patch", path, {"target_value": 12}), 422, "version")
    problem(send(bob, "patch", path, {"version": 1, "target_value": 2}), 422, "target_value")
    problem(send(bob, "patch", path, {"version": 1, "weight": 0}), 422, "weight")
    problem(send(bob, "patch", path, {"version": 1, "title": None}), 422, "title")
    problem(send(bob, "patch", path, {"version": 1, "target_value": "ten"}), 422, "target_value")
    okrs.deploys.refresh_from_db()
    assert (okrs.deploys.target_value, okrs.deploys.weight, okrs.deploys.version) == (10, 1, 1)


def test_it_drops_a_key_result_out_of_its_objectives_progress(
    world: World, okrs: Okrs, bob: Client
) -> None:
    services.checkin_create(member=world.bob, key_result_id=okrs.deploys.pk, value=10, confidence=9)
    assert progress(okrs.platform) == [0.5]
    path = f"/key-results/{okrs.incidents.pk}"
    assert send(bob, "patch", path, {"version": 1, "status": "dropped"}).status_code == 200
    assert progress(okrs.platform, okrs.company) == [1.0, 0.5]


def test_it_forbids_key_result_changes_by_viewers_and_outside_the_team(
    world: World, okrs: Okrs, bob: Client, dave: Client
) -> None:
    body = {"version": 1, "title": "x"}
    problem(send(dave, "patch", f"/key-results/{okrs.deploys.pk}", body), 403)
    problem(send(bob, "patch", f"/key-results/{okrs.revenue.pk}", body), 403)
    problem(send(dave, "delete", f"/key-results/{okrs.deploys.pk}"), 403)
    assert KeyResult.objects.filter(title="x").count() == 0
    assert KeyResult.objects.filter(organisation=world.acme).count() == 3


def test_it_deletes_a_key_result_and_rolls_up(world: World, okrs: Okrs, bob: Client) -> None:
    services.checkin_create(member=world.bob, key_result_id=okrs.deploys.pk, value=10, confidence=9)
    assert send(bob, "delete", f"/key-results/{okrs.incidents.pk}").status_code == 204
    assert not KeyResult.objects.filter(pk=okrs.incidents.pk).exists()
    assert progress(okrs.platform, okrs.company) == [1.0, 0.5]


# ---------------------------------------------------------------- check-ins


def test_a_check_in_moves_the_key_result_its_objective_and_its_parent(
    world: World, okrs: Okrs, bob: Client, dave: Client
) -> None:
    response = check_in(bob, okrs.deploys, value=6, confidence=7, note="Canary helps")
    assert response.status_code == 201, response.content
    assert "Idempotent-Replayed" not in response
    body = response.json()
    assert set(body) == {"checkin", "key_result", "objective"}
    assert body["checkin"]["value"] == 6
    assert body["checkin"]["confidence"] == 7
    assert body["checkin"]["note"] == "Canary helps"
    assert body["checkin"]["author"]["name"] == "Bob"
    assert body["key_result"]["current_value"] == 6
    assert body["key_result"]["progress"] == 0.5
    assert body["key_result"]["confidence"] == 7
    assert body["objective"] == {
        "id": okrs.platform.pk,
        "title": "Ship without fear",
        "progress": 0.25,
    }
    company = send(dave, "get", f"/objectives/{okrs.company.pk}").json()
    assert company["progress"] == pytest.approx(0.125)  # revenue 0 and the platform's 0.25


def test_a_retry_with_the_same_idempotency_key_returns_the_first_check_in(
    world: World, okrs: Okrs, bob: Client
) -> None:
    first = check_in(bob, okrs.deploys, key="retry-1", value=6)
    assert first.status_code == 201
    again = check_in(bob, okrs.deploys, key="retry-1", value=9)
    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["checkin"] == first.json()["checkin"]
    assert again.json()["key_result"]["current_value"] == 6
    assert CheckIn.objects.filter(key_result=okrs.deploys).count() == 1
    assert check_in(bob, okrs.deploys, key="retry-2", value=9).status_code == 201
    assert CheckIn.objects.filter(key_result=okrs.deploys).count() == 2


def test_it_refuses_an_idempotency_key_reused_for_another_key_result(
    world: World, okrs: Okrs, bob: Client
) -> None:
    assert check_in(bob, okrs.deploys, key="k").status_code == 201
    problem(check_in(bob, okrs.incidents, key="k", value=8), 422, "Idempotency-Key")
    assert CheckIn.objects.filter(key_result=okrs.incidents).count() == 0


def test_it_refuses_an_idempotency_key_over_100_characters(
    world: World, okrs: Okrs, bob: Client
) -> None:
    problem(check_in(bob, okrs.deploys, key="k" * 101), 422)
    assert not CheckIn.objects.exists()


def test_without_a_key_each_post_is_a_new_check_in(world: World, okrs: Okrs, bob: Client) -> None:
    assert check_in(bob, okrs.deploys).status_code == 201
    assert check_in(bob, okrs.deploys).status_code == 201
    assert CheckIn.objects.filter(key_result=okrs.deploys).count() == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"value": "six"}, "value"),
        ({"value": ""}, "value"),
        ({"value": None}, "value"),
        ({"confidence": 11}, "confidence"),
        ({"confidence": -1}, "confidence"),
        ({"confidence": "high"}, "confidence"),
        ({"note": "x" * 4001}, "note"),
    ],
)
def test_it_rejects_a_bad_check_in_and_writes_nothing(
    world: World, okrs: Okrs, bob: Client, body: dict[str, Any], field: str
) -> None:
    problem(check_in(bob, okrs.deploys, **body), 422, field)
    assert not CheckIn.objects.exists()
    okrs.deploys.refresh_from_db()
    assert okrs.deploys.current_value is None


def test_it_accepts_only_done_or_not_done_for_a_milestone(
    world: World, okrs: Okrs, bob: Client
) -> None:
    milestone = services.key_result_create(
        member=world.bob, objective=okrs.platform, title="Runbook published", kind="milestone"
    )
    for value in ("maybe", 0.5, 2, "half"):
        problem(check_in(bob, milestone, value=value), 422, "value")
    assert not CheckIn.objects.exists()
    done = check_in(bob, milestone, value="done")
    assert done.status_code == 201
    assert (done.json()["key_result"]["current_value"], done.json()["key_result"]["progress"]) == (
        1,
        1,
    )
    for value, progress in ((False, 0), (1, 1), ("not done", 0), (True, 1), (0, 0)):
        assert check_in(bob, milestone, value=value).json()["key_result"]["progress"] == progress


def test_it_refuses_check_ins_in_a_closed_cycle(world: World, okrs: Okrs, bob: Client) -> None:
    okrs.quarter.status = CycleStatus.CLOSED
    okrs.quarter.save()
    body = problem(check_in(bob, okrs.deploys), 422, "key_result_id")
    assert "closed" in body["detail"]
    assert not CheckIn.objects.exists()


def test_it_refuses_check_ins_on_a_dropped_key_result(
    world: World, okrs: Okrs, bob: Client
) -> None:
    services.key_result_update(member=world.bob, key_result=okrs.deploys, status="dropped")
    body = problem(check_in(bob, okrs.deploys), 422, "key_result_id")
    assert "dropped" in body["detail"]
    assert not CheckIn.objects.exists()


def test_it_lets_a_key_results_owner_check_in_outside_their_team(
    world: World, okrs: Okrs, bob: Client
) -> None:
    problem(check_in(bob, okrs.revenue, value=10), 403)
    services.key_result_update(
        member=world.alice, key_result=okrs.revenue, owner_id=world.bob.user_id
    )
    assert check_in(bob, okrs.revenue, value=10).status_code == 201


def test_it_forbids_a_viewer_from_checking_in(world: World, okrs: Okrs, dave: Client) -> None:
    problem(check_in(dave, okrs.deploys), 403)
    assert not CheckIn.objects.exists()


def test_it_lists_check_ins_oldest_first(
    world: World, okrs: Okrs, bob: Client, dave: Client
) -> None:
    for value in (3, 5, 4):
        check_in(bob, okrs.deploys, value=value)
    path = f"/key-results/{okrs.deploys.pk}/check-ins"
    body = send(dave, "get", path).json()
    assert body["count"] == 3
    assert [c["value"] for c in body["items"]] == [3, 5, 4]
    assert set(body["items"][0]) == {
        "id",
        "key_result_id",
        "author",
        "value",
        "confidence",
        "note",
        "blockers",
        "created_at",
    }
    assert [
        c["value"] for c in send(dave, "get", f"{path}?page=2&page_size=2").json()["items"]
    ] == [4]


def test_it_runs_the_same_queries_for_3_and_30_check_ins(
    world: World, okrs: Okrs, bob: Client
) -> None:
    path = f"/key-results/{okrs.deploys.pk}/check-ins"
    for value in range(3):
        services.checkin_create(
            member=world.bob, key_result_id=okrs.deploys.pk, value=value, confidence=5
        )
    few = queries(bob, path)
    for value in range(27):
        services.checkin_create(
            member=world.alice, key_result_id=okrs.deploys.pk, value=value, confidence=5
        )
    assert queries(bob, path) == few


def test_a_check_ins_cost_does_not_grow_with_the_organisation(
    world: World, okrs: Okrs, bob: Client
) -> None:
    def cost() -> int:
        check_in(bob, okrs.deploys)  # warm-up: the token's first use is stamped
        with CaptureQueriesContext(connection) as context:
            assert check_in(bob, okrs.deploys).status_code == 201
        return len(context.captured_queries)

    few = cost()
    more_objectives(world, okrs.quarter, 27)
    for objective in Objective.objects.filter(title__startswith="Objective "):
        services.alignment_link_create(
            member=world.alice, child=objective, parent_type="objective", parent_id=okrs.company.pk
        )
    assert cost() == few
